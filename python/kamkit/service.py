"""Key-account service (大客户服务).

Account managers for the tiers and the differentiated service policy of
each tier.
"""

from __future__ import annotations

import warnings
from collections.abc import Hashable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, cast

import numpy as np
import pandas as pd

from ._deprecation import renamed
from ._native import core as _core
from ._validation import as_series, check_columns, check_frame, numeric_column
from .tiering import LABEL_SETS, resolve_labels

__all__ = ["Assignment", "assign_managers", "attach_policies", "service_policies"]


@dataclass
class Assignment:
    """Result of :func:`assign_managers`; unpacks as ``assignment, loads``.

    Attributes
    ----------
    assignment : DataFrame
        Per customer: ``manager``, ``dedicated`` (a key account with a manager
        of its own) and ``workload``; aligned with the customers.
    loads : DataFrame
        Per manager: ``customers``, ``load`` and ``dedicated``.
    pooled_max_load : float
        Largest load among the pooled managers (0 without a pool).
    pooled_lower_bound : float
        max(largest pooled workload, pooled total / pooled managers): no
        assignment can do better, so ``pooled_max_load / pooled_lower_bound``
        bounds the distance to the optimum from above.

    Examples
    --------
    >>> import kamkit
    >>> log = kamkit.datasets.load_cdnow_sample()
    >>> archive = kamkit.summarize(log, amount="amount")
    >>> archive["tier"] = kamkit.pyramid(archive["revenue"])
    >>> assignment, loads = kamkit.assign_managers(archive, managers=150)
    >>> int(loads["customers"].sum())
    2357
    """

    assignment: pd.DataFrame
    loads: pd.DataFrame
    pooled_max_load: float
    pooled_lower_bound: float

    def __iter__(self) -> Iterator[pd.DataFrame]:
        return iter((self.assignment, self.loads))


def _workload(customers: pd.DataFrame, tier: pd.Series, workload: Any) -> np.ndarray:
    n = len(customers)
    if workload is None:
        return np.ones(n)
    if isinstance(workload, str):
        check_columns(customers, [workload])
        arr = numeric_column(customers[workload], column=workload)
    elif isinstance(workload, pd.Series):
        if not workload.index.equals(customers.index):
            raise ValueError("workload: the Series must be indexed like customers")
        arr = numeric_column(workload, column="workload")
    elif isinstance(workload, Mapping):
        m = tier.astype(object).map(dict(workload))
        lacking = m.isna()
        if lacking.any():
            tiers = sorted({str(t) for t in tier[lacking].astype(object).unique()})
            raise ValueError(
                f"workload: no workload for tier(s) {tiers} ({int(lacking.sum())} customers); "
                "give every tier a workload"
            )
        arr = numeric_column(m.astype(float), column="workload")
    elif isinstance(workload, (int, float, np.number)) and not isinstance(workload, bool):
        arr = np.full(n, float(workload))
    else:
        raise TypeError(
            "workload: expected a column name, a Series, a mapping tier -> workload or a "
            f"number, found {type(workload).__name__}"
        )
    neg = int((arr < 0).sum())
    if neg:
        raise ValueError(f"workload: found {neg} negative workloads; workloads must be >= 0")
    return np.ascontiguousarray(arr, dtype=np.float64)


@renamed(customers="archive")
def assign_managers(
    archive: pd.DataFrame,
    tier: str | pd.Series = "tier",
    workload: str | pd.Series | Mapping[Hashable, float] | float | None = None,
    managers: int | Sequence[Hashable] = 10,
    dedicated: Sequence[Hashable] = ("VIP", "major"),
) -> Assignment:
    """Give every key account a manager of its own and pool the rest.

    Each customer of a ``dedicated`` tier gets one manager (one manager, one
    key account), in the order of the customers. The other customers are
    spread over the remaining managers by longest processing time first
    (LPT, Graham 1969): customers in decreasing order of workload, each to the
    manager with the smallest load so far. The largest pooled load is at most
    (4/3 - 1/(3m)) times the smallest possible one, for m pooled managers.

    Parameters
    ----------
    archive : DataFrame
        One row per customer.
    tier : str or Series, default "tier"
        Column (or Series aligned with customers) of tiers, e.g. from :func:`pyramid`.
    workload : str, Series, mapping, float or None
        Hours (or any unit) a customer takes: a column, a Series, a mapping
        tier -> workload, one number for all, or None (1 each).
    managers : int or sequence, default 10
        Number of managers (named "AM01", "AM02", ...) or their distinct names.
    dedicated : sequence, default ("VIP", "major")
        Tiers whose customers get a dedicated manager.

    Returns
    -------
    Assignment
        ``assignment`` (manager per customer) and ``loads`` (per manager);
        ``assignment, loads = assign_managers(...)`` works too.

    Raises
    ------
    ValueError
        When there are fewer managers than key accounts (or none left for the
        pool), a dedicated tier is not among the tier's categories, or on bad
        workloads.

    Examples
    --------
    >>> import pandas as pd, kamkit
    >>> c = pd.DataFrame({"tier": ["VIP", "small", "small", "small"],
    ...                   "hours": [40.0, 3.0, 2.0, 2.0]})
    >>> a, loads = kamkit.assign_managers(c, workload="hours", managers=3)
    >>> loads["load"].tolist()
    [40.0, 3.0, 4.0]
    """
    check_frame(archive, "archive")
    if isinstance(tier, str):
        check_columns(archive, [tier])
        t = archive[tier]
    else:
        t = as_series(tier, "tier")
        if not t.index.equals(archive.index):
            raise ValueError("tier: the Series must be indexed like the archive")
    nmiss = int(t.isna().sum())
    if nmiss:
        raise ValueError(f"tier: {nmiss} customers have no tier; tier them first")
    dedicated = list(dedicated)
    # The tiers of the table: a categorical's categories, else the values found
    # (plain strings get the same check, so a misspelt tier cannot pool everyone).
    if isinstance(t.dtype, pd.CategoricalDtype):
        known = list(t.cat.categories)
        unknown = [d for d in dedicated if d not in known]
    else:
        # Plain values cannot tell a tier nobody is in from a misspelt one:
        # when none of the dedicated tiers appears, say so before pooling everyone.
        known = list(pd.unique(t.to_numpy()))
        unknown = []
        if dedicated and not any(d in known for d in dedicated):
            warnings.warn(
                f"dedicated: none of the tiers {dedicated} appears in the tier column (its "
                f"values: {known[:20]}), so all {len(t)} customers are pooled; pass dedicated= "
                "with the key-account tiers if they have other names",
                UserWarning,
                stacklevel=2,
            )
    if unknown:
        shown = known[:20]
        raise ValueError(
            f"dedicated: tier(s) {unknown} are not tiers of this table ({shown}); pass "
            "dedicated= with its key-account tiers"
        )
    if isinstance(managers, (int, np.integer)) and not isinstance(managers, bool):
        if managers < 1:
            raise ValueError(f"managers: expected at least 1 manager, found {managers}")
        width = max(2, len(str(int(managers))))
        names: list[Hashable] = [f"AM{i + 1:0{width}d}" for i in range(int(managers))]
    else:
        names = list(cast(Sequence[Hashable], managers))
        if not names or len(set(names)) != len(names):
            raise ValueError("managers: expected a non-empty list of distinct names")
    work = _workload(archive, t, workload)
    key = t.isin(dedicated).to_numpy()
    n_key = int(key.sum())
    n_pool = len(key) - n_key
    m = len(names)
    if n_key > m:
        raise ValueError(
            f"managers: {n_key} key accounts in tiers {dedicated} need a dedicated manager "
            f"each, but only {m} managers were given; add {n_key - m} managers or narrow "
            "`dedicated`"
        )
    m_pool = m - n_key
    if n_pool and m_pool == 0:
        raise ValueError(
            f"managers: all {m} managers serve key accounts and none is left for the "
            f"{n_pool} other customers; add managers"
        )
    manager = np.empty(len(key), dtype=np.int64)
    manager[np.flatnonzero(key)] = np.arange(n_key)
    pool_idx = np.flatnonzero(~key)
    pooled_max = bound = 0.0
    pool_load = np.zeros(m_pool)
    if n_pool:
        pw = np.ascontiguousarray(work[pool_idx])
        who, pool_load = _core.lpt_schedule(pw, int(m_pool))
        manager[pool_idx] = n_key + who.astype(np.int64)
        pooled_max = float(pool_load.max())
        bound = float(max(pw.max(), pw.sum() / m_pool))
    name_arr = np.asarray(names, dtype=object)
    assignment = pd.DataFrame(
        {"manager": name_arr[manager], "dedicated": key, "workload": work},
        index=archive.index,
    )
    counts = np.bincount(manager, minlength=m)
    load = np.concatenate([work[key], pool_load]) if n_key else np.asarray(pool_load)
    if len(load) < m:  # managers left over when nobody is pooled
        load = np.concatenate([load, np.zeros(m - len(load))])
    loads = pd.DataFrame(
        {"customers": counts, "load": load, "dedicated": np.arange(m) < n_key},
        index=pd.Index(names, name="manager"),
    )
    return Assignment(assignment, loads, pooled_max, bound)


# ---------------------------------------------------------------- policies

_POLICY_COLUMNS = [
    "service_level",
    "priority",
    "dedicated_team",
    "visit_frequency",
    "review_frequency",
    "discount_cap",
    "delivery",
    "credit_allowed",
    "payment_days",
    "risk_policy",
    "pricing",
    "care_actions",
    "club_card",
]

# Top tier first; one row per tier position.
_POLICIES_EN = [
    [
        "exclusive: dedicated key-account team, senior management sponsor",
        1,
        True,
        "weekly",
        "monthly account review",
        0.15,
        "priority, same-day or on-site",
        True,
        90,
        "relationship-based limit, reviewed quarterly",
        "negotiated contract price, volume rebates",
        "birthday greetings; new-product previews; customer club; executive seminars",
        "platinum card: VIP lounge, personal concierge",
    ],
    [
        "premium: named account manager and support team",
        2,
        True,
        "monthly",
        "quarterly review",
        0.10,
        "priority, next-day",
        True,
        60,
        "limit by credit rating, reviewed half-yearly",
        "tiered price list, volume discounts",
        "birthday greetings; new-product previews; customer club; seminars",
        "gold card: priority service, member events",
    ],
    [
        "standard: pooled account managers",
        3,
        False,
        "quarterly",
        "half-yearly review",
        0.05,
        "standard",
        True,
        30,
        "standard limit, automatic checks",
        "list price, promotions",
        "birthday greetings; newsletters; seminars by invitation",
        "silver card: member offers",
    ],
    [
        "basic: self-service and call centre",
        4,
        False,
        "on request",
        "yearly review",
        0.0,
        "standard, minimum order",
        False,
        0,
        "cash or prepayment; no credit",
        "list price",
        "newsletters",
        "basic card: points only",
    ],
]

_POLICIES_ZH = [
    [
        "专属服务：大客户团队专门负责，高层领导挂钩",
        1,
        True,
        "每周拜访",
        "每月业务回顾",
        0.15,
        "优先发货，当日或上门送达",
        True,
        90,
        "按合作关系授信，每季度复核",
        "合同协议价，数量返利",
        "生日祝福；新品优先体验；客户俱乐部；高层研讨会",
        "铂金卡：贵宾室、专属顾问",
    ],
    [
        "优质服务：指定客户经理和支持团队",
        2,
        True,
        "每月拜访",
        "每季度回顾",
        0.10,
        "优先发货，次日送达",
        True,
        60,
        "按信用等级授信，每半年复核",
        "分级价目表，数量折扣",
        "生日祝福；新品优先体验；客户俱乐部；研讨会",
        "金卡：优先服务、会员活动",
    ],
    [
        "标准服务：客户经理共同负责",
        3,
        False,
        "每季度拜访",
        "每半年回顾",
        0.05,
        "标准发货",
        True,
        30,
        "标准额度，自动审核",
        "目录价，促销",
        "生日祝福；客户通讯；受邀参加研讨会",
        "银卡：会员优惠",
    ],
    [
        "基础服务：自助和呼叫中心",
        4,
        False,
        "按需",
        "每年回顾",
        0.0,
        "标准发货，最低订货量",
        False,
        0,
        "现款或预付，不授信",
        "目录价",
        "客户通讯",
        "普通卡：仅积分",
    ],
]


def service_policies(
    labels: str | Sequence[Hashable] = "vip", language: str | None = None
) -> pd.DataFrame:
    """Differentiated treatment per tier, as an editable table.

    Dimensions: service level and priority (with a dedicated team for key
    accounts), visit and review frequency, sales terms (discount cap,
    delivery), financing and credit terms (credit allowed, payment days),
    risk policy and pricing, and care actions (birthday greetings,
    new-product previews, the customer club, seminars) with VIP-club services
    by card level.

    Parameters
    ----------
    labels : str or sequence, default "vip"
        Four tier labels (a label set or a list), top tier first.
    language : {"en", "zh"}, optional
        Language of the texts; default "zh" for the "zh" and "zh-metal" sets,
        "en" otherwise.

    Returns
    -------
    DataFrame
        One row per tier, top tier first, indexed by an ordered
        CategoricalIndex ``tier`` (lowest tier first, like :func:`pyramid`),
        so ``tiers.to_frame("tier").join(policies, on="tier")`` puts the
        policies on the customers (see :func:`attach_policies`). A fresh copy
        on every call: edit it freely.

    Raises
    ------
    ValueError
        Unless there are exactly four labels, or on an unknown language.

    Examples
    --------
    >>> import kamkit
    >>> kamkit.service_policies("zh").loc["VIP客户", "payment_days"]
    np.int64(90)
    """
    if language is None:
        language = "zh" if isinstance(labels, str) and labels.startswith("zh") else "en"
    if language not in ("en", "zh"):
        raise ValueError(f"language: expected 'en' or 'zh', found {language!r}")
    labs = resolve_labels(labels)
    if len(labs) != 4:
        raise ValueError(
            f"labels: the policy table has four tiers, found {len(labs)} labels {labs}; "
            "edit the returned table for other tier counts"
        )
    rows = _POLICIES_ZH if language == "zh" else _POLICIES_EN
    out = pd.DataFrame([list(r) for r in rows], columns=_POLICY_COLUMNS)
    out.index = pd.CategoricalIndex(labs, categories=labs[::-1], ordered=True, name="tier")
    return out


def attach_policies(tiers: pd.Series, policies: pd.DataFrame | None = None) -> pd.DataFrame:
    """Join the policy of each customer's tier onto the customers.

    Parameters
    ----------
    tiers : Series
        Tier per customer (e.g. from :func:`pyramid`).
    policies : DataFrame, optional
        Indexed by tier (default: ``service_policies`` of the tiers'
        categories when they are a registered four-tier set, top first).

    Returns
    -------
    DataFrame
        ``tier`` and the policy columns, aligned with ``tiers``.

    Raises
    ------
    ValueError
        When some tier has no policy row.

    Examples
    --------
    >>> import pandas as pd, kamkit
    >>> t = kamkit.pyramid(pd.Series(range(100), dtype=float))
    >>> kamkit.attach_policies(t)["payment_days"].value_counts().sort_index().tolist()
    [80, 15, 4, 1]
    """
    t = as_series(tiers, "tiers")
    if policies is None:
        if isinstance(t.dtype, pd.CategoricalDtype):
            labs = list(t.cat.categories)[::-1]
        else:
            labs = list(pd.unique(t.dropna()))
        policies = service_policies(
            labs, "zh" if labs in [list(LABEL_SETS["zh"]), list(LABEL_SETS["zh-metal"])] else "en"
        )
    lacking = sorted({str(v) for v in t.dropna().unique() if v not in set(policies.index)})
    if lacking:
        raise ValueError(
            f"policies: no row for tier(s) {lacking}; add rows for them to the policy table"
        )
    pol = policies.copy()
    pol.index = pd.Index(pol.index.astype(object), name="tier")
    frame = pd.DataFrame({"tier": t})
    key = t.astype(object)
    joined = pol.reindex(key.to_numpy())
    joined.index = t.index
    return pd.concat([frame, joined], axis=1)
