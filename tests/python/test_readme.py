"""The README's tour runs as written, and its quoted figures hold."""

from __future__ import annotations

import re
import warnings
from pathlib import Path

import pytest

README = Path(__file__).resolve().parents[2] / "README.md"


def python_blocks() -> list[str]:
    return re.findall(r"```python\n(.*?)```", README.read_text(encoding="utf-8"), flags=re.S)


def test_the_tour_runs_and_its_figures_hold():
    blocks = python_blocks()
    assert len(blocks) >= 5
    namespace: dict[str, object] = {}
    with warnings.catch_warnings():
        # GammaGamma warns about the customers it leaves out, as documented.
        warnings.simplefilter("ignore")
        for block in blocks:
            exec(compile(block, str(README), "exec"), namespace)
    c = namespace["c"]
    assert (round(c.gini, 3), round(c.top_share(0.2), 3), round(c.pareto_point(0.8), 3)) == (
        0.631,
        0.674,
        0.330,
    )
    bgf = namespace["bgf"]
    assert bgf.params_.round(3).tolist() == pytest.approx([0.243, 4.414, 0.793, 2.426])
    assert bgf.log_likelihood_ == pytest.approx(-9582.43, abs=0.01)
    panel = namespace["panel"]
    assert str(panel.columns[-1]) == "1998-06"
