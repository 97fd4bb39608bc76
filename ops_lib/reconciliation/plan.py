"""The actions a reconciliation plans, and what would stop a planned write.

Actions follow from the master system: updates flow from the master, new
records may start on either side, and renames are made by hand
(``manual``). A write whose record breaks the target system's rules is
``blocked``; an inactive customer or product found on one side only is
not created on the other (``skip_inactive``). Statuses and actions are
integer codes here (into :data:`STATUS_CODES` and :data:`ACTIONS`), and
the target's rules are checked only on the records a write would send,
so a million rows plan in a few array operations.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ops_lib.reconciliation.columns import Side
from ops_lib.systems.rules import Rule, check

# Statuses as the engine carries them (codes into this tuple), in the order the rules find them.
STATUS_CODES = ("match", "field_mismatch", "name_mismatch", "number_mismatch", "left_only", "right_only",
                "duplicate")
MATCH, FIELD, NAME_MISMATCH, NUMBER_MISMATCH, LEFT_ONLY, RIGHT_ONLY, DUPLICATE = range(len(STATUS_CODES))
ACTIONS = ("none", "update_right", "update_left", "create_right", "create_left", "manual", "skip_inactive", "blocked")
NONE, UPDATE_RIGHT, UPDATE_LEFT, CREATE_RIGHT, CREATE_LEFT, MANUAL, SKIP, BLOCKED = range(len(ACTIONS))
# Registers whose inactive records are not created on the other side.
SKIP_INACTIVE = frozenset({"customers", "products", "suppliers"})


def plan_actions(status: np.ndarray, left_ids: np.ndarray, right_ids: np.ndarray, lf: Side, rf: Side,
                 register: str, master: str, rules_left: tuple[Rule, ...],
                 rules_right: tuple[Rule, ...]) -> tuple[np.ndarray, np.ndarray, list[str]]:
    """The action of every row, and the issues of the few rows that have any.

    Parameters
    ----------
    status:
        The status code per row (see :data:`STATUS_CODES`).
    left_ids, right_ids:
        The row's record on each side (-1: none).
    lf, rf:
        The two registers.
    rules_left, rules_right:
        The rules of the system a write to that side goes to (empty: none known).

    Returns
    -------
    tuple
        Action codes (into :data:`ACTIONS`) per row; the rows with issues, and their ``;``-joined codes.
    """
    action = np.zeros(len(status), dtype=np.int8)
    action[status == FIELD] = UPDATE_RIGHT if master == "left" else UPDATE_LEFT
    action[status == LEFT_ONLY] = CREATE_RIGHT
    action[status == RIGHT_ONLY] = CREATE_LEFT
    action[(status == NAME_MISMATCH) | (status == NUMBER_MISMATCH) | (status == DUPLICATE)] = MANUAL

    to_right = (action == CREATE_RIGHT) | (action == UPDATE_RIGHT)
    to_left = (action == CREATE_LEFT) | (action == UPDATE_LEFT)
    clash = _number_in_use(status, left_ids, right_ids, lf, rf)
    rows = np.flatnonzero(to_right | to_left | clash)
    issues = np.full(len(rows), "", dtype=object)
    # The record written: the left one for writes to the right, and the other way round.
    for writes, rules, side, ids in ((to_right, rules_right, lf, left_ids), (to_left, rules_left, rf, right_ids)):
        here = writes[rows]
        if here.any() and rules:
            written = side.frame.iloc[ids[rows[here]]].reset_index(drop=True)
            issues[here] = check(written, rules).to_numpy()
    here = clash[rows]
    issues[here] = np.where(issues[here] == "", "number_in_use", issues[here] + ";number_in_use")

    if register in SKIP_INACTIVE:
        inactive = np.zeros(len(status), dtype=bool)
        for side, ids, lonely in ((lf, left_ids, LEFT_ONLY), (rf, right_ids, RIGHT_ONLY)):
            if side.has("is_active"):
                lonely_rows = np.flatnonzero(status == lonely)
                flags = side.gather("is_active", ids[lonely_rows]).to_numpy(zero_copy_only=False)
                inactive[lonely_rows] = flags == "false"
        action[inactive] = SKIP
        issues[inactive[rows]] = ""
    blocked = rows[(to_right | to_left)[rows] & (issues != "")]
    action[blocked] = BLOCKED
    kept = issues != ""
    return action, rows[kept], issues[kept].tolist()


def _number_in_use(status: np.ndarray, left_ids: np.ndarray, right_ids: np.ndarray, lf: Side,
                   rf: Side) -> np.ndarray:
    """Records to create where their number is already taken (by duplicates): the create would clash."""
    clash = np.zeros(len(status), dtype=bool)
    for own, ids, other, lonely in ((lf, left_ids, rf, LEFT_ONLY), (rf, right_ids, lf, RIGHT_ONLY)):
        taken = np.unique(other.codes[other.dup])
        if len(taken):
            rows = np.flatnonzero(status == lonely)
            clash[rows] = pd.Index(taken).get_indexer(own.codes[ids[rows]]) >= 0
    return clash
