"""The mappings notebook's step: the mapping editor, or (headless) the check written to a file.

The editor holds one row per category and per tag, with dropdowns from
the live chart, checked as you edit: each row shows its own verdict (a
green tick, or the problem and its fix in red) as soon as a value
changes, and Save writes the tables only when every row passes
(:meth:`~ops_lib.booking.mapping_session.MappingSession.save`).
"""

from __future__ import annotations

import html
from pathlib import Path
from typing import Any

from ops_lib.booking.mapping_session import MappingSession, write_check
from ops_lib.booking.mappings import CategoryMapping, MappingProblem, TagMapping, category_problems, tag_problems
from ops_lib.core.errors import OpsError
from ops_lib.forms.panels import add_classes, message


def mapping_panel(session: MappingSession, out_dir: str | Path, interactive: bool = True) -> Any:
    """The editor (interactive), or the check written to ``out_dir`` (headless: it only validates)."""
    if interactive:
        return mapping_form(session)
    return write_check(session, out_dir)


def mapping_form(session: MappingSession) -> Any:
    """The mapping editor for the tables of ``session``, checked against its company's chart."""
    return _MappingForm(session).box


def _verdict(box: Any, problems: list[MappingProblem]) -> None:
    """Show a row's problems (and mark it), or a green tick."""
    if problems:
        box.value = message("error", "; ".join(f"{p.problem} (fix: {p.fix})" for p in problems))
        box.remove_class("ops-row-ok")
        box.add_class("ops-row-problem")
    else:
        box.value = "<span style='color:#1a5e20'>✓</span>"
        box.remove_class("ops-row-problem")
        box.add_class("ops-row-ok")


def _with_value(choices: list[tuple[str, str]], value: str) -> list[tuple[str, str]]:
    """Keep a value the chart no longer has, so the row can say so instead of hiding it."""
    return choices if value in {v for _, v in choices} else choices + [(f"{value} (not found)", value)]


class _MappingForm:
    """The widgets of one mapping editor and their callbacks; ``box`` is what the notebook shows."""

    def __init__(self, session: MappingSession) -> None:
        import ipywidgets as w

        self.w = w
        self.session = session
        self.options = session.choices()
        self.category_rows: list[dict[str, Any]] = []
        self.tag_rows: list[dict[str, Any]] = []
        self.categories = w.VBox([self.category_row(c) for c in session.tables.categories])
        self.tags = w.VBox([self.tag_row(t) for t in session.tables.tags])
        add_category = w.Button(description="Add category", icon="plus")
        add_tag = w.Button(description="Add tag", icon="plus")
        save = w.Button(description="Save", button_style="primary", icon="save")
        self.message = w.HTML()
        add_classes(((self.categories, "ops-categories"), (self.tags, "ops-tags"), (add_category, "ops-add-category"),
                     (add_tag, "ops-add-tag"), (save, "ops-save"), (self.message, "ops-message-area")))
        add_category.on_click(self.on_add_category)
        add_tag.on_click(self.on_add_tag)
        save.on_click(self.on_save)
        head = w.HTML(f"<p>Checked against <b>{html.escape(session.references.company)}</b> "
                      f"({html.escape(session.label)}) for {session.day}.</p>")
        self.box = w.VBox([head, w.HTML("<h4>Categories</h4>"), self.categories, add_category,
                           w.HTML("<h4>Tags</h4>"), self.tags, add_tag, w.HBox([save]), self.message])
        self.box.state = {"categories": self.category_rows, "tags": self.tag_rows,
                          "read_category": self.read_category, "read_tag": self.read_tag, "save": self.on_save}

    def category_row(self, c: CategoryMapping) -> Any:
        w, options = self.w, self.options
        name = w.Text(value=c.category, placeholder="category", layout=w.Layout(width="180px"))
        account = w.Dropdown(options=_with_value(options["accounts"], c.account) if c.account else options["accounts"],
                             value=c.account or None, layout=w.Layout(width="340px"))
        vat = w.Dropdown(options=_with_value(options["vat_codes"], c.vat_code), value=c.vat_code,
                         layout=w.Layout(width="200px"))
        treatment = w.Dropdown(options=_with_value(options["treatments"], c.vat_treatment or "domestic"),
                               value=c.vat_treatment or "domestic", layout=w.Layout(width="190px"))
        rate = w.Dropdown(options=_with_value(options["rates"], c.vat_rate), value=c.vat_rate,
                          layout=w.Layout(width="200px"))
        status = w.HTML()
        add_classes(((name, "ops-category-name"), (account, "ops-category-account"), (vat, "ops-category-vat"),
                     (treatment, "ops-category-treatment"), (rate, "ops-category-rate"), (status, "ops-row-status")))
        row = {"name": name, "account": account, "vat": vat, "treatment": treatment, "rate": rate, "status": status}

        def check(_: Any = None) -> None:
            session = self.session
            _verdict(status, category_problems(self.read_category(row), session.references, session.day,
                                               session.rules, session.tables.setup))

        for widget in (name, account, vat, treatment, rate):
            widget.observe(check, names="value")
        check()
        self.category_rows.append(row)
        box = w.HBox([name, account, vat, treatment, rate, status])
        add_classes(((box, "ops-mapping-row"), (box, "ops-category-row")))
        return box

    def tag_row(self, t: TagMapping) -> Any:
        w, session = self.w, self.session
        group = w.Text(value=t.tag_group, placeholder="tag group", layout=w.Layout(width="150px"))
        tag = w.Text(value=t.tag, placeholder="tag or *", layout=w.Layout(width="100px"))
        target = w.Dropdown(options=_with_value(self.options["targets"], t.target), value=t.target,
                            layout=w.Layout(width="180px"))
        item = w.Dropdown(options=_with_value(session.items(t.target), t.item), value=t.item,
                          layout=w.Layout(width="300px"))
        status = w.HTML()
        add_classes(((group, "ops-tag-group"), (tag, "ops-tag-value"), (target, "ops-tag-target"),
                     (item, "ops-tag-item"), (status, "ops-row-status")))
        row = {"group": group, "tag": tag, "target": target, "item": item, "status": status}

        def check(_: Any = None) -> None:
            _verdict(status, tag_problems(self.read_tag(row), session.references, session.rules))

        def retarget(change: Any) -> None:
            item.options = session.items(change["new"])
            item.value = ""

        target.observe(retarget, names="value")
        for widget in (group, tag, target, item):
            widget.observe(check, names="value")
        check()
        self.tag_rows.append(row)
        box = w.HBox([group, tag, target, item, status])
        add_classes(((box, "ops-mapping-row"), (box, "ops-tag-row")))
        return box

    def read_category(self, row: dict[str, Any]) -> CategoryMapping:
        """The category a row of the editor shows (``row`` is its spreadsheet row, as the check names it)."""
        rows = self.category_rows
        return CategoryMapping(row["name"].value.strip(), row["account"].value or "", row["vat"].value or "",
                               row["treatment"].value or "", row["rate"].value or "",
                               row=rows.index(row) + 2 if row in rows else 0)

    def read_tag(self, row: dict[str, Any]) -> TagMapping:
        """The tag mapping a row of the editor shows."""
        rows = self.tag_rows
        return TagMapping(row["group"].value.strip(), row["tag"].value.strip(), row["target"].value or "",
                          row["item"].value or "", row=rows.index(row) + 2 if row in rows else 0)

    def on_add_category(self, _: Any) -> None:
        self.categories.children = (*self.categories.children, self.category_row(CategoryMapping("", "", "")))

    def on_add_tag(self, _: Any) -> None:
        self.tags.children = (*self.tags.children, self.tag_row(TagMapping("", "*", self.options["targets"][0][1], "")))

    def on_save(self, _: Any) -> None:
        tables = self.session.tables.with_rows(
            [self.read_category(r) for r in self.category_rows if r["name"].value.strip()],
            [self.read_tag(r) for r in self.tag_rows if r["group"].value.strip()])
        try:
            paths = self.session.save(tables)
        except OpsError as exc:
            self.message.value = message("error", str(exc))
            return
        self.message.value = message("info", "Saved " + ", ".join(str(p) for p in paths) + ".")


