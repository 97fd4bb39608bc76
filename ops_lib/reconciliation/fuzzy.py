"""Fuzzy name matching with rapidfuzz: suggestions for unpaired records and near-duplicates.

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
import pyarrow as pa
import pyarrow.compute as pc
from rapidfuzz import fuzz, process

from ops_lib.model.registers import fold_name

CHUNK_ROWS = 2000


# Above this many query x choice comparisons, candidates are blocked on rare words.
FULL_COMPARISON_LIMIT = 100_000_000
# Text whose folded form is its lower case with whitespace runs as one space: ASCII and the Latin-1 letters
# (the Nordic ones among them) have no other Unicode compatibility form or case folding; ß and µ do.
_PLAIN = r"^[\x{00}-\x{7f}\x{c0}-\x{d6}\x{d8}-\x{de}\x{e0}-\x{f6}\x{f8}-\x{ff}]*$"
# What ``str.split()`` splits on within that text.
_SPACES = r"[\t\n\x{0b}\x{0c}\r\x{1c}-\x{1f} ]+"


def fold_names(names: Sequence[str]) -> list[str]:
    """:func:`~ops_lib.model.registers.fold_name` of every name, vectorised where the text allows.

    Names of plain text (:data:`_PLAIN`) are folded by Arrow kernels;
    the rest, one at a time, by ``fold_name`` itself.
    """
    if not len(names):
        return []
    arrow = pa.array(names, type=pa.large_string())
    plain = pc.match_substring_regex(arrow, _PLAIN).to_numpy(zero_copy_only=False)
    folded = pc.utf8_trim(pc.replace_substring_regex(pc.utf8_lower(arrow), _SPACES, " "), " ").to_pylist()
    for i in np.flatnonzero(~plain).tolist():
        folded[i] = fold_name(names[i])
    return folded


def best_matches(queries: Sequence[str], choices: Sequence[str], threshold: int,
                 max_block: int = 100) -> tuple[np.ndarray, np.ndarray]:
    """For each query, the index of its best choice and the score; -1 and 0 below ``threshold``.

    Up to :data:`FULL_COMPARISON_LIMIT` comparisons every query meets every
    choice. Beyond it, a query meets only the choices sharing a word that
    occurs in at most ``max_block`` choices (and, when it has no such word,
    the choices made only of common words), so two registers of a million
    records still get suggestions in seconds. Of equally good choices the
    first is taken.
    """
    return _best(fold_names(queries), fold_names(choices), threshold, max_block)


def suggest(names_a: Sequence[str], names_b: Sequence[str], threshold: int, max_block: int = 100
            ) -> tuple[tuple[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray]]:
    """:func:`best_matches` both ways between two lists of names, each folded once.

    When both ways compare every name with every other, the scores are
    computed once (``fuzz.ratio`` is symmetric): a row's best is the best
    of one way, a column's best the best of the other.
    """
    folded_a, folded_b = fold_names(names_a), fold_names(names_b)
    a_to_b, b_to_a = _exact(folded_a, folded_b), _exact(folded_b, folded_a)
    one_way = len(a_to_b[2]) * len(folded_b), len(b_to_a[2]) * len(folded_a)
    if 0 < min(one_way) and max(one_way) <= FULL_COMPARISON_LIMIT and len(folded_a) * len(folded_b) <= sum(one_way):
        _compare_both(folded_a, folded_b, threshold, a_to_b, b_to_a)
    else:
        for (best, scores, rest), q, c in ((a_to_b, folded_a, folded_b), (b_to_a, folded_b, folded_a)):
            _compare(rest, q, c, threshold, max_block, best, scores)
    return a_to_b[:2], b_to_a[:2]


# Per query: the best choice's position (-1: none), its score, and the queries still to compare.
Found = tuple[np.ndarray, np.ndarray, list[int]]


def _exact(folded_q: list[str], folded_c: list[str]) -> Found:
    """Queries whose folded name some choice has (the first such choice, score 100), and the rest to compare."""
    best = np.full(len(folded_q), -1, dtype=np.int64)
    scores = np.zeros(len(folded_q), dtype=np.int64)
    if not len(folded_c):
        return best, scores, []
    exact: dict[str, int] = {}
    for i, name in enumerate(folded_c):
        exact.setdefault(name, i)
    rest = []
    for i, name in enumerate(folded_q):
        if name and name in exact:
            best[i], scores[i] = exact[name], 100
        elif name:
            rest.append(i)
    return best, scores, rest


def _best(folded_q: list[str], folded_c: list[str], threshold: int, max_block: int) -> tuple[np.ndarray, np.ndarray]:
    best, scores, rest = _exact(folded_q, folded_c)
    _compare(rest, folded_q, folded_c, threshold, max_block, best, scores)
    return best, scores


def _compare(rest: list[int], folded_q: list[str], folded_c: list[str], threshold: int, max_block: int,
             best: np.ndarray, scores: np.ndarray) -> None:
    if not rest:
        return
    if len(rest) * len(folded_c) <= FULL_COMPARISON_LIMIT:
        _compare_all(rest, folded_q, folded_c, threshold, best, scores)
    else:
        _compare_blocked(rest, folded_q, folded_c, threshold, max_block, best, scores)


def _compare_both(folded_a: list[str], folded_b: list[str], threshold: int, a_to_b: Found, b_to_a: Found) -> None:
    """Every name of ``a`` against every name of ``b``, once, for the suggestions both ways.

    Scores are compared as the one-way comparison rounds them (``uint8``),
    and of equal best scores the first choice is taken, both ways.
    """
    wanted_a = np.zeros(len(folded_a), dtype=bool)
    wanted_a[a_to_b[2]] = True
    top_b = np.zeros(len(folded_b), dtype=np.int64)
    arg_b = np.full(len(folded_b), -1, dtype=np.int64)
    for start in range(0, len(folded_a), CHUNK_ROWS):
        matrix = process.cdist(folded_a[start:start + CHUNK_ROWS], folded_b, scorer=fuzz.ratio,
                               score_cutoff=threshold, workers=-1, dtype=np.uint8)
        rows = np.flatnonzero(wanted_a[start:start + CHUNK_ROWS])
        top = matrix[rows].argmax(axis=1)
        top_score = matrix[rows, top]
        hit = top_score >= threshold
        a_to_b[0][start + rows[hit]] = top[hit]
        a_to_b[1][start + rows[hit]] = top_score[hit]
        column_top = matrix.argmax(axis=0)
        column_score = matrix[column_top, np.arange(len(folded_b))].astype(np.int64)
        better = (column_score > top_b) | (arg_b < 0)
        top_b[better], arg_b[better] = column_score[better], start + column_top[better]
    rest_b = np.asarray(b_to_a[2], dtype=np.int64)
    hit = top_b[rest_b] >= threshold
    b_to_a[0][rest_b[hit]] = arg_b[rest_b[hit]]
    b_to_a[1][rest_b[hit]] = top_b[rest_b[hit]]


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


def _words(folded: list[str], dictionary: pa.Array) -> tuple[np.ndarray, np.ndarray]:
    """The distinct (name position, word code) pairs of folded names, words coded by ``dictionary``."""
    lists = pc.split_pattern(pa.array(folded, type=pa.large_string()), " ")
    words, owner = pc.list_flatten(lists), pc.list_parent_indices(lists).to_numpy()
    keep = pc.not_equal(words, "").to_numpy(zero_copy_only=False)
    codes = pc.index_in(words, value_set=dictionary).to_numpy(zero_copy_only=False)
    pairs = pd.unique(owner[keep].astype(np.int64) * len(dictionary) + codes[keep].astype(np.int64))
    return pairs // len(dictionary), pairs % len(dictionary)


def _compare_blocked(rest: list[int], folded_q: list[str], folded_c: list[str], threshold: int,
                     max_block: int, best: np.ndarray, scores: np.ndarray) -> None:
    """Each query against the choices sharing one of its rare words, as whole arrays.

    The same candidates as a query-by-query loop (a word is rare when at
    most ``max_block`` choices hold it; a query without one meets the first
    ``max_block * 10`` choices made only of common words), scored pair by
    pair in C, the first of equally good choices taken.
    """
    queries = [folded_q[i] for i in rest]
    dictionary = pc.unique(pc.list_flatten(pc.split_pattern(pa.array(folded_c + queries, type=pa.large_string()),
                                                            " ")))
    c_owner, c_word = _words(folded_c, dictionary)
    q_owner, q_word = _words(queries, dictionary)
    held = np.bincount(c_word, minlength=len(dictionary))
    rare = (held > 0) & (held <= max_block)
    has_rare = np.zeros(len(folded_c), dtype=bool)
    has_rare[c_owner[rare[c_word]]] = True
    common_only = np.flatnonzero(~has_rare)[: max_block * 10]
    by_word = np.argsort(c_word, kind="stable")
    starts = np.searchsorted(c_word[by_word], np.arange(len(dictionary)))
    q_rare = rare[q_word]
    q_owner, q_word = q_owner[q_rare], q_word[q_rare]
    counts = held[q_word]
    query = np.repeat(q_owner, counts)
    offsets = np.arange(counts.sum()) - np.repeat(np.cumsum(counts) - counts, counts)
    choice = c_owner[by_word[np.repeat(starts[q_word], counts) + offsets]]
    keys = pd.unique(query * len(folded_c) + choice)
    pairs = np.stack([keys // len(folded_c), keys % len(folded_c)], axis=1)
    q_arr, c_arr = np.array(queries, dtype=object), np.array(folded_c, dtype=object)
    found = process.cpdist(q_arr[pairs[:, 0]], c_arr[pairs[:, 1]], scorer=fuzz.ratio, score_cutoff=threshold,
                           dtype=np.float64, workers=-1) if len(pairs) else np.zeros(0)
    hit = found >= threshold
    pairs, found = pairs[hit], found[hit]
    first = np.lexsort((pairs[:, 1], -found, pairs[:, 0]))
    winners = first[np.r_[True, pairs[first[1:], 0] != pairs[first[:-1], 0]]] if len(first) else first
    rest_arr = np.asarray(rest, dtype=np.int64)
    best[rest_arr[pairs[winners, 0]]] = pairs[winners, 1]
    scores[rest_arr[pairs[winners, 0]]] = np.rint(found[winners]).astype(np.int64)
    lonely = np.setdiff1d(np.arange(len(queries)), np.unique(query))
    if len(lonely) and len(common_only):
        _best_of_pool(lonely, queries, common_only, folded_c, threshold, rest_arr, best, scores)


def _best_of_pool(lonely: np.ndarray, queries: list[str], pool: np.ndarray, folded_c: list[str], threshold: int,
                  rest: np.ndarray, best: np.ndarray, scores: np.ndarray) -> None:
    """Queries without a rare word against the one pool of common-word choices."""
    choices = [folded_c[j] for j in pool.tolist()]
    for start in range(0, len(lonely), CHUNK_ROWS):
        rows = lonely[start:start + CHUNK_ROWS]
        matrix = process.cdist([queries[i] for i in rows.tolist()], choices, scorer=fuzz.ratio,
                               score_cutoff=threshold, workers=-1, dtype=np.float64)
        top = matrix.argmax(axis=1)
        top_score = matrix[np.arange(len(rows)), top]
        hit = top_score >= threshold
        best[rest[rows[hit]]] = pool[top[hit]]
        scores[rest[rows[hit]]] = np.rint(top_score[hit]).astype(np.int64)


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
