"""Forms drawn from the API's own request schemas (OpenAPI), and the submitted form read back into the API's body.

A field of the schema becomes a form field by its type: text, a long text, a date, a time (Asia/Shanghai), a number,
a choice (an enum), a yes/no, a file, a group (an object), repeated rows (a list of objects), one line per value (a
list of strings) or one box per choice (a list of enum values, or a map keyed by an enum). Names are dotted paths
(`suspects.0.name`), the same as the `loc` of the API's 422 errors, so an error lands beside its field."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any

from starlette.datastructures import FormData, UploadFile

from liandong.sla.counting import SHANGHAI

REPEAT_ROWS = 3  # blank rows offered for a list of objects (empty rows are left out)


@dataclass
class Field:
    name: str
    label: str
    kind: str  # text|textarea|date|datetime|number|integer|select|checkbox|file|group|repeat|lines|choices|map
    required: bool = False
    options: list[tuple[str, str]] = field(default_factory=list)
    children: list[Field] = field(default_factory=list)
    rows: int = 0
    help: str = ""
    value: Any = None


Labeller = Callable[[str], str]


def resolve(schema: Mapping[str, Any], document: Mapping[str, Any]) -> dict[str, Any]:
    """The schema itself, its $ref followed, and an optional (anyOf with null) unwrapped."""
    current = dict(schema)
    while True:
        if "$ref" in current:
            name = current["$ref"].rsplit("/", 1)[-1]
            current = {**document["components"]["schemas"][name], **{k: v for k, v in current.items() if k != "$ref"}}
            continue
        variants = current.get("anyOf") or current.get("oneOf")
        if variants:
            real = [v for v in variants if v.get("type") != "null"]
            if len(real) == 1:
                rest = {k: v for k, v in current.items() if k not in ("anyOf", "oneOf")}
                current = {**rest, **real[0]}
                continue
            # a number or its string (Decimal): a number field
            if {v.get("type") for v in real} <= {"number", "string", "integer"}:
                return {**{k: v for k, v in current.items() if k not in ("anyOf", "oneOf")}, "type": "number"}
            return {**current, "type": "string"}
        return current


def body_schema(operation: Mapping[str, Any], document: Mapping[str, Any]) -> tuple[str, dict[str, Any]] | None:
    """The media type and schema of an operation's request body, or None when it takes none."""
    body = operation.get("requestBody")
    if not body:
        return None
    media, content = next(iter(body["content"].items()))
    return media, resolve(content["schema"], document)


def fields_of(schema: Mapping[str, Any], document: Mapping[str, Any], label: Labeller, prefix: str = "") -> list[Field]:
    required = set(schema.get("required", ()))
    return [
        field_of(f"{prefix}{name}", name, sub, document, label, name in required)
        for name, sub in schema.get("properties", {}).items()
    ]


def _options(schema: Mapping[str, Any], label: Labeller) -> list[tuple[str, str]]:
    return [(str(v), label(str(v))) for v in schema.get("enum", ())]


def field_of(
    path: str, name: str, raw: Mapping[str, Any], document: Mapping[str, Any], label: Labeller, required: bool
) -> Field:
    schema = resolve(raw, document)
    kind = schema.get("type", "string")
    base = Field(path, label(name), "text", required=required, help=label_help(schema))
    if "enum" in schema:
        return replace(base, kind="select", options=_options(schema, label))
    if kind == "boolean":
        return replace(base, kind="checkbox", value=schema.get("default"))
    if kind == "integer":
        return replace(base, kind="integer")
    if kind == "number":
        return replace(base, kind="number")
    if kind == "string":
        fmt = schema.get("format")
        if fmt == "binary" or "contentMediaType" in schema:
            return replace(base, kind="file")
        if fmt == "date":
            return replace(base, kind="date")
        if fmt == "date-time":
            return replace(base, kind="datetime")
        return replace(base, kind="textarea" if name in LONG_NAMES else "text")
    if kind == "array":
        item = resolve(schema.get("items", {}), document)
        if item.get("type") == "object" or "properties" in item:
            rows = min(REPEAT_ROWS, schema.get("maxItems", REPEAT_ROWS))
            return replace(base, kind="repeat", children=fields_of(item, document, label), rows=max(rows, 1))
        if "enum" in item:
            return replace(base, kind="choices", options=_options(item, label))
        if item.get("format") == "binary" or "contentMediaType" in item:
            return replace(base, kind="file")
        return replace(base, kind="lines")
    if kind == "object":
        keys = schema.get("propertyNames")
        if keys is not None and "additionalProperties" in schema:
            return replace(base, kind="map", options=_options(resolve(keys, document), label))
        return replace(base, kind="group", children=fields_of(schema, document, label, prefix=f"{path}."))
    return base


# free text fields that want room: reasons, summaries, notes, explanations
LONG_NAMES = frozenset(
    {
        "reasons",
        "reason",
        "summary",
        "note",
        "notes",
        "explanation",
        "override_reason",
        "facts",
        "content",
        "text",
        "outline",
        "violation",
    }
)


def label_help(schema: Mapping[str, Any]) -> str:
    return str(schema.get("description", ""))


def with_values(fields: list[Field], values: Mapping[str, Any]) -> list[Field]:
    """The fields holding the values last submitted (or prefilled), to show again."""
    shown = []
    for f in fields:
        if f.kind == "group":
            shown.append(replace(f, children=with_values(f.children, values)))
        elif f.kind == "repeat":
            rows = max(f.rows, _rows_submitted(f.name, values))
            shown.append(replace(f, rows=rows, value={k: v for k, v in values.items() if k.startswith(f"{f.name}.")}))
        elif f.kind in ("map", "choices"):
            shown.append(replace(f, value={k: v for k, v in values.items() if k.startswith(f"{f.name}.")}))
        elif f.name in values:
            shown.append(replace(f, value=values[f.name]))
        else:
            shown.append(f)
    return shown


def _rows_submitted(name: str, values: Mapping[str, Any]) -> int:
    indexes = [k[len(name) + 1 :].split(".", 1)[0] for k in values if k.startswith(f"{name}.")]
    return max((int(i) + 1 for i in indexes if i.isdigit()), default=0)


class FormProblem(ValueError):
    def __init__(self, name: str, message: str) -> None:
        super().__init__(message)
        self.name = name


def read_form(fields: list[Field], form: FormData) -> tuple[dict[str, Any], dict[str, UploadFile]]:
    """The JSON body and the files the form holds, by the fields it was drawn from. Empty optional fields are left
    out, so that the API's defaults apply."""
    files: dict[str, UploadFile] = {}
    body = _read(fields, form, files)
    return body, files


def _text(form: FormData, name: str) -> str:
    value = form.get(name)
    return value.strip() if isinstance(value, str) else ""


def _read(fields: list[Field], form: FormData, files: dict[str, UploadFile]) -> dict[str, Any]:
    body: dict[str, Any] = {}
    for f in fields:
        key = f.name.rsplit(".", 1)[-1]
        value = _value(f, form, files)
        if value is not None:
            body[key] = value
    return body


def _value(f: Field, form: FormData, files: dict[str, UploadFile]) -> Any:
    if f.kind == "group":
        inner = _read(f.children, form, files)
        return inner or None
    if f.kind == "repeat":
        rows = []
        for i in range(_rows_submitted(f.name, dict(form))):
            row_fields = [replace(c, name=f"{f.name}.{i}.{c.name}") for c in f.children]
            row = _read(row_fields, form, files)
            if row:
                rows.append(row)
        return rows or None
    if f.kind == "map":
        entries = {key: _text(form, f"{f.name}.{key}") for key, _ in f.options}
        chosen = {k: v for k, v in entries.items() if v}
        return chosen or None
    if f.kind == "choices":
        picked = [v for v in form.getlist(f.name) if isinstance(v, str) and v]
        return picked or None
    if f.kind == "lines":
        lines = [line.strip() for line in _text(form, f.name).splitlines() if line.strip()]
        return lines or None
    if f.kind == "checkbox":
        return form.get(f.name) is not None if form.get(f"{f.name}.shown") is not None else None
    if f.kind == "file":
        upload = form.get(f.name)
        if isinstance(upload, UploadFile) and upload.filename:
            files[f.name] = upload
        return None
    text = _text(form, f.name)
    if not text:
        return None
    if f.kind == "integer":
        try:
            return int(text)
        except ValueError as exc:
            raise FormProblem(f.name, "请填写整数") from exc
    if f.kind == "datetime":
        return shanghai_instant(text, f.name)
    return text


def shanghai_instant(text: str, name: str) -> str:
    """A time typed in Asia/Shanghai (a datetime-local field, no offset) as an ISO instant with its offset."""
    try:
        moment = datetime.fromisoformat(text)
    except ValueError as exc:
        raise FormProblem(name, "请按 年-月-日 时:分 填写时间") from exc
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=SHANGHAI)
    return moment.isoformat()


def error_name(loc: list[Any]) -> str:
    """The form field a 422 error's `loc` points at (`body.suspects.0.name` → `suspects.0.name`)."""
    parts = [str(p) for p in loc]
    if parts and parts[0] in ("body", "query", "path"):
        parts = parts[1:]
    return ".".join(parts)
