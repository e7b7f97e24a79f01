"""The audit trail: every state-changing act of a service, chained so that it cannot be quietly altered.

The unit of work appends, in the act's own transaction, one entry per subject the act changed: who (actor, role,
unit — staff from their token, another agency from the event it sent, or the system), what (the route or the event
type), the subject (an aggregate, an event's aggregate or matter, or the resource named in the URL), when, the
request id, and the SHA-256 digest of the change itself (the rows written, the events sent). Each entry's hash covers
its fields and the previous entry's hash; the last seq and hash are kept in `audit_head`, whose row every append
locks, so appends are serialized and the chain never forks. `verify` recomputes the chain and names the first entry
that no longer fits: one edited (its hash), one removed or slipped in (the link to its predecessor, the seq
sequence), or the newest removed (the head).

An entry about a record the act wrote through the ORM also carries the digest of that record's whole row as the act
left it (`row_digest`, "table:sha256", hashed into the entry). `verify_rows` recomputes every such record's current
row against the digest of the last act that wrote it, and names each that differs: a row edited or deleted in the
database, outside any act, no longer matches.
"""

from __future__ import annotations

import asyncio
import contextvars
import functools
import hashlib
import weakref
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, cast

import orjson
from sqlalchemy import (
    Column,
    Dialect,
    Integer,
    MetaData,
    Table,
    TextClause,
    event,
    insert,
    inspect,
    select,
    text,
    update,
)
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import ORMExecuteState, Session, UOWTransaction
from sqlalchemy.sql import ClauseElement
from sqlalchemy.types import TypeDecorator

from liandong.persistence.stamps import new_stamp, stamp
from liandong.persistence.tables import CommonTables

GENESIS = "0" * 64
# Bookkeeping of delivery, not acts: the events sent are part of the digest through their envelopes instead.
NOT_ACTS = frozenset({"outbox", "inbox", "idempotency_keys", "audit_log", "audit_head"})
RECORDER = "liandong.audit"
AUDITED = "audited"  # Column(info={AUDITED: False}): a column the records' mappings leave out (a previous release's)


@dataclass(frozen=True)
class Act:
    """Who acts, and how they asked: a member of staff's request, another agency's event, or the system."""

    actor: str
    role: str
    unit: str
    action: str
    request_id: str | None = None
    subjects: tuple[tuple[str, str], ...] = ()  # what the request named (its URL's ids)


SYSTEM = Act(actor="system", role="system", unit="", action="system")

current_act: contextvars.ContextVar[Act | None] = contextvars.ContextVar("current_act", default=None)


@dataclass
class Changes:
    """What one transaction wrote, as the session saw it (rows of the ORM and of Core statements)."""

    writes: list[dict[str, Any]] = field(default_factory=list)
    subjects: list[tuple[str, str]] = field(default_factory=list)
    records: dict[int, Any] = field(default_factory=dict)  # the ORM objects written (by identity), deletes included
    deleted: set[int] = field(default_factory=set)
    previous: dict[int, dict[str, Any]] = field(default_factory=dict)  # an updated object's changed attributes before

    def row_digests(self, dialect: Dialect) -> dict[tuple[str, str], str]:
        """(subject type, key) → "table:sha256" of each written record's row as it stands now (after the flush)."""
        digests = {}
        for ident, obj in self.records.items():
            state = inspect(obj)
            table = state.mapper.local_table
            key = _identity(obj)
            if not key:
                continue
            if ident in self.deleted:
                digests[(type(obj).__name__, key)] = f"{getattr(table, 'name', '')}:deleted"
            elif (row := _row_of(obj, dialect)) is not None:
                digests[(type(obj).__name__, key)] = f"{getattr(table, 'name', '')}:{row_digest(row)}"
        return digests

    def subject(self, kind: str, key: str) -> None:
        if key and (kind, key) not in self.subjects:
            self.subjects.append((kind, key))

    def name_assigned_keys(self) -> None:
        """Name, after the flush, the records whose keys the database gave them as they were written (an
        autoincrement key is unknown before)."""
        for ident, obj in self.records.items():
            if ident not in self.deleted:
                self.subject(type(obj).__name__, _identity(obj))


def record_changes(session: AsyncSession) -> Changes:
    """Start recording what `session` writes (until it is closed)."""
    changes = Changes()
    session.sync_session.info[RECORDER] = changes
    return changes


def _identity(obj: Any) -> str:
    """The object's primary key ("a/b" when composite); empty while the database has yet to assign it."""
    state = inspect(obj)
    key = state.identity or state.mapper.primary_key_from_instance(obj)
    if not key or any(part is None for part in key):
        return ""
    return "/".join(str(part) for part in key)


def _values(obj: Any, only: Iterable[str] | None = None) -> dict[str, Any]:
    state = inspect(obj)
    names = only if only is not None else [a.key for a in state.mapper.column_attrs]
    return {name: getattr(obj, name) for name in names}


@event.listens_for(Session, "before_flush")
def _before_flush(session: Session, _flush: UOWTransaction, _instances: object) -> None:
    changes: Changes | None = session.info.get(RECORDER)
    if changes is None:
        return
    for op, objects in (("insert", session.new), ("update", session.dirty), ("delete", session.deleted)):
        for obj in objects:
            state = inspect(obj)
            if op == "update":
                changed = [a.key for a in state.mapper.column_attrs if state.attrs[a.key].history.has_changes()]
                if not changed:
                    continue
                values = _values(obj, changed)
                before = changes.previous.setdefault(id(obj), {})
                for name in changed:
                    if (old := state.attrs[name].history.deleted) and name not in before:
                        before[name] = old[0]
            else:
                values = _values(obj) if op == "insert" else {}
            key = _identity(obj)
            table = state.mapper.local_table
            changes.writes.append({"op": op, "table": getattr(table, "name", str(table)), "key": key, "values": values})
            changes.subject(type(obj).__name__, key)
            changes.records[id(obj)] = obj
            if op == "delete":
                changes.deleted.add(id(obj))


@event.listens_for(Session, "do_orm_execute")
def _on_execute(state: ORMExecuteState) -> None:
    changes: Changes | None = state.session.info.get(RECORDER)
    if changes is None or not (state.is_insert or state.is_update or state.is_delete):
        return
    table = getattr(state.statement, "table", None)
    name = getattr(table, "name", "")
    if name in NOT_ACTS:
        return
    op = "insert" if state.is_insert else "update" if state.is_update else "delete"
    compiled = cast(ClauseElement, state.statement).compile()
    changes.writes.append(
        {"op": op, "table": name, "statement": str(compiled), "params": compiled.params, "rows": state.parameters}
    )


def _canonical(value: Any) -> bytes:
    return orjson.dumps(value, default=str, option=orjson.OPT_SORT_KEYS | orjson.OPT_NON_STR_KEYS)


def _stored(column: Column[Any], value: Any, dialect: Dialect) -> Any:
    """A column's value as it is stored (through the column type's own conversion), in one form on every backend:
    an object's attribute and the row read back give the same."""
    if isinstance(column.type, TypeDecorator) and value is not None:
        value = column.type.process_bind_param(value, dialect)
    if isinstance(value, datetime):
        return value.astimezone(UTC).isoformat() if value.tzinfo is not None else value.isoformat()
    return value


def _row_of(obj: Any, dialect: Dialect) -> dict[str, Any] | None:
    """The object's row as stored; None when some column is not loaded (nothing is read to digest it)."""
    state = inspect(obj)
    if state.unloaded:
        return None
    row = {}
    for attr in state.mapper.column_attrs:
        column = attr.columns[0]
        if isinstance(column, Column):
            row[column.name] = _stored(column, getattr(obj, attr.key), dialect)
    return row


def row_digest(row: dict[str, Any] | None) -> str:
    """SHA-256 of a row as stored ("deleted" for none)."""
    return "deleted" if row is None else hashlib.sha256(_canonical(row)).hexdigest()


def digest(writes: Sequence[dict[str, Any]], envelopes: Sequence[str]) -> str:
    """SHA-256 of what an act wrote: its rows and the events it sent."""
    return hashlib.sha256(_canonical({"writes": list(writes), "events": list(envelopes)})).hexdigest()


HASHED = ("seq", "at", "actor", "role", "unit", "action", "subject_type", "subject_id", "request_id", "change_digest")


def entry_hash(prev_hash: str, entry: dict[str, Any]) -> str:
    fields = {name: entry[name] for name in HASHED}
    if entry.get("row_digest") is not None:  # entries written before rows were digested have none
        fields["row_digest"] = entry["row_digest"]
    at = fields["at"]
    fields["at"] = at.isoformat() if isinstance(at, datetime) else str(at)
    return hashlib.sha256(prev_hash.encode() + b"\n" + _canonical(fields)).hexdigest()


@dataclass
class _Chain:
    """A process's place at the chain of one database (PostgreSQL): its turn, and the head as its last append left
    it."""

    loop: asyncio.AbstractEventLoop
    turn: asyncio.Lock = field(default_factory=asyncio.Lock)
    head: tuple[int, str] | None = None


_chains: weakref.WeakKeyDictionary[Any, _Chain] = weakref.WeakKeyDictionary()


def _chain_of(session: AsyncSession) -> _Chain:
    engine = session.get_bind()
    loop = asyncio.get_running_loop()
    chain = _chains.get(engine)
    if chain is None or chain.loop is not loop:
        chain = _chains[engine] = _Chain(loop)
    return chain


async def append(
    session: AsyncSession,
    tables: CommonTables,
    *,
    act: Act,
    at: datetime,
    subjects: Sequence[tuple[str, str]],
    change: str,
    rows: dict[tuple[str, str], str] | None = None,
    stamps: Collection[str] = (),
) -> None:
    """Chain one entry per subject (one entry without subject when there is none), and set a fresh stamp on the keys
    `stamps` (the records the act wrote, liandong.persistence.stamps), in the session's transaction.

    The head row serializes appends, so it is held as briefly as possible. On PostgreSQL, one statement moves the head
    only if it is still where the act expects it and, only then, inserts the entries (an array per column) and sets
    the stamps; the head's lock is held from that statement to the commit. A head found elsewhere leaves nothing
    written, and the append starts again from the head as it is. (Holding the lock from a SELECT … FOR UPDATE, or
    across separate statements, let a busy event loop keep it for a round trip more each, and under load the acts
    queued behind it took seconds.)

    Within one process the acts take turns (`_Chain`), and each expects the head where the one before it left it —
    committed or about to be: its statement then waits at the head row only for that commit, and finds the head where
    it expected. Without the turns, acts committing at once each read the head, all but one found it moved, read it
    again and queued again, a herd that grew with every commit (measured at 300 requests a second: two to three
    transactions waiting on the head on average, answers seconds late). An act whose commit failed leaves the head
    where it was: the next finds it elsewhere and reads it. Processes meet at the head row as before.

    SQLite, one writer at a time, runs the same steps one by one and never finds the head moved."""

    def entries_after(seq: int, prev: str) -> list[dict[str, Any]]:
        return _entries(act, at, subjects, change, seq, prev, rows or {})

    if session.get_bind().dialect.name != "postgresql":
        head = await _head(session, tables)
        if await _moved_then_appended(session, tables, entries_after(*head), head[1], stamps):
            return
        raise RuntimeError("the audit chain's head moved under a write transaction of SQLite")
    chain = _chain_of(session)
    async with chain.turn:
        for _ in range(1000):
            expected = chain.head or await _head(session, tables)
            entries = entries_after(*expected)
            if await _moved_then_appended(session, tables, entries, expected[1], stamps):
                chain.head = (entries[-1]["seq"], entries[-1]["hash"])
                return
            chain.head = None  # moved by another process, or an act before this one did not commit
    raise RuntimeError("the audit chain's head kept moving; the act is not recorded")


async def _head(session: AsyncSession, tables: CommonTables) -> tuple[int, str]:
    head = tables.audit_head
    row = (await session.execute(select(head.c.seq, head.c.hash).where(head.c.id == 1))).one()
    return int(row.seq), str(row.hash)


async def _moved_then_appended(
    session: AsyncSession,
    tables: CommonTables,
    entries: list[dict[str, Any]],
    old_hash: str,
    stamps: Collection[str],
) -> bool:
    """Move the head from `old_hash` to the last entry and insert the entries, only if it is still at `old_hash`."""
    log, head = tables.audit_log, tables.audit_head
    if session.get_bind().dialect.name == "postgresql":
        logged = await session.execute(
            _chain_and_stamp(log, head, tables.view_stamps),
            {
                **{name: [entry[name] for entry in entries] for name in _LOGGED},
                "old_hash": old_hash,
                "new_seq": entries[-1]["seq"],
                "new_hash": entries[-1]["hash"],
                "keys": sorted(set(stamps)),
                "stamp": new_stamp(),
            },
        )
        return len(logged.all()) == len(entries)
    moved = await session.execute(
        update(head)
        .where(head.c.id == 1, head.c.hash == old_hash)
        .values(seq=entries[-1]["seq"], hash=entries[-1]["hash"])
    )
    if getattr(moved, "rowcount", 0) != 1:
        return False
    # one cached statement run for each entry (a VALUES list of every entry built into one statement was compiled
    # anew for each act)
    await session.execute(insert(log), entries)
    await stamp(session, tables.view_stamps, stamps)
    return True


def _entries(
    act: Act,
    at: datetime,
    subjects: Sequence[tuple[str, str]],
    change: str,
    seq: int,
    prev: str,
    rows: dict[tuple[str, str], str],
) -> list[dict[str, Any]]:
    entries = []
    for subject_type, subject_id in subjects or [("", "")]:
        seq += 1
        entry = {
            "seq": seq,
            "at": at,
            "actor": act.actor[:200],
            "role": act.role[:64],
            "unit": act.unit[:32],
            "action": act.action[:200],
            "subject_type": subject_type[:64],
            "subject_id": subject_id[:200],
            "request_id": act.request_id[:128] if act.request_id else None,
            "change_digest": change,
            "row_digest": rows.get((subject_type, subject_id)),
            "prev_hash": prev,
        }
        entry["hash"] = prev = entry_hash(prev, entry)
        entries.append(entry)
    return entries


_LOGGED = (
    "seq",
    "at",
    "actor",
    "role",
    "unit",
    "action",
    "subject_type",
    "subject_id",
    "request_id",
    "change_digest",
    "row_digest",
    "prev_hash",
    "hash",
)
_ARRAYS = {"seq": "bigint[]", "at": "timestamptz[]"}  # the rest: varchar[]


@functools.cache
def _chain_and_stamp(log: Table, head: Table, stamps: Table) -> TextClause:
    """PostgreSQL: move the head if it is still where it was read and, only then (`moved` is read by both), insert
    the entries (one array per column) and set the stamps, in one statement; the entries' seqs come back, none when
    the head had moved."""
    columns = ", ".join(_LOGGED)
    arrays = ", ".join(f"CAST(:{name} AS {_ARRAYS.get(name, 'varchar[]')})" for name in _LOGGED)
    return text(
        f"WITH moved AS (UPDATE {head.name} SET seq = :new_seq, hash = :new_hash"
        f" WHERE id = 1 AND hash = :old_hash RETURNING id),"
        f" stamped AS (INSERT INTO {stamps.name} (key, stamp)"
        f" SELECT key, CAST(:stamp AS bigint) FROM unnest(CAST(:keys AS varchar[])) AS key"
        f" WHERE EXISTS (SELECT 1 FROM moved) ON CONFLICT (key) DO UPDATE SET stamp = EXCLUDED.stamp)"
        f" INSERT INTO {log.name} ({columns}) SELECT * FROM unnest({arrays}) WHERE EXISTS (SELECT 1 FROM moved)"
        f" RETURNING seq"
    )


async def append_act(
    session: AsyncSession,
    tables: CommonTables,
    *,
    act: Act,
    at: datetime,
    subjects: Sequence[tuple[str, str]],
    writes: Sequence[dict[str, Any]],
) -> None:
    """Chain an act written outside a unit of work (ops' account changes, dead-letter actions) in its session."""
    await append(session, tables, act=act, at=at, subjects=subjects, change=digest(writes, []))


@dataclass(frozen=True)
class Verdict:
    entries: int
    broken_at: int | None = None  # the seq of the first entry that does not fit
    reason: str = ""

    @property
    def intact(self) -> bool:
        return self.broken_at is None


@dataclass
class ChainWalk:
    """Walks the entries in seq order; the first that does not fit the chain is named."""

    prev: str = GENESIS
    expected: int = 1
    count: int = 0

    def step(self, entry: dict[str, Any]) -> Verdict | None:
        seq = int(entry["seq"])
        if seq != self.expected:
            if seq > self.expected:
                return Verdict(self.count, self.expected, f"entry {self.expected} is missing (removed)")
            return Verdict(self.count, seq, f"entry {seq} is out of place (inserted)")
        if entry["prev_hash"] != self.prev:
            return Verdict(self.count, seq, "its link to the entry before it is broken (an entry removed or inserted)")
        if entry_hash(self.prev, entry) != entry["hash"]:
            return Verdict(self.count, seq, "its content does not match its hash (the entry was edited)")
        self.prev, self.expected, self.count = entry["hash"], seq + 1, self.count + 1
        return None

    def end(self, head_seq: int, head_hash: str) -> Verdict:
        last = self.expected - 1
        if last > head_seq:
            return Verdict(head_seq, head_seq + 1, f"the chain ends at entry {last} but its head records {head_seq}")
        if last < head_seq:
            return Verdict(self.count, last + 1, f"the chain ends at entry {last} but its head records {head_seq}")
        if head_hash != self.prev:
            return Verdict(self.count - 1, last, "its hash is not the one its head records")
        return Verdict(self.count)


async def verify(session: AsyncSession, tables: CommonTables, batch: int = 5000) -> Verdict:
    """Recompute the whole chain from the database, oldest first, a batch at a time."""
    log, head = tables.audit_log, tables.audit_head
    head_row = (await session.execute(select(head.c.seq, head.c.hash).where(head.c.id == 1))).one()
    walk, last = ChainWalk(), 0
    while True:
        chunk = (await session.execute(select(log).where(log.c.seq > last).order_by(log.c.seq).limit(batch))).all()
        for row in chunk:
            broken = walk.step(dict(row._mapping))
            if broken is not None:
                return broken
        if len(chunk) < batch:
            return walk.end(int(head_row.seq), str(head_row.hash))
        last = int(chunk[-1].seq)


@dataclass(frozen=True)
class RowDifference:
    """A record whose row no longer matches the digest of the last act that wrote it."""

    subject_type: str
    subject_id: str
    table: str
    seq: int  # the last entry that wrote it
    action: str
    at: datetime
    reason: str


@dataclass(frozen=True)
class RowsVerdict:
    checked: int
    differences: list[RowDifference]

    @property
    def intact(self) -> bool:
        return not self.differences


async def verify_rows(
    session: AsyncSession, tables: CommonTables, metadata: MetaData, batch: int = 5000
) -> RowsVerdict:
    """Recompute each record's current row against the row digest of the last act that wrote it (entries oldest
    first, a batch at a time; the last digest of each record wins)."""
    log = tables.audit_log
    last: dict[tuple[str, str], Any] = {}
    after = 0
    while True:
        chunk = (
            await session.execute(
                select(log.c.seq, log.c.subject_type, log.c.subject_id, log.c.row_digest, log.c.action, log.c.at)
                .where(log.c.seq > after, log.c.row_digest.is_not(None))
                .order_by(log.c.seq)
                .limit(batch)
            )
        ).all()
        for row in chunk:
            last[(row.subject_type, row.subject_id)] = row
        if len(chunk) < batch:
            break
        after = int(chunk[-1].seq)
    dialect = session.get_bind().dialect
    differences = []
    for (subject_type, subject_id), entry in last.items():
        name, _, expected = str(entry.row_digest).partition(":")
        table = metadata.tables.get(name)
        reason = ""
        if table is None:
            reason = f"its table {name} no longer exists"
        else:
            keys = subject_id.split("/")
            columns = list(table.primary_key.columns)
            match = [c == (int(k) if isinstance(c.type, Integer) else k) for c, k in zip(columns, keys, strict=False)]
            found = (await session.execute(select(table).where(*match))).first()
            stored = (
                None
                if found is None
                else {
                    c.name: _stored(c, found._mapping[c], dialect) for c in table.columns if c.info.get(AUDITED, True)
                }
            )
            if row_digest(stored) != expected:
                reason = (
                    "deleted outside any act"
                    if found is None
                    else "back after its deletion"
                    if expected == "deleted"
                    else "its row was changed outside any act"
                )
        if reason:
            differences.append(
                RowDifference(subject_type, subject_id, name, int(entry.seq), str(entry.action), entry.at, reason)
            )
    return RowsVerdict(checked=len(last), differences=differences)
