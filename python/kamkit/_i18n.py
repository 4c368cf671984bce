"""Labels in English and Chinese for the command line, the report and the plots."""

from __future__ import annotations

from typing import Any

__all__ = ["LANGS", "label", "name", "translate_values"]

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
