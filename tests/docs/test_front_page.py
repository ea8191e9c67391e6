"""The README stays a front page and the docs site stays whole.

`mkdocs build --strict` (make docs, make lint) checks the links between docs pages; these tests add what it
cannot see: the README itself (GitHub renders it, mkdocs never reads it), its length, and pages that exist
under docs/ but that nobody can reach from the site's navigation.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
README = ROOT / "README.md"
DOCS = ROOT / "docs"
MAX_README_LINES = 200

_FENCE = re.compile(r"^```.*?^```", re.M | re.S)
_CODE_SPAN = re.compile(r"`[^`\n]*`")
_LINK = re.compile(r"\]\(([^)\s]+)\)")
_HEADING = re.compile(r"^#{1,6}\s+(.*?)\s*$", re.M)
_SNIPPET = re.compile(
    r'^--8<-- "([^":]+)(?::[\w-]+)?"$', re.M
)  # pymdownx.snippets, from the repo root


def markdown_files() -> list[Path]:
    return [README, *sorted(DOCS.rglob("*.md"))]


def links(path: Path) -> Iterator[str]:
    """Every link target written in `path`'s prose (code blocks and code spans are not links)."""
    text = _CODE_SPAN.sub("", _FENCE.sub("", path.read_text()))
    yield from _LINK.findall(text)


def slug(heading: str) -> str:
    """The anchor Python-Markdown's toc extension gives a heading (its default slugify)."""
    text = heading.replace("`", "")
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    text = re.sub(r"[^\w\s-]", "", text).strip().lower()
    return re.sub(r"[-\s]+", "-", text)


def anchors(path: Path) -> set[str]:
    """The anchors of `path`'s headings, and of the files it includes as snippets (the site shows both)."""
    text = _FENCE.sub("", path.read_text())
    included = set().union(*(anchors(ROOT / name) for name in _SNIPPET.findall(text)))
    return {slug(h) for h in _HEADING.findall(text)} | included


def broken(source: Path, target: str) -> str | None:
    """Why the relative link `target` written in `source` leads nowhere, or None when it resolves."""
    if re.match(r"^[a-z][a-z0-9+.-]*:", target):  # http:, mailto:, ...: not ours to check
        return None
    file_part, _, anchor = target.partition("#")
    dest = (source.parent / file_part).resolve() if file_part else source
    if not dest.exists():
        return f"{target}: no such file {dest.relative_to(ROOT) if dest.is_relative_to(ROOT) else dest}"
    if anchor and dest.suffix == ".md" and anchor not in anchors(dest):
        return f"{target}: {dest.name} has no heading with the anchor #{anchor}"
    return None


def nav_pages(node: Any) -> Iterator[str]:
    """Every page file named anywhere in mkdocs.yml's nav."""
    if isinstance(node, str):
        yield node
    elif isinstance(node, list):
        for item in node:
            yield from nav_pages(item)
    elif isinstance(node, dict):
        for value in node.values():
            yield from nav_pages(value)


def test_the_readme_is_a_front_page() -> None:
    lines = len(README.read_text().splitlines())
    assert lines <= MAX_README_LINES, (
        f"README.md has {lines} lines (at most {MAX_README_LINES}): move the detail into a page "
        "under docs/ and link to it"
    )


@pytest.mark.parametrize("path", markdown_files(), ids=lambda p: str(p.relative_to(ROOT)))
def test_every_relative_link_resolves(path: Path) -> None:
    problems = [why for target in links(path) if (why := broken(path, target))]
    assert not problems, f"{path.relative_to(ROOT)} has broken links:\n" + "\n".join(problems)


class _MkdocsLoader(yaml.SafeLoader):
    """YAML as mkdocs reads it: its `!relative` and `!ENV` tags are values, not errors."""


_MkdocsLoader.add_multi_constructor("!", lambda loader, suffix, node: None)


def test_every_docs_page_is_in_the_nav() -> None:
    config = yaml.load((ROOT / "mkdocs.yml").read_text(), Loader=_MkdocsLoader)
    in_nav = set(nav_pages(config["nav"]))
    pages = {str(p.relative_to(DOCS)) for p in DOCS.rglob("*.md")}
    assert not pages - in_nav, f"pages missing from mkdocs.yml's nav: {sorted(pages - in_nav)}"
    assert not in_nav - pages, (
        f"mkdocs.yml's nav names pages that do not exist: {sorted(in_nav - pages)}"
    )


def test_the_link_checker_sees_a_broken_link(tmp_path: Path) -> None:
    page = tmp_path / "page.md"
    page.write_text("# Title\n\n[gone](missing.md), [ok](page.md#title), [bad](page.md#nope)\n")
    found = [why for target in links(page) if (why := broken(page, target))]
    assert len(found) == 2
    assert "no such file" in found[0] and "#nope" in found[1]
