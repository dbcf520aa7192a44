"""A fake GitHub and GitLab on 127.0.0.1 for tests of the real PyGithub and python-gitlab.

One threaded HTTP server answers like GitHub under ``/api/v3`` (Enterprise Server layout: point
PyGithub at ``fake.github_url``) and like GitLab under ``/api/v4`` (python-gitlab at
``fake.gitlab_url``). It holds repositories, pull requests with real patches, and what clients
wrote; it records every request and can be told to fail::

    from tests.fakeforge import FakeForge, fake_forge  # the fixture, for pytest to find

    def test_something(fake_forge: FakeForge) -> None:
        fake_forge.add_repository("octo/shop", forge="github", files={"README.md": "hi\\n"})
        fake_forge.add_pull_request(
            "octo/shop", {"migrations/001.sql": (None, "CREATE TABLE t (id int);\\n")},
            forge="github",
        )
        fake_forge.fail_next(r"/pulls/1/reviews", status=502)
        ...
        assert fake_forge.requests("POST", "/pulls/1/reviews")[-1].body["event"] == "COMMENT"

The bot authenticates with ``FakeForge.GITHUB_TOKEN`` / ``FakeForge.GITLAB_TOKEN`` as user
``schemabot``.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.fakeforge.forge import FakeForge
from tests.fakeforge.server import RecordedRequest
from tests.fakeforge.state import FakePull, FakeRepository, unified_patch

__all__ = [
    "FakeForge",
    "FakePull",
    "FakeRepository",
    "RecordedRequest",
    "fake_forge",
    "unified_patch",
]


@pytest.fixture
def fake_forge() -> Iterator[FakeForge]:
    """A started fake forge, empty, stopped after the test."""
    forge = FakeForge().start()
    try:
        yield forge
    finally:
        forge.stop()
