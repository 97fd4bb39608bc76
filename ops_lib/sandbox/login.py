"""Sign in to the sandbox without a browser, for the demo and the tests.

With ``--auto-consent`` the sandbox answers ``/connect/authorize`` with a
redirect that already carries the code, so the whole authorization-code
flow with PKCE runs as plain HTTP. The flow itself is authlib's: the same
client code the connectors use against the real identity server.
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
from authlib.common.security import generate_token
from authlib.integrations.httpx_client import OAuth2Client

from ops_lib.sandbox.config import DEMO_CLIENT

DEMO_REDIRECT = "http://127.0.0.1:53682/callback"
DEMO_SCOPES = "ea:api ea:sales ea:accounting ea:purchase offline_access"


def login_with_auto_consent(base_url: str, scope: str = DEMO_SCOPES,
                            transport: httpx.BaseTransport | None = None) -> dict[str, Any]:
    """Run the code flow against an auto-consenting sandbox and return the token.

    Raises RuntimeError when the sandbox does not redirect with a code
    (for example because it was started without ``--auto-consent``).
    """
    base = base_url.rstrip("/")
    oauth = OAuth2Client(
        client_id=DEMO_CLIENT.client_id, client_secret=DEMO_CLIENT.client_secret,
        scope=scope, redirect_uri=DEMO_REDIRECT, code_challenge_method="S256",
        token_endpoint_auth_method="client_secret_basic", transport=transport,
    )
    with oauth:
        verifier = generate_token(48)
        url, state = oauth.create_authorization_url(f"{base}/connect/authorize", code_verifier=verifier)
        answer = oauth.request("GET", url, follow_redirects=False, withhold_token=True)
        location = answer.headers.get("location", "")
        query = parse_qs(urlsplit(location).query)
        if answer.status_code != 302 or "code" not in query:
            raise RuntimeError(
                f"The sandbox at {base} did not grant a code (HTTP {answer.status_code}); "
                "start it with --auto-consent or sign in through the consent page."
            )
        return dict(oauth.fetch_token(f"{base}/connect/token", authorization_response=location,
                                      code_verifier=verifier, state=state))


def consent_form(page: str, company_index: int = 0, decision: str = "allow") -> dict[str, str] | None:
    """What pressing allow (or deny) for the ``company_index``-th company posts; None when the page has no form."""
    request_id = re.search(r'name="request_id" value="([^"]+)"', page)
    companies = re.findall(r"name='company_id' required value='([^']+)'", page)
    if not request_id or not companies:
        return None
    return {"request_id": request_id.group(1), "company_id": companies[company_index], "decision": decision}


def approve_consent(http: httpx.Client, authorize_url: str, company_index: int = 0,
                    decision: str = "allow") -> str:
    """Pass the sandbox's consent page as a user would; return the address it redirects to.

    For tests and benchmarks that drive the real flow without a browser:
    open the page, pick the ``company_index``-th company, press allow (or deny).
    """
    page = http.get(authorize_url)
    form = consent_form(page.text, company_index, decision)
    if page.status_code != 200 or form is None:
        raise RuntimeError(f"No consent form at {authorize_url} (HTTP {page.status_code})")
    answer = http.post(str(page.url.join("/connect/authorize/consent")), data=form)
    if answer.status_code != 302:
        raise RuntimeError(f"The consent was not accepted (HTTP {answer.status_code})")
    return answer.headers["location"]

