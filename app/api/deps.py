"""Typed dependencies for the routers: ``ServicesDep`` and friends."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from app.api.services import Services
from app.config import Config
from app.queue import Queue
from app.store import Store

__all__ = ["ConfigDep", "QueueDep", "ServicesDep", "StoreDep"]


def _services(request: Request) -> Services:
    services: Services = request.app.state.services
    return services


def _store(services: Annotated[Services, Depends(_services)]) -> Store:
    return services.store


def _queue(services: Annotated[Services, Depends(_services)]) -> Queue:
    return services.queue


def _config(services: Annotated[Services, Depends(_services)]) -> Config:
    return services.config


ServicesDep = Annotated[Services, Depends(_services)]
StoreDep = Annotated[Store, Depends(_store)]
QueueDep = Annotated[Queue, Depends(_queue)]
ConfigDep = Annotated[Config, Depends(_config)]
