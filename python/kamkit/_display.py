"""Readable HTML summaries of kamkit's result objects in Jupyter.

:func:`card` lays out a title, key figures and small tables; :func:`install`
gives the result classes that have no ``_repr_html_`` of their own one built
on it. Everything is plain HTML with inline styles (no scripts).
"""

from __future__ import annotations

import html
from collections.abc import Callable, Iterable
from typing import Any

import numpy as np
import pandas as pd

__all__ = ["card", "install"]

_BOX = (
    "font-family:system-ui,-apple-system,'Segoe UI',sans-serif;font-size:13px;"
    "border:1px solid #d8dee4;border-radius:6px;padding:8px 12px;display:inline-block;"
    "max-width:100%"
)


def _fmt(value: Any) -> str:
    if isinstance(value, (bool, np.bool_)):
        return str(bool(value))
    if isinstance(value, (int, np.integer)):
        return f"{int(value):,}"
    if isinstance(value, (float, np.floating)):
        v = float(value)
        if not np.isfinite(v):
            return str(v)
        return f"{v:,.4g}" if abs(v) < 1e5 else f"{v:,.0f}"
    return str(value)


def card(
    title: str,
    facts: Iterable[tuple[str, Any]] = (),
    tables: Iterable[tuple[str, pd.DataFrame]] = (),
    max_rows: int = 12,
) -> str:
    """An HTML summary: a bold title, a line of key figures and captioned tables.

    Parameters
    ----------
    title : str
    facts : iterable of (label, value)
        Numbers are formatted with 4 significant digits.
    tables : iterable of (caption, DataFrame)
        Shown with at most ``max_rows`` rows.
    max_rows : int, default 12

    Returns
    -------
    str
    """
    parts = [f'<div style="{_BOX}"><b>{html.escape(title)}</b>']
    facts = list(facts)
    if facts:
        items = " · ".join(
            f"{html.escape(str(k))}: <b>{html.escape(_fmt(v))}</b>" for k, v in facts
        )
        parts.append(f'<div style="margin:4px 0 6px">{items}</div>')
    for caption, frame in tables:
        more = len(frame) - max_rows
        shown = frame.head(max_rows) if more > 0 else frame
        parts.append(f'<div style="color:#5b6770;margin-top:6px">{html.escape(caption)}</div>')
        parts.append(shown.to_html(float_format=lambda v: f"{v:.4g}", border=0))
        if more > 0:
            parts.append(f'<div style="color:#5b6770">… {more:,} more rows</div>')
    parts.append("</div>")
    return "".join(parts)


# --------------------------------------------------------------------------- renderers


def _concentration(obj: Any) -> str:
    facts = [("Gini", obj.gini)]
    if hasattr(obj, "n"):
        facts.insert(0, ("customers", obj.n))
    facts += [
        ("top 20% bring", f"{obj.top_share(0.2):.1%}"),
        ("80% of value from", f"{obj.pareto_point(0.8):.1%} of customers"),
    ]
    if getattr(obj, "n_negative", 0):
        facts.append(("negative values", obj.n_negative))
    shares = pd.DataFrame(
        {"share of value": [obj.top_share(p) for p in (0.01, 0.05, 0.2, 0.5)]},
        index=pd.Index(["top 1%", "top 5%", "top 20%", "top 50%"], name="customers"),
    )
    return card(
        "kamkit Concentration (集中度)", facts, [("value brought by the top customers", shares)]
    )


def _kmeans(obj: Any) -> str:
    labels = obj.labels
    sizes = labels.value_counts().sort_index().rename("customers")
    centers = obj.centers.copy()
    centers.insert(0, "customers", sizes.reindex(centers.index).fillna(0).astype(int).to_numpy())
    return card(
        "kamkit KMeansSegments (聚类细分)",
        [("customers", len(labels)), ("clusters", len(centers)), ("inertia", obj.inertia)],
        [("cluster centres, in the features' units", centers)],
    )


def _assignment(obj: Any) -> str:
    a = obj.assignment
    facts: list[tuple[str, Any]] = [("customers", len(a)), ("managers", len(obj.loads))]
    if "dedicated" in a:
        facts.append(("key accounts with their own manager", int(a["dedicated"].sum())))
    facts.append(("largest pooled load", obj.pooled_max_load))
    facts.append(("lower bound", obj.pooled_lower_bound))
    return card("kamkit Assignment (客户经理分配)", facts, [("load per manager", obj.loads)])


def _transitions(obj: Any) -> str:
    counts = obj.counts
    facts = [("moves counted", int(np.nansum(counts.to_numpy())))]
    return card(
        "kamkit Transitions (迁移矩阵)",
        facts,
        [("probabilities (rows: from, columns: to)", obj.probabilities), ("counts", counts)],
    )


def _markov(obj: Any) -> str:
    P = obj.P if isinstance(obj.P, pd.DataFrame) else pd.DataFrame(obj.P)
    tables = [("transition matrix P", P)]
    facts: list[tuple[str, Any]] = [("states", len(obj.states))]
    absorbing = getattr(obj, "absorbing_states", None)
    if absorbing is not None:
        absorbing = absorbing() if callable(absorbing) else absorbing
        facts.append(("absorbing", ", ".join(map(str, absorbing)) or "none"))
    return card("kamkit MarkovChain (马尔可夫链)", facts, tables)


_RENDERERS: dict[str, Callable[[Any], str]] = {
    "Concentration": _concentration,
    "KMeansSegments": _kmeans,
    "Assignment": _assignment,
    "Transitions": _transitions,
    "MarkovChain": _markov,
}


def _safe(render: Callable[[Any], str]) -> Callable[[Any], str | None]:
    def _repr_html_(self: Any) -> str | None:
        try:
            return render(self)
        except Exception:  # a display must never break the notebook: fall back to repr
            return None

    _repr_html_.__doc__ = "HTML summary for Jupyter."
    return _repr_html_


def install(namespace: Any) -> list[str]:
    """Give kamkit's result classes without an HTML summary the one defined here.

    Parameters
    ----------
    namespace : module
        Where to look the classes up (the ``kamkit`` package passes itself).

    Returns
    -------
    list of str
        The classes that received ``_repr_html_``.
    """
    done = []
    for name, render in _RENDERERS.items():
        cls = getattr(namespace, name, None)
        if isinstance(cls, type) and not hasattr(cls, "_repr_html_"):
            cls._repr_html_ = _safe(render)  # type: ignore[attr-defined]
            done.append(name)
    return done
