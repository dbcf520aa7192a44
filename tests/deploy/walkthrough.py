"""Reading docs/getting-started.md as a reader does, and a shell that runs its blocks.

Every fenced block of the guide is preceded by an HTML comment saying how the tests treat it:

- ``<!-- test: run -->``: a shell block, run in the walkthrough's one shell session (what a
  reader types keeps its effect: variables, functions, the current directory, background jobs);
- ``<!-- test: run in background (...) -->``: a command that holds its terminal (``make run``);
- ``<!-- test: output ... -->``: what the previous ``run`` block prints;
- ``<!-- test: variables (...) -->``: the settings a reader changes to theirs; the tests run it
  with their own values for exactly the names it exports;
- ``<!-- test: file PATH -->``: the content of PATH (``~`` is the reader's home);
- ``<!-- test: config (...) -->``: a fragment of the server config, loaded by a test;
- ``<!-- test: lint (no findings) -->``: SQL that lints clean;
- ``<!-- test: comment (...) -->``: a comment people post on the pull request;
- ``<!-- test: skip (reason) -->``: needs github.com or gitlab.com; its content is checked
  against the code by the tests instead.
"""

from __future__ import annotations

import os
import re
import shlex
import signal
import socket
import subprocess
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path

import httpx

from tests.deploy.manifests import ROOT

__all__ = [
    "GUIDE",
    "KINDS",
    "Block",
    "Shell",
    "blocks",
    "free_port",
    "section",
    "stop_group",
    "wait_until",
]

GUIDE = ROOT / "docs" / "getting-started.md"
KINDS = ("run", "output", "variables", "file", "config", "lint", "comment", "skip")

_MARKER = re.compile(r"^<!-- test: (?P<kind>\w+)(?: (?P<argument>.*?))? -->$")
_FENCE = re.compile(r"^(?P<indent> *)```(?P<language>[\w-]*)$")
_HEADING = re.compile(r"^(#{2,3}) (.+)$")


@dataclass(frozen=True)
class Block:
    kind: str
    #: What follows the kind in the marker: ``in background (...)``, a path, a reason.
    argument: str
    language: str
    #: The block's text as a reader copies it (a list item's indentation removed).
    text: str
    #: The ``## `` heading the block is under.
    section: str
    line: int

    @property
    def path(self) -> str:
        """A ``file`` block's path (``~/...``)."""
        assert self.kind == "file", self
        return self.argument.split()[0]


def blocks(text: str | None = None) -> list[Block]:
    """Every fenced block of the guide, in order; raises if one has no marker."""
    lines = (GUIDE.read_text() if text is None else text).splitlines()
    found: list[Block] = []
    current = ""
    index = 0
    while index < len(lines):
        line = lines[index]
        heading = _HEADING.match(line)
        if heading and heading.group(1) == "##":
            current = heading.group(2)
        fence = _FENCE.match(line)
        if fence is None:
            index += 1
            continue
        previous = next((lines[i] for i in range(index - 1, -1, -1) if lines[i].strip()), "")
        marker = _MARKER.match(previous.strip())
        if marker is None:
            raise AssertionError(f"line {index + 1}: a block without a <!-- test: ... --> marker")
        indent = len(fence.group("indent"))
        end = index + 1
        while end < len(lines) and lines[end] != " " * indent + "```":
            end += 1
        if end == len(lines):
            raise AssertionError(f"line {index + 1}: the block is not closed")
        body = "".join(text_line[indent:] + "\n" for text_line in lines[index + 1 : end])
        found.append(
            Block(
                kind=marker.group("kind"),
                argument=marker.group("argument") or "",
                language=fence.group("language"),
                text=body,
                section=current,
                line=index + 1,
            )
        )
        index = end + 1
    return found


def section(all_blocks: list[Block], prefix: str) -> list[Block]:
    """The blocks under the ``## `` heading starting with ``prefix`` (``"2."``)."""
    chosen = [block for block in all_blocks if block.section.startswith(prefix)]
    assert chosen, f"no blocks under a heading starting with {prefix!r}"
    return chosen


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def wait_until(
    check: Callable[[], bool], *, within: float, what: str, why: Callable[[], str] = str
) -> None:
    """Poll ``check`` until it holds; fail after ``within`` seconds saying ``what`` and ``why``."""
    deadline = time.monotonic() + within
    while not check():
        if time.monotonic() > deadline:
            raise AssertionError(f"{what} did not happen within {within:g} s\n{why()}")
        time.sleep(0.1)


def answers(url: str) -> bool:
    try:
        return httpx.get(url, timeout=2).status_code == 200
    except httpx.TransportError:
        return False


def _group_alive(group: int) -> bool:
    try:
        os.killpg(group, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def stop_group(process: subprocess.Popen[bytes], first: int = signal.SIGTERM) -> int | None:
    """Signal the process group ``process`` leads (it was started in a session of its own:
    everything it started in the background too), give it 30 s to end, then kill what is
    left. Returns the leader's exit status."""
    group = process.pid
    if _group_alive(group):
        os.killpg(group, first)
    deadline = time.monotonic() + 30
    while _group_alive(group) and time.monotonic() < deadline:
        process.poll()
        time.sleep(0.1)
    if _group_alive(group):
        os.killpg(group, signal.SIGKILL)
    try:
        return process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        return None


class Shell:
    """One bash session, fed the guide's blocks one after the other as a reader types them.

    Each block runs with ``errexit`` and ``pipefail``: a failing command ends the session and
    the test says which block and what it printed. Background jobs stay in the session's
    process group, stopped by :meth:`close` whatever happened.
    """

    def __init__(self, directory: Path, *, cwd: Path, env: Mapping[str, str]) -> None:
        self.directory = directory
        directory.mkdir(parents=True)
        self.log = (directory / "shell.log").open("wb")
        self.process = subprocess.Popen(
            ["bash", "--noprofile", "--norc"],
            stdin=subprocess.PIPE,
            stdout=self.log,
            stderr=subprocess.STDOUT,
            cwd=cwd,
            env=dict(env),
            start_new_session=True,
        )
        self.count = 0
        self._send("set -eo pipefail\n")

    def _send(self, text: str) -> None:
        assert self.process.stdin is not None
        self.process.stdin.write(text.encode())
        self.process.stdin.flush()

    def run(self, script: str, *, within: float = 120, context: str = "") -> str:
        """Run ``script``; its output (stdout and stderr)."""
        number = self.count
        self.count += 1
        output = self.directory / f"{number}.out"
        done = self.directory / f"{number}.done"
        self._send(
            f"{{\n{script}\n}} >{shlex.quote(str(output))} 2>&1 </dev/null\n"
            f": >{shlex.quote(str(done))}\n"
        )

        def explain() -> str:
            printed = output.read_text() if output.exists() else "(nothing)"
            return f"--- block{context}:\n{script}--- it printed:\n{printed}"

        def finished() -> bool:
            if done.exists():
                return True
            if self.process.poll() is not None:
                raise AssertionError(f"a command failed: the shell ended\n{explain()}")
            return False

        wait_until(finished, within=within, what="the block", why=explain)
        return output.read_text()

    def close(self) -> None:
        if self.process.stdin is not None and not self.process.stdin.closed:
            self.process.stdin.close()
        stop_group(self.process)
        self.log.close()
