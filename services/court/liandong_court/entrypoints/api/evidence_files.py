"""What evidence files the court accepts: a size limit and content types checked against the file's first bytes."""

from __future__ import annotations

from liandong.api.errors import ApiError

OOXML = b"PK\x03\x04"
ACCEPTED: dict[str, tuple[bytes, ...] | None] = {
    "application/pdf": (b"%PDF-",),
    "image/jpeg": (b"\xff\xd8\xff",),
    "image/png": (b"\x89PNG\r\n\x1a\n",),
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": (OOXML,),
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": (OOXML,),
    "text/csv": None,  # text: must decode as UTF-8
    "text/plain": None,
}


def check_file(content: bytes, content_type: str, max_bytes: int) -> str:
    """The normalised content type, or a 413/415 with the JSON error model."""
    if len(content) > max_bytes:
        raise ApiError(413, "file_too_large", f"an evidence file is at most {max_bytes} bytes")
    if not content:
        raise ApiError(422, "empty_file", "the evidence file is empty")
    kind = content_type.split(";")[0].strip().lower()
    if kind not in ACCEPTED:
        raise ApiError(
            415,
            "unsupported_media_type",
            f"{kind or 'no content type'} is not accepted; accepted: {', '.join(sorted(ACCEPTED))}",
        )
    signatures = ACCEPTED[kind]
    if signatures is None:
        try:
            content.decode("utf-8")
        except UnicodeDecodeError:
            raise ApiError(415, "content_type_mismatch", f"the file is not UTF-8 text as {kind} says") from None
    elif not content.startswith(signatures):
        raise ApiError(415, "content_type_mismatch", f"the file's content is not {kind}")
    return kind
