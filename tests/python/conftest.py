"""Shared fixtures: the real data sets beside the project (../shared/data)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def _shared_data() -> Path:
    env = os.environ.get("KAMKIT_SHARED_DATA")
    if env:
        return Path(env)
    # ../shared/data beside the checkout (or beside a folder above it).
    for parent in ROOT.parents:
        candidate = parent / "shared" / "data"
        if candidate.is_dir():
            return candidate
    return ROOT.parent / "shared" / "data"


@pytest.fixture(scope="session")
def shared_data() -> Path:
    """Folder with cdnow/ and donations/ (set KAMKIT_SHARED_DATA to move it)."""
    path = _shared_data()
    if not (path / "cdnow" / "CDNOW_sample.txt").exists():
        pytest.fail(f"the shared data sets are missing: expected them under {path}")
    return path
