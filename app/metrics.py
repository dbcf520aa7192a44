"""Prometheus metrics the service exports on ``/metrics``."""

from __future__ import annotations

from prometheus_client import Counter, Histogram

__all__ = [
    "HTTP_REQUESTS",
    "HTTP_REQUEST_SECONDS",
    "JOBS",
    "JOB_SECONDS",
    "WEBHOOK_DELIVERIES",
]

HTTP_REQUESTS = Counter(
    "schemabot_http_requests_total",
    "HTTP requests answered, by route template, method and status code.",
    ["method", "route", "status"],
)
HTTP_REQUEST_SECONDS = Histogram(
    "schemabot_http_request_duration_seconds",
    "Time to answer an HTTP request, by route template.",
    ["route"],
    buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 10),
)
WEBHOOK_DELIVERIES = Counter(
    "schemabot_webhook_deliveries_total",
    "Webhook deliveries, by forge, event and outcome (the answer given: queued, duplicate,"
    " ignored, unauthorized, malformed, unavailable... see docs/operations.md).",
    ["forge", "event", "outcome"],
)
JOBS = Counter(
    "schemabot_jobs_total",
    "Jobs run, by kind and outcome (success, retry, failed, interrupted).",
    ["kind", "outcome"],
)
JOB_SECONDS = Histogram(
    "schemabot_job_duration_seconds",
    "Time a job ran, by kind.",
    ["kind"],
    buckets=(0.01, 0.05, 0.1, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 1800, 7200),
)
