"""A small HTTP client for the three services, logged in as the county's staff (development accounts)."""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

import httpx

from liandong.accounts import COUNTY_LOGINS

PASSWORD = "liandong-dev"
CLOCK_ADMIN = "city.admin"  # moves and reads the clocks (an administrator in each service)


class Refused(RuntimeError):
    """The service answered with an error where the tool expected success."""


@dataclass
class Services:
    court: str = "http://127.0.0.1:8001"
    police: str = "http://127.0.0.1:8002"
    procuratorate: str = "http://127.0.0.1:8003"
    http: httpx.Client = field(default_factory=lambda: httpx.Client(timeout=30))
    _tokens: dict[tuple[str, str], str] = field(default_factory=dict)

    def url(self, service: str) -> str:
        return str(getattr(self, service))

    def login(self, service: str, username: str, *, fresh: bool = False) -> dict[str, str]:
        key = (service, username)
        if fresh or key not in self._tokens:
            response = self.send("POST", service, "/auth/token", data={"username": username, "password": PASSWORD})
            if response.status_code != 200:
                raise Refused(f"login {username} at {service}: {response.text}")
            self._tokens[key] = response.json()["access_token"]
        return {"Authorization": f"Bearer {self._tokens[key]}"}

    def send(self, method: str, service: str, path: str, **kwargs: Any) -> httpx.Response:
        """One HTTP exchange with a service; every call goes through here (tools.chaos retries through crashes)."""
        return self.http.request(method, f"{self.url(service)}{path}", **kwargs)

    def forget_logins(self) -> None:
        """After the clocks move, yesterday's tokens have expired: staff log in again."""
        self._tokens.clear()

    def call(self, method: str, service: str, path: str, as_user: str, **kwargs: Any) -> Any:
        response = self.send(method, service, path, headers=self.login(service, as_user), **kwargs)
        if response.status_code >= 400:
            raise Refused(f"{method} {service}{path} as {as_user}: {response.status_code} {response.text}")
        return response.json() if response.content else None

    def exists(self, service: str, path: str, as_user: str) -> bool:
        """Whether the record is there yet (it travels between the services through the broker)."""
        headers = self.login(service, as_user)
        return self.send("GET", service, path, headers=headers).status_code == 200

    def get(self, service: str, path: str, as_user: str, **params: Any) -> Any:
        return self.call("GET", service, path, as_user, params=params)

    def post(self, service: str, path: str, as_user: str, body: Any = None) -> Any:
        return self.call("POST", service, path, as_user, json=body)

    def advance(self, seconds: float) -> None:
        """Move the three services' clocks (development and test stacks started with the clock control)."""
        self._move_clocks({"advance_seconds": seconds})

    def _move_clocks(self, move: dict[str, Any]) -> None:
        for service in ("court", "police", "procuratorate"):
            response = self._clock_control("POST", service, json=move)
            if response.status_code != 200:
                raise Refused(f"the clock of {service} cannot be moved: {response.status_code} {response.text}")
        self.forget_logins()

    def advance_to(self, instant: str) -> None:
        """Move the three services' clocks forward to `instant`, e.g. a window's due_at or next_fire_at: one step
        for all three, measured on the court's clock, so that they keep showing the same time (each moved to the
        instant by itself a moment apart would leave the later ones behind)."""
        step = (datetime.fromisoformat(instant) - datetime.fromisoformat(self.clock("court")["now"])).total_seconds()
        if step > 0:
            self.advance(step)

    def clock(self, service: str) -> dict[str, Any]:
        """A service's clock: its `now` and `offset_seconds` (read by an administrator)."""
        response = self._clock_control("GET", service)
        if response.status_code != 200:
            raise Refused(
                f"the clock of {service} cannot be read ({response.status_code}): start the system with the clock"
                " control (make run RUN_ARGS=--clock-control, or make demo, which starts it so)"
            )
        return dict(response.json())

    def _clock_control(self, method: str, service: str, **kwargs: Any) -> httpx.Response:
        """/testing/clock as the service's administrator, logged in again when a move has expired the token."""
        response = self.send(method, service, "/testing/clock", headers=self.login(service, CLOCK_ADMIN), **kwargs)
        if response.status_code == 401:
            headers = self.login(service, CLOCK_ADMIN, fresh=True)
            response = self.send(method, service, "/testing/clock", headers=headers, **kwargs)
        return response

    def now(self) -> str:
        return str(self.clock("court")["now"])

    def serve_notice(self, lead_id: str, officer: str, number: str) -> Any:
        """The court serves the 告知书 on the lead now (the services' time); every referral states it."""
        return self.post(
            "court", f"/leads/{lead_id}/notice", officer, {"served_at": self.now(), "notice_number": number}
        )

    def window(self, service: str, user: str, subject_id: str, kind: str) -> dict[str, Any]:
        """The subject's window of `kind` as the service shows it: its due_at, next_fire_at (the next warning or the
        breach) and state. Tools wait on a window by these, never by a count of days."""
        items = self.get(service, "/deadlines", user, subject_id=subject_id, kind=kind)["items"]
        if len(items) != 1:
            raise Refused(f"{service} shows {len(items)} windows of {kind} on {subject_id}")
        return dict(items[0])


def instant(text: str) -> datetime:
    """An ISO instant with its offset (the tools' --start-at)."""
    try:
        value = datetime.fromisoformat(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"{text!r} is not an ISO instant, e.g. 2026-09-30T17:00+08:00") from exc
    if value.tzinfo is None:
        raise argparse.ArgumentTypeError(f"{text!r} has no offset: write e.g. 2026-09-30T17:00+08:00")
    return value


def just_after(instant: str) -> str:
    """A minute past an instant the services gave (a window's due_at): the window has run out by then."""
    return (datetime.fromisoformat(instant) + timedelta(minutes=1)).isoformat()


def staff(unit: str, role: str) -> str:
    """The development account of a county's staff, e.g. staff("421222", "officer") → tongcheng.officer."""
    return f"{COUNTY_LOGINS[unit]}.{role}"


def until(check: Callable[[], bool], what: str, timeout: float = 60.0, interval: float = 0.2) -> None:
    """Poll with a deadline: events travel between the services through the broker."""
    deadline = time.monotonic() + timeout
    while not check():
        if time.monotonic() > deadline:
            raise TimeoutError(f"waited {timeout}s for {what}")
        time.sleep(interval)
