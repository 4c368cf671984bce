// The customer lifecycle over calendar periods: the customers x periods
// panel of revenue or transaction counts, lifecycle stages (识别期, 发展期,
// 稳定期, 衰退期, churn and return), pyramid tiers on trailing revenue, and
// counts of moves between consecutive periods.
//
// Layouts: a panel is customers x periods, row-major (one row per customer).
// States (stages, tiers) are periods x customers, row-major, so that every
// period's states are contiguous; -1 marks a missing state.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "kamkit/dates.hpp"

namespace kamkit {

struct PanelOptions {
  Freq freq = Freq::Month;
  /// Whether `observation_end_tick` is set; otherwise the last timestamp.
  bool has_observation_end = false;
  std::int64_t observation_end_tick = 0;
  /// Whether `first_period` is set; otherwise the first row's period.
  bool has_first_period = false;
  std::int64_t first_period = 0;
  bool want_revenue = true;
  bool want_counts = false;
  /// Optional starting values of the first period's column (one per
  /// customer code, or null): rows are added to them in row order, so that
  /// extending a panel sums exactly like building it from scratch.
  const double* init_revenue = nullptr;
  const std::int64_t* init_counts = nullptr;
};

struct Panel {
  std::size_t n_customers = 0;
  std::size_t n_periods = 0;
  /// Ordinal (see period_of_day) of the first column.
  std::int64_t first_period = 0;
  /// Day number of the observation end.
  std::int64_t end_day = 0;
  /// Whether the observation ends before the last period's last day.
  bool last_partial = false;
  /// Rows after the observation end, or before `first_period` (ignored).
  std::size_t rows_after_end = 0;
  std::size_t rows_before_start = 0;
  /// n_customers x n_periods, row-major (empty unless requested).
  std::vector<double> revenue;
  std::vector<std::int64_t> counts;
  /// Distinct keys, one per customer in order (build_panel_by_key only).
  std::vector<std::int64_t> keys;
};

/// Sums rows into a dense customers x periods panel. `codes` are customer
/// codes 0..n_customers-1 (-1: skip the row); `amount` may be null (rows
/// count 0). Every cell is summed by one thread in row order, so the result
/// does not depend on the number of threads.
Panel build_panel(const std::int32_t* codes, std::size_t n, std::size_t n_customers,
                  const std::int64_t* ticks, std::int64_t ticks_per_day, const double* amount,
                  const PanelOptions& options);

/// As build_panel, on raw integer keys (customer ids or sortable codes):
/// customers are the distinct keys in increasing order (returned in
/// `keys`). The rows are regrouped customer by customer in cache-sized
/// buckets (see BucketPlan), so each customer's row of the panel is written
/// while it sits in cache; cells still sum in row order, so the result
/// equals build_panel's on the keys' codes. No starting columns.
Panel build_panel_by_key(const std::int64_t* keys, std::size_t n, const std::int64_t* ticks,
                         std::int64_t ticks_per_day, const double* amount,
                         const PanelOptions& options);

/// Lifecycle stage codes, in their published order.
enum Stage : std::int8_t {
  kIdentification = 0,
  kDevelopment = 1,
  kStable = 2,
  kDecline = 3,
  kChurned = 4,
  kReactivated = 5,
};

struct StageRules {
  /// Periods, counting the first purchase period, that a customer is new.
  int new_periods = 3;
  /// Periods in the recent level and in the trailing level it is compared with.
  int window = 3;
  /// Recent level at least (1 + growth) x trailing level: development.
  double growth = 0.2;
  /// Recent level at most (1 - decline) x trailing level: decline.
  double decline = 0.3;
  /// This many silent periods in a row: churned.
  int churn_periods = 6;
};

/// Stage of every customer in every period (periods x customers, -1 before
/// the first purchase). `values` is a customers x periods panel; a period is
/// a purchase period when its value is positive. When `last_partial`, the
/// last period never reads as a drop: a decline or churn there keeps the
/// previous period's stage.
std::vector<std::int8_t> lifecycle_stages(const double* values, std::size_t n_customers,
                                          std::size_t n_periods, bool last_partial,
                                          const StageRules& rules);

/// Pyramid tiers of trailing sums. For every period t, each customer whose
/// first positive value is at or before t gets the sum of its values over
/// periods t-window+1..t; customers are ranked by it (largest first) and
/// cut at the rounded cumulative count shares (`cum_shares`, top tier
/// first, last one 1). Tied values share the tier of their best rank.
/// Returns periods x customers codes: 0 = lowest tier ... k-1 = top tier,
/// -1 before the first purchase.
std::vector<std::int8_t> pyramid_tiers(const double* values, std::size_t n_customers,
                                       std::size_t n_periods, int window,
                                       const std::vector<double>& cum_shares);

/// Moves between consecutive periods of a periods x customers state matrix
/// (codes 0..n_states-1, -1 missing; pairs with a missing state are left
/// out). Returns (n_periods-1) x n_states x n_states counts: entry
/// [t][a][b] counts customers in state a at period t and b at t+1.
std::vector<std::int64_t> transition_counts(const std::int32_t* states, std::size_t n_periods,
                                            std::size_t n_customers, int n_states);

}  // namespace kamkit
