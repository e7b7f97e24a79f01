"""Command line of the shared library.

python -m liandong deadline --kind police_filing_decision --start 2025-09-26T10:00+08:00 [--custody yes|no] [--json]
python -m liandong kinds [--json]
python -m liandong kafka provision [--bootstrap 127.0.0.1:9092]   topics and the services' ACLs (as admin)
python -m liandong kafka acls                                     the ACLs the catalogue gives each service
python -m liandong users --service court add --username … --display-name … --role … --unit … < password
python -m liandong users --service court disable --username …
python -m liandong users --service court set-role --username … --role … [--unit …]
python -m liandong users --service court unlock --username … | --address …
python -m liandong audit verify --service court [--rows]  recompute the audit chain (and each record's row)
python -m liandong migrations --service court status|upgrade  the schema against this code; migrate before a rollout
python -m liandong backup --service police [--out FILE]    a copy of the database, taken while the service runs
python -m liandong restore --service police --from FILE    the database replaced by a backup (the service stopped)
python -m liandong restore --service police --report|--acknowledge --note …   the acts the restore lost

`users` works on the service's own database, as its environment configures it (COURT_DATABASE_URL, …), migrating
it first; every change is recorded in the `account_audit` table with the operator's name.
"""

from __future__ import annotations

import argparse
import asyncio
import getpass
import importlib
import json
import os
import sys
from datetime import date, datetime
from pathlib import Path
from typing import Any

from aiokafka.errors import KafkaError
from sqlalchemy.engine import make_url

from liandong import accounts, audit, restore
from liandong.api import throttle
from liandong.api.ops import desk as ops_desk
from liandong.clock import SystemClock
from liandong.config import ServiceSettings
from liandong.errors import DomainError
from liandong.messaging.acls import catalogue_acls, provision
from liandong.messaging.admin import broker_count
from liandong.messaging.dlq import letter_view, outbox_status
from liandong.messaging.kafka import admin_connection
from liandong.persistence import migrations
from liandong.persistence.engine import create_engine, session_factory
from liandong.persistence.faults import database_unavailable
from liandong.runtime import Runtime, consumed_topics, service_spec
from liandong.sla.calendar import LegalCalendar
from liandong.sla.counting import NaiveTime, compute_due
from liandong.sla.kinds import CATALOGUE, UnknownKind, kind


def _deadline(args: argparse.Namespace) -> int:
    try:
        spec = kind(args.kind)
        start = datetime.fromisoformat(args.start)
        calendar = LegalCalendar(args.holiday, args.workday)
        custody = None if args.custody is None else args.custody == "yes"
        due = compute_due(
            spec, start, window=args.window, extra_days=args.extra_days, calendar=calendar, custody=custody
        )
    except (UnknownKind, NaiveTime, ValueError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    if args.json:
        print(
            json.dumps(
                {
                    "kind": spec.name,
                    "title": spec.title,
                    "start": due.start.isoformat(),
                    "due": due.due.isoformat(),
                    "due_local": due.due_local.isoformat(),
                    "last_day": due.last_day.isoformat(),
                    "nominal_last_day": due.nominal_last_day.isoformat(),
                    "rolled_forward": due.rolled_forward,
                    "custody": due.custody,
                    "skipped": [{"day": s.day.isoformat(), "reason": s.reason} for s in due.skipped],
                    "calendar": due.calendar_source.value,
                    "rule": due.rule(),
                    "legal_basis": due.legal_basis,
                },
                ensure_ascii=False,
                indent=2,
            )
        )
        return 0
    print(f"{spec.name} — {spec.title}")
    print(f"due:   {due.last_day.isoformat()} 24:00 Asia/Shanghai (= {due.due.isoformat()})")
    print(f"rule:  {due.rule()}")
    for skipped in due.skipped:
        print(f"       {skipped.day.isoformat()} is not a working day ({skipped.reason})")
    print(f"basis: {due.legal_basis}")
    return 0


def _kinds(args: argparse.Namespace) -> int:
    if args.json:
        print(
            json.dumps([{**k.__dict__, "unit": k.unit.value} for k in CATALOGUE.values()], ensure_ascii=False, indent=2)
        )
        return 0
    for k in CATALOGUE.values():
        custody = ", custody (never extends)" if k.custody else ""
        print(f"{k.name:32} {k.owner:14} {k.window} {k.unit.value}{custody}  {k.title}")
    return 0


def _kafka(args: argparse.Namespace) -> int:
    """The broker's topics and the services' ACLs, as the admin principal (LIANDONG_KAFKA_ADMIN_* variables)."""
    consumed = consumed_topics()
    try:
        usernames = dict(item.split("=", 1) for item in args.principal)
    except ValueError:
        print("error: --principal takes AGENCY=USERNAME", file=sys.stderr)
        return 2
    if args.action == "acls":
        for acl in sorted(catalogue_acls(consumed, usernames)):
            print(acl)
        return 0
    connection = admin_connection(args.bootstrap)

    async def run() -> Any:
        factor = args.replication_factor or min(3, await broker_count(connection))
        print(f"broker: {connection.bootstrap} (as {connection.username or 'anonymous'}); replication factor {factor}")
        return await provision(
            connection, consumed, partitions=args.partitions, replication_factor=factor, usernames=usernames
        )

    done = asyncio.run(run())
    print(f"{len(done.topics_created)} topics created: {', '.join(done.topics_created) or '-'}")
    print(f"{len(done.acls_created)} ACLs created, {len(done.acls_deleted)} deleted")
    for acl in done.acls_deleted:
        print(f"  deleted: {acl}")
    return 0


class Refused(Exception):
    """A command that will not run as asked: one line says why (exit status 2)."""


def development_checkout() -> bool:
    """Whether the working directory is a checkout of this project (where ./var/<service>.db is the developer's)."""
    return Path("Makefile").is_file() and Path("services").is_dir() and Path("shared", "liandong").is_dir()


def _settings(name: str) -> ServiceSettings:
    """The service's settings from its environment (named at run time: the library does not import the services).
    The default database (./var/<service>.db) is a development checkout's: elsewhere the command refuses to guess,
    so that it never acts on a new, empty database by mistake."""
    settings: ServiceSettings = importlib.import_module(f"liandong_{name}.config").__dict__[
        f"{name.capitalize()}Settings"
    ]()
    if f"{name.upper()}_DATABASE_URL" not in os.environ and not development_checkout():
        raise Refused(
            f"no database given: set {name.upper()}_DATABASE_URL (the default {settings.database_url} is a development"
            " checkout's, and this is not one)"
        )
    print(f"database: {make_url(settings.database_url).render_as_string(hide_password=True)}", file=sys.stderr)
    return settings


def _actor(args: argparse.Namespace, settings: ServiceSettings) -> str:
    """Who acts, as recorded: the operator named by --actor (required in production), not the machine's user."""
    if args.actor:
        return f"cli:{args.actor}"
    if settings.environment == "production":
        raise Refused("name the operator with --actor (required in production: it is recorded with the change)")
    return f"cli:{getpass.getuser()}"


def _migrations(args: argparse.Namespace) -> int:
    """Where a service's database stands against this code, and (`upgrade`) migrate it ahead of a rollout."""
    spec, settings = service_spec(args.service), _settings(args.service)

    async def run() -> tuple[str, set[str], set[str]]:
        engine = create_engine(settings.database_url)
        try:
            expected = migrations.heads(spec.migrations)
            if args.action == "upgrade":
                await migrations.upgrade_async(spec.migrations, settings.database_url)
            async with engine.connect() as connection:
                where, applied = await migrations.position(connection, expected)
            return where, applied, expected
        finally:
            await engine.dispose()

    where, applied, expected = asyncio.run(run())
    print(f"applied:  {' '.join(sorted(applied)) or '(none: a new database)'}")
    print(f"this code's heads: {' '.join(sorted(expected))}")
    print(
        {
            "current": "current: the database holds exactly this code's migrations",
            "ahead": "ahead: a newer release migrated it; this code runs on it unchanged (expand/contract)",
            "behind": "behind: migrate it (`upgrade`, or start this release: it migrates at start-up)",
        }[where]
    )
    return 0 if where != "behind" else 3


def _backup(args: argparse.Namespace) -> int:
    """A copy of the service's database, taken while it runs (pg_dump's custom format; SQLite's backup API)."""
    settings = _settings(args.service)
    out = Path(args.out or f"{args.service}-{datetime.now().strftime('%Y%m%dT%H%M%S')}.backup")
    asyncio.run(restore.backup(settings.database_url, out))
    print(f"backed up to {out}")
    return 0


def _restore(args: argparse.Namespace) -> int:
    """The service's database replaced by a backup (the service stopped), migrated to this code and marked restored:
    at its next start the consumers rewind to what the restored inbox holds. `--report`: the acts lost with the disk
    (found at that start); `--acknowledge`: they were re-entered."""
    spec, settings = service_spec(args.service), _settings(args.service)
    if args.report or args.acknowledge:
        return _restore_report(args, spec.tables, settings)
    if not args.source:
        raise Refused("name the backup: --from FILE (or --report, --acknowledge)")

    async def run() -> None:
        await restore.restore(settings.database_url, Path(args.source))
        await migrations.upgrade_async(spec.migrations, settings.database_url)
        engine = create_engine(settings.database_url)
        try:
            await restore.mark_restored(session_factory(engine), spec.tables, args.source, SystemClock().now())
        finally:
            await engine.dispose()

    asyncio.run(run())
    print(f"restored from {args.source}; start the service: its consumers rewind to what its inbox holds")
    return 0


def _restore_report(args: argparse.Namespace, tables: Any, settings: ServiceSettings) -> int:
    async def run() -> dict[str, Any]:
        engine = create_engine(settings.database_url)
        try:
            sessions = session_factory(engine)
            if args.acknowledge:
                if not args.note:
                    raise Refused("say what was done with the lost acts: --note …")
                await restore.acknowledge(
                    sessions, tables, SystemClock().now(), f"{_actor(args, settings)}: {args.note}"
                )
            return await restore.latest(sessions, tables)
        finally:
            await engine.dispose()

    last = asyncio.run(run())
    if last["restored_at"] is None:
        print("no restore recorded")
        return 0
    print(f"restored {last['restored_at']} from {last['source']}; rewound: {last['rewind'] or 'not yet'}")
    for act in last["lost"]:
        print(f"lost: {act['occurred_at']} {act['event_type']} {act['aggregate']} matter {act['correlation_id']}")
    print(
        f"{len(last['lost'])} acts lost"
        + (f", acknowledged {last['lost_acknowledged_at']}" if last["lost_acknowledged_at"] else "")
    )
    return 0


def _users(args: argparse.Namespace) -> int:
    service, settings = service_spec(args.service), _settings(args.service)
    actor = _actor(args, settings) if args.action != "list" else ""
    password = ""
    if args.action in ("add", "reset-password"):
        password = getpass.getpass("password: ") if sys.stdin.isatty() else sys.stdin.readline().rstrip("\n")

    async def run() -> None:
        await migrations.upgrade_async(service.migrations, settings.database_url)
        engine = create_engine(settings.database_url)
        try:
            async with session_factory(engine)() as session:
                common: dict[str, Any] = {"roles": service.roles, "actor": actor}
                if args.action == "list":
                    for user in await accounts.list_users(session, service.tables):
                        state = "active" if user["active"] else "disabled"
                        print(f"{user['username']:<28} {user['role']:<20} {user['unit']:<8} {state}")
                    return
                if args.action == "reset-password":
                    await accounts.reset_password(
                        session, service.tables, SystemClock(), username=args.username, password=password, actor=actor
                    )
                    return
                if args.action == "add":
                    await accounts.add_user(
                        session,
                        service.tables,
                        SystemClock(),
                        username=args.username,
                        display_name=args.display_name,
                        role=args.role,
                        unit=args.unit,
                        password=password,
                        **common,
                    )
                elif args.action == "unlock":
                    key = throttle.user_key(args.username) if args.username else throttle.address_key(args.address)
                    lifted = await accounts.lift_lockout(session, service.tables, SystemClock(), key=key, actor=actor)
                    print(f"{key}: {'lockout lifted' if lifted else 'no failed logins recorded'}")
                elif args.action in ("disable", "enable"):
                    active = args.action == "enable"
                    await accounts.change_user(
                        session, service.tables, SystemClock(), username=args.username, active=active, **common
                    )
                else:
                    await accounts.change_user(
                        session,
                        service.tables,
                        SystemClock(),
                        username=args.username,
                        role=args.role,
                        unit=args.unit,
                        **common,
                    )
        finally:
            await engine.dispose()

    try:
        asyncio.run(run())
    except DomainError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    if args.action != "list":
        who = getattr(args, "username", None) or getattr(args, "address", None)
        print(f"{args.action}: {who} ({args.service}), recorded as {actor}")
    return 0


def _ops(args: argparse.Namespace) -> int:
    """Dead letters and the outbox of one service, as ops act on them (each replay and discard is recorded)."""
    spec, settings = service_spec(args.service), _settings(args.service)
    acts = args.command == "dlq" and args.action in ("replay", "discard")
    actor = _actor(args, settings) if acts else "cli:reader"

    async def run() -> Any:
        # the service's parts, not started: a replayed letter goes through its consumer's checks and handlers
        runtime = Runtime(spec, settings, SystemClock())
        try:
            await runtime.migrate()
            if args.command == "outbox":
                return await outbox_status(runtime.session_factory, spec.tables, runtime.clock.now())
            desk = ops_desk(runtime)
            filters = {"event_type": args.event_type, "reason": args.reason, "correlation_id": args.correlation_id}
            if args.action == "list":
                return [letter_view(letter, action) for letter, action in await desk.letters(**filters)]
            if args.action == "show":
                letter, action = await desk.one(args.id)
                return {**letter_view(letter, action), "value": letter.value.decode(errors="replace")}
            if args.action == "replay":
                ids = args.ids or [d.id for d, action in await desk.letters(**filters) if action is None]
                return {"replayed": await desk.replay(ids, actor=actor, reason=args.note)}
            await desk.discard(args.id, actor=actor, reason=args.discard_reason)
            return {"discarded": args.id}
        finally:
            for consumer in runtime.consumers:
                await consumer.stop()
            await runtime.engine.dispose()

    try:
        result = asyncio.run(run())
    except DomainError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    print(json.dumps(result, ensure_ascii=False, indent=1, default=str))
    return 0


def _audit(args: argparse.Namespace) -> int:
    """Recompute a service's audit chain (and with --rows each record's row); exit 1 and name what does not fit."""
    spec, settings = service_spec(args.service), _settings(args.service)

    async def run() -> tuple[audit.Verdict, audit.RowsVerdict | None]:
        engine = create_engine(settings.database_url)
        try:
            async with session_factory(engine)() as session:
                chain = await audit.verify(session, spec.tables)
                rows = await audit.verify_rows(session, spec.tables, spec.metadata) if args.rows else None
                return chain, rows
        finally:
            await engine.dispose()

    verdict, rows = asyncio.run(run())
    if verdict.intact:
        print(f"{args.service}: the audit chain is intact ({verdict.entries} entries)")
    else:
        print(
            f"{args.service}: the audit chain is broken at entry {verdict.broken_at}: {verdict.reason} "
            f"({verdict.entries} entries before it are intact)"
        )
    if rows is not None:
        for d in rows.differences:
            print(
                f"{args.service}: {d.subject_type} {d.subject_id} ({d.table}): {d.reason} — it does not match entry "
                f"{d.seq} ({d.action}, {d.at.isoformat()}), the last act that wrote it"
            )
        print(f"{args.service}: {rows.checked} records checked against their last act, {len(rows.differences)} differ")
    return 0 if verdict.intact and (rows is None or rows.intact) else 1


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m liandong", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    commands = parser.add_subparsers(dest="command", required=True)

    deadline = commands.add_parser("deadline", help="when does a window end, and why")
    deadline.add_argument("--kind", required=True, help="a kind name (python -m liandong kinds)")
    deadline.add_argument("--start", required=True, help="ISO 8601 with a time zone, e.g. 2025-09-26T10:00+08:00")
    deadline.add_argument("--window", type=positive, help="another window than the kind's (an extension)")
    deadline.add_argument("--extra-days", type=not_negative, default=0)
    deadline.add_argument(
        "--holiday", type=date.fromisoformat, action="append", default=[], help="an extra holiday (repeatable)"
    )
    deadline.add_argument(
        "--workday", type=date.fromisoformat, action="append", default=[], help="an extra working day (repeatable)"
    )
    deadline.add_argument(
        "--custody",
        choices=["yes", "no"],
        help="whether the person is held (a custody period never extends past a holiday); default: the kind's rule",
    )
    deadline.add_argument("--json", action="store_true")
    deadline.set_defaults(run=_deadline)

    kinds = commands.add_parser("kinds", help="the deadline catalogue")
    kinds.add_argument("--json", action="store_true")
    kinds.set_defaults(run=_kinds)

    kafka = commands.add_parser("kafka", help="provision the broker: the topic catalogue and each service's ACLs")
    kafka.add_argument("action", choices=["provision", "acls"])
    kafka.add_argument("--bootstrap", help="default: LIANDONG_KAFKA_BOOTSTRAP or 127.0.0.1:9092")
    kafka.add_argument("--partitions", type=int, default=6)
    kafka.add_argument(
        "--replication-factor", type=positive, help="default: the number of brokers, up to 3 (3 on a 3-broker cluster)"
    )
    kafka.add_argument(
        "--principal",
        action="append",
        default=[],
        metavar="AGENCY=USERNAME",
        help="a service's principal when not named after its agency (its KAFKA_USERNAME); repeatable",
    )
    kafka.set_defaults(run=_kafka)

    users = commands.add_parser("users", help="create and change staff accounts of a service (audited)")
    users.add_argument("--service", required=True, choices=["court", "police", "procuratorate"])
    users.add_argument(
        "--actor", help="the operator making the change, as recorded (required in production; else the OS user)"
    )
    actions = users.add_subparsers(dest="action", required=True)
    add = actions.add_parser("add", help="a new account; the password is read from standard input")
    add.add_argument("--username", required=True)
    add.add_argument("--display-name", required=True)
    add.add_argument("--role", required=True)
    add.add_argument("--unit", required=True)
    actions.add_parser("list", help="the accounts: username, role, unit, active or disabled")
    disable = actions.add_parser("disable", help="the account can no longer log in")
    disable.add_argument("--username", required=True)
    enable = actions.add_parser("enable", help="a disabled account can log in again")
    enable.add_argument("--username", required=True)
    reset = actions.add_parser("reset-password", help="a new password, read from standard input (audited)")
    reset.add_argument("--username", required=True)
    set_role = actions.add_parser("set-role", help="another role (and unit) for the account")
    set_role.add_argument("--username", required=True)
    set_role.add_argument("--role", required=True)
    set_role.add_argument("--unit")
    unlock = actions.add_parser("unlock", help="lift a login lockout (failed logins forgotten)")
    who = unlock.add_mutually_exclusive_group(required=True)
    who.add_argument("--username")
    who.add_argument("--address", help="a client address locked out for failed logins")
    users.set_defaults(run=_users)

    dlq = commands.add_parser("dlq", help="a service's dead letters: list, show, replay, discard (recorded)")
    dlq.add_argument("--service", required=True, choices=["court", "police", "procuratorate"])
    dlq.add_argument("--actor", help="the operator replaying or discarding (required in production; else the OS user)")
    dlq.add_argument("--event-type")
    dlq.add_argument("--reason", help="only letters dead-lettered for this reason (e.g. poison)")
    dlq.add_argument("--correlation-id")
    letters = dlq.add_subparsers(dest="action", required=True)
    # the filter is taken before the action or after it (`dlq … replay --event-type …`), as the runbook writes it
    letter_filter = argparse.ArgumentParser(add_help=False)
    letter_filter.add_argument("--event-type", default=argparse.SUPPRESS)
    letter_filter.add_argument("--correlation-id", default=argparse.SUPPRESS)
    letters.add_parser(
        "list", parents=[letter_filter], help="the letters matching the filter, with what was done with each"
    )
    show = letters.add_parser("show", help="one letter, with the event as it was")
    show.add_argument("id", help="<dead-letter topic>/<partition>/<offset>")
    replay = letters.add_parser(
        "replay",
        parents=[letter_filter],
        help="applied again by the service's consumer (the inbox guards); all matching if no id",
    )
    replay.add_argument("ids", nargs="*")
    replay.add_argument("--note", required=True, help="why (recorded)")
    discard = letters.add_parser("discard", help="drop a letter, with the reason (recorded)")
    discard.add_argument("id")
    discard.add_argument("--reason", dest="discard_reason", required=True)
    dlq.set_defaults(run=_ops)

    chain = commands.add_parser("audit", help="a service's audit trail: verify its hash chain")
    chain.add_argument("action", choices=["verify"])
    chain.add_argument("--service", required=True, choices=["court", "police", "procuratorate"])
    chain.add_argument(
        "--rows", action="store_true", help="also recompute each record's row against the last act that wrote it"
    )
    chain.set_defaults(run=_audit)

    outbox = commands.add_parser("outbox", help="a service's outbox: unpublished rows, oldest age, rows backing off")
    outbox.add_argument("--service", required=True, choices=["court", "police", "procuratorate"])
    outbox.add_argument("action", choices=["status"])
    outbox.set_defaults(run=_ops, actor=None)

    schema = commands.add_parser(
        "migrations", help="a service's database schema: where it stands against this code; migrate ahead of a rollout"
    )
    schema.add_argument("--service", required=True, choices=["court", "police", "procuratorate"])
    schema.add_argument("action", choices=["status", "upgrade"])
    schema.set_defaults(run=_migrations)

    saving = commands.add_parser("backup", help="a copy of a service's database, taken while it runs")
    saving.add_argument("--service", required=True, choices=["court", "police", "procuratorate"])
    saving.add_argument("--out", help="the backup file (default: <service>-<time>.backup here)")
    saving.set_defaults(run=_backup)
    restoring = commands.add_parser(
        "restore", help="replace a stopped service's database with a backup; its consumers rewind at the next start"
    )
    restoring.add_argument("--service", required=True, choices=["court", "police", "procuratorate"])
    restoring.add_argument("--from", dest="source", help="the backup file")
    restoring.add_argument("--report", action="store_true", help="the acts lost with the disk (after the start)")
    restoring.add_argument("--acknowledge", action="store_true", help="the lost acts were re-entered (with --note)")
    restoring.add_argument("--note", help="what was done with the lost acts (recorded)")
    restoring.add_argument("--actor", help="the operator (recorded; required in production)")
    restoring.set_defaults(run=_restore)

    args = parser.parse_args(argv)
    try:
        code: int = args.run(args)
    except (Refused, restore.RestoreError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except Exception as exc:
        if not unreachable(exc):
            raise
        print(f"error: {unreachable(exc)}: {(str(exc).splitlines() or [type(exc).__name__])[0][:300]}", file=sys.stderr)
        return 1
    return code


def unreachable(exc: BaseException) -> str:
    """What a command could not reach, when that is why it failed ('' otherwise): one line, not a traceback."""
    if isinstance(exc, KafkaError) or "kafka" in type(exc).__module__:
        return "the broker cannot be reached or refused the command"
    if isinstance(exc, TimeoutError):  # before OSError, of which it is one
        return "no answer in time"
    if database_unavailable(exc) or isinstance(exc, OSError):
        return "the database cannot be reached"
    return ""


def positive(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"{value}: a window is 1 or more")
    return value


def not_negative(text: str) -> int:
    value = int(text)
    if value < 0:
        raise argparse.ArgumentTypeError(f"{value}: 0 or more")
    return value


if __name__ == "__main__":
    raise SystemExit(main())
