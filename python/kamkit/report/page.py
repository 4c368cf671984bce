"""The report page: :class:`Report`, :func:`build_report` and the page template.

:func:`build_report` runs the registered sections and lays them out in one
self-contained HTML document.
"""

from __future__ import annotations

import html
from collections.abc import Callable, Hashable
from dataclasses import dataclass, field
from pathlib import Path
from string import Template
from typing import Any

import pandas as pd

from .. import plotting
from .._validation import check_choice
from .._version import __version__
from ._html import esc
from .files import file_frame, write_csv
from .sections import SECTIONS, Context, titles
from .tables import LogColumns

__all__ = ["N_STEPS", "Report", "build_report"]

#: Progress steps announced while a report is built.
N_STEPS = sum(1 for sec in SECTIONS if sec.step)

_CSS = """
:root { --ink:#1d2733; --muted:#5b6770; --line:#d8dee4; --accent:#b23a48; --brand:#1b3a5c; }
* { box-sizing: border-box; }
body { margin:0; background:#f4f6f8; color:var(--ink);
  font-family: "Noto Sans", "Noto Sans CJK SC", "Helvetica Neue", Arial, "PingFang SC",
  "Microsoft YaHei", sans-serif; font-size:15px; line-height:1.5; }
main { max-width: 1120px; margin: 0 auto; padding: 28px 28px 48px; }
header { background: var(--brand); color: #fff; padding: 26px 28px 22px; }
header .inner { max-width: 1120px; margin: 0 auto; }
header h1 { margin: 0 0 4px; font-size: 28px; font-weight: 700; }
header p { margin: 2px 0; color: #cfdbe6; }
section { background:#fff; border:1px solid var(--line); border-radius:8px; padding:18px 22px 20px;
  margin: 18px 0; page-break-inside: avoid; }
h2 { margin: 0 0 10px; font-size: 20px; color: var(--brand); }
h3 { margin: 14px 0 6px; font-size: 15px; }
p { margin: 6px 0 10px; }
.muted { color: var(--muted); font-size: 13px; }
.cards { display:grid; grid-template-columns: repeat(4, 1fr); gap: 10px; margin: 8px 0 12px; }
.card { border:1px solid var(--line); border-radius:6px; padding:10px 12px; }
.card .k { color: var(--muted); font-size: 12px; }
.card .v { font-size: 21px; font-weight: 700; }
.card .v.small { font-size: 16px; padding-top: 4px; }
.grid { display:grid; grid-template-columns: minmax(0, 1.15fr) minmax(0, 1fr); gap: 18px;
  align-items: start; }
.grid.wide { grid-template-columns: minmax(0, 1.6fr) minmax(0, 1fr); }
figure { margin: 0; }
figure img { width: 100%; height: auto; display: block; }
table { border-collapse: collapse; width: 100%; font-size: 13px; }
th, td { padding: 5px 8px; border-bottom: 1px solid var(--line); text-align: left;
  vertical-align: top; }
th { background: #eef2f5; font-weight: 600; }
td.n, th.n { text-align: right; font-variant-numeric: tabular-nums; }
td.n { white-space: nowrap; }
.grid > div { min-width: 0; overflow-x: auto; }
.policy { background:#fff8e6; border:1px solid #efd9a6; border-radius:6px; padding:10px 14px;
  margin-top: 10px; }
.policy h3 { margin-top: 0; }
.verdict { font-weight: 600; }
.note { color: var(--muted); font-style: italic; }
footer { color: var(--muted); font-size: 12px; text-align: center; margin-top: 24px; }
.scroll { overflow-x: auto; }
"""

# The page; every $name is HTML-escaped text except $css and $sections.
_PAGE = Template(
    '<!DOCTYPE html><html lang="$html_lang"><head>'
    '<meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">'
    "<title>$heading</title><style>$css</style></head><body>"
    '<header><div class="inner"><h1>$heading</h1>'
    "<p>$subtitle</p>"
    "<p>$meta</p></div></header>"
    "<main>$sections<footer>$footer</footer></main>"
    "</body></html>"
)
_SECTION = Template('<section id="$id"><h2>$heading</h2>$body</section>')


@dataclass
class Report:
    """A built report.

    Attributes
    ----------
    html : str
        The self-contained HTML document.
    tiers : DataFrame
        One row per customer: archive columns, value score, tier, RFM, stage
        and lifetime value (what the installed kamkit provides).
    warnings : DataFrame or None
        The early-warning list (None when early warning is not available).
    numbers : dict
        The key figures printed in the report, by name.
    lang : str

    Examples
    --------
    >>> import kamkit
    >>> log = kamkit.datasets.load_cdnow_sample()
    >>> from kamkit.report import build_report
    >>> rep = build_report(log[log["date"] < "1997-07-01"], period="Q")
    >>> rep.html.startswith("<!DOCTYPE html>"), len(rep.tiers) == rep.numbers["customers"]
    (True, True)
    """

    html: str
    tiers: pd.DataFrame
    warnings: pd.DataFrame | None
    numbers: dict[str, Any] = field(default_factory=dict)
    lang: str = "en"

    def write(self, out: str | Path, bom: bool = True) -> list[Path]:
        """Write ``report.html``, ``tiers.csv`` and ``warnings.csv`` into folder ``out``.

        The CSV files follow :mod:`kamkit.report.files`: customer id first,
        ``recency_days`` and ``T_days``, money with two decimals, Chinese
        column names with ``lang="zh"``, UTF-8 with a byte-order mark (for
        Excel on Windows) unless ``bom`` is False.
        """
        folder = Path(out)
        folder.mkdir(parents=True, exist_ok=True)
        paths = [folder / "report.html", folder / "tiers.csv"]
        paths[0].write_text(self.html, encoding="utf-8")
        write_csv(file_frame(self.tiers, lang=self.lang), paths[1], bom=bom)
        if self.warnings is not None:
            paths.append(folder / "warnings.csv")
            write_csv(file_frame(self.warnings, lang=self.lang), paths[2], bom=bom)
        return paths

    def _repr_html_(self) -> str:
        doc = html.escape(self.html, quote=True)
        return f'<iframe srcdoc="{doc}" style="width:100%;height:720px;border:0"></iframe>'


def build_report(
    transactions: pd.DataFrame,
    customer: Hashable = "customer_id",
    date: Hashable = "date",
    amount: Hashable = "amount",
    margin: Hashable | None = None,
    *,
    missing: str = "raise",
    observation_end: Any = None,
    order: Hashable | None = None,
    period: str = "M",
    lang: str = "en",
    title: str | None = None,
    source: str | None = None,
    horizon_months: int = 12,
    discount_rate: float = 0.01,
    progress: Callable[[str], None] | None = None,
) -> Report:
    """Run the pipeline on a transaction log and lay the results out as a report.

    Parameters
    ----------
    transactions : DataFrame
        One row per transaction; returns as negative amounts.
    customer, date, amount, margin, missing, observation_end, order
        As in :func:`kamkit.summarize` (``order``: all lines of one order
        form one transaction).
    period : {"M", "Q"}, default "M"
        Periods of the lifecycle, tier migration and early warning.
    lang : {"en", "zh"}
        Language of the labels.
    title, source : str, optional
        Heading and a line naming the data.
    horizon_months, discount_rate : float
        Lifetime value horizon (months) and monthly discount rate.
    progress : callable, optional
        Called with the name of each step.

    Returns
    -------
    Report

    Raises
    ------
    ValueError, TypeError
        Bad input, as :func:`kamkit.summarize` raises them.

    Examples
    --------
    >>> import tempfile, kamkit
    >>> from kamkit.report import build_report
    >>> rep = build_report(kamkit.datasets.load_cdnow_sample())
    >>> with tempfile.TemporaryDirectory() as out:
    ...     [path.name for path in rep.write(out)]
    ['report.html', 'tiers.csv', 'warnings.csv']
    """
    import matplotlib

    check_choice("lang", lang, ("en", "zh"))
    check_choice("period", period, ("M", "Q"))
    step = progress or (lambda what: None)

    rc: dict[str, Any] = {
        "svg.fonttype": "path",
        "svg.hashsalt": "kamkit",
        "font.size": 10,
        "axes.unicode_minus": False,
        "figure.dpi": 100,
    }
    font = plotting.cjk_font()
    if font is not None:
        rc["font.sans-serif"] = [font, "DejaVu Sans"]
        rc["font.family"] = "sans-serif"

    with matplotlib.rc_context(rc):  # type: ignore[arg-type]
        import matplotlib.pyplot as plt

        ctx = Context(
            transactions=transactions,
            cols=LogColumns(customer, date, amount, margin, missing, observation_end, order),
            period=period,
            lang=lang,
            horizon_months=horizon_months,
            discount_rate=discount_rate,
            plt=plt,
        )
        headings = titles(lang)
        bodies = []
        for i, sec in enumerate(SECTIONS, start=1):
            if sec.step:
                step(sec.step)
            body = sec.render(ctx, headings[sec.key])
            bodies.append(
                _SECTION.substitute(id=f"s{i}", heading=esc(headings[sec.key]), body=body)
            )

    doc = _document(ctx.s, "".join(bodies), title, source, ctx.numbers, lang)
    return Report(
        html=doc, tiers=ctx.frame(), warnings=ctx.warnings_out, numbers=ctx.numbers, lang=lang
    )


def _document(
    s: dict[str, str],
    sections: str,
    title: str | None,
    source: str | None,
    numbers: dict[str, Any],
    lang: str,
) -> str:
    heading = title or s["title"]
    end = numbers.get("observation_end")
    meta = []
    if source:
        meta.append(f"{s['source']}: {source}")
    if end is not None:
        meta.append(f"{s['generated']}: {pd.Timestamp(end):%Y-%m-%d}")
    return _PAGE.substitute(
        html_lang="zh-CN" if lang == "zh" else "en",
        heading=esc(heading),
        css=_CSS,
        subtitle=esc(s["subtitle"].format(version=__version__)),
        meta=esc(" · ".join(meta)),
        sections=sections,
        footer=esc(s["footer"].format(version=__version__)),
    )
