"""Another agency's service token calls exactly what its client needs — the police's claim check of referred evidence
at the court, and every agency's PDF of a document announced to the others — and is refused on every other route of
every service, by default (a route must ask for a scope)."""

from __future__ import annotations

import importlib
import re
from pathlib import Path

import pytest

from liandong.config import ServiceSettings
from liandong.runtime import AGENCY_SERVICES, service_spec
from tests.support.apps import running_app

SECRET = "police-client-secret-0123456789-0123456789"
ALLOWED = {  # the claim checks: scopes evidence:read and documents:read
    ("court", "GET", "/evidence/{sha256}"),
    *((agency, "GET", "/documents/{document_id}.pdf") for agency in AGENCY_SERVICES),
}


def filled(path: str) -> str:
    return re.sub(r"\{([^}:]+)(?::path)?\}", lambda m: "a" * 64 if m[1] == "sha256" else "x1", path)


@pytest.mark.parametrize("agency", AGENCY_SERVICES)
async def test_a_service_token_is_refused_on_every_route_but_its_scopes(agency: str, tmp_path: Path) -> None:
    spec = service_spec(agency)
    settings_class: type[ServiceSettings] = getattr(
        importlib.import_module(f"liandong_{agency}.config"), f"{agency.capitalize()}Settings"
    )
    settings = settings_class(
        database_url=f"sqlite+aiosqlite:///{tmp_path / 'db.sqlite'}",
        kafka_bootstrap_servers="127.0.0.1:1",
        service_clients={"police": SECRET},
    )
    async with running_app(spec, settings) as client:
        issued = await client.post("/auth/service-token", data={"client_id": "police", "client_secret": SECRET})
        assert issued.status_code == 200, issued.text
        token = {"Authorization": f"Bearer {issued.json()['access_token']}"}
        document = (await client.get("/openapi.json")).json()
        checked = 0
        for path, operations in document["paths"].items():
            for method, operation in operations.items():
                if not operation.get("security"):  # public: health, metrics, the login itself
                    continue
                response = await client.request(method.upper(), filled(path), headers=token)
                code = response.json().get("error", {}).get("code") if response.status_code >= 400 else None
                if (agency, method.upper(), path) in ALLOWED:
                    assert code != "service_not_allowed", (method, path)
                else:
                    assert (response.status_code, code) == (403, "service_not_allowed"), (method, path, response.text)
                checked += 1
    assert checked >= 20, f"{agency}: every route that takes a token was tried ({checked})"
