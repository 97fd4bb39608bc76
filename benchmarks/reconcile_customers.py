"""Benchmark: reconcile 1,000,000 x 1,000,000 customers beside datacompy, and fuzzy suggestions beside extractOne.

Usage: ``make bench`` or ``python benchmarks/reconcile_customers.py [--rows N] [--names N] [--rounds N]``.

Two customer registers share most records; about 2 % differ in each way
the engine classifies (field mismatch, rename, renumbering, duplicate
number, only left, only right). ``ops_lib.reconcile`` produces the full
classification with actions and fuzzy suggestions; the peer,
``datacompy.PandasCompare``, joins the same frames on ``number`` and
compares the same columns. They run alternately in one process, each
``--rounds`` times, and the best of each counts. Goals: at least three
times datacompy's speed, and a peak RSS under 1.5 GB (taken before
datacompy first runs).

Then fuzzy suggestions for 10,000 x 10,000 unpaired names (a third of
them variants of a name on the other side): ours against a per-query
``rapidfuzz.process.extractOne`` loop on the same names. Goal: ours under
one second; the ratio is printed.

Every time, its peer's time and their ratio come from the same run. The
exit code is 1, naming the goal, when a goal is missed.

:func:`build_varied` makes the 50,000-record pair with every kind of
difference that ``tests/reconciliation/test_engine_agreement.py`` runs.
"""

from __future__ import annotations

import argparse
import gc
import resource
import sys
import time
import unicodedata
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from rapidfuzz import fuzz, process

from ops_lib.reconciliation.engine import reconcile
from ops_lib.reconciliation.fuzzy import best_matches, fold_names

SPEEDUP_GOAL = 3.0  # times datacompy's speed, measured in the same run
PEAK_GOAL_MB = 1500
FUZZY_GOAL_S = 1.0
THRESHOLD = 85
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


def build(n: int, seed: int = 7, step: int = 50) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Two customer registers of ``n`` records with 1/``step`` (2 %) of each kind of difference (0: none)."""
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
    if not step:
        return left, right
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


def _set(frame: pd.DataFrame, rows: np.ndarray, column: str, values: object) -> None:
    frame.loc[rows, column] = values


def build_varied(n: int = 50_000, seed: int = 11) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Two customer registers with every kind of difference the rules know, for checking engines agree.

    Beside :func:`build`'s kinds: cosmetic renames (case, inner and outer
    spacing, Unicode NFD against NFC), trimmed-equal fields and numbers,
    renumbering with and without a rename (fuzzy suggestions, exact and
    near), leading zeros, duplicate numbers on both sides (and on each
    side alone, so a create would clash), the same name twice among the
    unpaired, inactive records on one side and inactive on one side only,
    empty numbers and names, missing cells, and records eAccounting would
    refuse (a name too long, no address).
    """
    left, right = build(n, seed=seed, step=0)  # no planted differences yet
    rng = np.random.default_rng(seed)
    kind = rng.integers(0, 40, n)
    at = {k: np.flatnonzero(kind == k) for k in range(40)}
    nfd = np.vectorize(lambda s: unicodedata.normalize("NFD", s), otypes=[object])
    _set(right, at[0], "city", "Kiruna")                                     # field mismatch
    _set(right, at[1], "city", " " + right.loc[at[1], "city"] + " ")          # equal once trimmed
    _set(right, at[2], "name", right.loc[at[2], "name"] + " Holding")        # rename
    _set(right, at[3], "name", right.loc[at[3], "name"].str.upper())         # case only
    _set(right, at[4], "name", right.loc[at[4], "name"].str.replace(" ", "  ", n=1))  # inner spacing
    _set(right, at[5], "name", "  " + right.loc[at[5], "name"] + " ")        # outer spacing: trimmed equal
    _set(right, at[6], "name", nfd(right.loc[at[6], "name"].to_numpy(dtype=object)))  # Unicode form
    _set(right, at[7], "number", "R" + right.loc[at[7], "number"])           # renumbered
    _set(right, at[8], "number", "0" + right.loc[at[8], "number"])           # leading zero
    _set(right, at[9], "number", "N" + right.loc[at[9], "number"])           # renumbered and renamed
    _set(right, at[9], "name", right.loc[at[9], "name"].str.replace("AB", "Aktiebolag"))
    _set(right, at[28], "number", "M" + right.loc[at[28], "number"])         # renumbered, NFD: suggestion 100
    _set(right, at[28], "name", nfd(right.loc[at[28], "name"].str.lower().to_numpy(dtype=object)))
    pairs = min(len(at[10]), len(at[11]))
    _set(left, at[10][:pairs], "number", left.loc[at[11][:pairs], "number"].to_numpy())  # duplicates left
    pairs = min(len(at[12]), len(at[13]))
    _set(right, at[12][:pairs], "number", right.loc[at[13][:pairs], "number"].to_numpy())  # duplicates right
    pairs = min(len(at[29]), len(at[30]))
    for side in (left, right):                                               # duplicates on both sides
        _set(side, at[29][:pairs], "number", side.loc[at[30][:pairs], "number"].to_numpy())
    _set(left, at[16], "is_active", "false")                                 # inactive, only left
    _set(right, at[17], "is_active", "false")                                # inactive, only right
    _set(right, at[18], "is_active", "false")                                # inactive on one side
    _set(left, at[19], "number", "")                                         # no number: paired by name
    _set(right, at[19], "number", "E" + right.loc[at[19], "number"])
    pairs = min(len(at[20]), len(at[21]))                                    # one name twice among the unpaired
    _set(left, at[21][:pairs], "name", left.loc[at[20][:pairs], "name"].to_numpy())
    _set(right, np.concatenate([at[20], at[21]]), "number", "T" + right.loc[np.concatenate([at[20], at[21]]), "number"])
    _set(left, at[22], "name", left.loc[at[22], "name"] + " med ett mycket långt namn som inte ryms")  # too long
    _set(left, at[23], "address1", "")                                       # no address
    _set(left, at[24], "number", " " + left.loc[at[24], "number"] + " ")    # number equal once trimmed
    _set(right, at[25], "city", "Kiruna")                                    # several fields
    _set(right, at[25], "email", "ny@example.se")
    _set(right, at[26], "number", right.loc[at[26], "number"] + " ")
    _set(right, at[26], "name", right.loc[at[26], "name"].str.lower())
    _set(left, at[27], "name", "")                                           # no name on either side
    _set(right, at[27], "name", " ")
    _set(right, at[31], "email", None)                                       # missing against empty
    _set(left, at[31], "email", "")
    gone_right = np.concatenate([at[14], at[16], at[22], at[23], at[32][: len(at[32]) // 2]])
    gone_left = np.concatenate([at[15], at[17], at[32][len(at[32]) // 2:]])
    right = right.drop(index=gone_right).sample(frac=1.0, random_state=seed)  # order differs between sides
    left = left.drop(index=gone_left)
    return left.reset_index(drop=True), right.reset_index(drop=True)


def fuzzy_names(n: int, seed: int = 3) -> tuple[list[str], list[str]]:
    """``n`` unpaired names per side as registers have them: a third of the right ones a variant of a left one."""
    rng = np.random.default_rng(seed)
    queries = names(rng, n).tolist()
    choices = names(rng, n).tolist()
    for i in range(0, n, 3):
        name = queries[rng.integers(0, n)]
        variant = rng.integers(0, 4)
        choices[i] = (name.upper() if variant == 0 else name.replace(" AB", " Aktiebolag") if variant == 1
                      else name[:-1] + "x" if variant == 2 else "  ".join(name.split()))
    return queries, choices


@dataclass
class Measured:
    """One goal's measurement: our times and the peer's, from the same run."""

    goal: str
    ours: list[float] = field(default_factory=list)
    peer: list[float] = field(default_factory=list)

    @property
    def speedup(self) -> float:
        return min(self.peer) / min(self.ours)


def _times(values: list[float]) -> str:
    return f"{min(values):6.2f} s (best of {', '.join(f'{v:.2f}' for v in values)})"


def measure_reconcile(rows: int, rounds: int) -> tuple[Measured, float, dict[str, int]]:
    """ops_lib.reconcile against datacompy.PandasCompare on the same frames, alternating, ``rounds`` times each.

    Our peak RSS is taken after our first run, before datacompy has run:
    it is this fresh process's peak with both frames built and reconciled.
    """
    import datacompy

    left, right = build(rows)
    print(f"{len(left):,} left x {len(right):,} right customers, {len(FIELDS)} fields; "
          f"peak RSS with the frames built {peak_mb():,.0f} MB")
    measured, peak, counts = Measured("reconcile"), 0.0, {}
    for round_ in range(rounds):
        started = time.perf_counter()
        result = reconcile(left, right, "customers", rules_right=None)
        measured.ours.append(time.perf_counter() - started)
        if not round_:
            peak, counts = peak_mb(), result.status_counts()
        del result
        gc.collect()
        started = time.perf_counter()
        compare = datacompy.PandasCompare(left, right, join_columns="number", df1_name="left", df2_name="right")
        compare.matches()
        measured.peer.append(time.perf_counter() - started)
        del compare
        gc.collect()
    return measured, peak, counts


def measure_fuzzy(n: int, rounds: int, peer_queries: int) -> tuple[Measured, int, int]:
    """Our suggestions for ``n`` x ``n`` unpaired names against a per-query ``rapidfuzz.process.extractOne`` loop.

    The peer gets the names already folded, scores with the same scorer
    and cutoff, and (with ``peer_queries`` < ``n``) runs on the first
    queries only, its time scaled up to all ``n``.
    """
    queries, choices = fuzzy_names(n)
    measured = Measured("fuzzy")
    folded_q, folded_c = fold_names(queries), fold_names(choices)
    for _ in range(rounds):
        started = time.perf_counter()
        best, _ = best_matches(queries, choices, THRESHOLD)
        measured.ours.append(time.perf_counter() - started)
        started = time.perf_counter()
        found = [process.extractOne(q, folded_c, scorer=fuzz.ratio, score_cutoff=THRESHOLD)
                 for q in folded_q[:peer_queries]]
        measured.peer.append((time.perf_counter() - started) * n / peer_queries)
    same = sum(int(b) == (f[2] if f else -1) for b, f in zip(best[:peer_queries].tolist(), found))
    return measured, same, len(found)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--names", type=int, default=10_000, help="unpaired names per side for the fuzzy goal")
    parser.add_argument("--rounds", type=int, default=2, help="runs of each, alternating; the best counts")
    parser.add_argument("--peer-queries", type=int, default=0, help="time the extractOne loop on this many (0: all)")
    args = parser.parse_args(argv)
    missed = []

    reconciled, peak, counts = measure_reconcile(args.rows, args.rounds)
    print(f"ops_lib.reconcile        {_times(reconciled.ours)}  peak RSS {peak:,.0f} MB  "
          + ", ".join(f"{k} {v:,}" for k, v in counts.items()))
    print(f"datacompy.PandasCompare  {_times(reconciled.peer)}  (join on number, same columns; "
          f"process peak RSS now {peak_mb():,.0f} MB)")
    print(f"ratio datacompy/ops_lib: {reconciled.speedup:.2f}x faster (goal >= {SPEEDUP_GOAL:g}x); "
          f"peak RSS {peak:,.0f} MB (goal < {PEAK_GOAL_MB:,} MB)")
    if reconciled.speedup < SPEEDUP_GOAL:
        missed.append(f"reconcile is {reconciled.speedup:.2f}x datacompy's speed, not {SPEEDUP_GOAL:g}x")
    if peak >= PEAK_GOAL_MB:
        missed.append(f"reconcile peaks at {peak:,.0f} MB, not under {PEAK_GOAL_MB:,} MB")

    fuzzy_run, same, compared = measure_fuzzy(args.names, args.rounds, args.peer_queries or args.names)
    print(f"\nfuzzy suggestions {args.names:,} x {args.names:,} unpaired names:")
    print(f"ops_lib best_matches       {_times(fuzzy_run.ours)}")
    print(f"extractOne per query loop  {_times(fuzzy_run.peer)}  (rapidfuzz.process.extractOne, fuzz.ratio, "
          f"cutoff {THRESHOLD}{'' if compared == args.names else f'; {compared:,} queries timed, scaled'})")
    print(f"ratio extractOne/ops_lib: {fuzzy_run.speedup:.2f}x faster; ours {min(fuzzy_run.ours):.2f} s "
          f"(goal < {FUZZY_GOAL_S:g} s); same suggestion as the loop for {same:,} of {compared:,}")
    if min(fuzzy_run.ours) >= FUZZY_GOAL_S:
        missed.append(f"fuzzy suggestions take {min(fuzzy_run.ours):.2f} s, not under {FUZZY_GOAL_S:g} s")

    for line in missed:
        print(f"GOAL MISSED: {line}", file=sys.stderr)
    print("\nreconcile and fuzzy goals met" if not missed else "")
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
