"""The checks an approval must pass before anything is written under it.

- **The exact plan.** An approval names a plan by its hash; it covers that
  plan and no other (:func:`~ops_lib.approvals.approval.plan_changed` says so
  when they differ).
- **The crash-rerun rule.** After a crash, a fresh plan differs from the
  approved one because the writes already made drop out of it. The
  approval still covers it when every action still to do is an action of
  the approved plan, as recorded in the :class:`PlanBook`; anything new or
  changed means the data moved and the plan must be approved again. It
  must also be a plan of the same register for the same targets: the
  action digests alone do not say which company or register they write.
- **Four-eyes.** With it on, the approver must not be the preparer, and the
  preparer is the first to have planned it as recorded in the state
  database (:func:`check_four_eyes`, the only place that decides it).

:func:`authorise` applies all three and records the approval.
"""

from __future__ import annotations

import getpass

from ops_lib.approvals.approval import ApprovablePlan, Approval, plan_changed
from ops_lib.approvals.book import PlanBook, RecordedPlan
from ops_lib.core.errors import ConflictError


def same_person(a: str, b: str) -> bool:
    """Whether two names are one person's, ignoring case and surrounding blanks."""
    return a.strip().casefold() == b.strip().casefold()


def check_four_eyes(book: PlanBook, plan_hash: str, approved_by: str, *, four_eyes: bool,
                    prepared_by: str | None = None) -> str:
    """The preparer on record for ``plan_hash``; with ``four_eyes``, refuse them as the approver.

    The preparer is the first to have planned it, as recorded in ``book``;
    ``prepared_by`` (empty: the OS user) stands in for a plan never recorded.

    Raises
    ------
    ConflictError
        With four-eyes, the approver is the preparer.
    """
    preparer = book.preparer(plan_hash, prepared_by or getpass.getuser())
    if four_eyes and same_person(preparer, approved_by):
        raise ConflictError(f"Four-eyes approval: {approved_by} prepared this plan and cannot also approve it; "
                            f"ask a colleague to approve plan {plan_hash[:12]}…")
    return preparer


def record_plan(plan: ApprovablePlan, book: PlanBook, prepared_by: str | None = None) -> str:
    """Remember the plan and its preparer (the first one stays); return the preparer on record."""
    return book.record_plan(plan, prepared_by or getpass.getuser()).prepared_by


def _resumed(plan: ApprovablePlan, approved_hash: str, recorded: RecordedPlan | None) -> str:
    """The approved plan this one continues after a crash ("" when it is that plan); raise when it is not."""
    if approved_hash == plan.plan_hash:
        return ""
    if recorded is None:
        raise plan_changed(approved_hash, plan.plan_hash)
    if recorded.register != plan.register or tuple(recorded.targets) != tuple(plan.targets):
        raise plan_changed(approved_hash, plan.plan_hash,
                           f"the approved plan was for {recorded.register} in {', '.join(recorded.targets)}, this "
                           f"one is for {plan.register} in {', '.join(plan.targets)}; approve this plan itself")
    # A write this very approval made that is gone since is reported, not refused (and not sent).
    changed = [a for a in plan.actions
               if a.digest not in recorded.action_digests and getattr(a, "redo_of", "") != approved_hash]
    if changed:
        listed = "; ".join(f"{a.action} {a.number} {a.name}" for a in changed[:5])
        raise ConflictError(f"The data changed after plan {approved_hash[:12]}… was approved: {len(changed)} "
                            f"action(s) are new or different ({listed}); review the new plan "
                            f"{plan.plan_hash[:12]}… and approve it again")
    return approved_hash


def authorise(plan: ApprovablePlan, book: PlanBook, approved_hash: str, approved_by: str, *,
              four_eyes: bool = False, prepared_by: str | None = None) -> Approval:
    """Check that ``approved_hash`` covers this plan and record the approval.

    Parameters
    ----------
    plan:
        The plan about to be applied (a fresh one on a rerun after a crash).
    book:
        The store the plan was recorded in when it was prepared.
    approved_hash, approved_by:
        The plan hash the approver signed off, and the approver's name.
    four_eyes:
        Refuse the preparer as the approver.
    prepared_by:
        The preparer of a plan the book never recorded (empty: the OS user).

    Returns
    -------
    Approval
        With the preparer on record and, on a rerun, the plan it continues.

    Raises
    ------
    ConflictError
        No hash or no approver given; the plan changed after approval; or,
        with four-eyes, the approver is the preparer.
    """
    if not approved_hash:
        raise ConflictError(f"Nothing is applied without approval: approve plan {plan.plan_hash} first")
    if not approved_by.strip():
        raise ConflictError("An approval needs the approver's name")
    resumed = _resumed(plan, approved_hash, book.plan(approved_hash))
    preparer = check_four_eyes(book, approved_hash, approved_by, four_eyes=four_eyes, prepared_by=prepared_by)
    # What the plan writes: the first segment of each call's path (a booking plan has no calls).
    resources = {c.path.split("/")[0] for a in plan.actions for c in getattr(a, "calls", ())}
    at = book.record_approval(approved_hash, approved_by.strip(), preparer, four_eyes, resources)
    return Approval(plan.register, approved_hash, approved_by.strip(), at, writes=len(plan.writable),
                    prepared_by=preparer, four_eyes=four_eyes, resumed_from=resumed)
