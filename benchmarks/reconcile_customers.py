"""Benchmark: reconcile 1,000,000 x 1,000,000 customers beside datacompy, in one process.

Usage: ``make bench`` or ``python benchmarks/reconcile_customers.py [--rows N]``.

Two customer registers share most records; about 2 % differ in each way
the engine classifies (field mismatch, rename, renumbering, duplicate
number, only left, only right). ``ops_lib.reconcile`` produces the full
classification with actions and fuzzy suggestions; the peer,
``datacompy.PandasCompare``, joins the same frames on ``number`` and compares
the same columns. Printed: both times, the ratio, and peak memory (max
RSS) after each. A second measurement times fuzzy suggestions for
10,000 x 10,000 unpaired names.
"""

from __future__ import annotations

import argparse
import random
import resource
import string
import sys
import time

import numpy as np
import pandas as pd

from ops_lib.reconciliation.engine import reconcile
from ops_lib.reconciliation.fuzzy import best_matches

FIELDS = ["number", "name", "org_number", "address1", "postal_code", "city", "country_code", "email",
          "payment_terms_days", "currency", "is_active"]


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def names(rng: np.random.Generator, n: int) -> np.ndarray:
    syllables = np.array(["berg", "holm", "vik", "strand", "dal", "by", "sund", "ås", "lund", "torp", "näs", "fors"])
    first = syllables[rng.integers(0, len(syllables), n)]
    second = syllables[rng.integers(0, len(syllables), n)]
    kinds = np.array(["Konsult", "Bygg", "Teknik", "Design", "Data", "Handel", "Transport", "Fastigheter"])
    kind = kinds[rng.integers(0, len(kinds), n)]
    serial = np.char.mod("%07d", np.arange(n))
    return np.char.add(np.char.add(np.char.add(np.char.capitalize(first), second), " "),
                       np.char.add(np.char.add(kind, " AB "), serial)).astype(object)


def build(n: int, seed: int = 7) -> tuple[pd.DataFrame, pd.DataFrame]:
    rng = np.random.default_rng(seed)
    numbers = np.char.mod("%d", np.arange(100_000, 100_000 + n)).astype(object)
    base = pd.DataFrame({
        "number": numbers, "name": names(rng, n),
        "org_number": np.char.mod("55%08d", rng.integers(0, 10**8, n)).astype(object),
        "address1": np.char.mod("Storgatan %d", rng.integers(1, 200, n)).astype(object),
        "postal_code": np.char.mod("%05d", rng.integers(10000, 99999, n)).astype(object),
        "city": np.array(["Umeå", "Luleå", "Malmö", "Göteborg", "Stockholm"], dtype=object)[rng.integers(0, 5, n)],
        "country_code": "SE", "email": np.char.mod("faktura%d@example.se", np.arange(n)).astype(object),
        "payment_terms_days": np.array(["10", "20", "30"], dtype=object)[rng.integers(0, 3, n)],
        "currency": "SEK", "is_active": "true",
    })
    left, right = base.copy(), base.copy()
    step = 50  # 2 % each way
    idx = np.arange(n)
    right.loc[idx % step == 1, "city"] = "Kiruna"                                      # field mismatch
    right.loc[idx % step == 2, "name"] = right.loc[idx % step == 2, "name"] + " i Sverige"  # rename
    right.loc[idx % step == 3, "number"] = "R" + right.loc[idx % step == 3, "number"]  # renumbered
    left.loc[idx % step == 4, "number"] = left.loc[idx % step == 5, "number"].to_numpy()  # duplicate numbers
    gone_right = idx % step == 6
    gone_left = idx % step == 7
    right = right[~gone_right]
    left = left[~gone_left]
    return left.reset_index(drop=True), right.reset_index(drop=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    args = parser.parse_args(argv)
    import datacompy

    left, right = build(args.rows)
    print(f"{len(left):,} left x {len(right):,} right customers, {len(FIELDS)} fields; peak so far {peak_mb():,.0f} MB")

    started = time.perf_counter()
    result = reconcile(left, right, "customers", rules_right=None)
    ours = time.perf_counter() - started
    ours_peak = peak_mb()
    counts = result.status_counts()

    started = time.perf_counter()
    compare = datacompy.PandasCompare(left, right, join_columns="number", df1_name="left", df2_name="right")
    compare.matches()
    peer = time.perf_counter() - started
    peer_peak = peak_mb()

    rng = random.Random(3)
    queries = ["".join(rng.choice(string.ascii_lowercase + " ") for _ in range(24)) for _ in range(10_000)]
    choices = ["".join(rng.choice(string.ascii_lowercase + " ") for _ in range(24)) for _ in range(10_000)]
    started = time.perf_counter()
    best_matches(queries, choices, 85)
    fuzzy = time.perf_counter() - started

    print(f"ops_lib.reconcile  {ours:7.2f} s  peak RSS {ours_peak:,.0f} MB  " +
          ", ".join(f"{k} {v:,}" for k, v in counts.items()))
    print(f"datacompy.PandasCompare {peer:7.2f} s  peak RSS {peer_peak:,.0f} MB (join on number, same columns)")
    print(f"ratio ops_lib/datacompy: time {ours / peer:.2f}")
    print(f"fuzzy suggestions 10,000 x 10,000 names: {fuzzy:.2f} s (target under 2 s)")
    ok = ours < peer and ours_peak < 3072 and fuzzy < 2
    print("targets met" if ok else "TARGETS NOT MET: faster than datacompy, under 3 GB, fuzzy under 2 s")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
