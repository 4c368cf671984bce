#include "kamkit/archive.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <string>

#include "kamkit/common.hpp"
#include "kamkit/grouping.hpp"

namespace kamkit {
namespace {

constexpr std::int64_t kTicksS = 86400LL;
constexpr std::int64_t kTicksMs = 86400LL * 1000;
constexpr std::int64_t kTicksUs = 86400LL * 1000000;
constexpr std::int64_t kTicksNs = 86400LL * 1000000000;

// Day of a tick count; the divisor is a compile-time constant so the
// division becomes a multiplication.
template <std::int64_t TPD>
inline std::int64_t day_of(std::int64_t tick) {
  std::int64_t q = tick / TPD;
  return (tick % TPD != 0 && tick < 0) ? q - 1 : q;
}

struct Scan {
  std::int64_t max_tick = std::numeric_limits<std::int64_t>::min();
  std::size_t after_end = 0;
};

Scan scan_ticks(const TransactionsView& log, bool count_after, std::int64_t end_tick) {
  std::int64_t mx = std::numeric_limits<std::int64_t>::min();
  std::int64_t after = 0;
  const auto n = static_cast<std::ptrdiff_t>(log.n);
  const std::int64_t* t = log.ticks;
#pragma omp parallel for reduction(max : mx) reduction(+ : after) if (n > kParallelThreshold)
  for (std::ptrdiff_t i = 0; i < n; ++i) {
    mx = std::max(mx, t[i]);
    after += (count_after && t[i] > end_tick);
  }
  return {mx, static_cast<std::size_t>(after)};
}

// Rows grouped by customer: rows[offsets[c] .. offsets[c+1]) are customer c's.
struct RowIndex {
  std::vector<std::int64_t> offsets;
  std::vector<std::int32_t> rows;
};

RowIndex index_rows(const Grouping& g, std::size_t n) {
  const std::size_t k = g.unique_keys.size();
  RowIndex ix;
  ix.offsets.assign(k + 1, 0);
  for (std::size_t c = 0; c < k; ++c) ix.offsets[c + 1] = ix.offsets[c] + g.counts[c];
  ix.rows.resize(static_cast<std::size_t>(ix.offsets[k]));
  const int threads = n > static_cast<std::size_t>(kParallelThreshold) ? max_threads() : 1;
  if (threads <= 1) {
    std::vector<std::int64_t> pos(ix.offsets.begin(), ix.offsets.end() - 1);
    for (std::size_t i = 0; i < n; ++i) {
      const std::int32_t c = g.codes[i];
      if (c >= 0) ix.rows[static_cast<std::size_t>(pos[c]++)] = static_cast<std::int32_t>(i);
    }
    return ix;
  }
  // Parallel counting sort: each thread scatters its own slice of rows into
  // the slots that its per-customer counts reserve, so rows keep their order.
  std::vector<std::vector<std::int64_t>> pos(static_cast<std::size_t>(threads));
  const std::size_t chunk = (n + threads - 1) / threads;
#pragma omp parallel num_threads(threads)
  {
#ifdef KAMKIT_HAVE_OPENMP
    const int t = omp_get_thread_num();
#else
    const int t = 0;
#endif
    const std::size_t lo = std::min(n, chunk * static_cast<std::size_t>(t));
    const std::size_t hi = std::min(n, lo + chunk);
    auto& mine = pos[static_cast<std::size_t>(t)];
    mine.assign(k, 0);
    for (std::size_t i = lo; i < hi; ++i) {
      const std::int32_t c = g.codes[i];
      if (c >= 0) ++mine[static_cast<std::size_t>(c)];
    }
#pragma omp barrier
#pragma omp for schedule(static)
    for (std::ptrdiff_t c = 0; c < static_cast<std::ptrdiff_t>(k); ++c) {
      std::int64_t start = ix.offsets[c];
      for (int u = 0; u < threads; ++u) {
        const std::int64_t cnt = pos[static_cast<std::size_t>(u)][c];
        pos[static_cast<std::size_t>(u)][c] = start;
        start += cnt;
      }
    }
    for (std::size_t i = lo; i < hi; ++i) {
      const std::int32_t c = g.codes[i];
      if (c >= 0)
        ix.rows[static_cast<std::size_t>(mine[static_cast<std::size_t>(c)]++)] =
            static_cast<std::int32_t>(i);
    }
  }
  return ix;
}

struct Frame {
  Freq freq;
  Freq period;
  double unit;
  std::int64_t end_day;                                       // last observed day
  std::int64_t end_p;                                         // its freq period
  std::int64_t end_p_start;                                   // first day of that period
  std::int64_t end_vp;                                        // value-factor period of end_day
  bool have_full;                                             // a full value period exists
  std::int64_t last_full_lo, last_full_hi, prev_lo, prev_hi;  // day ranges
};

template <std::int64_t TPD>
void summarise_customers(const TransactionsView& log, const RowIndex& ix, const Frame& f,
                         Archive& out) {
  const auto k = static_cast<std::ptrdiff_t>(out.keys.size());
  const bool has_margin = log.margin != nullptr;
  const double nan = std::numeric_limits<double>::quiet_NaN();
#pragma omp parallel if (log.n > static_cast<std::size_t>(kParallelThreshold))
  {
    std::vector<std::int64_t> days;
#pragma omp for schedule(dynamic, 4096)
    for (std::ptrdiff_t c = 0; c < k; ++c) {
      const std::int64_t b = ix.offsets[c], e = ix.offsets[c + 1];
      std::int64_t tmin = std::numeric_limits<std::int64_t>::max();
      std::int64_t tmax = std::numeric_limits<std::int64_t>::min();
      double rev = 0.0, marg = 0.0, rev_last = 0.0, rev_prev = 0.0;
      days.clear();
      for (std::int64_t j = b; j < e; ++j) {
        const std::int32_t r = ix.rows[static_cast<std::size_t>(j)];
        const std::int64_t tick = log.ticks[r];
        tmin = std::min(tmin, tick);
        tmax = std::max(tmax, tick);
        const std::int64_t d = day_of<TPD>(tick);
        days.push_back(d);
        const double a = log.amount ? log.amount[r] : 0.0;
        rev += a;
        if (has_margin) marg += log.margin[r];
        if (f.have_full) {
          if (d >= f.last_full_lo && d <= f.last_full_hi) rev_last += a;
          if (d >= f.prev_lo && d <= f.prev_hi) rev_prev += a;
        }
      }
      // Distinct purchase periods, and revenue of the first one.
      std::sort(days.begin(), days.end());
      const std::int64_t first_day = days.front();
      const std::int64_t first_p = period_of_day(first_day, f.freq);
      const std::int64_t first_p_end = period_end_day(first_p, f.freq);
      std::int64_t n_periods = 0;
      std::int64_t prev_p = std::numeric_limits<std::int64_t>::min();
      std::int64_t next_boundary = std::numeric_limits<std::int64_t>::min();
      for (const std::int64_t d : days) {
        if (d > next_boundary) {
          const std::int64_t p = period_of_day(d, f.freq);
          if (p != prev_p) {
            ++n_periods;
            prev_p = p;
          }
          next_boundary = period_end_day(p, f.freq);
        }
      }
      double first_rev = 0.0;
      for (std::int64_t j = b; j < e; ++j) {
        const std::int32_t r = ix.rows[static_cast<std::size_t>(j)];
        if (day_of<TPD>(log.ticks[r]) <= first_p_end) first_rev += log.amount ? log.amount[r] : 0.0;
      }
      const std::int64_t last_p = period_of_day(days.back(), f.freq);
      const double first_start = static_cast<double>(period_start_day(first_p, f.freq));
      const double frequency = static_cast<double>(n_periods - 1);
      out.n_transactions[c] = e - b;
      out.frequency[c] = frequency;
      out.recency[c] =
          (static_cast<double>(period_start_day(last_p, f.freq)) - first_start) / f.unit;
      out.T[c] = (static_cast<double>(f.end_p_start) - first_start) / f.unit;
      out.monetary_value[c] = n_periods > 1 ? (rev - first_rev) / frequency : 0.0;
      out.first_tick[c] = tmin;
      out.last_tick[c] = tmax;
      out.revenue[c] = rev;
      if (has_margin) out.margin[c] = marg;
      const std::int64_t first_vp = period_of_day(first_day, f.period);
      out.avg_period_revenue[c] = rev / static_cast<double>(f.end_vp - first_vp + 1);
      // Growth needs two full periods, the earlier one at or after the first
      // purchase's period, and a positive base.
      const bool defined = f.have_full && first_day <= f.prev_hi && rev_prev > 0.0;
      out.growth[c] = defined ? rev_last / rev_prev - 1.0 : nan;
    }
  }
}

}  // namespace

Archive summarize(const TransactionsView& log, const ArchiveOptions& opt) {
  const std::int64_t tpd = log.ticks_per_day;
  require(tpd == kTicksS || tpd == kTicksMs || tpd == kTicksUs || tpd == kTicksNs,
          "ticks_per_day must be that of s, ms, us or ns resolution");
  require(opt.time_unit_days > 0.0, "time_unit_days must be positive");
  require(log.n == 0 || (log.keys && log.ticks), "keys and ticks are required");
  require(log.n < static_cast<std::size_t>(std::numeric_limits<std::int32_t>::max()),
          "at most 2^31 - 1 rows are supported");
  Archive out;

  // The observation end: its freq period is included whole.
  std::int64_t end_day = 0;
  if (opt.has_observation_end) {
    end_day =
        period_end_day(period_of_day(floor_div(opt.observation_end_tick, tpd), opt.freq), opt.freq);
  }
  // Last tick inside the observation (overflow-safe for far-future ends).
  const std::int64_t end_tick = end_day >= std::numeric_limits<std::int64_t>::max() / tpd - 1
                                    ? std::numeric_limits<std::int64_t>::max()
                                    : (end_day + 1) * tpd - 1;
  const Scan scan = scan_ticks(log, opt.has_observation_end, end_tick);
  if (!opt.has_observation_end && log.n > 0) {
    end_day = period_end_day(period_of_day(floor_div(scan.max_tick, tpd), opt.freq), opt.freq);
  }
  out.observation_end_day = end_day;
  out.rows_after_end = scan.after_end;
  if (log.n == 0) return out;

  std::vector<std::uint8_t> keep;
  if (scan.after_end > 0) {
    keep.resize(log.n);
    const auto n = static_cast<std::ptrdiff_t>(log.n);
#pragma omp parallel for if (n > kParallelThreshold)
    for (std::ptrdiff_t i = 0; i < n; ++i) keep[i] = log.ticks[i] <= end_tick;
  }
  Grouping g = group_keys(log.keys, log.n, keep.empty() ? nullptr : keep.data());
  require(!g.unique_keys.empty(),
          "observation_end falls before the first purchase: no transaction is left");
  keep = std::vector<std::uint8_t>();
  const RowIndex ix = index_rows(g, log.n);
  g.codes = std::vector<std::int32_t>();

  const std::size_t k = g.unique_keys.size();
  out.keys = std::move(g.unique_keys);
  out.n_transactions.resize(k);
  out.frequency.resize(k);
  out.recency.resize(k);
  out.T.resize(k);
  out.monetary_value.resize(k);
  out.first_tick.resize(k);
  out.last_tick.resize(k);
  out.revenue.resize(k);
  if (log.margin) out.margin.resize(k);
  out.avg_period_revenue.resize(k);
  out.growth.resize(k);

  Frame f{};
  f.freq = opt.freq;
  f.period = opt.period;
  f.unit = opt.time_unit_days;
  f.end_day = end_day;
  f.end_p = period_of_day(end_day, opt.freq);
  f.end_p_start = period_start_day(f.end_p, opt.freq);
  f.end_vp = period_of_day(end_day, opt.period);
  const std::int64_t last_full =
      period_end_day(f.end_vp, opt.period) == end_day ? f.end_vp : f.end_vp - 1;
  f.have_full = true;
  f.last_full_lo = period_start_day(last_full, opt.period);
  f.last_full_hi = period_end_day(last_full, opt.period);
  f.prev_lo = period_start_day(last_full - 1, opt.period);
  f.prev_hi = period_end_day(last_full - 1, opt.period);
  out.last_full_period = last_full;

  switch (tpd) {
    case kTicksS:
      summarise_customers<kTicksS>(log, ix, f, out);
      break;
    case kTicksMs:
      summarise_customers<kTicksMs>(log, ix, f, out);
      break;
    case kTicksUs:
      summarise_customers<kTicksUs>(log, ix, f, out);
      break;
    default:
      summarise_customers<kTicksNs>(log, ix, f, out);
      break;
  }
  return out;
}

}  // namespace kamkit
