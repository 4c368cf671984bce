"""Labels in English and Chinese for the command line, the report and the plots."""

from __future__ import annotations

from typing import Any

__all__ = [
    "LANGS",
    "column_name",
    "label",
    "message",
    "name",
    "stage_strategy",
    "translate_values",
]

LANGS = ("en", "zh")

# Terms of key-account management, in English and in the Chinese of the textbooks.
_ZH: dict[str, str] = {
    # tiers
    "VIP": "VIP客户",
    "major": "主要客户",
    "ordinary": "普通客户",
    "small": "小客户",
    "platinum": "铂金客户",
    "gold": "黄金客户",
    "iron": "钢铁客户",
    "lead": "重铅客户",
    # lifecycle stages
    "identification": "识别期",
    "development": "发展期",
    "stable": "稳定期",
    "decline": "衰退期",
    "churned": "流失",
    "reactivated": "回流",
    # RFM segments
    "champions": "重要价值客户",
    "loyal": "忠诚客户",
    "potential loyalist": "潜在忠诚客户",
    "new": "新客户",
    "promising": "有潜力客户",
    "need attention": "需要关注",
    "about to sleep": "即将沉睡",
    "at risk": "有流失风险",
    "can't lose": "不能失去",
    "hibernating": "休眠客户",
    "lost": "已流失",
}

# The textbook strategy of each lifecycle stage, in Chinese (English in
# kamkit.stage_strategies).
_STRATEGY_ZH: dict[str, str] = {
    "identification": "建立信任",
    "development": "提高客户满意度",
    "stable": "建立退出壁垒，降低交易成本",
    "decline": "挽回或终止关系，做好预警",
    "churned": "分析流失原因，择机挽回",
    "reactivated": "重新建立信任",
}


# Readable names of table columns and codes (English, Chinese).
_NAMES: dict[str, tuple[str, str]] = {
    # service policy dimensions
    "service_level": ("Service level", "服务等级"),
    "priority": ("Priority", "优先级"),
    "dedicated_team": ("Dedicated team", "专属团队"),
    "visit_frequency": ("Visits", "拜访频率"),
    "review_frequency": ("Reviews", "业务回顾"),
    "discount_cap": ("Discount cap", "折扣上限"),
    "delivery": ("Delivery", "交货"),
    "credit_allowed": ("Credit allowed", "允许赊销"),
    "payment_days": ("Payment days", "账期（天）"),
    "risk_policy": ("Risk policy", "风险政策"),
    "pricing": ("Pricing", "定价"),
    "care_actions": ("Care actions", "关怀活动"),
    "club_card": ("Club card", "会员卡"),
    # early-warning reasons
    "moved_to_decline": ("moved into decline", "进入衰退期"),
    "tier_drop": ("dropped a tier", "层级下降"),
    "long_silence": ("long silence", "长期未购买"),
    "revenue_drop": ("revenue drop", "收入下降"),
    "major_slowing": ("major customer slowing", "大客户采购放缓"),
    "overdue": ("overdue receivables", "应收账款逾期"),
    "low_p_alive": ("low P(alive)", "存活概率低"),
    "rare_buyer": ("buys less than once per horizon", "购买间隔长于预警期"),
    "spend_peak": ("spend peak likely to fall back", "近期消费异常偏高"),
    "declining_pattern": ("history like customers who declined", "同类客户多已衰退"),
    "yes": ("yes", "是"),
    "no": ("no", "否"),
}


def name(key: str, lang: str = "en") -> str:
    """A readable name of a column or code in ``lang`` (the key itself when unknown)."""
    pair = _NAMES.get(key)
    if pair is None:
        return key
    return pair[1] if lang == "zh" else pair[0]


def label(key: str, lang: str = "en") -> str:
    """The label of a term (a tier, stage or segment name) in ``lang``."""
    if lang == "zh":
        return _ZH.get(key, key)
    return key


def stage_strategy(stage: str, english: str, lang: str = "en") -> str:
    """The strategy of a lifecycle stage in ``lang`` (``english`` for "en")."""
    if lang == "zh":
        return _STRATEGY_ZH.get(stage, english)
    return english


def translate_values(values: Any, lang: str) -> Any:
    """Map a Series of terms (categorical or not) to ``lang``; unknown terms stay."""
    if lang != "zh":
        return values
    import pandas as pd

    if isinstance(values.dtype, pd.CategoricalDtype):
        cats = values.cat.categories
        new = [label(str(c), lang) for c in cats]
        if len(set(new)) == len(new):
            return values.cat.rename_categories(new)
        return values.astype(object).map(lambda v: v if pd.isna(v) else label(str(v), lang))
    return values.map(lambda v: v if pd.isna(v) else label(str(v), lang))


# Chinese names of the columns kamkit writes to files.
_COLUMNS_ZH: dict[str, str] = {
    "customer_id": "客户编号",
    "frequency": "重复购买次数",
    "recency_days": "首末购买间隔（天）",
    "recency_weeks": "首末购买间隔（周）",
    "T_days": "客户年龄（天）",
    "T_weeks": "客户年龄（周）",
    "monetary_value": "平均重复购买金额",
    "first_purchase": "首次购买日期",
    "last_purchase": "最近购买日期",
    "n_transactions": "交易笔数",
    "returns_only": "仅有退货",
    "revenue": "净收入",
    "margin": "毛利",
    "margin_rate": "毛利率",
    "avg_period_revenue": "每期平均收入",
    "growth": "增长率",
    "value_score": "价值评分",
    "tier": "客户层级",
    "R": "R",
    "F": "F",
    "M": "M",
    "rfm": "RFM代码",
    "segment": "RFM细分",
    "stage": "生命周期阶段",
    "stage_reason": "阶段说明",
    "p_alive": "存活概率",
    "p_alive_note": "存活概率说明",
    "expected_purchases": "预期购买次数",
    "expected_spend": "预期单次消费",
    "clv": "客户终身价值",
    "upgrade_candidate": "升级候选",
    "phase_out_candidate": "淘汰候选",
    "moved_to_decline": "进入衰退期",
    "tier_drop": "层级下降",
    "long_silence": "长期未购买",
    "revenue_drop": "收入下降",
    "major_slowing": "大客户采购放缓",
    "overdue": "应收账款逾期",
    "low_p_alive": "存活概率低",
    "reasons": "预警原因",
    "n_reasons": "原因数",
    "value_at_risk": "风险价值",
    "rank": "排名",
}
_PERIOD_ZH = {"d": "天", "w": "周", "m": "个月", "q": "个季度", "y": "年"}


def column_name(key: str, lang: str = "en") -> str:
    """The name of an output column in ``lang`` (the key itself when unknown).

    ``tier_12m`` (a tier over the last 12 months; also ``w``, ``q``, ``y``,
    ``d``) becomes 近12个月层级 in Chinese.

    Examples
    --------
    >>> from kamkit._i18n import column_name
    >>> column_name("T_days", "zh"), column_name("tier_12m", "zh")
    ('客户年龄（天）', '近12个月层级')
    """
    if lang != "zh":
        return key
    if key in _COLUMNS_ZH:
        return _COLUMNS_ZH[key]
    import re

    match = re.fullmatch(r"tier_(\d+)([dwmqy])", key)
    if match:
        return f"近{match.group(1)}{_PERIOD_ZH[match.group(2)]}层级"
    return key


# Sentences of the command line's console output (English, Chinese).
_MESSAGES: dict[str, tuple[str, str]] = {
    "wrote_archive": ("the customer archive", "客户档案"),
    "wrote_tiers": ("value scores, tiers and RFM segments", "价值评分、客户层级和 RFM 细分"),
    "wrote_stages": ("lifecycle stages", "生命周期阶段"),
    "wrote_tier_history": ("tiers per period", "各期客户层级"),
    "wrote_transitions": ("stage transitions", "阶段转移"),
    "wrote_warnings": ("early warnings", "预警名单"),
    "wrote_clv": ("lifetime values", "客户终身价值"),
    "wrote_report": ("the report", "报告"),
    "standard output": ("standard output", "标准输出"),
    "demo_title": (
        "kamkit demo: the CDNOW sample (Bruce Hardie's 1/10th sample of CDNOW's 1997 cohort)",
        "kamkit 演示：CDNOW 样本（Bruce Hardie 从 CDNOW 1997 年客户群抽取的 1/10 样本）",
    ),
    "demo_purchases": (
        "  {transactions} purchases by {customers} customers, {first} .. {last}, revenue {revenue}",
        "  {customers} 位客户共 {transactions} 笔交易，{first} 至 {last}，收入 {revenue}",
    ),
    "demo_concentration": (
        "  concentration: Gini {gini}; the top 20% of customers bring {top20} of revenue; "
        "80% of revenue comes from {pareto} of customers",
        "  集中度：基尼系数 {gini}；前 20% 的客户贡献 {top20} 的收入；80% 的收入来自 {pareto} 的客户",
    ),
    "demo_pyramid": ("  customer pyramid: {parts}", "  客户金字塔：{parts}"),
    "demo_warning": (
        "  early warning: {warnings} customers on the work list, {value} of expected lost "
        "revenue over 90 days",
        "  预警：名单上 {warnings} 位客户，未来 90 天预计损失收入 {value}",
    ),
    "demo_clv": (
        "  12-month lifetime value (BG/NBD + Gamma-Gamma): {clv}",
        "  未来 12 个月客户终身价值（BG/NBD + Gamma-Gamma）：{clv}",
    ),
    "summary_line": (
        "{rows} input rows, {customers} customers; wrote {what} to {where}",
        "输入 {rows} 行，客户 {customers} 位；{what}已写入 {where}",
    ),
}


def message(key: str, lang: str = "en") -> str:
    """A console sentence or phrase of the command line in ``lang`` (the key when unknown)."""
    pair = _MESSAGES.get(key)
    if pair is None:
        return key
    return pair[1] if lang == "zh" else pair[0]
