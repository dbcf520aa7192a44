"""The review job's payload: every field of the request travels, and comes back the same."""

from __future__ import annotations

from dataclasses import fields

from app.review import ReviewRequest


def test_the_payload_carries_every_field_and_reads_back_equal() -> None:
    request = ReviewRequest("gitlab", "acme/shop", 7, "a" * 40, "release", delivery="hook:42")
    payload = request.payload()
    assert set(payload) == {field.name for field in fields(ReviewRequest)}
    assert ReviewRequest.from_payload(payload) == request


def test_a_payload_without_the_delivery_reads_back_with_none_named() -> None:
    payload = ReviewRequest("github", "acme/shop", 7, "b" * 40, "main").payload()
    del payload["delivery"]
    assert ReviewRequest.from_payload(payload).delivery == ""
