"""The approvals package sits below reconciliation, sync and booking: it imports only core and state."""

from __future__ import annotations

import ast
import dataclasses
from pathlib import Path

import ops_lib.approvals

ALLOWED = ("ops_lib.approvals", "ops_lib.core", "ops_lib.state")


def test_approvals_imports_only_core_and_state() -> None:
    for path in sorted(Path(ops_lib.approvals.__file__).parent.glob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        names = [a.name for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names]
        names += [n.module or "" for n in ast.walk(tree) if isinstance(n, ast.ImportFrom) and n.level == 0]
        inner = [name for name in names if name.startswith("ops_lib")]
        assert all(name.startswith(ALLOWED) for name in inner), (path.name, inner)


def test_both_sessions_and_both_plans_are_approvable() -> None:
    """The sync and the booking session and plan have the shape the approval checks and forms rely on."""
    from ops_lib.approvals.approval import ApprovablePlan, ApprovingSession
    from ops_lib.booking.plan import BookingPlan
    from ops_lib.booking.session import BookingSession
    from ops_lib.sync.plan import SyncPlan
    from ops_lib.sync.session import SyncSession

    for plan in (SyncPlan, BookingPlan):
        offered = {f.name for f in dataclasses.fields(plan)} | set(dir(plan))
        assert {"plan_hash", "register", "targets", "actions", "writable"} <= offered, plan.__name__
    for session in (SyncSession, BookingSession):
        assert callable(session.preparer) and callable(session.run) and isinstance(session.book, property)
    assert ApprovablePlan and ApprovingSession


def test_the_approval_record_needs_no_state_database() -> None:
    """A reconciliation makes its approval without loading the state database (reconciling only reads)."""
    import subprocess
    import sys

    code = "import sys, ops_lib.approvals.approval; print(sorted(m for m in sys.modules if m.startswith('ops_lib')))"
    loaded = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert "ops_lib.state" not in loaded and "ops_lib.approvals.book" not in loaded
