"""Commentable lines from real unified diffs: GitHub's ``patch`` and GitLab's ``diff``."""

from __future__ import annotations

from app.forges.diff import parse_patch

# A migration file added: every line is new.
ADDED_FILE = """\
@@ -0,0 +1,3 @@
+CREATE TABLE users (id bigint PRIMARY KEY);
+
+CREATE INDEX ix_users_id ON users (id);"""

# Two hunks: a line changed near the top, two lines added near the bottom.
TWO_HUNKS = """\
@@ -1,5 +1,5 @@
 -- shop schema
-CREATE TABLE orders (id int);
+CREATE TABLE orders (id bigint);
 CREATE TABLE items (id int);
 CREATE TABLE carts (id int);
 -- indexes
@@ -20,4 +20,6 @@ CREATE TABLE payments (
 ALTER TABLE items ADD COLUMN price int;
 ALTER TABLE items ADD COLUMN sku text;
+ALTER TABLE items ADD COLUMN weight int;
+ALTER TABLE items ADD COLUMN colour text;
 -- end
 COMMIT;"""

# Lines removed only: the new side keeps the context lines around the removal.
DELETIONS = """\
@@ -3,6 +3,4 @@ BEGIN;
 CREATE TABLE a (id int);
 CREATE TABLE b (id int);
-DROP TABLE c;
-DROP TABLE d;
 CREATE TABLE e (id int);
 COMMIT;"""

# The last line gained a newline: the old one is marked, and the marker takes no number.
NO_NEWLINE = """\
@@ -1,2 +1,3 @@
 CREATE TABLE a (id int);
-DROP TABLE b;
\\ No newline at end of file
+DROP TABLE b;
+DROP TABLE c;
\\ No newline at end of file"""

# GitLab's diff of the same addition, with a file header and a trailing newline.
WITH_HEADERS = """\
diff --git a/m/001.sql b/m/001.sql
--- a/m/001.sql
+++ b/m/001.sql
@@ -1,2 +1,3 @@
 BEGIN;
+SELECT 1;
 COMMIT;
"""


def test_an_added_file_has_every_line_added_and_no_context() -> None:
    lines = parse_patch(ADDED_FILE)
    assert lines.added == {1, 2, 3}
    assert lines.context == {}
    assert lines.commentable == {1, 2, 3}
    assert lines.old_line(2) is None


def test_two_hunks_map_context_lines_to_their_old_numbers() -> None:
    lines = parse_patch(TWO_HUNKS)
    assert lines.added == {2, 22, 23}
    assert lines.context == {1: 1, 3: 3, 4: 4, 5: 5, 20: 20, 21: 21, 24: 22, 25: 23}
    assert lines.commentable == {1, 2, 3, 4, 5, 20, 21, 22, 23, 24, 25}
    assert 6 not in lines.commentable  # between the hunks: not in the diff
    assert 19 not in lines.commentable


def test_a_range_must_stay_within_one_hunk() -> None:
    lines = parse_patch(TWO_HUNKS)
    assert lines.can_comment(23, start_line=22)
    assert lines.can_comment(25, start_line=20)
    assert not lines.can_comment(22, start_line=2)  # spans the gap between hunks
    assert not lines.can_comment(2, start_line=3)  # backwards
    assert not lines.can_comment(30)


def test_deleted_lines_take_no_new_line_and_shift_the_old_numbers() -> None:
    lines = parse_patch(DELETIONS)
    assert lines.added == frozenset()
    assert lines.context == {3: 3, 4: 4, 5: 7, 6: 8}


def test_no_newline_markers_take_no_line_number() -> None:
    lines = parse_patch(NO_NEWLINE)
    assert lines.added == {2, 3}
    assert lines.context == {1: 1}
    assert lines.commentable == {1, 2, 3}


def test_file_headers_are_skipped() -> None:
    lines = parse_patch(WITH_HEADERS)
    assert lines.added == {2}
    assert lines.context == {1: 1, 3: 2}


def test_a_hunk_header_without_counts_means_one_line() -> None:
    lines = parse_patch("@@ -4 +4 @@\n-old\n+new")
    assert lines.added == {4}
    assert lines.context == {}


def test_an_empty_context_line_stripped_of_its_space_still_counts() -> None:
    lines = parse_patch("@@ -1,3 +1,4 @@\n a\n\n+b\n c")
    assert lines.context == {1: 1, 2: 2, 4: 3}
    assert lines.added == {3}


def test_no_patch_means_no_commentable_line() -> None:
    assert parse_patch(None).commentable == frozenset()
    assert parse_patch("").commentable == frozenset()
    assert parse_patch("Binary files a/x.png and b/x.png differ").commentable == frozenset()


def test_removed_and_added_sql_comments_are_not_mistaken_for_file_headers() -> None:
    # "-- old" removed shows as "--- old", "++ new" added as "+++ new": inside a hunk they
    # are lines, not the ---/+++ header of a file.
    lines = parse_patch("@@ -1,3 +1,3 @@\n a\n--- old\n+++ new\n b")
    assert lines.added == {2}
    assert lines.context == {1: 1, 3: 3}
