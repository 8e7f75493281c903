"""The screenshots script (tests/screenshots.py) draws a screen on the demo data."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.screenshots import shoot
from tests.ui_helpers import demo_template  # noqa: F401  (fixtures)


def test_the_board_picture_shows_the_demo_cards(
    request: pytest.FixtureRequest, tmp_path: Path
) -> None:
    template = request.getfixturevalue("demo_template")
    target = shoot(template, "board", tmp_path / "board-light.svg", theme="light")
    svg = target.read_text()
    assert svg.startswith("<svg")
    assert "APP-3" in svg
