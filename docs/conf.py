"""Sphinx configuration of kamkit's documentation site.

Build (the test command does this with warnings as errors)::

    python -m sphinx -W --keep-going -b html docs build/docs/html

Pages made at build time, under ``docs/_generated/`` (not kept in git):

- ``api/``: one section per module of the names kamkit exports, read from
  ``kamkit.__all__`` and the modules' ``__all__`` (autosummary then writes a page
  per name from its docstring);
- ``lessons/``: every ``notebooks/*.ipynb``, executed by myst-nb during the
  build (the notebooks are kept without outputs; executed results are cached in
  ``build/docs/jupyter_cache`` and re-run only when a notebook changes);
- ``speed.md``: the speed tables, rendered from ``benchmarks/results/*.json``
  by ``benchmarks/make_table.py``.
"""

from __future__ import annotations

import importlib
import os
import shutil
import sys
from pathlib import Path

DOCS = Path(__file__).resolve().parent
ROOT = DOCS.parent
GENERATED = DOCS / "_generated"

# kamkit as installed; a source checkout with a built extension works as well,
# with an absolute PYTHONPATH=$PWD/python (the notebooks run in their own folder).
import kamkit  # noqa: E402

project = "kamkit"
author = "kamkit developers"
copyright = "kamkit developers"
version = release = kamkit.__version__

extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
    "sphinx.ext.intersphinx",
    "numpydoc",
    "myst_nb",
]
source_suffix = {".rst": "restructuredtext", ".md": "myst-nb", ".ipynb": "myst-nb"}
exclude_patterns = ["_build", "**.ipynb_checkpoints", "README.md"]
templates_path: list[str] = []

# ------------------------------------------------------------ API reference
autosummary_generate = True
autosummary_imported_members = True
autodoc_typehints = "none"  # numpydoc sections already state the types
autodoc_default_options = {"members": False}
numpydoc_show_class_members = False
numpydoc_class_members_toctree = False
numpydoc_xref_param_type = False
intersphinx_mapping: dict[str, tuple[str, None]] = {}

# ------------------------------------------------------------ notebooks
myst_enable_extensions = ["colon_fence", "dollarmath"]
myst_heading_anchors = 3
nb_execution_mode = os.environ.get("KAMKIT_DOCS_EXECUTE", "cache")
nb_execution_cache_path = str(ROOT / "build" / "docs" / "jupyter_cache")
nb_execution_timeout = 600
nb_execution_raise_on_error = True
nb_execution_show_tb = True
nb_merge_streams = True

# ------------------------------------------------------------ HTML
html_theme = "pydata_sphinx_theme"
html_title = f"kamkit {release}"
html_static_path: list[str] = []
html_theme_options = {
    "navigation_depth": 2,
    "header_links_before_dropdown": 7,
    "show_toc_level": 2,
    "secondary_sidebar_items": ["page-toc"],
    "footer_start": ["copyright"],
    "footer_end": [],
}
html_sidebars = {"**": ["sidebar-nav-bs"]}
html_show_sourcelink = False


# ------------------------------------------------------------ generated pages
def _api_sections() -> list[tuple[str, str, list[str]]]:
    """(title, module, names): the public names, grouped by the module that defines them."""
    sections: dict[str, list[str]] = {}
    for name in kamkit.__all__:
        obj = getattr(kamkit, name)
        if name.startswith("__") or isinstance(obj, type(kamkit)):
            continue
        module = getattr(obj, "__module__", None)
        if not isinstance(module, str) or not module.startswith("kamkit"):
            module = "kamkit"  # constants: documented where they are exported
        top = ".".join(module.split(".")[:2]).replace("._", ".")
        sections.setdefault(top, []).append(name)
    out = [
        (f"``{mod}``", "kamkit", sorted(names, key=str.lower))
        for mod, names in sorted(sections.items())
    ]
    for extra in ("kamkit.datasets", "kamkit.plotting", "kamkit.report", "kamkit.lifetimes"):
        try:
            module = importlib.import_module(extra)
        except ImportError:  # e.g. plotting without matplotlib
            continue
        names = [n for n in getattr(module, "__all__", []) if not n.isupper()]
        if names:
            out.append((f"``{extra}``", extra, sorted(names, key=str.lower)))
    return out


def _write_api() -> None:
    lines = [
        "API reference",
        "=============",
        "",
        "Every public name, from its docstring. The names of the first sections are",
        "imported from ``kamkit`` itself (``kamkit.summarize``), grouped by the module",
        "that defines them; the last sections are modules of their own.",
        "",
    ]
    for title, module, names in _api_sections():
        lines += [title, "-" * len(title), "", f".. currentmodule:: {module}", ""]
        lines += [".. autosummary::", "   :toctree: generated", ""]
        lines += [f"   {n}" for n in names] + [""]
    _write(GENERATED / "api.rst", "\n".join(lines))


def _write_lessons() -> None:
    target = GENERATED / "lessons"
    target.mkdir(parents=True, exist_ok=True)
    wanted = {p.name for p in (ROOT / "notebooks").glob("*.ipynb")}
    for old in target.glob("*.ipynb"):
        if old.name not in wanted:
            old.unlink()
    for name in sorted(wanted):
        src, dst = ROOT / "notebooks" / name, target / name
        if not dst.exists() or dst.read_bytes() != src.read_bytes():
            shutil.copyfile(src, dst)
    # The notebooks read files beside them (data, images) as they do in notebooks/.
    for extra in (ROOT / "notebooks").iterdir():
        if extra.suffix != ".ipynb" and extra.is_file():
            shutil.copyfile(extra, target / extra.name)


def _write_speed() -> None:
    sys.path.insert(0, str(ROOT / "benchmarks"))
    try:
        import make_table
    finally:
        sys.path.pop(0)
    body = make_table.render(ROOT / "benchmarks" / "results")
    # The tables' own headings start at level 3; one level up under the page title.
    body = "\n".join(line[1:] if line.startswith("### ") else line for line in body.splitlines())
    text = (
        "# Speed\n\n"
        "Measured, never claimed: each table below is rendered when this site is built,\n"
        "from the result files that the scripts in `benchmarks/` write to\n"
        "`benchmarks/results/`. How the measurements are made, and what they mean, is in\n"
        "`benchmarks/README.md`. Ratios are times relative to kamkit (above 1: kamkit\n"
        "is faster).\n\n" + body + "\n"
    )
    _write(GENERATED / "speed.md", text)


def _write(path: Path, text: str) -> None:
    """Write only on change, so that Sphinx rebuilds only what changed."""
    path.parent.mkdir(parents=True, exist_ok=True)
    if not path.exists() or path.read_text() != text:
        path.write_text(text)


_write_api()
_write_lessons()
_write_speed()
