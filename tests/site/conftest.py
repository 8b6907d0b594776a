"""Fixtures for the site tests (helpers live in sitekit.py)."""

from __future__ import annotations

from pathlib import Path

import pytest

from columnist.config import SiteSettings


@pytest.fixture
def settings(tmp_path: Path) -> SiteSettings:
    return SiteSettings(
        title="Test Desk",
        base_url="https://example.org/desk/",
        output=tmp_path / "site",
        posts_per_page=4,
    )
