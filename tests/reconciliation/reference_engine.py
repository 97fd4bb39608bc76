"""FROZEN REFERENCE of the reconciliation rules: ``ops_lib/reconciliation/engine.py`` as it was before issue 22.

Do not edit or "improve" this module. It is the oracle the rewritten engine
is checked against (tests/reconciliation/test_engine_agreement.py): the
same inputs must give the same statuses, actions, differences, issues and
suggestions. Only the fuzzy import was pointed at the frozen copy beside it.
The original docstring follows.

Reconcile two registers by number and name: what matches, what differs, what to do.

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

from ops_lib.model.registers import fold_name, spec
from ops_lib.reconciliation.result import Reconciliation
from ops_lib.systems.rules import Rule, check, rules_for
from tests.reconciliation.reference_fuzzy import best_matches, similarity

NUMBER, NAME = "number", "name"
# Registers whose inactive records are not created on the other side.
SKIP_INACTIVE = frozenset({"customers", "products", "suppliers"})


class _Side:
    """One register as plain arrays: raw text per field, trimmed number and name, duplicate flags.

    The engine works on positions into these arrays and never copies a
    frame's rows, which keeps a million records per side fast and small.
    """

    def __init__(self, frame: pd.DataFrame, side: str, fields: list[str]) -> None:
        missing = [c for c in (NUMBER, NAME) if c not in frame.columns]
        if missing:
            raise ValueError(f"the {side} frame lacks the column(s) {', '.join(missing)}")
        self.values = {f: _text_array(frame[f]) for f in dict.fromkeys([NUMBER, NAME, *fields])
                       if f in frame.columns}
        key = pd.Series(self.values[NUMBER]).str.strip()
        self.key = key.array
        self.name = pd.Series(self.values[NAME]).str.strip().array
        self.dup = _bools((key != "") & key.duplicated(keep=False))
        self.n = len(frame)

    def at(self, field: str, ids: np.ndarray) -> Any:
        return self.values[field][ids]


def _text_array(column: pd.Series) -> Any:
    """The column as text, kept in its own (often Arrow) storage: no per-value Python objects."""
    if isinstance(column.dtype, pd.StringDtype):
        return column.fillna("").array
    return column.fillna("").astype(str).to_numpy(dtype=object)


def _bools(values: Any) -> np.ndarray:
    return np.asarray(values, dtype=bool)


def _differences(a: _Side, ia: np.ndarray, b: _Side, ib: np.ndarray, fields: list[str]) -> np.ndarray:
    """Per aligned pair, the ';'-joined fields whose trimmed values differ."""
    out = np.full(len(ia), "", dtype=object)
    for field in fields:
        x, y = a.at(field, ia), b.at(field, ib)
        differ = _bools(x != y)
        if differ.any():  # equal as written is equal; only unequal values need trimming
            where = np.flatnonzero(differ)
            differ[where] = [p.strip() != q.strip() for p, q in zip(list(x[where]), list(y[where]))]
            out[differ] = out[differ] + field + ";"
    return pd.Series(out, dtype=object).str.rstrip(";").to_numpy(dtype=object)


def _pairs_frame(status: Any, left: _Side | None, ia: np.ndarray | None, right: _Side | None,
                 ib: np.ndarray | None) -> pd.DataFrame:
    n = len(ia) if ia is not None else len(ib) if ib is not None else 0
    empty = np.full(n, "", dtype=object)
    return pd.DataFrame({
        "status": np.full(n, status, dtype=object) if isinstance(status, str) else status,
        "left_id": ia if ia is not None else np.full(n, -1), "right_id": ib if ib is not None else np.full(n, -1),
        "left_number": left.at(NUMBER, ia) if left is not None and ia is not None else empty,
        "left_name": left.at(NAME, ia) if left is not None and ia is not None else empty,
        "right_number": right.at(NUMBER, ib) if right is not None and ib is not None else empty,
        "right_name": right.at(NAME, ib) if right is not None and ib is not None else empty,
    })


def _join(keys_a: np.ndarray, keys_b: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Positions of equal keys; the keys are unique on each side."""
    where = pd.Index(keys_b).get_indexer(keys_a)
    found = where >= 0
    return np.flatnonzero(found), where[found]


def _one_side_only(lf: "_Side", ol: np.ndarray, rf: "_Side", orr: np.ndarray,
                   threshold: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The records left unpaired on each side, each with the best fuzzy suggestion from the other side."""
    left_only = _pairs_frame("left_only", lf, ol, None, None)
    right_only = _pairs_frame("right_only", None, None, rf, orr)
    for frame, own, own_ids, other, other_ids in ((left_only, lf, ol, rf, orr), (right_only, rf, orr, lf, ol)):
        best, scores = best_matches(list(own.at(NAME, own_ids)), list(other.at(NAME, other_ids)), threshold)
        hit = best >= 0
        picked = other_ids[np.maximum(best, 0)] if len(other_ids) else np.zeros(len(best), dtype=np.int64)
        frame["suggestion_number"] = np.where(hit, np.asarray(other.at(NUMBER, picked), dtype=object)
                                              if len(other_ids) else "", "")
        frame["suggestion_name"] = np.where(hit, np.asarray(other.at(NAME, picked), dtype=object)
                                            if len(other_ids) else "", "")
        frame["suggestion_score"] = np.where(hit, scores, 0)
        frame["differences"] = ""
    return left_only, right_only


def _concat(frames: list[pd.DataFrame]) -> pd.DataFrame:
    """Every pair and unpaired record in one frame; a record without a suggestion has an empty one."""
    pairs = pd.concat(frames, ignore_index=True)
    for column, default in (("suggestion_number", ""), ("suggestion_name", ""), ("suggestion_score", 0)):
        pairs[column] = pairs[column].fillna(default)
    pairs["suggestion_score"] = pairs["suggestion_score"].astype(int)
    return pairs


# The order a reviewer reads findings in: what needs a person first, matches last.
REPORT_ORDER = {"duplicate": 0, "name_mismatch": 1, "number_mismatch": 2, "field_mismatch": 3,
                "left_only": 4, "right_only": 5, "match": 6}


def _in_report_order(pairs: pd.DataFrame) -> pd.DataFrame:
    pairs = pairs.assign(_order=pairs["status"].map(REPORT_ORDER))
    pairs = pairs.sort_values(["_order", "left_number", "right_number"], kind="stable").drop(columns="_order")
    return pairs.reset_index(drop=True)


def reconcile(left: pd.DataFrame, right: pd.DataFrame, register: str, master: str = "left", *,
              threshold: int = 85, rules_left: str | None = None, rules_right: str | None = "eaccounting",
              left_name: str = "left", right_name: str = "right") -> Reconciliation:
    """Classify every record of two canonical register frames and plan the actions.

    Parameters
    ----------
    left, right:
        Canonical register frames (see :mod:`ops_lib.sources.files`).
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
    compare = [f for f in s.fields if f not in (NUMBER, NAME) and f in left.columns and f in right.columns]
    lf, rf = _Side(left, "left", compare + ["is_active"]), _Side(right, "right", compare + ["is_active"])

    # 2. pair by number
    cand_l = np.flatnonzero(~lf.dup & _bools(lf.key != ""))
    cand_r = np.flatnonzero(~rf.dup & _bools(rf.key != ""))
    a, b = _join(lf.key[cand_l], rf.key[cand_r])
    il, ir = cand_l[a], cand_r[b]
    same_name = _bools(lf.name[il] == rf.name[ir]) & _bools(lf.name[il] != "")
    diffs = _differences(lf, il, rf, ir, compare)
    status = np.where(same_name, np.where(diffs == "", "match", "field_mismatch"), "name_mismatch").astype(object)
    diffs = np.where(same_name, diffs, np.where(diffs == "", "name", "name;" + diffs))
    numbered = _pairs_frame(status, lf, il, rf, ir)
    numbered["differences"] = diffs

    # 3. pair the rest by a name unique among the unpaired on each side
    free_l = np.ones(lf.n, dtype=bool)
    free_l[il] = False
    free_l &= ~lf.dup
    free_r = np.ones(rf.n, dtype=bool)
    free_r[ir] = False
    free_r &= ~rf.dup
    ul, ur = np.flatnonzero(free_l), np.flatnonzero(free_r)
    names_l, names_r = pd.Series(lf.name[ul]), pd.Series(rf.name[ur])
    uniq_l = ul[_bools((names_l != "") & ~names_l.duplicated(keep=False))]
    uniq_r = ur[_bools((names_r != "") & ~names_r.duplicated(keep=False))]
    a, b = _join(lf.name[uniq_l], rf.name[uniq_r])
    nl, nr = uniq_l[a], uniq_r[b]
    named = _pairs_frame("number_mismatch", lf, nl, rf, nr)
    extra = _differences(lf, nl, rf, nr, compare)
    named["differences"] = np.where(extra == "", "number", "number;" + extra)

    # 4. only on one side, with suggestions; 1. duplicates stand alone
    free_l[nl] = False
    free_r[nr] = False
    left_only, right_only = _one_side_only(lf, np.flatnonzero(free_l), rf, np.flatnonzero(free_r), threshold)
    dup_l = _pairs_frame("duplicate", lf, np.flatnonzero(lf.dup), None, None)
    dup_r = _pairs_frame("duplicate", None, None, rf, np.flatnonzero(rf.dup))
    for frame in (dup_l, dup_r):
        frame["differences"] = ""

    pairs = _concat([numbered, named, left_only, right_only, dup_l, dup_r])
    _name_details(pairs)
    _plan(pairs, left, right, lf, rf, register, master, rules_for(rules_left, register) if rules_left else (),
          rules_for(rules_right, register) if rules_right else ())
    return Reconciliation(pairs=_in_report_order(pairs), left=left.reset_index(drop=True), right=right.reset_index(drop=True),
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


def _plan(pairs: pd.DataFrame, left: pd.DataFrame, right: pd.DataFrame, lf: _Side, rf: _Side, register: str,
          master: str, rules_left: tuple[Rule, ...], rules_right: tuple[Rule, ...]) -> None:
    """Fill ``action`` and ``issues`` for every row."""
    status = pairs["status"].to_numpy(dtype=object)
    left_ids = pairs["left_id"].to_numpy(dtype=np.int64)
    right_ids = pairs["right_id"].to_numpy(dtype=np.int64)
    action = np.full(len(pairs), "none", dtype=object)
    action[status == "field_mismatch"] = "update_right" if master == "left" else "update_left"
    action[status == "left_only"] = "create_right"
    action[status == "right_only"] = "create_left"
    action[(status == "name_mismatch") | (status == "number_mismatch") | (status == "duplicate")] = "manual"

    issues = np.full(len(pairs), "", dtype=object)
    # The record written: the left one for writes to the right, and the other way round.
    to_right = (action == "create_right") | (action == "update_right")
    to_left = (action == "create_left") | (action == "update_left")
    if to_right.any() and rules_right:
        issues[to_right] = check(left.iloc[left_ids[to_right]].reset_index(drop=True), rules_right).to_numpy()
    if to_left.any() and rules_left:
        issues[to_left] = check(right.iloc[right_ids[to_left]].reset_index(drop=True), rules_left).to_numpy()
    # A record created where its number is already taken (by duplicates) would clash.
    taken_right, taken_left = set(rf.key[np.flatnonzero(rf.dup)]), set(lf.key[np.flatnonzero(lf.dup)])
    clash = np.zeros(len(pairs), dtype=bool)
    if taken_right:
        lo = np.flatnonzero(status == "left_only")
        clash[lo] = _bools(pd.Series(lf.key[left_ids[lo]]).isin(taken_right))
    if taken_left:
        ro = np.flatnonzero(status == "right_only")
        clash[ro] = _bools(pd.Series(rf.key[right_ids[ro]]).isin(taken_left))
    issues[clash] = np.where(issues[clash] == "", "number_in_use", issues[clash] + ";number_in_use")

    if register in SKIP_INACTIVE:
        inactive = np.zeros(len(pairs), dtype=bool)
        for side, ids, lonely in ((lf, left_ids, "left_only"), (rf, right_ids, "right_only")):
            if "is_active" in side.values:
                rows = np.flatnonzero(status == lonely)
                inactive[rows] = _bools(side.values["is_active"][ids[rows]] == "false")
        action[inactive] = "skip_inactive"
        issues[inactive] = ""
    writes = to_right | to_left
    action[writes & (issues != "")] = "blocked"
    pairs["issues"] = issues
    pairs["action"] = action
