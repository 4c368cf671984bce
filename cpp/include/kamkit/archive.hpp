// The customer archive (客户档案): one record per customer from a
// transaction log, with the recency/frequency/monetary summary of the
// "buy till you die" literature and the textbook value factors.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "kamkit/buffer.hpp"
#include "kamkit/dates.hpp"

namespace kamkit {

/// A transaction log as parallel columns (no copies are made).
struct TransactionsView {
  std::size_t n = 0;
  /// Customer keys: ids, or codes that sort like the ids.
  const std::int64_t* keys = nullptr;
  /// Timestamps as ticks since 1970-01-01 in local wall time.
  const std::int64_t* ticks = nullptr;
  /// Ticks per day: 86400 (s), 86400e3 (ms), 86400e6 (us) or 86400e9 (ns).
  std::int64_t ticks_per_day = 86400LL * 1000000000LL;
  /// Amounts (nullptr: every row counts 0).
  const double* amount = nullptr;
  /// Margins (nullptr: not summarised).
  const double* margin = nullptr;
  /// Whether each row lies in a purchase period (nullptr: every row does).
  /// Rows outside purchase periods (returns that outweigh the period's
  /// purchases) count towards n_transactions, revenue, margin and the value
  /// factors, but not towards frequency, recency, T, first and last purchase
  /// or monetary_value. A customer without any purchase row is a one-time
  /// customer dated at their first row (returns_only).
  const std::uint8_t* purchase = nullptr;
};

struct ArchiveOptions {
  /// Purchase periods: dates are floored to these before counting.
  Freq freq = Freq::Day;
  /// Periods of the value factors (average revenue per period, growth).
  Freq period = Freq::Quarter;
  /// Days per unit of recency and T (1: days, 7: weeks).
  double time_unit_days = 1.0;
  /// Whether `observation_end_tick` is set; otherwise the last timestamp.
  bool has_observation_end = false;
  std::int64_t observation_end_tick = 0;
  /// Whether the first pass also looks for missing timestamps (NaT, the
  /// smallest int64) and missing or infinite amounts and margins, and stops
  /// at once when it finds any (see Archive::invalid_values).
  bool check_values = false;
};

/// Per-customer columns, in increasing key order.
struct Archive {
  Column<std::int64_t> keys;
  Column<std::int64_t> n_transactions;
  Column<double> frequency;
  Column<double> recency;
  Column<double> T;
  Column<double> monetary_value;
  Column<std::int64_t> first_tick;
  Column<std::int64_t> last_tick;
  Column<double> revenue;  // compensated sum; 0 within 1e-9 of the gross amount
  Column<double> margin;   // empty without margins
  Column<double> avg_period_revenue;
  Column<double> growth;  // NaN where undefined
  /// 1 for a customer without any purchase row; empty without purchase flags.
  Column<std::uint8_t> returns_only;
  /// Value-factor periods from the first purchase's to the end's, and the
  /// revenue of the last full value period and of the one before (with amounts).
  Column<std::int64_t> value_periods;
  Column<double> rev_last, rev_prev;
  /// Sum of the absolute amounts (with amounts). A revenue within 1e-9 of it
  /// is written as exactly 0.
  Column<double> gross;
  /// Last day (day number) of the observation, after flooring to `freq`.
  std::int64_t observation_end_day = 0;
  /// The last full value-factor period and whether one exists.
  std::int64_t last_full_period = 0;
  /// Input rows after the observation end (ignored).
  std::size_t rows_after_end = 0;
  /// With ArchiveOptions::check_values: the log has a missing timestamp, or
  /// an amount or margin that is not finite; nothing else was computed.
  bool invalid_values = false;
};

/// Summarises a log. Rows whose `freq` period comes after the observation
/// end's are ignored. Throws std::invalid_argument when the observation end
/// falls before a kept customer's first purchase, or on bad arguments.
Archive summarize(const TransactionsView& log, const ArchiveOptions& options);

}  // namespace kamkit
