"""The router of every API app: ids in paths through Django's `int` converter (each viewset's
`lookup_value_converter`), so the schema types them as integers and a non-numeric id matches no
route (a JSON 404, `agencies.api.errors.not_found`)."""

from typing import Any

from rest_framework.routers import DefaultRouter

__all__ = ["ApiRouter"]


class ApiRouter(DefaultRouter):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("use_regex_path", False)
        super().__init__(*args, **kwargs)

    # JSON is the only format: no `.json` suffix routes (they would be doubles in the schema).
    include_format_suffixes = False
