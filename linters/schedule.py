"""Plan a lint run over many files: reuse cached outcomes, fork workers, keep new tables exact.

Within one change, a file's verdict depends on the tables created by the files before it (lock
rules exempt new tables), so files cannot simply be checked independently. Linting has two
halves: reading (split and parse, independent of other files) and checking (the rules, given the
tables created earlier). With several processes, each worker reads its contiguous chunk, sends
the tables its files create to the parent, receives the exact tables of every earlier file,
then checks its chunk. Nothing is speculative there. When each file is its own change
(``separate_files``), no file needs another's tables: every process, the parent included, takes
the next small batch of files from a shared pipe until none is left, so that a process on a
slower (busier) core simply takes fewer, and all finish together.

Workers send back each file's outcome, including the plain-data facts the change rules asked
for; the change rules then run in the parent over those facts, never over parsed statements, so
the parent parses nothing a worker parsed.

Cached outcomes are keyed by the digest of the earlier tables. Where an earlier file is new (no
cached facts), the lookup uses a regex estimate of what it creates; once every file's exact
creates are known, a reused outcome whose digest turns out wrong is checked again. The estimate
decides how much work is reused, never the result.
"""

from __future__ import annotations

import os
import pickle
import re
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, BinaryIO, Protocol

from linters.rule import Change, ChangedFile, TableKeys

if TYPE_CHECKING:
    from linters.engine import FileOutcome, Linter, ReadFile, Source
    from linters.finding import Finding
    from linters.suppression import Suppression

__all__ = ["OutcomeStore", "TableDigest", "estimate_creates", "run"]

#: Below this much work (``_cost``: about 100 statements) a second process costs more (fork,
#: pickling, its own lazy initialisation) than it saves.
PARALLEL_MIN_COST = 96_000
#: When each file is its own change, the processes take turns on batches of files: this many
#: batches per process, so that the last ones even out when the processes finish however
#: unequal the cores' speed (a busy shared core) or the cost estimate turn out.
BATCHES_PER_PROCESS = 16
#: Batch numbers are 4 bytes each in a pipe filled before the fork: at most what one write
#: delivers whole (POSIX ``PIPE_BUF``).
MAX_BATCHES = 1024

_NAME = r'(?:"[^"]+"|`[^`]+`|[\w$]+)'
_CREATE = re.compile(
    r"\bCREATE\s+(?:OR\s+REPLACE\s+)?(?:(?:GLOBAL|LOCAL)\s+)?(?:TEMP\s+|TEMPORARY\s+|UNLOGGED\s+)?"
    r"(?:MATERIALIZED\s+)?(?:TABLE|VIEW)\s+(?:IF\s+NOT\s+EXISTS\s+)?"
    rf"(?P<name>{_NAME}(?:\s*\.\s*{_NAME})*)",
    re.IGNORECASE,
)


class OutcomeStore(Protocol):
    """Where per-file outcomes are kept between runs (the CLI's cache)."""

    def creates(self, source: Source) -> tuple[str, ...] | None: ...

    def outcome(self, source: Source, tables: str) -> FileOutcome | None: ...

    def save(self, source: Source, tables: str, outcome: FileOutcome) -> None: ...


def estimate_creates(text: str | bytes) -> tuple[str, ...]:
    """Tables a file probably creates, by regex: a guess that the engine verifies."""
    if isinstance(text, bytes):
        text = text.decode("utf-8", errors="replace")
    keys = []
    for match in _CREATE.finditer(text):
        parts = re.split(r"\s*\.\s*", match["name"])
        keys.append(".".join(part.strip('"`').lower() for part in parts))
    return tuple(keys)


class TableDigest:
    """An order-independent digest of a set of table keys, updated one key at a time."""

    def __init__(self) -> None:
        self._seen: set[str] = set()
        self._value = 0

    def add(self, keys: Iterable[str]) -> None:
        # Imported here: loading hashlib initialises OpenSSL (3 ms), and a run over separate
        # files without a cache digests nothing.
        from hashlib import blake2b

        for key in keys:
            if key not in self._seen:
                self._seen.add(key)
                self._value ^= int.from_bytes(blake2b(key.encode(), digest_size=16).digest())

    @property
    def value(self) -> str:
        return f"{self._value:032x}"


def _cost(text: str | bytes) -> int:
    """Rough work to lint a file: parsing costs per statement more than per byte (comments,
    such as licence headers, are cheap)."""
    return len(text) + 400 * (text.count(b";") if isinstance(text, bytes) else text.count(";"))


def _chunks(indices: list[int], sizes: Sequence[int], jobs: int) -> list[list[int]]:
    """Contiguous runs of ``indices`` with about the same cost each."""
    total = sum(sizes[i] for i in indices)
    if jobs < 2 or total < PARALLEL_MIN_COST or len(indices) < 2 * jobs or not hasattr(os, "fork"):
        return [indices]
    chunks: list[list[int]] = [[]]
    share, filled = total / jobs, 0
    for index in indices:
        if filled >= share * len(chunks) and len(chunks) < jobs:
            chunks.append([])
        chunks[-1].append(index)
        filled += sizes[index]
    return chunks


def _batches(indices: list[int], sizes: Sequence[int], processes: int) -> list[list[int]]:
    """Contiguous runs of ``indices``, each about ``1 / (processes * BATCHES_PER_PROCESS)`` of
    the cost."""
    count = min(processes * BATCHES_PER_PROCESS, MAX_BATCHES)
    share = sum(sizes[i] for i in indices) / count
    batches: list[list[int]] = [[]]
    filled = 0
    for index in indices:
        if batches[-1] and filled >= share and len(batches) < count:
            batches.append([])
            filled = 0
        batches[-1].append(index)
        filled += sizes[index]
    return batches


def _take_turns(queue: int, batches: list[list[int]], work: _Work) -> dict[int, FileOutcome]:
    """Read and check the next batch from the shared ``queue`` until it is empty. Each read of
    4 bytes from the pipe takes one whole batch number, whichever process reads it."""
    outcomes: dict[int, FileOutcome] = {}
    while len(record := os.read(queue, 4)) == 4:
        outcomes.update(work.check(work.read(batches[int.from_bytes(record, "little")])))
    return outcomes


# -- the two-phase protocol between the parent and its forked workers -------------------------


def _send(pipe: BinaryIO, value: object) -> None:
    data = pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)
    pipe.write(len(data).to_bytes(8, "little") + data)
    pipe.flush()


def _receive(pipe: BinaryIO) -> object | None:
    """The next message, or None when the other side died before sending it."""
    size = pipe.read(8)
    if len(size) < 8:
        return None
    data = pipe.read(int.from_bytes(size, "little"))
    # Our own forked worker wrote these bytes a moment ago through a private pipe.
    return pickle.loads(data) if len(data) == int.from_bytes(size, "little") else None  # noqa: S301


class _Work:
    """The files of one change being linted: who reads and checks which."""

    def __init__(
        self,
        linter: Linter,
        sources: Sequence[Source],
        creates: list[tuple[str, ...] | None],
        separate_files: bool,
        sizes: Sequence[int],
    ) -> None:
        self.linter = linter
        self.sources = sources
        #: Each file's ``_cost``.
        self.sizes = sizes
        #: Each file is its own change: only its own CREATE TABLEs make a table new.
        self.separate_files = separate_files
        #: Exact tables each file creates, once known (cached facts, or read).
        self.creates = creates

    def read(self, chunk: list[int]) -> dict[int, ReadFile]:
        reads = {index: self.linter.read(self.sources[index]) for index in chunk}
        for index, read in reads.items():
            self.creates[index] = read.creates
        return reads

    def check(self, reads: dict[int, ReadFile]) -> dict[int, FileOutcome]:
        """Check ``reads`` in order; every earlier file's creates must be known."""
        if self.separate_files:
            return {index: self.linter.check(read, TableKeys()) for index, read in reads.items()}
        tables = TableKeys()
        outcomes = {}
        for index in range(max(reads, default=-1) + 1):
            if index in reads:
                outcomes[index] = self.linter.check(reads[index], tables)
            else:
                tables.update(self.creates[index] or ())
        return outcomes

    def worker(self, chunk: list[int], up: BinaryIO, down: BinaryIO) -> None:  # pragma: no cover
        """In a forked child: read, report creates, learn the others', check, report."""
        reads = self.read(chunk)
        _send(up, {index: self.creates[index] for index in chunk})
        creates = _receive(down)
        if not isinstance(creates, list):
            return
        self.creates = creates
        _send(up, self.check(reads))

    def in_parallel(self, chunks: list[list[int]]) -> dict[int, FileOutcome]:
        """One process per chunk, this one taking the first. Over separate files the chunks
        only say how many processes: they take turns (``_taking_turns``)."""
        if self.separate_files:
            return self._taking_turns(chunks)
        children: list[tuple[int, list[int], BinaryIO, BinaryIO]] = []
        for chunk in chunks[1:]:
            up_read, up_write = os.pipe()
            down_read, down_write = os.pipe()
            pid = os.fork()
            if pid == 0:  # pragma: no cover - the child leaves through os._exit
                try:
                    os.close(up_read)
                    os.close(down_write)
                    with (
                        os.fdopen(up_write, "wb") as to_parent,
                        os.fdopen(down_read, "rb") as from_parent,
                    ):
                        self.worker(chunk, to_parent, from_parent)
                finally:
                    os._exit(0)
            os.close(up_write)
            os.close(down_read)
            children.append((pid, chunk, os.fdopen(up_read, "rb"), os.fdopen(down_write, "wb")))
        outcomes = self._exchange_creates(chunks[0], children)
        for pid, chunk, from_child, to_child in children:
            checked = _receive(from_child) if chunk else None
            if isinstance(checked, dict):
                outcomes.update(checked)
            elif chunk:  # the worker died: lint its chunk here (every creates is known)
                outcomes.update(self.check(self.read(chunk)))
            from_child.close()
            to_child.close()
            os.waitpid(pid, 0)
        return outcomes

    def _taking_turns(self, chunks: list[list[int]]) -> dict[int, FileOutcome]:
        """Each file is its own change: the chunks' files are cut into batches, and every
        process, this one included, takes the next batch until none is left."""
        batches = _batches([i for chunk in chunks for i in chunk], self.sizes, len(chunks))
        # The costliest first (a schema dump can be a sixth of a history): the small batches
        # left at the end even the processes out.
        order = sorted(range(len(batches)), key=lambda n: -sum(self.sizes[i] for i in batches[n]))
        queue, filling = os.pipe()
        os.write(filling, b"".join(n.to_bytes(4, "little") for n in order))
        os.close(filling)
        children: list[tuple[int, BinaryIO]] = []
        for _ in chunks[1:]:
            up_read, up_write = os.pipe()
            pid = os.fork()
            if pid == 0:  # pragma: no cover - the child leaves through os._exit
                try:
                    os.close(up_read)
                    with os.fdopen(up_write, "wb") as to_parent:
                        _send(to_parent, _take_turns(queue, batches, self))
                finally:
                    os._exit(0)
            os.close(up_write)
            children.append((pid, os.fdopen(up_read, "rb")))
        outcomes = _take_turns(queue, batches, self)
        for pid, from_child in children:
            checked = _receive(from_child)
            if isinstance(checked, dict):
                outcomes.update(checked)
            from_child.close()
            os.waitpid(pid, 0)
        os.close(queue)
        # A worker that died took its batches with it: lint them here.
        lost = [index for batch in batches for index in batch if index not in outcomes]
        if lost:
            outcomes.update(self.check(self.read(lost)))
        return outcomes

    def _exchange_creates(
        self, mine: list[int], children: list[tuple[int, list[int], BinaryIO, BinaryIO]]
    ) -> dict[int, FileOutcome]:
        """Read this process's chunk, learn what every worker's files create, tell every
        worker all of it, then check this chunk."""
        reads = self.read(mine)
        for position, (pid, chunk, from_child, to_child) in enumerate(children):
            told = _receive(from_child)
            if isinstance(told, dict):
                for index, creates in told.items():
                    self.creates[index] = creates
            else:  # the worker died: read its chunk here, and expect nothing more from it
                reads.update(self.read(chunk))
                children[position] = (pid, [], from_child, to_child)
        for position, (pid, chunk, from_child, to_child) in enumerate(children):
            if not chunk:
                continue
            try:
                _send(to_child, self.creates)
            except OSError:
                reads.update(self.read(chunk))
                children[position] = (pid, [], from_child, to_child)
        return self.check(reads)


def run(
    linter: Linter,
    sources: Sequence[Source],
    *,
    base_files: dict[str, str] | None,
    other_paths: tuple[str, ...],
    jobs: int,
    store: OutcomeStore | None,
    separate_files: bool = False,
    deleted_paths: tuple[str, ...] = (),
) -> list[Finding]:
    creates = [store.creates(source) if store else None for source in sources]
    reused: dict[int, tuple[FileOutcome, str]] = {}
    digest = TableDigest()
    for index, source in enumerate(sources):
        known = creates[index]
        outcome = store.outcome(source, digest.value) if store and known is not None else None
        if outcome is not None:
            reused[index] = (outcome, digest.value)
        if not separate_files:
            digest.add(known if known is not None else estimate_creates(source.text))

    sizes = [_cost(source.text) for source in sources]
    work = _Work(linter, sources, list(creates), separate_files, sizes)
    todo = [index for index in range(len(sources)) if index not in reused]
    outcomes: dict[int, FileOutcome] = {index: outcome for index, (outcome, _) in reused.items()}
    if todo:
        linter.warm_up()
        chunks = _chunks(todo, sizes, jobs)
        if len(chunks) > 1:
            outcomes.update(work.in_parallel(chunks))
        else:
            outcomes.update(work.check(work.read(todo)))

    # Every file's exact creates are known now: recheck reused outcomes looked up with a guess.
    exact = TableDigest()
    tables = TableKeys()
    for index, source in enumerate(sources):
        fresh = index not in reused
        if not fresh and reused[index][1] != exact.value:
            outcome = store.outcome(source, exact.value) if store else None
            if outcome is None:
                outcome, fresh = linter.check(linter.read(source), tables.copy()), True
            outcomes[index] = outcome
        if store is not None and fresh:
            store.save(source, exact.value, outcomes[index])
        if not separate_files:
            exact.add(outcomes[index].creates)
            tables.update(outcomes[index].creates)

    from linters.engine import decode

    files = [
        ChangedFile(
            source.path, linter.name_of(source.path), decode(source)[0], outcomes[index].facts
        )
        for index, source in enumerate(sources)
    ]
    change = Change(
        files,
        linter.config,
        base_files,
        other_paths,
        deleted_paths,
        linter.dialect,
        separate_files,
    )
    findings = linter.check_change(change)
    suppressions: dict[str, list[Suppression]] = {}
    for index, source in enumerate(sources):
        findings.extend(outcomes[index].findings)
        suppressions.setdefault(source.path, []).extend(outcomes[index].suppressions)
    return linter.finish(findings, suppressions)
