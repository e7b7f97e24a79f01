"""ASGI entry point: `uvicorn --factory liandong_court.main:build`."""

from __future__ import annotations

from fastapi import FastAPI

from liandong.api.app import create_app
from liandong_court.bootstrap import spec
from liandong_court.config import CourtSettings


def build() -> FastAPI:
    return create_app(spec(), CourtSettings())
