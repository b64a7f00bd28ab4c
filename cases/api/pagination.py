"""The case list's pages in the API (decision 151): page numbers as documented (`?page=`, an exact
`count`), and keyset pages (`?after=`/`?before=`), which the `next` and `previous` links always
carry: a client that follows the links never pays an OFFSET, however deep it walks. The links
carry the count the walk started with (`total`), so a deeper page does not count every row again
(issue 19: 114-148 ms for 300,000 rows); a page asked without it counts."""

from typing import Any

from django.db.models import QuerySet
from rest_framework.pagination import PageNumberPagination
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.utils.urls import remove_query_param, replace_query_param
from rest_framework.views import APIView

from ..keyset import KeysetPage, keyset_page, page_of_rows

__all__ = ["CasePagination"]

_POSITION = ("page", "after", "before", "total")


class CasePagination(PageNumberPagination):
    keyset: KeysetPage
    total: int | None
    asked: Request

    def paginate_queryset(self, queryset: QuerySet[Any], request: Request, view: APIView | None = None) -> list[Any]:
        self.request = self.asked = request
        after = request.query_params.get("after", "")
        before = request.query_params.get("before", "")
        size = self.get_page_size(request) or 50
        if after or before:
            self.keyset = keyset_page(queryset, size=size, after=after, before=before)
            carried = request.query_params.get("total", "")
            # Only ever the count of what this user may read: a number they typed tells them nothing.
            self.total = int(carried) if carried.isascii() and carried.isdigit() and len(carried) < 12 else None
            if self.total is None:
                self.total = queryset.count()
            return self.keyset.object_list
        rows = list(super().paginate_queryset(queryset, request, view) or [])
        page = self.page
        if page is None:  # no page size: every row
            self.total, self.keyset = len(rows), page_of_rows(queryset, rows, has_next=False, has_previous=False)
            return rows
        self.total = page.paginator.count
        self.keyset = page_of_rows(queryset, rows, has_next=page.has_next(), has_previous=page.has_previous())
        return rows

    def _link(self, name: str, token: str) -> str | None:
        if not token:
            return None
        url = self.asked.build_absolute_uri()
        for position in _POSITION:
            url = remove_query_param(url, position)
        return replace_query_param(replace_query_param(url, "total", self.total), name, token)

    def get_next_link(self) -> str | None:
        return self._link("after", self.keyset.next_token)

    def get_previous_link(self) -> str | None:
        return self._link("before", self.keyset.previous_token)

    def get_paginated_response(self, data: Any) -> Response:
        return Response(
            {"count": self.total, "next": self.get_next_link(), "previous": self.get_previous_link(), "results": data}
        )

    def get_schema_operation_parameters(self, view: APIView) -> list[dict[str, Any]]:
        cursor = {"required": False, "in": "query", "schema": {"type": "string"}}
        return [
            *super().get_schema_operation_parameters(view),
            {"name": "after", **cursor, "description": "The page after the row this cursor names (the `next` link)."},
            {"name": "before", **cursor, "description": "The page before the row this cursor names (`previous`)."},
            {
                "name": "total",
                "required": False,
                "in": "query",
                "schema": {"type": "integer", "minimum": 0},
                "description": "The count the walk started with, carried by the `next` and `previous` links so "
                "a deeper page does not count again; without it the page counts.",
            },
        ]
