"""An AsyncAPI 2.6 document generated from the registered contracts: topics, messages and their JSON Schemas."""

from __future__ import annotations

from typing import Any

from liandong.contracts.base import REGISTRY
from liandong.envelope import Envelope


def document(agency: str, version: str) -> dict[str, Any]:
    channels: dict[str, Any] = {}
    schemas: dict[str, Any] = {"Envelope": Envelope.model_json_schema()}
    for (event_type, schema_version), cls in sorted(REGISTRY.items()):
        name = f"{event_type}.v{schema_version}"
        schemas[name] = cls.model_json_schema()
        channel = channels.setdefault(cls.topic, {"subscribe": {"message": {"oneOf": []}}})
        channel["subscribe"]["message"]["oneOf"].append(
            {
                "name": name,
                "title": f"{event_type} v{schema_version}",
                "summary": (cls.__doc__ or "").strip().splitlines()[0] if cls.__doc__ else "",
                "headers": {
                    "type": "object",
                    "properties": {"event_id": {"type": "string"}, "event_type": {"const": event_type}},
                },
                "payload": {
                    "allOf": [
                        {"$ref": "#/components/schemas/Envelope"},
                        {
                            "properties": {
                                "event_type": {"const": event_type},
                                "schema_version": {"const": schema_version},
                                "payload": {"$ref": f"#/components/schemas/{name}"},
                            }
                        },
                    ]
                },
            }
        )
    return {
        "asyncapi": "2.6.0",
        "info": {"title": f"Liandong events (served by {agency})", "version": version},
        "defaultContentType": "application/json",
        "channels": channels,
        "components": {"schemas": schemas},
    }
