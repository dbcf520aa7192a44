"""The ``[forges.*]`` sections: how schemabot reaches GitHub and GitLab, and their secrets."""

from __future__ import annotations

from pathlib import Path

from pydantic import model_validator

from app.config_types import OptionalSecret
from app.config_types import Section as _Section

__all__ = ["Forges", "GitHubForge", "GitLabForge"]


class GitHubForge(_Section):
    #: ``https://api.github.com``; GitHub Enterprise Server: ``https://HOST/api/v3``.
    api_url: str = "https://api.github.com"
    #: A token (fine-grained or classic); empty with no App credentials: GitHub is disabled.
    token: OptionalSecret = None
    #: GitHub App authentication (instead of a token): the App's id ...
    app_id: int | None = None
    #: ... and the path of its private key (PEM).
    private_key_path: Path | None = None
    #: The webhook secret: every delivery's HMAC-SHA256 signature is checked against it.
    webhook_secret: OptionalSecret = None

    @property
    def enabled(self) -> bool:
        return self.token is not None or (
            self.app_id is not None and self.private_key_path is not None
        )

    @property
    def disabled_reason(self) -> str | None:
        return None if self.enabled else "no token and no app_id + private_key_path"

    @model_validator(mode="after")
    def _refuse_unsigned(self) -> GitHubForge:
        if (self.app_id is None) != (self.private_key_path is None):
            raise ValueError("app_id and private_key_path go together (GitHub App authentication)")
        if self.enabled and self.webhook_secret is None:
            raise ValueError(
                "webhook_secret is empty: refusing to accept unsigned webhooks (set it, or remove"
                " the credentials to disable the forge)"
            )
        return self


class GitLabForge(_Section):
    #: ``https://gitlab.com`` or a self-hosted GitLab's base URL.
    url: str = "https://gitlab.com"
    #: A token with the ``api`` scope; empty: GitLab is disabled.
    token: OptionalSecret = None
    #: The webhook's secret token (sent in ``X-Gitlab-Token``, compared in constant time).
    webhook_secret: OptionalSecret = None

    @property
    def enabled(self) -> bool:
        return self.token is not None

    @property
    def disabled_reason(self) -> str | None:
        return None if self.enabled else "no token"

    @model_validator(mode="after")
    def _refuse_unsigned(self) -> GitLabForge:
        if self.enabled and self.webhook_secret is None:
            raise ValueError(
                "webhook_secret is empty: refusing to accept unsigned webhooks (set it, or remove"
                " the token to disable the forge)"
            )
        return self


class Forges(_Section):
    github: GitHubForge = GitHubForge()
    gitlab: GitLabForge = GitLabForge()
