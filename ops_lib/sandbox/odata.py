"""The OData subset eAccounting lists accept: ``$filter`` and ``$orderby``.

Clients rely on ``$filter`` above all for incremental sync
(``ChangedUtc gt 2026-05-01T00:00:00Z``) and for look-ups by number
(``CustomerNumber eq '1001'``). The grammar here is what the service is
known to accept: comparisons with ``eq ne gt ge lt le``, joined with
``and`` / ``or``, ``not`` and parentheses; strings in single quotes
(``''`` escapes a quote), GUIDs, dates, date-times, numbers, ``true``,
``false`` and ``null`` unquoted. Fields are compared by their model type,
so date-times compare as instants, not as text.

A malformed expression is error 6000, a malformed date 6001.
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Callable

from ops_lib.sandbox.clock import parse_datetime
from ops_lib.sandbox.errors import ServiceError
from ops_lib.sandbox.tables import Model

Predicate = Callable[[dict[str, Any]], bool]

_TOKEN = re.compile(
    r"""\s*(?:
    (?P<paren>[()])
  | (?P<string>'(?:[^']|'')*')
  | (?P<guid>[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12})
  | (?P<date>\d{4}-\d{2}-\d{2}(?:T[0-9:.]+(?:Z|[+-]\d{2}:\d{2})?)?)
  | (?P<number>-?\d+(?:\.\d+)?)
  | (?P<word>[A-Za-z_][A-Za-z0-9_]*)
  )""",
    re.VERBOSE,
)
_OPERATORS = {"eq", "ne", "gt", "ge", "lt", "le"}


def query_error(message: str) -> ServiceError:
    return ServiceError(6000, f"Invalid query parameter: {message}", 400)


@dataclass(frozen=True)
class _Token:
    kind: str
    text: str


def _tokenize(text: str) -> list[_Token]:
    tokens: list[_Token] = []
    pos = 0
    text = text.rstrip()
    while pos < len(text):
        match = _TOKEN.match(text, pos)
        if not match or match.end() == pos:
            raise query_error(f"$filter cannot be parsed near {text[pos:pos + 20]!r}")
        kind = match.lastgroup or ""
        tokens.append(_Token(kind, match.group(kind)))
        pos = match.end()
    return tokens


class _Parser:
    def __init__(self, model: Model, tokens: list[_Token]) -> None:
        self.model = model
        self.tokens = tokens
        self.pos = 0

    def peek(self) -> _Token | None:
        return self.tokens[self.pos] if self.pos < len(self.tokens) else None

    def take(self) -> _Token:
        token = self.peek()
        if token is None:
            raise query_error("$filter ends too early")
        self.pos += 1
        return token

    def keyword(self, word: str) -> bool:
        token = self.peek()
        if token and token.kind == "word" and token.text.lower() == word:
            self.pos += 1
            return True
        return False

    def parse(self) -> Predicate:
        predicate = self.or_expr()
        if self.peek() is not None:
            raise query_error(f"unexpected {self.peek().text!r} in $filter")  # type: ignore[union-attr]
        return predicate

    def or_expr(self) -> Predicate:
        parts = [self.and_expr()]
        while self.keyword("or"):
            parts.append(self.and_expr())
        return parts[0] if len(parts) == 1 else (lambda r: any(p(r) for p in parts))

    def and_expr(self) -> Predicate:
        parts = [self.unary()]
        while self.keyword("and"):
            parts.append(self.unary())
        return parts[0] if len(parts) == 1 else (lambda r: all(p(r) for p in parts))

    def unary(self) -> Predicate:
        if self.keyword("not"):
            inner = self.unary()
            return lambda r: not inner(r)
        token = self.peek()
        if token and token.kind == "paren" and token.text == "(":
            self.take()
            inner = self.or_expr()
            closing = self.take()
            if closing.text != ")":
                raise query_error("missing ')' in $filter")
            return inner
        return self.comparison()

    def comparison(self) -> Predicate:
        name_token = self.take()
        if name_token.kind != "word":
            raise query_error(f"expected a field name, found {name_token.text!r}")
        field = self.model.field(name_token.text) or next(
            (f for f in self.model.fields if f.name.lower() == name_token.text.lower()), None
        )
        if field is None:
            raise query_error(f"unknown field {name_token.text!r} for {self.model.name}")
        op_token = self.take()
        op = op_token.text.lower()
        if op not in _OPERATORS:
            raise query_error(f"unknown operator {op_token.text!r}")
        literal = self.literal(field.type)
        name = field.name
        ftype = field.type

        def compare(record: dict[str, Any]) -> bool:
            return _compare(_typed(record.get(name), ftype), op, literal)

        return compare

    def literal(self, ftype: str) -> Any:
        token = self.take()
        if token.kind == "word" and token.text.lower() == "datetime" and self.peek() and self.peek().kind == "string":  # type: ignore[union-attr]
            token = _Token("date", self.take().text[1:-1])
        if token.kind == "word":
            word = token.text.lower()
            if word in ("true", "false"):
                return word == "true"
            if word == "null":
                return None
            raise query_error(f"unexpected word {token.text!r} where a value belongs")
        if token.kind == "paren":
            raise query_error("a value was expected")
        raw = token.text[1:-1].replace("''", "'") if token.kind == "string" else token.text
        if ftype in ("datetime", "date"):
            try:
                return parse_datetime(raw)
            except ValueError as exc:
                raise ServiceError(6001, f"Invalid date format in $filter: {raw!r}", 400) from exc
        if token.kind == "number" or ftype in ("int", "number"):
            try:
                return float(raw)
            except ValueError as exc:
                raise query_error(f"{raw!r} is not a number") from exc
        if ftype == "uuid":
            try:
                return str(uuid.UUID(raw))
            except ValueError as exc:
                raise query_error(f"{raw!r} is not a GUID") from exc
        return raw


def _typed(value: Any, ftype: str) -> Any:
    if value is None:
        return None
    if ftype in ("datetime", "date") and isinstance(value, str):
        return parse_datetime(value)
    if ftype in ("int", "number") and not isinstance(value, bool):
        return float(value)
    if ftype == "uuid":
        return str(value).lower()
    return value


def _compare(left: Any, op: str, right: Any) -> bool:
    if op == "eq":
        return left == right
    if op == "ne":
        return left != right
    if left is None or right is None:
        return False
    try:
        if op == "gt":
            return left > right
        if op == "ge":
            return left >= right
        if op == "lt":
            return left < right
        return left <= right
    except TypeError as exc:
        raise query_error(f"cannot compare {left!r} with {right!r}") from exc


def compile_filter(model: Model, expression: str | None) -> Predicate:
    """Return a predicate for ``$filter``; an empty filter keeps everything."""
    if expression is None or not expression.strip():
        return lambda record: True
    return _Parser(model, _tokenize(expression)).parse()


def sort_records(model: Model, records: list[dict[str, Any]], orderby: str | None) -> list[dict[str, Any]]:
    """Sort by ``$orderby`` (``Field [asc|desc], ...``); nulls sort first."""
    if orderby is None or not orderby.strip():
        return records
    keys: list[tuple[str, str, bool]] = []
    for part in orderby.split(","):
        words = part.split()
        if not words or len(words) > 2:
            raise query_error(f"$orderby cannot be parsed: {orderby!r}")
        field = model.field(words[0]) or next(
            (f for f in model.fields if f.name.lower() == words[0].lower()), None
        )
        if field is None:
            raise query_error(f"unknown field {words[0]!r} in $orderby")
        direction = words[1].lower() if len(words) == 2 else "asc"
        if direction not in ("asc", "desc"):
            raise query_error(f"unknown sort direction {words[1]!r}")
        keys.append((field.name, field.type, direction == "desc"))
    ordered = list(records)
    for name, ftype, descending in reversed(keys):
        ordered.sort(key=lambda r: _sort_key(r.get(name), ftype), reverse=descending)
    return ordered


def _sort_key(value: Any, ftype: str) -> tuple[int, Any]:
    if value is None:
        return (0, 0)
    typed = _typed(value, ftype)
    if isinstance(typed, datetime):
        return (1, typed.timestamp())
    return (1, typed)
