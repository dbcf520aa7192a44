"""PyGithub as the GitHub adapter uses it: which authenticated client serves a repository,
who the bot is, and what PyGithub's errors mean (:func:`translate_error`).

With a token there is one client. As a GitHub App, the App's JWT finds each repository's
installation (``GET /repos/{owner}/{repo}/installation``, remembered), and each installation gets
a client whose auth renews its one-hour token by itself (PyGithub's ``AppInstallationAuth``).

Every client is built with PyGithub's own retries and pacing off: the adapter retries and
paces each call exactly once (:mod:`app.forges.retry`).
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

from github import Auth, Github, GithubException, GithubIntegration
from github.Requester import Requester

from app.forges.base import ForgeError, RateLimited

__all__ = ["SECONDARY_LIMIT_WAIT", "GitHubClients", "translate_error"]

#: After a secondary rate limit without ``retry-after``, GitHub asks for at least a minute.
SECONDARY_LIMIT_WAIT = 60.0
#: The reset time is GitHub's clock in whole seconds; a second more covers skew and rounding.
RESET_SLACK = 1.0


class GitHubClients:
    def __init__(
        self,
        *,
        api_url: str,
        timeout: int,
        per_page: int,
        token: str | None = None,
        app_id: int | None = None,
        private_key: str | None = None,
    ) -> None:
        self._options: dict[str, Any] = {
            "base_url": api_url.rstrip("/"),
            "timeout": timeout,
            "per_page": per_page,
            # Our retries see every failure once; urllib3 must not retry underneath them.
            "retry": 0,
            # Pacing is WritePacer's job (thread-safe); PyGithub's would sleep a second time.
            "seconds_between_requests": None,
            "seconds_between_writes": None,
            # Objects are built from URLs without a request until an attribute is needed.
            "lazy": True,
        }
        self._lock = threading.Lock()
        self._bot_login: str | None = None
        self._token_client: Github | None = None
        self._app_auth: Auth.AppAuth | None = None
        self._integration: GithubIntegration | None = None
        self._installation_clients: dict[int, Github] = {}
        self._installation_of: dict[str, int] = {}
        if token is not None:
            self._token_client = Github(auth=Auth.Token(token), **self._options)
        elif app_id is not None and private_key is not None:
            self._app_auth = Auth.AppAuth(app_id, private_key)
            self._integration = GithubIntegration(auth=self._app_auth, **self._options)
        else:
            raise ValueError("GitHub needs a token, or an app_id with its private_key")

    @property
    def is_app(self) -> bool:
        return self._app_auth is not None

    def for_repository(self, repository: str) -> Github:
        """The client for ``owner/name`` (may ask GitHub for the App's installation once)."""
        if self._token_client is not None:
            return self._token_client
        if self._integration is None or self._app_auth is None:
            raise AssertionError("neither token nor App credentials")  # __init__ refuses this
        key = repository.lower()
        with self._lock:
            installation = self._installation_of.get(key)
        if installation is None:
            owner, name = repository.split("/", 1)
            try:
                installation = self._integration.get_repo_installation(owner, name).id
            except GithubException as error:
                if error.status == 404:
                    raise ForgeError(
                        f"the GitHub App is not installed on {repository}", status=404
                    ) from error
                raise
            with self._lock:
                self._installation_of[key] = installation
        with self._lock:
            client = self._installation_clients.get(installation)
            if client is None:
                auth = self._app_auth.get_installation_auth(installation)
                client = Github(auth=auth, **self._options)
                self._installation_clients[installation] = client
            return client

    def bot_login(self) -> str:
        """The login our comments are written by (an App writes as ``<slug>[bot]``)."""
        if self._bot_login is None:
            if self._integration is not None:
                login = f"{self._integration.get_app().slug}[bot]"
            elif self._token_client is not None:
                login = self._token_client.get_user().login
            else:
                raise AssertionError("neither token nor App credentials")
            self._bot_login = login
        return self._bot_login


def translate_error(error: GithubException, *, clock: Callable[[], float]) -> ForgeError:
    """A PyGithub error as a :class:`ForgeError`; rate limits as :class:`RateLimited`."""
    status = error.status
    headers = {key.lower(): value for key, value in (error.headers or {}).items()}
    data = error.data if isinstance(error.data, dict) else {}
    message = str(data.get("message") or error.message or "no message")
    if data.get("errors"):
        message += f" {data['errors']}"
    reason = f"GitHub answered {status}: {message}"
    if status in (403, 429):
        if "retry-after" in headers:
            return RateLimited(reason, retry_after=float(headers["retry-after"]), status=status)
        if headers.get("x-ratelimit-remaining") == "0" and "x-ratelimit-reset" in headers:
            wait = float(headers["x-ratelimit-reset"]) - clock() + RESET_SLACK
            return RateLimited(reason, retry_after=max(wait, RESET_SLACK), status=status)
        if status == 429 or Requester.isRateLimitError(message):
            return RateLimited(reason, retry_after=SECONDARY_LIMIT_WAIT, status=status)
    return ForgeError(reason, status=status, retryable=status >= 500)
