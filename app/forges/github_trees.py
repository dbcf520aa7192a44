"""The files under a directory at a ref, through GitHub's Git trees API."""

from __future__ import annotations

from github.Repository import Repository

__all__ = ["files_under"]


def files_under(repo: Repository, directory: str, ref: str) -> list[str]:
    """Paths of the blobs under ``directory`` at ``ref``.

    One recursive tree request is enough for most repositories. GitHub cuts recursive trees
    at 100,000 entries or 7 MB (``truncated``); then the directory's own tree is read, and if
    that is cut too, walked one level per request.
    """
    parts = [part for part in directory.strip("/").split("/") if part]
    prefix = "/".join(parts) + "/" if parts else ""
    tree = repo.get_git_tree(ref, recursive=True)
    if not tree.truncated:
        return sorted(e.path for e in tree.tree if e.type == "blob" and e.path.startswith(prefix))
    sha = ref
    for part in parts:
        entry = next((e for e in repo.get_git_tree(sha).tree if e.path == part), None)
        if entry is None or entry.type != "tree":
            return []
        sha = entry.sha
    subtree = repo.get_git_tree(sha, recursive=True)
    if not subtree.truncated:
        return sorted(prefix + e.path for e in subtree.tree if e.type == "blob")
    paths: list[str] = []
    pending = [(sha, prefix)]
    while pending:
        sha, base = pending.pop()
        for entry in repo.get_git_tree(sha).tree:
            if entry.type == "blob":
                paths.append(base + entry.path)
            elif entry.type == "tree":
                pending.append((entry.sha, f"{base}{entry.path}/"))
    return sorted(paths)
