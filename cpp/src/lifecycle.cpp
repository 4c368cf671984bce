#include "kamkit/lifecycle.hpp"

#include <algorithm>
#include <cmath>
#include <functional>
#include <limits>
#include <numeric>
#include <string>

#include "kamkit/buckets.hpp"
#include "kamkit/buffer.hpp"
#include "kamkit/common.hpp"

namespace kamkit {
namespace {

// Day of a tick count; the divisor is a compile-time constant so the
// division becomes a multiplication.
template <std::int64_t TPD>
inline std::int64_t day_of(std::int64_t tick) {
  std::int64_t q = tick / TPD;
  return (tick % TPD != 0 && tick < 0) ? q - 1 : q;
}

// Smallest and largest day of the rows with a code.
template <std::int64_t TPD>
void day_range(const std::int32_t* codes, std::size_t n, const std::int64_t* ticks,
               std::int64_t& lo, std::int64_t& hi) {
  std::int64_t mn = std::numeric_limits<std::int64_t>::max();
  std::int64_t mx = std::numeric_limits<std::int64_t>::min();
  const auto m = static_cast<std::ptrdiff_t>(n);
#pragma omp parallel for num_threads(kamkit::max_threads()) reduction(min : mn) \
    reduction(max : mx) if (m > kParallelThreshold)
  for (std::ptrdiff_t i = 0; i < m; ++i) {
    if (codes && codes[i] < 0) continue;
    mn = std::min(mn, ticks[i]);
    mx = std::max(mx, ticks[i]);
  }
  lo = mn == std::numeric_limits<std::int64_t>::max() ? 0 : day_of<TPD>(mn);
  hi = mx == std::numeric_limits<std::int64_t>::min() ? -1 : day_of<TPD>(mx);
}

// Adds every row to its cell. Each thread owns a range of customers and
// scans every row, so each cell is summed by one thread in row order (no
// atomics, sums that do not depend on the thread count). `table` maps
// day - day0 to the column (-1: before the first column); days after
// `end_day` are counted and skipped.
template <std::int64_t TPD>
void accumulate(const std::int32_t* codes, std::size_t n, std::size_t k, const std::int64_t* ticks,
                const double* amount, const std::vector<std::int32_t>& table, std::int64_t day0,
                std::int64_t end_day, std::size_t np, double* rev, std::int64_t* cnt,
                std::int64_t& after, std::int64_t& before) {
  const int threads = n > static_cast<std::size_t>(kParallelThreshold) ? max_threads() : 1;
  std::int64_t a = 0, b = 0;
  // One iteration per slice of customers, whatever number of threads the
  // runtime gives.
#pragma omp parallel for schedule(static) num_threads(threads) reduction(+ : a, b)
  for (int t = 0; t < threads; ++t) {
    const auto lo = static_cast<std::int32_t>(k * static_cast<std::size_t>(t) / threads);
    const auto hi = static_cast<std::int32_t>(k * static_cast<std::size_t>(t + 1) / threads);
    for (std::size_t i = 0; i < n; ++i) {
      const std::int32_t c = codes[i];
      if (c < lo || c >= hi) continue;
      const std::int64_t d = day_of<TPD>(ticks[i]);
      if (d > end_day) {
        ++a;
        continue;
      }
      const std::int32_t j = table[static_cast<std::size_t>(d - day0)];
      if (j < 0) {
        ++b;
        continue;
      }
      const std::size_t cell = static_cast<std::size_t>(c) * np + static_cast<std::size_t>(j);
      if (rev) rev[cell] += amount ? amount[i] : 0.0;
      if (cnt) ++cnt[cell];
    }
  }
  after = a;
  before = b;
}

#define KAMKIT_BY_TICKS(tpd, call)                                              \
  switch (tpd) {                                                                \
    case 86400LL: {                                                             \
      constexpr std::int64_t TPD = 86400LL;                                     \
      call;                                                                     \
    } break;                                                                    \
    case 86400LL * 1000: {                                                      \
      constexpr std::int64_t TPD = 86400LL * 1000;                              \
      call;                                                                     \
    } break;                                                                    \
    case 86400LL * 1000000: {                                                   \
      constexpr std::int64_t TPD = 86400LL * 1000000;                           \
      call;                                                                     \
    } break;                                                                    \
    case 86400LL * 1000000000: {                                                \
      constexpr std::int64_t TPD = 86400LL * 1000000000;                        \
      call;                                                                     \
    } break;                                                                    \
    default:                                                                    \
      throw std::invalid_argument(                                              \
          "build_panel: ticks_per_day must be 86400 times 1, 1e3, 1e6 or 1e9"); \
  }

// Number of threads for a loop over `work` items.
int threads_for(std::size_t work) {
  return work > static_cast<std::size_t>(kParallelThreshold) ? max_threads() : 1;
}

}  // namespace

namespace {

// The period range, the zeroed (or started) columns and the day -> column
// table of a panel over rows whose days span [dmin, dmax] (dmax < dmin: no
// row). Returns false when there is no row to add.
bool setup_panel(Panel& p, std::size_t n_customers, std::int64_t dmin, std::int64_t dmax,
                 std::int64_t ticks_per_day, const PanelOptions& opt,
                 std::vector<std::int32_t>& table, std::int64_t& day0) {
  p.n_customers = n_customers;
  const bool any_row = dmax >= dmin;
  require(any_row || opt.has_first_period || opt.has_observation_end,
          "build_panel: no rows and no period range");

  // Observation end (a day) and the first period.
  if (opt.has_observation_end)
    p.end_day = floor_div(opt.observation_end_tick, ticks_per_day);
  else
    p.end_day = any_row ? dmax : period_start_day(opt.first_period, opt.freq);
  const std::int64_t end_period = period_of_day(p.end_day, opt.freq);
  p.last_partial = p.end_day < period_end_day(end_period, opt.freq);
  std::int64_t first = opt.first_period;
  if (!opt.has_first_period)
    first = any_row && dmin <= p.end_day ? period_of_day(dmin, opt.freq) : end_period;
  require(first <= end_period, "build_panel: the observation end is before the first period");
  p.first_period = first;
  p.n_periods = static_cast<std::size_t>(end_period - first + 1);
  const std::size_t np = p.n_periods;
  require(n_customers == 0 || np <= std::numeric_limits<std::size_t>::max() / n_customers / 8,
          "build_panel: the panel is too large");

  // Columns, started from the given first-period values.
  if (opt.want_revenue) {
    p.revenue.assign(n_customers * np, 0.0);
    if (opt.init_revenue)
      for (std::size_t c = 0; c < n_customers; ++c) p.revenue[c * np] = opt.init_revenue[c];
  }
  if (opt.want_counts) {
    p.counts.assign(n_customers * np, 0);
    if (opt.init_counts)
      for (std::size_t c = 0; c < n_customers; ++c) p.counts[c * np] = opt.init_counts[c];
  }
  if (!any_row) return false;

  // Column of every day from the first row's to the end (or the last row's):
  // one lookup per row instead of calendar arithmetic.
  day0 = dmin;
  const std::int64_t day1 = std::max(dmin, std::min(dmax, p.end_day));
  require(day1 - day0 < (std::int64_t{1} << 28), "build_panel: the dates span too many days");
  table.resize(static_cast<std::size_t>(day1 - day0 + 1));
  for (std::int64_t d = day0; d <= day1; ++d) {
    const std::int64_t j = period_of_day(d, opt.freq) - first;
    table[static_cast<std::size_t>(d - day0)] = j < 0 ? -1 : static_cast<std::int32_t>(j);
  }
  return true;
}

// A row regrouped by customer: its amount and its column (-1: before the
// first column, -2: after the observation end).
struct PanelRow {
  double amount;
  std::int32_t column;
  std::uint32_t slot;  // within its bucket (see kamkit/buckets.hpp)
};

// Rows grouped customer by customer (BucketPlan): the rows of a bucket of
// nearby customers are regrouped in cache and each customer's row of the
// panel is then written in one go, instead of one scattered write per row
// into the whole matrix. A customer's rows come in input order, so every
// cell sums in row order, as in `accumulate`.
template <std::int64_t TPD>
void accumulate_grouped(BucketPlan& plan, std::size_t n, const std::int64_t* ticks,
                        const double* amount, const std::vector<std::int32_t>& table,
                        std::int64_t day0, std::int64_t end_day, std::size_t np, double* rev,
                        std::int64_t* cnt, std::int64_t& after, std::int64_t& before) {
  // Passes over bucket ranges keep the scratch rows under about half the
  // size of the input columns.
  const std::size_t input_row_bytes = 16 + (amount ? 8 : 0);
  const std::size_t budget =
      std::max<std::size_t>(std::size_t{1} << 20, n * input_row_bytes / 2 / sizeof(PanelRow));
  const auto passes = plan.passes(budget);
  std::size_t largest = 0;
  for (const auto& [b0, b1] : passes) largest = std::max(largest, plan.rows_in(b0, b1));
  Buffer<PanelRow> rows(largest);
  const std::int32_t* col = table.data();
  std::int64_t a = 0, b = 0;
  for (const auto& [b0, b1] : passes) {
    plan.scatter(b0, b1, rows.data(), [&](std::size_t i, std::size_t slot) {
      const std::int64_t d = day_of<TPD>(ticks[i]);
      return PanelRow{amount ? amount[i] : 0.0,
                      d > end_day ? -2 : col[static_cast<std::size_t>(d - day0)],
                      static_cast<std::uint32_t>(slot)};
    });
    plan.for_each_customer(
        b0, b1, rows.data(), [](const PanelRow& r) { return r.slot; },
        [&](std::int64_t c, const PanelRow* r, std::size_t m) {
          const std::size_t base = static_cast<std::size_t>(c) * np;
          std::int64_t skipped_after = 0, skipped_before = 0;
          for (std::size_t u = 0; u < m; ++u) {
            const std::int32_t j = r[u].column;
            if (j < 0) {
              ++(j == -2 ? skipped_after : skipped_before);
              continue;
            }
            if (rev) rev[base + static_cast<std::size_t>(j)] += r[u].amount;
            if (cnt) ++cnt[base + static_cast<std::size_t>(j)];
          }
          if (skipped_after) {
#pragma omp atomic
            a += skipped_after;
          }
          if (skipped_before) {
#pragma omp atomic
            b += skipped_before;
          }
        });
  }
  after = a;
  before = b;
}

}  // namespace

Panel build_panel(const std::int32_t* codes, std::size_t n, std::size_t n_customers,
                  const std::int64_t* ticks, std::int64_t ticks_per_day, const double* amount,
                  const PanelOptions& opt) {
  require(n == 0 || (codes != nullptr && ticks != nullptr), "build_panel: missing columns");
  require(opt.want_revenue || opt.want_counts, "build_panel: nothing to build");
  Panel p;
  std::int64_t dmin = 0, dmax = -1;
  KAMKIT_BY_TICKS(ticks_per_day, day_range<TPD>(codes, n, ticks, dmin, dmax));
  std::vector<std::int32_t> table;
  std::int64_t day0 = 0;
  if (!setup_panel(p, n_customers, dmin, dmax, ticks_per_day, opt, table, day0)) return p;
  std::int64_t after = 0, before = 0;
  double* rev = opt.want_revenue ? p.revenue.data() : nullptr;
  std::int64_t* cnt = opt.want_counts ? p.counts.data() : nullptr;
  KAMKIT_BY_TICKS(ticks_per_day, accumulate<TPD>(codes, n, n_customers, ticks, amount, table, day0,
                                                 p.end_day, p.n_periods, rev, cnt, after, before));
  p.rows_after_end = static_cast<std::size_t>(after);
  p.rows_before_start = static_cast<std::size_t>(before);
  return p;
}

Panel build_panel_by_key(const std::int64_t* keys, std::size_t n, const std::int64_t* ticks,
                         std::int64_t ticks_per_day, const double* amount,
                         const PanelOptions& opt) {
  require(n == 0 || (keys != nullptr && ticks != nullptr), "build_panel: missing columns");
  require(opt.want_revenue || opt.want_counts, "build_panel: nothing to build");
  require(opt.init_revenue == nullptr && opt.init_counts == nullptr,
          "build_panel_by_key: starting columns need customer codes; use build_panel");
  Panel p;
  std::int64_t dmin = 0, dmax = -1;
  KAMKIT_BY_TICKS(ticks_per_day, day_range<TPD>(nullptr, n, ticks, dmin, dmax));
  BucketPlan plan(keys, n, nullptr);
  p.keys = plan.unique_keys();
  std::vector<std::int32_t> table;
  std::int64_t day0 = 0;
  if (!setup_panel(p, p.keys.size(), dmin, dmax, ticks_per_day, opt, table, day0)) return p;
  std::int64_t after = 0, before = 0;
  double* rev = opt.want_revenue ? p.revenue.data() : nullptr;
  std::int64_t* cnt = opt.want_counts ? p.counts.data() : nullptr;
  KAMKIT_BY_TICKS(ticks_per_day,
                  accumulate_grouped<TPD>(plan, n, ticks, amount, table, day0, p.end_day,
                                          p.n_periods, rev, cnt, after, before));
  p.rows_after_end = static_cast<std::size_t>(after);
  p.rows_before_start = static_cast<std::size_t>(before);
  return p;
}

#undef KAMKIT_BY_TICKS

// Relative tolerance of the trend comparisons: a level on the boundary
// counts as reaching it whatever the rounding of the sums.
constexpr double kTol = 1e-9;

std::vector<std::int8_t> lifecycle_stages(const double* values, std::size_t k, std::size_t np,
                                          bool last_partial, const StageRules& r) {
  require(r.new_periods >= 1, "lifecycle_stages: new_periods must be at least 1");
  require(r.window >= 1, "lifecycle_stages: window must be at least 1");
  require(r.churn_periods >= 1, "lifecycle_stages: churn_periods must be at least 1");
  require(r.growth >= 0.0 && std::isfinite(r.growth), "lifecycle_stages: growth must be >= 0");
  require(r.decline > 0.0 && r.decline <= 1.0, "lifecycle_stages: decline must be in (0, 1]");
  std::vector<std::int8_t> out(k * np, -1);
  const auto kk = static_cast<std::ptrdiff_t>(k);
  const auto w = static_cast<std::ptrdiff_t>(r.window);
#pragma omp parallel num_threads( \
        kamkit::max_threads()) if (k * np > static_cast<std::size_t>(kParallelThreshold))
  {
    std::vector<double> prefix(np + 1);
#pragma omp for schedule(static)
    for (std::ptrdiff_t c = 0; c < kk; ++c) {
      const double* row = values + static_cast<std::size_t>(c) * np;
      prefix[0] = 0.0;
      for (std::size_t t = 0; t < np; ++t) prefix[t + 1] = prefix[t] + row[t];
      // Mean of row[a..b] (inclusive), a >= 0.
      auto mean = [&](std::ptrdiff_t a, std::ptrdiff_t b) {
        return (prefix[b + 1] - prefix[a]) / static_cast<double>(b - a + 1);
      };
      std::ptrdiff_t first = -1;  // first purchase period
      std::ptrdiff_t start = -1;  // first purchase, or the last return after churn
      bool returned = false;
      std::ptrdiff_t silent = 0;
      std::int8_t prev = -1;
      for (std::ptrdiff_t t = 0; t < static_cast<std::ptrdiff_t>(np); ++t) {
        const bool bought = row[t] > 0.0;
        if (first < 0) {
          if (!bought) continue;
          first = start = t;
        }
        silent = bought ? 0 : silent + 1;
        std::int8_t s;
        if (bought && prev == kChurned) {
          s = kReactivated;
          start = t;
          returned = true;
        } else if (silent >= r.churn_periods) {
          s = kChurned;
        } else if (t - start < r.new_periods) {
          s = returned ? kReactivated : kIdentification;
        } else {
          const std::ptrdiff_t a = std::max(start, t - w + 1);
          const double recent = mean(a, t);
          const std::ptrdiff_t b = std::max(start, t - 2 * w + 1);
          if (b > t - w) {
            s = kStable;  // no trailing level yet
          } else {
            const double trailing = mean(b, t - w);
            if (trailing > 0.0) {
              if (recent <= (1.0 - r.decline) * trailing * (1.0 + kTol))
                s = kDecline;
              else if (recent >= (1.0 + r.growth) * trailing * (1.0 - kTol))
                s = kDevelopment;
              else
                s = kStable;
            } else {
              s = recent > 0.0 ? kDevelopment : kDecline;
            }
          }
        }
        // A partial last period never reads as a drop.
        if (last_partial && t == static_cast<std::ptrdiff_t>(np) - 1 && t > first &&
            (s == kDecline || s == kChurned))
          s = prev;
        out[static_cast<std::size_t>(t) * k + static_cast<std::size_t>(c)] = s;
        prev = s;
      }
    }
  }
  return out;
}

std::vector<std::int8_t> pyramid_tiers(const double* values, std::size_t k, std::size_t np,
                                       int window, const std::vector<double>& cum) {
  require(window >= 1, "pyramid_tiers: window must be at least 1");
  const std::size_t nt = cum.size();
  require(nt >= 1 && nt <= 100, "pyramid_tiers: between 1 and 100 tiers");
  for (std::size_t j = 0; j < nt; ++j)
    require(cum[j] >= 0.0 && cum[j] <= 1.0 + 1e-9 && (j == 0 || cum[j] >= cum[j - 1]),
            "pyramid_tiers: cumulative shares must rise from 0 to 1");
  require(std::fabs(cum[nt - 1] - 1.0) < 1e-9, "pyramid_tiers: the shares must sum to 1");
  std::vector<std::int8_t> out(k * np, -1);
  // First purchase period per customer.
  std::vector<std::int64_t> first(k);
  const auto kk = static_cast<std::ptrdiff_t>(k);
#pragma omp parallel for num_threads( \
        kamkit::max_threads()) if (k * np > static_cast<std::size_t>(kParallelThreshold))
  for (std::ptrdiff_t c = 0; c < kk; ++c) {
    const double* row = values + static_cast<std::size_t>(c) * np;
    std::size_t t = 0;
    while (t < np && !(row[t] > 0.0)) ++t;
    first[c] = static_cast<std::int64_t>(t);
  }
  const auto npp = static_cast<std::ptrdiff_t>(np);
#pragma omp parallel num_threads( \
        kamkit::max_threads()) if (k * np > static_cast<std::size_t>(kParallelThreshold))
  {
    std::vector<double> trail, desc;
    std::vector<std::int32_t> order;
#pragma omp for schedule(dynamic, 1)
    for (std::ptrdiff_t t = 0; t < npp; ++t) {
      trail.assign(k, 0.0);
      order.clear();
      const std::ptrdiff_t a = std::max<std::ptrdiff_t>(0, t - window + 1);
      for (std::size_t c = 0; c < k; ++c) {
        if (first[c] > t) continue;
        const double* row = values + c * np;
        double s = 0.0;
        for (std::ptrdiff_t u = a; u <= t; ++u) s += row[u];
        trail[c] = s;
        order.push_back(static_cast<std::int32_t>(c));
      }
      std::sort(order.begin(), order.end(), [&](std::int32_t x, std::int32_t y) {
        return trail[x] > trail[y] || (trail[x] == trail[y] && x < y);
      });
      const std::size_t m = order.size();
      desc.resize(m);
      for (std::size_t i = 0; i < m; ++i) desc[i] = trail[order[i]];
      // Cuts at round(cum share x m) (half up), never decreasing; a cut inside
      // a run of equal values moves to the run's nearer end (at equal
      // distance the run joins the upper tier), as kamkit.pyramid does.
      std::vector<std::size_t> cut(nt);
      std::size_t prev_cut = 0;
      for (std::size_t j = 0; j < nt; ++j) {
        const double x = std::floor(cum[j] * static_cast<double>(m) + 0.5 + 1e-9);
        std::size_t c = std::min(static_cast<std::size_t>(x), m);
        c = std::max(c, prev_cut);
        prev_cut = c;
        cut[j] = c;
      }
      cut[nt - 1] = m;
      for (std::size_t j = 0; j + 1 < nt; ++j) {
        const std::size_t c = cut[j];
        if (c == 0 || c >= m || desc[c - 1] != desc[c]) continue;
        const double v = desc[c];
        const auto lo = static_cast<std::size_t>(
            std::lower_bound(desc.begin(), desc.end(), v, std::greater<double>()) - desc.begin());
        const auto hi = static_cast<std::size_t>(
            std::upper_bound(desc.begin(), desc.end(), v, std::greater<double>()) - desc.begin());
        cut[j] = (c - lo < hi - c) ? lo : hi;
      }
      for (std::size_t j = 1; j < nt; ++j) cut[j] = std::max(cut[j], cut[j - 1]);
      std::int8_t* col = out.data() + static_cast<std::size_t>(t) * k;
      std::size_t j = 0;
      for (std::size_t i = 0; i < m; ++i) {
        while (j + 1 < nt && i >= cut[j]) ++j;
        col[order[i]] = static_cast<std::int8_t>(nt - 1 - j);
      }
    }
  }
  return out;
}

std::vector<std::int64_t> transition_counts(const std::int32_t* states, std::size_t np,
                                            std::size_t k, int n_states) {
  require(n_states >= 1, "transition_counts: n_states must be at least 1");
  const auto s = static_cast<std::size_t>(n_states);
  const std::size_t pairs = np > 0 ? np - 1 : 0;
  std::vector<std::int64_t> out(pairs * s * s, 0);
  if (pairs == 0 || k == 0) return out;
  const int threads = threads_for(pairs * k);
  // Per-thread tables over every pair; each thread takes a slice of customers.
  std::vector<std::vector<std::int64_t>> local(static_cast<std::size_t>(threads));
  bool bad = false;
  // One iteration per slice, whatever number of threads the runtime gives.
#pragma omp parallel for schedule(static) num_threads(threads) reduction(|| : bad)
  for (int t = 0; t < threads; ++t) {
    auto& mine = local[static_cast<std::size_t>(t)];
    mine.assign(pairs * s * s, 0);
    const std::size_t lo = k * static_cast<std::size_t>(t) / threads;
    const std::size_t hi = k * static_cast<std::size_t>(t + 1) / threads;
    for (std::size_t p = 0; p < pairs; ++p) {
      const std::int32_t* from = states + p * k;
      const std::int32_t* to = from + k;
      std::int64_t* table = mine.data() + p * s * s;
      for (std::size_t c = lo; c < hi; ++c) {
        const std::int32_t a = from[c], b = to[c];
        if (a < 0 || b < 0) continue;
        if (a >= n_states || b >= n_states) {
          bad = true;
          continue;
        }
        ++table[static_cast<std::size_t>(a) * s + static_cast<std::size_t>(b)];
      }
    }
  }
  require(!bad, "transition_counts: a state code is out of range");
  for (const auto& mine : local)
    for (std::size_t i = 0; i < out.size(); ++i) out[i] += mine[i];
  return out;
}

}  // namespace kamkit
