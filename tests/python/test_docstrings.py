"""Every public function and class shows how it is used, in Examples that run.

The examples themselves run as doctests (`pytest --doctest-modules --pyargs
kamkit`, a step of tests/run-all.sh); this test makes sure none is missing or
skipped whole.
"""

from __future__ import annotations

import importlib
import inspect

import pytest

import kamkit

MODULES = ["kamkit", "kamkit.report", "kamkit.plotting", "kamkit.datasets"]


def _public():
    for module_name in MODULES:
        module = importlib.import_module(module_name)
        for name in module.__all__:
            obj = getattr(module, name)
            if inspect.isfunction(obj) or inspect.isclass(obj):
                yield f"{module_name}.{name}", obj


@pytest.mark.parametrize(("name", "obj"), list(_public()), ids=lambda v: str(v))
def test_examples_that_run(name, obj):
    doc = inspect.getdoc(obj) or ""
    assert "Examples\n--------" in doc, f"{name}: no Examples section"
    examples = doc.split("Examples\n--------", 1)[1]
    prompts = [line for line in examples.splitlines() if line.lstrip().startswith(">>>")]
    assert prompts, f"{name}: the Examples section has no >>> lines"
    assert not all("+SKIP" in line for line in prompts), f"{name}: every example is skipped"


def test_the_public_names_are_all_covered():
    assert len(list(_public())) > 40
    assert kamkit.StageRules in dict(_public()).values()
