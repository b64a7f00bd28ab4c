"""What the schema says of entries (issue 16): a reader who may not see an entry's content gets its
content fields as null (`EntrySerializer.to_representation`), so the answer declares them nullable."""

from typing import Any

from drf_spectacular.extensions import OpenApiSerializerExtension
from drf_spectacular.openapi import AutoSchema

from .entry_serializers import ENTRY_FIELDS

__all__ = ["EntryContentIsNullable"]


class EntryContentIsNullable(OpenApiSerializerExtension):  # type: ignore[no-untyped-call]  # (drf-spectacular untyped)
    target_class = "cases.api.entry_serializers.EntrySerializer"
    match_subclasses = True

    def map_serializer(self, auto_schema: AutoSchema, direction: Any) -> Any:
        schema = auto_schema._map_serializer(self.target, direction, bypass_extensions=True)  # type: ignore[no-untyped-call]
        if direction != "response":
            return schema
        for name, field in schema.get("properties", {}).items():
            if name in ENTRY_FIELDS:
                continue
            if "$ref" in field:
                schema["properties"][name] = {"allOf": [{"$ref": field.pop("$ref")}], **field, "nullable": True}
            else:
                field["nullable"] = True
        return schema
