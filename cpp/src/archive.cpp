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

// Neumaier's compensated summation: s + c carries the sum with about twice
// the precision of s alone, so that a customer's money sums do not depend on
// the order of the rows (beyond a last-bit rounding that practically never
// shows) and small amounts survive next to large ones.
// (Knuth's branch-free TwoSum gives the rounding error of s + x exactly.)
KAMKIT_ALWAYS_INLINE void add_compensated(double& s, double& c, double x) {
  const double t = s + x;
  const double xv = t - s;
  c += (s - (t - xv)) + (x - xv);
  s = t;
}

// (s1 + c1) + (s2 + c2) of two compensated sums, rounded once.
inline double sum_compensated(double s1, double c1, double s2, double c2) {
  double s = s1, c = c1;
  add_compensated(s, c, s2);
  return s + (c + c2);
}

// A net amount within this fraction of the gross amount (sum of absolute
// amounts) is zero.
constexpr double kZeroTolerance = 1e-9;

inline double snap_zero(double net, double gross) {
  return std::fabs(net) <= kZeroTolerance * gross ? 0.0 : net;
}

struct Scan {
  std::int64_t max_tick = std::numeric_limits<std::int64_t>::min();
  std::size_t after_end = 0;
  std::int64_t min_tick = std::numeric_limits<std::int64_t>::max();
  // Bits in which some tick differs from the first: their lowest is the
  // lowest set bit of every difference between ticks.
  std::uint64_t varying_bits = 0;
  std::int64_t min_key = std::numeric_limits<std::int64_t>::max();
  std::int64_t max_key = std::numeric_limits<std::int64_t>::min();
  // Sums of the amounts and margins (NaN or infinite when one of them is).
  double amount_sum = 0.0, margin_sum = 0.0;
};

// One pass over the ticks and the keys (of all rows, kept or not), and with
// `sums` over the amounts and margins.
Scan scan_log(const TransactionsView& log, bool count_after, std::int64_t end_tick, bool sums) {
  std::int64_t mx = std::numeric_limits<std::int64_t>::min();
  std::int64_t mn = std::numeric_limits<std::int64_t>::max();
  std::int64_t kmx = mx, kmn = mn;
  std::int64_t after = 0;
  std::uint64_t varying = 0;
  double asum = 0.0, msum = 0.0;
  const auto n = static_cast<std::ptrdiff_t>(log.n);
  const std::int64_t* t = log.ticks;
  const std::int64_t* k = log.keys;
  const double* a = sums ? log.amount : nullptr;
  const double* m = sums ? log.margin : nullptr;
  const auto t0 = n > 0 ? static_cast<std::uint64_t>(t[0]) : 0;
#pragma omp parallel for num_threads(kamkit::max_threads()) reduction(max : mx, kmx) \
    reduction(min : mn, kmn) reduction(+ : after) reduction(| : varying)             \
    reduction(+ : asum, msum) if (n > kParallelThreshold)
  for (std::ptrdiff_t i = 0; i < n; ++i) {
    mx = std::max(mx, t[i]);
    mn = std::min(mn, t[i]);
    after += (count_after && t[i] > end_tick);
    varying |= static_cast<std::uint64_t>(t[i]) ^ t0;
    kmx = std::max(kmx, k[i]);
    kmn = std::min(kmn, k[i]);
    if (a) asum += a[i];
    if (m) msum += m[i];
  }
  return {mx, static_cast<std::size_t>(after), mn, varying, kmn, kmx, asum, msum};
}

struct Frame {
  // For the days first_day .. first_day + day_info.size() - 1: the purchase
  // period as an offset from period_base (low 16 bits), and above
  // kWindowShift the day's value-factor window: 1 in the last full period,
  // 2 in the one before, 0 otherwise. For the accumulate path; empty when
  // the range is too long for a per-customer bitmap.
  static constexpr int kWindowShift = 16;
  std::int64_t first_day = 0;
  std::int64_t period_base = 0;
  std::vector<std::uint32_t> day_info;
  std::vector<std::int64_t> value_periods;  // per day: value periods from its to the end's
  std::vector<std::int64_t> period_start;   // per purchase-period offset: its first day
  std::size_t period_words = 0;             // 64-bit words of a customer's period bitmap
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

// A row's payload, stored bucket by bucket (see kamkit/buckets.hpp): its
// key's slot within the bucket, its tick and amount, and the margin only
// when there is one. When every tick is base_tick + (code << shift), with
// base_tick the start of the log's first day and a code that leaves room
// for the slot, both share one word (16 bytes a row instead of 24; words
// of one slot order like their ticks). A codec writes and reads rows, and
// gives a row's day as an offset from base_day.
struct PackedRow {
  std::uint64_t word;  // slot << slot_shift | code
  double amount;
};
struct PackedMarginRow {
  std::uint64_t word;
  double amount;
  double margin;
};
struct WideRow {
  std::int64_t tick;
  double amount;
  std::uint32_t slot, day;
};
struct WideMarginRow {
  std::int64_t tick;
  double amount;
  double margin;
  std::uint32_t slot, day;
};

// What every codec tells about its rows.
template <std::int64_t TPD, class R, class WithMargin>
struct CodecTraits {
  using Row = R;
  static constexpr std::int64_t kTicksPerDay = TPD;
  static constexpr bool kMargin = std::is_same_v<R, WithMargin>;
};

template <std::int64_t TPD, class R>
struct PackedCodec : CodecTraits<TPD, R, PackedMarginRow> {
  std::int64_t base_day;
  std::uint64_t base_tick;  // base_day's first tick
  int shift;                // trailing zero bits of every tick - base_tick
  int slot_shift;           // bits of a code
  std::uint64_t code_mask;  // (1 << slot_shift) - 1
  UnsignedDivider per_day;  // codes per day: TPD >> shift

  std::size_t slot(const R& r) const { return static_cast<std::size_t>(r.word >> slot_shift); }
  std::size_t day(const R& r) const { return day_of_key(r.word); }
  std::size_t day_of_key(std::uint64_t key) const {
    return static_cast<std::size_t>(per_day(key & code_mask));
  }
  // An order key: within a slot, keys order like ticks.
  std::uint64_t key(const R& r) const { return r.word; }
  std::int64_t tick_of(std::uint64_t key) const {
    return static_cast<std::int64_t>(base_tick + ((key & code_mask) << shift));
  }
  R make(std::int64_t tick, double amount, double margin, std::size_t slot) const {
    const std::uint64_t word = (static_cast<std::uint64_t>(slot) << slot_shift) |
                               ((static_cast<std::uint64_t>(tick) - base_tick) >> shift);
    if constexpr (std::is_same_v<R, PackedMarginRow>) {
      return R{word, amount, margin};
    } else {
      return R{word, amount};
    }
  }
};

template <std::int64_t TPD, class R>
struct WideCodec : CodecTraits<TPD, R, WideMarginRow> {
  std::int64_t base_day;

  std::size_t slot(const R& r) const { return r.slot; }
  std::size_t day(const R& r) const { return r.day; }
  std::size_t day_of_key(std::uint64_t key) const {
    return static_cast<std::size_t>(day_of<TPD>(tick_of(key)) - base_day);
  }
  // Ticks shifted to unsigned order.
  std::uint64_t key(const R& r) const {
    return static_cast<std::uint64_t>(r.tick) ^ (std::uint64_t{1} << 63);
  }
  std::int64_t tick_of(std::uint64_t key) const {
    return static_cast<std::int64_t>(key ^ (std::uint64_t{1} << 63));
  }
  R make(std::int64_t tick, double amount, double margin, std::size_t slot) const {
    // Days of rows past the observation end may not fit; such rows are
    // dropped anyway.
    const auto d = static_cast<std::uint32_t>(day_of<TPD>(tick) - base_day);
    const auto s = static_cast<std::uint32_t>(slot);
    if constexpr (std::is_same_v<R, WideMarginRow>) {
      return R{tick, amount, margin, s, d};
    } else {
      return R{tick, amount, s, d};
    }
  }
};

// What both per-customer passes gather about one customer: days are day
// numbers, value_periods counts the value-factor periods from the first
// purchase's to the observation end's.
struct CustomerTotals {
  std::int64_t count, n_periods;
  std::int64_t first_start, last_start;  // first days of the first and last purchase periods
  std::int64_t value_periods;
  std::int64_t tmin, tmax;
  double rev, repeat_rev, rev_last, rev_prev, marg, gross;
};

// Writes customer c's archive columns from its totals.
template <bool HasMargin>
KAMKIT_ALWAYS_INLINE void write_customer(std::int64_t c, const CustomerTotals& t, bool has_amount,
                                         const Frame& f, Archive& out) {
  const double frequency = static_cast<double>(t.n_periods - 1);
  const auto recency = static_cast<double>(t.last_start - t.first_start);
  const auto age = static_cast<double>(f.end_p_start - t.first_start);
  out.n_transactions[c] = t.count;
  out.frequency[c] = frequency;
  // (Division by one is exact: skipped.)
  out.recency[c] = f.unit == 1.0 ? recency : recency / f.unit;
  out.T[c] = f.unit == 1.0 ? age : age / f.unit;
  out.first_tick[c] = t.tmin;
  out.last_tick[c] = t.tmax;
  if (has_amount) {
    // The repeat purchases' own sum (not the total minus the first period,
    // which loses small repeat amounts next to a large first one).
    out.monetary_value[c] = t.n_periods > 1 ? t.repeat_rev / frequency : 0.0;
    const double rev = snap_zero(t.rev, t.gross);
    out.revenue[c] = rev;
    out.gross[c] = t.gross;
    out.avg_period_revenue[c] = rev / static_cast<double>(t.value_periods);
    // Growth compares the last full period with the one before, when that
    // one has a positive revenue.
    out.growth[c] =
        t.rev_prev > 0.0 ? t.rev_last / t.rev_prev - 1.0 : std::numeric_limits<double>::quiet_NaN();
    out.value_periods[c] = t.value_periods;
    out.rev_last[c] = t.rev_last;
    out.rev_prev[c] = t.rev_prev;
  }
  if constexpr (HasMargin) out.margin[c] = t.marg;
}

// Works through the buckets [b0, b1) of a pass, whose rows `rows` holds from
// its start, in waves of about 8 MB of rows: `work(w0, w1, first_row)`
// handles buckets [w0, w1), and then the rows before w1 are given back, so
// that the result columns grow as the scratch shrinks.
template <class R, class Work>
void in_waves(const BucketPlan& plan, std::size_t b0, std::size_t b1, Buffer<R>& rows,
              Work&& work) {
  const std::size_t wave = std::max<std::size_t>(1, (std::size_t{8} << 20) / sizeof(R));
  for (std::size_t w0 = b0; w0 < b1;) {
    std::size_t w1 = w0 + 1;
    while (w1 < b1 && plan.rows_in(w0, w1) < wave) ++w1;
    work(w0, w1, rows.data() + plan.rows_in(b0, w0));
    rows.release_front(plan.rows_in(b0, w1));
    w0 = w1;
  }
}

template <class C>
void summarise_customers(const BucketPlan& plan, std::size_t b0, std::size_t b1,
                         Buffer<typename C::Row>& rows, const C& codec, bool has_amount,
                         const Frame& f, Archive& out) {
  using R = typename C::Row;
  constexpr std::int64_t TPD = C::kTicksPerDay;
  const bool daily = f.freq == Freq::Day;
  // Per-thread scratch for a customer's purchase days.
  std::vector<std::vector<std::int64_t>> scratch(static_cast<std::size_t>(max_threads()));
  auto per_customer = [&](std::int64_t c, const R* row, std::size_t count) {
    auto& days = scratch[static_cast<std::size_t>(thread_id())];
    days.clear();
    std::uint64_t kmin = codec.key(row[0]), kmax = kmin;
    // Compensated sums (value, compensation).
    double rev = 0.0, rev_c = 0.0, marg = 0.0, marg_c = 0.0, gross = 0.0;
    double rev_last = 0.0, last_c = 0.0, rev_prev = 0.0, prev_c = 0.0;
    // Revenue of the first purchase period and of the later ones, kept while
    // scanning: a row in an earlier period than the current first one moves
    // the first period's revenue to the repeat purchases.
    std::int64_t first_lo = std::numeric_limits<std::int64_t>::max(), first_hi = first_lo;
    double first_rev = 0.0, first_c = 0.0, repeat = 0.0, repeat_c = 0.0;
    for (std::size_t j = 0; j < count; ++j) {
      const R& r = row[j];
      const double x = r.amount;
      kmin = std::min(kmin, codec.key(r));
      kmax = std::max(kmax, codec.key(r));
      const std::int64_t d = codec.base_day + static_cast<std::int64_t>(codec.day(r));
      days.push_back(d);
      if (d < first_lo) {
        const std::int64_t p = period_of_day(d, f.freq);
        first_lo = period_start_day(p, f.freq);
        first_hi = period_end_day(p, f.freq);
        add_compensated(repeat, repeat_c, first_rev);
        repeat_c += first_c;
        first_rev = x;
        first_c = 0.0;
      } else if (d <= first_hi) {
        add_compensated(first_rev, first_c, x);
      } else {
        add_compensated(repeat, repeat_c, x);
      }
      add_compensated(rev, rev_c, x);
      gross += std::fabs(x);
      if (d >= f.last_full_lo && d <= f.last_full_hi) add_compensated(rev_last, last_c, x);
      if (d >= f.prev_lo && d <= f.prev_hi) add_compensated(rev_prev, prev_c, x);
      if constexpr (C::kMargin) add_compensated(marg, marg_c, r.margin);
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
    const std::int64_t tmin = codec.tick_of(kmin), tmax = codec.tick_of(kmax);
    const CustomerTotals t{static_cast<std::int64_t>(count),
                           n_periods,
                           first_lo,
                           period_start_day(period_of_day(day_of<TPD>(tmax), f.freq), f.freq),
                           f.end_vp - period_of_day(day_of<TPD>(tmin), f.period) + 1,
                           tmin,
                           tmax,
                           rev + rev_c,
                           repeat + repeat_c,
                           rev_last + last_c,
                           rev_prev + prev_c,
                           marg + marg_c,
                           gross};
    write_customer<C::kMargin>(c, t, has_amount, f, out);
  };
  in_waves(plan, b0, b1, rows, [&](std::size_t w0, std::size_t w1, const R* first) {
    plan.for_each_customer(w0, w1, first, [&](const R& r) { return codec.slot(r); }, per_customer);
  });
}

// The accumulate path: each bucket's customers get their sums, extremes and
// a bitmap of their purchase periods in small per-slot arrays that stay in
// cache, in one pass over the bucket's rows (no sorting).
template <class C>
void accumulate_customers(const BucketPlan& plan, std::size_t b0, std::size_t b1,
                          Buffer<typename C::Row>& rows, const C& codec, bool has_amount,
                          const Frame& f, Archive& out) {
  using R = typename C::Row;
  const std::size_t nslots = plan.slots_per_bucket();
  const std::size_t words = f.period_words;
  // One cache line per slot (periods are below 2048). Money sums are
  // compensated: each *_c holds the compensation of the sum before it.
  struct alignas(64) Acc {
    std::uint64_t kmin, kmax;  // order keys of the rows
    std::int32_t count;
    std::int16_t pmin;       // first purchase period so far
    std::int16_t n_periods;  // distinct purchase periods (below 2048)
    double first_rev, first_c, repeat, repeat_c, gross;
  };
  const Acc fresh{std::numeric_limits<std::uint64_t>::max(),
                  0,
                  0,
                  std::numeric_limits<std::int16_t>::max(),
                  0,
                  0.0,
                  0.0,
                  0.0,
                  0.0,
                  0.0};
  static_assert(sizeof(Acc) == 64, "one cache line per slot");
  // Revenue of the value-factor windows (sum[0]: the last full period,
  // sum[1]: the one before), apart: only the rows of those periods touch it.
  struct alignas(32) Windows {
    double sum[2], comp[2];
  };
  const Windows no_windows{{0.0, 0.0}, {0.0, 0.0}};
  const auto threads = static_cast<std::size_t>(max_threads());
  std::vector<std::vector<Acc>> accs(threads);
  std::vector<std::vector<Windows>> windows(threads);
  std::vector<std::vector<std::uint64_t>> maps(threads);
  std::vector<std::vector<double>> margins(threads);  // per slot: sum, compensation
  const std::uint32_t* day_info = f.day_info.data();
  auto per_bucket = [&](std::int64_t c, const R* row, std::size_t m) {
    const auto t = static_cast<std::size_t>(thread_id());
    auto& acc = accs[t];
    auto& win = windows[t];
    auto& bits = maps[t];
    auto& marg = margins[t];
    if (acc.empty()) {
      acc.assign(nslots, fresh);
      win.assign(nslots, no_windows);
      bits.assign(nslots * words, 0);
      if (C::kMargin) marg.assign(2 * nslots, 0.0);
    }
    // No branch depends on the accumulators: rows come in random order, and
    // a mispredicted branch would wait for each slot's cache line in turn.
    for (std::size_t j = 0; j < m; ++j) {
      const R& r = row[j];
      const std::size_t slot = codec.slot(r);
      Acc& a = acc[slot];
      const std::uint32_t info = day_info[codec.day(r)];
      const auto p = static_cast<std::int16_t>(info & 0xFFFF);
      // A period's first row sets its bit and counts it.
      std::uint64_t& word = bits[slot * words + static_cast<std::size_t>(p >> 6)];
      const auto bit = static_cast<unsigned>(p & 63);
      a.n_periods = static_cast<std::int16_t>(a.n_periods + (((word >> bit) & 1) ^ 1));
      word |= std::uint64_t{1} << bit;
      a.kmin = std::min(a.kmin, codec.key(r));
      a.kmax = std::max(a.kmax, codec.key(r));
      ++a.count;
      // Revenue of the first period so far and of the later ones: an
      // earlier period moves the first one's revenue to the repeat purchases.
      // (Every row of this pass is a purchase: the revenue is the first
      // period's plus the repeat purchases'.) One compensated addition: the
      // row to the first period's sum or to the repeat sum, or, for an
      // earlier period, the first period's sum to the repeat sum.
      // Selections by arithmetic: no branch on the accumulators.
      const double x = r.amount;
      const bool earlier_b = p < a.pmin;
      const auto earlier = static_cast<double>(earlier_b);
      const auto same = static_cast<double>(p == a.pmin);
      const double later = 1.0 - earlier - same;
      add_compensated(a.repeat, a.repeat_c, earlier * a.first_rev + later * x);
      a.repeat_c += earlier * a.first_c;
      add_compensated(a.first_rev, a.first_c, same * x);
      a.first_rev = (1.0 - earlier) * a.first_rev + earlier * x;
      a.first_c *= 1.0 - earlier;
      a.pmin = std::min(a.pmin, p);
      a.gross += std::fabs(x);
      // (A branch on the row's day, not on the accumulators.)
      const std::uint32_t w = info >> Frame::kWindowShift;
      if (w != 0) add_compensated(win[slot].sum[w - 1], win[slot].comp[w - 1], x);
      if constexpr (C::kMargin) add_compensated(marg[2 * slot], marg[2 * slot + 1], r.margin);
    }
    // The bucket's customers are its used slots, in order.
    for (std::size_t s = 0; s < nslots; ++s) {
      Acc& a = acc[s];
      if (a.count == 0) continue;
      // The last purchase period is that of the last row; the bitmap words
      // from the first to it are cleared for the slot's next customer.
      const auto pmax = static_cast<std::size_t>(day_info[codec.day_of_key(a.kmax)] & 0xFFFF);
      std::fill(bits.data() + s * words + static_cast<std::size_t>(a.pmin >> 6),
                bits.data() + s * words + (pmax >> 6) + 1, std::uint64_t{0});
      const CustomerTotals totals{a.count,
                                  a.n_periods,
                                  f.period_start[static_cast<std::size_t>(a.pmin)],
                                  f.period_start[pmax],
                                  f.value_periods[codec.day_of_key(a.kmin)],
                                  codec.tick_of(a.kmin),
                                  codec.tick_of(a.kmax),
                                  sum_compensated(a.first_rev, a.first_c, a.repeat, a.repeat_c),
                                  a.repeat + a.repeat_c,
                                  win[s].sum[0] + win[s].comp[0],
                                  win[s].sum[1] + win[s].comp[1],
                                  C::kMargin ? marg[2 * s] + marg[2 * s + 1] : 0.0,
                                  a.gross};
      write_customer<C::kMargin>(c, totals, has_amount, f, out);
      a = fresh;
      win[s] = no_windows;
      if (C::kMargin) marg[2 * s] = marg[2 * s + 1] = 0.0;
      ++c;
    }
  };
  in_waves(plan, b0, b1, rows, [&](std::size_t w0, std::size_t w1, const R* first) {
    plan.for_each_bucket(w0, w1, first, per_bucket);
  });
}

// Regroups the kept rows customer by customer, as the rows of codec C, and
// summarises each customer.
template <class C>
void summarise_log(const TransactionsView& log, BucketPlan& plan, const C& codec, const Frame& f,
                   Archive& out) {
  using R = typename C::Row;
  const double* amount = log.amount;
  const double* margin = log.margin;
  const std::int64_t* ticks = log.ticks;
  // Large logs go in passes over bucket ranges, so that the scratch copy of
  // the rows stays under 3/4 of the size of the input columns: the result
  // columns fill the memory that the scratch gives back while it is worked
  // through (half, where it cannot give memory back).
  const std::size_t input_row_bytes = 16 + (amount ? 8 : 0) + (margin ? 8 : 0);
  const std::size_t share = Buffer<R>::kCanRelease ? 3 : 2, parts = 4;
  const std::size_t budget = std::max<std::size_t>(
      std::size_t{1} << 20, log.n * input_row_bytes * share / parts / sizeof(R));
  const auto passes = plan.passes(budget);
  std::size_t largest = 0;
  for (const auto& [b0, b1] : passes) largest = std::max(largest, plan.rows_in(b0, b1));
  Buffer<R> rows(largest);
  const bool has_amount = amount != nullptr;
  for (const auto& [b0, b1] : passes) {
    rows.reuse();
    // Captured by value: the scatter loop keeps them in registers.
    plan.scatter(
        b0, b1, rows.data(), [codec, ticks, amount, margin](std::size_t i, std::size_t slot) {
          return codec.make(ticks[i], amount ? amount[i] : 0.0, margin ? margin[i] : 0.0, slot);
        });
    if (f.period_words > 0) {
      accumulate_customers(plan, b0, b1, rows, codec, has_amount, f, out);
    } else {
      summarise_customers(plan, b0, b1, rows, codec, has_amount, f, out);
    }
  }
}

// Sizes every per-customer result column for k customers (the one place to
// add a column: declare it in Archive, size it here, fill it in the kernels).
void resize_columns(Archive& out, std::size_t k, bool amount, bool margin) {
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
    out.value_periods.resize(k);
    out.rev_last.resize(k);
    out.rev_prev.resize(k);
    out.gross.resize(k);
  }
  if (margin) out.margin.resize(k);
}

// Allocates the result columns for the plan's customers.
void allocate(const TransactionsView& log, const BucketPlan& plan, Archive& out) {
  const std::size_t k = plan.unique_keys().size();
  out.keys.assign(plan.unique_keys().begin(), plan.unique_keys().end());
  resize_columns(out, k, log.amount != nullptr, log.margin != nullptr);
}

// Picks the row layout: packed when the slot, the day offset and the time
// of day fit in one word.
template <std::int64_t TPD>
void summarise_rows(const TransactionsView& log, BucketPlan& plan, const Scan& scan, const Frame& f,
                    Archive& out) {
  const std::int64_t base_day = day_of<TPD>(scan.min_tick);
  const std::int64_t last_day = std::min(day_of<TPD>(scan.max_tick), f.end_day);
  require(last_day - base_day < (std::int64_t{1} << 32),
          "the dates span more than 2^32 days; check the date column");
  // Codes count units of 2^shift ticks from the start of the first day.
  // (Unsigned: the start of the earliest day may lie below INT64_MIN.)
  const std::uint64_t base_tick =
      static_cast<std::uint64_t>(base_day) * static_cast<std::uint64_t>(TPD);
  const std::uint64_t lead = static_cast<std::uint64_t>(log.ticks[0]) - base_tick;
  const std::uint64_t low = scan.varying_bits | lead | static_cast<std::uint64_t>(TPD);
  const int shift = lowest_set_bit(low);
  const int code_bits =
      bit_width64((static_cast<std::uint64_t>(scan.max_tick) - base_tick) >> shift);
  if (code_bits + plan.slot_bits() <= 64) {
    const std::uint64_t code_mask = (std::uint64_t{1} << code_bits) - 1;
    const UnsignedDivider per_day(static_cast<std::uint64_t>(TPD) >> shift);
    if (log.margin) {
      const PackedCodec<TPD, PackedMarginRow> codec{{},        base_day,  base_tick, shift,
                                                    code_bits, code_mask, per_day};
      summarise_log(log, plan, codec, f, out);
    } else {
      const PackedCodec<TPD, PackedRow> codec{{},        base_day,  base_tick, shift,
                                              code_bits, code_mask, per_day};
      summarise_log(log, plan, codec, f, out);
    }
  } else if (log.margin) {
    summarise_log(log, plan, WideCodec<TPD, WideMarginRow>{{}, base_day}, f, out);
  } else {
    summarise_log(log, plan, WideCodec<TPD, WideRow>{{}, base_day}, f, out);
  }
}

// Summarises the rows with keep[i] != 0 (`keep` may be null: every row),
// `kept` of them.
void summarise_kept(const TransactionsView& log, const Scan& scan, const Frame& f,
                    const std::uint8_t* keep, std::size_t kept, Archive& out) {
  // The keys' range over all rows covers the kept ones.
  const KeyRange keys{scan.min_key, scan.max_key, kept};
  BucketPlan plan(log.keys, log.n, keep, &keys);
  require(!plan.unique_keys().empty(),
          "observation_end falls before the first purchase: no transaction is left");
  allocate(log, plan, out);
  switch (log.ticks_per_day) {
    case kTicksS:
      summarise_rows<kTicksS>(log, plan, scan, f, out);
      break;
    case kTicksMs:
      summarise_rows<kTicksMs>(log, plan, scan, f, out);
      break;
    case kTicksUs:
      summarise_rows<kTicksUs>(log, plan, scan, f, out);
      break;
    default:
      summarise_rows<kTicksNs>(log, plan, scan, f, out);
      break;
  }
}

// Merges the archive of the purchase rows with that of the other rows (both
// in increasing key order) into `out`. A customer with purchases keeps their
// purchase summary and adds the other rows' transactions, revenue, margin
// and value-period revenue; a customer with other rows only is a one-time
// customer dated at their first row (frequency 0, recency 0, T from that
// row's period), flagged returns_only.
void merge_others(const Archive& p, const Archive& o, bool has_amount, bool has_margin,
                  Archive& out) {
  const std::size_t np = p.keys.size(), no = o.keys.size();
  std::size_t k = 0;
  for (std::size_t i = 0, j = 0; i < np || j < no; ++k) {
    if (j == no || (i < np && p.keys[i] < o.keys[j])) {
      ++i;
    } else if (i == np || o.keys[j] < p.keys[i]) {
      ++j;
    } else {
      ++i;
      ++j;
    }
  }
  out.keys.resize(k);
  resize_columns(out, k, has_amount, has_margin);
  out.returns_only.resize(k);
  auto copy = [&](const Archive& a, std::size_t i, std::size_t c) {
    out.keys[c] = a.keys[i];
    out.n_transactions[c] = a.n_transactions[i];
    out.frequency[c] = a.frequency[i];
    out.recency[c] = a.recency[i];
    out.T[c] = a.T[i];
    out.first_tick[c] = a.first_tick[i];
    out.last_tick[c] = a.last_tick[i];
    if (has_amount) {
      out.monetary_value[c] = a.monetary_value[i];
      out.revenue[c] = a.revenue[i];
      out.avg_period_revenue[c] = a.avg_period_revenue[i];
      out.growth[c] = a.growth[i];
      out.value_periods[c] = a.value_periods[i];
      out.rev_last[c] = a.rev_last[i];
      out.rev_prev[c] = a.rev_prev[i];
      out.gross[c] = a.gross[i];
    }
    if (has_margin) out.margin[c] = a.margin[i];
  };
  std::size_t c = 0;
  for (std::size_t i = 0, j = 0; i < np || j < no; ++c) {
    if (j == no || (i < np && p.keys[i] < o.keys[j])) {
      copy(p, i++, c);
      out.returns_only[c] = 0;
    } else if (i == np || o.keys[j] < p.keys[i]) {
      // Returns only: one-time customer dated at the first row.
      copy(o, j, c);
      out.frequency[c] = 0.0;
      out.recency[c] = 0.0;
      out.last_tick[c] = o.first_tick[j];
      if (has_amount) out.monetary_value[c] = 0.0;
      out.returns_only[c] = 1;
      ++j;
    } else {
      copy(p, i, c);
      out.returns_only[c] = 0;
      out.n_transactions[c] += o.n_transactions[j];
      if (has_amount) {
        const double gross = p.gross[i] + o.gross[j];
        const double rev = snap_zero(p.revenue[i] + o.revenue[j], gross);
        out.revenue[c] = rev;
        out.gross[c] = gross;
        out.avg_period_revenue[c] = rev / static_cast<double>(p.value_periods[i]);
        const double last = p.rev_last[i] + o.rev_last[j], prev = p.rev_prev[i] + o.rev_prev[j];
        out.rev_last[c] = last;
        out.rev_prev[c] = prev;
        out.growth[c] = prev > 0.0 ? last / prev - 1.0 : std::numeric_limits<double>::quiet_NaN();
      }
      if (has_margin) out.margin[c] = p.margin[i] + o.margin[j];
      ++i;
      ++j;
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
  const Scan scan = scan_log(log, opt.has_observation_end, end_tick, opt.check_values);
  // NaT is the smallest int64; NaN and infinities make the sums non-finite
  // (as does a sum of finite values that overflows: the caller's exact
  // check then finds nothing and asks again without this one).
  if (opt.check_values && log.n > 0 &&
      (scan.min_tick == std::numeric_limits<std::int64_t>::min() ||
       !std::isfinite(scan.amount_sum) || !std::isfinite(scan.margin_sum))) {
    out.invalid_values = true;
    return out;
  }
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
#pragma omp parallel for num_threads(kamkit::max_threads()) if (n > kParallelThreshold)
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
      const auto days = static_cast<std::size_t>(end_day - day_lo + 1);
      f.day_info.resize(days);
      f.value_periods.resize(days);
      for (std::int64_t d = day_lo; d <= end_day; ++d) {
        const auto k = static_cast<std::size_t>(d - day_lo);
        f.day_info[k] = static_cast<std::uint32_t>(period_of_day(d, opt.freq) - p_lo) |
                        ((d >= f.last_full_lo && d <= f.last_full_hi ? 1u
                          : d >= f.prev_lo && d <= f.prev_hi         ? 2u
                                                                     : 0u)
                         << Frame::kWindowShift);
        f.value_periods[k] = f.end_vp - period_of_day(d, opt.period) + 1;
      }
      f.period_start.resize(static_cast<std::size_t>(p_hi - p_lo + 1));
      for (std::int64_t p = p_lo; p <= p_hi; ++p)
        f.period_start[static_cast<std::size_t>(p - p_lo)] = period_start_day(p, opt.freq);
      f.period_words = static_cast<std::size_t>((p_hi - p_lo) / 64 + 1);
    }
  }
  if (!log.purchase) {
    summarise_kept(log, scan, f, keep.empty() ? nullptr : keep.data(), log.n - scan.after_end, out);
    return out;
  }
  // Purchase rows and the other rows are summarised apart, then merged: the
  // other rows (returns outweighing their period) are usually few.
  std::vector<std::uint8_t> keep_p(log.n), keep_o(log.n);
  std::int64_t n_p = 0, n_o = 0;
  {
    const auto n = static_cast<std::ptrdiff_t>(log.n);
    const std::uint8_t* kp = keep.empty() ? nullptr : keep.data();
    const std::uint8_t* pf = log.purchase;
#pragma omp parallel for num_threads(kamkit::max_threads()) \
    reduction(+ : n_p, n_o) if (n > kParallelThreshold)
    for (std::ptrdiff_t i = 0; i < n; ++i) {
      const bool kept = kp == nullptr || kp[i] != 0;
      keep_p[i] = kept && pf[i] != 0;
      keep_o[i] = kept && pf[i] == 0;
      n_p += keep_p[i];
      n_o += keep_o[i];
    }
  }
  require(n_p + n_o > 0, "observation_end falls before the first purchase: no transaction is left");
  Archive purchases, others;
  if (n_p > 0)
    summarise_kept(log, scan, f, keep_p.data(), static_cast<std::size_t>(n_p), purchases);
  if (n_o > 0) summarise_kept(log, scan, f, keep_o.data(), static_cast<std::size_t>(n_o), others);
  merge_others(purchases, others, log.amount != nullptr, log.margin != nullptr, out);
  return out;
}

}  // namespace kamkit
