"""Signature and token checks: only the exact secret over the exact bytes passes."""

from __future__ import annotations

import hashlib
import hmac

import pytest

from app.webhooks import github_signature_valid, gitlab_token_valid, sign_github

SECRET = b"It's a Secret to Everybody"
BODY = b"Hello, World!"


def test_github_signature_matches_githubs_documented_example() -> None:
    # docs.github.com, "Validating webhook deliveries": this secret and payload give this value.
    expected = "sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17"
    assert sign_github(SECRET, BODY) == expected
    assert github_signature_valid(SECRET, BODY, expected)


@pytest.mark.parametrize(
    "header",
    [
        None,
        "",
        "sha256=",
        "sha1=" + hmac.new(SECRET, BODY, hashlib.sha1).hexdigest(),
        sign_github(b"another secret", BODY),
        sign_github(SECRET, BODY + b" "),
        sign_github(SECRET, BODY).upper(),
        sign_github(SECRET, BODY)[:-1],
        sign_github(SECRET, BODY) + "0",
        "sha256=é" + "0" * 63,
    ],
    ids=[
        "missing",
        "empty",
        "no-digest",
        "sha1-only",
        "other-secret",
        "body-changed",
        "upper-case-prefix",
        "truncated",
        "extended",
        "non-ascii",
    ],
)
def test_github_signature_refuses_anything_else(header: str | None) -> None:
    assert not github_signature_valid(SECRET, BODY, header)


def test_github_signature_covers_the_raw_bytes_not_the_json() -> None:
    compact, spaced = b'{"a":1}', b'{"a": 1}'
    assert not github_signature_valid(SECRET, spaced, sign_github(SECRET, compact))


@pytest.mark.parametrize(
    ("header", "valid"),
    [("s3cret-token", True), ("s3cret-toke", False), ("s3cret-token ", False), ("", False),
     (None, False), ("S3CRET-TOKEN", False), ("s3cret-tokén", False)],
)  # fmt: skip
def test_gitlab_token_is_the_exact_secret(header: str | None, valid: bool) -> None:
    assert gitlab_token_valid(b"s3cret-token", header) is valid
