"""Bulk import of enforcement cases from JSON or CSV, row by row, with a report of what was rejected and why."""

from __future__ import annotations

import csv
import io
import json
from typing import Any

from pydantic import ValidationError

from liandong.errors import DomainError

CSV_COLUMNS = (
    "case_number",
    "creditor",
    "debtor_name",
    "debtor_kind",
    "debtor_id_number",
    "debtor_legal_representative",
    "amount_owed",
    "amount_paid",
    "closure_type",
    "closure_date",
    "focus_categories",
    "unit",
)
MAX_ROWS = 5000


class UnreadableImport(DomainError):
    code = "unreadable_import"


def rows_from_json(raw: bytes) -> list[tuple[int, Any]]:
    try:
        data = json.loads(raw)
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise UnreadableImport(f"the body is not valid JSON: {exc}") from exc
    if not isinstance(data, list):
        raise UnreadableImport("a JSON import is an array of cases")
    return list(enumerate(data, start=1))


def rows_from_csv(raw: bytes) -> list[tuple[int, Any]]:
    """One case per row; further rows with the same case number add debtors to it.

    Columns: case_number, creditor, debtor_name, debtor_kind (person|unit), debtor_id_number,
    debtor_legal_representative, amount_owed, amount_paid, closure_type (terminated|concluded|ongoing),
    closure_date (YYYY-MM-DD), focus_categories (separated by ';'), unit (optional).
    """
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise UnreadableImport("a CSV import is UTF-8 text") from exc
    reader = csv.DictReader(io.StringIO(text))
    missing = [
        c
        for c in ("case_number", "creditor", "debtor_name", "debtor_kind", "amount_owed", "closure_type")
        if c not in (reader.fieldnames or [])
    ]
    if missing:
        raise UnreadableImport(f"the CSV header lacks the columns {missing}; expected {list(CSV_COLUMNS)}")
    cases: dict[str, tuple[int, dict[str, Any]]] = {}
    ordered: list[tuple[int, Any]] = []
    for line, row in enumerate(reader, start=2):
        if None in row:
            ordered.append((line, {"__error__": "the row has more fields than the header"}))
            continue
        values = {k: (v or "").strip() for k, v in row.items() if k is not None}
        debtor = {
            "name": values.get("debtor_name", ""),
            "kind": values.get("debtor_kind", ""),
            "id_number": values.get("debtor_id_number") or None,
            "legal_representative": values.get("debtor_legal_representative") or None,
        }
        number = values.get("case_number", "")
        if number and number in cases:
            cases[number][1]["debtors"].append(debtor)
            continue
        case: dict[str, Any] = {
            "case_number": number,
            "creditor": values.get("creditor", ""),
            "debtors": [debtor],
            "amount_owed": values.get("amount_owed", ""),
            "amount_paid": values.get("amount_paid") or "0",
            "closure_type": values.get("closure_type", ""),
            "closure_date": values.get("closure_date") or None,
            "focus_categories": [c.strip() for c in values.get("focus_categories", "").split(";") if c.strip()],
        }
        if values.get("unit"):
            case["unit"] = values["unit"]
        cases[number or f"#{line}"] = (line, case)
        ordered.append((line, case))
    return ordered


def validation_errors(exc: ValidationError) -> list[dict[str, Any]]:
    return [{"loc": list(e["loc"]), "msg": e["msg"], "type": e["type"]} for e in exc.errors()]
