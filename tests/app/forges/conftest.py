"""Adapters pointed at the fake forge: tiny retry delays recorded instead of slept, no pacing
unless a test asks for it."""

from __future__ import annotations

import pytest

from app.forges.github import GitHub
from app.forges.gitlab import GitLab
from app.forges.retry import RetryPolicy
from tests.fakeforge import FakeForge, fake_forge

__all__ = ["fake_forge"]

#: Tries per call in these tests: enough to see a retry, few enough to count requests.
TRIES = 3


@pytest.fixture
def sleeps() -> list[float]:
    """Every retry wait the adapters asked for, in seconds (nothing really sleeps)."""
    return []


@pytest.fixture
def retry(sleeps: list[float]) -> RetryPolicy:
    return RetryPolicy(tries=TRIES, base_delay=0.5, max_delay=2.0, sleep=sleeps.append)


@pytest.fixture
def github(fake_forge: FakeForge, retry: RetryPolicy) -> GitHub:
    return GitHub(
        api_url=fake_forge.github_url, token=FakeForge.GITHUB_TOKEN, write_interval=0, retry=retry
    )


@pytest.fixture
def gitlab(fake_forge: FakeForge, retry: RetryPolicy) -> GitLab:
    return GitLab(
        url=fake_forge.gitlab_url, token=FakeForge.GITLAB_TOKEN, write_interval=0, retry=retry
    )
