"""The connect notebook's step: the connect form, or (headless) the checked connection.

Connect starts the authorization flow with a loopback redirect catcher
and shows a link to the sign-in page; when JupyterLab runs on a remote
server, the analyst pastes the address the browser ended on and presses
Finish. A service integration (a system whose grant with the tenant id
is client credentials) connects at once, with no sign-in page. A grant
that needs secrets besides the client secret (an API key) gets no field
for them: the form names the variable and the file they are read from.
Callbacks read the form, call one function of
:mod:`ops_lib.connection.connect`, and show what it returns or the error's
message (never a traceback, never a secret).
"""

from __future__ import annotations

import html
import threading
from dataclasses import replace
from typing import Any

import httpx

from ops_lib.config.secrets import secret_name_variable, secrets_file
from ops_lib.config.settings import ConnectionSettings
from ops_lib.connection.connect import (
    ConnectionStatus,
    connection_status,
    disconnect,
    require_connection,
    start_connect,
)
from ops_lib.connection.service import connect_service, is_service_connection
from ops_lib.core.errors import OpsError
from ops_lib.forms.panels import add_classes, message
from ops_lib.systems.registry import get as get_system


def connect_panel(settings: ConnectionSettings, interactive: bool = True, *,
                  transport: httpx.BaseTransport | None = None) -> Any:
    """What the connect notebook shows: the form, or (headless) the checked connection.

    Headless (``interactive`` false, as scheduled runs set it) it never
    prompts: see :func:`ops_lib.connection.connect.require_connection`.
    """
    if not interactive:
        return require_connection(settings, transport=transport)
    return connect_form(settings, transport=transport)


def connect_form(settings: ConnectionSettings, *, transport: httpx.BaseTransport | None = None,
                 wait_seconds: float = 300.0) -> Any:
    """The connect form: environment, client id, secret, tenant id, scopes, Connect/Disconnect, status.

    The tenant id shows only for a system with service integrations; with
    one typed in, Connect connects at once and the sign-in's company picker
    and paste field go away.
    """
    return _ConnectForm(settings, transport, wait_seconds).box


def _honours(settings: ConnectionSettings, **change: Any) -> bool:
    """Whether the system's grant for ``settings`` changes when ``change`` is made and when it is undone.

    The form asks the system instead of knowing which system takes a tenant
    id or a company picker (eAccounting's ``forceselectcompany``).
    """
    opposite = {k: type(v)() for k, v in change.items()}  # False, "": the setting off
    grant = get_system(settings.system).grant
    return grant(replace(settings, **change)) != grant(replace(settings, **opposite))


def _secret_sources(settings: ConnectionSettings) -> str:
    """Where the grant's other secrets come from (never their values), or "" when it names none.

    They get no field: a value typed into a notebook widget lands in the
    widget state the notebook saves.
    """
    names = tuple(getattr(get_system(settings.system).grant(settings), "secret_params", ()) or ())
    if not names:
        return ""
    where = ", ".join(f"{html.escape(n)} from <code>{html.escape(secret_name_variable(settings, n))}</code>"
                      for n in names)
    return (f"Also needed, never typed here: {where}, or under the client id in "
            f"<code>{html.escape(str(secrets_file(settings)))}</code> (mode 0600).")


class _ConnectForm:
    """The widgets of one connect form and their callbacks; ``box`` is what the notebook shows."""

    def __init__(self, settings: ConnectionSettings, transport: httpx.BaseTransport | None,
                 wait_seconds: float) -> None:
        import ipywidgets as w

        self.settings, self.transport, self.wait_seconds = settings, transport, wait_seconds
        self.pending: dict[str, Any] = {}
        spec = get_system(settings.system)
        self.environment = w.Dropdown(options=list(spec.environments), value=settings.environment,
                                      description="Environment")
        self.client_id = w.Text(value=settings.client_id, description="Client id")
        self.secret = w.Password(description="Client secret",
                                 placeholder="optional when set in the environment or the secrets file")
        self.scopes = {s: w.Checkbox(value=s in settings.scopes, description=s, indent=False,
                                     disabled=s in spec.required_scopes) for s in spec.scopes}
        self.force = w.Checkbox(value=settings.force_select_company, indent=False,
                                description="Let me pick the company (forceselectcompany)")
        self.tenant = w.Text(value=settings.tenant_id, description="Tenant id",
                             placeholder="a service integration's company tenant; empty: sign in in a browser")
        self.connect = w.Button(description="Connect", button_style="primary", icon="plug")
        self.disconnect = w.Button(description="Disconnect", button_style="warning", icon="unlink")
        self.link = w.HTML()
        self.pasted = w.Text(description="Redirected to", placeholder="paste the whole address the browser ended on",
                             layout=w.Layout(width="90%"))
        self.finish = w.Button(description="Finish")
        self.message = w.HTML()
        self.status = w.HTML(value=connection_status(settings)._repr_html_())
        add_classes(((self.connect, "ops-connect"), (self.disconnect, "ops-disconnect"), (self.finish, "ops-finish"),
                     (self.status, "ops-status"), (self.message, "ops-message-area"), (self.link, "ops-link"),
                     (self.pasted, "ops-paste"), (self.secret, "ops-secret"), (self.client_id, "ops-client-id"),
                     (self.environment, "ops-environment"), (self.tenant, "ops-tenant"),
                     (self.force, "ops-force-select")))
        self.connect.on_click(self.on_connect)
        self.finish.on_click(self.on_finish)
        self.disconnect.on_click(self.on_disconnect)
        # Only what the system's grant honours is offered: a tenant id where it makes a service integration,
        # the company picker where the sign-in page has one (and only while nobody skips that page).
        self.force_row, self.paste_row = w.HBox(), w.HBox()
        self.on_tenant(None)
        self.tenant.observe(self.on_tenant, names="value")
        sources = _secret_sources(settings)
        self.sources = w.HTML(sources)
        self.sources.add_class("ops-secret-sources")
        # A system without scopes (its API rights are its user's) gets no scope row.
        scopes = [w.HTML(f"Scopes (always asked for: {', '.join(spec.required_scopes) or 'none'}):"),
                  w.HBox(list(self.scopes.values()), layout=w.Layout(flex_flow="row wrap"))] if spec.scopes else []
        self.box = w.VBox([
            w.HTML("<b>Connection</b>"), self.environment, self.client_id, self.secret,
            *([self.sources] if sources else []),
            *([self.tenant] if _honours(settings, tenant_id="tenant") else []),
            *scopes, self.force_row,
            w.HBox([self.connect, self.disconnect]), self.link, self.paste_row, self.message,
            w.HTML("<b>Status</b>"), self.status,
        ])

    def on_tenant(self, _: Any) -> None:
        """A tenant typed or cleared switches between a service integration and a browser sign-in."""
        current = self.current()
        self.force_row.children = [self.force] if _honours(current, force_select_company=True) else []
        self.paste_row.children = [] if is_service_connection(current) else [self.pasted, self.finish]

    def current(self) -> ConnectionSettings:
        """The settings as the form shows them now."""
        chosen = tuple(s for s, box in self.scopes.items() if box.value)
        return replace(self.settings, environment=self.environment.value, client_id=self.client_id.value.strip(),
                       scopes=chosen, force_select_company=self.force.value, tenant_id=self.tenant.value.strip())

    def fail(self, exc: OpsError) -> None:
        self.message.value = message("error", str(exc))

    def finished(self, result: ConnectionStatus) -> None:
        self.status.value = result._repr_html_()
        self.link.value = ""
        self.message.value = message("info", f"Connected to {result.company_name}.")

    def on_connect(self, _: Any) -> None:
        self.message.value = ""
        old = self.pending.pop("connect", None)
        if old is not None:
            old.cancel()
        current, typed = self.current(), self.secret.value or None
        try:
            if is_service_connection(current):  # a service integration: no sign-in page, connected at once
                self.finished(connect_service(current, client_secret=typed, transport=self.transport))
                return
            started = start_connect(current, client_secret=typed, transport=self.transport)
        except OpsError as exc:
            self.fail(exc)
            return
        finally:
            self.secret.value = ""  # the secret does not stay in the widget's state
        self.pending["connect"] = started
        self.link.value = (f"<a class='ops-signin' href='{html.escape(started.url)}' target='_blank' "
                           "rel='noopener'>Open the sign-in page</a> and approve access. This form updates by itself; "
                           "on a remote JupyterLab, paste the address you end on below and press Finish.")
        self.message.value = message("wait", "Waiting for the sign-in to finish…")
        threading.Thread(target=self.wait, args=(started,), name="connect-wait", daemon=True).start()

    def wait(self, started: Any) -> None:
        try:
            self.finished(started.wait(self.wait_seconds))
        except OpsError as exc:
            if self.pending.get("connect") is started:
                self.link.value = ""  # that sign-in is spent: the next try starts with Connect
                self.fail(exc)

    def on_finish(self, _: Any) -> None:
        started = self.pending.pop("connect", None)
        if started is None:
            self.message.value = message("error", "Press Connect first, then paste the address.")
            return
        try:
            self.finished(started.complete(self.pasted.value))
        except OpsError as exc:
            self.fail(exc)
        finally:
            self.pasted.value = ""

    def on_disconnect(self, _: Any) -> None:
        self.message.value = ""
        try:
            result = disconnect(self.current(), transport=self.transport)
        except OpsError as exc:
            self.fail(exc)
            return
        self.status.value = result._repr_html_()
        self.message.value = message("info", result.note)
