"""Labels in English and Chinese for the command line, the report and the plots."""

from __future__ import annotations

from typing import Any

__all__ = ["LANGS", "label", "translate_values"]

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
