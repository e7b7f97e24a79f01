"""A document's HTML (Jinja2, for the screen and as the PDF's source) and its PDF (WeasyPrint, with a CJK font).

The layout is the statutory one: the issuing body and the title centred, the number on the right, the addressee, the
body naming the facts, the legal basis, the issuing body and the date; attachments (a referral's list of materials)
follow as a table. PDFs are drawn in one worker thread, outside the event loop; WeasyPrint is imported on first use
(its import alone takes half a second).
"""

from __future__ import annotations

import asyncio
import io
import logging
from collections.abc import Callable, Iterable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined

from liandong.documents.kinds import DocumentKind, issuer
from liandong.sla.counting import SHANGHAI

TEMPLATES = Environment(
    loader=FileSystemLoader(Path(__file__).parent / "templates"), autoescape=True, undefined=StrictUndefined
)
_drawing = ThreadPoolExecutor(max_workers=1, thread_name_prefix="pdf")
for _chatty in ("weasyprint.progress", "fontTools"):  # a line per step of every PDF, and the font subsetter's
    logging.getLogger(_chatty).setLevel(logging.WARNING)


@dataclass(frozen=True)
class Draft:
    """What a document says, drawn from the record at the moment of the act."""

    kind: DocumentKind
    issuer: str
    number: str
    addressee: str
    paragraphs: tuple[str, ...]
    issued_on: date
    attachment_title: str = ""
    attachment_columns: tuple[str, ...] = ()
    attachment_rows: tuple[tuple[str, ...], ...] = ()
    attachment_digests: tuple[str, ...] = ()  # each row's file by its SHA-256, printed whole on a line of its own
    corrects: str | None = None  # the number of the document this one corrects
    extra: dict[str, Any] = field(default_factory=dict)


Drawing = Callable[[str], Draft]


def shanghai_day(at: datetime | str) -> date:
    """The day in Shanghai of an instant (or of its ISO form, as records keep it)."""
    moment = datetime.fromisoformat(at) if isinstance(at, str) else at
    return moment.astimezone(SHANGHAI).date()


def paper(
    kind: DocumentKind,
    unit: str,
    addressee: str,
    paragraphs: Iterable[str],
    on: datetime | str,
    **attachment: Any,
) -> Drawing:
    """The drawing of a document whose text is known before its number: issued by the unit's body of the kind's
    agency, dated the day of `on` in Shanghai."""
    body = tuple(paragraphs)

    def draw(number: str) -> Draft:
        return Draft(
            kind=kind,
            issuer=issuer(kind.agency, unit),
            number=number,
            addressee=addressee,
            paragraphs=body,
            issued_on=shanghai_day(on),
            **attachment,
        )

    return draw


def chinese_date(day: date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def chinese_time(at: datetime) -> str:
    """A moment as printed, in Shanghai: 2026年9月30日17时05分."""
    local = at.astimezone(SHANGHAI)
    return f"{chinese_date(local.date())}{local:%H时%M分}"


def persons(people: Iterable[Mapping[str, Any]], *, with_ids: bool = True) -> str:
    """Persons and units as a document names them: 张三（公民身份号码…）；某公司 — the identity number in full where
    the document must carry it (`with_ids`)."""
    named = []
    for p in people:
        number = p.get("id_number")
        named.append(f"{p['name']}（公民身份号码{number}）" if with_ids and number else str(p["name"]))
    return "；".join(named) or "（无）"


def html_of(draft: Draft) -> str:
    return TEMPLATES.get_template("document.html").render(
        d=draft, kind=draft.kind, issued_on=chinese_date(draft.issued_on)
    )


def catalogue_html(
    title: str, columns: Sequence[str], rows: Sequence[Sequence[str]], digests: Sequence[str], note: str
) -> str:
    """A catalogue's table, each row followed by its file's SHA-256 on a line of its own."""
    return TEMPLATES.get_template("catalogue.html").render(
        title=title, columns=columns, rows=rows, digests=digests, note=note
    )


def _draw(html: str) -> tuple[bytes, int]:
    from weasyprint import HTML

    document = HTML(string=html).render()
    out = io.BytesIO()
    document.write_pdf(out)
    return out.getvalue(), len(document.pages)


async def pdf_of(html: str) -> tuple[bytes, int]:
    """The PDF of the HTML and its number of pages."""
    return await asyncio.get_running_loop().run_in_executor(_drawing, _draw, html)


async def warm() -> None:
    """Draw one small paper, so the PDF stack (WeasyPrint, fontTools, the CJK fonts: tens of thousands of objects
    that live as long as the process) is loaded before any act needs it — and before the process freezes what it
    keeps for good (liandong.gc_pauses)."""
    await pdf_of(catalogue_html("联动", ["序号", "文书"], [["1", "立案决定书"]], ["0" * 64], ""))
