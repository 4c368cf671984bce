"""Plots of kamkit's results (matplotlib; install with ``pip install "kamkit[plot]"``).

Every function takes kamkit results (or the values to compute them from),
draws on ``ax`` (a new figure when omitted) and returns the Axes. Labels are
in English or, with ``lang="zh"``, in Chinese; :func:`use_cjk_font` picks a
font that has Chinese glyphs.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from ._deprecation import renamed
from ._i18n import label
from ._optional import require
from .models._protocol import transaction_model

if TYPE_CHECKING:
    from matplotlib.axes import Axes

mpl = require("matplotlib", "kamkit.plotting")
plt = require("matplotlib.pyplot", "kamkit.plotting")

__all__ = [
    "calibration_vs_holdout",
    "cjk_font",
    "frequency_recency_matrix",
    "lorenz",
    "p_alive_history",
    "pyramid",
    "rfm_heatmap",
    "stage_flow",
    "transition_heatmap",
    "use_cjk_font",
]

# One palette for every figure: tiers from the top (dark) to the bottom (light).
TIER_COLORS = ("#1b3a5c", "#2f6690", "#3a7ca5", "#81c3d7", "#d9dcd6", "#eef0ec")
STAGE_COLORS = {
    "identification": "#81c3d7",
    "development": "#3a7ca5",
    "stable": "#1b3a5c",
    "decline": "#e9a23b",
    "churned": "#b23a48",
    "reactivated": "#5aa469",
}
ACCENT = "#b23a48"
_CMAP = mpl.colors.LinearSegmentedColormap.from_list(
    "kamkit", ["#f7fbff", "#81c3d7", "#2f6690", "#1b3a5c"]
)

_CJK_NAMES = (
    "Noto Sans CJK SC",
    "Noto Sans CJK JP",
    "Noto Sans SC",
    "Source Han Sans SC",
    "WenQuanYi Zen Hei",
    "WenQuanYi Micro Hei",
    "Microsoft YaHei",
    "PingFang SC",
    "SimHei",
    "Arial Unicode MS",
)

_TEXT = {
    "en": {
        "customers": "customers",
        "share_customers": "% of customers",
        "share_value": "% of value",
        "lorenz_x": "share of customers, largest first",
        "lorenz_y": "cumulative share of value",
        "gini": "Gini",
        "equality": "equal shares",
        "recency": "R score (5 = bought most recently)",
        "frequency": "F score (5 = buys most often)",
        "from": "from",
        "to": "to",
        "period": "period",
        "p_alive": "P(alive)",
        "purchase": "purchase",
        "days": "days since first purchase",
        "weeks": "weeks since first purchase",
        "cal_freq": "purchases in the calibration period",
        "holdout": "mean purchases in the holdout period",
        "actual": "actual",
        "predicted": "model",
        "hist_frequency": "frequency (repeat purchases)",
        "hist_recency": "recency (age at last purchase)",
        "expected": "expected purchases in the next {t:g} time units",
    },
    "zh": {
        "customers": "客户数",
        "share_customers": "客户占比 %",
        "share_value": "价值占比 %",
        "lorenz_x": "客户累计占比（按价值从高到低）",
        "lorenz_y": "价值累计占比",
        "gini": "基尼系数",
        "equality": "完全平均",
        "recency": "R 分（5 = 最近购买）",
        "frequency": "F 分（5 = 购买最频繁）",
        "from": "从",
        "to": "到",
        "period": "期间",
        "p_alive": "存活概率 P(alive)",
        "purchase": "购买",
        "days": "首次购买后的天数",
        "weeks": "首次购买后的周数",
        "cal_freq": "校准期购买次数",
        "holdout": "验证期平均购买次数",
        "actual": "实际",
        "predicted": "模型",
        "hist_frequency": "频次（重复购买次数）",
        "hist_recency": "最近一次购买时的客户年龄",
        "expected": "未来 {t:g} 个时间单位的预期购买次数",
    },
}


def _t(key: str, lang: str) -> str:
    return _TEXT.get(lang, _TEXT["en"])[key]


_CJK_FILES = ("notosanscjk", "notoserifcjk", "sourcehansans", "wqy", "droidsansfallback")


def cjk_font() -> str | None:
    """The name of an installed font with Chinese glyphs, or None.

    Fonts installed after matplotlib built its font cache are found too: the
    system font folders are searched for the usual CJK font files.

    Examples
    --------
    >>> from kamkit import plotting
    >>> name = plotting.cjk_font()  # None when no CJK font is installed
    >>> name is None or isinstance(name, str)
    True
    """
    import os

    from matplotlib import font_manager

    def known() -> str | None:
        names = {f.name for f in font_manager.fontManager.ttflist}
        return next((n for n in _CJK_NAMES if n in names), None)

    found = known()
    if found is None:
        for path in font_manager.findSystemFonts():
            base = os.path.basename(path).lower().replace("-", "").replace("_", "")
            if any(key in base for key in _CJK_FILES):
                try:
                    font_manager.fontManager.addfont(path)
                except (OSError, RuntimeError, ValueError):
                    continue
        found = known()
    return found


def use_cjk_font() -> str | None:
    """Put a Chinese-capable font first in matplotlib's sans-serif list.

    Returns the font's name, or None when no such font is installed (install
    one, e.g. Debian's ``fonts-noto-cjk``). Only ``rcParams`` change.

    Examples
    --------
    >>> import matplotlib
    >>> from kamkit import plotting
    >>> with matplotlib.rc_context():
    ...     name = plotting.use_cjk_font()
    ...     name is None or matplotlib.rcParams["font.sans-serif"][0] == name
    True
    """
    name = cjk_font()
    if name is not None:
        current = [f for f in mpl.rcParams["font.sans-serif"] if f != name]
        mpl.rcParams["font.sans-serif"] = [name, *current]
        mpl.rcParams["font.family"] = "sans-serif"
        mpl.rcParams["axes.unicode_minus"] = False
    return name


def _ax(ax: Axes | None, figsize: tuple[float, float] = (6.4, 4.2)) -> Axes:
    if ax is not None:
        return ax
    _, new = plt.subplots(figsize=figsize)
    return new


def _finish(ax: Axes, lang: str) -> Axes:
    """With Chinese labels, draw every text of ``ax`` in a CJK font (when one is installed)."""
    if lang == "zh":
        font = cjk_font()
        if font is not None:
            from matplotlib.text import Text

            texts = [*ax.findobj(Text), *ax.get_xticklabels(), *ax.get_yticklabels()]
            for text in texts:
                text.set_fontfamily([font, "DejaVu Sans"])
    return ax


def _style(ax: Axes) -> None:
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)


def _name(term: Any, lang: str) -> str:
    return label(str(term), lang)


# --------------------------------------------------------------------------- tiers


def pyramid(
    tiers: pd.Series,
    values: pd.Series | None = None,
    *,
    ax: Axes | None = None,
    lang: str = "en",
) -> Axes:
    """The customer pyramid: share of customers and, with ``values``, share of value per tier.

    Parameters
    ----------
    tiers : Series
        Ordered categorical tiers, as :func:`kamkit.pyramid` returns them
        (categories from the lowest tier to the highest).
    values : Series, optional
        Value per customer (aligned with ``tiers``). With it the bars to the
        right give each tier's share of the total value; without it the bars
        are centred and give the customer counts.
    ax : Axes, optional
    lang : {"en", "zh"}

    Returns
    -------
    Axes
        With ``values``: the left bars' widths are minus the customer share in
        percent, the right bars' the value share in percent, top tier on top.
        Without: bar widths are the customer counts.

    Examples
    --------
    >>> import kamkit
    >>> from kamkit import plotting
    >>> log = kamkit.datasets.load_cdnow_sample()
    >>> revenue = kamkit.summarize(log, amount="amount")["revenue"]
    >>> ax = plotting.pyramid(kamkit.pyramid(revenue), revenue)
    >>> len(ax.get_yticklabels())
    4
    """
    if not isinstance(tiers, pd.Series):
        raise TypeError(f"tiers: expected a pandas Series, got {type(tiers).__name__}")
    cats = (
        list(tiers.cat.categories)
        if isinstance(tiers.dtype, pd.CategoricalDtype)
        else sorted(tiers.dropna().unique())
    )
    counts = tiers.value_counts().reindex(cats, fill_value=0)
    ax = _ax(ax)
    y = np.arange(len(cats))
    colors = [TIER_COLORS[min(len(cats) - 1 - i, len(TIER_COLORS) - 1)] for i in range(len(cats))]
    names = [_name(c, lang) for c in cats]
    if values is None:
        widths = counts.to_numpy(dtype=float)
        ax.barh(y, widths, left=-widths / 2, color=colors, height=0.8)
        for yi, n in zip(y, widths, strict=True):
            ax.text(0, float(yi), f"{n:,.0f}", ha="center", va="center", fontsize=9)
        ax.set_xticks([])
        ax.set_xlabel(_t("customers", lang))
    else:
        if not isinstance(values, pd.Series):
            raise TypeError(f"values: expected a pandas Series, got {type(values).__name__}")
        value_sum = values.groupby(tiers, observed=False).sum().reindex(cats, fill_value=0.0)
        total_value = float(value_sum.sum())
        cust_share = counts.to_numpy(dtype=float) / max(1, counts.sum()) * 100
        value_share = (
            value_sum.to_numpy(dtype=float) / total_value * 100
            if total_value
            else np.zeros(len(cats))
        )
        ax.barh(y, -cust_share, color=colors, height=0.8)
        ax.barh(y, value_share, color=colors, height=0.8, alpha=0.75, hatch="//", edgecolor="white")
        for yi, c, v in zip(y, cust_share, value_share, strict=True):
            ax.text(-c - 1.5, float(yi), f"{c:.1f}%", ha="right", va="center", fontsize=9)
            ax.text(v + 1.5, float(yi), f"{v:.1f}%", ha="left", va="center", fontsize=9)
        ax.axvline(0, color="#333333", lw=0.8)
        lim = max(float(cust_share.max(initial=0)), float(value_share.max(initial=0))) + 18
        ax.set_xlim(-lim, lim)
        ticks = ax.get_xticks()
        ax.set_xticks(ticks)
        ax.set_xticklabels([f"{abs(t):.0f}" for t in ticks])
        ax.set_xlim(-lim, lim)
        ax.set_xlabel(f"← {_t('share_customers', lang)}   |   {_t('share_value', lang)} →")
    ax.set_yticks(y)
    ax.set_yticklabels(names)
    _style(ax)
    return _finish(ax, lang)


def _lorenz_frame(data: Any) -> tuple[pd.DataFrame, Any]:
    """(two-column Lorenz frame, concentration object or None)."""
    if hasattr(data, "lorenz"):
        return data.lorenz, data
    from .tiering import concentration

    result = concentration(pd.Series(data), negative="clip")
    return result.lorenz, result


def lorenz(
    concentration: Any,
    *,
    ax: Axes | None = None,
    lang: str = "en",
    mark: float = 0.2,
) -> Axes:
    """The Lorenz (concentration) curve with the Gini coefficient and the 80/20 check.

    Parameters
    ----------
    concentration : result of :func:`kamkit.concentration`, or values
        Its ``lorenz`` frame is drawn (customer share against value share);
        values are passed to :func:`kamkit.concentration` first (negative
        values clipped to zero).
    ax : Axes, optional
    lang : {"en", "zh"}
    mark : float, default 0.2
        Share of customers to mark with the share of value they bring.

    Returns
    -------
    Axes
        The first line is the curve (x: customer share, y: value share, both
        from 0 to 1, largest customers first).

    Examples
    --------
    >>> import kamkit
    >>> from kamkit import plotting
    >>> log = kamkit.datasets.load_cdnow_sample()
    >>> revenue = kamkit.summarize(log, amount="amount")["revenue"]
    >>> ax = plotting.lorenz(kamkit.concentration(revenue, negative="clip"))
    >>> float(ax.lines[0].get_xdata()[-1])
    1.0
    """
    frame, result = _lorenz_frame(concentration)
    x = frame.iloc[:, 0].to_numpy(dtype=float)
    y = frame.iloc[:, 1].to_numpy(dtype=float)
    if len(x) and x[0] != 0:
        x = np.concatenate([[0.0], x])
        y = np.concatenate([[0.0], y])
    # Largest customers first: a curve above the diagonal. A Lorenz frame
    # ordered from the smallest customer is turned around.
    if len(y) > 2 and np.interp(0.5, x, y) < 0.5:
        x, y = 1 - x[::-1], 1 - y[::-1]
    if len(x) > 2001:
        # a million customers need no million vertices: 2,001 points draw the same curve
        grid = np.linspace(0.0, 1.0, 2001)
        x, y = grid, np.interp(grid, x, y)
    ax = _ax(ax, (5.2, 4.6))
    ax.plot(x, y, color=TIER_COLORS[1], lw=2)
    ax.plot([0, 1], [0, 1], color="#999999", lw=1, ls="--", label=_t("equality", lang))
    ax.fill_between(x, y, x, color=TIER_COLORS[3], alpha=0.25)
    share = float(result.top_share(mark)) if result is not None else float(np.interp(mark, x, y))
    ax.plot([mark, mark, 0], [0, share, share], color=ACCENT, lw=1, ls=":")
    ax.scatter([mark], [share], color=ACCENT, zorder=3)
    ax.annotate(
        f"{mark:.0%} → {share:.1%}",
        (mark, share),
        xytext=(12, -18),
        textcoords="offset points",
        color=ACCENT,
    )
    if result is not None and hasattr(result, "pareto_point"):
        point = float(result.pareto_point(0.8))
        ax.plot([point, point], [0, 0.8], color=TIER_COLORS[0], lw=1, ls=":")
        ax.plot([0, point], [0.8, 0.8], color=TIER_COLORS[0], lw=1, ls=":")
        ax.scatter([point], [0.8], color=TIER_COLORS[0], zorder=3)
        ax.annotate(  # above left of its point, clear of the other mark below right
            f"{point:.1%} → 80%",
            (point, 0.8),
            xytext=(-8, 8),
            textcoords="offset points",
            ha="right",
            color=TIER_COLORS[0],
        )
    if result is not None:
        gini = float(result.gini)
        ax.text(0.55, 0.12, f"{_t('gini', lang)} = {gini:.3f}", transform=ax.transAxes, fontsize=11)
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 1.02)
    ax.set_xlabel(_t("lorenz_x", lang))
    ax.set_ylabel(_t("lorenz_y", lang))
    ax.xaxis.set_major_formatter(mpl.ticker.PercentFormatter(1.0))
    ax.yaxis.set_major_formatter(mpl.ticker.PercentFormatter(1.0))
    _style(ax)
    return _finish(ax, lang)


# --------------------------------------------------------------------------- matrices


def _heatmap(
    ax: Axes,
    matrix: pd.DataFrame,
    fmt: str,
    cmap: Any = _CMAP,
    vmin: float | None = None,
    vmax: float | None = None,
) -> None:
    data = matrix.to_numpy(dtype=float)
    image = ax.imshow(data, cmap=cmap, vmin=vmin, vmax=vmax, aspect="auto")
    finite = data[np.isfinite(data)]
    top = finite.max() if finite.size else 1.0
    low = finite.min() if finite.size else 0.0
    mid = (low + top) / 2 if vmax is None else ((vmin or 0) + vmax) / 2
    for (i, j), v in np.ndenumerate(data):
        if np.isfinite(v):
            ax.text(
                j,
                i,
                format(v, fmt),
                ha="center",
                va="center",
                fontsize=8,
                color="white" if v > mid else "#222222",
            )
    ax.set_xticks(range(matrix.shape[1]))
    ax.set_yticks(range(matrix.shape[0]))
    ax.figure.colorbar(image, ax=ax, fraction=0.046, pad=0.04)


def rfm_heatmap(
    rfm: pd.DataFrame,
    value: pd.Series | str | None = None,
    *,
    ax: Axes | None = None,
    lang: str = "en",
) -> Axes:
    """The RFM segment map: customers (or mean ``value``) by R score and F score.

    Parameters
    ----------
    rfm : DataFrame
        The result of :func:`kamkit.rfm_scores` (integer columns ``R`` and ``F``).
    value : Series or column name, optional
        Averaged per cell (e.g. revenue); default: the number of customers.
    ax : Axes, optional
    lang : {"en", "zh"}

    Returns
    -------
    Axes
        Its image holds the matrix: rows R from the highest score down,
        columns F from the lowest up.

    Examples
    --------
    >>> import kamkit
    >>> from kamkit import plotting
    >>> log = kamkit.datasets.load_cdnow_sample()
    >>> rfm = kamkit.rfm_scores(kamkit.summarize(log, amount="amount"))
    >>> ax = plotting.rfm_heatmap(rfm)
    >>> ax.images[0].get_array().shape
    (5, 5)
    """
    for col in ("R", "F"):
        if col not in rfm:
            raise ValueError(f"rfm: expected a column {col!r}, as kamkit.rfm_scores returns")
    r = rfm["R"].astype(int)
    f = rfm["F"].astype(int)
    bins = int(max(r.max(), f.max()))
    levels = range(1, bins + 1)
    if value is None:
        matrix = pd.crosstab(r, f).reindex(index=levels, columns=levels, fill_value=0)
        fmt = ",.0f"
    else:
        v = rfm[value] if isinstance(value, str) else value.reindex(rfm.index)
        matrix = v.groupby([r, f]).mean().unstack().reindex(index=levels, columns=levels)
        fmt = ",.0f"
    matrix = matrix.iloc[::-1]
    ax = _ax(ax, (5.6, 4.6))
    _heatmap(ax, matrix, fmt)
    ax.set_xticklabels([str(c) for c in matrix.columns])
    ax.set_yticklabels([str(i) for i in matrix.index])
    ax.set_xlabel(_t("frequency", lang))
    ax.set_ylabel(_t("recency", lang))
    return _finish(ax, lang)


def transition_heatmap(
    transitions: Any,
    *,
    probabilities: bool = True,
    ax: Axes | None = None,
    lang: str = "en",
) -> Axes:
    """Migration between states (tiers or stages) as a heatmap.

    Parameters
    ----------
    transitions : result of :func:`kamkit.transitions`, or a square DataFrame
        From-states as rows, to-states as columns.
    probabilities : bool, default True
        Draw the ``probabilities`` (else the ``counts``) of a transitions result.
    ax : Axes, optional
    lang : {"en", "zh"}

    Returns
    -------
    Axes
        Its image holds the matrix as given (rows: from, columns: to).

    Examples
    --------
    >>> import kamkit
    >>> from kamkit import plotting
    >>> log = kamkit.datasets.load_cdnow_sample()
    >>> panel = kamkit.period_panel(log)
    >>> moves = kamkit.transitions(kamkit.tier_history(panel, window=3))
    >>> ax = plotting.transition_heatmap(moves)
    >>> ax.images[0].get_array().shape
    (4, 4)
    """
    if isinstance(transitions, pd.DataFrame):
        matrix = transitions
    else:
        matrix = transitions.probabilities if probabilities else transitions.counts
    is_prob = bool(np.nanmax(matrix.to_numpy(dtype=float), initial=0) <= 1.0)
    ax = _ax(ax, (5.8, 4.8))
    _heatmap(ax, matrix, ".0%" if is_prob else ",.0f", vmin=0, vmax=1 if is_prob else None)
    ax.set_xticklabels([_name(c, lang) for c in matrix.columns], rotation=35, ha="right")
    ax.set_yticklabels([_name(i, lang) for i in matrix.index])
    ax.set_xlabel(_t("to", lang))
    ax.set_ylabel(_t("from", lang))
    return _finish(ax, lang)


def stage_flow(
    stages: pd.DataFrame,
    *,
    ax: Axes | None = None,
    lang: str = "en",
) -> Axes:
    """Customers per lifecycle stage in every period, as stacked bars.

    Parameters
    ----------
    stages : DataFrame
        Customers × periods of stages, as :func:`kamkit.lifecycle_stages`
        returns (missing before a customer's first purchase).
    ax : Axes, optional
    lang : {"en", "zh"}

    Returns
    -------
    Axes
        One bar container per stage (in the stages' order); bar i of a
        container is the number of customers in that stage in period i.

    Examples
    --------
    >>> import kamkit
    >>> from kamkit import plotting
    >>> log = kamkit.datasets.load_cdnow_sample()
    >>> stages = kamkit.lifecycle_stages(kamkit.period_panel(log))
    >>> ax = plotting.stage_flow(stages)
    >>> len(ax.containers) == len(kamkit.STAGES)
    True
    """
    counts = stage_counts(stages)
    ax = _ax(ax, (7.5, 4.0))
    bottom = np.zeros(len(counts))
    x = np.arange(len(counts))
    for stage in counts.columns:
        heights = counts[stage].to_numpy(dtype=float)
        ax.bar(
            x,
            heights,
            bottom=bottom,
            width=0.85,
            color=STAGE_COLORS.get(str(stage)),
            label=_name(stage, lang),
        )
        bottom += heights
    step = max(1, len(x) // 12)
    ax.set_xticks(x[::step])
    ax.set_xticklabels([str(p) for p in counts.index[::step]], rotation=45, ha="right")
    ax.set_ylabel(_t("customers", lang))
    ax.legend(fontsize=8, ncol=3, frameon=False, loc="upper left", bbox_to_anchor=(0, 1.18))
    _style(ax)
    return _finish(ax, lang)


def stage_counts(stages: pd.DataFrame) -> pd.DataFrame:
    """Periods × stages: how many customers are in each stage in each period."""
    first = stages.iloc[:, 0] if stages.shape[1] else pd.Series(dtype=object)
    cats = (
        list(first.cat.categories)
        if isinstance(first.dtype, pd.CategoricalDtype)
        else sorted(pd.unique(stages.to_numpy().ravel()[pd.notna(stages.to_numpy().ravel())]))
    )
    out = {col: stages[col].value_counts().reindex(cats, fill_value=0) for col in stages.columns}
    return pd.DataFrame(out).T.reindex(columns=cats).fillna(0).astype(int)


# --------------------------------------------------------------------------- models


def _model(model: Any, method: str) -> Any:
    """The fitted model's ``method`` (kamkit's names; see kamkit.models._protocol)."""
    return getattr(transaction_model(model, "model", (method,)), method)


@renamed(freq="time_unit")
def p_alive_history(
    model: Any,
    transactions: pd.DataFrame,
    customer_id: Any,
    *,
    customer: str = "customer_id",
    date: str = "date",
    end: Any = None,
    time_unit: str = "D",
    ax: Axes | None = None,
    lang: str = "en",
) -> Axes:
    """One customer's P(alive) over time, with their purchases marked.

    The model must have been fitted with time measured in ``time_unit`` units
    (days for "D", weeks for "W"), as lifetimes' ``plot_history_alive``.

    Parameters
    ----------
    model : fitted BG/NBD-type model
    transactions : DataFrame
        The log; only ``customer_id``'s rows are read.
    customer_id : id
    customer, date : column names
    end : date-like, optional
        Last day drawn (default: the log's last date).
    time_unit : {"D", "W"}
    ax : Axes, optional
    lang : {"en", "zh"}

    Returns
    -------
    Axes
        The first line is P(alive) (x: time units since the first purchase).

    Examples
    --------
    >>> import kamkit
    >>> from kamkit import plotting
    >>> log = kamkit.datasets.load_cdnow_sample()
    >>> summary = kamkit.summarize(log, observation_end="1997-09-30", time_unit="W")
    >>> model = kamkit.BetaGeo().fit(summary)
    >>> ax = plotting.p_alive_history(model, log, 1, time_unit="W")
    >>> bool((ax.lines[0].get_ydata() <= 1).all())
    True
    """
    rows = transactions.loc[transactions[customer] == customer_id, date]
    if rows.empty:
        raise ValueError(f"customer_id: {customer_id!r} has no rows in column {customer!r}")
    days = pd.to_datetime(rows).dt.floor("D")
    first = days.min()
    last = pd.Timestamp(end) if end is not None else pd.to_datetime(transactions[date]).max()
    unit = {"D": 1, "W": 7}[time_unit]
    purchase_t = np.unique(((days - first).dt.days // unit).to_numpy())
    t = np.arange(0, int((last.floor("D") - first).days // unit) + 1, dtype=float)
    # frequency, recency at each time: purchases strictly after the first up to t
    idx = np.searchsorted(purchase_t, t, side="right")
    x = np.maximum(idx - 1, 0).astype(float)
    t_x = purchase_t[np.maximum(idx - 1, 0)].astype(float)
    p = np.asarray(_model(model, "probability_alive")(x, t_x, t), dtype=float)
    ax = _ax(ax, (7.5, 3.2))
    ax.plot(t, p, color=TIER_COLORS[1], lw=1.8, label=_t("p_alive", lang))
    for k, pt in enumerate(purchase_t):
        ax.axvline(
            pt, color=ACCENT, lw=0.8, ls="--", label=_t("purchase", lang) if k == 0 else None
        )
    ax.set_ylim(0, 1.05)
    ax.set_xlabel(_t("days", lang) if time_unit == "D" else _t("weeks", lang))
    ax.set_ylabel(_t("p_alive", lang))
    ax.legend(frameon=False, fontsize=8)
    _style(ax)
    return _finish(ax, lang)


def calibration_vs_holdout(
    model: Any,
    calibration_holdout: pd.DataFrame,
    *,
    n: int = 7,
    ax: Axes | None = None,
    lang: str = "en",
) -> Axes:
    """Mean holdout purchases against the model's prediction, by calibration frequency.

    Parameters
    ----------
    model : fitted BG/NBD-type model
    calibration_holdout : DataFrame
        :func:`kamkit.calibration_holdout`'s frame (``frequency_cal``,
        ``recency_cal``, ``T_cal``, ``frequency_holdout``, ``duration_holdout``).
    n : int, default 7
        Frequencies of n and more are pooled.
    ax : Axes, optional
    lang : {"en", "zh"}

    Returns
    -------
    Axes
        Lines "actual" then "model": x the calibration frequency 0..n, y
        the mean holdout purchases.

    Examples
    --------
    >>> import kamkit
    >>> from kamkit import plotting
    >>> log = kamkit.datasets.load_cdnow_sample()
    >>> ch = kamkit.calibration_holdout(log, calibration_end="1997-09-30", time_unit="W")
    >>> cal = ch.rename(columns={"frequency_cal": "frequency", "recency_cal": "recency",
    ...                          "T_cal": "T"})
    >>> model = kamkit.BetaGeo().fit(cal[["frequency", "recency", "T"]])
    >>> ax = plotting.calibration_vs_holdout(model, ch, n=7)
    >>> len(ax.lines[0].get_xdata())
    8
    """
    ch = calibration_holdout
    pred = np.asarray(
        _model(model, "conditional_expected_purchases")(
            ch["duration_holdout"].to_numpy(dtype=float),
            ch["frequency_cal"].to_numpy(dtype=float),
            ch["recency_cal"].to_numpy(dtype=float),
            ch["T_cal"].to_numpy(dtype=float),
        ),
        dtype=float,
    )
    group = ch["frequency_cal"].clip(upper=n).astype(int)
    frame = pd.DataFrame({"actual": ch["frequency_holdout"].to_numpy(), "model": pred})
    means = frame.groupby(group.to_numpy()).mean()
    ax = _ax(ax, (6.0, 4.0))
    ax.plot(
        means.index, means["actual"], marker="o", color=TIER_COLORS[0], label=_t("actual", lang)
    )
    ax.plot(
        means.index, means["model"], marker="s", ls="--", color=ACCENT, label=_t("predicted", lang)
    )
    ax.set_xticks(means.index)
    ax.set_xticklabels([str(i) if i < n else f"{i}+" for i in means.index])
    ax.set_xlabel(_t("cal_freq", lang))
    ax.set_ylabel(_t("holdout", lang))
    ax.legend(frameon=False)
    _style(ax)
    return _finish(ax, lang)


def frequency_recency_matrix(
    model: Any,
    T: float | None = None,
    *,
    t: float = 1.0,
    max_frequency: int | None = None,
    max_recency: int | None = None,
    kind: str = "expected",
    ax: Axes | None = None,
    lang: str = "en",
) -> Axes:
    """Expected purchases in the next ``t`` (or P(alive)) over frequency × recency.

    Parameters
    ----------
    model : fitted BG/NBD-type model
    T : float, optional
        Age of the customers; default: the largest ``T`` the model was fitted on.
    t : float, default 1
        Prediction horizon (``kind="expected"``).
    max_frequency, max_recency : int, optional
        Grid size; defaults from the fitted data (or T).
    kind : {"expected", "p_alive"}
    ax : Axes, optional
    lang : {"en", "zh"}

    Returns
    -------
    Axes
        Its image holds the matrix: rows recency from T down to 0, columns
        frequency 0..max_frequency; NaN where frequency is 0 and recency is
        not (no such customer).

    Examples
    --------
    >>> import kamkit
    >>> from kamkit import plotting
    >>> log = kamkit.datasets.load_cdnow_sample()
    >>> summary = kamkit.summarize(log, observation_end="1997-09-30", time_unit="W")
    >>> model = kamkit.BetaGeo().fit(summary)
    >>> ax = plotting.frequency_recency_matrix(model, T=39, max_frequency=10, kind="p_alive")
    >>> ax.images[0].get_array().shape
    (40, 11)
    """
    if kind not in ("expected", "p_alive"):
        raise ValueError(f"kind: expected 'expected' or 'p_alive', got {kind!r}")
    data = getattr(model, "data", None)
    if T is None:
        if data is None or "T" not in data:
            raise ValueError("T: give the customers' age (the model keeps no fitted data)")
        T = float(np.max(data["T"]))
    if max_frequency is None:
        max_frequency = int(np.max(data["frequency"])) if data is not None else 20
    if max_recency is None:
        max_recency = int(T)
    f = np.arange(max_frequency + 1, dtype=float)
    r = np.arange(max_recency + 1, dtype=float)
    ff, rr = np.meshgrid(f, r)
    TT = np.full_like(ff, float(T))
    # A customer without repeat purchases has recency 0: other cells of column 0 are empty.
    ok = ((ff > 0) | (rr == 0)).ravel()
    f_ok, r_ok, T_ok = ff.ravel()[ok], rr.ravel()[ok], TT.ravel()[ok]
    if kind == "expected":
        expected = _model(model, "conditional_expected_purchases")
        values = np.asarray(expected(np.full(f_ok.size, float(t)), f_ok, r_ok, T_ok), dtype=float)
    else:
        values = np.asarray(_model(model, "probability_alive")(f_ok, r_ok, T_ok), dtype=float)
    z = np.full(ff.size, np.nan)
    z[ok] = values
    z = z.reshape(ff.shape)[::-1]
    ax = _ax(ax, (5.6, 4.6))
    image = ax.imshow(z, cmap=_CMAP, aspect="auto", interpolation="nearest")
    ax.figure.colorbar(image, ax=ax, fraction=0.046, pad=0.04)
    ax.set_xlabel(_t("hist_frequency", lang))
    ax.set_ylabel(_t("hist_recency", lang))
    ny = len(r)
    step = max(1, ny // 6)
    ax.set_yticks(range(0, ny, step))
    ax.set_yticklabels([f"{r[::-1][i]:g}" for i in range(0, ny, step)])
    ax.set_title(_t("expected", lang).format(t=t) if kind == "expected" else _t("p_alive", lang))
    return _finish(ax, lang)
