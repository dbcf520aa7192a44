"""The review of one pull request: read, lint, comment, summarise, set the status.

Writes are what cost time (GitHub asks for one second between them), so a review makes at most
three: one review with every new inline comment, one summary comment edited in place, and the
commit status, in that order, so that a green status means everything else is posted. There is
no "pending" status: branch protection already shows a required status as expected until it
arrives, and one write less is one second less.

The job may run more than once (a retry, a worker restart): the review row is found again by
its commits, and inline comments are claimed in the store before they are posted, so a rerun or
a concurrent job never comments a finding twice.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

import structlog

from app.config import Config, Repository
from app.forges.base import CommitStatus, Forge, ForgeError, PullRequest, StatusState
from app.review.comments import fingerprint_in
from app.review.inputs import read_inputs
from app.review.lint_config import review_lint_config
from app.review.placement import PlacedFinding, place_findings
from app.review.plan import pending_migrations, plan_section
from app.review.request import ReviewRequest
from app.review.summary import SUMMARY_MARKER, SummaryFacts, counts_text, render_summary
from app.shadow.findings import merge_findings, unsuppressed
from app.shadow.review_step import shadow_step
from app.store import CommentClaim, PullRequestRef, Store
from linters.cli import in_migration_order
from linters.engine import Source, lint
from linters.finding import Severity

__all__ = ["STATUS_CONTEXT", "ReviewOutcome", "run_review"]

log = structlog.get_logger(__name__)

#: The commit status branch protection can require.
STATUS_CONTEXT = "schemabot/lint"
#: GitHub cuts status descriptions at 140 characters.
MAX_STATUS_DESCRIPTION = 140
NO_MIGRATIONS = "No migrations changed"
REFUSED = "the forge refused an inline comment here"


@dataclass(frozen=True, slots=True)
class ReviewOutcome:
    review_id: int
    state: StatusState
    description: str
    findings: tuple[PlacedFinding, ...] = ()


def _description(text: str) -> str:
    return text if len(text) <= MAX_STATUS_DESCRIPTION else text[: MAX_STATUS_DESCRIPTION - 1] + "…"


class _Review:
    """One run of the review job, with what every step needs."""

    def __init__(
        self,
        *,
        forge: Forge,
        store: Store,
        config: Config,
        repository: Repository,
        pull_request: PullRequest,
        review_id: int,
    ) -> None:
        self.forge = forge
        self.store = store
        self.config = config
        self.repository = repository
        self.pr = pull_request
        self.review_id = review_id
        self.ref = PullRequestRef(forge.name, repository.name, pull_request.number)
        self.url = f"{config.server.public_url.rstrip('/')}/reviews/{review_id}"

    async def run(self) -> ReviewOutcome:
        inputs = await read_inputs(self.forge, self.repository, self.pr)
        if not inputs.files:
            return await self._nothing_to_review()
        lint_config, problems = review_lint_config(self.config, self.repository, inputs.base_config)
        # The order the runner applies them: versioned files by version, then the others.
        order = in_migration_order([file.path for file in inputs.files], lint_config.naming)
        position = {path: index for index, path in enumerate(order)}
        files = sorted(inputs.files, key=lambda file: position[file.path])
        linted = [file.path for file in files if file.path in inputs.sources]
        findings = await asyncio.to_thread(
            lint,
            [Source(path, inputs.sources[path]) for path in linted],
            dialect=self.repository.dialect,
            config=lint_config,
            base_files=inputs.base_files,
            deleted_paths=inputs.deleted_paths,
        )
        pending = pending_migrations(files, lint_config.naming)
        shadow = await shadow_step(
            forge=self.forge,
            repository=self.repository,
            pull_request=self.pr,
            new_files={path: inputs.sources[path] for path in pending if path in inputs.sources},
            base_paths=inputs.base_files,
            scheme=lint_config.naming,
        )
        verified = unsuppressed(
            shadow.findings,
            inputs.sources,
            self.repository.dialect,
            require_reason=lint_config.require_suppression_reason,
        )
        findings = merge_findings(findings, verified)
        commented = await asyncio.to_thread(self.store.reviews.commented, self.ref)
        placed = place_findings(
            findings,
            sources=inputs.sources,
            diffs=inputs.diffs,
            commented=commented,
            forge=self.forge.name,
            dialect=self.repository.dialect,
        )
        placed = await self._comment(placed)
        facts = SummaryFacts(
            head_sha=self.pr.head_sha,
            base_branch=self.pr.base_branch,
            files=linted,
            review_url=self.url,
            plan=plan_section(self.repository, self.pr.base_branch, pending),
            shadow=shadow.section,
            earlier_findings=await self._earlier_findings(),
            config_problems=problems,
        )
        summary_url = await self._write_summary(render_summary(placed, facts))
        errors = any(item.finding.severity is Severity.ERROR for item in placed)
        state: StatusState = "failure" if errors else "success"
        counts = counts_text(placed) or "No findings"
        noun = "file" if len(linted) == 1 else "files"
        description = _description(f"{counts} in {len(linted)} migration {noun}")
        await self._set_status(state, description)
        await asyncio.to_thread(
            self.store.reviews.finish,
            self.review_id,
            state=state,
            description=description,
            findings=[item.to_dict() for item in placed],
            files=linted,
            summary_url=summary_url,
        )
        return ReviewOutcome(self.review_id, state, description, tuple(placed))

    async def _nothing_to_review(self) -> ReviewOutcome:
        """No migration changed: a status only, and the summary edited if one was posted before
        (the migrations it listed are gone from the pull request)."""
        summary_url = None
        if await self._summary_posted():
            body = "\n\n".join(
                [
                    SUMMARY_MARKER,
                    "### schemabot: no migration files changed",
                    f"Reviewed `{self.pr.head_sha[:12]}` against `{self.pr.base_branch}`: this "
                    "pull request no longer changes files under "
                    f"`{self.repository.migrations}/`. [Review details]({self.url})",
                ]
            )
            summary_url = await self._write_summary(body)
        await self._set_status("success", NO_MIGRATIONS)
        await asyncio.to_thread(
            self.store.reviews.finish,
            self.review_id,
            state="success",
            description=NO_MIGRATIONS,
            findings=[],
            files=[],
            summary_url=summary_url,
        )
        return ReviewOutcome(self.review_id, "success", NO_MIGRATIONS)

    async def _comment(self, placed: list[PlacedFinding]) -> list[PlacedFinding]:
        """Post the new inline comments as one review; returns the findings' final places."""
        wanted = [item for item in placed if item.placement == "inline"]
        if not wanted:
            return placed
        claims = [
            CommentClaim(
                item.fingerprint, item.finding.path, item.finding.span.line, item.finding.rule
            )
            for item in wanted
        ]
        won = await asyncio.to_thread(
            self.store.reviews.claim_comments, self.ref, review_id=self.review_id, claims=claims
        )
        to_post = [item for item in wanted if item.fingerprint in won]
        refused: set[str] = set()
        if to_post:
            comments = [item.comment for item in to_post if item.comment is not None]
            try:
                result = await asyncio.to_thread(self.forge.post_review, self.pr, comments)
            except ForgeError:
                # The forge refused or failed the post (GitHub: a review is all or nothing):
                # claim again next time. On anything else (cancelled mid-call) the post may
                # have happened, and keeping the claims means no comment is posted twice.
                await asyncio.to_thread(
                    self.store.reviews.release_comments,
                    self.ref,
                    [item.fingerprint for item in to_post],
                )
                raise
            refused = {fingerprint_in(comment.body) or "" for comment in result.refused}
            await asyncio.to_thread(self.store.reviews.release_comments, self.ref, refused)
        final = []
        for item in placed:
            if item.placement == "inline" and item.fingerprint in refused:
                item = item.moved_to_summary(REFUSED)
            elif item.placement == "inline" and item.fingerprint not in won:
                # Another run of this pull request claimed it first and comments it.
                item = PlacedFinding(item.finding, item.fingerprint, "earlier")
            final.append(item)
        return final

    async def _earlier_findings(self) -> int:
        reviews = await asyncio.to_thread(self.store.reviews.of_pull_request, self.ref)
        earlier = [
            r for r in reviews if r.id != self.review_id and r.state in ("success", "failure")
        ]
        return len(earlier[-1].findings) if earlier else 0

    async def _summary_posted(self) -> bool:
        reviews = await asyncio.to_thread(self.store.reviews.of_pull_request, self.ref)
        return any(review.summary_url for review in reviews)

    async def _write_summary(self, body: str) -> str | None:
        """Create or edit the summary, unless a review of a newer push has started meanwhile:
        the newer review writes it, and an older one must not overwrite it."""
        reviews = await asyncio.to_thread(self.store.reviews.of_pull_request, self.ref)
        if any(review.id > self.review_id for review in reviews):
            log.info("review.summary_superseded", review_id=self.review_id)
            return None
        return await asyncio.to_thread(
            self.forge.upsert_comment,
            self.pr.repository,
            self.pr.number,
            marker=SUMMARY_MARKER,
            body=body,
        )

    async def _set_status(self, state: StatusState, description: str) -> None:
        status = CommitStatus(state, STATUS_CONTEXT, description, self.url)
        await asyncio.to_thread(self.forge.set_status, self.pr.repository, self.pr.head_sha, status)


async def _report_failure(
    forge: Forge,
    store: Store,
    request: ReviewRequest,
    review_id: int | None,
    target_url: str | None,
    error: BaseException,
) -> None:
    """Best effort: the status says the review could not finish, and why."""
    reason = (
        str(error) if isinstance(error, ForgeError) else f"internal error: {type(error).__name__}"
    )
    description = _description(f"Review could not finish: {reason}")
    if review_id is not None:
        await asyncio.to_thread(
            store.reviews.finish,
            review_id,
            state="error",
            description=description,
            error=str(error),
        )
    status = CommitStatus("error", STATUS_CONTEXT, description, target_url)
    try:
        await asyncio.to_thread(forge.set_status, request.repository, request.head_sha, status)
    except ForgeError as status_error:
        log.error("review.status_failed", error=str(status_error), reason=reason)


async def run_review(
    request: ReviewRequest, *, forge: Forge, store: Store, config: Config
) -> ReviewOutcome | None:
    """Review the pull request of ``request``; None when there is nothing to do (closed, pushed
    over, no longer configured). Raises a retryable ForgeError for the queue to try again."""
    bound = log.bind(repository=request.repository, number=request.number, forge=request.forge)
    repository = config.repository(request.forge, request.repository)
    if repository is None:
        bound.warning("review.repository_not_configured")
        return None
    review_id: int | None = None
    target_url: str | None = None
    try:
        pull_request = await asyncio.to_thread(forge.pull_request, repository.name, request.number)
        if pull_request.state != "open":
            bound.info("review.skipped", reason=f"pull request is {pull_request.state}")
            return None
        if pull_request.head_sha != request.head_sha:
            bound.info("review.skipped", reason="pushed over", head_sha=pull_request.head_sha)
            return None
        review_id = await asyncio.to_thread(
            store.reviews.start,
            PullRequestRef(forge.name, repository.name, request.number),
            head_sha=pull_request.head_sha,
            base_sha=pull_request.base_sha,
        )
        review = _Review(
            forge=forge,
            store=store,
            config=config,
            repository=repository,
            pull_request=pull_request,
            review_id=review_id,
        )
        target_url = review.url
        outcome = await review.run()
    except ForgeError as error:
        bound.warning("review.forge_error", error=str(error), retryable=error.retryable)
        await _report_failure(forge, store, request, review_id, target_url, error)
        if error.retryable:
            raise
        return None
    except Exception as error:
        bound.exception("review.failed")
        await _report_failure(forge, store, request, review_id, target_url, error)
        raise
    bound.info(
        "review.done",
        review_id=outcome.review_id,
        state=outcome.state,
        description=outcome.description,
    )
    return outcome
