"""The edges of the engine: register frames in as Arrow text, result columns out as pandas.

The engine's rules run on pyarrow compute and numpy (trims, hashes,
equality, gathers) because a million records per side spend their time
there; the notebooks, the Excel writers and
:class:`~ops_lib.reconciliation.result.Reconciliation` keep pandas.
Crossing the edge is where time and memory go, so it happens once per
column, only for the columns a rule reads, and without Python objects:
Arrow-backed pandas text (pandas' default string storage) is read as it
is, and the result's text is gathered from the input's own storage.

Equality of numbers and names is decided on integer codes
(:func:`key_codes`): a number written as plain digits is its own code,
anything else is hashed once, so joining and finding duplicates are
integer operations.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

NUMBER, NAME = "number", "name"
# pandas' default text dtype: Arrow-backed ``str`` from pandas 3 (object before, where text stays Python strings).
TEXT_DTYPE = pd.Series([""], dtype="str").dtype
ArrowText = pa.Array | pa.ChunkedArray


def _arrow_text(column: pd.Series) -> ArrowText | None:
    """The column's own Arrow text storage (pandas' Arrow-backed string dtype), or None when it has none.

    Other dtypes (object, numbers, ``ArrowDtype``) are read as Python
    strings, as the rules always read them (see :meth:`Side.raw`).
    """
    if isinstance(column.dtype, pd.StringDtype) and hasattr(column.array, "__arrow_array__"):
        arrow = pa.array(column.array)
        if pa.types.is_large_string(arrow.type) or pa.types.is_string(arrow.type):
            return arrow.cast(pa.large_string()) if pa.types.is_string(arrow.type) else arrow
    return None


def to_pandas_text(values: ArrowText) -> Any:
    """Arrow text as a column of pandas' default text dtype, without per-value Python objects where it can."""
    if isinstance(TEXT_DTYPE, pd.StringDtype):
        return pd.array(values, dtype=TEXT_DTYPE)
    return np.asarray(values.to_pylist(), dtype=object)


def text_from_codes(codes: np.ndarray, labels: list[str] | np.ndarray) -> Any:
    """A text column from per-row codes into a few labels (statuses, actions, differences)."""
    table = pa.array(list(labels), type=pa.large_string())
    return to_pandas_text(pc.take(table, pa.array(np.asarray(codes, dtype=np.int64))))


def text_scattered(n: int, rows: np.ndarray, values: ArrowText | list[str]) -> Any:
    """A text column of ``n`` rows, '' except ``values`` at ``rows`` (suggestions, issues: few rows carry one)."""
    codes = np.zeros(n, dtype=np.int64)
    codes[rows] = np.arange(1, len(rows) + 1)
    values = values if isinstance(values, (pa.Array, pa.ChunkedArray)) else pa.array(values, type=pa.large_string())
    table = pa.concat_arrays([pa.array([""], type=pa.large_string()),
                              values.combine_chunks() if isinstance(values, pa.ChunkedArray) else values])
    return to_pandas_text(pc.take(table, pa.array(codes)))


def key_codes(*keys: ArrowText) -> list[np.ndarray]:
    """Per key array, int64 codes that are equal exactly when the keys are equal (across all the arrays).

    A key of plain ASCII digits without a leading zero (at most 18 of them)
    is its own code, as a number: registers number their records so, and
    integers need no hashing. Every other key (``R1001``, ``01050``, '')
    gets a negative code from one dictionary shared by all the arrays.
    """
    plain = [_plain_digits(k) for k in keys]
    codes = [np.array(pc.cast(pc.if_else(p, k, "0"), pa.int64())) for k, p in zip(keys, plain)]
    others = [_array(pc.filter(k, pc.invert(p))) for k, p in zip(keys, plain)]
    if sum(len(o) for o in others):
        encoded = pc.dictionary_encode(pa.concat_arrays(others))
        indices = -1 - encoded.indices.to_numpy().astype(np.int64)
        start = 0
        for code, p, o in zip(codes, plain, others):
            code[~p.to_numpy(zero_copy_only=False)] = indices[start:start + len(o)]
            start += len(o)
    return codes


def _array(values: ArrowText) -> pa.Array:
    return values.combine_chunks() if isinstance(values, pa.ChunkedArray) else values


def _plain_digits(keys: ArrowText) -> ArrowText:
    length = pc.binary_length(keys)
    leading_zero = pc.and_(pc.starts_with(keys, "0"), pc.greater(length, 1))
    return pc.and_(pc.and_(pc.ascii_is_decimal(keys), pc.less_equal(length, 18)), pc.invert(leading_zero))


def duplicated(codes: np.ndarray) -> np.ndarray:
    """Which codes occur more than once."""
    return pd.Series(codes, copy=False).duplicated(keep=False).to_numpy()


def join_unique(codes_a: np.ndarray, ids_a: np.ndarray, codes_b: np.ndarray, ids_b: np.ndarray
                ) -> tuple[np.ndarray, np.ndarray]:
    """Pairs of ids whose codes are equal, in the order of ``ids_a``; the codes are unique on each side."""
    where = pd.Index(codes_b).get_indexer(codes_a)
    found = where >= 0
    return ids_a[found], ids_b[where[found]]


class Side:
    """One register for the engine: its text columns on demand, number codes, trimmed names, duplicate flags.

    Positions (row ids) into these columns are what the rules pass around.
    Trimming follows the storage, as the rules always have: Arrow's
    whitespace for Arrow text, Python's for text held as Python strings.
    """

    def __init__(self, frame: pd.DataFrame, side: str, fields: list[str]) -> None:
        missing = [c for c in (NUMBER, NAME) if c not in frame.columns]
        if missing:
            raise ValueError(f"the {side} frame lacks the column(s) {', '.join(missing)}")
        self.frame = frame
        self.fields = [f for f in dict.fromkeys([NUMBER, NAME, *fields]) if f in frame.columns]
        self.n = len(frame)
        self._raw: dict[str, ArrowText] = {}
        self._native: set[str] = set()  # fields held as Arrow text by the frame itself
        self.key = self.trimmed(NUMBER)
        self.name = self.trimmed(NAME)
        self.has_key = pc.not_equal(self.key, "").to_numpy(zero_copy_only=False) if self.n else np.zeros(0, bool)
        # Set by the engine from both sides' numbers at once (see key_codes): equal codes, equal numbers.
        self.codes = np.zeros(self.n, dtype=np.int64)
        self.dup = np.zeros(self.n, dtype=bool)

    def has(self, field: str) -> bool:
        return field in self.fields

    def raw(self, field: str) -> ArrowText:
        """The text of ``field`` as written, '' for a missing cell, as Arrow text (converted once)."""
        if field not in self._raw:
            column = self.frame[field]
            arrow = _arrow_text(column)
            if arrow is not None:
                self._native.add(field)
            else:
                values = column.to_numpy(dtype=object)
                if pd.api.types.infer_dtype(values, skipna=True) not in ("string", "empty"):
                    values = column.fillna("").astype(str).to_numpy(dtype=object)  # numbers and the like, as str()
                arrow = pa.array(values, type=pa.large_string(), from_pandas=True)
            self._raw[field] = pc.fill_null(arrow, "") if arrow.null_count else arrow
        return self._raw[field]

    def trimmed(self, field: str) -> ArrowText:
        if field in self._native or _arrow_text(self.frame[field]) is not None:
            return pc.utf8_trim_whitespace(self.raw(field))
        values = pd.Series(self.raw(field).to_pylist(), dtype=object).str.strip()
        return pa.array(values.to_numpy(dtype=object), type=pa.large_string())

    def gather(self, field: str, ids: np.ndarray) -> ArrowText:
        """The raw text of ``field`` at ``ids``; '' where an id is -1 (no record)."""
        ids = np.asarray(ids, dtype=np.int64)
        if not self.n:
            return pa.array([""] * len(ids), type=pa.large_string())
        missing = ids < 0
        if not missing.any():
            return pc.take(self.raw(field), pa.array(ids))
        return pc.fill_null(pc.take(self.raw(field), pa.array(ids, mask=missing)), "")

    def column(self, field: str, ids: np.ndarray) -> Any:
        """:meth:`gather` as a pandas column: the input's own text dtype when it has one."""
        taken = self.gather(field, ids)
        self.raw(field)
        dtype = self.frame[field].dtype
        if isinstance(dtype, pd.StringDtype) and field in self._native:
            return pd.array(taken, dtype=dtype)
        return to_pandas_text(taken)


def differing(a: Side, ia: np.ndarray, b: Side, ib: np.ndarray, field: str) -> np.ndarray:
    """Per aligned pair, whether the values of ``field`` differ once trimmed (by Python's ``str.strip``).

    Values equal as written are equal; only the unequal ones are trimmed,
    which on registers that mostly agree is a small share.
    """
    differ = pc.not_equal(pc.take(a.raw(field), pa.array(ia)), pc.take(b.raw(field), pa.array(ib)))
    differ = differ.to_numpy(zero_copy_only=False).copy()
    where = np.flatnonzero(differ)
    if len(where):
        xs, ys = a.gather(field, ia[where]).to_pylist(), b.gather(field, ib[where]).to_pylist()
        differ[where] = [p.strip() != q.strip() for p, q in zip(xs, ys)]
    return differ
