"""``GET /api/repositories``: every configured repository and the state of each environment."""

from __future__ import annotations

import asyncio
from datetime import datetime

from fastapi import APIRouter
from pydantic import BaseModel

from app.api.auth import ReaderDep
from app.api.deps import ConfigDep
from app.api.environment_state import EnvironmentStates, EnvironmentStatesDep, TargetState
from app.api.queries import QueriesDep
from app.api.routes.errors import error_responses
from app.config import Config, Environment, Repository
from app.store.dashboard_queries import DashboardQueries, EnvironmentActivity

__all__ = ["EnvironmentView", "RepositoryView", "repository_views", "router"]

router = APIRouter(tags=["repositories"])


class DirtyView(BaseModel):
    """A migration the runner could not finish: nothing more runs until a person resolves it."""

    version: str | None
    script: str
    #: failed: the database refused a statement; interrupted: the runner died mid-file.
    state: str
    line: int | None
    statement: str | None
    error: str | None
    explanation: str


class EnvironmentRollout(BaseModel):
    id: int
    commit_sha: str
    #: The rollout's status (queued, running, waiting, succeeded, failed, ...).
    status: str
    #: This environment's step in it (waiting, running, succeeded, failed, cancelled).
    step_status: str
    waiting_for: str | None
    updated_at: datetime


class EnvironmentView(BaseModel):
    name: str
    #: The database, password masked.
    database: str
    #: A person must approve before migrations run here.
    approval: bool
    approvers: list[str]
    #: Seconds to wait after the previous environment succeeded.
    soak_seconds: float | None
    #: The database answered; when false, ``error`` says why and the state fields are empty.
    reachable: bool
    error: str | None
    applied_version: str | None
    applied_count: int
    last_applied_at: datetime | None
    dirty: DirtyView | None
    #: The newest rollout that ran, or waits to run, here; null when none has.
    last_rollout: EnvironmentRollout | None
    #: Migrations waiting at this environment's gate (from that rollout), when it waits.
    pending: list[str] | None


class RepositoryView(BaseModel):
    forge: str
    name: str
    dialect: str
    deploy_branch: str
    migrations: str
    #: In rollout order.
    environments: list[EnvironmentView]


def _last_rollout(activity: EnvironmentActivity | None) -> EnvironmentRollout | None:
    if activity is None:
        return None
    return EnvironmentRollout(
        id=activity.rollout.id,
        commit_sha=activity.rollout.commit_sha,
        status=activity.rollout.status,
        step_status=activity.step.status,
        waiting_for=activity.rollout.waiting_for if activity.step.status == "waiting" else None,
        updated_at=activity.rollout.updated_at,
    )


def _environment(
    environment: Environment, state: TargetState, activity: EnvironmentActivity | None
) -> EnvironmentView:
    dirty = state.dirty
    waiting = activity is not None and activity.step.status == "waiting"
    return EnvironmentView(
        name=environment.name,
        database=environment.display_url,
        approval=environment.approval,
        approvers=list(environment.approvers),
        soak_seconds=environment.soak.total_seconds() if environment.soak is not None else None,
        reachable=state.reachable,
        error=state.error,
        applied_version=state.applied_version,
        applied_count=state.applied_count,
        last_applied_at=state.last_applied_at,
        dirty=DirtyView(
            version=dirty.version,
            script=dirty.script,
            state=dirty.state,
            line=dirty.line,
            statement=dirty.statement,
            error=dirty.error,
            explanation=dirty.explanation,
        )
        if dirty is not None
        else None,
        last_rollout=_last_rollout(activity),
        pending=activity.step.pending if waiting and activity is not None else None,
    )


async def _repository(
    repository: Repository, states: EnvironmentStates, queries: DashboardQueries
) -> RepositoryView:
    read, activity = await asyncio.gather(
        asyncio.gather(
            *(states.of(repository, environment) for environment in repository.environments)
        ),
        asyncio.to_thread(queries.environment_activity, repository.forge, repository.name),
    )
    return RepositoryView(
        forge=repository.forge,
        name=repository.name,
        dialect=repository.dialect,
        deploy_branch=repository.deploy_branch,
        migrations=repository.migrations,
        environments=[
            _environment(environment, state, activity.get(environment.name))
            for environment, state in zip(repository.environments, read, strict=True)
        ],
    )


async def repository_views(
    config: Config, states: EnvironmentStates, queries: DashboardQueries
) -> list[RepositoryView]:
    """Every repository in config order, its environments read at once (each time-bounded)."""
    return list(
        await asyncio.gather(
            *(_repository(repository, states, queries) for repository in config.repositories)
        )
    )


@router.get("/repositories", response_model=list[RepositoryView], responses=error_responses())
async def list_repositories(
    principal: ReaderDep, config: ConfigDep, states: EnvironmentStatesDep, queries: QueriesDep
) -> list[RepositoryView]:
    """Each repository with its environments in rollout order: the version applied (read from
    the database's own history table), whether it is dirty, its gates, and its last rollout."""
    return await repository_views(config, states, queries)
