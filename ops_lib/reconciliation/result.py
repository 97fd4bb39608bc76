"""The result of a reconciliation: it renders itself, and its plan can be approved.

:class:`Reconciliation` holds the ``pairs`` table and both input frames.
``summary()`` counts per status and action; ``to_frame()``,
``to_csv()``, ``to_excel()`` (one sheet per status, formatted for finance
users) and ``to_json()`` write it out; in a notebook it displays itself
with a colour per status. ``plan_hash`` fingerprints every planned action,
so an approval (:class:`ops_lib.approvals.approval.Approval`) is bound to exactly the plan that was
reviewed: if the data changes, the hash changes and the plan must be
approved again.
"""

from __future__ import annotations

import functools
import getpass
import hashlib
import html
import json
from dataclasses import dataclass, field, replace
from pathlib import Path

import numpy as np
import pandas as pd

from ops_lib.approvals.approval import Approval, plan_changed
from ops_lib.core.errors import ConflictError
from ops_lib.core.files import write_private_file
from ops_lib.core.times import utc_now
from ops_lib.core.workbook import excel_csv_frame, write_workbook

PAIR_COLUMNS = ["status", "left_number", "left_name", "right_number", "right_name", "differences", "issues",
                "action", "suggestion_number", "suggestion_name", "suggestion_score"]
EXTRA_COLUMNS = ["cosmetic", "name_similarity", "left_row", "right_row"]
# The actions that change a side (the engine sets them; a sync turns each into calls).
WRITE_ACTIONS = ("create_right", "update_right", "create_left", "update_left")
STATUSES = ["match", "field_mismatch", "name_mismatch", "number_mismatch", "duplicate", "left_only", "right_only"]
COLOURS = {"match": "#e8f5e9", "field_mismatch": "#fff8e1", "name_mismatch": "#ffe0b2",
           "number_mismatch": "#ffe0b2", "duplicate": "#ffcdd2", "left_only": "#e3f2fd", "right_only": "#ede7f6"}


@dataclass(frozen=True)
class HtmlView:
    """Markup a notebook shows as is, with a plain-text fallback for logs and papermill."""

    html: str
    text: str

    def _repr_html_(self) -> str:
        return self.html

    def __repr__(self) -> str:
        return self.text


@dataclass(frozen=True)
class Reconciliation:
    """Pairs, inputs and settings of one reconciliation."""

    pairs: pd.DataFrame
    left: pd.DataFrame
    right: pd.DataFrame
    register: str
    master: str
    threshold: int
    compared_fields: tuple[str, ...] = ()
    left_name: str = "left"
    right_name: str = "right"
    decisions: tuple[tuple[str, str], ...] = field(default=())

    def __post_init__(self) -> None:
        for column, source, side in (("left_row", self.left, "left_id"), ("right_row", self.right, "right_id")):
            if column not in self.pairs:
                rows = (source["_row"].to_numpy(dtype="int64") if "_row" in source
                        else np.arange(1, len(source) + 1, dtype="int64"))
                ids = self.pairs[side].to_numpy(dtype="int64")
                values = rows[np.maximum(ids, 0)] if len(rows) else np.zeros(len(ids), dtype="int64")
                self.pairs[column] = pd.arrays.IntegerArray(values, ids < 0)

    # -- reading --------------------------------------------------------

    @property
    def findings(self) -> int:
        """Rows that are not a plain match."""
        return int((self.pairs["status"] != "match").sum())

    def summary(self) -> pd.DataFrame:
        """Counts per status and action (every status listed, zeros included)."""
        counts = self.pairs.groupby(["status", "action"]).size().rename("count").reset_index()
        present = set(counts["status"])
        missing = pd.DataFrame([{"status": s, "action": "none", "count": 0} for s in STATUSES if s not in present])
        table = pd.concat([counts, missing], ignore_index=True) if len(missing) else counts
        table["_o"] = table["status"].map({s: i for i, s in enumerate(STATUSES)})
        return table.sort_values(["_o", "action"]).drop(columns="_o").reset_index(drop=True)

    def status_counts(self) -> dict[str, int]:
        counts = self.pairs["status"].value_counts()
        return {s: int(counts.get(s, 0)) for s in STATUSES}

    def to_frame(self) -> pd.DataFrame:
        return self.pairs[PAIR_COLUMNS + EXTRA_COLUMNS].copy()

    def side_by_side(self, index: int) -> pd.DataFrame:
        """One row's two records, field by field, with the differing fields marked."""
        row = self.pairs.loc[index]
        fields = [c for c in self.left.columns.union(self.right.columns, sort=False) if not c.startswith("_")]
        left = self.left.iloc[row["left_id"]] if row["left_id"] >= 0 else pd.Series(dtype=object)
        right = self.right.iloc[row["right_id"]] if row["right_id"] >= 0 else pd.Series(dtype=object)
        differing = set(filter(None, str(row["differences"]).split(";")))
        return pd.DataFrame({"field": fields, self.left_name: [left.get(f, "") for f in fields],
                             self.right_name: [right.get(f, "") for f in fields],
                             "differs": [f in differing for f in fields]})

    @functools.cached_property
    def plan_hash(self) -> str:
        """SHA-256 of every planned action and the records behind it.

        Computed once per result: results are not changed after they are made
        (accepting a suggestion makes a new one), and a large plan is costly to hash.
        """
        planned = self.pairs[self.pairs["action"] != "none"]
        cols = ["status", "action", "left_number", "left_name", "right_number", "right_name", "differences", "issues"]
        digest = hashlib.sha256(f"{self.register}|{self.master}|{self.decisions}".encode())
        for record in planned[cols].astype(str).sort_values(cols).itertuples(index=False):
            digest.update("\x1f".join(record).encode("utf-8"))
            digest.update(b"\x1e")
        for frame in (self.left, self.right):
            ids = planned["left_id" if frame is self.left else "right_id"]
            rows = frame.iloc[ids[ids >= 0].to_numpy()]
            digest.update(pd.util.hash_pandas_object(rows.drop(columns=["_source", "_row"], errors="ignore")
                                                     .astype(str), index=False).to_numpy().tobytes())
        return digest.hexdigest()

    # -- decisions on suggestions ---------------------------------------

    def accept_suggestion(self, index: int) -> "Reconciliation":
        """Take a fuzzy suggestion: the two records are one; link them by hand instead of creating."""
        row = self.pairs.loc[index]
        if row["status"] not in ("left_only", "right_only") or not row["suggestion_number"]:
            raise ConflictError(f"row {index} has no suggestion to accept")
        own_side, other_side = ("left", "right") if row["status"] == "left_only" else ("right", "left")
        other = self.pairs[(self.pairs["status"] == f"{other_side}_only")
                           & (self.pairs[f"{other_side}_number"] == row["suggestion_number"])
                           & (self.pairs[f"{other_side}_name"] == row["suggestion_name"])]
        if other.empty:
            raise ConflictError(f"the suggested {other_side} record {row['suggestion_number']} is no longer unpaired")
        partner = other.iloc[0]
        pairs = self.pairs.drop(index=other.index).copy()
        same_name = str(row[f"{own_side}_name"]).strip() == str(partner[f"{other_side}_name"]).strip()
        for col in (f"{other_side}_id", f"{other_side}_number", f"{other_side}_name", f"{other_side}_row"):
            pairs.at[index, col] = partner[col]
        pairs.at[index, "status"] = "number_mismatch" if same_name else "name_mismatch"
        pairs.at[index, "action"] = "manual"
        pairs.at[index, "issues"] = "accepted_suggestion"
        pairs.at[index, "differences"] = "number" if same_name else "number;name"
        key = f"{own_side}:{row[f'{own_side}_number']}~{row['suggestion_number']}"
        return replace(self, pairs=pairs.reset_index(drop=True), decisions=self.decisions + (("accepted", key),))

    def reject_suggestion(self, index: int) -> "Reconciliation":
        """Drop a fuzzy suggestion: the records are different; keep the planned create."""
        row = self.pairs.loc[index]
        if not row["suggestion_number"]:
            raise ConflictError(f"row {index} has no suggestion to reject")
        pairs = self.pairs.copy()
        side = "left" if row["status"] == "left_only" else "right"
        key = f"{side}:{row[f'{side}_number']}~{row['suggestion_number']}"
        pairs.loc[index, ["suggestion_number", "suggestion_name"]] = ""
        pairs.loc[index, "suggestion_score"] = 0
        return replace(self, pairs=pairs, decisions=self.decisions + (("rejected", key),))

    def approve(self, approved_by: str | None = None, note: str = "",
                expected_hash: str | None = None) -> Approval:
        """Record approval of this exact plan.

        ``expected_hash`` (from params, for headless runs) must equal the
        current plan hash: an approval given for other data does not carry over.
        """
        current = self.plan_hash
        if expected_hash is not None and expected_hash != current:
            raise plan_changed(expected_hash, current, again="review and approve again")
        return Approval(
            register=self.register, plan_hash=current, approved_by=approved_by or getpass.getuser(),
            approved_at=utc_now(),
            writes=int(self.pairs["action"].isin(WRITE_ACTIONS).sum()),
            accepted_suggestions=tuple(k for d, k in self.decisions if d == "accepted"),
            rejected_suggestions=tuple(k for d, k in self.decisions if d == "rejected"), note=note,
        )

    # -- writing --------------------------------------------------------

    def to_csv(self, path: Path | str) -> Path:
        """The pairs as CSV for a spreadsheet: a formula-like text gets a leading ``'`` (see ``excel_csv_cell``)."""
        path = Path(path)
        frame = excel_csv_frame(self.to_frame()[PAIR_COLUMNS])
        write_private_file(path, frame.to_csv(index=False).encode("utf-8"))
        return path

    def to_json(self, path: Path | str) -> Path:
        path = Path(path)
        body = {
            "register": self.register, "master": self.master, "threshold": self.threshold,
            "left": self.left_name, "right": self.right_name, "compared_fields": list(self.compared_fields),
            "plan_hash": self.plan_hash, "status_counts": self.status_counts(),
            "summary": self.summary().to_dict(orient="records"),
            "pairs": json.loads(self.to_frame().to_json(orient="records", force_ascii=False)),
        }
        write_private_file(path, json.dumps(body, indent=1, ensure_ascii=False).encode("utf-8"))
        return path

    def to_excel(self, path: Path | str) -> Path:
        """A workbook: Summary first, then one sheet per status that has rows, formatted."""
        frame = self.to_frame()
        sheets = {"Summary": self.summary()}
        sheets.update({s: frame[frame["status"] == s] for s in STATUSES if (frame["status"] == s).any()})
        return write_workbook(path, sheets, COLOURS)

    def write(self, out_dir: Path | str) -> dict[str, Path]:
        """reconciliation.csv, .xlsx and .json in ``out_dir``."""
        out = Path(out_dir)
        out.mkdir(parents=True, exist_ok=True)
        return {"csv": self.to_csv(out / "reconciliation.csv"), "xlsx": self.to_excel(out / "reconciliation.xlsx"),
                "json": self.to_json(out / "reconciliation.json")}

    def status_chart(self) -> HtmlView:
        """Counts by status as horizontal bars, coloured by status (no plotting library needed)."""
        counts = self.status_counts()
        top = max(counts.values()) or 1
        bars = "".join(
            f"<div style='display:flex;align-items:center;margin:2px 0'><span style='width:130px'>{s}</span>"
            f"<span style='background:{COLOURS[s]};border:1px solid #999;height:14px;"
            f"width:{max(1, round(300 * n / top)) if n else 0}px'></span><span style='margin-left:6px'>{n}</span></div>"
            for s, n in counts.items())
        text = "\n".join(f"{s:<16} {'#' * max(1 if n else 0, round(40 * n / top))} {n}" for s, n in counts.items())
        return HtmlView(f"<div class='ops-status-chart'>{bars}</div>", text)

    def describe(self) -> str:
        counts = self.status_counts()
        lines = [f"{self.register}: {self.left_name} (left) vs {self.right_name} (right), master {self.master}",
                 *(f"  {s:<16} {counts[s]:>7}" for s in STATUSES), f"plan {self.plan_hash[:16]}"]
        return "\n".join(lines)

    def summary_html(self) -> str:
        """The heading and the status/action counts as HTML, coloured by status."""
        rows = "".join(
            f"<tr style='background:{COLOURS.get(r.status, '#fff')}'><td>{html.escape(r.status)}</td>"
            f"<td>{html.escape(r.action)}</td><td style='text-align:right'>{r.count}</td></tr>"
            for r in self.summary().itertuples())
        return (f"<p><b>{html.escape(self.register)}</b>: {html.escape(self.left_name)} vs "
                f"{html.escape(self.right_name)}, master {self.master}, plan <code>{self.plan_hash[:16]}</code></p>"
                f"<table><tr><th>status</th><th>action</th><th>count</th></tr>{rows}</table>")

    def _repr_html_(self) -> str:
        shown = self.to_frame()[PAIR_COLUMNS][self.pairs["status"] != "match"].head(50)
        body = "".join(
            f"<tr style='background:{COLOURS.get(str(r['status']), '#fff')}'>"
            + "".join(f"<td>{html.escape(str(v))}</td>" for v in r.values) + "</tr>"
            for _, r in shown.iterrows())
        head = "".join(f"<th>{html.escape(c)}</th>" for c in PAIR_COLUMNS)
        return (f"<div class='ops-reconciliation'>{self.summary_html()}"
                f"<p>First {len(shown)} findings:</p><table><tr>{head}</tr>{body}</table></div>")
