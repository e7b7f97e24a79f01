"""Personal information is masked in logs and list views (docs/architecture.md, "Security and units")."""

from __future__ import annotations

from typing import Any


def mask_id_number(value: str | None) -> str | None:
    """居民身份证号: keep the region (first 6) and the last 4 characters."""
    if not value:
        return value
    if len(value) <= 10:
        return value[:2] + "*" * (len(value) - 2)
    return value[:6] + "*" * (len(value) - 10) + value[-4:]


def mask_phone(value: str | None) -> str | None:
    if not value:
        return value
    return value[:3] + "*" * max(len(value) - 7, 0) + value[-4:] if len(value) > 7 else "*" * len(value)


def mask_suspects(suspects: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Suspects as a list shows them: each identity number masked."""
    return [{**s, "id_number": mask_id_number(s.get("id_number"))} for s in suspects]
