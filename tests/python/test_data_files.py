"""The data sets in tests/data are the ones their README describes, byte for byte."""

from __future__ import annotations

import re

import pytest
from conftest import DATA, sha256

LISTED = dict(
    re.findall(r"`([\w/.]+\.(?:txt|csv))`.*?`([0-9a-f]{64})`", (DATA / "README.md").read_text())
)


def test_readme_lists_every_data_file():
    files = {
        p.relative_to(DATA).as_posix() for p in DATA.rglob("*") if p.suffix in {".txt", ".csv"}
    }
    assert files == set(LISTED), "tests/data/README.md must list every data file with its SHA-256"


@pytest.mark.parametrize("name", sorted(LISTED))
def test_checksum(name):
    assert sha256(DATA / name) == LISTED[name]
