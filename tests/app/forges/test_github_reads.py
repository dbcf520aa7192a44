"""GitHub adapter reads against the fake forge: pull requests, changed files (all pages),
trees, file contents, permissions."""

from __future__ import annotations

from app.forges.base import ChangedFile, Permission
from app.forges.github import GitHub
from tests.fakeforge import FakeForge, unified_patch

REPO = "octo/shop"


def test_pull_request_is_read_fresh_with_head_and_base(
    fake_forge: FakeForge, github: GitHub
) -> None:
    fake_forge.add_repository(REPO, forge="github", files={"README.md": "shop\n"})
    pull = fake_forge.add_pull_request(
        REPO, {"migrations/001.sql": (None, "SELECT 1;\n")}, forge="github", author="bob"
    )

    read = github.pull_request(REPO, 1)

    assert read.repository == REPO
    assert read.number == 1
    assert read.title == "Add migrations"
    assert read.author == "bob"
    assert read.head_sha == pull.head_sha
    assert read.head_branch == "feature-1"
    assert read.base_sha == pull.base_sha
    assert read.base_branch == "main"
    assert read.head_repository == REPO
    assert not read.from_fork
    assert read.state == "open"
    assert read.merge_sha is None
    assert read.url == f"{fake_forge.url}/{REPO}/pull/1"
    assert [r.path for r in fake_forge.requests(forge="github")] == [
        "/api/v3/repos/octo/shop/pulls/1"
    ]


def test_a_pull_request_from_a_fork_says_so(fake_forge: FakeForge, github: GitHub) -> None:
    fake_forge.add_repository(REPO, forge="github")
    fake_forge.add_pull_request(
        REPO, {"a.sql": (None, "SELECT 1;\n")}, forge="github", fork="mallory/shop"
    )
    read = github.pull_request(REPO, 1)
    assert read.head_repository == "mallory/shop"
    assert read.from_fork


def test_a_merged_pull_request_carries_its_merge_commit(
    fake_forge: FakeForge, github: GitHub
) -> None:
    fake_forge.add_repository(REPO, forge="github")
    pull = fake_forge.add_pull_request(REPO, {"a.sql": (None, "SELECT 1;\n")}, forge="github")
    pull.merged, pull.state, pull.merge_sha = True, "closed", "f" * 40
    read = github.pull_request(REPO, 1)
    assert read.state == "merged"
    assert read.merge_sha == "f" * 40


def test_changed_files_of_300_files_reads_every_page(fake_forge: FakeForge, github: GitHub) -> None:
    fake_forge.add_repository(REPO, forge="github")
    files: dict[str, tuple[str | None, str | None]] = {
        f"migrations/{n:03}_table.sql": (None, f"CREATE TABLE t{n} (id int);\n") for n in range(297)
    }
    files["migrations/old.sql"] = ("DROP TABLE x;\n", None)
    files["migrations/changed.sql"] = ("SELECT 1;\n", "SELECT 2;\n")
    files["migrations/new_name.sql"] = ("SELECT 3;\n", "SELECT 3;\nSELECT 4;\n")
    fake_forge.add_pull_request(
        REPO, files, forge="github", renamed={"migrations/new_name.sql": "migrations/old_name.sql"}
    )

    changed = github.changed_files(REPO, 1)

    assert len(changed) == 300
    assert changed[0] == ChangedFile(
        path="migrations/000_table.sql",
        status="added",
        patch="@@ -0,0 +1 @@\n+CREATE TABLE t0 (id int);",
    )
    by_path = {file.path: file for file in changed}
    assert by_path["migrations/old.sql"].status == "removed"
    assert by_path["migrations/changed.sql"].status == "modified"
    assert by_path["migrations/changed.sql"].patch == unified_patch("SELECT 1;\n", "SELECT 2;\n")
    renamed = by_path["migrations/new_name.sql"]
    assert (renamed.status, renamed.previous_path) == ("renamed", "migrations/old_name.sql")
    pages = fake_forge.requests("GET", "/pulls/1/files")
    assert len(pages) == 3
    assert [page.query.get("page", "1") for page in pages] == ["1", "2", "3"]
    assert all(page.query["per_page"] == "100" for page in pages)


def test_list_files_reads_the_tree_at_the_ref(fake_forge: FakeForge, github: GitHub) -> None:
    fake_forge.add_repository(
        REPO,
        forge="github",
        files={
            "README.md": "shop\n",
            "migrations/001_users.sql": "CREATE TABLE users (id int);\n",
            "migrations/postgres/002_orders.sql": "CREATE TABLE orders (id int);\n",
            "migrations_old/legacy.sql": "SELECT 1;\n",
        },
    )
    base = fake_forge.repository(REPO, forge="github").branches["main"]
    pull = fake_forge.add_pull_request(
        REPO, {"migrations/003_items.sql": (None, "CREATE TABLE items (id int);\n")}, forge="github"
    )

    assert github.list_files(REPO, "migrations", pull.head_sha) == [
        "migrations/001_users.sql",
        "migrations/003_items.sql",
        "migrations/postgres/002_orders.sql",
    ]
    assert github.list_files(REPO, "migrations/", base) == [
        "migrations/001_users.sql",
        "migrations/postgres/002_orders.sql",
    ]
    assert github.list_files(REPO, "nothing/here", base) == []
    trees = fake_forge.requests("GET", "/git/trees/")
    assert [tree.query.get("recursive") for tree in trees] == ["1", "1", "1"]


def test_list_files_walks_subtrees_when_github_truncates(
    fake_forge: FakeForge, github: GitHub
) -> None:
    files = {f"app/src/module_{n}.py": "pass\n" for n in range(30)}
    files |= {f"db/migrations/{n:03}.sql": "SELECT 1;\n" for n in range(12)}
    files["db/migrations/archive/000.sql"] = "SELECT 0;\n"
    fake_forge.add_repository(REPO, forge="github", files=files)
    fake_forge.tree_entry_limit = 10  # the recursive trees of the root and of db/migrations

    listed = github.list_files(REPO, "db/migrations", "main")

    assert listed == [f"db/migrations/{n:03}.sql" for n in range(12)] + [
        "db/migrations/archive/000.sql"
    ]
    recursive = [r.query.get("recursive") for r in fake_forge.requests("GET", "/git/trees/")]
    # The root's recursive tree is cut; root and db are read to find db/migrations, whose
    # recursive tree is cut too; then db/migrations and archive are read one level each.
    assert recursive == ["1", None, None, "1", None, None]


def test_read_file_at_a_ref(fake_forge: FakeForge, github: GitHub) -> None:
    fake_forge.add_repository(REPO, forge="github", files={"migrations/001.sql": "SELECT 1;\n"})
    base = fake_forge.repository(REPO, forge="github").branches["main"]
    pull = fake_forge.add_pull_request(
        REPO, {"migrations/001.sql": ("SELECT 1;\n", "SELECT 'é';\n")}, forge="github"
    )

    assert github.read_file(REPO, "migrations/001.sql", pull.head_sha) == "SELECT 'é';\n"
    assert github.read_file(REPO, "migrations/001.sql", base) == "SELECT 1;\n"
    assert github.read_file(REPO, "migrations/missing.sql", pull.head_sha) is None
    assert github.read_file(REPO, "migrations", pull.head_sha) is None  # a directory
    contents = fake_forge.requests("GET", "/contents/")
    assert contents[0].query == {"ref": pull.head_sha}


def test_read_file_over_a_megabyte_falls_back_to_the_blob(
    fake_forge: FakeForge, github: GitHub
) -> None:
    big = "INSERT INTO t VALUES (1);\n" * 100
    fake_forge.add_repository(REPO, forge="github", files={"seed.sql": big})
    fake_forge.contents_size_limit = 1000

    assert github.read_file(REPO, "seed.sql", "main") == big
    assert len(fake_forge.requests("GET", "/git/blobs/")) == 1


def test_permission_uses_the_exact_role(fake_forge: FakeForge, github: GitHub) -> None:
    fake_forge.add_repository(REPO, forge="github")
    for login, role in [
        ("ada", "admin"),
        ("max", "maintain"),
        ("wes", "write"),
        ("tia", "triage"),
        ("rex", "read"),
    ]:
        fake_forge.set_role(REPO, login, role)
    fake_forge.set_role(REPO, "sec", "security-reviewer", permission="write")
    fake_forge.add_user("stranger")

    assert github.permission(REPO, "ada") is Permission.ADMIN
    # The legacy field says "write" for both; role_name tells them apart.
    assert github.permission(REPO, "max") is Permission.MAINTAIN
    assert github.permission(REPO, "wes") is Permission.WRITE
    assert github.permission(REPO, "tia") is Permission.TRIAGE
    assert github.permission(REPO, "rex") is Permission.READ
    assert github.permission(REPO, "sec") is Permission.WRITE  # a custom role: its base role
    assert github.permission(REPO, "stranger") is Permission.NONE
    assert github.permission(REPO, "nobody-at-all") is Permission.NONE
    assert fake_forge.requests("GET", "/collaborators/max/permission")
