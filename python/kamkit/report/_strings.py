"""The report's words in English and Chinese; section titles carry no numbers."""

from __future__ import annotations

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
    "with) takes the median of the other customers; a factor no customer has is left out. "
    "The value score is a percentile among the customers: 50 is the median customer, 100 the "
    "best."
)

STRINGS: dict[str, dict[str, str]] = {
    "en": {
        "title": "Customer value report",
        "subtitle": "Key-account management analytics with kamkit {version}",
        "source": "Data",
        "generated": "Observation end",
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
        "rfm_text": "R, F and M are scored 1–5 (5 best) in groups as equal in size as ties allow: "
        "equal values share a score and every score is used; the map counts customers "
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
        "warn_text": "The work list holds {n} customers (the fifth of those who bought in the "
        "last {h} days most likely to halve their spend over the next {h} days), with {value} "
        "of expected lost revenue. In warnings.csv, tier is the tier over the whole history, as "
        "in tiers.csv, and {recent} the tier over the last {window} {period}s. The {k} with the "
        "largest "
        "expected loss:",
        "expected_loss": "Expected loss",
        "p_decline": "P(decline)",
        "bt_text": "Replayed on the log's own history: at {cut} kamkit saw only the data up to "
        "that day and drew up the list; the {h} days after it show what happened. Of {n} "
        "active customers, {base} declined. The list of {size} caught {prec} decliners "
        "(lift {lift} over the base rate) and {cap} of the revenue lost; the same number of "
        "longest-silent customers: {sprec} and {scap}. AUC of P(decline): {auc}.",
        "bt_list": "List",
        "bt_precision": "Precision",
        "bt_lift": "Lift",
        "bt_captured": "Lost revenue captured",
        "bt_ours": "Early-warning list",
        "bt_silent": "Longest silent",
        "bt_x": "Predicted P(decline), decile mean",
        "bt_y": "Share that declined",
        "bt_short": "The log is too short to replay: {error}",
        "no_warn": "No customer raises a warning.",
        "customer": "Customer",
        "reasons": "Reasons",
        "clv_text": "{model} for purchases (of BG/NBD, MBG/NBD and Pareto/NBD, the one that "
        "forecast the last 91 days best from the data before them) and Gamma-Gamma for spend, "
        "fitted on this log; "
        "lifetime value over the next {h} months at {d} per month. Total: {total}; median "
        "customer: {median}.",
        "clv_bgnbd_note": "P(alive) is BG/NBD's: the model lets a customer drop out only "
        "right after a repeat purchase, so a one-time buyer has P(alive) = 1 however long "
        "their silence. The lifecycle stage reads that silence directly, which is why a "
        "one-time buyer can be 'churned' next to P(alive) = 1; for them, trust the stage.",
        "clv_fit": "{model} parameters",
        "p_alive": "P(alive)",
        "p_alive_one_time": "BG/NBD gives every one-time buyer P(alive) = 1; read the stage",
        "p_alive_repeat": "BG/NBD",
        "exp_purchases": "Expected purchases",
        "exp_spend": "Expected spend",
        "clv": "CLV",
        "top_clv": "Top customers by lifetime value",
        "policy_table_text": "The differentiated treatment per tier, joined with this log's "
        "tier sizes.",
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
        "policy_title": "退货与净收入为零或为负的客户",
        "policy": "退货是金额为负的交易行，计入客户的净收入。净收入为零或为负的客户保留在所有统计中："
        "他们在客户金字塔中排在最底层；在洛伦兹曲线和基尼系数中按零价值计算（负值截为零）。"
        "消费模型（Gamma-Gamma）只用平均消费为正的重复购买客户拟合；其他客户按模型的总体平均单次消费，"
        "乘以 BG/NBD 模型预期的购买次数来估值。价值评分中，客户缺少的因素（例如没有可比较的上一期、"
        "无法计算的增长率）取其他客户的中位数；所有客户都缺少的因素不参与评分。"
        "价值评分是客户中的百分位：50 为中位客户，100 为最好的客户。",
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
        "rfm_text": "R、F、M 按人数尽量均等的分组打分（1–5，5 最好）：相同数值得分相同，"
        "每个分数都有客户；热力图按 R 与 F 统计客户数，表格列出各细分。",
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
        "warn_text": "预警名单共 {n} 位客户（最近 {h} 天有购买的客户中，未来 {h} 天消费最可能减半的前五分之一），"
        "预计损失收入 {value}。warnings.csv 中的层级与 tiers.csv 相同，按全部历史计算；"
        "“{recent}”是最近 {window} 个{period}的层级。预计损失最大的 {k} 位：",
        "expected_loss": "预计损失",
        "p_decline": "衰退概率",
        "bt_text": "用本数据自身的历史回放：在 {cut}，kamkit 只看当天及以前的数据并列出名单；之后 {h} 天的数据"
        "说明实际发生了什么。{n} 位活跃客户中有 {base} 消费减半。名单上的 {size} 位客户中 {prec} 确实减半"
        "（相对基准提升 {lift} 倍），覆盖了 {cap} 的流失收入；同样人数的最久未购买客户：{sprec} 与 {scap}。"
        "衰退概率的 AUC：{auc}。",
        "bt_list": "名单",
        "bt_precision": "命中率",
        "bt_lift": "提升倍数",
        "bt_captured": "覆盖的流失收入",
        "bt_ours": "预警名单",
        "bt_silent": "最久未购买",
        "bt_x": "预测衰退概率（十分位均值）",
        "bt_y": "实际减半的比例",
        "bt_short": "数据太短，无法回放：{error}",
        "no_warn": "没有客户触发预警。",
        "customer": "客户",
        "reasons": "预警原因",
        "clv_text": "用 {model} 模型预测购买次数（在 BG/NBD、MBG/NBD 与 Pareto/NBD 中，"
        "用之前的数据预测最近 91 天最准的一个）、Gamma-Gamma 模型预测消费金额，"
        "计算未来 {h} 个月的终身价值（月折现率 {d}）。合计 {total}；客户中位数 {median}。",
        "clv_bgnbd_note": "存活概率来自 BG/NBD 模型：该模型只允许客户在一次重复购买之后流失，"
        "因此只购买过一次的客户无论沉默多久存活概率都是 1。生命周期阶段直接依据沉默时长，所以一次性"
        "客户可能既是“流失”又有存活概率 1；对这些客户请以阶段为准。",
        "clv_fit": "{model} 参数",
        "p_alive": "存活概率",
        "p_alive_one_time": "BG/NBD 模型中一次性客户的存活概率总是 1；请以生命周期阶段为准",
        "p_alive_repeat": "BG/NBD",
        "exp_purchases": "预期购买次数",
        "exp_spend": "预期单次消费",
        "clv": "终身价值",
        "top_clv": "终身价值最高的客户",
        "policy_table_text": "各层级的差异化服务策略，并附本数据的层级人数。",
        "failed": "本数据无法计算本节：{error}",
        "footer": "由 kamkit {version} 生成。图表与数字均来自 kamkit 的函数。",
        "hist_x": "终身价值",
        "hist_y": "客户数",
        "months": "个月",
        "weeks": "时间单位：周",
    },
}

PERIOD_WORD: dict[str, dict[str, str]] = {
    "en": {"M": "month", "Q": "quarter", "W": "week", "Y": "year"},
    "zh": {"M": "月", "Q": "季度", "W": "周", "Y": "年"},
}

#: Section titles, without numbers: the page numbers the sections in the order
#: they are registered (see :mod:`kamkit.report.sections`).
TITLES: dict[str, dict[str, str]] = {
    "en": {
        "overview": "Data overview",
        "pyramid": "The customer pyramid",
        "concentration": "Concentration: the Lorenz curve and the 80/20 check",
        "rfm": "RFM segments",
        "migration": "Tier migration",
        "lifecycle": "Lifecycle stages over time",
        "warning": "Early warning",
        "backtest": "Does the warning list work?",
        "clv": "Customer lifetime value",
        "policy": "Service policy per tier",
    },
    "zh": {
        "overview": "数据概览",
        "pyramid": "客户金字塔",
        "concentration": "集中度：洛伦兹曲线与二八法则检验",
        "rfm": "RFM 客户细分",
        "migration": "客户层级迁移",
        "lifecycle": "客户生命周期阶段",
        "warning": "预警名单",
        "backtest": "预警名单管用吗？",
        "clv": "客户终身价值（CLV）",
        "policy": "分层服务策略",
    },
}
