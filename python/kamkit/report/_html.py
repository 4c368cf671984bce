"""HTML building blocks of the report: number formats, tables, figures."""

from __future__ import annotations

import base64
import html
import io
from collections.abc import Callable, Mapping
from typing import Any

import pandas as pd


def fmt_money(value: float) -> str:
    """An amount with thousands separators and two decimals."""
    return f"{value:,.2f}"


def fmt_pct(value: float) -> str:
    """A share as a percentage with one decimal."""
    return f"{value:.1%}"


def esc(value: Any) -> str:
    """``value`` as HTML-escaped text."""
    return html.escape(str(value))


def table(frame: pd.DataFrame, numeric: Mapping[str, Callable[[Any], str]] | None = None) -> str:
    """A plain HTML table; columns in ``numeric`` are formatted and right-aligned."""
    numeric = numeric or {}
    head = "".join(
        f'<th class="n">{esc(c)}</th>' if c in numeric else f"<th>{esc(c)}</th>"
        for c in frame.columns
    )
    index_name = frame.index.name
    show_index = index_name is not None
    if show_index:
        head = f"<th>{esc(index_name)}</th>" + head
    rows = []
    for idx, row in frame.iterrows():
        cells = []
        if show_index:
            cells.append(f"<td>{esc(idx)}</td>")
        for c in frame.columns:
            v = row[c]
            if c in numeric:
                text = "" if pd.isna(v) else numeric[c](v)
                cells.append(f'<td class="n">{esc(text)}</td>')
            else:
                cells.append(f"<td>{esc('' if _isna(v) else v)}</td>")
        rows.append("<tr>" + "".join(cells) + "</tr>")
    return f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table>"


def _isna(v: Any) -> bool:
    try:
        return bool(pd.isna(v))
    except (TypeError, ValueError):
        return False


def figure(fig: Any, alt: str) -> str:
    """A matplotlib figure as an <img> with SVG data (glyphs as paths: no fonts needed)."""
    import matplotlib.pyplot as plt

    buffer = io.BytesIO()
    fig.savefig(buffer, format="svg", bbox_inches="tight", metadata={"Date": None})
    plt.close(fig)
    data = base64.b64encode(buffer.getvalue()).decode("ascii")
    return f'<figure><img alt="{esc(alt)}" src="data:image/svg+xml;base64,{data}"></figure>'


def failed(s: dict[str, str], error: Exception) -> str:
    """A note that a section could not be computed, with the reason."""
    return f'<p class="note">{esc(s["failed"].format(error=error))}</p>'
