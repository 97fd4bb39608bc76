"""Approvals: who signed off which plan, and the checks an approval must pass.

One :class:`~ops_lib.approvals.approval.Approval` type serves the three
things an analyst approves: a reconciliation's review (written to
``approval.json``), a sync plan and a voucher booking plan (both written to
the results and recorded in the state database). Plans and approvals are
kept in one store, :class:`~ops_lib.approvals.book.PlanBook`; the rules an
approval must pass (the exact hash, the crash-rerun rule, four-eyes) live
in :mod:`ops_lib.approvals.checks`.

This package sits below reconciliation, sync and booking: they import it,
and it imports only ``core`` and ``state``.
"""
