"""The notebooks' ipywidgets forms: the only module that touches ipywidgets.

ipywidgets is imported inside the functions, so importing ``ops_lib``
(papermill workers, cron, CI) never needs a display. Callbacks hold no
logic: they read the form, call one library function, and show what it
returns, or the error's message (never a traceback, never a secret).
"""

from __future__ import annotations

import html
import threading
from dataclasses import replace
from typing import Any

import httpx

from ops_lib.config.settings import ConnectionSettings
from ops_lib.core.errors import OpsError
from ops_lib.systems.registry import get as get_system


def _message(kind: str, text: str) -> str:
    colour = {"error": "#b00020", "info": "#1a5e20", "wait": "#444"}[kind]
    body = html.escape(text).replace("\n", "<br>")
    return f"<div class='ops-message ops-{kind}' style='color:{colour};white-space:normal'>{body}</div>"


def connect_form(settings: ConnectionSettings, *, transport: httpx.BaseTransport | None = None,
                 wait_seconds: float = 300.0) -> Any:
    """The connect form: environment, client id, secret, scopes, Connect/Disconnect, status.

    Connect starts the authorization flow with a loopback redirect catcher
    and shows a link to the sign-in page; when JupyterLab runs on a remote
    server, paste the address the browser ended on and press Finish.
    """
    import ipywidgets as w

    from ops_lib.systems.connect import connection_status, disconnect, start_connect

    spec = get_system(settings.system)
    environment = w.Dropdown(options=list(spec.environments), value=settings.environment, description="Environment")
    client_id = w.Text(value=settings.client_id, description="Client id")
    secret = w.Password(description="Client secret",
                        placeholder="optional when set in the environment or the secrets file")
    scopes = {s: w.Checkbox(value=s in settings.scopes, description=s, indent=False,
                            disabled=s in spec.required_scopes) for s in spec.scopes}
    force = w.Checkbox(value=settings.force_select_company, indent=False,
                       description="Let me pick the company (forceselectcompany)")
    connect = w.Button(description="Connect", button_style="primary", icon="plug")
    disconnect_button = w.Button(description="Disconnect", button_style="warning", icon="unlink")
    link = w.HTML()
    pasted = w.Text(description="Redirected to", placeholder="paste the whole address the browser ended on",
                    layout=w.Layout(width="90%"))
    finish = w.Button(description="Finish")
    message = w.HTML()
    status = w.HTML(value=connection_status(settings)._repr_html_())
    for widget, name in ((connect, "ops-connect"), (disconnect_button, "ops-disconnect"), (finish, "ops-finish"),
                         (status, "ops-status"), (message, "ops-message-area"), (link, "ops-link"),
                         (pasted, "ops-paste"), (secret, "ops-secret"), (client_id, "ops-client-id"),
                         (environment, "ops-environment")):
        widget.add_class(name)
    pending: dict[str, Any] = {}

    def current() -> ConnectionSettings:
        chosen = tuple(s for s, box in scopes.items() if box.value)
        return replace(settings, environment=environment.value, client_id=client_id.value.strip(),
                       scopes=chosen, force_select_company=force.value)

    def show_status(result: Any) -> None:
        status.value = result._repr_html_()

    def fail(exc: OpsError) -> None:
        message.value = _message("error", str(exc))

    def finished(result: Any) -> None:
        show_status(result)
        link.value = ""
        message.value = _message("info", f"Connected to {result.company_name}.")

    def on_connect(_: Any) -> None:
        message.value = ""
        old = pending.pop("connect", None)
        if old is not None:
            old.cancel()
        try:
            started = start_connect(current(), client_secret=secret.value or None, transport=transport)
        except OpsError as exc:
            fail(exc)
            return
        finally:
            secret.value = ""  # the secret does not stay in the widget's state
        pending["connect"] = started
        link.value = (f"<a class='ops-signin' href='{html.escape(started.url)}' target='_blank' rel='noopener'>"
                      "Open the sign-in page</a> and approve access. This form updates by itself; on a remote "
                      "JupyterLab, paste the address you end on below and press Finish.")
        message.value = _message("wait", "Waiting for the sign-in to finish…")

        def wait() -> None:
            try:
                finished(started.wait(wait_seconds))
            except OpsError as exc:
                if pending.get("connect") is started:
                    link.value = ""  # that sign-in is spent: the next try starts with Connect
                    fail(exc)

        threading.Thread(target=wait, name="connect-wait", daemon=True).start()

    def on_finish(_: Any) -> None:
        started = pending.pop("connect", None)
        if started is None:
            message.value = _message("error", "Press Connect first, then paste the address.")
            return
        try:
            finished(started.complete(pasted.value))
        except OpsError as exc:
            fail(exc)
        finally:
            pasted.value = ""

    def on_disconnect(_: Any) -> None:
        message.value = ""
        try:
            result = disconnect(current(), transport=transport)
        except OpsError as exc:
            fail(exc)
            return
        show_status(result)
        message.value = _message("info", result.note)

    connect.on_click(on_connect)
    finish.on_click(on_finish)
    disconnect_button.on_click(on_disconnect)
    return w.VBox([
        w.HTML("<b>Connection</b>"), environment, client_id, secret,
        w.HTML("Scopes (ea:api and offline_access are always asked for):"),
        w.HBox(list(scopes.values()), layout=w.Layout(flex_flow="row wrap")), force,
        w.HBox([connect, disconnect_button]), link, w.HBox([pasted, finish]), message,
        w.HTML("<b>Status</b>"), status,
    ])


def review_form(result: Any, out_dir: Any, approved_by: str = "") -> Any:
    """Review a reconciliation: filter by status, compare a pair side by side,
    accept or reject fuzzy suggestions, and approve the plan (bound to its hash).
    """
    from pathlib import Path

    import ipywidgets as w

    from ops_lib.reconciliation.result import PAIR_COLUMNS, STATUSES

    state = {"result": result}
    status = w.Dropdown(options=["all findings", *STATUSES], value="all findings", description="Status")
    table = w.HTML()
    pick = w.Dropdown(description="Pair", options=[], layout=w.Layout(width="60%"))
    side = w.HTML()
    accept = w.Button(description="Accept suggestion", icon="check")
    reject = w.Button(description="Reject suggestion", icon="times")
    who = w.Text(value=approved_by, description="Approver", placeholder="your name")
    approve = w.Button(description="Approve plan", button_style="success", icon="thumbs-up")
    message = w.HTML()
    summary = w.HTML()
    for widget, name in ((status, "ops-filter"), (table, "ops-pairs"), (pick, "ops-pick"), (side, "ops-side"),
                         (accept, "ops-accept"), (reject, "ops-reject"), (approve, "ops-approve"),
                         (message, "ops-message-area"), (summary, "ops-summary"), (who, "ops-approver")):
        widget.add_class(name)

    def rows() -> Any:
        pairs = state["result"].pairs
        if status.value == "all findings":
            return pairs[pairs["status"] != "match"]
        return pairs[pairs["status"] == status.value]

    def label(i: int, r: Any) -> str:
        text = f"{i}: {r['status']} {r['left_number'] or '-'} {r['left_name'] or ''} | {r['right_number'] or '-'} {r['right_name'] or ''}"
        return text + (f" (suggests {r['suggestion_number']}, {r['suggestion_score']})" if r["suggestion_number"] else "")

    def refresh(*_: Any) -> None:
        shown = rows()
        table.value = shown[PAIR_COLUMNS].head(200).to_html(classes="ops-pairs-table", index=True, escape=True)
        pick.options = [(label(i, r), i) for i, r in shown.head(500).iterrows()]
        summary.value = state["result"].summary_html()
        show_pair()

    def show_pair(*_: Any) -> None:
        if pick.value is None:
            side.value = ""
            return
        frame = state["result"].side_by_side(pick.value)
        side.value = frame.to_html(index=False, escape=True, classes="ops-side-table")
        has = bool(state["result"].pairs.loc[pick.value, "suggestion_number"])
        accept.disabled = reject.disabled = not has

    def decide(accepting: bool) -> None:
        index = pick.value
        try:
            state["result"] = (state["result"].accept_suggestion(index) if accepting
                               else state["result"].reject_suggestion(index))
        except OpsError as exc:
            message.value = _message("error", str(exc))
            return
        message.value = _message("info", ("Accepted" if accepting else "Rejected") + f" the suggestion on row {index}.")
        refresh()

    def on_approve(_: Any) -> None:
        if not who.value.strip():
            message.value = _message("error", "Type your name as approver first.")
            return
        approval = state["result"].approve(who.value.strip())
        path = approval.write(Path(out_dir) / "approval.json")
        message.value = _message("info", f"Approved plan {approval.plan_hash} by {approval.approved_by} at "
                                         f"{approval.approved_at}; recorded in {path}.")

    status.observe(refresh, names="value")
    pick.observe(show_pair, names="value")
    accept.on_click(lambda _: decide(True))
    reject.on_click(lambda _: decide(False))
    approve.on_click(on_approve)
    refresh()
    form = w.VBox([summary, status, table, pick, side, w.HBox([accept, reject]), w.HBox([who, approve]), message])
    form.add_class("ops-review")
    form.state = state  # the reviewed result, for the cells after the form
    return form


def sync_form(session: Any, plan: Any, out_dir: Any, approved_by: str = "", four_eyes: bool = False) -> Any:
    """The apply step: the plan with every call, the approver's name, and Approve and apply.

    The approval is bound to the plan shown: the button applies exactly
    ``plan`` under its hash, and the results (red or green box and the
    per-action table) replace the plan when it is done.
    """
    import ipywidgets as w

    plan_view = w.HTML(value=plan._repr_html_())
    who = w.Text(value=approved_by, description="Approver", placeholder="your name")
    apply = w.Button(description="Approve and apply", button_style="danger", icon="upload",
                     disabled=not plan.writable)
    preparer = w.HTML(value=f"<span class='ops-preparer'>Prepared by {html.escape(session.preparer(plan))}"
                            + (" (four-eyes: someone else must approve)" if four_eyes else "") + "</span>")
    outcome = w.HTML()
    message = w.HTML()
    for widget, name in ((plan_view, "ops-plan"), (who, "ops-approver"), (apply, "ops-apply"), (preparer, "ops-preparer"),
                         (outcome, "ops-sync-outcome"), (message, "ops-message-area")):
        widget.add_class(name)
    state: dict[str, Any] = {"result": None}

    def on_apply(_: Any) -> None:
        if not who.value.strip():
            message.value = _message("error", "Type your name as approver first.")
            return
        apply.disabled = True
        message.value = _message("wait", "Applying…")
        try:
            result = session.run(plan, apply=True, approved_hash=plan.plan_hash, approved_by=who.value.strip(),
                                 four_eyes=four_eyes)
            written = result.write(out_dir)
        except OpsError as exc:
            apply.disabled = False
            message.value = _message("error", str(exc))
            return
        state["result"] = result
        outcome.value = result._repr_html_()
        message.value = _message("info", f"Plan {plan.plan_hash} approved by {who.value.strip()}; results saved in "
                                         + ", ".join(str(p) for p in written.values()) + ".")

    apply.on_click(on_apply)
    form = w.VBox([plan_view, preparer, w.HBox([who, apply]), message, outcome])
    form.add_class("ops-sync")
    form.state = state
    return form


def audit_form(first: Any, out_dir: Any) -> Any:
    """The auditor's form: pick a period, list and verify its runs, see what each changed, export to Excel."""
    from datetime import date

    import ipywidgets as w

    from ops_lib.runs.audit import audit_review

    state = {"review": first}
    since = w.DatePicker(description="From", value=first.start)
    until = w.DatePicker(description="To", value=first.end)
    show = w.Button(description="List and verify", button_style="primary", icon="search")
    export = w.Button(description="Export to Excel", icon="file-excel-o")
    verdict = w.HTML()
    table = w.HTML()
    message = w.HTML()
    for widget, name in ((since, "ops-period-start"), (until, "ops-period-end"), (show, "ops-verify"),
                         (export, "ops-export"), (verdict, "ops-verdict"), (table, "ops-runs"),
                         (message, "ops-message-area")):
        widget.add_class(name)

    def refresh(review: Any) -> None:
        state["review"] = review
        verdict.value = review.verification._repr_html_()
        table.value = review.runs_html() + review.operations_html()

    def on_show(_: Any) -> None:
        try:
            refresh(audit_review(first.root, since.value or None, until.value or date.today(),
                                 state_db=first.state_db))
        except OpsError as exc:
            message.value = _message("error", str(exc))
            return
        message.value = _message("info", f"{len(state['review'].runs)} run(s) from {state['review'].start} to "
                                         f"{state['review'].end}.")

    def on_export(_: Any) -> None:
        review = state["review"]
        path = review.export(out_dir)
        message.value = _message("info", f"Exported {len(review.runs)} run(s) to {path}.")

    show.on_click(on_show)
    export.on_click(on_export)
    refresh(first)
    form = w.VBox([w.HBox([since, until, show, export]), verdict, table, message])
    form.state = state
    return form


def mapping_form(session: Any) -> Any:
    """The mapping editor: one row per category and per tag, dropdowns from the live chart, checked as you edit.

    Each row shows its own verdict (a green tick, or the problem and its
    fix in red) as soon as a value changes; Save writes the tables only
    when every row passes (:meth:`MappingSession.save`).
    """
    import ipywidgets as w

    from ops_lib.booking.mappings import CategoryMapping, TagMapping, category_problems, tag_problems

    options = session.choices()

    def verdict(box: Any, problems: list[Any]) -> None:
        if problems:
            box.value = _message("error", "; ".join(f"{p.problem} (fix: {p.fix})" for p in problems))
            box.remove_class("ops-row-ok")
            box.add_class("ops-row-problem")
        else:
            box.value = "<span style='color:#1a5e20'>✓</span>"
            box.remove_class("ops-row-problem")
            box.add_class("ops-row-ok")

    def with_value(choices: list[tuple[str, str]], value: str) -> list[tuple[str, str]]:
        """Keep a value the chart no longer has, so the row can say so instead of hiding it."""
        return choices if value in {v for _, v in choices} else choices + [(f"{value} (not found)", value)]

    category_rows: list[dict[str, Any]] = []
    tag_rows: list[dict[str, Any]] = []

    def category_row(c: Any) -> Any:
        name = w.Text(value=c.category, placeholder="category", layout=w.Layout(width="180px"))
        account = w.Dropdown(options=with_value(options["accounts"], c.account) if c.account else options["accounts"],
                             value=c.account or None, layout=w.Layout(width="340px"))
        vat = w.Dropdown(options=with_value(options["vat_codes"], c.vat_code), value=c.vat_code,
                         layout=w.Layout(width="200px"))
        status = w.HTML()
        for widget, cls in ((name, "ops-category-name"), (account, "ops-category-account"),
                            (vat, "ops-category-vat"), (status, "ops-row-status")):
            widget.add_class(cls)
        row = {"name": name, "account": account, "vat": vat, "status": status}

        def check(_: Any = None) -> None:
            verdict(status, category_problems(read_category(row), session.references, session.day))

        for widget in (name, account, vat):
            widget.observe(check, names="value")
        check()
        category_rows.append(row)
        box = w.HBox([name, account, vat, status])
        box.add_class("ops-mapping-row")
        box.add_class("ops-category-row")
        return box

    def tag_row(t: Any) -> Any:
        group = w.Text(value=t.tag_group, placeholder="tag group", layout=w.Layout(width="150px"))
        tag = w.Text(value=t.tag, placeholder="tag or *", layout=w.Layout(width="100px"))
        target = w.Dropdown(options=with_value(options["targets"], t.target), value=t.target,
                            layout=w.Layout(width="180px"))
        item = w.Dropdown(options=with_value(session.items(t.target), t.item), value=t.item,
                          layout=w.Layout(width="300px"))
        status = w.HTML()
        for widget, cls in ((group, "ops-tag-group"), (tag, "ops-tag-value"), (target, "ops-tag-target"),
                            (item, "ops-tag-item"), (status, "ops-row-status")):
            widget.add_class(cls)
        row = {"group": group, "tag": tag, "target": target, "item": item, "status": status}

        def check(_: Any = None) -> None:
            verdict(status, tag_problems(read_tag(row), session.references, session.rules))

        def retarget(change: Any) -> None:
            item.options = session.items(change["new"])
            item.value = ""

        target.observe(retarget, names="value")
        for widget in (group, tag, target, item):
            widget.observe(check, names="value")
        check()
        tag_rows.append(row)
        box = w.HBox([group, tag, target, item, status])
        box.add_class("ops-mapping-row")
        box.add_class("ops-tag-row")
        return box

    def read_category(row: dict[str, Any]) -> Any:
        return CategoryMapping(row["name"].value.strip(), row["account"].value or "", row["vat"].value or "",
                               row=category_rows.index(row) + 2 if row in category_rows else 0)

    def read_tag(row: dict[str, Any]) -> Any:
        return TagMapping(row["group"].value.strip(), row["tag"].value.strip(), row["target"].value or "",
                          row["item"].value or "", row=tag_rows.index(row) + 2 if row in tag_rows else 0)

    categories = w.VBox([category_row(c) for c in session.tables.categories])
    tags = w.VBox([tag_row(t) for t in session.tables.tags])
    add_category = w.Button(description="Add category", icon="plus")
    add_tag = w.Button(description="Add tag", icon="plus")
    save = w.Button(description="Save", button_style="primary", icon="save")
    message = w.HTML()
    for widget, cls in ((categories, "ops-categories"), (tags, "ops-tags"), (add_category, "ops-add-category"),
                        (add_tag, "ops-add-tag"), (save, "ops-save"), (message, "ops-message-area")):
        widget.add_class(cls)

    def on_add_category(_: Any) -> None:
        categories.children = (*categories.children, category_row(CategoryMapping("", "", "")))

    def on_add_tag(_: Any) -> None:
        tags.children = (*tags.children, tag_row(TagMapping("", "*", options["targets"][0][1], "")))

    def on_save(_: Any) -> None:
        tables = session.tables.with_rows([read_category(r) for r in category_rows if r["name"].value.strip()],
                                          [read_tag(r) for r in tag_rows if r["group"].value.strip()])
        try:
            paths = session.save(tables)
        except OpsError as exc:
            message.value = _message("error", str(exc))
            return
        message.value = _message("info", "Saved " + ", ".join(str(p) for p in paths) + ".")

    add_category.on_click(on_add_category)
    add_tag.on_click(on_add_tag)
    save.on_click(on_save)
    head = w.HTML(f"<p>Checked against <b>{html.escape(session.references.company)}</b> "
                  f"({html.escape(session.label)}) for {session.day}.</p>")
    form = w.VBox([head, w.HTML("<h4>Categories</h4>"), categories, add_category, w.HTML("<h4>Tags</h4>"), tags,
                   add_tag, w.HBox([save]), message])
    form.state = {"categories": category_rows, "tags": tag_rows, "read_category": read_category,
                  "read_tag": read_tag, "save": on_save}
    return form
