"""Command line of the shared library.

python -m liandong deadline --kind police_filing_decision --start 2025-09-26T10:00+08:00 [--json]
python -m liandong kinds [--json]
python -m liandong topics --bootstrap 127.0.0.1:9092
python -m liandong users --service court add --username … --display-name … --role … --unit … < password
python -m liandong users --service court disable --username …
python -m liandong users --service court set-role --username … --role … [--unit …]

`users` works on the service's own database, as its environment configures it (COURT_DATABASE_URL, …), migrating
it first; every change is recorded in the `account_audit` table with the operator's name.
"""

from __future__ import annotations

import argparse
import asyncio
import getpass
import importlib
import json
import sys
from datetime import date, datetime
from typing import Any

from liandong import accounts
from liandong.clock import SystemClock
from liandong.contracts import topics
from liandong.errors import DomainError
from liandong.messaging.admin import ensure_topics
from liandong.messaging.dlq import DeadLetterDesk, letter_view, outbox_status
from liandong.persistence import migrations
from liandong.persistence.engine import create_engine, session_factory
from liandong.sla.calendar import LegalCalendar
from liandong.sla.counting import NaiveTime, compute_due
from liandong.sla.kinds import CATALOGUE, UnknownKind, kind


def _deadline(args: argparse.Namespace) -> int:
    try:
        spec = kind(args.kind)
        start = datetime.fromisoformat(args.start)
        calendar = LegalCalendar(args.holiday, args.workday)
        due = compute_due(spec, start, window=args.window, extra_days=args.extra_days, calendar=calendar)
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


def _topics(args: argparse.Namespace) -> int:
    created = asyncio.run(
        ensure_topics(
            args.bootstrap, topics.catalogue(), partitions=args.partitions, replication_factor=args.replication_factor
        )
    )
    print(f"{len(created)} topics created: {', '.join(created) or '-'}")
    return 0


def _users(args: argparse.Namespace) -> int:
    # the service is named at run time, like uvicorn's factory: the library does not import the services
    service = importlib.import_module(f"liandong_{args.service}.bootstrap").spec()
    settings = importlib.import_module(f"liandong_{args.service}.config").__dict__[
        f"{args.service.capitalize()}Settings"
    ]()
    actor = f"cli:{args.actor or getpass.getuser()}"
    password = ""
    if args.action == "add":
        password = getpass.getpass("password: ") if sys.stdin.isatty() else sys.stdin.readline().rstrip("\n")

    async def run() -> None:
        await migrations.upgrade_async(service.migrations, settings.database_url)
        engine = create_engine(settings.database_url)
        try:
            async with session_factory(engine)() as session:
                common = dict(roles=service.roles, actor=actor)
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
                elif args.action == "disable":
                    await accounts.change_user(
                        session, service.tables, SystemClock(), username=args.username, active=False, **common
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
    print(f"{args.action}: {args.username} ({args.service}), recorded as {actor}")
    return 0


def _service(name: str) -> tuple[Any, Any]:
    """The service's spec and settings (named at run time: the library does not import the services)."""
    spec = importlib.import_module(f"liandong_{name}.bootstrap").spec()
    settings = importlib.import_module(f"liandong_{name}.config").__dict__[f"{name.capitalize()}Settings"]()
    return spec, settings


def _ops(args: argparse.Namespace) -> int:
    """Dead letters and the outbox of one service, as ops act on them (each replay and discard is recorded)."""
    spec, settings = _service(args.service)
    actor = f"cli:{args.actor or getpass.getuser()}"

    async def run() -> Any:
        await migrations.upgrade_async(spec.migrations, settings.database_url)
        engine = create_engine(settings.database_url)
        try:
            sessions = session_factory(engine)
            if args.command == "outbox":
                return await outbox_status(sessions, spec.tables, SystemClock().now())
            desk = DeadLetterDesk(
                bootstrap=settings.kafka_bootstrap_servers,
                group_id=f"liandong.{spec.agency}",
                sessions=sessions,
                tables=spec.tables,
                clock=SystemClock(),
            )
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
            await engine.dispose()

    try:
        result = asyncio.run(run())
    except DomainError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    print(json.dumps(result, ensure_ascii=False, indent=1, default=str))
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m liandong", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    commands = parser.add_subparsers(dest="command", required=True)

    deadline = commands.add_parser("deadline", help="when does a window end, and why")
    deadline.add_argument("--kind", required=True, help="a kind name (python -m liandong kinds)")
    deadline.add_argument("--start", required=True, help="ISO 8601 with a time zone, e.g. 2025-09-26T10:00+08:00")
    deadline.add_argument("--window", type=int, help="another window than the kind's (an extension)")
    deadline.add_argument("--extra-days", type=int, default=0)
    deadline.add_argument(
        "--holiday", type=date.fromisoformat, action="append", default=[], help="an extra holiday (repeatable)"
    )
    deadline.add_argument(
        "--workday", type=date.fromisoformat, action="append", default=[], help="an extra working day (repeatable)"
    )
    deadline.add_argument("--json", action="store_true")
    deadline.set_defaults(run=_deadline)

    kinds = commands.add_parser("kinds", help="the deadline catalogue")
    kinds.add_argument("--json", action="store_true")
    kinds.set_defaults(run=_kinds)

    topic = commands.add_parser("topics", help="create the topic catalogue on a broker")
    topic.add_argument("--bootstrap", default="127.0.0.1:9092")
    topic.add_argument("--partitions", type=int, default=6)
    topic.add_argument("--replication-factor", type=int, default=1)
    topic.set_defaults(run=_topics)

    users = commands.add_parser("users", help="create and change staff accounts of a service (audited)")
    users.add_argument("--service", required=True, choices=["court", "police", "procuratorate"])
    users.add_argument("--actor", help="who makes the change (default: the operating-system user)")
    actions = users.add_subparsers(dest="action", required=True)
    add = actions.add_parser("add", help="a new account; the password is read from standard input")
    add.add_argument("--username", required=True)
    add.add_argument("--display-name", required=True)
    add.add_argument("--role", required=True)
    add.add_argument("--unit", required=True)
    disable = actions.add_parser("disable", help="the account can no longer log in")
    disable.add_argument("--username", required=True)
    set_role = actions.add_parser("set-role", help="another role (and unit) for the account")
    set_role.add_argument("--username", required=True)
    set_role.add_argument("--role", required=True)
    set_role.add_argument("--unit")
    users.set_defaults(run=_users)

    dlq = commands.add_parser("dlq", help="a service's dead letters: list, show, replay, discard (recorded)")
    dlq.add_argument("--service", required=True, choices=["court", "police", "procuratorate"])
    dlq.add_argument("--actor", help="who acts (default: the operating-system user)")
    dlq.add_argument("--event-type")
    dlq.add_argument("--reason", help="only letters dead-lettered for this reason (e.g. poison)")
    dlq.add_argument("--correlation-id")
    letters = dlq.add_subparsers(dest="action", required=True)
    letters.add_parser("list", help="the letters matching the filter, with what was done with each")
    show = letters.add_parser("show", help="one letter, with the event as it was")
    show.add_argument("id", help="<dead-letter topic>/<partition>/<offset>")
    replay = letters.add_parser("replay", help="back onto its topic (the inbox still guards); all matching if no id")
    replay.add_argument("ids", nargs="*")
    replay.add_argument("--note", required=True, help="why (recorded)")
    discard = letters.add_parser("discard", help="drop a letter, with the reason (recorded)")
    discard.add_argument("id")
    discard.add_argument("--reason", dest="discard_reason", required=True)
    dlq.set_defaults(run=_ops)

    outbox = commands.add_parser("outbox", help="a service's outbox: unpublished rows, oldest age, rows backing off")
    outbox.add_argument("--service", required=True, choices=["court", "police", "procuratorate"])
    outbox.add_argument("action", choices=["status"])
    outbox.set_defaults(run=_ops, actor=None)

    args = parser.parse_args(argv)
    code: int = args.run(args)
    return code


if __name__ == "__main__":
    raise SystemExit(main())
