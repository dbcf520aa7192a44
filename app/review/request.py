"""What the webhook asks of the review job: which pull request, at which commit.

Only ids travel through the queue; the job fetches everything fresh from the forge, so a job
that waited (a retry, a worker restart) never acts on what a webhook said minutes ago.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

__all__ = ["ReviewRequest"]


@dataclass(frozen=True, slots=True)
class ReviewRequest:
    forge: str
    repository: str
    number: int
    #: The head the event announced; a job whose head was pushed over since stands down.
    head_sha: str
    base_branch: str
    #: The delivery that asked, for the logs.
    delivery: str = ""

    def payload(self) -> dict[str, Any]:
        # Spelled out: asdict() deep-copies every field, about 10 us on the webhook path.
        return {
            "forge": self.forge,
            "repository": self.repository,
            "number": self.number,
            "head_sha": self.head_sha,
            "base_branch": self.base_branch,
            "delivery": self.delivery,
        }

    @classmethod
    def from_payload(cls, payload: dict[str, Any]) -> ReviewRequest:
        return cls(
            forge=str(payload["forge"]),
            repository=str(payload["repository"]),
            number=int(payload["number"]),
            head_sha=str(payload["head_sha"]),
            base_branch=str(payload["base_branch"]),
            delivery=str(payload.get("delivery", "")),
        )
