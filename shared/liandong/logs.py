"""Structured JSON logs, one object per line, carrying the service name and the matter's correlation id."""

from __future__ import annotations

import contextvars
import json
import logging
import sys
from datetime import UTC, datetime

from liandong.pii import scrub

correlation_id: contextvars.ContextVar[str | None] = contextvars.ContextVar("correlation_id", default=None)


class JsonFormatter(logging.Formatter):
    def __init__(self, service: str) -> None:
        super().__init__()
        self.service = service

    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "ts": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "service": self.service,
            "logger": record.name,
            "message": scrub(record.getMessage()),  # no identity or mobile number in a log line
        }
        cid = getattr(record, "correlation_id", None) or correlation_id.get()
        if cid:
            entry["correlation_id"] = cid
        request_id = getattr(record, "request_id", None)
        if request_id:
            entry["request_id"] = request_id
        fields = getattr(record, "fields", None)  # named fields of the line (the access log's status, route, …)
        if isinstance(fields, dict):
            entry.update({k: v for k, v in fields.items() if k not in entry})
        if record.exc_info:
            entry["exception"] = scrub(self.formatException(record.exc_info))
        return json.dumps(entry, ensure_ascii=False)


class RepeatLimit(logging.Filter):
    """At most one line a minute of each repeated message of a chatty library (aiokafka logs every failed connect
    during a broker outage: thousands of lines a minute); the line that follows a quiet spell says how many were
    left out."""

    def __init__(self, seconds: float = 60.0) -> None:
        super().__init__()
        self.seconds = seconds
        self._last: dict[tuple[str, int, object], tuple[float, int]] = {}

    def filter(self, record: logging.LogRecord) -> bool:
        key = (record.name, record.levelno, record.msg)
        now = record.created
        last = self._last.get(key)
        if last is not None and now - last[0] < self.seconds:
            self._last[key] = (last[0], last[1] + 1)
            return False
        left_out = last[1] if last is not None else 0
        self._last[key] = (now, 0)
        if len(self._last) > 1000:  # messages that vary (a changing address): never more than this many kept
            self._last.clear()
        if left_out:
            record.msg = f"{record.msg} (and {left_out} more like it in the last minute)"
        return True


def configure(service: str, level: str = "INFO") -> None:
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonFormatter(service))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    logging.getLogger("aiokafka").setLevel(logging.WARNING)
    for chatty in ("aiokafka", "kafka"):
        library = logging.getLogger(chatty)
        library.filters[:] = [f for f in library.filters if not isinstance(f, RepeatLimit)]
        library.addFilter(RepeatLimit())
    # uvicorn's own loggers (its start-up, its errors) write through the root's JSON handler, like every line
    for name in ("uvicorn", "uvicorn.error", "uvicorn.access"):
        server = logging.getLogger(name)
        server.handlers[:] = []
        server.propagate = True
        server.disabled = False  # a logging config applied earlier (uvicorn's own) may have disabled it
        server.setLevel(logging.NOTSET)  # the root's level, as for every other line
    logging.getLogger("uvicorn.access").setLevel(logging.WARNING)
    # a line per client request says no more than the access log of the service called (the console calls its own
    # API in process: the access log shows those calls under the page's request id)
    logging.getLogger("httpx").setLevel(logging.WARNING)
