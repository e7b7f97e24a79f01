"""Personal information is masked in logs and list views (docs/architecture.md, "Security and units")."""

from __future__ import annotations

import re
from typing import Any

import orjson
from pydantic import ValidationError

# 居民身份证号 (18: 17 digits and a digit or X; the old 15 digits) and mainland mobile numbers, wherever they stand
_ID_NUMBER = re.compile(r"(?<![0-9A-Za-z])(\d{17}[\dXx]|\d{15})(?![0-9A-Za-z])")
_PHONE = re.compile(r"(?<!\d)(1[3-9]\d{9})(?!\d)")


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


# either number in an answer's bytes, as the patterns above say (kept as the definition the fast scan must agree with)
_PERSONAL_NUMBER_BYTES = re.compile(rb"(?<![0-9A-Za-z])(?:\d{17}[\dXx]|\d{15})(?![0-9A-Za-z])|(?<!\d)1[3-9]\d{9}(?!\d)")

# The read log looks at every JSON answer a member of staff gets. Either number is a run of at least eleven digits:
# the answer's bytes are mapped to "digit or not" (one C pass) and searched for such runs; only those are looked at.
_DIGIT_OR_NOT = bytes(0x30 if 0x30 <= b <= 0x39 else 0x20 for b in range(256))
_ALNUM = frozenset(b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz")
_RUN = b"0" * 11


def shows_personal_numbers(body: bytes) -> bool:
    """Whether an answer's bytes hold an identity or mobile number in full (a masked one does not count)."""
    digits = body.translate(_DIGIT_OR_NOT)
    start = digits.find(_RUN)
    while start != -1:
        end = digits.find(b" ", start)
        end = len(body) if end == -1 else end
        if _personal_run(body, start, end):
            return True
        start = digits.find(_RUN, end)
    return False


def _personal_run(body: bytes, start: int, end: int) -> bool:
    """Whether the run of digits body[start:end] (11 or more, digits on neither side) is a personal number."""
    length = end - start
    if length == 11 and body[start] == 0x31 and body[start + 1] in b"3456789":
        return True  # a mobile number: eleven digits, no digit on either side
    letter_before = start > 0 and body[start - 1] in _ALNUM
    if letter_before:
        return False
    if length == 17 and end < len(body) and body[end] in b"Xx":
        end += 1
    elif length not in (15, 18):
        return False
    return end == len(body) or body[end] not in _ALNUM


def scrub(text: str) -> str:
    """Any identity or mobile number in free text masked (log lines, error messages that leave the process)."""
    text = _ID_NUMBER.sub(lambda m: mask_id_number(m.group(1)) or "", text)
    return _PHONE.sub(lambda m: mask_phone(m.group(1)) or "", text)


def error_text(exc: BaseException) -> str:
    """An error as it may leave the process (a dead letter's header, the ops desk, a log line): a validation error
    by its locations and messages only — never the input values pydantic would quote — and personal numbers masked
    in whatever remains."""
    if isinstance(exc, ValidationError):
        problems = "; ".join(
            f"{'.'.join(str(part) for part in e['loc']) or '(root)'}: {e['msg']}"
            for e in exc.errors(include_input=False, include_url=False)
        )
        return scrub(f"{exc.title}: {exc.error_count()} validation error(s): {problems}")
    return scrub(str(exc))


PERSONAL_FIELDS = {"id_number": mask_id_number, "phone": mask_phone, "contact": scrub, "tipster_contact": scrub}


def mask_personal_numbers(value: Any) -> Any:
    """A serialized record with the fields that hold identity and phone numbers masked, however deep they sit
    (suspects of an arrest request of a case, a trial's defendants)."""
    if isinstance(value, dict):
        return {
            k: (PERSONAL_FIELDS[k](v) if k in PERSONAL_FIELDS and isinstance(v, str) else mask_personal_numbers(v))
            for k, v in value.items()
        }
    if isinstance(value, list):
        return [mask_personal_numbers(v) for v in value]
    return value


# a personal field with a string value in compact JSON (as the API writes it): its key, then the string's raw bytes
_PERSONAL_FIELD_JSON = re.compile(rb'"(' + "|".join(PERSONAL_FIELDS).encode() + rb')":"((?:[^"\\]|\\.)*)"')


def mask_personal_fields(body: bytes) -> bytes:
    """A JSON answer with its personal fields masked wherever they stand — what `mask_personal_numbers` does to the
    decoded value, done in one scan of the bytes (a list answer is neither decoded nor encoded again)."""

    def masked(match: re.Match[bytes]) -> bytes:
        key = match.group(1)
        value = PERSONAL_FIELDS[key.decode()](orjson.loads(b'"' + match.group(2) + b'"'))
        return b'"' + key + b'":' + orjson.dumps(value)

    return _PERSONAL_FIELD_JSON.sub(masked, body)
