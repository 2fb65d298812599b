"""Every test here needs the jekyll app, so each carries the `jekyll` marker: a run
without the app (tests/settings_without_jekyll.py) deselects them with -m "not jekyll"."""

from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent


def pytest_collection_modifyitems(config, items):
    for item in items:
        if HERE in Path(item.fspath).resolve().parents:
            item.add_marker(pytest.mark.jekyll)
