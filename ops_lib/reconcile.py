"""Reconcile two registers by number and name: what matches, what differs, what to do.

The rules, applied in this order (see :func:`reconcile`):

1. Numbers and names are compared exactly after trimming surrounding
   whitespace; an empty cell is missing. A number that occurs more than
   once on one side marks all those records ``duplicate``; they take no
   part in pairing.
2. Pair by number. Same name: ``match`` when every other field both
   sides carry is equal, else ``field_mismatch``. Different name:
   ``name_mismatch`` (with whether the difference is only cosmetic and
   how similar the names are).
3. Among records still unpaired, pair by a name that is unique among the
   unpaired records of each side: ``number_mismatch``.
4. The rest are ``left_only`` or ``right_only``, each with the best fuzzy
   candidate among the other side's unpaired records when it reaches the
   threshold.

Actions follow from the master system: updates flow from the master, new
records may start on either side, and renames are made by hand
(``manual``). A write whose record breaks the target system's rules is
``blocked``; an inactive customer or product found on one side only is
not created on the other (``skip_inactive``). Everything is vectorised
with pandas so a million records per side reconcile in one process.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from .fuzzy import best_matches, similarity
from .reconciliation import Reconciliation
from .registers import fold_name, spec
from .rules import Rule, check, rules_for

NUMBER, NAME = "number", "name"
# Registers whose inactive records are not created on the other side.
SKIP_INACTIVE = frozenset({"customers", "products"})


def _prepare(frame: pd.DataFrame, side: str) -> pd.DataFrame:
    missing = [c for c in (NUMBER, NAME) if c not in frame.columns]
    if missing:
        raise ValueError(f"the {side} frame lacks the column(s) {', '.join(missing)}")
    prepared = frame.reset_index(drop=True).copy()
    prepared["_key"] = prepared[NUMBER].fillna("").astype(str).str.strip()
    prepared["_name"] = prepared[NAME].fillna("").astype(str).str.strip()
    prepared["_dup"] = (prepared["_key"] != "") & prepared["_key"].duplicated(keep=False)
    return prepared


def _differences(left: pd.DataFrame, right: pd.DataFrame, fields: list[str]) -> np.ndarray:
    """Per aligned row pair, the ';'-joined fields whose trimmed values differ."""
    out = np.full(len(left), "", dtype=object)
    for field in fields:
        a = left[field].fillna("").astype(str).str.strip().to_numpy()
        b = right[field].fillna("").astype(str).str.strip().to_numpy()
        out = np.where(a != b, out + field + ";", out)
    return pd.Series(out, dtype=object).str.rstrip(";").to_numpy(dtype=object)


def _pairs_frame(status: Any, left: pd.DataFrame | None, right: pd.DataFrame | None, n: int) -> pd.DataFrame:
    frame = pd.DataFrame({"status": status} if n else {"status": pd.Series([], dtype=object)}, index=range(n))
    frame["left_id"] = left.index.to_numpy() if left is not None else -1
    frame["right_id"] = right.index.to_numpy() if right is not None else -1
    frame["left_number"] = left[NUMBER].to_numpy() if left is not None else ""
    frame["left_name"] = left[NAME].to_numpy() if left is not None else ""
    frame["right_number"] = right[NUMBER].to_numpy() if right is not None else ""
    frame["right_name"] = right[NAME].to_numpy() if right is not None else ""
    return frame


def reconcile(left: pd.DataFrame, right: pd.DataFrame, register: str, master: str = "left", *,
              threshold: int = 85, rules_left: str | None = None, rules_right: str | None = "eaccounting",
              left_name: str = "left", right_name: str = "right") -> Reconciliation:
    """Classify every record of two canonical register frames and plan the actions.

    Parameters
    ----------
    left, right:
        Canonical register frames (see :mod:`ops_lib.readers`).
    register:
        ``customers``, ``products`` or ``projects``.
    master:
        ``left`` or ``right``: the side updates flow from.
    threshold:
        The lowest fuzzy score (0-100) that makes a suggestion.
    rules_left, rules_right:
        The system whose rules apply to records written to that side
        (``eaccounting``), or None for a side with no known rules.
    left_name, right_name:
        What to call the sides in reports (a file name, ``eaccounting``).

    Returns
    -------
    Reconciliation
        ``pairs`` has one row per pair or unpaired record.
    """
    if master not in ("left", "right"):
        raise ValueError("master must be 'left' or 'right'")
    s = spec(register)
    lf, rf = _prepare(left, "left"), _prepare(right, "right")
    compare = [f for f in s.fields if f not in (NUMBER, NAME) and f in lf.columns and f in rf.columns]

    # 2. pair by number
    lk = lf[~lf["_dup"] & (lf["_key"] != "")]
    rk = rf[~rf["_dup"] & (rf["_key"] != "")]
    by_number = lk[["_key"]].reset_index().merge(rk[["_key"]].reset_index(), on="_key", suffixes=("_l", "_r"))
    pl, pr = lf.loc[by_number["index_l"]], rf.loc[by_number["index_r"]]
    same_name = (pl["_name"].to_numpy() == pr["_name"].to_numpy()) & (pl["_name"].to_numpy() != "")
    diffs = _differences(pl, pr, compare)
    status = np.where(same_name, np.where(diffs == "", "match", "field_mismatch"), "name_mismatch")
    diffs = np.where(same_name, diffs, np.where(diffs == "", "name", "name;" + diffs))
    numbered = _pairs_frame(status, pl, pr, len(pl))
    numbered["differences"] = diffs

    # 3. pair the rest by a name unique among the unpaired on each side
    paired_l, paired_r = set(by_number["index_l"]), set(by_number["index_r"])
    ul = lf[~lf["_dup"] & ~lf.index.isin(paired_l)]
    ur = rf[~rf["_dup"] & ~rf.index.isin(paired_r)]
    unique_l = ul[(ul["_name"] != "") & ~ul["_name"].duplicated(keep=False)]
    unique_r = ur[(ur["_name"] != "") & ~ur["_name"].duplicated(keep=False)]
    by_name = unique_l[["_name"]].reset_index().merge(unique_r[["_name"]].reset_index(), on="_name",
                                                          suffixes=("_l", "_r"))
    nl, nr = lf.loc[by_name["index_l"]], rf.loc[by_name["index_r"]]
    named = _pairs_frame("number_mismatch", nl, nr, len(nl))
    extra = _differences(nl, nr, compare)
    named["differences"] = np.where(extra == "", "number", "number;" + extra)

    # 4. only on one side, with suggestions
    ol = ul[~ul.index.isin(set(by_name["index_l"]))]
    orr = ur[~ur.index.isin(set(by_name["index_r"]))]
    left_only = _pairs_frame("left_only", ol, None, len(ol))
    right_only = _pairs_frame("right_only", None, orr, len(orr))
    for frame, own, other in ((left_only, ol, orr), (right_only, orr, ol)):
        best, scores = best_matches(own[NAME].fillna("").astype(str).tolist(),
                                    other[NAME].fillna("").astype(str).tolist(), threshold)
        hit = best >= 0
        frame["suggestion_number"] = np.where(hit, other[NUMBER].to_numpy()[np.maximum(best, 0)] if len(other) else "", "")
        frame["suggestion_name"] = np.where(hit, other[NAME].to_numpy()[np.maximum(best, 0)] if len(other) else "", "")
        frame["suggestion_score"] = np.where(hit, scores, 0)
        frame["differences"] = ""

    # 1. duplicates stand alone
    dup_l = _pairs_frame("duplicate", lf[lf["_dup"]], None, int(lf["_dup"].sum()))
    dup_r = _pairs_frame("duplicate", None, rf[rf["_dup"]], int(rf["_dup"].sum()))
    for frame in (dup_l, dup_r):
        frame["differences"] = ""

    pairs = pd.concat([numbered, named, left_only, right_only, dup_l, dup_r], ignore_index=True)
    for column, default in (("suggestion_number", ""), ("suggestion_name", ""), ("suggestion_score", 0)):
        pairs[column] = pairs[column].fillna(default) if column in pairs else default
    pairs["suggestion_score"] = pairs["suggestion_score"].astype(int)
    _name_details(pairs)
    _plan(pairs, lf, rf, register, master, rules_for(rules_left, register) if rules_left else (),
          rules_for(rules_right, register) if rules_right else ())
    order = {"duplicate": 0, "name_mismatch": 1, "number_mismatch": 2, "field_mismatch": 3,
             "left_only": 4, "right_only": 5, "match": 6}
    pairs["_order"] = pairs["status"].map(order)
    pairs = pairs.sort_values(["_order", "left_number", "right_number"], kind="stable").drop(columns="_order")
    pairs = pairs.reset_index(drop=True)
    return Reconciliation(pairs=pairs, left=left.reset_index(drop=True), right=right.reset_index(drop=True),
                          register=register, master=master, threshold=threshold, compared_fields=tuple(compare),
                          left_name=left_name, right_name=right_name)


def _name_details(pairs: pd.DataFrame) -> None:
    """For name mismatches: is the difference only case, spacing or Unicode form, and how similar."""
    rows = pairs.index[pairs["status"] == "name_mismatch"]
    lefts = pairs.loc[rows, "left_name"].astype(str).tolist()
    rights = pairs.loc[rows, "right_name"].astype(str).tolist()
    cosmetic = np.zeros(len(pairs), dtype=bool)
    similar = np.zeros(len(pairs), dtype=np.int64)
    positions = pairs.index.get_indexer(rows)
    cosmetic[positions] = [fold_name(a) == fold_name(b) != "" for a, b in zip(lefts, rights)]
    similar[positions] = [similarity(a, b) for a, b in zip(lefts, rights)]
    pairs["cosmetic"] = cosmetic
    pairs["name_similarity"] = similar


def _plan(pairs: pd.DataFrame, lf: pd.DataFrame, rf: pd.DataFrame, register: str, master: str,
          rules_left: tuple[Rule, ...], rules_right: tuple[Rule, ...]) -> None:
    """Fill ``action`` and ``issues`` for every row."""
    status = pairs["status"]
    action = pd.Series("none", index=pairs.index, dtype=object)
    action[status == "field_mismatch"] = "update_right" if master == "left" else "update_left"
    action[status == "left_only"] = "create_right"
    action[status == "right_only"] = "create_left"
    action[status.isin(["name_mismatch", "number_mismatch", "duplicate"])] = "manual"

    issues = pd.Series("", index=pairs.index, dtype=object)
    # The record written: the left one for writes to the right, and the other way round.
    to_right = action.isin(["create_right", "update_right"])
    to_left = action.isin(["create_left", "update_left"])
    if to_right.any() and rules_right:
        written = lf.loc[pairs.loc[to_right, "left_id"].to_numpy()]
        issues[to_right] = check(written, rules_right).to_numpy()
    if to_left.any() and rules_left:
        written = rf.loc[pairs.loc[to_left, "right_id"].to_numpy()]
        issues[to_left] = check(written, rules_left).to_numpy()
    # A record created where its number is already taken (by duplicates) would clash.
    taken_right, taken_left = set(rf["_key"][rf["_dup"]]), set(lf["_key"][lf["_dup"]])
    clash = ((status == "left_only") & lf["_key"].reindex(pairs["left_id"]).isin(taken_right).to_numpy()) | \
            ((status == "right_only") & rf["_key"].reindex(pairs["right_id"]).isin(taken_left).to_numpy())
    issues[clash] = np.where(issues[clash] == "", "number_in_use", issues[clash] + ";number_in_use")

    if register in SKIP_INACTIVE:
        inactive = pd.Series(False, index=pairs.index)
        if "is_active" in lf:
            inactive |= (status == "left_only") & (lf["is_active"].reindex(pairs["left_id"]).to_numpy() == "false")
        if "is_active" in rf:
            inactive |= (status == "right_only") & (rf["is_active"].reindex(pairs["right_id"]).to_numpy() == "false")
        action[inactive] = "skip_inactive"
        issues[inactive] = ""
    writes = action.isin(["create_right", "create_left", "update_right", "update_left"])
    action[writes & (issues != "")] = "blocked"
    pairs["issues"] = issues
    pairs["action"] = action
