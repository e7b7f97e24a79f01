"""A lean open-loop HTTP/1.1 driver for the load benchmark: keep-alive connections over asyncio streams, a request
written as bytes and its answer read by Content-Length. A general client (httpx) costs the driver ~1 ms of CPU a
request, which on a small machine takes the CPU the service under test needs; this one costs a fraction of that,
and the benchmark reports how late requests left so a driver that fell behind shows."""

from __future__ import annotations

import asyncio
import json
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit


class DriverError(RuntimeError):
    """The answer could not be read as HTTP/1.1."""


class _ClosedBeforeAnswer(DriverError):
    pass


@dataclass(eq=False)
class _Connection:
    reader: asyncio.StreamReader
    writer: asyncio.StreamWriter


@dataclass
class RawClient:
    base_url: str
    headers: dict[str, str]
    _idle: list[_Connection] = field(default_factory=list)
    _open: set[_Connection] = field(default_factory=set)

    def __post_init__(self) -> None:
        parts = urlsplit(self.base_url)
        self._host, self._port = parts.hostname or "127.0.0.1", parts.port or 80
        fixed = {"Host": f"{self._host}:{self._port}", **self.headers}
        self._fixed = "".join(f"{k}: {v}\r\n" for k, v in fixed.items())

    async def request(self, method: str, path: str, body: Any = None) -> int:
        """Send one request and read its whole answer; the HTTP status."""
        payload = b"" if body is None else json.dumps(body, ensure_ascii=False).encode()
        head = f"{method} {path} HTTP/1.1\r\n{self._fixed}"
        if body is not None:
            head += "Content-Type: application/json\r\n"
        head += f"Content-Length: {len(payload)}\r\n\r\n"
        reused = bool(self._idle)
        connection = self._idle.pop() if reused else await self._connect()
        try:
            connection.writer.write(head.encode() + payload)
            status, keep = await self._answer(connection.reader)
        except _ClosedBeforeAnswer:
            self._close(connection)
            if not reused:
                raise
            # the server closed a keep-alive connection while it sat idle (it never read this request): once more,
            # on a new connection, as any HTTP client does
            return await self.request(method, path, body)
        except BaseException:
            self._close(connection)
            raise
        if keep:
            self._idle.append(connection)
        else:
            self._close(connection)
        return status

    async def close(self) -> None:
        for connection in list(self._open):
            self._close(connection)
        self._idle.clear()

    async def _connect(self) -> _Connection:
        reader, writer = await asyncio.open_connection(self._host, self._port)
        connection = _Connection(reader, writer)
        self._open.add(connection)
        return connection

    def _close(self, connection: _Connection) -> None:
        self._open.discard(connection)
        connection.writer.close()

    @staticmethod
    async def _answer(reader: asyncio.StreamReader) -> tuple[int, bool]:
        status_line = await reader.readline()
        if not status_line:
            raise _ClosedBeforeAnswer("the connection closed before an answer")
        try:
            status = int(status_line.split(b" ", 2)[1])
        except (IndexError, ValueError) as exc:
            raise DriverError(f"not an HTTP status line: {status_line!r}") from exc
        length, keep = 0, True
        while (line := await reader.readline()) not in (b"\r\n", b""):
            name, _, value = line.partition(b":")
            name = name.strip().lower()
            if name == b"content-length":
                length = int(value.strip())
            elif name == b"connection" and value.strip().lower() == b"close":
                keep = False
            elif name == b"transfer-encoding":
                raise DriverError("chunked answers are not expected from these APIs")
        if length:
            await reader.readexactly(length)
        return status, keep
