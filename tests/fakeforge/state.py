"""What the fake forge holds: repositories with commits and trees, pull requests with real
unified-diff patches, and what clients wrote (comments, reviews, discussions, statuses).

Both the GitHub and the GitLab faces read the same model; a repository belongs to one forge.
"""

from __future__ import annotations

import difflib
import hashlib
import itertools
from dataclasses import dataclass, field
from typing import Any

__all__ = [
    "FakeCommit",
    "FakeFileChange",
    "FakePull",
    "FakeRepository",
    "Objects",
    "diff_lines",
    "unified_patch",
]

_ids = itertools.count(1000)


def next_id() -> int:
    return next(_ids)


def unified_patch(old: str | None, new: str | None) -> str:
    """The patch of one file as the forges show it: hunks only, no ``---``/``+++`` header.

    Lines without a final newline get git's ``\\ No newline at end of file`` marker.
    """
    old_lines = (old or "").splitlines(keepends=True)
    new_lines = (new or "").splitlines(keepends=True)
    out: list[str] = []
    # The first two lines are the ---/+++ file header; a removed SQL comment ("-- x") also
    # starts with "---", so only the header is dropped, by position.
    for line in list(difflib.unified_diff(old_lines, new_lines, n=3))[2:]:
        out.append(line if line.endswith("\n") else line + "\n\\ No newline at end of file\n")
    return "".join(out).rstrip("\n")


@dataclass
class Objects:
    """Git objects by sha: blobs (bytes) and trees (entries), shared by every repository."""

    blobs: dict[str, bytes] = field(default_factory=dict)
    trees: dict[str, list[dict[str, Any]]] = field(default_factory=dict)

    def blob(self, data: bytes) -> str:
        sha = hashlib.sha1(b"blob %d\0" % len(data) + data).hexdigest()
        self.blobs[sha] = data
        return sha

    def tree(self, files: dict[str, str]) -> str:
        """Store nested trees for ``files`` (path -> text); return the root tree's sha."""
        children: dict[str, dict[str, str]] = {}
        entries: list[dict[str, Any]] = []
        for path, text in sorted(files.items()):
            head, _, rest = path.partition("/")
            if rest:
                children.setdefault(head, {})[rest] = text
            else:
                data = text.encode()
                entries.append(
                    {"path": head, "type": "blob", "mode": "100644", "sha": self.blob(data)}
                    | {"size": len(data)}
                )
        for name, subtree in children.items():
            entries.append(
                {"path": name, "type": "tree", "mode": "040000", "sha": self.tree(subtree)}
            )
        entries.sort(key=lambda entry: entry["path"])
        listing = "".join(f"{e['mode']} {e['path']}\0{e['sha']}" for e in entries).encode()
        sha = hashlib.sha1(b"tree " + listing).hexdigest()
        self.trees[sha] = entries
        return sha

    def walk(self, tree_sha: str, prefix: str = "") -> list[dict[str, Any]]:
        """Every entry under a tree, depth first, with full paths (a recursive listing)."""
        found: list[dict[str, Any]] = []
        for entry in self.trees[tree_sha]:
            full = {**entry, "path": prefix + entry["path"]}
            found.append(full)
            if entry["type"] == "tree":
                found.extend(self.walk(entry["sha"], full["path"] + "/"))
        return found


@dataclass
class FakeCommit:
    sha: str
    tree: str
    files: dict[str, str]
    parent: str | None
    message: str


@dataclass
class FakeFileChange:
    path: str
    #: ``added``, ``modified``, ``removed`` or ``renamed``.
    status: str
    patch: str
    previous_path: str | None = None


@dataclass
class FakePull:
    number: int
    title: str
    author: str
    base_branch: str
    head_branch: str
    base_sha: str
    head_sha: str
    changes: list[FakeFileChange]
    state: str = "open"
    merged: bool = False
    merge_sha: str | None = None
    #: ``owner/name`` of a fork the pull request comes from; None for the same repository.
    fork: str | None = None
    #: Issue comments (GitHub) or notes (GitLab): dicts with id, body, author, created_at.
    comments: list[dict[str, Any]] = field(default_factory=list)
    #: GitHub reviews as received: id, body, event, commit_id, comments.
    reviews: list[dict[str, Any]] = field(default_factory=list)
    #: GitLab discussions as received: id, body, position, note id.
    discussions: list[dict[str, Any]] = field(default_factory=list)
    #: (path, new line) pairs the forge refuses to comment on although the patch shows them,
    #: as when the files API and the review API disagree about a diff (a push in between).
    unresolvable: set[tuple[str, int]] = field(default_factory=set)

    @property
    def start_sha(self) -> str:
        return self.base_sha

    def change(self, path: str) -> FakeFileChange | None:
        return next((change for change in self.changes if change.path == path), None)


@dataclass
class FakeRepository:
    forge: str
    name: str
    id: int
    default_branch: str
    commits: dict[str, FakeCommit] = field(default_factory=dict)
    branches: dict[str, str] = field(default_factory=dict)
    pulls: dict[int, FakePull] = field(default_factory=dict)
    #: Commit statuses as received, oldest first.
    statuses: list[dict[str, Any]] = field(default_factory=list)
    check_runs: list[dict[str, Any]] = field(default_factory=list)
    #: GitHub: login -> (role_name, legacy permission).
    roles: dict[str, tuple[str, str]] = field(default_factory=dict)
    #: GitLab: username -> access level, inherited ones included.
    access_levels: dict[str, int] = field(default_factory=dict)
    installation_id: int | None = None

    @property
    def owner(self) -> str:
        return self.name.rsplit("/", 1)[0]

    def resolve(self, ref: str) -> FakeCommit | None:
        """A commit by sha, branch name, or unambiguous sha prefix of 7+ characters."""
        sha = self.branches.get(ref, ref)
        if sha in self.commits:
            return self.commits[sha]
        if len(ref) >= 7:
            matches = [commit for key, commit in self.commits.items() if key.startswith(ref)]
            if len(matches) == 1:
                return matches[0]
        return None


def diff_lines(patch: str) -> dict[int, tuple[int, int | None]]:
    """What the forge itself knows of a patch: new line -> (hunk, old line or None if added).

    Written apart from ``app.forges.diff`` on purpose: the fake must not share the adapters'
    mistakes.
    """
    shown: dict[int, tuple[int, int | None]] = {}
    hunk = 0
    old_line = new_line = 0
    for text in patch.split("\n"):
        if text.startswith("@@"):
            ranges = text.split("@@")[1].split()
            old_line = abs(int(ranges[0].split(",")[0]))
            new_line = int(ranges[1].lstrip("+").split(",")[0])
            hunk += 1
        elif hunk == 0 or text.startswith("\\"):
            continue
        elif text.startswith("+"):
            shown[new_line] = (hunk, None)
            new_line += 1
        elif text.startswith("-"):
            old_line += 1
        else:
            shown[new_line] = (hunk, old_line)
            old_line += 1
            new_line += 1
    return shown
