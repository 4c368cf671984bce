"""Shared fixtures: the real data sets kept in the repository (tests/data)."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT / "tests" / "data"


@pytest.fixture(scope="session")
def data_dir() -> Path:
    """Folder with cdnow/ and donations/ (see tests/data/README.md)."""
    if not (DATA / "cdnow" / "CDNOW_sample.txt").exists():
        pytest.fail(f"the test data sets are missing: expected them under {DATA}")
    return DATA


def sha256(path: Path) -> str:
    """The SHA-256 of a file, as the data README lists it."""
    return hashlib.sha256(path.read_bytes()).hexdigest()
