// Shared pieces of the customer-base models.
#include "kamkit/models/common.hpp"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>
#include <string>

#include "kamkit/common.hpp"
#include "kamkit/grouping.hpp"

namespace kamkit::models {

namespace {

/// Rows with a value at fault: the first such row, or -1.
template <class Bad>
std::ptrdiff_t first_bad_row(std::size_t n, Bad bad) {
  const auto m = static_cast<std::ptrdiff_t>(n);
  std::ptrdiff_t first = m;
#ifdef KAMKIT_HAVE_OPENMP
#pragma omp parallel for num_threads(kamkit::max_threads()) \
    reduction(min : first) if (m > kParallelThreshold)
#endif
  for (std::ptrdiff_t i = 0; i < m; ++i)
    if (bad(static_cast<std::size_t>(i)) && i < first) first = i;
  return first < m ? first : -1;
}

/// Integer whose order is the order of the double (-0 as +0).
std::int64_t ordered_bits(double v) {
  if (v == 0.0) v = 0.0;
  std::int64_t b;
  std::memcpy(&b, &v, sizeof b);
  return b >= 0 ? b : static_cast<std::int64_t>(b ^ std::numeric_limits<std::int64_t>::max());
}

int bit_width(std::uint64_t v) {
  int b = 0;
  while (b < 64 && (v >> b) != 0) ++b;
  return b;
}

/// How one column's values become codes 0..count-1 in increasing order.
struct ColumnCoder {
  const double* v = nullptr;
  bool direct = true;                // code = v - lo
  double lo = 0;                     // direct
  std::vector<std::int32_t> hashed;  // otherwise: code of every row
  std::vector<double> unique;        // otherwise: value of every code
  std::uint64_t count = 1;
  std::int32_t code(std::size_t i) const {
    return direct ? static_cast<std::int32_t>(v[i] - lo) : hashed[i];
  }
  double value(std::int32_t c) const { return direct ? lo + c : unique[c]; }
};

std::vector<ColumnCoder> make_coders(const std::vector<const double*>& columns, std::size_t n,
                                     const std::uint8_t* keep) {
  const std::size_t k = columns.size();
  std::vector<double> lo(k, std::numeric_limits<double>::infinity());
  std::vector<double> hi(k, -std::numeric_limits<double>::infinity());
  std::vector<int> whole(k, 1);
  const auto m = static_cast<std::ptrdiff_t>(n);
#ifdef KAMKIT_HAVE_OPENMP
#pragma omp parallel num_threads(kamkit::max_threads()) if (m > kParallelThreshold)
#endif
  {
    std::vector<double> l(lo), h(hi);
    std::vector<int> w(whole);
#ifdef KAMKIT_HAVE_OPENMP
#pragma omp for schedule(static) nowait
#endif
    for (std::ptrdiff_t i = 0; i < m; ++i) {
      if (keep && !keep[i]) continue;
      for (std::size_t j = 0; j < k; ++j) {
        const double v = columns[j][i];
        l[j] = std::min(l[j], v);
        h[j] = std::max(h[j], v);
        w[j] &= static_cast<int>(v == std::floor(v));
      }
    }
#ifdef KAMKIT_HAVE_OPENMP
#pragma omp critical
#endif
    for (std::size_t j = 0; j < k; ++j) {
      lo[j] = std::min(lo[j], l[j]);
      hi[j] = std::max(hi[j], h[j]);
      whole[j] &= w[j];
    }
  }
  std::vector<ColumnCoder> coders(k);
  for (std::size_t j = 0; j < k; ++j) {
    ColumnCoder& c = coders[j];
    c.v = columns[j];
    if (!(lo[j] <= hi[j])) continue;  // nothing kept
    const double span = hi[j] - lo[j];
    if (whole[j] && span < std::max(4.0 * static_cast<double>(n), 4096.0) && span < 1073741824.0) {
      c.lo = lo[j];
      c.count = static_cast<std::uint64_t>(span) + 1;
      continue;
    }
    c.direct = false;
    std::vector<std::int64_t> bits(n);
#ifdef KAMKIT_HAVE_OPENMP
#pragma omp parallel for num_threads(kamkit::max_threads()) if (m > kParallelThreshold)
#endif
    for (std::ptrdiff_t i = 0; i < m; ++i) bits[i] = ordered_bits(c.v[i]);
    Grouping g = group_keys(bits.data(), n, keep);
    c.count = std::max<std::uint64_t>(g.unique_keys.size(), 1);
    c.unique.resize(g.unique_keys.size());
    for (std::size_t u = 0; u < g.unique_keys.size(); ++u) {
      const std::int64_t b = g.unique_keys[u];
      const std::int64_t raw =
          b >= 0 ? b : static_cast<std::int64_t>(b ^ std::numeric_limits<std::int64_t>::max());
      std::memcpy(&c.unique[u], &raw, sizeof raw);
    }
    c.hashed = std::move(g.codes);
    for (auto& h : c.hashed) h = std::max(h, 0);
  }
  return coders;
}

/// LSD radix sort of `a` on bits [low, low + bits) (stable).
void radix_sort(std::vector<std::uint64_t>& a, int low, int bits) {
  if (bits <= 0) return;
  const int passes = (bits + 10) / 11;
  const int digit = (bits + passes - 1) / passes;
  const std::size_t radix = std::size_t{1} << digit;
  const std::uint64_t mask = radix - 1;
  std::vector<std::size_t> hist(radix * static_cast<std::size_t>(passes), 0);
  for (const std::uint64_t v : a)
    for (int p = 0; p < passes; ++p) ++hist[p * radix + ((v >> (low + p * digit)) & mask)];
  std::vector<std::uint64_t> b(a.size());
  for (int p = 0; p < passes; ++p) {
    std::size_t* h = &hist[p * radix];
    std::size_t pos = 0;
    for (std::size_t d = 0; d < radix; ++d) {
      const std::size_t c = h[d];
      h[d] = pos;
      pos += c;
    }
    const int shift = low + p * digit;
    for (const std::uint64_t v : a) b[h[(v >> shift) & mask]++] = v;
    a.swap(b);
  }
}

/// Fills levels and level of column j from the distinct rows' codes.
void level_column(const ColumnCoder& c, const std::vector<std::int32_t>& codes, DistinctRows& out,
                  std::size_t j) {
  const std::size_t nd = codes.size();
  std::vector<std::int32_t> map(c.count, -1);
  for (std::size_t r = 0; r < nd; ++r) map[codes[r]] = 0;
  std::int32_t next = 0;
  auto& levels = out.levels[j];
  for (std::size_t u = 0; u < map.size(); ++u)
    if (map[u] == 0) {
      map[u] = next++;
      levels.push_back(c.value(static_cast<std::int32_t>(u)));
    }
  auto& level = out.level[j];
  auto& value = out.value[j];
  level.resize(nd);
  value.resize(nd);
  for (std::size_t r = 0; r < nd; ++r) {
    level[r] = map[codes[r]];
    value[r] = levels[level[r]];
  }
}

template <class Data>
void weigh_distinct_x(Data& d) {
  d.weight_of_x.assign(d.distinct_x.size(), 0.0);
  for (std::size_t i = 0; i < d.x.size(); ++i) d.weight_of_x[d.x_index[i]] += d.weight[i];
}

/// Summed weights of the distinct rows (counts when `weight` is null).
std::vector<double> distinct_weights(const DistinctRows& dr, const double* weight, std::size_t n,
                                     double& total) {
  std::vector<double> w(dr.size(), 0.0);
  if (weight) {
    for (std::size_t i = 0; i < n; ++i) {
      const std::int32_t c = dr.code[i];
      if (c >= 0) w[c] += weight[i];
    }
  } else {
    for (std::size_t r = 0; r < w.size(); ++r) w[r] = static_cast<double>(dr.count[r]);
  }
  total = 0;
  for (double v : w) total += v;
  return w;
}

std::vector<std::uint8_t> positive_weights(const double* weight, std::size_t n) {
  std::vector<std::uint8_t> keep;
  if (!weight) return keep;
  keep.resize(n);
  const auto m = static_cast<std::ptrdiff_t>(n);
  std::int64_t kept = 0;
#ifdef KAMKIT_HAVE_OPENMP
#pragma omp parallel for num_threads(kamkit::max_threads()) \
    reduction(+ : kept) if (m > kParallelThreshold)
#endif
  for (std::ptrdiff_t i = 0; i < m; ++i) {
    keep[i] = weight[i] > 0;
    kept += keep[i];
  }
  if (kept == 0) keep.clear();
  return keep;
}

std::string row_text(std::size_t i) { return "row " + std::to_string(i); }

}  // namespace

DistinctRows distinct_rows(const std::vector<const double*>& columns, std::size_t n,
                           const std::uint8_t* keep, bool row_codes) {
  require(n < static_cast<std::size_t>(std::numeric_limits<std::int32_t>::max()),
          "models: at most 2^31 - 1 rows are supported");
  const std::size_t k = columns.size();
  const std::vector<ColumnCoder> coders = make_coders(columns, n, keep);
  const auto m = static_cast<std::ptrdiff_t>(n);
  DistinctRows out;
  out.value.resize(k);
  out.levels.resize(k);
  out.level.resize(k);
  std::vector<std::vector<std::int32_t>> codes(k);  // per column: distinct row -> code
  // Mixed-radix key of a row (the last column varies fastest); one more
  // value, `range`, marks rows left out so that they sort last.
  const int row_bits = bit_width(static_cast<std::uint64_t>(n));
  std::uint64_t range = 1;
  bool packed = true;
  for (const auto& c : coders) {
    if (range > (std::uint64_t{1} << (64 - row_bits)) / c.count) packed = false;
    if (packed) range *= c.count;
  }
  packed = packed && bit_width(range) + row_bits <= 64;
  if (packed) {
    std::vector<std::uint64_t> a(n);
#ifdef KAMKIT_HAVE_OPENMP
#pragma omp parallel for num_threads(kamkit::max_threads()) if (m > kParallelThreshold)
#endif
    for (std::ptrdiff_t i = 0; i < m; ++i) {
      std::uint64_t key = range;
      if (!keep || keep[i]) {
        key = 0;
        for (const auto& c : coders)
          key = key * c.count + static_cast<std::uint64_t>(c.code(static_cast<std::size_t>(i)));
      }
      a[i] = (key << row_bits) | static_cast<std::uint64_t>(i);
    }
    radix_sort(a, row_bits, bit_width(range));
    if (row_codes) out.code.assign(n, -1);
    const std::uint64_t row_mask = (std::uint64_t{1} << row_bits) - 1;
    std::uint64_t previous = ~std::uint64_t{0};
    for (const std::uint64_t v : a) {
      const std::uint64_t key = v >> row_bits;
      if (key == range) break;
      if (key != previous) {
        previous = key;
        out.count.push_back(0);
        std::uint64_t rest = key;
        for (std::size_t j = k; j-- > 0;) {
          codes[j].push_back(static_cast<std::int32_t>(rest % coders[j].count));
          rest /= coders[j].count;
        }
      }
      ++out.count.back();
      if (row_codes) out.code[v & row_mask] = static_cast<std::int32_t>(out.count.size() - 1);
    }
  } else {
    // Too many combinations for one word: group column by column.
    std::vector<std::int64_t> key(n, 0);
    for (const auto& c : coders) {
      Grouping g = group_keys(key.data(), n, keep);
      const auto count = static_cast<std::int64_t>(c.count);
#ifdef KAMKIT_HAVE_OPENMP
#pragma omp parallel for num_threads(kamkit::max_threads()) if (m > kParallelThreshold)
#endif
      for (std::ptrdiff_t i = 0; i < m; ++i)
        key[i] =
            std::max<std::int64_t>(g.codes[i], 0) * count + c.code(static_cast<std::size_t>(i));
    }
    Grouping g = group_keys(key.data(), n, keep);
    out.count = std::move(g.counts);
    std::vector<std::int64_t> first(out.count.size(), -1);
    for (std::size_t i = 0; i < n; ++i) {
      const std::int32_t c = g.codes[i];
      if (c >= 0 && first[c] < 0) first[c] = static_cast<std::int64_t>(i);
    }
    for (std::size_t j = 0; j < k; ++j) {
      codes[j].resize(first.size());
      for (std::size_t r = 0; r < first.size(); ++r)
        codes[j][r] = coders[j].code(static_cast<std::size_t>(first[r]));
    }
    if (row_codes) out.code = std::move(g.codes);
  }
  for (std::size_t j = 0; j < k; ++j) level_column(coders[j], codes[j], out, j);
  return out;
}

namespace {

/// v is a finite whole number >= 0, without a branch or a call to floor (which
/// is a library call on baseline x86-64): every double from 2^52 up is whole,
/// below it the round trip through int64 decides.
inline bool whole_nonnegative(double v) {
  const bool in_range = (v >= 0) & (v < 4503599627370496.0);  // false for NaN
  const double c = in_range ? v : 0.0;                        // keeps the cast defined
  const bool whole = c == static_cast<double>(static_cast<std::int64_t>(c));
  return (v >= 0) & (v <= std::numeric_limits<double>::max()) & ((!in_range) | whole);
}

}  // namespace

bool rfm_is_valid(const double* x, const double* t_x, const double* T, std::size_t n,
                  bool discrete) {
  // Counts the bad rows with non-short-circuit operators (no early exit: the
  // loop vectorises and the common all-valid case reads every row anyway).
  const auto m = static_cast<std::ptrdiff_t>(n);
  std::ptrdiff_t n_bad = 0;
#ifdef KAMKIT_HAVE_OPENMP
#pragma omp parallel for num_threads(kamkit::max_threads()) \
    reduction(+ : n_bad) if (m > kParallelThreshold)
#endif
  for (std::ptrdiff_t i = 0; i < m; ++i) {
    const double f = x[i], r = t_x[i], a = T[i];
    // r in [0, a] with a finite makes r finite; NaN fails every comparison.
    bool ok = whole_nonnegative(f) & (r >= 0) & (r <= a) &
              (a <= std::numeric_limits<double>::max()) & ((f != 0) | (r == 0));
    if (discrete) ok = ok & whole_nonnegative(r) & whole_nonnegative(a) & (f <= r);
    n_bad += ok ? 0 : 1;
  }
  return n_bad == 0;
}

RfmData compress_rfm(const double* x, const double* t_x, const double* T, const double* weight,
                     std::size_t n) {
  require(n > 0, "models: no customers (empty frequency/recency/T)");
  const std::ptrdiff_t bad = first_bad_row(n, [&](std::size_t i) {
    const double w = weight ? weight[i] : 1.0;
    return !(std::isfinite(x[i]) && std::isfinite(t_x[i]) && std::isfinite(T[i]) &&
             std::isfinite(w) && x[i] >= 0 && x[i] == std::floor(x[i]) && t_x[i] >= 0 &&
             t_x[i] <= T[i] && w >= 0);
  });
  if (bad >= 0) {
    const auto i = static_cast<std::size_t>(bad);
    const double w = weight ? weight[i] : 1.0;
    require(std::isfinite(x[i]) && std::isfinite(t_x[i]) && std::isfinite(T[i]) && std::isfinite(w),
            "models: frequency, recency, T and weights must be finite (" + row_text(i) + ")");
    require(x[i] >= 0 && x[i] == std::floor(x[i]),
            "models: frequency must be a non-negative integer (" + row_text(i) + ")");
    require(t_x[i] >= 0 && t_x[i] <= T[i],
            "models: recency must lie in [0, T] (" + row_text(i) + ")");
    require(w >= 0, "models: weights must be >= 0 (" + row_text(i) + ")");
  }
  const std::vector<std::uint8_t> keep = positive_weights(weight, n);
  require(!weight || !keep.empty(), "models: all weights are zero");
  const DistinctRows dr =
      distinct_rows({x, t_x, T}, n, keep.empty() ? nullptr : keep.data(), weight != nullptr);
  RfmData d;
  d.n_input = n;
  d.x = dr.value[0];
  d.t_x = dr.value[1];
  d.T = dr.value[2];
  d.weight = distinct_weights(dr, weight, n, d.total_weight);
  require(d.total_weight > 0, "models: all weights are zero");
  d.distinct_x = dr.levels[0];
  d.x_index = dr.level[0];
  d.distinct_t_x = dr.levels[1];
  d.t_x_index = dr.level[1];
  d.distinct_T = dr.levels[2];
  d.T_index = dr.level[2];
  weigh_distinct_x(d);
  return d;
}

SpendData compress_spend(const double* x, const double* m, const double* weight, std::size_t n) {
  require(n > 0, "gamma-gamma: no customers with repeat purchases and positive spend");
  const std::ptrdiff_t bad = first_bad_row(n, [&](std::size_t i) {
    const double w = weight ? weight[i] : 1.0;
    return !(std::isfinite(x[i]) && std::isfinite(m[i]) && std::isfinite(w) && x[i] > 0 &&
             x[i] == std::floor(x[i]) && m[i] > 0 && w >= 0);
  });
  if (bad >= 0) {
    const auto i = static_cast<std::size_t>(bad);
    const double w = weight ? weight[i] : 1.0;
    require(
        std::isfinite(x[i]) && std::isfinite(m[i]) && std::isfinite(w),
        "gamma-gamma: frequency, monetary value and weights must be finite (" + row_text(i) + ")");
    require(x[i] > 0 && x[i] == std::floor(x[i]),
            "gamma-gamma: frequency must be a positive integer (" + row_text(i) + ")");
    require(m[i] > 0, "gamma-gamma: monetary value must be > 0 (" + row_text(i) + ")");
    require(w >= 0, "gamma-gamma: weights must be >= 0 (" + row_text(i) + ")");
  }
  const std::vector<std::uint8_t> keep = positive_weights(weight, n);
  require(!weight || !keep.empty(), "gamma-gamma: all weights are zero");
  const DistinctRows dr =
      distinct_rows({x, m}, n, keep.empty() ? nullptr : keep.data(), weight != nullptr);
  SpendData d;
  d.n_input = n;
  d.x = dr.value[0];
  d.m = dr.value[1];
  d.weight = distinct_weights(dr, weight, n, d.total_weight);
  require(d.total_weight > 0, "gamma-gamma: all weights are zero");
  d.distinct_x = dr.levels[0];
  d.x_index = dr.level[0];
  weigh_distinct_x(d);
  return d;
}

void to_log_space(const Eigen::VectorXd& p, Eigen::VectorXd& g, Eigen::MatrixXd& H) {
  if (H.size() > 0) {
    H = p.asDiagonal() * H * p.asDiagonal();
    H.diagonal() += p.cwiseProduct(g);
  }
  if (g.size() > 0) g = p.cwiseProduct(g);
}

double digamma(double x) {
  double result = 0.0;
  while (x < 10.0) {
    result -= 1.0 / x;
    x += 1.0;
  }
  const double f = 1.0 / (x * x);
  const double series =
      f * (-1.0 / 12 + f * (1.0 / 120 + f * (-1.0 / 252 + f * (1.0 / 240 + f * (-1.0 / 132)))));
  return result + std::log(x) - 0.5 / x + series;
}

double trigamma(double x) {
  double result = 0.0;
  while (x < 10.0) {
    result += 1.0 / (x * x);
    x += 1.0;
  }
  const double f = 1.0 / (x * x);
  const double series =
      1.0 / x + 0.5 * f +
      (1.0 / x) * f * (1.0 / 6 + f * (-1.0 / 30 + f * (1.0 / 42 + f * (-1.0 / 30 + f * 5.0 / 66))));
  return result + series;
}

double lbeta(double a, double b) { return std::lgamma(a) + std::lgamma(b) - std::lgamma(a + b); }

double log_add_exp(double a, double b) {
  if (a == -std::numeric_limits<double>::infinity()) return b;
  if (b == -std::numeric_limits<double>::infinity()) return a;
  const double m = std::max(a, b);
  return m + std::log1p(std::exp(-std::fabs(a - b)));
}

double log_hyp2f1(double a, double b, double c, double z) {
  if (z == 0.0) return 0.0;
  double prefix = 0.0;
  if (c - a - b < 0.0) {
    // Euler: 2F1(a,b;c;z) = (1-z)^(c-a-b) 2F1(c-a, c-b; c; z); its series
    // decays like k^(a+b-c-1) z^k instead of k^(c-a-b-1) z^k.
    prefix = (c - a - b) * std::log1p(-z);
    const double a2 = c - a, b2 = c - b;
    a = a2;
    b = b2;
  }
  constexpr double kBig = 1e250;
  const double log_big = std::log(kBig);
  double sum = 1.0, term = 1.0, scale = 0.0;
  for (long k = 0; k < 4000000; ++k) {
    const double kk = static_cast<double>(k);
    term *= (a + kk) * (b + kk) / ((c + kk) * (kk + 1.0)) * z;
    sum += term;
    if (term == 0.0) break;
    if (std::fabs(sum) > kBig) {
      sum /= kBig;
      term /= kBig;
      scale += log_big;
    }
    const double next = std::fabs((a + kk + 1) * (b + kk + 1) / ((c + kk + 1) * (kk + 2)) * z);
    if (next < 1.0 && std::fabs(term) <= 1e-17 * std::fabs(sum)) break;
  }
  if (!(sum > 0.0)) return std::numeric_limits<double>::quiet_NaN();
  return prefix + scale + std::log(sum);
}

const GaussRule& gauss_legendre_24() {
  static const GaussRule rule = [] {
    const int n = 24;
    GaussRule r;
    r.nodes.resize(n);
    r.weights.resize(n);
    const double pi = 3.14159265358979323846;
    for (int i = 0; i < n; ++i) {
      double x = std::cos(pi * (i + 0.75) / (n + 0.5));
      double dp = 1.0;
      for (int it = 0; it < 100; ++it) {
        double p0 = 1.0, p1 = x;
        for (int k = 2; k <= n; ++k) {
          const double p2 = ((2.0 * k - 1.0) * x * p1 - (k - 1.0) * p0) / k;
          p0 = p1;
          p1 = p2;
        }
        dp = n * (x * p1 - p0) / (x * x - 1.0);
        const double dx = p1 / dp;
        x -= dx;
        if (std::fabs(dx) < 1e-16) break;
      }
      r.nodes[i] = x;
      r.weights[i] = 2.0 / ((1.0 - x * x) * dp * dp);
    }
    return r;
  }();
  return rule;
}

}  // namespace kamkit::models
