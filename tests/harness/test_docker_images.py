"""The local base images are built from the Debian mirror this machine's apt already uses."""

from __future__ import annotations

from pathlib import Path

import pytest

from harness.docker.images import debian_mirror


def test_mirror_is_read_from_deb822_sources_skipping_security(tmp_path: Path) -> None:
    sources = tmp_path / "debian.sources"
    sources.write_text(
        "Types: deb\nURIs: http://mirror.example.invalid/debian-security\n\n"
        "Types: deb\nURIs: http://mirror.example.invalid/debian\nSuites: bookworm\n"
    )
    assert debian_mirror((sources,)) == "http://mirror.example.invalid/debian"


def test_mirror_is_read_from_one_line_sources(tmp_path: Path) -> None:
    listing = tmp_path / "sources.list"
    listing.write_text("# comment\ndeb http://mirror.example.invalid/debian bookworm main\n")
    assert debian_mirror((tmp_path / "absent.sources", listing)) == (
        "http://mirror.example.invalid/debian"
    )


def test_no_mirror_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(RuntimeError, match=r"no Debian mirror found in .*debootstrap"):
        debian_mirror((tmp_path / "absent.sources",))
