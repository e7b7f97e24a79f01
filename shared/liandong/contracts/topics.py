"""The topic catalogue: one topic per producing agency and aggregate family, and a dead-letter topic per group.

The contracts name their topic, so the catalogue lives beside them; `liandong.messaging.admin` creates it.
"""

from __future__ import annotations

COURT_REFERRALS = "court.referrals"
COURT_ENFORCEMENT = "court.enforcement"
COURT_TRIALS = "court.trials"
COURT_DEADLINES = "court.deadlines"
POLICE_REFERRALS = "police.referrals"
POLICE_CASES = "police.cases"
POLICE_DEADLINES = "police.deadlines"
PROCURATORATE_DECISIONS = "procuratorate.decisions"
PROCURATORATE_SUPERVISION = "procuratorate.supervision"
PROCURATORATE_DEADLINES = "procuratorate.deadlines"

EVENT_TOPICS: tuple[str, ...] = (
    COURT_REFERRALS,
    COURT_ENFORCEMENT,
    COURT_TRIALS,
    COURT_DEADLINES,
    POLICE_REFERRALS,
    POLICE_CASES,
    POLICE_DEADLINES,
    PROCURATORATE_DECISIONS,
    PROCURATORATE_SUPERVISION,
    PROCURATORATE_DEADLINES,
)


def consumer_group(agency: str) -> str:
    """The consumer group of an agency's service (its ACLs name it too)."""
    return f"liandong.{agency}"


CONSUMER_GROUPS: tuple[str, ...] = tuple(consumer_group(a) for a in ("court", "police", "procuratorate"))


def owner(topic: str) -> str:
    """The agency that writes an event topic: its name's first part (`court.referrals` → court)."""
    return topic.split(".", 1)[0]


def owned_by(agency: str) -> list[str]:
    """The event topics an agency writes."""
    return [t for t in EVENT_TOPICS if owner(t) == agency]


def dead_letter_topic(group_id: str) -> str:
    """One dead-letter topic per consumer group."""
    return f"{group_id}.dlt"


def catalogue() -> list[str]:
    return [*EVENT_TOPICS, *(dead_letter_topic(g) for g in CONSUMER_GROUPS)]
