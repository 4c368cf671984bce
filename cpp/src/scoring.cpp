#include "kamkit/scoring.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <vector>

#include "kamkit/common.hpp"
#include "kamkit/order.hpp"

namespace kamkit {

ScoreMethod parse_score_method(const std::string& name) {
  if (name == "minmax") return ScoreMethod::MinMax;
  if (name == "zscore") return ScoreMethod::ZScore;
  if (name == "rank") return ScoreMethod::Rank;
  throw std::invalid_argument("score method: expected 'minmax', 'zscore' or 'rank', got '" + name +
                              "'");
}

void normalize(const double* x, std::size_t n, ScoreMethod method, double* out) {
  const auto m = static_cast<std::ptrdiff_t>(n);
  if (n == 0) return;
  double lo = std::numeric_limits<double>::infinity();
  double hi = -std::numeric_limits<double>::infinity();
  std::ptrdiff_t bad = 0;
#pragma omp parallel for reduction(min : lo) reduction(max : hi) reduction(+ : bad) \
    num_threads(kamkit::max_threads()) if (m > kParallelThreshold)
  for (std::ptrdiff_t i = 0; i < m; ++i) {
    const double v = x[i];
    bad += std::isfinite(v) ? 0 : 1;
    lo = std::min(lo, v);
    hi = std::max(hi, v);
  }
  require(bad == 0, "score: " + std::to_string(bad) + " values are NaN or infinite");
  switch (method) {
    case ScoreMethod::MinMax: {
      // Halved values when the range passes the float range (exact; the
      // score does not depend on the scale).
      const double h = std::isfinite(hi - lo) ? 1.0 : 0.5;
      const double range = h * hi - h * lo;
      if (!(range > 0.0)) {
        std::fill(out, out + n, 0.5);
        return;
      }
#pragma omp parallel for num_threads(kamkit::max_threads()) if (m > kParallelThreshold)
      for (std::ptrdiff_t i = 0; i < m; ++i) out[i] = (h * x[i] - h * lo) / range;
      return;
    }
    case ScoreMethod::ZScore: {
      if (hi == lo) {
        std::fill(out, out + n, 0.5);
        return;
      }
      // Values past 2^500 in size are scaled by a power of two (exact) so
      // that their sum and squares stay in range; z-scores do not depend on it.
      const double big = std::max(std::fabs(lo), std::fabs(hi));
      const double unit = big > 0x1p500 ? std::ldexp(1.0, -std::ilogb(big) - 1) : 1.0;
      // Sums over fixed slices added in order: the same bits for any thread count.
      const double mean =
          sum_fixed_slices(n, [&](std::size_t i) { return unit * x[i]; }) / static_cast<double>(n);
      const double ss = sum_fixed_slices(n, [&](std::size_t i) {
        const double d = unit * x[i] - mean;
        return d * d;
      });
      const double sd = std::sqrt(ss / static_cast<double>(n));
      if (!(sd > 0.0)) {
        std::fill(out, out + n, 0.5);
        return;
      }
      const double scale = 1.0 / (sd * std::sqrt(2.0));
#pragma omp parallel for num_threads(kamkit::max_threads()) if (m > kParallelThreshold)
      for (std::ptrdiff_t i = 0; i < m; ++i)
        out[i] = 0.5 * std::erfc(-(unit * x[i] - mean) * scale);
      return;
    }
    case ScoreMethod::Rank: {
      if (n == 1) {
        out[0] = 0.5;
        return;
      }
      const std::vector<std::int32_t> order = argsort(x, n);
      average_ranks(x, order.data(), n, out);
      const double inv = 1.0 / static_cast<double>(n - 1);
#pragma omp parallel for num_threads(kamkit::max_threads()) if (m > kParallelThreshold)
      for (std::ptrdiff_t i = 0; i < m; ++i) out[i] = (out[i] - 1.0) * inv;
      return;
    }
  }
}

void value_score(const double* columns, std::size_t n, std::size_t k, const double* weights,
                 ScoreMethod method, double* out) {
  std::vector<const double*> cols(k);
  for (std::size_t j = 0; j < k; ++j) cols[j] = columns + j * n;
  value_score(cols.data(), n, k, weights, method, out);
}

void value_score(const double* const* columns, std::size_t n, std::size_t k, const double* weights,
                 ScoreMethod method, double* out) {
  double total = 0.0;
  for (std::size_t j = 0; j < k; ++j) {
    require(std::isfinite(weights[j]), "score: weights must be finite");
    total += std::abs(weights[j]);
  }
  require(total > 0.0, "score: the weights are all zero");
  const auto m = static_cast<std::ptrdiff_t>(n);
  if (method == ScoreMethod::MinMax) {
    // Fused: one pass for every column's range, one pass for the score, so
    // each row is read twice whatever the number of criteria.
    // score = offset + sum_j w_j * (x_j - lo_j) / (hi_j - lo_j), with w_j < 0 for
    // lower-is-better criteria (their offset adds |w_j|). Dividing by the
    // range (rather than multiplying by a precomputed w / range) cannot
    // overflow when the range is tiny.
    std::vector<double> lo_j(k, 0.0), range_j(k, 1.0), w_j(k, 0.0), half_j(k, 1.0);
    double offset = 0.0;
    for (std::size_t j = 0; j < k; ++j) {
      if (weights[j] == 0.0) continue;
      const double* x = columns[j];
      double lo = std::numeric_limits<double>::infinity();
      double hi = -std::numeric_limits<double>::infinity();
      std::ptrdiff_t bad = 0;
#pragma omp parallel for num_threads(kamkit::max_threads()) reduction(min : lo) \
    reduction(max : hi) reduction(+ : bad) if (m > kParallelThreshold)
      for (std::ptrdiff_t i = 0; i < m; ++i) {
        bad += std::isfinite(x[i]) ? 0 : 1;
        lo = std::min(lo, x[i]);
        hi = std::max(hi, x[i]);
      }
      require(bad == 0, "score: " + std::to_string(bad) + " values are NaN or infinite");
      const double w = 100.0 * std::abs(weights[j]) / total;
      if (!(hi > lo)) {
        offset += 0.5 * w;  // a constant criterion scores 0.5
        continue;
      }
      // A range past the float range (values near +-1.8e308) is taken on
      // halved values: halving is exact, and the score does not depend on it.
      half_j[j] = std::isfinite(hi - lo) ? 1.0 : 0.5;
      lo_j[j] = half_j[j] * lo;
      range_j[j] = half_j[j] * hi - half_j[j] * lo;
      w_j[j] = weights[j] < 0.0 ? -w : w;
      if (weights[j] < 0.0) offset += w;
    }
    // Per criterion w / range when that is finite (one multiplication per
    // value), else w and the range apart (a division) so that tiny ranges
    // cannot overflow. Blocks of customers, criterion by criterion: the inner
    // loops vectorise and the block stays in L1.
    std::vector<std::size_t> used;
    std::vector<double> scale_j(k, 0.0);
    std::vector<char> divide_j(k, 0);
    for (std::size_t j = 0; j < k; ++j) {
      if (w_j[j] == 0.0) continue;
      used.push_back(j);
      scale_j[j] = w_j[j] / range_j[j];
      divide_j[j] = !std::isfinite(scale_j[j]) || half_j[j] != 1.0;
    }
    constexpr std::ptrdiff_t kBlock = 1024;
    const std::ptrdiff_t nblocks = (m + kBlock - 1) / kBlock;
#pragma omp parallel for num_threads(kamkit::max_threads()) if (m > kParallelThreshold)
    for (std::ptrdiff_t blk = 0; blk < nblocks; ++blk) {
      const std::ptrdiff_t lo = blk * kBlock, hi = std::min(m, lo + kBlock);
      double* o = out + lo;
      const std::ptrdiff_t nb = hi - lo;
      for (std::ptrdiff_t i = 0; i < nb; ++i) o[i] = offset;
      for (const std::size_t j : used) {
        const double* x = columns[j] + lo;
        const double l = lo_j[j];
        if (divide_j[j]) {
          const double w = w_j[j], r = range_j[j], h = half_j[j];
          for (std::ptrdiff_t i = 0; i < nb; ++i) o[i] += w * ((h * x[i] - l) / r);
        } else {
          const double sc = scale_j[j];
          for (std::ptrdiff_t i = 0; i < nb; ++i) o[i] += sc * (x[i] - l);
        }
      }
      for (std::ptrdiff_t i = 0; i < nb; ++i) o[i] = std::min(100.0, std::max(0.0, o[i]));
    }
    return;
  }
  if (method == ScoreMethod::Rank && n > 1) {
    // One sort per criterion; each run of equal values adds its weighted
    // percentile (average rank - 1) / (n - 1) straight to the scores of its
    // customers, reading the sorted values rather than gathering them.
    std::fill(out, out + n, 0.0);
    std::vector<std::int32_t> order;
    std::vector<double> sorted;
    const double inv = 1.0 / static_cast<double>(n - 1);
    for (std::size_t j = 0; j < k; ++j) {
      if (weights[j] == 0.0) continue;
      const double* x = columns[j];
      std::ptrdiff_t bad = 0;
#pragma omp parallel for num_threads(kamkit::max_threads()) \
    reduction(+ : bad) if (m > kParallelThreshold)
      for (std::ptrdiff_t i = 0; i < m; ++i) bad += std::isfinite(x[i]) ? 0 : 1;
      require(bad == 0, "score: " + std::to_string(bad) + " values are NaN or infinite");
      argsort_values(x, n, order, sorted);
      const double w = 100.0 * std::abs(weights[j]) / total;
      const bool lower_is_better = weights[j] < 0.0;
      // Each thread takes the runs that start in its slice of the sorted
      // positions (order is a permutation: no two threads write one score).
      const double* sv = sorted.data();
      const std::int32_t* ov = order.data();
      const int threads = m > kParallelThreshold ? max_threads() : 1;
      const std::size_t chunk =
          (n + static_cast<std::size_t>(threads) - 1) / static_cast<std::size_t>(threads);
      // One iteration per slice, whatever number of threads the runtime gives.
#pragma omp parallel for schedule(static) num_threads(threads)
      for (int part = 0; part < threads; ++part) {
        const auto t = static_cast<std::size_t>(part);
        std::size_t a = std::min(n, chunk * t);
        const std::size_t hi = std::min(n, a + chunk);
        while (a > 0 && a < hi && sv[a] == sv[a - 1]) ++a;  // a run from the slice before
        while (a < hi) {
          std::size_t b = a + 1;
          while (b < n && sv[b] == sv[a]) ++b;
          // Positions a..b-1 hold ranks a+1..b; their mean is (a + 1 + b) / 2.
          const double pct = (0.5 * static_cast<double>(a + 1 + b) - 1.0) * inv;
          const double add = w * (lower_is_better ? 1.0 - pct : pct);
          for (std::size_t p = a; p < b; ++p) out[ov[p]] += add;
          a = b;
        }
      }
    }
#pragma omp parallel for num_threads(kamkit::max_threads()) if (m > kParallelThreshold)
    for (std::ptrdiff_t i = 0; i < m; ++i) out[i] = std::min(100.0, std::max(0.0, out[i]));
    return;
  }
  std::fill(out, out + n, 0.0);
  std::vector<double> s(n);
  for (std::size_t j = 0; j < k; ++j) {
    if (weights[j] == 0.0) continue;
    normalize(columns[j], n, method, s.data());
    const double w = 100.0 * std::abs(weights[j]) / total;
    const bool lower_is_better = weights[j] < 0.0;
#pragma omp parallel for num_threads(kamkit::max_threads()) if (m > kParallelThreshold)
    for (std::ptrdiff_t i = 0; i < m; ++i) out[i] += w * (lower_is_better ? 1.0 - s[i] : s[i]);
  }
  // Rounding can leave a hair outside the range.
#pragma omp parallel for num_threads(kamkit::max_threads()) if (m > kParallelThreshold)
  for (std::ptrdiff_t i = 0; i < m; ++i) out[i] = std::min(100.0, std::max(0.0, out[i]));
}

}  // namespace kamkit

namespace kamkit {
namespace {

#if defined(__SIZEOF_INT128__)
__extension__ typedef __int128 wide_t;  // exact products of 2^63 by 2^33
#else
typedef long double wide_t;
#endif

// One layer of the partition programme: best[i] = min over s in [from, i-1]
// of prev[s] + (B[i] - B[s])^2 for i in [from + 1, to], the minimising s in
// split[i]. Written as B[i]^2 + min_s (prev[s] + B[s]^2 - 2 B[s] B[i]), a
// lower envelope of lines with decreasing slopes -2 B[s] queried at
// increasing B[i] (the convex hull trick): O(k) per layer.
void layer(const std::vector<std::int64_t>& B, const std::vector<std::int64_t>& prev,
           std::vector<std::int64_t>& best, std::int32_t* split, std::int64_t from,
           std::int64_t to) {
  std::vector<std::int64_t> hull;  // candidate s, slopes decreasing
  hull.reserve(static_cast<std::size_t>(to - from + 1));
  std::size_t head = 0;
  // prev[s] <= B[s]^2 < 2^62, so the intercepts stay below 2^63.
  auto slope = [&](std::int64_t s) { return -2 * B[s]; };
  auto icept = [&](std::int64_t s) { return prev[s] + B[s] * B[s]; };
  auto at = [&](std::int64_t s, std::int64_t x) {
    return static_cast<wide_t>(slope(s)) * x + static_cast<wide_t>(icept(s));
  };
  for (std::int64_t i = from + 1; i <= to; ++i) {
    const std::int64_t s3 = i - 1;
    // s2 is never the minimum if s3 beats it wherever s2 beats s1.
    while (hull.size() - head >= 2) {
      const std::int64_t s1 = hull[hull.size() - 2], s2 = hull.back();
      const wide_t lhs = static_cast<wide_t>(icept(s3) - icept(s1)) * (slope(s1) - slope(s2));
      const wide_t rhs = static_cast<wide_t>(icept(s2) - icept(s1)) * (slope(s1) - slope(s3));
      if (lhs > rhs) break;
      hull.pop_back();
    }
    hull.push_back(s3);
    const std::int64_t x = B[i];
    while (hull.size() - head >= 2 && at(hull[head + 1], x) <= at(hull[head], x)) ++head;
    const std::int64_t s = hull[head];
    const std::int64_t d = x - B[s];
    best[i] = prev[s] + d * d;
    split[i] = static_cast<std::int32_t>(s);
  }
}

}  // namespace

std::vector<std::int64_t> balanced_cuts(const double* desc, std::size_t n, int bins) {
  require(bins >= 1, "score bins: expected at least 1 bin, got " + std::to_string(bins));
  require(n < (std::size_t{1} << 31), "score bins: at most 2^31 - 1 values");
  const auto N = static_cast<std::int64_t>(n);
  const auto g = static_cast<std::int64_t>(bins);
  std::vector<std::int64_t> cuts(static_cast<std::size_t>(g - 1), 0);
  if (n == 0 || g == 1) return cuts;
  // B[r] = position where run r starts in desc (run 0 holds the top values).
  std::vector<std::int64_t> B{0};
  for (std::size_t p = 1; p < n; ++p) {
    require(!std::isnan(desc[p]), "score bins: NaN value");
    if (desc[p] != desc[p - 1]) B.push_back(static_cast<std::int64_t>(p));
  }
  B.push_back(N);
  const auto k = static_cast<std::int64_t>(B.size()) - 1;  // number of runs
  if (k == 1) return cuts;                                 // one value: all in the bottom group
  if (k < g) {
    // Each run its own group, the ends pinned to the ends of the scale.
    std::vector<std::int64_t> group(static_cast<std::size_t>(k));
    group[0] = 0;
    for (std::int64_t r = 1; r < k; ++r) {
      const double centre = 0.5 * static_cast<double>(B[r] + B[r + 1]) / static_cast<double>(N);
      auto ideal = static_cast<std::int64_t>(std::floor(centre * static_cast<double>(g)));
      const std::int64_t low = group[r - 1] + 1, high = g - (k - r);
      group[r] = r == k - 1 ? g - 1 : std::min(high, std::max(low, ideal));
    }
    std::int64_t r = 0;
    for (std::int64_t j = 0; j + 1 < g; ++j) {
      while (r < k && group[r] <= j) ++r;
      cuts[j] = B[r];
    }
    return cuts;
  }
  // f_j[i]: least sum of squared sizes of the top i runs in j groups.
  std::vector<std::int64_t> prev(static_cast<std::size_t>(k + 1));
  std::vector<std::int64_t> best(static_cast<std::size_t>(k + 1));
  for (std::int64_t i = 0; i <= k; ++i) prev[i] = B[i] * B[i];
  std::vector<std::int32_t> split(static_cast<std::size_t>((g - 1) * (k + 1)), 0);
  for (std::int64_t j = 2; j <= g; ++j) {
    // j groups need j runs; the g - j groups below need the rest.
    layer(B, prev, best, split.data() + (j - 2) * (k + 1), j - 1, k - (g - j));
    std::swap(prev, best);
  }
  std::int64_t i = k;
  for (std::int64_t j = g; j >= 2; --j) {
    i = split[static_cast<std::size_t>((j - 2) * (k + 1) + i)];
    cuts[j - 2] = B[i];
  }
  return cuts;
}

}  // namespace kamkit
