"""Pagers: the three page envelopes, followed to the end, over a dictionary instead of HTTP."""

from __future__ import annotations

from typing import Any, Callable, Mapping

import pytest

from ops_lib.connectors.paging import MetaDataPager, PageNumberPager, Pager, ResultsMetaPager

RECORDS = [{"id": n} for n in range(1, 106)]  # 105 records: never a whole number of pages


def meta_data(max_size: int = 1000) -> Callable[[str, Mapping[str, Any]], Any]:
    def get(path: str, params: Mapping[str, Any]) -> Any:
        size = min(int(params["$pagesize"]), max_size)
        page = int(params["$page"])
        pages = -(-len(RECORDS) // size)
        return {"Meta": {"CurrentPage": page, "PageSize": size, "TotalNumberOfPages": pages,
                         "TotalNumberOfResults": len(RECORDS)}, "Data": RECORDS[(page - 1) * size:page * size]}
    return get


def bare_array(max_size: int) -> Callable[[str, Mapping[str, Any]], Any]:
    def get(path: str, params: Mapping[str, Any]) -> Any:
        size = min(int(params["pageSize"]), max_size)  # clamped silently, as Visma.net does
        number = int(params["pageNumber"])
        items = RECORDS[(number - 1) * size:number * size]
        return [{**r, "metadata": {"totalCount": len(RECORDS), "maxPageSize": max_size}} for r in items]
    return get


def results_meta(path: str, params: Mapping[str, Any]) -> Any:
    size, page = int(params["size"]), int(params["page"])
    items = RECORDS[page * size:(page + 1) * size]
    return {"results": items, "meta": {"pageNumber": page, "pageSize": size, "resultCount": len(items),
                                       "totalCount": len(RECORDS)}}


def counting(get: Callable[[str, Mapping[str, Any]], Any], seen: list[dict[str, Any]]) -> Any:
    def wrapped(path: str, params: Mapping[str, Any]) -> Any:
        seen.append(dict(params))
        return get(path, params)
    return wrapped


@pytest.mark.parametrize("pager, get, first, requests", [
    (MetaDataPager(20), meta_data(), {"$page": 1, "$pagesize": 20}, 6),
    (PageNumberPager(20), bare_array(1000), {"pageNumber": 1, "pageSize": 20}, 6),
    (PageNumberPager(50), bare_array(15), {"pageNumber": 1, "pageSize": 50}, 7),  # clamped to 15
    (ResultsMetaPager(20), results_meta, {"page": 0, "size": 20}, 6),
    (ResultsMetaPager(500), results_meta, {"page": 0, "size": 200}, 1),  # at most 200
])
def test_every_record_once_in_order_with_the_total(pager: Pager, get: Any, first: dict[str, Any],
                                                    requests: int) -> None:
    sent: list[dict[str, Any]] = []
    pages = list(pager.pages(counting(get, sent), "things", {"filter": "x"}))
    assert [item["id"] for page in pages for item in page.items] == [r["id"] for r in RECORDS]
    assert {page.total for page in pages} == {len(RECORDS)}
    assert sent[0] == {"filter": "x", **first} and len(sent) == requests
    assert isinstance(pager, Pager)


def test_a_page_size_of_exactly_the_records_stops_without_asking_for_an_empty_page() -> None:
    sent: list[dict[str, Any]] = []
    list(MetaDataPager(105).pages(counting(meta_data(), sent), "things"))
    list(ResultsMetaPager(105, max_size=105).pages(counting(results_meta, sent), "things"))
    assert len(sent) == 2


def test_an_empty_list_is_one_request() -> None:
    assert [p.items for p in PageNumberPager(10).pages(lambda path, params: [], "none")] == [[]]
    assert [p.total for p in ResultsMetaPager().pages(lambda path, params: {"results": [], "meta": {}},
                                                      "none")] == [None]


def test_with_size_keeps_the_kind() -> None:
    assert MetaDataPager().with_size(40) == MetaDataPager(40)
    with pytest.raises(ValueError):
        ResultsMetaPager().with_size(0)
