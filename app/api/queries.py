"""``QueriesDep``: the read-only list queries of the REST API and the dashboard."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends

from app.api.deps import StoreDep
from app.store.dashboard_queries import DashboardQueries

__all__ = ["QueriesDep"]


def _queries(store: StoreDep) -> DashboardQueries:
    return DashboardQueries(store.engine)


QueriesDep = Annotated[DashboardQueries, Depends(_queries)]
