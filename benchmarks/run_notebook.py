"""Benchmark: ``ops run`` against papermill's own run of the same trivial notebook, in one run.

Usage: ``make bench`` or ``python benchmarks/run_notebook.py [--rounds N]``.

``benchmarks/notebooks/trivial.ipynb`` (a parameter, a sum) is run
alternately by ``python -m papermill`` and by ``python -m ops_lib run``,
each ``--rounds`` times, each a fresh process as a scheduler starts it.
``ops run`` does more than papermill: it checks the parameters, takes the
run lock, archives the executed notebook with its header, an html copy
and a sealed manifest, and searches every file for secrets. Goal: that
adds at most one second to papermill's own time (medians compared). The
config directory is a temporary one, so the user's own is never touched.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

NOTEBOOK = Path(__file__).resolve().parent / "notebooks" / "trivial.ipynb"
OVERHEAD_GOAL_S = 1.0


def timed(command: list[str], env: dict[str, str]) -> float:
    started = time.perf_counter()
    done = subprocess.run(command, env=env, capture_output=True, text=True)
    elapsed = time.perf_counter() - started
    if done.returncode:
        raise SystemExit(f"{' '.join(command[:4])} failed ({done.returncode}):\n{done.stdout}{done.stderr}")
    return elapsed


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args(argv)
    ours: list[float] = []
    peer: list[float] = []
    with tempfile.TemporaryDirectory() as scratch:
        env = {**os.environ, "OPS_CONFIG_DIR": str(Path(scratch) / "config")}
        for round_ in range(args.rounds):
            peer.append(timed([sys.executable, "-m", "papermill", str(NOTEBOOK), str(Path(scratch) / f"pm{round_}.ipynb"),
                               "--no-progress-bar", "--log-level", "WARNING", "-k", "python3"], env))
            ours.append(timed([sys.executable, "-m", "ops_lib", "run", str(NOTEBOOK), "--out",
                               str(Path(scratch) / "runs")], env))
    added = statistics.median(ours) - statistics.median(peer)
    print(f"\n`ops run` vs papermill, {NOTEBOOK.name}, {args.rounds} alternating runs each:")
    print(f"ops run    median {statistics.median(ours):5.2f} s  ({', '.join(f'{t:.2f}' for t in ours)})")
    print(f"papermill  median {statistics.median(peer):5.2f} s  ({', '.join(f'{t:.2f}' for t in peer)})")
    print(f"ratio ops run/papermill: {statistics.median(ours) / statistics.median(peer):.2f}; "
          f"ops run adds {added:+.2f} s (goal at most {OVERHEAD_GOAL_S:g} s)")
    if added > OVERHEAD_GOAL_S:
        print(f"GOAL MISSED: ops run adds {added:.2f} s to papermill's run, not at most {OVERHEAD_GOAL_S:g} s",
              file=sys.stderr)
        return 1
    print("ops run goal met")
    return 0


if __name__ == "__main__":
    sys.exit(main())
