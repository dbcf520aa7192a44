"""The cookie's signing key: HKDF-SHA256 over the configured tokens unless a secret is set."""

from __future__ import annotations

from pathlib import Path

from app.config import parse_config
from app.dashboard.session import hkdf_sha256, session_secret
from tests.app.api.service_setup import service_config


def test_hkdf_matches_rfc_5869_test_case_1() -> None:
    okm = hkdf_sha256(
        bytes.fromhex("0b" * 22),
        salt=bytes.fromhex("000102030405060708090a0b0c"),
        info=bytes.fromhex("f0f1f2f3f4f5f6f7f8f9"),
        length=42,
    )
    assert okm.hex() == (
        "3cb25f25faacd57a90434f64d0362f2a2d2d0a90cf1a5a4c5db02d56ecc4c5bf34007208d5b887185865"
    )


def test_the_key_is_the_same_for_the_same_tokens_and_changes_with_them(tmp_path: Path) -> None:
    first = session_secret(service_config(tmp_path, {}))
    # Another process (a restart, another replica) derives the same key.
    assert session_secret(service_config(tmp_path, {})) == first
    assert len(bytes.fromhex(first)) == 32
    text = (
        f'[server]\nstate_url = "sqlite:///{tmp_path}/s.db"\n'
        'api_token = "a-completely-different-token"\n'
    )
    assert session_secret(parse_config(text, env={})) != first


def test_without_tokens_the_key_is_random(tmp_path: Path) -> None:
    config = parse_config(f'[server]\nstate_url = "sqlite:///{tmp_path}/s.db"\n', env={})
    assert session_secret(config) != session_secret(config)
