"""The kamkit report: one self-contained HTML file a manager can read.

:func:`build_report` runs the pipeline on a transaction log (archive,
pyramid, concentration, RFM, tier migration, lifecycle, early warning,
lifetime value, service policies) and lays the results out in nine
sections. Figures are SVG embedded as data URIs; the file fetches nothing.
Every number printed comes from kamkit's functions.

Returns and customers with zero or negative net revenue follow one stated
policy, printed in the report (see :data:`POLICY`).
"""

from __future__ import annotations

import base64
import html
import io
from collections.abc import Callable, Hashable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ._i18n import label, name, translate_values

__all__ = ["N_STEPS", "POLICY", "Report", "build_report", "clv_table"]

N_STEPS = 7

#: How the report treats returns and non-positive customers (English; the
#: Chinese text is in the report's strings).
POLICY = (
    "Returns are rows with a negative amount; they are netted into each customer's revenue. "
    "Customers whose net revenue is zero or negative stay in every count: they rank at the "
    "bottom of the pyramid, count as zero value in the Lorenz curve and the Gini coefficient "
    "(negative values clipped to zero). The spend model (Gamma-Gamma) is fitted on the repeat "
    "customers with a positive average spend only; every other customer is valued at its "
    "population mean spend per purchase, times the purchases the BG/NBD model expects of them. "
    "In the value score, a factor a customer lacks (growth, without an earlier period to compare "
    "with) takes the median of the other customers; a factor no customer has is left out."
)

_S: dict[str, dict[str, str]] = {
    "en": {
        "title": "Customer value report",
        "subtitle": "Key-account management analytics with kamkit {version}",
        "source": "Data",
        "generated": "Observation end",
        "s1": "1. Data overview",
        "s2": "2. The customer pyramid",
        "s3": "3. Concentration: the Lorenz curve and the 80/20 check",
        "s4": "4. RFM segments",
        "s5": "5. Tier migration",
        "s6": "6. Lifecycle stages over time",
        "s7": "7. Early warning",
        "s8": "8. Customer lifetime value",
        "s9": "9. Service policy per tier",
        "policy_title": "Returns and customers with zero or negative net revenue",
        "policy": POLICY,
        "returns_line": "This log has {rows} return rows totalling {amount}; "
        "{n_nonpos} customers have a net revenue of zero or less (their net total: {nonpos_sum}).",
        "transactions": "Transactions",
        "customers": "Customers",
        "period": "Period",
        "revenue": "Net revenue",
        "repeat": "Repeat buyers",
        "returns": "Return rows",
        "nonpos": "Customers with net revenue ≤ 0",
        "avg_rev": "Revenue per customer",
        "tier": "Tier",
        "n_customers": "Customers",
        "share_customers": "% of customers",
        "value": "Revenue",
        "share_value": "% of revenue",
        "mean_value": "Mean revenue",
        "min_value": "Smallest revenue",
        "pyramid_text": "Customers are ranked by net revenue and cut by the textbook shares "
        "(VIP 1%, major 4%, ordinary 15%, small 80%). The top 20% are the key accounts that "
        "get the strongest service.",
        "gini": "Gini coefficient",
        "top20": "Share of revenue from the top 20% of customers",
        "pareto": "Smallest share of customers bringing 80% of revenue",
        "verdict_yes": "The 80/20 rule holds here: the top 20% bring at least 80% of revenue.",
        "verdict_no": "The 80/20 rule does not hold exactly: the top 20% bring {share} of revenue.",
        "segment": "Segment",
        "rfm_text": "R, F and M are scored 1–5 (5 best) by quintiles; the map counts customers "
        "by R and F, the table gives each named segment.",
        "migration_text": "Tiers are recomputed every {period} on the revenue of the last {window} "
        "{period}s; each cell is the share of customers of a row's tier found in the column's tier "
        "one {period} later.",
        "candidates": "Tomorrow's stars (ordinary and small customers whose last {w} {period}s "
        "brought at least 1.5 times the {w} before): {up}. Phase-out candidates (in the lowest "
        "tier for the last {p} {period}s, without growth): {down}. Both lists are in the tiers "
        "file.",
        "stay": "Customers keeping their tier from one period to the next",
        "moves": "Customer-periods",
        "up": "Up",
        "keep": "Same tier",
        "down": "Down",
        "lifecycle_text": "Stages per {period}: identification (new), development (growing), "
        "stable, decline, churned, reactivated. The last full period:",
        "stage": "Stage",
        "strategy": "Strategy",
        "warn_text": "{n} customers raise a warning, with {value} of value at risk. "
        "The {k} with the most value at risk:",
        "no_warn": "No customer raises a warning.",
        "customer": "Customer",
        "reasons": "Reasons",
        "value_at_risk": "Value at risk",
        "clv_text": "BG/NBD for purchases and Gamma-Gamma for spend, fitted on this log; "
        "lifetime value over the next {h} months at {d} per month. Total: {total}; median "
        "customer: {median}.",
        "clv_fit": "BG/NBD parameters",
        "p_alive": "P(alive)",
        "exp_purchases": "Expected purchases",
        "exp_spend": "Expected spend",
        "clv": "CLV",
        "top_clv": "Top customers by lifetime value",
        "policy_table_text": "The differentiated treatment per tier, joined with this log's "
        "tier sizes.",
        "unavailable": "This section needs {names}, which this version of kamkit does not provide.",
        "failed": "This section could not be computed for this log: {error}",
        "footer": "Made with kamkit {version}. Figures and numbers come from kamkit's functions.",
        "hist_x": "lifetime value",
        "hist_y": "customers",
        "months": "months",
        "weeks": "time in weeks",
    },
    "zh": {
        "title": "客户价值报告",
        "subtitle": "大客户管理分析 · kamkit {version}",
        "source": "数据",
        "generated": "观察截止日",
        "s1": "1. 数据概览",
        "s2": "2. 客户金字塔",
        "s3": "3. 集中度：洛伦兹曲线与二八法则检验",
        "s4": "4. RFM 客户细分",
        "s5": "5. 客户层级迁移",
        "s6": "6. 客户生命周期阶段",
        "s7": "7. 预警名单",
        "s8": "8. 客户终身价值（CLV）",
        "s9": "9. 分层服务策略",
        "policy_title": "退货与净收入为零或为负的客户",
        "policy": "退货是金额为负的交易行，计入客户的净收入。净收入为零或为负的客户保留在所有统计中："
        "他们在客户金字塔中排在最底层；在洛伦兹曲线和基尼系数中按零价值计算（负值截为零）。"
        "消费模型（Gamma-Gamma）只用平均消费为正的重复购买客户拟合；其他客户按模型的总体平均单次消费，"
        "乘以 BG/NBD 模型预期的购买次数来估值。价值评分中，客户缺少的因素（例如没有可比较的上一期、"
        "无法计算的增长率）取其他客户的中位数；所有客户都缺少的因素不参与评分。",
        "returns_line": "本数据有 {rows} 行退货，合计 {amount}；{n_nonpos} 位客户净收入为零或为负"
        "（净额合计 {nonpos_sum}）。",
        "transactions": "交易笔数",
        "customers": "客户数",
        "period": "时间范围",
        "revenue": "净收入",
        "repeat": "重复购买客户",
        "returns": "退货行数",
        "nonpos": "净收入 ≤ 0 的客户",
        "avg_rev": "客户平均收入",
        "tier": "客户层级",
        "n_customers": "客户数",
        "share_customers": "客户占比",
        "value": "收入",
        "share_value": "收入占比",
        "mean_value": "平均收入",
        "min_value": "最低收入",
        "pyramid_text": "客户按净收入排序，按教科书比例分层（VIP客户 1%、主要客户 4%、普通客户 15%、"
        "小客户 80%）。前 20% 是获得最强服务的关键客户。",
        "gini": "基尼系数",
        "top20": "前 20% 客户贡献的收入占比",
        "pareto": "贡献 80% 收入所需的最少客户占比",
        "verdict_yes": "本数据符合二八法则：前 20% 的客户贡献了至少 80% 的收入。",
        "verdict_no": "本数据不完全符合二八法则：前 20% 的客户贡献了 {share} 的收入。",
        "segment": "细分",
        "rfm_text": "R、F、M 按五分位打分（1–5，5 最好）；热力图按 R 与 F 统计客户数，表格列出各细分。",
        "migration_text": "每个{period}按最近 {window} 个{period}的收入重新分层；"
        "每格表示某层级客户在下一个{period}落入各层级的比例。",
        "candidates": "明日之星（最近 {w} 个{period}的收入至少是之前 {w} 个{period}的 1.5 倍的普通客户和小客户）："
        "{up} 位。淘汰候选（最近 {p} 个{period}一直在最底层且没有增长）：{down} 位。两份名单都在层级文件中。",
        "stay": "层级保持不变的客户比例",
        "moves": "客户·期数",
        "up": "升级",
        "keep": "保持",
        "down": "降级",
        "lifecycle_text": "每个{period}的生命周期阶段：识别期、发展期、稳定期、衰退期、流失、回流。"
        "最后一个完整期间：",
        "stage": "阶段",
        "strategy": "策略",
        "warn_text": "{n} 位客户触发预警，涉及风险价值 {value}。风险价值最高的 {k} 位：",
        "no_warn": "没有客户触发预警。",
        "customer": "客户",
        "reasons": "预警原因",
        "value_at_risk": "风险价值",
        "clv_text": "用 BG/NBD 模型预测购买次数、Gamma-Gamma 模型预测消费金额，"
        "计算未来 {h} 个月的终身价值（月折现率 {d}）。合计 {total}；客户中位数 {median}。",
        "clv_fit": "BG/NBD 参数",
        "p_alive": "存活概率",
        "exp_purchases": "预期购买次数",
        "exp_spend": "预期单次消费",
        "clv": "终身价值",
        "top_clv": "终身价值最高的客户",
        "policy_table_text": "各层级的差异化服务策略，并附本数据的层级人数。",
        "unavailable": "本节需要 {names}，当前版本的 kamkit 尚未提供。",
        "failed": "本数据无法计算本节：{error}",
        "footer": "由 kamkit {version} 生成。图表与数字均来自 kamkit 的函数。",
        "hist_x": "终身价值",
        "hist_y": "客户数",
        "months": "个月",
        "weeks": "时间单位：周",
    },
}

# The textbook strategy per stage, in Chinese.
_STRATEGY_ZH = {
    "identification": "建立信任",
    "development": "提高客户满意度",
    "stable": "建立退出壁垒，降低交易成本",
    "decline": "挽回或终止关系，做好预警",
    "churned": "分析流失原因，择机挽回",
    "reactivated": "重新建立信任",
}

# Trailing window of the tier history, and the stretches of the candidate lists, per period.
_TIER_WINDOW = {"M": 12, "Q": 4}
_CANDIDATE_WINDOW = {"M": 3, "Q": 2}
_PHASE_OUT_PERIODS = {"M": 12, "Q": 4}

_PERIOD_WORD = {
    "en": {"M": "month", "Q": "quarter", "W": "week", "Y": "year"},
    "zh": {"M": "月", "Q": "季度", "W": "周", "Y": "年"},
}

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


# --------------------------------------------------------------------------- helpers


def _fmt_money(value: float) -> str:
    return f"{value:,.2f}"


def _fmt_pct(value: float) -> str:
    return f"{value:.1%}"


def _esc(value: Any) -> str:
    return html.escape(str(value))


def _table(frame: pd.DataFrame, numeric: dict[str, Callable[[Any], str]] | None = None) -> str:
    """A plain HTML table; columns in ``numeric`` are formatted and right-aligned."""
    numeric = numeric or {}
    head = "".join(
        f'<th class="n">{_esc(c)}</th>' if c in numeric else f"<th>{_esc(c)}</th>"
        for c in frame.columns
    )
    index_name = frame.index.name
    show_index = index_name is not None
    if show_index:
        head = f"<th>{_esc(index_name)}</th>" + head
    rows = []
    for idx, row in frame.iterrows():
        cells = []
        if show_index:
            cells.append(f"<td>{_esc(idx)}</td>")
        for c in frame.columns:
            v = row[c]
            if c in numeric:
                text = "" if pd.isna(v) else numeric[c](v)
                cells.append(f'<td class="n">{_esc(text)}</td>')
            else:
                cells.append(f"<td>{_esc('' if _isna(v) else v)}</td>")
        rows.append("<tr>" + "".join(cells) + "</tr>")
    return f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table>"


def _isna(v: Any) -> bool:
    try:
        return bool(pd.isna(v))
    except (TypeError, ValueError):
        return False


def _figure(fig: Any, alt: str) -> str:
    """A matplotlib figure as an <img> with SVG data (glyphs as paths: no fonts needed)."""
    import matplotlib.pyplot as plt

    buffer = io.BytesIO()
    fig.savefig(buffer, format="svg", bbox_inches="tight", metadata={"Date": None})
    plt.close(fig)
    data = base64.b64encode(buffer.getvalue()).decode("ascii")
    return f'<figure><img alt="{_esc(alt)}" src="data:image/svg+xml;base64,{data}"></figure>'


def _missing(*names: str) -> list[str]:
    import kamkit

    return [n for n in names if not hasattr(kamkit, n)]


def _unavailable(s: dict[str, str], names: list[str]) -> str:
    listed = ", ".join(f"kamkit.{n}" for n in names)
    return f'<p class="note">{_esc(s["unavailable"].format(names=listed))}</p>'


def _failed(s: dict[str, str], error: Exception) -> str:
    return f'<p class="note">{_esc(s["failed"].format(error=error))}</p>'


@dataclass
class _Section:
    key: str
    body: str


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
    """

    html: str
    tiers: pd.DataFrame
    warnings: pd.DataFrame | None
    numbers: dict[str, Any] = field(default_factory=dict)
    lang: str = "en"

    def write(self, out: str | Path) -> list[Path]:
        """Write ``report.html``, ``tiers.csv`` and ``warnings.csv`` into folder ``out``."""
        folder = Path(out)
        folder.mkdir(parents=True, exist_ok=True)
        paths = [folder / "report.html", folder / "tiers.csv"]
        paths[0].write_text(self.html, encoding="utf-8")
        self.tiers.to_csv(paths[1], encoding="utf-8")
        if self.warnings is not None:
            paths.append(folder / "warnings.csv")
            self.warnings.to_csv(paths[2], encoding="utf-8")
        return paths

    def _repr_html_(self) -> str:
        doc = html.escape(self.html, quote=True)
        return f'<iframe srcdoc="{doc}" style="width:100%;height:720px;border:0"></iframe>'


# --------------------------------------------------------------------------- lifetime value


_MODELS = {"bgnbd": "BetaGeo", "mbgnbd": "ModifiedBetaGeo", "pareto": "ParetoNBD"}


def _fit_clv(
    summary: pd.DataFrame, horizon_months: int, discount_rate: float, model: str = "bgnbd"
) -> tuple[pd.DataFrame, Any, Any, int]:
    """P(alive), expected purchases, expected spend and CLV per customer.

    ``summary`` is :func:`kamkit.summarize`'s archive with time in weeks.
    Returns the table, the two fitted models and the number of customers
    left out of the spend model's fit.
    """
    import warnings

    import kamkit

    transactions_model = getattr(kamkit, _MODELS[model])().fit(summary)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        spend_model = kamkit.GammaGamma().fit(summary)
    for w in caught:  # pass on everything but the announced exclusion
        if type(w.message).__name__ != "SpendExclusionWarning":
            warnings.warn_explicit(w.message, w.category, w.filename, w.lineno)
    repeat = (summary["frequency"] > 0) & (summary["monetary_value"] > 0)
    excluded = int((~repeat).sum())
    out = pd.DataFrame(index=summary.index)
    out["p_alive"] = np.asarray(transactions_model.probability_alive(summary), dtype=float)
    weeks = horizon_months * 4.345
    out["expected_purchases"] = np.asarray(
        transactions_model.conditional_expected_purchases(weeks, summary), dtype=float
    )
    out["expected_spend"] = np.asarray(
        spend_model.conditional_expected_average_spend(summary), dtype=float
    )
    out["clv"] = np.asarray(
        spend_model.customer_lifetime_value(
            transactions_model,
            summary["frequency"],
            summary["recency"],
            summary["T"],
            summary["monetary_value"],
            time=int(horizon_months),
            discount_rate=discount_rate,
            freq="W",
        ),
        dtype=float,
    )
    return out, transactions_model, spend_model, excluded


def clv_table(
    transactions: pd.DataFrame,
    *,
    customer: Hashable = "customer_id",
    date: Hashable = "date",
    amount: Hashable = "amount",
    missing: str = "raise",
    observation_end: Any = None,
    model: str = "bgnbd",
    horizon_months: int = 12,
    discount_rate: float = 0.01,
    progress: Callable[[str], None] | None = None,
) -> pd.DataFrame:
    """Per-customer P(alive), expected purchases, expected spend and lifetime value.

    Time is measured in weeks; the horizon in months (4.345 weeks),
    discounted monthly as lifetimes' ``customer_lifetime_value`` does.
    Customers follow :data:`POLICY`.

    Raises
    ------
    ValueError
        Bad input (see :func:`kamkit.summarize`), or a log the models cannot fit.
    """
    import kamkit

    need = [n for n in (_MODELS[model], "GammaGamma") if not hasattr(kamkit, n)]
    if need:
        from .cli import EXIT_UNAVAILABLE, CliError

        raise CliError(
            f"this command needs {', '.join('kamkit.' + n for n in need)}, which this version "
            "of kamkit does not provide; upgrade kamkit",
            EXIT_UNAVAILABLE,
        )
    step = progress or (lambda what: None)
    step("building the customer archive")
    summary = kamkit.summarize(
        transactions,
        customer,
        date,
        amount,
        observation_end=observation_end,
        missing=missing,
        time_unit="W",
    )
    step(f"fitting {_MODELS[model]} and GammaGamma")
    values, _, _, _ = _fit_clv(summary, horizon_months, discount_rate, model)
    step("predicting")
    return pd.concat(
        [summary[["frequency", "recency", "T", "monetary_value", "revenue"]], values], axis=1
    )


# --------------------------------------------------------------------------- the report


def build_report(
    transactions: pd.DataFrame,
    customer: Hashable = "customer_id",
    date: Hashable = "date",
    amount: Hashable = "amount",
    margin: Hashable | None = None,
    *,
    missing: str = "raise",
    observation_end: Any = None,
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
    customer, date, amount, margin, missing, observation_end
        As in :func:`kamkit.summarize`.
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
    >>> import kamkit
    >>> from kamkit.report import build_report
    >>> rep = build_report(kamkit.datasets.load_cdnow_sample())  # doctest: +SKIP
    >>> rep.write("kamkit-demo")  # doctest: +SKIP
    """
    import matplotlib

    import kamkit

    from . import plotting
    from ._validation import check_choice

    check_choice("lang", lang, ("en", "zh"))
    check_choice("period", period, ("M", "Q"))
    s = _S[lang]
    step = progress or (lambda what: None)
    numbers: dict[str, Any] = {}
    sections: list[_Section] = []
    pword = _PERIOD_WORD[lang][period]

    rc = {
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

    with matplotlib.rc_context(rc):
        import matplotlib.pyplot as plt

        # 1. overview -------------------------------------------------------------
        step("building the customer archive")
        archive = kamkit.summarize(
            transactions,
            customer,
            date,
            amount,
            margin,
            observation_end=observation_end,
            missing=missing,
            period="Q",
        )
        revenue = archive["revenue"]
        log_amount = pd.to_numeric(transactions[amount], errors="coerce")
        returns = log_amount < 0
        nonpos = revenue <= 0
        numbers.update(
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
        tiers_out = archive[["frequency", "recency", "T", "n_transactions", "revenue"]].copy()
        sections.append(_Section("s1", _overview(s, numbers)))

        # 2. pyramid ----------------------------------------------------------------
        step("tiering customers")
        tiers = None
        if miss := _missing("pyramid"):
            sections.append(_Section("s2", _unavailable(s, miss)))
        else:
            tiers = kamkit.pyramid(revenue, labels="vip")
            if hasattr(kamkit, "value_score") and hasattr(kamkit, "default_criteria"):
                tiers_out["value_score"] = value_scores(archive)
            tiers_out["tier"] = translate_values(tiers, lang)
            sections.append(_Section("s2", _pyramid_section(s, tiers, revenue, lang, numbers, plt)))

        # 3. concentration -----------------------------------------------------------
        if miss := _missing("concentration"):
            sections.append(_Section("s3", _unavailable(s, miss)))
        else:
            conc = kamkit.concentration(revenue, negative="clip")
            sections.append(_Section("s3", _lorenz_section(s, conc, lang, numbers, plt)))

        # 4. RFM ---------------------------------------------------------------------
        step("scoring RFM")
        if miss := _missing("rfm_scores"):
            sections.append(_Section("s4", _unavailable(s, miss)))
        else:
            rfm = kamkit.rfm_scores(archive)
            for col in ("R", "F", "M", "rfm", "segment"):
                if col in rfm:
                    tiers_out[col] = rfm[col]
            if "segment" in tiers_out:
                tiers_out["segment"] = translate_values(tiers_out["segment"], lang)
            sections.append(_Section("s4", _rfm_section(s, rfm, revenue, lang, numbers, plt)))

        # 5./6. panel, tier migration, lifecycle ------------------------------------
        step("following tiers and lifecycle stages")
        panel = None
        if not _missing("period_panel"):
            panel = kamkit.period_panel(
                transactions,
                customer=customer,
                date=date,
                amount=amount,
                period=period,
                observation_end=observation_end,
                missing=missing,
            )
        if miss := _missing("period_panel", "tier_history", "transitions"):
            sections.append(_Section("s5", _unavailable(s, miss)))
        else:
            window = _TIER_WINDOW[period]
            history = kamkit.tier_history(panel, window=window, labels="vip")
            moves = kamkit.transitions(history)
            sections.append(
                _Section("s5", _migration_section(s, moves, pword, window, lang, numbers, plt))
            )
        if miss := _missing("period_panel", "lifecycle_stages"):
            sections.append(_Section("s6", _unavailable(s, miss)))
        else:
            stages = kamkit.lifecycle_stages(panel)
            last = _last_full(stages, panel)
            tiers_out["stage"] = translate_values(stages[last].reindex(tiers_out.index), lang)
            sections.append(
                _Section("s6", _lifecycle_section(s, stages, last, pword, lang, numbers, plt))
            )

        # 7. early warning ------------------------------------------------------------
        step("raising early warnings")
        warnings_out = None
        if miss := _missing("period_panel", "early_warning"):
            sections.append(_Section("s7", _unavailable(s, miss)))
        else:
            warnings_out = kamkit.early_warning(panel)
            sections.append(_Section("s7", _warning_section(s, warnings_out, lang, numbers)))

        # 8. lifetime value -------------------------------------------------------------
        step("fitting BG/NBD and Gamma-Gamma")
        if miss := _missing("BetaGeo", "GammaGamma"):
            sections.append(_Section("s8", _unavailable(s, miss)))
        else:
            summary_weeks = kamkit.summarize(
                transactions,
                customer,
                date,
                amount,
                observation_end=observation_end,
                missing=missing,
                time_unit="W",
            )
            try:
                values, bgf, _, excluded = _fit_clv(summary_weeks, horizon_months, discount_rate)
            except (ValueError, RuntimeError, ArithmeticError) as exc:
                sections.append(_Section("s8", _failed(s, exc)))
            else:
                numbers["spend_excluded"] = excluded
                for col in values.columns:
                    tiers_out[col] = values[col]
                sections.append(
                    _Section(
                        "s8",
                        _clv_section(
                            s, values, bgf, horizon_months, discount_rate, lang, numbers, plt
                        ),
                    )
                )

        # 9. service policies -------------------------------------------------------------
        step("writing the report")
        if miss := _missing("service_policies"):
            sections.append(_Section("s9", _unavailable(s, miss)))
        else:
            body = _policy_section(s, tiers, lang, numbers)
            if panel is not None and not _missing("upgrade_candidates", "phase_out_candidates"):
                w, p = _CANDIDATE_WINDOW[period], _PHASE_OUT_PERIODS[period]
                try:
                    up = kamkit.upgrade_candidates(
                        panel, window=w, min_growth=0.5, tier_window=_TIER_WINDOW[period]
                    )
                    down = kamkit.phase_out_candidates(
                        panel, periods=p, max_growth=0.0, tier_window=_TIER_WINDOW[period]
                    )
                except ValueError as exc:  # a log too short for the stretches
                    body += _failed(s, exc)
                else:
                    numbers.update(upgrade_candidates=len(up), phase_out_candidates=len(down))
                    tiers_out["upgrade_candidate"] = tiers_out.index.isin(up.index)
                    tiers_out["phase_out_candidate"] = tiers_out.index.isin(down.index)
                    text = s["candidates"].format(
                        w=w, p=p, period=pword, up=f"{len(up):,}", down=f"{len(down):,}"
                    )
                    body += f"<p>{_esc(text)}</p>"
            sections.append(_Section("s9", body))

    doc = _document(s, sections, title, source, numbers, lang)
    return Report(html=doc, tiers=tiers_out, warnings=warnings_out, numbers=numbers, lang=lang)


def value_scores(archive: pd.DataFrame) -> pd.Series:
    """The value score with the default criteria, as the report's policy states.

    A factor a customer lacks takes the median of the others; a factor no
    customer has (growth in a log shorter than two periods) is left out.
    """
    import kamkit

    criteria = kamkit.default_criteria(archive)
    usable = {
        k: w for k, w in criteria.items() if not (k in archive.columns and archive[k].isna().all())
    }
    return kamkit.value_score(archive, usable or None, missing="median")


def _last_full(stages: pd.DataFrame, panel: pd.DataFrame) -> Any:
    """The last period of ``stages`` that is not partial."""
    cols = list(stages.columns)
    last = getattr(panel, "attrs", {}).get("last_full_period")
    if last is not None and last in stages.columns:
        return last
    partial = bool(getattr(panel, "attrs", {}).get("partial", False))
    if partial and len(cols) > 1:
        return cols[-2]
    return cols[-1]


# --------------------------------------------------------------------------- sections


def _overview(s: dict[str, str], n: dict[str, Any]) -> str:
    first = pd.Timestamp(n["first"]).strftime("%Y-%m-%d")
    last = pd.Timestamp(n["last"]).strftime("%Y-%m-%d")
    cards = [
        (s["transactions"], f"{n['transactions']:,}"),
        (s["customers"], f"{n['customers']:,}"),
        (s["revenue"], _fmt_money(n["revenue"])),
        (s["period"], f"{first} – {last}"),
        (
            s["repeat"],
            f"{n['repeat_buyers']:,} ({n['repeat_buyers'] / max(1, n['customers']):.1%})",
        ),
        (s["avg_rev"], _fmt_money(n["revenue"] / max(1, n["customers"]))),
        (s["returns"], f"{n['return_rows']:,}"),
        (s["nonpos"], f"{n['nonpositive_customers']:,}"),
    ]
    html_cards = "".join(
        f'<div class="card"><div class="k">{_esc(k)}</div>'
        f'<div class="v{" small" if len(str(v)) > 14 else ""}">{_esc(v)}</div></div>'
        for k, v in cards
    )
    line = s["returns_line"].format(
        rows=f"{n['return_rows']:,}",
        amount=_fmt_money(n["return_amount"]),
        n_nonpos=f"{n['nonpositive_customers']:,}",
        nonpos_sum=_fmt_money(n["nonpositive_revenue"]),
    )
    policy = (
        f'<div class="policy" id="policy"><h3>{_esc(s["policy_title"])}</h3>'
        f"<p>{_esc(s['policy'])}</p><p>{_esc(line)}</p></div>"
    )
    return f'<div class="cards">{html_cards}</div>{policy}'


def _pyramid_section(
    s: dict[str, str], tiers: pd.Series, revenue: pd.Series, lang: str, numbers: dict, plt: Any
) -> str:
    from . import plotting

    cats = list(tiers.cat.categories)[::-1]  # top tier first
    grouped = revenue.groupby(tiers, observed=False)
    table = pd.DataFrame(
        {
            s["tier"]: [label(str(c), lang) for c in cats],
            s["n_customers"]: grouped.size().reindex(cats).to_numpy(),
            s["share_customers"]: (grouped.size() / len(tiers)).reindex(cats).to_numpy(),
            s["value"]: grouped.sum().reindex(cats).to_numpy(),
            s["share_value"]: (grouped.sum() / revenue.sum()).reindex(cats).to_numpy(),
        }
    )
    numbers["tiers"] = {
        str(c): {"customers": int(grouped.size()[c]), "revenue": float(grouped.sum()[c])}
        for c in cats
    }
    fig, ax = plt.subplots(figsize=(6.4, 3.4))
    plotting.pyramid(tiers, revenue, ax=ax, lang=lang)
    fmt = {
        s["n_customers"]: lambda v: f"{int(v):,}",
        s["share_customers"]: _fmt_pct,
        s["value"]: _fmt_money,
        s["share_value"]: _fmt_pct,
    }
    return (
        f"<p>{_esc(s['pyramid_text'])}</p>"
        f'<div class="grid">{_figure(fig, s["s2"])}<div>{_table(table, fmt)}</div></div>'
    )


def _lorenz_section(s: dict[str, str], conc: Any, lang: str, numbers: dict, plt: Any) -> str:
    from . import plotting

    gini = float(conc.gini)
    top20 = float(conc.top_share(0.2))
    pareto = float(conc.pareto_point(0.8))
    numbers.update(gini=gini, top20_share=top20, pareto_point=pareto)
    fig, ax = plt.subplots(figsize=(5.0, 4.2))
    plotting.lorenz(conc, ax=ax, lang=lang)
    verdict = s["verdict_yes"] if top20 >= 0.8 else s["verdict_no"].format(share=_fmt_pct(top20))
    rows = pd.DataFrame(
        {
            "k": [s["gini"], s["top20"], s["pareto"]],
            "v": [f"{gini:.3f}", _fmt_pct(top20), _fmt_pct(pareto)],
        }
    )
    body = "".join(
        f"<tr><td>{_esc(k)}</td><td class='n'>{_esc(v)}</td></tr>" for k, v in rows.values
    )
    return (
        f'<div class="grid">{_figure(fig, s["s3"])}<div><table><tbody>{body}</tbody></table>'
        f'<p class="verdict">{_esc(verdict)}</p></div></div>'
    )


def _rfm_section(
    s: dict[str, str], rfm: pd.DataFrame, revenue: pd.Series, lang: str, numbers: dict, plt: Any
) -> str:
    from . import plotting

    fig, ax = plt.subplots(figsize=(5.2, 4.2))
    plotting.rfm_heatmap(rfm, ax=ax, lang=lang)
    seg = rfm["segment"].astype(object)
    grouped = revenue.groupby(seg)
    table = pd.DataFrame(
        {
            s["n_customers"]: grouped.size(),
            s["share_customers"]: grouped.size() / len(seg),
            s["share_value"]: grouped.sum() / revenue.sum(),
            s["mean_value"]: grouped.mean(),
        }
    ).sort_values(s["n_customers"], ascending=False)
    numbers["segments"] = {str(k): int(v) for k, v in grouped.size().items()}
    table.insert(0, s["segment"], [label(str(i), lang) for i in table.index])
    table = table.reset_index(drop=True)
    fmt = {
        s["n_customers"]: lambda v: f"{int(v):,}",
        s["share_customers"]: _fmt_pct,
        s["share_value"]: _fmt_pct,
        s["mean_value"]: _fmt_money,
    }
    return (
        f"<p>{_esc(s['rfm_text'])}</p>"
        f'<div class="grid">{_figure(fig, s["s4"])}<div>{_table(table, fmt)}</div></div>'
    )


def _migration_section(
    s: dict[str, str], moves: Any, pword: str, window: int, lang: str, numbers: dict, plt: Any
) -> str:
    from . import plotting

    probs = moves.probabilities
    counts = moves.counts
    order = list(probs.index)[::-1] if _looks_low_first(probs.index) else list(probs.index)
    probs = probs.reindex(index=order, columns=order)
    counts = counts.reindex(index=order, columns=order).fillna(0)
    total = float(counts.to_numpy().sum())
    stay = float(np.trace(counts.to_numpy())) / total if total else float("nan")
    numbers.update(tier_stay=stay, tier_moves=int(total))
    fig, ax = plt.subplots(figsize=(5.4, 4.4))
    plotting.transition_heatmap(probs, ax=ax, lang=lang)
    c = counts.to_numpy(dtype=float)
    rows = c.sum(axis=1)
    with np.errstate(divide="ignore", invalid="ignore"):
        up = np.array([c[i, :i].sum() for i in range(len(c))]) / rows
        down = np.array([c[i, i + 1 :].sum() for i in range(len(c))]) / rows
        keep = np.diag(c) / rows
    table = pd.DataFrame(
        {
            s["tier"]: [label(str(t), lang) for t in order],
            s["moves"]: rows,
            s["up"]: up,
            s["keep"]: keep,
            s["down"]: down,
        }
    )
    fmt = {
        s["moves"]: lambda v: f"{int(v):,}",
        s["up"]: _fmt_pct,
        s["keep"]: _fmt_pct,
        s["down"]: _fmt_pct,
    }
    return (
        f"<p>{_esc(s['migration_text'].format(period=pword, window=window))}</p>"
        f'<div class="grid">{_figure(fig, s["s5"])}<div>{_table(table, fmt)}<table><tbody>'
        f"<tr><td>{_esc(s['stay'])}</td><td class='n'>{_esc(_fmt_pct(stay))}</td></tr>"
        f"</tbody></table></div></div>"
    )


def _looks_low_first(index: pd.Index) -> bool:
    names = [str(i) for i in index]
    return bool(names) and names[0] in ("small", "lead", "D", "小客户", "重铅客户")


def _lifecycle_section(
    s: dict[str, str],
    stages: pd.DataFrame,
    last: Any,
    pword: str,
    lang: str,
    numbers: dict,
    plt: Any,
) -> str:
    import kamkit

    from . import plotting

    fig, ax = plt.subplots(figsize=(7.0, 3.8))
    plotting.stage_flow(stages, ax=ax, lang=lang)
    counts = plotting.stage_counts(stages).loc[last]
    numbers["stages_last"] = {str(k): int(v) for k, v in counts.items()}
    numbers["stages_period"] = str(last)
    strategies = getattr(kamkit, "STAGE_STRATEGIES", None)
    if strategies is None and hasattr(kamkit, "stage_strategies"):
        strategies = kamkit.stage_strategies()
    table = pd.DataFrame(
        {
            s["stage"]: [label(str(k), lang) for k in counts.index],
            s["n_customers"]: counts.to_numpy(),
        }
    )
    if isinstance(strategies, pd.DataFrame) and "strategy" in strategies:
        texts = {str(k): str(v) for k, v in strategies["strategy"].items()}
        if lang == "zh":
            texts = {k: _STRATEGY_ZH.get(k, v) for k, v in texts.items()}
        table[s["strategy"]] = [texts.get(str(k), "") for k in counts.index]
    fmt = {s["n_customers"]: lambda v: f"{int(v):,}"}
    return (
        f"<p>{_esc(s['lifecycle_text'].format(period=pword))} {_esc(last)}</p>"
        f'<div class="grid wide">{_figure(fig, s["s6"])}<div>{_table(table, fmt)}</div></div>'
    )


def _warning_section(s: dict[str, str], warnings: pd.DataFrame, lang: str, numbers: dict) -> str:
    k = 15
    n = len(warnings)
    var_col = next((c for c in warnings.columns if "value_at_risk" in str(c)), None)
    total = float(warnings[var_col].sum()) if var_col is not None and n else 0.0
    numbers.update(warnings=n, value_at_risk=total)
    if n == 0:
        return f"<p>{_esc(s['no_warn'])}</p>"
    top = warnings.head(k).copy()
    reason_col = next((c for c in warnings.columns if "reason" in str(c)), None)
    table = pd.DataFrame({s["customer"]: [str(i) for i in top.index]})
    if reason_col is not None:
        sep = "、" if lang == "zh" else ", "
        table[s["reasons"]] = [
            sep.join(
                name(str(code).strip(), lang)
                for code in (r if isinstance(r, (list, tuple, set)) else str(r).split(","))
            )
            for r in top[reason_col]
        ]
    if var_col is not None:
        table[s["value_at_risk"]] = top[var_col].to_numpy()
    fmt = {s["value_at_risk"]: _fmt_money}
    text = s["warn_text"].format(n=f"{n:,}", value=_fmt_money(total), k=min(k, n))
    return f'<p>{_esc(text)}</p><div class="scroll">{_table(table, fmt)}</div>'


def _clv_section(
    s: dict[str, str],
    values: pd.DataFrame,
    bgf: Any,
    horizon: float,
    rate: float,
    lang: str,
    numbers: dict,
    plt: Any,
) -> str:
    from .plotting import TIER_COLORS, _style

    clv = values["clv"]
    total = float(clv.sum())
    median = float(clv.median())
    numbers.update(clv_total=total, clv_median=median)
    fig, ax = plt.subplots(figsize=(6.0, 3.6))
    ax.hist(clv, bins=40, color=TIER_COLORS[2])
    ax.set_xlabel(s["hist_x"])
    ax.set_ylabel(s["hist_y"])
    ax.set_yscale("log")
    _style(ax)
    top = values.sort_values("clv", ascending=False).head(10)
    table = pd.DataFrame(
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
        s["exp_spend"]: _fmt_money,
        s["clv"]: _fmt_money,
    }
    params = getattr(bgf, "params_", None)
    ptext = ""
    if params is not None:
        items = params.items() if hasattr(params, "items") else enumerate(params)
        ptext = ", ".join(f"{k} = {float(v):.3g}" for k, v in items)
        ptext = f'<p class="muted">{_esc(s["clv_fit"])} ({_esc(s["weeks"])}): {_esc(ptext)}</p>'
    text = s["clv_text"].format(
        h=f"{horizon:g}", d=_fmt_pct(rate), total=_fmt_money(total), median=_fmt_money(median)
    )
    return (
        f"<p>{_esc(text)}</p>{ptext}"
        f'<div class="grid">{_figure(fig, s["s8"])}<div><h3>{_esc(s["top_clv"])}</h3>'
        f"{_table(table, fmt)}</div></div>"
    )


def _policy_section(s: dict[str, str], tiers: pd.Series | None, lang: str, numbers: dict) -> str:
    import kamkit

    policies = kamkit.service_policies(labels="zh" if lang == "zh" else "vip")
    rows = {}
    if tiers is not None:
        counts = translate_values(tiers, lang).value_counts()
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
    return f"<p>{_esc(s['policy_table_text'])}</p><div class='scroll'>{_table(frame)}</div>"


def _document(
    s: dict[str, str],
    sections: list[_Section],
    title: str | None,
    source: str | None,
    numbers: dict[str, Any],
    lang: str,
) -> str:
    from . import __version__

    heading = title or s["title"]
    end = numbers.get("observation_end")
    meta = []
    if source:
        meta.append(f"{s['source']}: {source}")
    if end is not None:
        meta.append(f"{s['generated']}: {pd.Timestamp(end):%Y-%m-%d}")
    body = "".join(
        f'<section id="{sec.key}"><h2>{_esc(s[sec.key])}</h2>{sec.body}</section>'
        for sec in sections
    )
    return (
        f'<!DOCTYPE html><html lang="{"zh-CN" if lang == "zh" else "en"}"><head>'
        '<meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{_esc(heading)}</title><style>{_CSS}</style></head><body>"
        f'<header><div class="inner"><h1>{_esc(heading)}</h1>'
        f"<p>{_esc(s['subtitle'].format(version=__version__))}</p>"
        f"<p>{_esc(' · '.join(meta))}</p></div></header>"
        f"<main>{body}<footer>{_esc(s['footer'].format(version=__version__))}</footer></main>"
        "</body></html>"
    )
