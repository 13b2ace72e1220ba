"""Helpers shared by the sales pages."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, QueryDict

from guanxi.customers.views.lists import SortColumn, _sort_columns

PAGE_SIZE = 50
NON_FILTER_PARAMS = ("cursor",)


def filter_query(request: HttpRequest, *, drop: tuple[str, ...] = ()) -> str:
    """The current filters and sort without the page position (and `drop`)."""
    query: QueryDict = request.GET.copy()
    for name in (*NON_FILTER_PARAMS, *drop):
        query.pop(name, None)
    return query.urlencode()


def sort_columns(current: str, columns: dict[str, Any]) -> dict[str, SortColumn]:
    return _sort_columns(current, columns)
