"""GitLab adapter reads against the fake forge: merge requests with diff refs, diffs (all
pages), repository trees, raw files, member access levels."""

from __future__ import annotations

import pytest

from app.forges.base import ChangedFile, ForgeError, Permission
from app.forges.gitlab import GitLab
from tests.fakeforge import FakeForge, unified_patch

REPO = "group/shop"
ENCODED = "/api/v4/projects/group%2Fshop"


def test_pull_request_carries_the_fresh_diff_refs(fake_forge: FakeForge, gitlab: GitLab) -> None:
    fake_forge.add_repository(REPO, forge="gitlab", files={"README.md": "shop\n"})
    pull = fake_forge.add_pull_request(
        REPO, {"migrations/001.sql": (None, "SELECT 1;\n")}, forge="gitlab", author="bob"
    )

    read = gitlab.pull_request(REPO, 1)

    assert read.repository == REPO
    assert (read.number, read.title, read.author) == (1, "Add migrations", "bob")
    assert read.head_sha == pull.head_sha
    assert read.base_sha == pull.base_sha
    assert read.start_sha == pull.start_sha
    assert (read.head_branch, read.base_branch) == ("feature-1", "main")
    assert read.head_repository == REPO
    assert read.state == "open"
    assert read.url == f"{fake_forge.url}/{REPO}/-/merge_requests/1"
    # The project is addressed by its URL-encoded path, with no lookup first.
    assert [r.path for r in fake_forge.requests()] == [f"{ENCODED}/merge_requests/1"]


def test_a_merge_request_from_a_fork_names_the_fork(fake_forge: FakeForge, gitlab: GitLab) -> None:
    fake_forge.add_repository(REPO, forge="gitlab")
    fake_forge.add_repository("mallory/shop", forge="gitlab")
    fake_forge.add_pull_request(
        REPO, {"a.sql": (None, "SELECT 1;\n")}, forge="gitlab", fork="mallory/shop"
    )
    read = gitlab.pull_request(REPO, 1)
    assert read.head_repository == "mallory/shop"
    assert read.from_fork


def test_a_merged_merge_request_carries_its_merge_commit(
    fake_forge: FakeForge, gitlab: GitLab
) -> None:
    fake_forge.add_repository(REPO, forge="gitlab")
    pull = fake_forge.add_pull_request(REPO, {"a.sql": (None, "SELECT 1;\n")}, forge="gitlab")
    pull.merged, pull.merge_sha = True, "e" * 40
    read = gitlab.pull_request(REPO, 1)
    assert (read.state, read.merge_sha) == ("merged", "e" * 40)


def test_changed_files_of_300_files_reads_every_page(fake_forge: FakeForge, gitlab: GitLab) -> None:
    fake_forge.add_repository(REPO, forge="gitlab")
    files: dict[str, tuple[str | None, str | None]] = {
        f"migrations/{n:03}.sql": (None, f"CREATE TABLE t{n} (id int);\n") for n in range(297)
    }
    files["migrations/dropped.sql"] = ("DROP TABLE x;\n", None)
    files["migrations/changed.sql"] = ("SELECT 1;\n", "SELECT 2;\n")
    files["migrations/new_name.sql"] = ("SELECT 3;\n", "SELECT 3;\nSELECT 4;\n")
    fake_forge.add_pull_request(
        REPO, files, forge="gitlab", renamed={"migrations/new_name.sql": "migrations/old_name.sql"}
    )

    changed = gitlab.changed_files(REPO, 1)

    assert len(changed) == 300
    assert changed[0] == ChangedFile(
        path="migrations/000.sql",
        status="added",
        patch="@@ -0,0 +1 @@\n+CREATE TABLE t0 (id int);\n",
    )
    by_path = {file.path: file for file in changed}
    assert by_path["migrations/dropped.sql"].status == "removed"
    assert by_path["migrations/changed.sql"].status == "modified"
    assert by_path["migrations/changed.sql"].patch == (
        unified_patch("SELECT 1;\n", "SELECT 2;\n") + "\n"
    )
    renamed = by_path["migrations/new_name.sql"]
    assert (renamed.status, renamed.previous_path) == ("renamed", "migrations/old_name.sql")
    pages = fake_forge.requests("GET", "/merge_requests/1/diffs")
    assert [page.query.get("page", "1") for page in pages] == ["1", "2", "3"]
    assert all(page.query["per_page"] == "100" for page in pages)


def test_list_files_reads_the_tree_at_the_ref(fake_forge: FakeForge, gitlab: GitLab) -> None:
    files = {f"migrations/{n:03}.sql": "SELECT 1;\n" for n in range(120)}
    files |= {"migrations/pg/x.sql": "SELECT 2;\n", "README.md": "shop\n", "migrationsX/y": "z"}
    fake_forge.add_repository(REPO, forge="gitlab", files=files)
    base = fake_forge.repository(REPO, forge="gitlab").branches["main"]
    pull = fake_forge.add_pull_request(
        REPO, {"migrations/new.sql": (None, "SELECT 3;\n")}, forge="gitlab"
    )

    at_head = gitlab.list_files(REPO, "migrations", pull.head_sha)
    at_base = gitlab.list_files(REPO, "/migrations/", base)

    assert at_head == sorted([*files.keys() - {"README.md", "migrationsX/y"}, "migrations/new.sql"])
    assert at_base == sorted(files.keys() - {"README.md", "migrationsX/y"})
    assert gitlab.list_files(REPO, "no/such/dir", base) == []
    trees = fake_forge.requests("GET", "/repository/tree")
    assert trees[0].query["path"] == "migrations"
    assert trees[0].query["ref"] == pull.head_sha
    assert trees[0].query["recursive"].lower() == "true"
    assert len([t for t in trees if t.query["ref"] == pull.head_sha]) == 2  # 122 entries, 2 pages


def test_read_file_at_a_ref(fake_forge: FakeForge, gitlab: GitLab) -> None:
    fake_forge.add_repository(REPO, forge="gitlab", files={"db/m/001.sql": "SELECT 1;\n"})
    base = fake_forge.repository(REPO, forge="gitlab").branches["main"]
    pull = fake_forge.add_pull_request(
        REPO, {"db/m/001.sql": ("SELECT 1;\n", "SELECT 'ü';\n")}, forge="gitlab"
    )

    assert gitlab.read_file(REPO, "db/m/001.sql", pull.head_sha) == "SELECT 'ü';\n"
    assert gitlab.read_file(REPO, "db/m/001.sql", base) == "SELECT 1;\n"
    assert gitlab.read_file(REPO, "db/m/missing.sql", base) is None
    raw = fake_forge.requests("GET", "/raw")[0]
    assert raw.path == f"{ENCODED}/repository/files/db%2Fm%2F001.sql/raw"


@pytest.mark.parametrize(
    ("level", "expected"),
    [
        (50, Permission.ADMIN),
        (40, Permission.MAINTAIN),
        (30, Permission.WRITE),
        (20, Permission.READ),
        (15, Permission.NONE),
        (10, Permission.NONE),
        (5, Permission.NONE),
    ],
)
def test_permission_maps_the_access_level(
    fake_forge: FakeForge, gitlab: GitLab, level: int, expected: Permission
) -> None:
    fake_forge.add_repository(REPO, forge="gitlab")
    fake_forge.set_access_level(REPO, "dev", level)
    assert gitlab.permission(REPO, "dev") is expected
    user_id = fake_forge.users["dev"]
    assert fake_forge.requests("GET", f"/members/all/{user_id}")


def test_permission_of_strangers_and_blocked_members_is_none(
    fake_forge: FakeForge, gitlab: GitLab
) -> None:
    fake_forge.add_repository(REPO, forge="gitlab")
    fake_forge.add_user("stranger")
    fake_forge.set_access_level(REPO, "gone", 40)
    fake_forge.blocked.add("gone")
    assert gitlab.permission(REPO, "stranger") is Permission.NONE
    assert gitlab.permission(REPO, "nobody-at-all") is Permission.NONE
    assert gitlab.permission(REPO, "gone") is Permission.NONE


def test_an_unknown_project_is_a_not_found_error(fake_forge: FakeForge, gitlab: GitLab) -> None:
    with pytest.raises(ForgeError) as raised:
        gitlab.pull_request("group/nothing", 1)
    assert raised.value.status == 404
    assert not raised.value.retryable


def test_a_diff_not_computed_yet_is_read_again(
    fake_forge: FakeForge, gitlab: GitLab, sleeps: list[float]
) -> None:
    fake_forge.add_repository(REPO, forge="gitlab")
    pull = fake_forge.add_pull_request(REPO, {"a.sql": (None, "SELECT 1;\n")}, forge="gitlab")
    # Right after a push GitLab may answer before it has computed the new diff version.
    fake_forge.fail_next(r"/merge_requests/1$", status=200, body={"iid": 1, "diff_refs": None})

    assert gitlab.pull_request(REPO, 1).head_sha == pull.head_sha
    assert len(fake_forge.requests("GET", "/merge_requests/1")) == 2
    assert sleeps == [0.5]
