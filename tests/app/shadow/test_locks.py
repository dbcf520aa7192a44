"""What each PostgreSQL lock mode blocks, from the manual's conflict table."""

from __future__ import annotations

from itertools import pairwise

import pytest

from app.shadow.locks import CONFLICTS, blocks_reads, blocks_writes, mode_name, mode_rank


def test_the_conflict_table_is_symmetric_as_the_manual_says() -> None:
    for mode, conflicts in CONFLICTS.items():
        for other in conflicts:
            assert mode in CONFLICTS[other], f"{mode} conflicts with {other} but not back"


@pytest.mark.parametrize(
    ("mode", "name", "reads", "writes"),
    [
        ("AccessShareLock", "ACCESS SHARE", False, False),
        ("RowShareLock", "ROW SHARE", False, False),
        ("RowExclusiveLock", "ROW EXCLUSIVE", False, False),
        ("ShareUpdateExclusiveLock", "SHARE UPDATE EXCLUSIVE", False, False),
        ("ShareLock", "SHARE", False, True),
        ("ShareRowExclusiveLock", "SHARE ROW EXCLUSIVE", False, True),
        ("ExclusiveLock", "EXCLUSIVE", False, True),
        ("AccessExclusiveLock", "ACCESS EXCLUSIVE", True, True),
    ],
)
def test_each_mode_blocks_reads_writes_both_or_neither(
    mode: str, name: str, reads: bool, writes: bool
) -> None:
    assert (mode_name(mode), blocks_reads(mode), blocks_writes(mode)) == (name, reads, writes)


def test_a_stronger_mode_blocks_at_least_the_reads_and_writes_a_weaker_one_blocks() -> None:
    ordered = sorted(CONFLICTS, key=mode_rank)
    assert ordered[0] == "AccessShareLock" and ordered[-1] == "AccessExclusiveLock"
    for weaker, stronger in pairwise(ordered):
        assert blocks_reads(weaker) <= blocks_reads(stronger)
        assert blocks_writes(weaker) <= blocks_writes(stronger)
    assert mode_rank("SIReadLock") == -1  # predicate locks are not table locks
