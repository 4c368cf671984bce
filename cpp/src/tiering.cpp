#include "kamkit/tiering.hpp"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <functional>
#include <limits>
#include <string>

#include "kamkit/common.hpp"
#include "kamkit/order.hpp"

namespace kamkit {
namespace {

// Order-preserving map of a double onto an unsigned integer (as the radix
// sort uses): positive numbers get their sign bit set, negative ones are
// complemented; -0.0 maps like 0.0.
inline std::uint64_t order_key(double v) {
  v += 0.0;
  std::uint64_t u;
  std::memcpy(&u, &v, sizeof u);
  return (u >> 63) ? ~u : (u | 0x8000000000000000ULL);
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
#pragma omp parallel for num_threads(kamkit::max_threads()) if (hi - lo > kParallelThreshold)
    for (std::int64_t p = lo; p < hi; ++p) codes[order[p]] = code;
    lo = hi;
  }
  return codes;
}

std::vector<double> sorted_descending(const double* x, std::size_t n) {
  std::vector<double> v = sorted_copy(x, n);
  std::reverse(v.begin(), v.end());
  return v;
}

namespace {

// codes[i] = number of thresholds t_j that x[i] reaches: x[i] > t_j when
// strict[j], else x[i] >= t_j (t non-increasing).
std::vector<std::int16_t> codes_at_least(const double* x, std::size_t n,
                                         const std::vector<double>& t,
                                         const std::vector<char>& strict) {
  require(t.size() < 32767, "tiers: at most 32767 tiers");
  std::vector<std::int16_t> codes(n);
  const auto m = static_cast<std::ptrdiff_t>(n);
  const std::size_t K = t.size();
  const double* tt = t.data();
  const char* st = strict.data();
#pragma omp parallel for num_threads(kamkit::max_threads()) if (m > kParallelThreshold)
  for (std::ptrdiff_t i = 0; i < m; ++i) {
    const double v = x[i];
    int c = 0;
    for (std::size_t j = 0; j < K; ++j) c += st[j] ? v > tt[j] : v >= tt[j];
    codes[i] = static_cast<std::int16_t>(c);
  }
  return codes;
}

}  // namespace

std::vector<std::int16_t> codes_from_sorted_cuts(const double* x, std::size_t n, const double* desc,
                                                 const std::vector<std::int64_t>& cuts) {
  const auto N = static_cast<std::int64_t>(n);
  std::vector<double> t;
  t.reserve(cuts.size());
  std::int64_t prev = 0;
  for (std::int64_t c : cuts) {
    require(c >= prev && c <= N, "tiers: bad cuts");
    require(c <= 0 || c >= N || desc[c - 1] != desc[c],
            "tiers: a cut splits a run of equal values");
    prev = c;
    t.push_back(c == 0 ? std::numeric_limits<double>::infinity() : desc[c - 1]);
  }
  // Nothing is above cut 0: strict against +inf.
  std::vector<char> strict(cuts.size());
  for (std::size_t j = 0; j < cuts.size(); ++j) strict[j] = cuts[j] == 0;
  return codes_at_least(x, n, t, strict);
}

std::vector<std::int16_t> pyramid_by_count(const double* x, std::size_t n,
                                           const std::vector<double>& cum_shares) {
  check_cum_shares(cum_shares);
  const auto m = static_cast<std::ptrdiff_t>(n);
  const auto N = static_cast<std::int64_t>(n);
  std::vector<std::int64_t> cuts;
  for (double s : cum_shares) {
    const double t = std::floor(std::min(s, 1.0) * static_cast<double>(n) + 0.5 + 1e-9);
    cuts.push_back(std::min(static_cast<std::int64_t>(t), N));
  }
  for (std::size_t j = 1; j < cuts.size(); ++j) cuts[j] = std::max(cuts[j], cuts[j - 1]);
  // v_j = desc[c_j] = the value of ascending rank r_j = n - 1 - c_j, for the
  // cuts inside (0, n). One pass builds a histogram of the top 16 bits of the
  // order-preserving keys; a second collects the values of the buckets that
  // hold a cut; selection (nth_element) runs in those buckets only. gt_j and
  // ge_j, the counts of values > v_j and >= v_j, follow from the bucket
  // counts and the bucket's values.
  const std::size_t K = cuts.size();
  std::vector<double> v(K, 0.0);
  std::vector<char> inside(K, 0);
  std::vector<std::int64_t> gt(K, 0), ge(K, 0);
  constexpr int kTop = 16;
  constexpr std::size_t kBuckets = std::size_t{1} << kTop;
  const int threads = m > kParallelThreshold ? max_threads() : 1;
  std::vector<std::int64_t> hist(kBuckets, 0);
  {
    std::vector<std::uint32_t> th(static_cast<std::size_t>(threads) * kBuckets, 0);
    std::ptrdiff_t nans = 0;
#pragma omp parallel num_threads(threads) reduction(+ : nans)
    {
      std::uint32_t* h = th.data() + static_cast<std::size_t>(thread_id()) * kBuckets;
#pragma omp for schedule(static)
      for (std::ptrdiff_t i = 0; i < m; ++i) {
        nans += x[i] != x[i];
        ++h[order_key(x[i]) >> (64 - kTop)];
      }
    }
    require(nans == 0, "tiers: " + std::to_string(nans) + " NaN values");
    for (int t = 0; t < threads; ++t)
      for (std::size_t b = 0; b < kBuckets; ++b)
        hist[b] += th[static_cast<std::size_t>(t) * kBuckets + b];
  }
  // The bucket of each cut and the count of values in lower buckets.
  std::vector<std::size_t> bucket(K, 0), slot(K, 0);
  std::vector<std::int64_t> below(K, 0);
  std::vector<std::size_t> wanted;  // distinct buckets, increasing
  {
    std::size_t b = 0;
    std::int64_t cum = 0;
    // Ascending ranks decrease with j: walk the cuts from the last one.
    for (std::size_t j = K; j-- > 0;) {
      if (cuts[j] <= 0 || cuts[j] >= N) continue;
      inside[j] = 1;
      const std::int64_t r = N - 1 - cuts[j];
      while (cum + hist[b] <= r) cum += hist[b++];
      bucket[j] = b;
      below[j] = cum;
      if (wanted.empty() || wanted.back() != b) wanted.push_back(b);
      slot[j] = wanted.size() - 1;
    }
  }
  if (!wanted.empty()) {
    std::vector<std::vector<double>> vals(wanted.size());
    for (std::size_t w = 0; w < wanted.size(); ++w)
      vals[w].reserve(static_cast<std::size_t>(hist[wanted[w]]));
    for (std::ptrdiff_t i = 0; i < m; ++i) {
      const std::size_t b = order_key(x[i]) >> (64 - kTop);
      if (b < wanted.front() || b > wanted.back()) continue;
      for (std::size_t w = 0; w < wanted.size(); ++w)
        if (wanted[w] == b) {
          vals[w].push_back(x[i]);
          break;
        }
    }
    for (std::size_t j = 0; j < K; ++j) {
      if (!inside[j]) continue;
      std::vector<double>& bv = vals[slot[j]];
      const auto r = static_cast<std::ptrdiff_t>(N - 1 - cuts[j] - below[j]);
      std::nth_element(bv.begin(), bv.begin() + r, bv.end());
      v[j] = bv[static_cast<std::size_t>(r)];
      // Values in higher buckets are all > v_j.
      std::int64_t g = N - below[j] - static_cast<std::int64_t>(bv.size()), e = g;
      for (const double y : bv) {
        g += y > v[j];
        e += y >= v[j];
      }
      gt[j] = g;
      ge[j] = e;
    }
  }
  // A value is above cut j when it is > v_j (the cut stays at or moves to the
  // start of v_j's run) or >= v_j (it moves to the run's end).
  std::vector<double> t(K);
  std::vector<char> strict(K);
  const double inf = std::numeric_limits<double>::infinity();
  for (std::size_t j = 0; j < K; ++j) {
    if (!inside[j]) {  // cut 0: nothing above; cut n: everything
      t[j] = cuts[j] <= 0 ? inf : -inf;
      strict[j] = cuts[j] <= 0;
      continue;
    }
    const std::int64_t c = cuts[j], s = gt[j], e = ge[j];
    t[j] = v[j];
    strict[j] = s == c || (c - s < e - c);
  }
  return codes_at_least(x, n, t, strict);
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
#pragma omp parallel for num_threads(kamkit::max_threads()) \
    reduction(+ : nans) if (m > kParallelThreshold)
  for (std::ptrdiff_t i = 0; i < m; ++i) {
    nans += std::isnan(x[i]) ? 1 : 0;
    codes[i] =
        static_cast<std::int16_t>(std::upper_bound(inc.begin(), inc.end(), x[i]) - inc.begin());
  }
  require(nans == 0, "tier thresholds: " + std::to_string(nans) + " NaN values");
  return codes;
}

}  // namespace kamkit
