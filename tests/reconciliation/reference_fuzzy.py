"""FROZEN REFERENCE: ``ops_lib/reconciliation/fuzzy.py`` as it was before issue 22 (suggestions only).

The oracle for the rewritten fuzzy suggestions; do not edit. The original docstring follows.

Fuzzy name matching with rapidfuzz: suggestions for unpaired records and near-duplicates.

Names are compared after :func:`~ops_lib.model.registers.fold_name` (case,
spacing and Unicode form removed), so names that differ only in those
score 100. Scores are rapidfuzz's ``fuzz.ratio`` (0-100) on folded names.
Suggestions compare every unpaired name with every other, in row chunks so
memory stays bounded; near-duplicates within one register are blocked on
the rarer words of each name, so 50,000 records need not be compared
50,000 times each.
"""

from __future__ import annotations

from collections import defaultdict
from itertools import combinations
from typing import Sequence

import numpy as np
import pandas as pd
from rapidfuzz import fuzz, process

from ops_lib.model.registers import fold_name

CHUNK_ROWS = 2000


# Above this many query x choice comparisons, candidates are blocked on rare words.
FULL_COMPARISON_LIMIT = 100_000_000


def best_matches(queries: Sequence[str], choices: Sequence[str], threshold: int,
                 max_block: int = 100) -> tuple[np.ndarray, np.ndarray]:
    """For each query, the index of its best choice and the score; -1 and 0 below ``threshold``.

    Up to :data:`FULL_COMPARISON_LIMIT` comparisons every query meets every
    choice. Beyond it, a query meets only the choices sharing a word that
    occurs in at most ``max_block`` choices (and, when it has no such word,
    the choices made only of common words), so two registers of a million
    records still get suggestions in seconds.
    """
    best = np.full(len(queries), -1, dtype=np.int64)
    scores = np.zeros(len(queries), dtype=np.int64)
    if not len(queries) or not len(choices):
        return best, scores
    folded_q = [fold_name(q) for q in queries]
    folded_c = [fold_name(c) for c in choices]
    exact: dict[str, int] = {}
    for i, name in enumerate(folded_c):
        exact.setdefault(name, i)
    rest = []
    for i, name in enumerate(folded_q):
        if name and name in exact:
            best[i], scores[i] = exact[name], 100
        elif name:
            rest.append(i)
    if len(rest) * len(folded_c) <= FULL_COMPARISON_LIMIT:
        _compare_all(rest, folded_q, folded_c, threshold, best, scores)
    else:
        _compare_blocked(rest, folded_q, folded_c, threshold, max_block, best, scores)
    return best, scores


def _compare_all(rest: list[int], folded_q: list[str], folded_c: list[str], threshold: int,
                 best: np.ndarray, scores: np.ndarray) -> None:
    for start in range(0, len(rest), CHUNK_ROWS):
        rows = rest[start:start + CHUNK_ROWS]
        matrix = process.cdist([folded_q[i] for i in rows], folded_c, scorer=fuzz.ratio, score_cutoff=threshold,
                               workers=-1, dtype=np.uint8)
        top = matrix.argmax(axis=1)
        top_score = matrix[np.arange(len(rows)), top]
        hit = top_score >= threshold
        best[np.array(rows)[hit]] = top[hit]
        scores[np.array(rows)[hit]] = top_score[hit]


def _word_index(folded: list[str]) -> dict[str, list[int]]:
    """Each word of the folded names -> the positions of the names holding it (the blocking key)."""
    words: dict[str, list[int]] = defaultdict(list)
    for i, name in enumerate(folded):
        for word in set(name.split()):
            words[word].append(i)
    return words


def _compare_blocked(rest: list[int], folded_q: list[str], folded_c: list[str], threshold: int,
                     max_block: int, best: np.ndarray, scores: np.ndarray) -> None:
    words = _word_index(folded_c)
    common_only = [i for i, name in enumerate(folded_c)
                   if not any(len(words[w]) <= max_block for w in name.split())]
    for i in rest:
        candidates: set[int] = set()
        for word in set(folded_q[i].split()):
            hits = words.get(word)
            if hits is not None and len(hits) <= max_block:
                candidates.update(hits)
        pool = sorted(candidates) if candidates else common_only[: max_block * 10]
        if not pool:
            continue
        found = process.extractOne(folded_q[i], [folded_c[j] for j in pool], scorer=fuzz.ratio,
                                   score_cutoff=threshold)
        if found is not None:
            best[i], scores[i] = pool[found[2]], int(round(found[1]))


def similarity(a: str, b: str) -> int:
    """How alike two names are as written (0-100)."""
    return int(round(fuzz.ratio(a.strip(), b.strip())))


def near_duplicates(frame: pd.DataFrame, threshold: int = 85, max_block: int = 50) -> pd.DataFrame:
    """Pairs of records in one register that look like the same party.

    Two records are near-duplicates when they share an organisation number
    (customers), or when their folded names score at least ``threshold``.
    Name candidates share at least one word that occurs in at most
    ``max_block`` names (common words such as "AB" or "Konsult" do not
    make candidates); names made only of common words are compared with
    names of the same folded form.
    """
    numbers = frame["number"].astype(str).str.strip().tolist()
    names = frame["name"].astype(str).tolist()
    folded = [fold_name(n) for n in names]
    found: dict[tuple[int, int], tuple[str, int]] = {}
    if "org_number" in frame:
        orgs = frame["org_number"].astype(str).str.replace(r"[\s-]", "", regex=True)
        for _, group in frame.groupby(orgs[orgs != ""], sort=False).groups.items():
            for a, b in combinations(sorted(frame.index.get_indexer(group)), 2):
                found[(a, b)] = ("same_org_number", 100)
    words = _word_index(folded)
    candidates: set[tuple[int, int]] = set()
    rare_words = {w for w, rows in words.items() if len(rows) <= max_block}
    same_form: dict[str, list[int]] = defaultdict(list)
    for i, name in enumerate(folded):
        if not any(w in rare_words for w in name.split()):
            same_form[name].append(i)
    for w in rare_words:
        candidates.update(combinations(words[w], 2))
    for rows in same_form.values():
        candidates.update(combinations(rows, 2))
    for a, b in candidates:
        key = (min(a, b), max(a, b))
        if key in found or not folded[a] or not folded[b]:
            continue
        score = int(fuzz.ratio(folded[a], folded[b], score_cutoff=threshold))
        if score >= threshold:
            found[key] = ("similar_name", score)
    rows = [{"number_a": numbers[a], "name_a": names[a], "number_b": numbers[b], "name_b": names[b],
             "reason": reason, "score": score} for (a, b), (reason, score) in sorted(found.items())]
    return pd.DataFrame(rows, columns=["number_a", "name_a", "number_b", "name_b", "reason", "score"])
