"""The court's publicity of the campaign (宣传报道) and its typical cases (典型案例): both count in its report."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum

from liandong_court.domain.events import DomainEvent


class Channel(StrEnum):
    TV = "tv"
    NEWSPAPER = "newspaper"
    WEIBO = "weibo"
    WECHAT = "wechat"
    DOUYIN = "douyin"
    WEBSITE = "website"


@dataclass(eq=False, kw_only=True)
class PublicityPiece:
    id: str
    unit: str
    channel: Channel
    published_on: date
    title: str
    link: str | None
    lead_id: str | None
    recorded_at: datetime
    recorded_by: str
    events: list[DomainEvent] = field(default_factory=list, repr=False)


@dataclass(eq=False, kw_only=True)
class TypicalCase:
    """A matter marked as a typical case, with its summary."""

    lead_id: str
    unit: str
    summary: str
    marked_on: date
    marked_by: str
    events: list[DomainEvent] = field(default_factory=list, repr=False)
