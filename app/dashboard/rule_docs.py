"""A rule's docs page (Markdown from its docstring) as HTML for the rules reference.

The docstrings use a small part of Markdown: ``##`` headings, paragraphs, bullet lists with
wrapped lines, fenced code blocks, inline code and links. Rendering just that keeps the
dashboard free of another dependency, and safe by construction: all text is escaped first,
and only ``http(s)``, relative and fragment links become anchors.
"""

from __future__ import annotations

import re

from markupsafe import Markup, escape

__all__ = ["render_inline", "render_rule_doc"]

_INLINE_CODE = re.compile(r"`([^`]+)`")
_LINK = re.compile(r"\[([^\]]+)\]\(([^)\s]+)\)")
_SAFE_HREF = re.compile(r"^(https?://|/|#|[A-Za-z0-9_.-]+\.md(#.*)?$)")
_BULLET = re.compile(r"^\s*[-*] ")


def _href(target: str) -> str:
    """Links between rule pages (``other-rule.md``) point at the dashboard's rule pages."""
    if target.endswith(".md") and "/" not in target:
        return f"/rules/{target.removesuffix('.md')}"
    return target


def _inline(text: str) -> str:
    """Escape, then turn code spans and links into tags (code spans first: no links inside)."""
    pieces: list[str] = []
    for index, part in enumerate(_INLINE_CODE.split(text)):
        if index % 2:
            pieces.append(f"<code>{escape(part)}</code>")
            continue
        out, last = [], 0
        for match in _LINK.finditer(part):
            out.append(str(escape(part[last : match.start()])))
            label, target = match.group(1), match.group(2)
            if _SAFE_HREF.match(target):
                out.append(f'<a href="{escape(_href(target))}">{escape(label)}</a>')
            else:
                out.append(str(escape(match.group(0))))
            last = match.end()
        out.append(str(escape(part[last:])))
        pieces.append("".join(out))
    return "".join(pieces)


def render_inline(text: str) -> Markup:
    """One line of Markdown (a finding's message names its object in backticks)."""
    return Markup(_inline(text))  # noqa: S704 - _inline escapes every piece


def render_rule_doc(markdown: str, *, heading_offset: int = 0) -> Markup:
    """``heading_offset`` pushes headings down a level where the page has its own above them
    (a review's findings); ``##`` is ``<h2>`` on the rule's own page."""
    html: list[str] = []
    paragraph: list[str] = []
    items: list[list[str]] = []
    lines = markdown.splitlines()

    def flush() -> None:
        if paragraph:
            html.append(f"<p>{_inline(' '.join(paragraph))}</p>")
            paragraph.clear()
        if items:
            html.append(
                "<ul>" + "".join(f"<li>{_inline(' '.join(i))}</li>" for i in items) + "</ul>"
            )
            items.clear()

    index = 0
    while index < len(lines):
        line = lines[index]
        stripped = line.strip()
        if stripped.startswith("```"):
            flush()
            language = stripped.removeprefix("```").strip()
            block: list[str] = []
            index += 1
            while index < len(lines) and not lines[index].strip().startswith("```"):
                block.append(lines[index])
                index += 1
            css = f' class="language-{escape(language)}"' if language else ""
            html.append(f"<pre><code{css}>{escape(chr(10).join(block))}</code></pre>")
        elif stripped.startswith("#"):
            flush()
            level = min(len(stripped) - len(stripped.lstrip("#")) + heading_offset, 6)
            html.append(f"<h{level}>{_inline(stripped.lstrip('#').strip())}</h{level}>")
        elif not stripped:
            flush()
        elif _BULLET.match(line):
            if paragraph:
                flush()
            items.append([_BULLET.sub("", line, count=1).strip()])
        elif items and line.startswith(" "):
            items[-1].append(stripped)  # a wrapped bullet continues
        else:
            if items:
                flush()
            paragraph.append(stripped)
        index += 1
    flush()
    return Markup("\n".join(html))  # noqa: S704 - every piece above is escaped
