"""The config reference, ``docs/config-reference.md``, generated from the config model.

Every key of the server config file (``app.config.Config``) and every process setting
(``app.settings.Settings``) with its type, default and the ``#:`` comment above its field (or
its ``Field(description=...)``). Regenerate after changing either model:
``.venv/bin/python -m app.config_reference`` (``--check`` only tells whether the committed file
is current; the tests run that check).
"""

from __future__ import annotations

import ast
import inspect
import sys
import textwrap
import types
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Annotated, Any, Literal, Union, get_args, get_origin

from annotated_types import Ge, Gt, Le, Lt, MaxLen
from pydantic import BaseModel, SecretStr
from pydantic.fields import FieldInfo
from pydantic_core import PydanticUndefined

from app.config import Config
from app.durations import format_duration
from app.settings import Settings

__all__ = ["REFERENCE_PATH", "REGENERATE", "main", "render", "stale", "write"]

REFERENCE_PATH = Path(__file__).resolve().parent.parent / "docs" / "config-reference.md"
REGENERATE = ".venv/bin/python -m app.config_reference"

_INTRO = """\
# Config reference

<!-- Generated from app/config.py and app/settings.py by `{regenerate}`: do not edit. -->

The server config is one TOML file, given by `--config FILE` or `SCHEMABOT_CONFIG`. It decides
which repositories schemabot serves, which databases each one reaches and in what order: none
of it can come from a repository. Check a file without starting anything with
`schemabot check-config --config FILE`; every problem is listed with its key path.

* **Secrets stay in the environment.** Any string may hold `${{VAR}}` or `${{VAR:-default}}`,
  resolved from the process environment at start (`$$` is a literal `$`). A reference to an
  unset variable without a default is an error naming the key.
* **Secret values** (type *secret*) are never printed; database URLs are printed with the
  password masked. An empty secret counts as unset.
* **Durations** are written `500ms`, `5s`, `15min`, `2h` or `1d`; a bare number is seconds.
* Unknown keys are errors, so a misspelt key cannot be silently ignored.

[schemabot.example.toml](../schemabot.example.toml) is a complete example.
"""

_LINT_NOTE = (
    "The `[lint]` tables take the linter's settings: see "
    "[the linter guide](linter.md#configuration). The server's `[lint]` applies to every "
    "repository and is the floor that a repository's `[repositories.lint]` and its "
    "`.schemabot.toml` (read from the base branch) cannot lower."
)


def _field_comments(model: type[BaseModel]) -> dict[str, str]:
    """The ``#:`` comment lines right above each field of ``model`` and of its bases."""
    comments: dict[str, str] = {}
    for cls in reversed(model.__mro__):
        if not (isinstance(cls, type) and issubclass(cls, BaseModel)) or cls is BaseModel:
            continue
        try:
            lines, _ = inspect.getsourcelines(cls)
        except (OSError, TypeError):
            continue
        tree = ast.parse(textwrap.dedent("".join(lines)))
        body = tree.body[0].body if tree.body and isinstance(tree.body[0], ast.ClassDef) else []
        for node in body:
            if not (isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name)):
                continue
            above: list[str] = []
            index = node.lineno - 2
            while index >= 0 and lines[index].strip().startswith("#:"):
                above.insert(0, lines[index].strip().removeprefix("#:").strip())
                index -= 1
            if above:
                comments[node.target.id] = " ".join(above)
    return comments


def _is_union(annotation: Any) -> bool:
    return get_origin(annotation) in (Union, types.UnionType)


def _bare(annotation: Any) -> Any:
    """``Annotated[T, validators...]`` -> ``T`` (the validators say nothing to a reader)."""
    while get_origin(annotation) is Annotated:
        annotation = get_args(annotation)[0]
    return annotation


def _without_none(annotation: Any) -> tuple[Any, bool]:
    annotation = _bare(annotation)
    if _is_union(annotation):
        members = [_bare(member) for member in get_args(annotation) if member is not type(None)]
        optional = len(members) < len(get_args(annotation))
        return (members[0] if len(members) == 1 else annotation), optional
    return annotation, False


def _model_of(annotation: Any) -> tuple[type[BaseModel], bool] | None:
    """The model a field holds, and whether it holds a list of them (an array of tables)."""
    annotation, _ = _without_none(annotation)
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation, False
    if get_origin(annotation) in (tuple, list):
        arguments = [argument for argument in get_args(annotation) if argument is not Ellipsis]
        if (
            len(arguments) == 1
            and isinstance(arguments[0], type)
            and issubclass(arguments[0], BaseModel)
        ):
            return arguments[0], True
    return None


def _type_name(annotation: Any) -> str:
    annotation, _ = _without_none(annotation)
    if get_origin(annotation) is Literal:
        return " \\| ".join(f'`"{value}"`' for value in get_args(annotation))
    if get_origin(annotation) in (tuple, list):
        arguments = [argument for argument in get_args(annotation) if argument is not Ellipsis]
        inner = _type_name(arguments[0]) if len(arguments) == 1 else "value"
        return f"list of {inner}s"
    if get_origin(annotation) is dict:
        return "table"
    names: dict[Any, str] = {
        str: "string",
        int: "integer",
        float: "number",
        bool: "boolean",
        SecretStr: "secret",
        timedelta: "duration",
        Path: "path",
    }
    return names.get(annotation, getattr(annotation, "__name__", str(annotation)))


def _constraints(info: FieldInfo) -> list[str]:
    found: list[str] = []
    for item in info.metadata:
        if isinstance(item, Ge):
            found.append(f"at least {item.ge}")
        elif isinstance(item, Gt):
            found.append(f"more than {item.gt}")
        elif isinstance(item, Le):
            found.append(f"at most {item.le}")
        elif isinstance(item, Lt):
            found.append(f"less than {item.lt}")
        elif isinstance(item, MaxLen):
            found.append(f"at most {item.max_length} characters")
        pattern = getattr(item, "pattern", None)
        if isinstance(pattern, str):
            found.append(f"matches `{pattern}`")
    return found


def _value(value: Any) -> str:
    if isinstance(value, bool):
        return "`true`" if value else "`false`"
    if isinstance(value, timedelta):
        return f'`"{format_duration(value)}"`'
    if isinstance(value, str | Path):
        return f'`"{value}"`'
    if isinstance(value, tuple | list):
        return "`[]`" if not value else "`[" + ", ".join(f'"{item}"' for item in value) + "]`"
    if isinstance(value, dict):
        return "`{}`" if not value else f"`{value}`"
    return f"`{value}`"


def _default(info: FieldInfo) -> str:
    if info.default_factory is not None:
        return _value(info.default_factory())  # type: ignore[call-arg]
    if info.default is PydanticUndefined:
        return "**required**"
    if info.default is None:
        return "unset"
    return _value(info.default)


def _cell(text: str) -> str:
    # Comments in the code quote names reST-style (``name``); Markdown wants one backtick.
    return text.replace("``", "`").replace("|", "\\|").replace("\n", " ")


def _field_row(name: str, info: FieldInfo, comment: str) -> str:
    type_name = _type_name(info.annotation)
    extra = _constraints(info)
    if extra:
        type_name += f" ({', '.join(extra)})"
    description = comment or info.description or ""
    return f"| `{name}` | {type_name} | {_default(info)} | {_cell(description)} |"


def _tables(model: type[BaseModel], path: str, is_array: bool) -> Iterator[str]:
    """One section per table of the file, depth first, in the model's field order."""
    comments = _field_comments(model)
    plain: list[str] = []
    nested: list[tuple[str, type[BaseModel], bool]] = []
    for name, info in model.model_fields.items():
        held = _model_of(info.annotation)
        if held is not None:
            nested.append((name, *held))
        else:
            plain.append(_field_row(name, info, comments.get(name, "")))
    if plain:
        heading = f"[[{path}]]" if is_array else f"[{path}]"
        yield f"## `{heading}`\n" if path else "## Top-level keys\n"
        doc = inspect.getdoc(model)
        if is_array:
            yield f"An array of tables: one `[[{path}]]` per entry, in order.\n"
        if doc and model.__doc__ is not None and "__doc__" in vars(model):
            yield f"{_cell(doc)}\n"
        yield "| key | type | default | description |\n|---|---|---|---|"
        yield "\n".join(plain) + "\n"
    for name, table, table_is_array in nested:
        yield from _tables(table, f"{path}.{name}" if path else name, table_is_array)


def _settings_section() -> Iterator[str]:
    prefix = str(Settings.model_config.get("env_prefix", "")).upper()
    comments = _field_comments(Settings)
    yield "## Process settings (environment variables)\n"
    yield (
        "How the process runs, apart from the config file. The config file's own `${VAR}`"
        " references are resolved from the same environment.\n"
    )
    yield "| variable | type | default | description |\n|---|---|---|---|"
    rows = [
        _field_row(prefix + name.upper(), info, comments.get(name, ""))
        for name, info in Settings.model_fields.items()
    ]
    yield "\n".join(rows) + "\n"


def render() -> str:
    parts = [_INTRO.format(regenerate=REGENERATE)]
    parts.extend(_tables(Config, "", False))
    parts.append("## `[lint]` and `[repositories.lint]`\n")
    parts.append(_LINT_NOTE + "\n")
    parts.extend(_settings_section())
    return "\n".join(parts).rstrip("\n") + "\n"


def write(path: Path = REFERENCE_PATH) -> bool:
    """Write the reference; True when the file changed."""
    text = render()
    if path.exists() and path.read_text(encoding="utf-8") == text:
        return False
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return True


def stale(path: Path = REFERENCE_PATH) -> bool:
    """True when the committed reference differs from what the models generate."""
    return not path.exists() or path.read_text(encoding="utf-8") != render()


def main(argv: list[str], path: Path = REFERENCE_PATH) -> int:
    if argv == ["--check"]:
        if stale(path):
            sys.stderr.write(f"{path.name} is stale: run {REGENERATE}\n")
            return 1
        return 0
    if argv:
        sys.stderr.write("usage: python -m app.config_reference [--check]\n")
        return 2
    changed = write(path)
    sys.stdout.write(f"{'wrote' if changed else 'unchanged'}: {path}\n")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
