"""How a service splits a long list into pages: the three envelopes the systems use.

:class:`MetaDataPager`
    ``{"Meta": {...}, "Data": [...]}``, pages numbered from 1 in ``$page``
    with ``$pagesize`` (eAccounting). The first page says how many pages
    there are.
:class:`PageNumberPager`
    A bare JSON array, pages numbered from 1 in ``pageNumber`` with
    ``pageSize`` (Visma.net). Each element may carry ``metadata`` with
    ``totalCount`` and ``maxPageSize``; the service silently clamps a page
    size above the maximum, so a full page is judged by the clamped size.
:class:`ResultsMetaPager`
    ``{"results": [...], "meta": {"totalCount": ...}}``, pages numbered
    from 0 in ``page`` with ``size`` (Procountor, at most 200).

A pager knows nothing about HTTP: it is given ``get(path, params)``
returning the parsed body, so a system's client pages through its own
session, and tests page through a dictionary.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any, Callable, Iterator, Mapping, Protocol, runtime_checkable

GetJson = Callable[[str, Mapping[str, Any]], Any]


@dataclass(frozen=True)
class Page:
    """The items of one page, and the total the service reports (None when it reports none)."""

    items: list[dict[str, Any]]
    total: int | None


@runtime_checkable
class Pager(Protocol):
    page_size: int

    def pages(self, get: GetJson, path: str, params: Mapping[str, Any] | None = None) -> Iterator[Page]:
        """Every page of ``path``, lazily, first to last."""

    def with_size(self, page_size: int) -> "Pager":
        """The same pager asking for ``page_size`` records per page."""


class _Sized:
    page_size: int

    def with_size(self, page_size: int) -> Any:
        if page_size < 1:
            raise ValueError("page_size must be at least 1")
        return replace(self, page_size=page_size)  # type: ignore[type-var]


@dataclass(frozen=True)
class MetaDataPager(_Sized):
    """``{Meta, Data}`` with ``$page`` from 1 and ``$pagesize``."""

    page_size: int = 1000

    def pages(self, get: GetJson, path: str, params: Mapping[str, Any] | None = None) -> Iterator[Page]:
        page = 1
        while True:
            body = get(path, {**dict(params or {}), "$page": page, "$pagesize": self.page_size})
            meta, data = body["Meta"], body["Data"]
            yield Page(list(data), int(meta["TotalNumberOfResults"]))
            if page >= int(meta["TotalNumberOfPages"]) or not data:
                return
            page += 1


@dataclass(frozen=True)
class PageNumberPager(_Sized):
    """A bare array with ``pageNumber`` from 1 and ``pageSize``; ``metadata`` on the elements when present."""

    page_size: int = 1000

    def pages(self, get: GetJson, path: str, params: Mapping[str, Any] | None = None) -> Iterator[Page]:
        number, seen = 1, 0
        while True:
            items = list(get(path, {**dict(params or {}), "pageNumber": number, "pageSize": self.page_size}) or [])
            meta = (items[0].get("metadata") or {}) if items and isinstance(items[0], dict) else {}
            total = int(meta["totalCount"]) if meta.get("totalCount") is not None else None
            size = min(self.page_size, int(meta.get("maxPageSize") or self.page_size))
            seen += len(items)
            yield Page(items, total)
            if len(items) < size or (total is not None and seen >= total):
                return
            number += 1


@dataclass(frozen=True)
class ResultsMetaPager(_Sized):
    """``{results, meta}`` with ``page`` from 0 and ``size`` (at most ``max_size``)."""

    page_size: int = 200
    max_size: int = 200

    def pages(self, get: GetJson, path: str, params: Mapping[str, Any] | None = None) -> Iterator[Page]:
        number, seen, size = 0, 0, min(self.page_size, self.max_size)
        while True:
            body = get(path, {**dict(params or {}), "page": number, "size": size})
            items = list(body.get("results") or [])
            meta = body.get("meta") or {}
            total = int(meta["totalCount"]) if meta.get("totalCount") is not None else None
            seen += len(items)
            yield Page(items, total)
            if len(items) < size or (total is not None and seen >= total):
                return
            number += 1


__all__ = ["GetJson", "MetaDataPager", "Page", "PageNumberPager", "Pager", "ResultsMetaPager"]
