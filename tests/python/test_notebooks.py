"""The teaching notebooks run top to bottom, with outputs stripped in git."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

import kamkit

nbformat = pytest.importorskip("nbformat")
nbclient = pytest.importorskip("nbclient")

ROOT = Path(__file__).resolve().parents[2]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))
# The kernel must import the kamkit these tests import (the build in python/, or the installed one).
KAMKIT_PARENT = str(Path(kamkit.__file__).resolve().parents[1])


def _code(nb) -> str:
    return "\n".join(c.source for c in nb.cells if c.cell_type == "code")


def test_there_are_five_lessons():
    assert len(NOTEBOOKS) >= 5
    names = [p.name for p in NOTEBOOKS]
    for k in range(1, 6):
        assert any(n.startswith(f"0{k}_") for n in names), names


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_stripped_and_self_checking(path):
    nb = nbformat.read(path, as_version=4)
    for cell in nb.cells:
        if cell.cell_type == "code":
            assert cell.outputs == [], f"{path.name}: outputs are not stripped"
            assert cell.execution_count is None, f"{path.name}: execution counts are not stripped"
    code = _code(nb)
    assert code.count("assert") >= 3, f"{path.name}: exercises need asserts"
    # data only through kamkit.datasets: no files, no URLs
    assert not re.search(r"read_(csv|parquet|excel|table|json)|open\(|https?://", code), path.name
    assert "kamkit.datasets" in code or "from kamkit.datasets import" in code
    text = "\n".join(c.source for c in nb.cells if c.cell_type == "markdown")
    assert re.search(r"[\u4e00-\u9fff]", text), f"{path.name}: Chinese terms are missing"
    assert nb.metadata["kernelspec"]["name"] == "python3"


@pytest.mark.notebooks
@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_runs_top_to_bottom(path, monkeypatch):
    nb = nbformat.read(path, as_version=4)
    paths = [KAMKIT_PARENT, os.environ.get("PYTHONPATH", "")]
    monkeypatch.setenv("PYTHONPATH", os.pathsep.join(p for p in paths if p))
    monkeypatch.setenv("MPLBACKEND", "Agg")
    # a last cell tells which kamkit the kernel imported
    nb.cells.append(nbformat.v4.new_code_cell("import kamkit; print(kamkit.__file__)"))
    client = nbclient.NotebookClient(
        nb,
        timeout=600,
        kernel_name="python3",
        resources={"metadata": {"path": str(path.parent)}},
    )
    client.execute()
    printed = "".join(o.get("text", "") for o in nb.cells[-1].outputs)
    assert Path(printed.strip()).resolve() == Path(kamkit.__file__).resolve()
