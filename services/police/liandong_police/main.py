"""ASGI entry point: `uvicorn --factory liandong_police.main:build`."""

from __future__ import annotations

from fastapi import FastAPI

from liandong.api.app import create_app
from liandong_police.bootstrap import spec
from liandong_police.config import PoliceSettings


def build() -> FastAPI:
    return create_app(spec(), PoliceSettings())
