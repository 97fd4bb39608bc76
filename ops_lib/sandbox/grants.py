"""Authorization codes, access tokens and refresh tokens of the sandbox IdP.

Behaviour follows the real identity server as integrators meet it:

* codes are single-use, expire after five minutes and are bound to the
  client, the redirect URI, the scopes, the chosen company and, when the
  client sent one, the PKCE challenge;
* access tokens are opaque bearer strings that expire after ``token_ttl``;
* refresh tokens are issued only with ``offline_access`` and rotate: each
  refresh returns a new one and the used one is rejected with
  ``invalid_grant`` from then on;
* revoking a refresh token also ends the access tokens issued from it.

Only SHA-256 digests of codes and tokens are stored, so a state file
holds no usable credential.
"""

from __future__ import annotations

import base64
import hashlib
import secrets
from dataclasses import dataclass
from typing import Any

from ops_lib.sandbox.clock import Clock
from ops_lib.sandbox.store import Store

TENANT = "identity"
CODE_TTL = 300


class GrantError(Exception):
    """An OAuth error answered as ``{"error": code, "error_description": ...}``."""

    def __init__(self, error: str, description: str, status: int = 400) -> None:
        super().__init__(f"{error}: {description}")
        self.error = error
        self.description = description
        self.status = status


def digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def s256(verifier: str) -> str:
    """The PKCE S256 transform of a code verifier."""
    return base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()


@dataclass(frozen=True)
class AccessGrant:
    """What a valid access token allows."""

    client_id: str
    company_id: str
    scopes: frozenset[str]


class Grants:
    """Issue, exchange, refresh and revoke; all state lives in the store."""

    def __init__(self, store: Store, clock: Clock, token_ttl: int) -> None:
        self.store = store
        self.clock = clock
        self.token_ttl = token_ttl

    def _now(self) -> float:
        return self.clock.now().timestamp()

    def issue_code(self, client_id: str, redirect_uri: str, scopes: list[str], company_id: str,
                   code_challenge: str | None, code_challenge_method: str | None) -> str:
        code = secrets.token_urlsafe(32)
        self.store.put(TENANT, "code", digest(code), {
            "client_id": client_id, "redirect_uri": redirect_uri, "scopes": scopes,
            "company_id": company_id, "code_challenge": code_challenge,
            "code_challenge_method": code_challenge_method, "expires_at": self._now() + CODE_TTL,
            "used": False,
        })
        return code

    def redeem_code(self, client_id: str, code: str, redirect_uri: str | None,
                    code_verifier: str | None) -> dict[str, Any]:
        """Exchange a code for tokens, checking every binding the code carries."""
        key = digest(code)
        with self.store.transaction():
            record = self.store.get(TENANT, "code", key)
            if record is None or record["client_id"] != client_id:
                raise GrantError("invalid_grant", "The authorization code is invalid.")
            if record["used"]:
                raise GrantError("invalid_grant", "The authorization code has already been used.")
            record["used"] = True
            self.store.put(TENANT, "code", key, record)
            if record["expires_at"] < self._now():
                raise GrantError("invalid_grant", "The authorization code has expired.")
            if redirect_uri != record["redirect_uri"]:
                raise GrantError("invalid_grant", "redirect_uri does not match the authorization request.")
            challenge = record["code_challenge"]
            if challenge:
                if not code_verifier:
                    raise GrantError("invalid_grant", "code_verifier is required (PKCE).")
                method = record["code_challenge_method"] or "plain"
                computed = s256(code_verifier) if method == "S256" else code_verifier
                if not secrets.compare_digest(computed, challenge):
                    raise GrantError("invalid_grant", "code_verifier does not match the code challenge.")
            elif code_verifier:
                raise GrantError("invalid_grant", "code_verifier sent but no code challenge was given.")
            return self._issue(client_id, record["company_id"], record["scopes"])

    def refresh(self, client_id: str, refresh_token: str, scope: str | None) -> dict[str, Any]:
        """Rotate a refresh token: the old one is spent, a new pair is issued."""
        key = digest(refresh_token)
        with self.store.transaction():
            record = self.store.get(TENANT, "refresh", key)
            if record is None or record["client_id"] != client_id:
                raise GrantError("invalid_grant", "The refresh token is invalid.")
            if record["used"] or record["revoked"]:
                raise GrantError("invalid_grant", "The refresh token has already been used or revoked.")
            scopes = list(record["scopes"])
            if scope:
                asked = scope.split()
                if not set(asked) <= set(scopes):
                    raise GrantError("invalid_scope", "A refresh cannot add scopes.")
                scopes = asked
            record["used"] = True
            self.store.put(TENANT, "refresh", key, record)
            return self._issue(client_id, record["company_id"], scopes)

    def _issue(self, client_id: str, company_id: str, scopes: list[str]) -> dict[str, Any]:
        access = secrets.token_urlsafe(32)
        refresh = secrets.token_urlsafe(32) if "offline_access" in scopes else None
        self.store.put(TENANT, "access", digest(access), {
            "key": digest(access), "client_id": client_id, "company_id": company_id, "scopes": scopes,
            "expires_at": self._now() + self.token_ttl,
            "refresh": digest(refresh) if refresh else None,
        })
        body: dict[str, Any] = {
            "access_token": access, "expires_in": self.token_ttl, "token_type": "Bearer",
            "scope": " ".join(scopes),
        }
        if refresh:
            self.store.put(TENANT, "refresh", digest(refresh), {
                "client_id": client_id, "company_id": company_id, "scopes": scopes,
                "used": False, "revoked": False, "issued_at": self._now(),
            })
            body["refresh_token"] = refresh
        return body

    def revoke(self, client_id: str, token: str) -> None:
        """Revoke an access or refresh token; unknown tokens are ignored (RFC 7009)."""
        key = digest(token)
        with self.store.transaction():
            refresh = self.store.get(TENANT, "refresh", key)
            if refresh is not None and refresh["client_id"] == client_id:
                refresh["revoked"] = True
                self.store.put(TENANT, "refresh", key, refresh)
                for access in self.store.all(TENANT, "access"):
                    if access.get("refresh") == key:
                        access["expires_at"] = 0
                        self.store.put(TENANT, "access", _access_key(access), access)
                return
            access = self.store.get(TENANT, "access", key)
            if access is not None and access["client_id"] == client_id:
                self.store.delete(TENANT, "access", key)

    def access(self, token: str) -> AccessGrant | None:
        """The grant behind a bearer token, or None when unknown or expired."""
        record = self.store.get(TENANT, "access", digest(token))
        if record is None or record["expires_at"] <= self._now():
            return None
        return AccessGrant(record["client_id"], record["company_id"], frozenset(record["scopes"]))

    def expire_all(self) -> int:
        """End every access token now (the fault tests use to force a refresh)."""
        count = 0
        with self.store.transaction():
            for record in self.store.all(TENANT, "access"):
                if record["expires_at"] > 0:
                    record["expires_at"] = 0
                    self.store.put(TENANT, "access", _access_key(record), record)
                    count += 1
        return count


def _access_key(record: dict[str, Any]) -> str:
    return str(record["key"])
