"""Run the PyPI ``procountor`` client's own unittest suite against a sandbox host; a script, not a test module.

Run as ``python pypi_suite.py SDIST_ROOT HOST REPORT``. It runs in its own
process because the suite imports a top-level package named ``tests``
(``from tests import TestClient``), which would clash with this project's
``tests`` package inside pytest, and because its 2017-era code warns on
import (an invalid ``\\.`` escape) where pytest turns warnings into errors.

The suite's files are used as the sdist ships them. The only change is
the one its client has no setting for: ``Client._endpoints["hosts"]["test"]``
(the hard-coded test host) is pointed at the sandbox before the suite is
loaded. Everything else the suite reads comes from ``PROCOUNTOR_*``
environment variables, set by the caller. Each test's outcome is written
to REPORT as JSON, ``{test id: "passed" | "failed" | "error" | "skipped"}``,
with the failure texts under ``"details"``.
"""

from __future__ import annotations

import json
import sys
import traceback
import unittest
from pathlib import Path


class _Recording(unittest.TextTestResult):
    """A text result that also keeps every test's outcome by id, passes included."""

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.outcomes: dict[str, str] = {}
        self.details: dict[str, str] = {}

    def addSuccess(self, test: unittest.TestCase) -> None:  # noqa: N802 (unittest's name)
        super().addSuccess(test)
        self.outcomes[test.id()] = "passed"

    def addFailure(self, test: unittest.TestCase, err: object) -> None:  # noqa: N802
        super().addFailure(test, err)  # type: ignore[arg-type]
        self.outcomes[test.id()] = "failed"
        self.details[test.id()] = self.failures[-1][1][-1500:]

    def addError(self, test: unittest.TestCase, err: object) -> None:  # noqa: N802
        super().addError(test, err)  # type: ignore[arg-type]
        self.outcomes[test.id()] = "error"
        self.details[test.id()] = self.errors[-1][1][-1500:]

    def addSkip(self, test: unittest.TestCase, reason: str) -> None:  # noqa: N802
        super().addSkip(test, reason)
        self.outcomes[test.id()] = "skipped"


def run(root: Path, host: str, report: Path) -> int:
    """Point the client at ``host``, run the suite under ``root/tests``, write the outcomes; 0 when all passed."""
    sys.path.insert(0, str(root))
    from procountor.client import Client  # the sdist's own client, the code its suite was written for

    Client._endpoints["hosts"]["test"] = host
    # The suite's TestCase.__init__ signs in, so a failing token request breaks loading, not one test.
    try:
        suite = unittest.defaultTestLoader.discover(start_dir=str(root / "tests"), top_level_dir=str(root))
    except Exception:  # noqa: BLE001 (any failure to load is the report's content)
        report.write_text(json.dumps({"outcomes": {}, "details": {"loading": traceback.format_exc()[-1500:]}}))
        return 2
    runner = unittest.TextTestRunner(stream=sys.stderr, verbosity=2, resultclass=_Recording)
    result = runner.run(suite)
    assert isinstance(result, _Recording)
    report.write_text(json.dumps({"outcomes": result.outcomes, "details": result.details}, indent=1))
    return 0 if result.wasSuccessful() else 1


if __name__ == "__main__":
    sys.exit(run(Path(sys.argv[1]), sys.argv[2], Path(sys.argv[3])))
