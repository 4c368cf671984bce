#include "kamkit/tiering.hpp"

#include <algorithm>
#include <cmath>
#include <functional>
#include <limits>
#include <string>

#include "kamkit/common.hpp"
#include "kamkit/order.hpp"

namespace kamkit {
namespace {

inline int thread_id() {
#ifdef KAMKIT_HAVE_OPENMP
  return omp_get_thread_num();
#else
  return 0;
#endif
}

void check_cum_shares(const std::vector<double>& c) {
  double prev = 0.0;
  for (double s : c) {
    require(std::isfinite(s) && s >= 0.0 && s <= 1.0 + 1e-9,
            "tier cuts: cumulative shares must lie in [0, 1]");
    require(s >= prev - 1e-12, "tier cuts: cumulative shares must not decrease");
    prev = s;
  }
}

}  // namespace

Descending sort_descending(const double* x, std::size_t n) {
  Descending d;
  argsort_values(x, n, d.order, d.values);
  std::reverse(d.order.begin(), d.order.end());
  std::reverse(d.values.begin(), d.values.end());
  return d;
}

std::vector<std::int64_t> snap_cuts(const double* desc, std::size_t n,
                                    std::vector<std::int64_t> cuts) {
  const auto N = static_cast<std::int64_t>(n);
  std::int64_t prev = 0;
  for (std::int64_t c : cuts) {
    require(c >= 0 && c <= N, "tier cuts: a cut lies outside 0.." + std::to_string(N));
    require(c >= prev, "tier cuts: cuts must not decrease (top tier first)");
    prev = c;
  }
  for (auto& c : cuts) {
    if (c <= 0 || c >= N || desc[c - 1] != desc[c]) continue;
    const double v = desc[c];
    // The run of v spans [s, e) in the decreasing array.
    const std::int64_t s = std::lower_bound(desc, desc + n, v, std::greater<double>()) - desc;
    const std::int64_t e = std::upper_bound(desc, desc + n, v, std::greater<double>()) - desc;
    c = (c - s < e - c) ? s : e;
  }
  return cuts;
}

std::vector<std::int64_t> cuts_by_count(const double* desc, std::size_t n,
                                        const std::vector<double>& cum_shares) {
  check_cum_shares(cum_shares);
  std::vector<std::int64_t> cuts;
  cuts.reserve(cum_shares.size());
  for (double s : cum_shares) {
    const double t = std::floor(std::min(s, 1.0) * static_cast<double>(n) + 0.5 + 1e-9);
    cuts.push_back(std::min(static_cast<std::int64_t>(t), static_cast<std::int64_t>(n)));
  }
  for (std::size_t j = 1; j < cuts.size(); ++j) cuts[j] = std::max(cuts[j], cuts[j - 1]);
  return snap_cuts(desc, n, std::move(cuts));
}

std::vector<std::int64_t> cuts_by_value(const double* desc, std::size_t n,
                                        const std::vector<double>& cum_shares) {
  check_cum_shares(cum_shares);
  require(n > 0, "tier cuts: no values");
  require(desc[n - 1] >= 0.0, "tier cuts by value: values must be non-negative");
  // Running sum from the top (serial: a single pass, cheap next to the sort).
  std::vector<double> cum(n + 1);
  cum[0] = 0.0;
  for (std::size_t i = 0; i < n; ++i) cum[i + 1] = cum[i] + desc[i];
  const double total = cum[n];
  require(total > 0.0, "tier cuts by value: the values add up to zero");
  std::vector<std::int64_t> cuts;
  cuts.reserve(cum_shares.size());
  const auto N = static_cast<std::int64_t>(n);
  for (double s : cum_shares) {
    const double target = s * total * (1.0 - 1e-12);
    // Smallest k with cum[k] >= target.
    std::int64_t k = std::lower_bound(cum.begin(), cum.end(), target) - cum.begin();
    k = std::min(k, N);
    if (k > 0 && k < N && desc[k - 1] == desc[k])
      k = std::upper_bound(desc, desc + n, desc[k], std::greater<double>()) - desc;
    cuts.push_back(k);
  }
  for (std::size_t j = 1; j < cuts.size(); ++j) cuts[j] = std::max(cuts[j], cuts[j - 1]);
  return cuts;
}

std::vector<std::int16_t> codes_from_cuts(const std::int32_t* order, std::size_t n,
                                          const std::vector<std::int64_t>& cuts) {
  require(cuts.size() < 32767, "tiers: at most 32767 tiers");
  const auto top = static_cast<std::int16_t>(cuts.size());
  std::vector<std::int16_t> codes(n);
  std::int64_t lo = 0;
  for (std::size_t j = 0; j <= cuts.size(); ++j) {
    const std::int64_t hi = j < cuts.size() ? cuts[j] : static_cast<std::int64_t>(n);
    require(hi >= lo && hi <= static_cast<std::int64_t>(n), "tiers: bad cuts");
    const auto code = static_cast<std::int16_t>(top - static_cast<std::int16_t>(j));
#pragma omp parallel for if (hi - lo > kParallelThreshold)
    for (std::int64_t p = lo; p < hi; ++p) codes[order[p]] = code;
    lo = hi;
  }
  return codes;
}

std::vector<std::int16_t> codes_by_thresholds(const double* x, std::size_t n,
                                              const std::vector<double>& thresholds) {
  require(thresholds.size() < 32767, "tiers: at most 32767 tiers");
  for (std::size_t j = 0; j < thresholds.size(); ++j) {
    require(!std::isnan(thresholds[j]), "tier thresholds: NaN threshold");
    if (j > 0)
      require(thresholds[j] < thresholds[j - 1],
              "tier thresholds: thresholds must decrease strictly (top tier first)");
  }
  // Increasing copy: the code is the number of thresholds <= x.
  std::vector<double> inc(thresholds.rbegin(), thresholds.rend());
  std::vector<std::int16_t> codes(n);
  const auto m = static_cast<std::ptrdiff_t>(n);
  std::ptrdiff_t nans = 0;
#pragma omp parallel for reduction(+ : nans) if (m > kParallelThreshold)
  for (std::ptrdiff_t i = 0; i < m; ++i) {
    nans += std::isnan(x[i]) ? 1 : 0;
    codes[i] =
        static_cast<std::int16_t>(std::upper_bound(inc.begin(), inc.end(), x[i]) - inc.begin());
  }
  require(nans == 0, "tier thresholds: " + std::to_string(nans) + " NaN values");
  return codes;
}

Concentration concentration(const double* x, std::size_t n) {
  require(n > 0, "concentration: no values");
  Concentration c;
  std::vector<double> s = sorted_copy(x, n);
  require(s[0] >= 0.0, "concentration: values must be non-negative");
  c.cum.resize(n + 1);
  c.cum[0] = 0.0;
  const auto m = static_cast<std::ptrdiff_t>(n);
  const int threads = m > kParallelThreshold ? max_threads() : 1;
  const std::size_t chunk = (n + threads - 1) / threads;
  std::vector<double> part(static_cast<std::size_t>(threads) + 1, 0.0);
  double weighted = 0.0;  // sum of (2i - n - 1) x_(i)
  // Two-pass parallel prefix sum: slice sums, then each slice adds its offset.
#pragma omp parallel num_threads(threads) reduction(+ : weighted)
  {
    const int t = thread_id();
    const std::size_t lo = std::min(n, chunk * static_cast<std::size_t>(t));
    const std::size_t hi = std::min(n, lo + chunk);
    double run = 0.0;
    const double nn = static_cast<double>(n);
    for (std::size_t i = lo; i < hi; ++i) {
      run += s[i];
      c.cum[i + 1] = run;
      weighted += (2.0 * static_cast<double>(i + 1) - nn - 1.0) * s[i];
    }
    part[static_cast<std::size_t>(t) + 1] = run;
#pragma omp barrier
    double offset = 0.0;
    for (int u = 0; u < t; ++u) offset += part[static_cast<std::size_t>(u) + 1];
    if (offset != 0.0)
      for (std::size_t i = lo; i < hi; ++i) c.cum[i + 1] += offset;
  }
  c.total = c.cum[n];
  require(c.total > 0.0, "concentration: the values add up to zero");
  c.gini = weighted / (static_cast<double>(n) * c.total);
  return c;
}

}  // namespace kamkit
