"""The report's sections, one function each, in a registry.

A section is a function that takes the :class:`Context` (the log, the
options and the results shared between sections) and returns the HTML body
of its section; :func:`section` registers it. The page shows the sections
in the order they are registered here and numbers them from that order, so
adding a section means writing one function below (and its title in
``_strings.TITLES``).
"""

from __future__ import annotations

import functools
import warnings
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from .. import plotting
from .._i18n import label, name, stage_strategy, translate_values
from ..backtest import backtest
from ..lifecycle import (
    InsufficientHistoryWarning,
    early_warning,
    lifecycle_stages,
    phase_out_candidates,
    stage_strategies,
    tier_history,
    transitions,
    upgrade_candidates,
)
from ..models.selection import MODEL_NAMES
from ..scoring import rfm_scores
from ..service import service_policies
from ..tiering import concentration, pyramid
from ._html import esc, failed, figure, fmt_money, fmt_pct, table
from ._strings import PERIOD_WORD, STRINGS, TITLES
from .tables import (
    LogColumns,
    archive_columns,
    choose_model,
    clv_values,
    rfm_columns,
    stage_reasons,
    value_scores,
    warning_table,
)

__all__ = ["SECTIONS", "Context", "Section", "section"]

# Trailing window of the tier history, and the stretches of the candidate lists, per period.
TIER_WINDOW = {"M": 12, "Q": 4}
CANDIDATE_WINDOW = {"M": 3, "Q": 2}
PHASE_OUT_PERIODS = {"M": 12, "Q": 4}


@dataclass
class Context:
    """What the sections read and share while one report is built.

    The inputs and options come from :func:`kamkit.report.build_report`;
    ``numbers`` collects the key figures, ``tiers_out`` the per-customer
    table, and the intermediate results (archive, pyramid tiers, panel) are
    kept for the sections that follow.
    """

    transactions: pd.DataFrame
    cols: LogColumns
    period: str
    lang: str
    horizon_months: int
    discount_rate: float
    plt: Any
    numbers: dict[str, Any] = field(default_factory=dict)
    tiers_out: pd.DataFrame | None = None
    warnings_out: pd.DataFrame | None = None
    archive: pd.DataFrame | None = None
    tiers: pd.Series | None = None

    @property
    def s(self) -> dict[str, str]:
        """The report's words in the report's language."""
        return STRINGS[self.lang]

    @property
    def pword(self) -> str:
        """The word for one period."""
        return PERIOD_WORD[self.lang][self.period]

    @functools.cached_property
    def panel(self) -> pd.DataFrame:
        """The customers x periods revenue panel, built on first use."""
        return self.cols.period_panel(self.transactions, self.period)

    def frame(self) -> pd.DataFrame:
        """The per-customer table (after the overview section built it)."""
        if self.tiers_out is None:
            raise RuntimeError("the overview section must run first")
        return self.tiers_out

    def revenue(self) -> pd.Series:
        """Net revenue per customer, from the archive."""
        if self.archive is None:
            raise RuntimeError("the overview section must run first")
        return self.archive["revenue"]


@dataclass(frozen=True)
class Section:
    """One registered section.

    Attributes
    ----------
    key : str
        Its name, and the key of its title in ``_strings.TITLES``.
    render : callable
        ``render(context, heading) -> str``, the HTML body.
    step : str or None
        The progress message announced before the section runs.
    """

    key: str
    render: Callable[[Context, str], str]
    step: str | None = None


#: The sections, in page order.
SECTIONS: list[Section] = []


def section(
    key: str, step: str | None = None
) -> Callable[[Callable[[Context, str], str]], Callable[[Context, str], str]]:
    """Register the decorated function as the next section of the report."""

    def register(render: Callable[[Context, str], str]) -> Callable[[Context, str], str]:
        if any(sec.key == key for sec in SECTIONS):
            raise ValueError(f"section {key!r} is already registered")
        SECTIONS.append(Section(key, render, step))
        return render

    return register


def _count(v: Any) -> str:
    return f"{int(v):,}"


# --------------------------------------------------------------------------- sections


@section("overview", step="building the customer archive")
def _overview(ctx: Context, heading: str) -> str:
    archive = ctx.cols.summarize(ctx.transactions, value_period="Q")
    ctx.archive = archive
    revenue = archive["revenue"]
    log_amount = pd.to_numeric(ctx.transactions[ctx.cols.amount], errors="coerce")
    returns = log_amount < 0
    nonpos = revenue <= 0
    ctx.numbers.update(
        transactions=int(archive["n_transactions"].sum()),
        customers=len(archive),
        first=archive["first_purchase"].min(),
        last=archive["last_purchase"].max(),
        observation_end=archive.attrs.get("observation_end"),
        revenue=float(revenue.sum()),
        repeat_buyers=int((archive["frequency"] > 0).sum()),
        return_rows=int(returns.sum()),
        return_amount=float(log_amount[returns].sum()),
        nonpositive_customers=int(nonpos.sum()),
        nonpositive_revenue=float(revenue[nonpos].sum()),
    )
    ctx.tiers_out = archive_columns(archive)
    s, n = ctx.s, ctx.numbers
    first = pd.Timestamp(n["first"]).strftime("%Y-%m-%d")
    last = pd.Timestamp(n["last"]).strftime("%Y-%m-%d")
    cards = [
        (s["transactions"], f"{n['transactions']:,}"),
        (s["customers"], f"{n['customers']:,}"),
        (s["revenue"], fmt_money(n["revenue"])),
        (s["period"], f"{first} – {last}"),
        (
            s["repeat"],
            f"{n['repeat_buyers']:,} ({n['repeat_buyers'] / max(1, n['customers']):.1%})",
        ),
        (s["avg_rev"], fmt_money(n["revenue"] / max(1, n["customers"]))),
        (s["returns"], f"{n['return_rows']:,}"),
        (s["nonpos"], f"{n['nonpositive_customers']:,}"),
    ]
    html_cards = "".join(
        f'<div class="card"><div class="k">{esc(k)}</div>'
        f'<div class="v{" small" if len(str(v)) > 14 else ""}">{esc(v)}</div></div>'
        for k, v in cards
    )
    line = s["returns_line"].format(
        rows=f"{n['return_rows']:,}",
        amount=fmt_money(n["return_amount"]),
        n_nonpos=f"{n['nonpositive_customers']:,}",
        nonpos_sum=fmt_money(n["nonpositive_revenue"]),
    )
    policy = (
        f'<div class="policy" id="policy"><h3>{esc(s["policy_title"])}</h3>'
        f"<p>{esc(s['policy'])}</p><p>{esc(line)}</p></div>"
    )
    return f'<div class="cards">{html_cards}</div>{policy}'


@section("pyramid", step="tiering customers")
def _pyramid(ctx: Context, heading: str) -> str:
    s, lang, revenue = ctx.s, ctx.lang, ctx.revenue()
    tiers = pyramid(revenue, labels="vip")
    ctx.tiers = tiers
    out = ctx.frame()
    out["value_score"] = value_scores(ctx.archive)  # type: ignore[arg-type]
    out["tier"] = translate_values(tiers, lang)
    cats = list(tiers.cat.categories)[::-1]  # top tier first
    grouped = revenue.groupby(tiers, observed=False)
    frame = pd.DataFrame(
        {
            s["tier"]: [label(str(c), lang) for c in cats],
            s["n_customers"]: grouped.size().reindex(cats).to_numpy(),
            s["share_customers"]: (grouped.size() / len(tiers)).reindex(cats).to_numpy(),
            s["value"]: grouped.sum().reindex(cats).to_numpy(),
            s["share_value"]: (grouped.sum() / revenue.sum()).reindex(cats).to_numpy(),
        }
    )
    ctx.numbers["tiers"] = {
        str(c): {"customers": int(grouped.size()[c]), "revenue": float(grouped.sum()[c])}
        for c in cats
    }
    fig, ax = ctx.plt.subplots(figsize=(6.4, 3.4))
    plotting.pyramid(tiers, revenue, ax=ax, lang=lang)
    fmt = {
        s["n_customers"]: _count,
        s["share_customers"]: fmt_pct,
        s["value"]: fmt_money,
        s["share_value"]: fmt_pct,
    }
    return (
        f"<p>{esc(s['pyramid_text'])}</p>"
        f'<div class="grid">{figure(fig, heading)}<div>{table(frame, fmt)}</div></div>'
    )


@section("concentration")
def _concentration(ctx: Context, heading: str) -> str:
    s = ctx.s
    conc = concentration(ctx.revenue(), negative="clip")
    gini = float(conc.gini)
    top20 = float(conc.top_share(0.2))
    pareto = float(conc.pareto_point(0.8))
    ctx.numbers.update(gini=gini, top20_share=top20, pareto_point=pareto)
    fig, ax = ctx.plt.subplots(figsize=(5.0, 4.2))
    plotting.lorenz(conc, ax=ax, lang=ctx.lang)
    verdict = s["verdict_yes"] if top20 >= 0.8 else s["verdict_no"].format(share=fmt_pct(top20))
    rows = [
        (s["gini"], f"{gini:.3f}"),
        (s["top20"], fmt_pct(top20)),
        (s["pareto"], fmt_pct(pareto)),
    ]
    body = "".join(f"<tr><td>{esc(k)}</td><td class='n'>{esc(v)}</td></tr>" for k, v in rows)
    return (
        f'<div class="grid">{figure(fig, heading)}<div><table><tbody>{body}</tbody></table>'
        f'<p class="verdict">{esc(verdict)}</p></div></div>'
    )


@section("rfm", step="scoring RFM")
def _rfm(ctx: Context, heading: str) -> str:
    s, lang, revenue = ctx.s, ctx.lang, ctx.revenue()
    rfm = rfm_scores(ctx.archive)  # type: ignore[arg-type]
    out = ctx.frame()
    columns = rfm_columns(rfm, lang)
    for col in columns.columns:
        out[col] = columns[col]
    fig, ax = ctx.plt.subplots(figsize=(5.2, 4.2))
    plotting.rfm_heatmap(rfm, ax=ax, lang=lang)
    seg = rfm["segment"].astype(object)
    grouped = revenue.groupby(seg)
    frame = pd.DataFrame(
        {
            s["n_customers"]: grouped.size(),
            s["share_customers"]: grouped.size() / len(seg),
            s["share_value"]: grouped.sum() / revenue.sum(),
            s["mean_value"]: grouped.mean(),
        }
    ).sort_values(s["n_customers"], ascending=False)
    ctx.numbers["segments"] = {str(k): int(v) for k, v in grouped.size().items()}
    frame.insert(0, s["segment"], [label(str(i), lang) for i in frame.index])
    frame = frame.reset_index(drop=True)
    fmt = {
        s["n_customers"]: _count,
        s["share_customers"]: fmt_pct,
        s["share_value"]: fmt_pct,
        s["mean_value"]: fmt_money,
    }
    return (
        f"<p>{esc(s['rfm_text'])}</p>"
        f'<div class="grid">{figure(fig, heading)}<div>{table(frame, fmt)}</div></div>'
    )


def _looks_low_first(index: pd.Index) -> bool:
    names = [str(i) for i in index]
    return bool(names) and names[0] in ("small", "lead", "D", "小客户", "重铅客户")


@section("migration", step="following tiers and lifecycle stages")
def _migration(ctx: Context, heading: str) -> str:
    s, lang = ctx.s, ctx.lang
    window = TIER_WINDOW[ctx.period]
    history = tier_history(ctx.panel, window=window, labels="vip")
    moves = transitions(history)
    probs = moves.probabilities
    counts = moves.counts
    order = list(probs.index)[::-1] if _looks_low_first(probs.index) else list(probs.index)
    probs = probs.reindex(index=order, columns=order)
    counts = counts.reindex(index=order, columns=order).fillna(0)
    total = float(counts.to_numpy().sum())
    stay = float(np.trace(counts.to_numpy())) / total if total else float("nan")
    ctx.numbers.update(tier_stay=stay, tier_moves=int(total))
    fig, ax = ctx.plt.subplots(figsize=(5.4, 4.4))
    plotting.transition_heatmap(probs, ax=ax, lang=lang)
    c = counts.to_numpy(dtype=float)
    rows = c.sum(axis=1)
    with np.errstate(divide="ignore", invalid="ignore"):
        up = np.array([c[i, :i].sum() for i in range(len(c))]) / rows
        down = np.array([c[i, i + 1 :].sum() for i in range(len(c))]) / rows
        keep = np.diag(c) / rows
    frame = pd.DataFrame(
        {
            s["tier"]: [label(str(t), lang) for t in order],
            s["moves"]: rows,
            s["up"]: up,
            s["keep"]: keep,
            s["down"]: down,
        }
    )
    fmt = {
        s["moves"]: _count,
        s["up"]: fmt_pct,
        s["keep"]: fmt_pct,
        s["down"]: fmt_pct,
    }
    return (
        f"<p>{esc(s['migration_text'].format(period=ctx.pword, window=window))}</p>"
        f'<div class="grid">{figure(fig, heading)}<div>{table(frame, fmt)}<table><tbody>'
        f"<tr><td>{esc(s['stay'])}</td><td class='n'>{esc(fmt_pct(stay))}</td></tr>"
        f"</tbody></table></div></div>"
    )


def _last_full(stages: pd.DataFrame, panel: pd.DataFrame) -> Any:
    """The last period of ``stages`` that is not partial."""
    cols = list(stages.columns)
    last = panel.attrs.get("last_full_period")
    if last is not None and last in stages.columns:
        return last
    partial = bool(panel.attrs.get("partial", False))
    if partial and len(cols) > 1:
        return cols[-2]
    return cols[-1]


@section("lifecycle")
def _lifecycle(ctx: Context, heading: str) -> str:
    s, lang = ctx.s, ctx.lang
    stages = lifecycle_stages(ctx.panel)
    last = _last_full(stages, ctx.panel)
    out = ctx.frame()
    stage = stages[last].reindex(out.index)
    out["stage"] = translate_values(stage, lang)
    first = ctx.archive["first_purchase"] if ctx.archive is not None else None
    out["stage_reason"] = stage_reasons(stage, last, lang, first)
    fig, ax = ctx.plt.subplots(figsize=(7.0, 3.8))
    plotting.stage_flow(stages, ax=ax, lang=lang)
    counts = plotting.stage_counts(stages).loc[last]
    ctx.numbers["stages_last"] = {str(k): int(v) for k, v in counts.items()}
    ctx.numbers["stages_period"] = str(last)
    frame = pd.DataFrame(
        {
            s["stage"]: [label(str(k), lang) for k in counts.index],
            s["n_customers"]: counts.to_numpy(),
        }
    )
    texts = {
        str(k): stage_strategy(str(k), str(v), lang)
        for k, v in stage_strategies()["strategy"].items()
    }
    frame[s["strategy"]] = [texts.get(str(k), "") for k in counts.index]
    fmt = {s["n_customers"]: _count}
    return (
        f"<p>{esc(s['lifecycle_text'].format(period=ctx.pword))} {esc(last)}</p>"
        f'<div class="grid wide">{figure(fig, heading)}<div>{table(frame, fmt)}</div></div>'
    )


# Days of the early-warning horizon in the report.
WARNING_HORIZON = 90


@section("warning", step="raising early warnings")
def _warning(ctx: Context, heading: str) -> str:
    s, lang = ctx.s, ctx.lang
    cols = ctx.cols
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", InsufficientHistoryWarning)
            found = early_warning(
                ctx.transactions, cols.customer, cols.date, cols.amount, cols.order,
                observation_end=cols.observation_end, horizon=WARNING_HORIZON, seed=0,
                missing=cols.missing,  # type: ignore[arg-type]
            )  # fmt: skip
    except (ImportError, ValueError) as exc:
        return failed(s, exc)
    window = TIER_WINDOW.get(ctx.period, 12)
    ctx.warnings_out = warning_table(found, ctx.period, window=window, lang=lang)
    k = 15
    n = len(found)
    total = float(found["expected_loss"].sum()) if n else 0.0
    ctx.numbers.update(warnings=n, expected_loss=total)
    if n == 0:
        return f"<p>{esc(s['no_warn'])}</p>"
    top = found.head(k)
    sep = "、" if lang == "zh" else ", "
    frame = pd.DataFrame({s["customer"]: [str(i) for i in top.index]})
    frame[s["p_decline"]] = top["p_decline"].to_numpy()
    frame[s["reasons"]] = [
        sep.join(name(code.strip(), lang) for code in str(r).split(",") if code)
        for r in top["reasons"]
    ]
    frame[s["expected_loss"]] = top["expected_loss"].to_numpy()
    fmt = {s["expected_loss"]: fmt_money, s["p_decline"]: lambda v: f"{v:.2f}"}
    text = s["warn_text"].format(
        n=f"{n:,}",
        value=fmt_money(total),
        k=min(k, n),
        h=WARNING_HORIZON,
        recent="tier_12m",
        window=12,
        period="月" if lang == "zh" else "month",
    )
    return f'<p>{esc(text)}</p><div class="scroll">{table(frame, fmt)}</div>'


@section("backtest", step="backtesting the warning list")
def _backtest(ctx: Context, heading: str) -> str:
    s = ctx.s
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", InsufficientHistoryWarning)
            card = backtest(
                ctx.transactions, ctx.cols.customer, ctx.cols.date, ctx.cols.amount,
                ctx.cols.order, horizon=WARNING_HORIZON, seed=0, parts=["warning"],
                n_cutoffs=1, observation_end=ctx.cols.observation_end,
                missing=ctx.cols.missing,  # type: ignore[arg-type]
            )  # fmt: skip
    except (ImportError, ValueError) as exc:
        return (
            failed(s, exc)
            if isinstance(exc, ImportError)
            else (f'<p class="note">{esc(s["bt_short"].format(error=exc))}</p>')
        )
    if card.empty:
        return f'<p class="note">{esc(s["bt_short"].format(error="-"))}</p>'
    cut = card["cutoff"].iloc[-1]
    card = card[card["cutoff"] == cut]

    def get(subject: str, metric: str) -> float:
        hit = card[(card["subject"] == subject) & (card["metric"] == metric)]["value"]
        return float(hit.iloc[0]) if len(hit) else float("nan")

    ours = {m: get("early_warning", m) for m in ("precision", "lift", "lost_captured")}
    silent = {m: get("longest_silent", m) for m in ("precision", "lift", "lost_captured")}
    ctx.numbers.update(
        backtest_cutoff=cut,
        backtest_auc=get("early_warning", "auc"),
        backtest_precision=ours["precision"],
        backtest_lift=ours["lift"],
        backtest_lost_captured=ours["lost_captured"],
        backtest_silent_precision=silent["precision"],
    )
    text = s["bt_text"].format(
        cut=pd.Timestamp(cut).date(), h=WARNING_HORIZON,
        n=f"{int(get('early_warning', 'n_active')):,}",
        base=fmt_pct(get("early_warning", "base_rate")),
        size=f"{int(get('early_warning', 'list_size')):,}",
        prec=fmt_pct(ours["precision"]), lift=f"{ours['lift']:.2f}",
        cap=fmt_pct(ours["lost_captured"]), sprec=fmt_pct(silent["precision"]),
        scap=fmt_pct(silent["lost_captured"]), auc=f"{get('early_warning', 'auc'):.3f}",
    )  # fmt: skip
    frame = pd.DataFrame(
        {
            s["bt_list"]: [s["bt_ours"], s["bt_silent"]],
            s["bt_precision"]: [ours["precision"], silent["precision"]],
            s["bt_lift"]: [ours["lift"], silent["lift"]],
            s["bt_captured"]: [ours["lost_captured"], silent["lost_captured"]],
        }
    )
    fmt = {
        s["bt_precision"]: fmt_pct,
        s["bt_lift"]: lambda v: f"{v:.2f}",
        s["bt_captured"]: fmt_pct,
    }
    deciles = card[card["subject"].str.startswith("decile_")]
    pred = deciles[deciles["metric"] == "predicted"]["value"].to_numpy()
    obs = deciles[deciles["metric"] == "observed"]["value"].to_numpy()
    fig, ax = ctx.plt.subplots(figsize=(4.6, 4.0))
    ax.plot([0, 1], [0, 1], color="0.7", lw=1, ls="--")
    ax.plot(pred, obs, "o-", color=plotting.TIER_COLORS[0])
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 1)
    ax.set_xlabel(s["bt_x"])
    ax.set_ylabel(s["bt_y"])
    plotting._style(ax)
    return (
        f"<p>{esc(text)}</p>"
        f'<div class="grid">{figure(fig, heading)}<div>{table(frame, fmt)}</div></div>'
    )


@section("clv", step="fitting BG/NBD and Gamma-Gamma")
def _clv(ctx: Context, heading: str) -> str:
    s = ctx.s
    summary_weeks = ctx.cols.summarize(ctx.transactions, margin=False, time_unit="W")
    try:
        cols = ctx.cols
        model, _ = choose_model(
            ctx.transactions, cols.customer, cols.date, cols.observation_end, cols.missing
        )
        values, bgf, _, excluded = clv_values(
            summary_weeks, ctx.horizon_months, ctx.discount_rate, model
        )
    except (ValueError, RuntimeError, ArithmeticError) as exc:
        return failed(s, exc)
    ctx.numbers["spend_excluded"] = excluded
    out = ctx.frame()
    for col in values.columns:
        out[col] = values[col]
    # BG/NBD's P(alive) is 1 for every one-time buyer: say so on their rows (with BG/NBD).
    one_time = (summary_weeks["frequency"] == 0).reindex(out.index, fill_value=False)
    out.insert(
        list(out.columns).index("p_alive") + 1,
        "p_alive_note",
        np.where(
            one_time.to_numpy() & (model == "bgnbd"),
            s["p_alive_one_time"],
            MODEL_NAMES[model] if model != "bgnbd" else s["p_alive_repeat"],
        ),
    )
    clv = values["clv"]
    missing = int(clv.isna().sum())
    if missing:
        # Never a total or median that silently leaves customers out.
        return failed(
            s,
            ArithmeticError(
                f"{missing:,} of {len(clv):,} customers got no lifetime value from {model} "
                "(NaN); no total or median is shown rather than one that leaves them out"
            ),
        )
    total = float(clv.sum(skipna=False))
    median = float(clv.median(skipna=False))
    ctx.numbers.update(clv_total=total, clv_median=median, clv_model=model)
    fig, ax = ctx.plt.subplots(figsize=(6.0, 3.6))
    ax.hist(clv, bins=40, color=plotting.TIER_COLORS[2])
    ax.set_xlabel(s["hist_x"])
    ax.set_ylabel(s["hist_y"])
    ax.set_yscale("log")
    plotting._style(ax)
    top = values.sort_values("clv", ascending=False).head(10)
    frame = pd.DataFrame(
        {
            s["customer"]: [str(i) for i in top.index],
            s["p_alive"]: top["p_alive"].to_numpy(),
            s["exp_purchases"]: top["expected_purchases"].to_numpy(),
            s["exp_spend"]: top["expected_spend"].to_numpy(),
            s["clv"]: top["clv"].to_numpy(),
        }
    )
    fmt = {
        s["p_alive"]: lambda v: f"{v:.2f}",
        s["exp_purchases"]: lambda v: f"{v:.2f}",
        s["exp_spend"]: fmt_money,
        s["clv"]: fmt_money,
    }
    params = ", ".join(f"{k} = {float(v):.3g}" for k, v in bgf.params_.items())
    fit = s["clv_fit"].format(model=MODEL_NAMES[model])
    ptext = f'<p class="muted">{esc(fit)} ({esc(s["weeks"])}): {esc(params)}</p>'
    text = s["clv_text"].format(
        model=MODEL_NAMES[model],
        h=f"{ctx.horizon_months:g}",
        d=fmt_pct(ctx.discount_rate),
        total=fmt_money(total),
        median=fmt_money(median),
    )
    if model == "bgnbd":
        text += " " + s["clv_bgnbd_note"]
    return (
        f"<p>{esc(text)}</p>{ptext}"
        f'<div class="grid">{figure(fig, heading)}<div><h3>{esc(s["top_clv"])}</h3>'
        f"{table(frame, fmt)}</div></div>"
    )


@section("policy", step="writing the report")
def _policy(ctx: Context, heading: str) -> str:
    s, lang = ctx.s, ctx.lang
    policies = service_policies(labels="zh" if lang == "zh" else "vip")
    rows = {}
    if ctx.tiers is not None:
        counts = translate_values(ctx.tiers, lang).value_counts()
        rows[s["n_customers"]] = [f"{int(counts.get(t, 0)):,}" for t in policies.index]
    for col in policies.columns:
        values = []
        for v in policies[col]:
            if isinstance(v, (bool, np.bool_)):
                values.append(name("yes" if v else "no", lang))
            elif col == "discount_cap" and isinstance(v, (float, np.floating)):
                values.append(f"{float(v):.0%}")
            else:
                values.append(str(v))
        rows[name(str(col), lang)] = values
    frame = pd.DataFrame(rows, index=[str(t) for t in policies.index]).T
    frame.index.name = s["tier"]
    body = f"<p>{esc(s['policy_table_text'])}</p><div class='scroll'>{table(frame)}</div>"
    w, p = CANDIDATE_WINDOW[ctx.period], PHASE_OUT_PERIODS[ctx.period]
    try:
        up = upgrade_candidates(
            ctx.panel, window=w, min_growth=0.5, tier_window=TIER_WINDOW[ctx.period]
        )
        down = phase_out_candidates(
            ctx.panel, periods=p, max_growth=0.0, tier_window=TIER_WINDOW[ctx.period]
        )
    except ValueError as exc:  # a log too short for the stretches
        return body + failed(s, exc)
    ctx.numbers.update(upgrade_candidates=len(up), phase_out_candidates=len(down))
    out = ctx.frame()
    out["upgrade_candidate"] = out.index.isin(up.index)
    out["phase_out_candidate"] = out.index.isin(down.index)
    text = s["candidates"].format(
        w=w, p=p, period=ctx.pword, up=f"{len(up):,}", down=f"{len(down):,}"
    )
    return body + f"<p>{esc(text)}</p>"


def titles(lang: str) -> dict[str, str]:
    """Each registered section's numbered heading, by key, in ``lang``."""
    return {sec.key: f"{i}. {TITLES[lang][sec.key]}" for i, sec in enumerate(SECTIONS, start=1)}
