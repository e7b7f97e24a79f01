"""ASGI entry point: `uvicorn --factory liandong_procuratorate.main:build`."""

from __future__ import annotations

from fastapi import FastAPI

from liandong.api.app import create_app
from liandong_procuratorate.bootstrap import spec
from liandong_procuratorate.config import ProcuratorateSettings


def build() -> FastAPI:
    return create_app(spec(), ProcuratorateSettings())
