"""Pull request review: lint the changed migrations, comment on the lines, summarise, set the
status. Talks to forges through ``app.forges`` and remembers what it posted in ``app.store``."""

from __future__ import annotations

from app.review.request import ReviewRequest
from app.review.run import STATUS_CONTEXT, ReviewOutcome, run_review
from app.review.summary import SUMMARY_MARKER

__all__ = ["STATUS_CONTEXT", "SUMMARY_MARKER", "ReviewOutcome", "ReviewRequest", "run_review"]
