"""What a service's staff console shows: its kinds of record, their lists and acts, and the work queues of its roles.

The console has no rule of its own. A record is what the API's detail route answers; an act is an API route, whose
form is drawn from the route's request schema and whose roles are the route's own; the API decides and the console
shows its answer. `ready` only explains, before a form is offered, why an act cannot be taken yet (the API would
refuse it anyway): it reads the record as the API showed it."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

Record = Mapping[str, Any]
Options = Callable[[Record], list[tuple[str, str]]]


def never(_: Record, __: str) -> str | None:
    return None


def status_in(*statuses: str, otherwise: str) -> Callable[[Record, str], str | None]:
    """Ready while the record's status is one of `statuses`; else the reason `otherwise`."""

    def ready(record: Record, _: str) -> str | None:
        return None if record.get("status") in statuses else otherwise

    return ready


def items(field_name: str, key: str, *shown: str) -> Options:
    """The choices a list in the record offers: its items' `key`, shown by the fields `shown`."""

    def options(record: Record) -> list[tuple[str, str]]:
        found = record.get(field_name) or []
        return [
            (str(i[key]), " ".join(str(i.get(s)) for s in shown if i.get(s) is not None) or str(i[key]))
            for i in found
            if isinstance(i, Mapping) and i.get(key) is not None
        ]

    return options


@dataclass(frozen=True)
class Act:
    """One act staff take on a record (or, with no record, one that creates one): an API route and its form."""

    name: str  # the console's name of the act, unique within its record kind
    title: str  # what the button says
    path: str  # the API route, e.g. "/leads/{lead_id}/assessment"; its first parameter is the record's id
    method: str = "POST"
    ready: Callable[[Record, str], str | None] = never  # why the act is not possible yet (record, role), or None
    # choices drawn from the record, by form field (a repeated row's field as `rows.field`, e.g. decisions.suspect_id)
    options: Mapping[str, Options] = field(default_factory=dict)
    prefill: Mapping[str, Callable[[Record], str]] = field(default_factory=dict)  # starting values, by form field
    shown: Callable[[Record], bool] = lambda _: True  # offered at all on this record (e.g. only on a police case)
    no_body: bool = False  # the route takes no body (a registration): the form is a button
    upload: str | None = None  # the route takes a file as its body, of this media type (a CSV import)


@dataclass(frozen=True)
class RecordKind:
    name: str  # in the console's URLs: /console/{name}/{id}
    title: str  # 线索, 移送函, 案件…
    detail: str | None  # the API's detail route, e.g. "/leads/{lead_id}" (None: a list only, e.g. publicity)
    listing: str  # the API's list route
    columns: Sequence[tuple[str, str]]  # the list's columns: (field, label)
    heading: Callable[[Record], str]
    acts: Sequence[Act] = ()
    creates: Sequence[Act] = ()  # acts on the list page that make a new record of this kind
    files: Callable[[Record], list[tuple[str, str]]] = lambda _: []  # (label, API path) of files to open
    key: str = "id"  # the field of a listed item that names it in the detail route
    subjects: tuple[str, ...] = ()  # the windows' subject types that are records of this kind (id = record id)
    # the matter (correlation id) a record belongs to, for its timeline
    matter_of: Callable[[Record], str | None] = lambda r: r.get("correlation_id")


@dataclass(frozen=True)
class Queue:
    """A line of the home page: a list of the API with filters, for some roles, most urgent first."""

    title: str
    kind: str
    params: Mapping[str, str]
    roles: Sequence[str]


@dataclass(frozen=True)
class ConsoleSpec:
    title: str  # the agency's name on every page
    records: Sequence[RecordKind]
    queues: Sequence[Queue] = ()
    labels: Mapping[str, str] = field(default_factory=dict)  # the service's own field and value names in Chinese

    def record(self, name: str) -> RecordKind | None:
        return next((r for r in self.records if r.name == name), None)
