#include "kamkit/archive.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <string>
#include <type_traits>

#include "kamkit/buckets.hpp"
#include "kamkit/common.hpp"

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
  std::int64_t min_tick = std::numeric_limits<std::int64_t>::max();
};

Scan scan_ticks(const TransactionsView& log, bool count_after, std::int64_t end_tick) {
  std::int64_t mx = std::numeric_limits<std::int64_t>::min();
  std::int64_t mn = std::numeric_limits<std::int64_t>::max();
  std::int64_t after = 0;
  const auto n = static_cast<std::ptrdiff_t>(log.n);
  const std::int64_t* t = log.ticks;
#pragma omp parallel for reduction(max : mx) reduction(min : mn) \
    reduction(+ : after) if (n > kParallelThreshold)
  for (std::ptrdiff_t i = 0; i < n; ++i) {
    mx = std::max(mx, t[i]);
    mn = std::min(mn, t[i]);
    after += (count_after && t[i] > end_tick);
  }
  return {mx, static_cast<std::size_t>(after), mn};
}

struct Frame {
  // Purchase periods of days first_day .. first_day + period_of.size() - 1,
  // as offsets from period_base (the accumulate path; empty when the range
  // is too long for a per-customer bitmap).
  std::int64_t first_day = 0;
  std::int64_t period_base = 0;
  std::vector<std::int32_t> period_of;
  std::size_t period_words = 0;  // 64-bit words of a customer's period bitmap
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

// A row's payload, stored bucket by bucket (see kamkit/buckets.hpp); the
// margin travels only when there is one.
struct Row {
  std::int64_t tick;
  double amount;
};
struct RowWithMargin {
  std::int64_t tick;
  double amount;
  double margin;
};

// What both per-customer passes gather about one customer.
struct CustomerTotals {
  std::int64_t count, n_periods;
  std::int64_t first_period, last_period;  // ordinals in f.freq
  std::int64_t tmin, tmax;
  double rev, first_rev, rev_last, rev_prev, marg;
};

// Writes customer c's archive columns from its totals.
template <std::int64_t TPD, bool HasMargin>
inline void write_customer(std::int64_t c, const CustomerTotals& t, bool has_amount, const Frame& f,
                           Archive& out) {
  const double first_start = static_cast<double>(period_start_day(t.first_period, f.freq));
  const double frequency = static_cast<double>(t.n_periods - 1);
  out.n_transactions[c] = t.count;
  out.frequency[c] = frequency;
  out.recency[c] =
      (static_cast<double>(period_start_day(t.last_period, f.freq)) - first_start) / f.unit;
  out.T[c] = (static_cast<double>(f.end_p_start) - first_start) / f.unit;
  out.first_tick[c] = t.tmin;
  out.last_tick[c] = t.tmax;
  if (has_amount) {
    out.monetary_value[c] = t.n_periods > 1 ? (t.rev - t.first_rev) / frequency : 0.0;
    out.revenue[c] = t.rev;
    const std::int64_t first_vp = period_of_day(day_of<TPD>(t.tmin), f.period);
    out.avg_period_revenue[c] = t.rev / static_cast<double>(f.end_vp - first_vp + 1);
    // Growth compares the last full period with the one before, when that
    // one has a positive revenue.
    out.growth[c] =
        t.rev_prev > 0.0 ? t.rev_last / t.rev_prev - 1.0 : std::numeric_limits<double>::quiet_NaN();
  }
  if constexpr (HasMargin) out.margin[c] = t.marg;
}

template <std::int64_t TPD, class R>
void summarise_customers(const BucketPlan& plan, std::size_t b0, std::size_t b1,
                         const Buffer<R>& rows, bool has_amount, const Frame& f, Archive& out) {
  constexpr bool has_margin = std::is_same_v<R, RowWithMargin>;
  const bool daily = f.freq == Freq::Day;
  // Per-thread scratch for a customer's purchase days.
  std::vector<std::vector<std::int64_t>> scratch(static_cast<std::size_t>(max_threads()));
  plan.for_each_customer(b0, b1, rows.data(), [&](std::int64_t c, const R* row, std::size_t count) {
    auto& days = scratch[static_cast<std::size_t>(thread_id())];
    days.clear();
    std::int64_t tmin = row[0].tick, tmax = tmin;
    double rev = 0.0, marg = 0.0, rev_last = 0.0, rev_prev = 0.0;
    // Revenue of the first purchase period, kept while scanning: a row in an
    // earlier period than the current first one restarts it.
    std::int64_t first_lo = std::numeric_limits<std::int64_t>::max(), first_hi = first_lo;
    double first_rev = 0.0;
    for (std::size_t j = 0; j < count; ++j) {
      const R& r = row[j];
      tmin = std::min(tmin, r.tick);
      tmax = std::max(tmax, r.tick);
      const std::int64_t d = day_of<TPD>(r.tick);
      days.push_back(d);
      if (d < first_lo) {
        const std::int64_t p = period_of_day(d, f.freq);
        first_lo = period_start_day(p, f.freq);
        first_hi = period_end_day(p, f.freq);
        first_rev = r.amount;
      } else if (d <= first_hi) {
        first_rev += r.amount;
      }
      rev += r.amount;
      rev_last += (d >= f.last_full_lo && d <= f.last_full_hi) ? r.amount : 0.0;
      rev_prev += (d >= f.prev_lo && d <= f.prev_hi) ? r.amount : 0.0;
      if constexpr (has_margin) marg += r.margin;
    }
    // Distinct purchase periods.
    std::int64_t n_periods = 1;
    if (count > 1) {
      std::sort(days.begin(), days.end());
      n_periods = 0;
      std::int64_t boundary = std::numeric_limits<std::int64_t>::min();
      for (const std::int64_t d : days) {
        if (d > boundary) {
          ++n_periods;
          boundary = daily ? d : period_end_day(period_of_day(d, f.freq), f.freq);
        }
      }
    }
    const CustomerTotals t{static_cast<std::int64_t>(count),
                           n_periods,
                           period_of_day(first_lo, f.freq),
                           period_of_day(day_of<TPD>(tmax), f.freq),
                           tmin,
                           tmax,
                           rev,
                           first_rev,
                           rev_last,
                           rev_prev,
                           marg};
    write_customer<TPD, has_margin>(c, t, has_amount, f, out);
  });
}

// The accumulate path: each bucket's customers get their sums, extremes and
// a bitmap of their purchase periods in small per-slot arrays that stay in
// cache, in one pass over the bucket's rows (no sorting).
template <std::int64_t TPD, class R>
void accumulate_customers(const BucketPlan& plan, std::size_t b0, std::size_t b1,
                          const Buffer<R>& rows, bool has_amount, const Frame& f, Archive& out) {
  constexpr bool has_margin = std::is_same_v<R, RowWithMargin>;
  const std::size_t nslots = plan.slots_per_bucket();
  const std::size_t words = f.period_words;
  struct Acc {
    std::int64_t tmin, tmax, count;
    std::int32_t pmin, pmax;
    double rev, marg, rev_last, rev_prev, first_rev;
  };
  const Acc fresh{std::numeric_limits<std::int64_t>::max(),
                  std::numeric_limits<std::int64_t>::min(),
                  0,
                  std::numeric_limits<std::int32_t>::max(),
                  std::numeric_limits<std::int32_t>::min(),
                  0.0,
                  0.0,
                  0.0,
                  0.0,
                  0.0};
  std::vector<std::vector<Acc>> accs(static_cast<std::size_t>(max_threads()));
  std::vector<std::vector<std::uint64_t>> maps(static_cast<std::size_t>(max_threads()));
  const std::int32_t* period_of = f.period_of.data();
  plan.for_each_bucket(
      b0, b1, rows.data(),
      [&](std::int64_t c, const std::uint32_t* slot, const R* row, std::size_t m) {
        auto& acc = accs[static_cast<std::size_t>(thread_id())];
        auto& bits = maps[static_cast<std::size_t>(thread_id())];
        if (acc.empty()) {
          acc.assign(nslots, fresh);
          bits.assign(nslots * words, 0);
        }
        for (std::size_t j = 0; j < m; ++j) {
          const R& r = row[j];
          Acc& a = acc[slot[j]];
          const std::int64_t d = day_of<TPD>(r.tick);
          const std::int32_t p = period_of[d - f.first_day];
          bits[slot[j] * words + static_cast<std::size_t>(p >> 6)] |= std::uint64_t{1} << (p & 63);
          a.tmin = std::min(a.tmin, r.tick);
          a.tmax = std::max(a.tmax, r.tick);
          ++a.count;
          if (p < a.pmin) {
            a.pmin = p;
            a.first_rev = r.amount;
          } else if (p == a.pmin) {
            a.first_rev += r.amount;
          }
          a.pmax = std::max(a.pmax, p);
          a.rev += r.amount;
          a.rev_last += (d >= f.last_full_lo && d <= f.last_full_hi) ? r.amount : 0.0;
          a.rev_prev += (d >= f.prev_lo && d <= f.prev_hi) ? r.amount : 0.0;
          if constexpr (has_margin) a.marg += r.margin;
        }
        // The bucket's customers are its used slots, in order.
        for (std::size_t s = 0; s < nslots; ++s) {
          Acc& a = acc[s];
          if (a.count == 0) continue;
          std::uint64_t* w = bits.data() + s * words;
          std::int64_t n_periods = 0;
          for (std::size_t k = static_cast<std::size_t>(a.pmin >> 6);
               k <= static_cast<std::size_t>(a.pmax >> 6); ++k) {
            n_periods += popcount64(w[k]);
            w[k] = 0;
          }
          const CustomerTotals t{a.count,
                                 n_periods,
                                 f.period_base + a.pmin,
                                 f.period_base + a.pmax,
                                 a.tmin,
                                 a.tmax,
                                 a.rev,
                                 a.first_rev,
                                 a.rev_last,
                                 a.rev_prev,
                                 a.marg};
          write_customer<TPD, has_margin>(c, t, has_amount, f, out);
          a = fresh;
          ++c;
        }
      });
}

// Regroups the kept rows customer by customer, carrying their payload R,
// and summarises each customer.
template <class R>
void summarise_log(const TransactionsView& log, const std::uint8_t* keep, const Frame& f,
                   Archive& out) {
  BucketPlan plan(log.keys, log.n, keep);
  require(!plan.unique_keys().empty(),
          "observation_end falls before the first purchase: no transaction is left");
  const std::size_t k = plan.unique_keys().size();
  const double* amount = log.amount;
  const double* margin = log.margin;
  const std::int64_t* ticks = log.ticks;
  out.keys.assign(plan.unique_keys().begin(), plan.unique_keys().end());
  out.n_transactions.resize(k);
  out.frequency.resize(k);
  out.recency.resize(k);
  out.T.resize(k);
  out.first_tick.resize(k);
  out.last_tick.resize(k);
  if (amount) {
    out.monetary_value.resize(k);
    out.revenue.resize(k);
    out.avg_period_revenue.resize(k);
    out.growth.resize(k);
  }
  if (margin) out.margin.resize(k);
  // Large logs go in passes over bucket ranges, so that the scratch copy of
  // the rows stays under half the size of the input columns.
  const std::size_t input_row_bytes = 16 + (amount ? 8 : 0) + (margin ? 8 : 0);
  const std::size_t scratch_row_bytes = sizeof(R) + sizeof(std::uint32_t);
  const std::size_t budget =
      std::max<std::size_t>(std::size_t{1} << 20, log.n * input_row_bytes / 2 / scratch_row_bytes);
  const auto passes = plan.passes(budget);
  std::size_t largest = 0;
  for (const auto& [b0, b1] : passes) largest = std::max(largest, plan.rows_in(b0, b1));
  Buffer<R> rows(largest);
  const bool has_amount = amount != nullptr;
  for (const auto& [b0, b1] : passes) {
    plan.scatter(b0, b1, [&](std::size_t i, std::size_t at) {
      if constexpr (std::is_same_v<R, RowWithMargin>) {
        rows[at] = R{ticks[i], amount ? amount[i] : 0.0, margin[i]};
      } else {
        rows[at] = R{ticks[i], amount ? amount[i] : 0.0};
      }
    });
    const bool acc = f.period_words > 0;
    switch (log.ticks_per_day) {
      case kTicksS:
        acc ? accumulate_customers<kTicksS>(plan, b0, b1, rows, has_amount, f, out)
            : summarise_customers<kTicksS>(plan, b0, b1, rows, has_amount, f, out);
        break;
      case kTicksMs:
        acc ? accumulate_customers<kTicksMs>(plan, b0, b1, rows, has_amount, f, out)
            : summarise_customers<kTicksMs>(plan, b0, b1, rows, has_amount, f, out);
        break;
      case kTicksUs:
        acc ? accumulate_customers<kTicksUs>(plan, b0, b1, rows, has_amount, f, out)
            : summarise_customers<kTicksUs>(plan, b0, b1, rows, has_amount, f, out);
        break;
      default:
        acc ? accumulate_customers<kTicksNs>(plan, b0, b1, rows, has_amount, f, out)
            : summarise_customers<kTicksNs>(plan, b0, b1, rows, has_amount, f, out);
        break;
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
  f.last_full_lo = period_start_day(last_full, opt.period);
  f.last_full_hi = period_end_day(last_full, opt.period);
  f.prev_lo = period_start_day(last_full - 1, opt.period);
  f.prev_hi = period_end_day(last_full - 1, opt.period);
  out.last_full_period = last_full;

  // Purchase periods as small offsets, for the accumulate path: a table from
  // day to period offset over the observed days, when a bitmap of every
  // period of the span costs at most 32 words (2048 periods) per customer.
  {
    const std::int64_t day_lo = floor_div(scan.min_tick, tpd);
    const std::int64_t p_lo = period_of_day(day_lo, opt.freq);
    const std::int64_t p_hi = period_of_day(end_day, opt.freq);
    if (end_day >= day_lo && p_hi - p_lo < 2048 && end_day - day_lo < (std::int64_t{1} << 24)) {
      f.first_day = day_lo;
      f.period_base = p_lo;
      f.period_of.resize(static_cast<std::size_t>(end_day - day_lo + 1));
      for (std::int64_t d = day_lo; d <= end_day; ++d)
        f.period_of[static_cast<std::size_t>(d - day_lo)] =
            static_cast<std::int32_t>(period_of_day(d, opt.freq) - p_lo);
      f.period_words = static_cast<std::size_t>((p_hi - p_lo) / 64 + 1);
    }
  }
  const std::uint8_t* kept_rows = keep.empty() ? nullptr : keep.data();
  if (log.margin) {
    summarise_log<RowWithMargin>(log, kept_rows, f, out);
  } else {
    summarise_log<Row>(log, kept_rows, f, out);
  }
  return out;
}

}  // namespace kamkit
