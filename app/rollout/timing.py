"""How fast a stopped rollout is noticed and taken over: lease, heartbeat, sweep.

Migrations may run for hours, so the queue's job timeout cannot be what tells a dead worker
from a slow one: the worker running a rollout renews a lease in the store every heartbeat, and
any process's sweep wakes a rollout whose lease expired. A killed worker's rollout continues
after at most ``lease_seconds`` + ``sweep_seconds`` (25 s with the defaults).

Set from the environment (``SCHEMABOT_ROLLOUT_LEASE_SECONDS`` ...): the same values must reach
the API and every worker, and tests shorten them.
"""

from __future__ import annotations

from datetime import timedelta

from pydantic import Field, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

__all__ = ["RolloutTiming"]


class RolloutTiming(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="SCHEMABOT_ROLLOUT_", extra="ignore", frozen=True)

    #: A holder that has not renewed for this long is taken for dead.
    lease_seconds: float = Field(default=20.0, gt=0)
    #: How often the holder renews: several renewals fit in a lease, so one slow store write
    #: does not lose it.
    heartbeat_seconds: float = Field(default=5.0, gt=0)
    #: How often each process looks for rollouts to wake (expired leases, soaks that ended).
    sweep_seconds: float = Field(default=5.0, gt=0)
    #: When another runner holds an environment's database lock, try again after this long.
    database_lock_retry_seconds: float = Field(default=30.0, gt=0)
    #: When the forge refused a report (an outage past the adapter's retries), write it again
    #: after this long.
    report_retry_seconds: float = Field(default=60.0, gt=0)

    @model_validator(mode="after")
    def _heartbeat_fits_in_lease(self) -> RolloutTiming:
        if self.heartbeat_seconds * 2 > self.lease_seconds:
            raise ValueError(
                f"heartbeat_seconds ({self.heartbeat_seconds:g}) must be at most half of"
                f" lease_seconds ({self.lease_seconds:g}): one late renewal would lose the lease"
            )
        return self

    @property
    def lease(self) -> timedelta:
        return timedelta(seconds=self.lease_seconds)

    @property
    def database_lock_retry(self) -> timedelta:
        return timedelta(seconds=self.database_lock_retry_seconds)

    @property
    def report_retry(self) -> timedelta:
        return timedelta(seconds=self.report_retry_seconds)
