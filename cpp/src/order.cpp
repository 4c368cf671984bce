#include "kamkit/order.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstring>
#include <limits>

#include "kamkit/buffer.hpp"
#include "kamkit/common.hpp"

namespace kamkit {
namespace {

constexpr int kBits = 11;
constexpr int kBuckets = 1 << kBits;
constexpr int kDigits = (64 + kBits - 1) / kBits;  // 6

// Order-preserving map of a double onto an unsigned integer: positive
// numbers get their sign bit set, negative ones are complemented.
inline std::uint64_t key_of(double v) {
  v += 0.0;  // -0.0 -> +0.0
  std::uint64_t u;
  std::memcpy(&u, &v, sizeof u);
  return (u >> 63) ? ~u : (u | 0x8000000000000000ULL);
}

inline double value_of(std::uint64_t u) {
  u = (u >> 63) ? (u & 0x7FFFFFFFFFFFFFFFULL) : ~u;
  double v;
  std::memcpy(&v, &u, sizeof v);
  return v;
}

inline int digit(std::uint64_t key, int pass) {
  return static_cast<int>((key >> (pass * kBits)) & (kBuckets - 1));
}

void check_no_nan(const double* x, std::size_t n) {
  const auto m = static_cast<std::ptrdiff_t>(n);
  std::ptrdiff_t nans = 0;
#pragma omp parallel for num_threads(kamkit::max_threads()) \
    reduction(+ : nans) if (m > kParallelThreshold)
  for (std::ptrdiff_t i = 0; i < m; ++i) nans += std::isnan(x[i]) ? 1 : 0;
  require(nans == 0, "sort: " + std::to_string(nans) + " NaN values cannot be ordered");
}

// Sorts keys (and, with WithIndex, the index payload) in place. The buffers
// `tmp_keys`/`tmp_idx` have the same size.
template <bool WithIndex, class Index>
void radix_sort(Column<std::uint64_t>& keys, Index& idx) {
  const std::size_t n = keys.size();
  if (n < 2) return;
  const int threads = n > static_cast<std::size_t>(kParallelThreshold) ? max_threads() : 1;
  const std::size_t chunk = (n + threads - 1) / threads;

  // Histograms of every digit in one read; a digit that all keys share
  // needs no pass.
  std::vector<std::uint32_t> hist(static_cast<std::size_t>(threads) * kDigits * kBuckets, 0);
  // One iteration per slice, whatever number of threads the runtime gives.
#pragma omp parallel for schedule(static) num_threads(threads)
  for (int t = 0; t < threads; ++t) {
    std::uint32_t* h = hist.data() + static_cast<std::size_t>(t) * kDigits * kBuckets;
    const std::size_t lo = std::min(n, chunk * static_cast<std::size_t>(t));
    const std::size_t hi = std::min(n, lo + chunk);
    for (std::size_t i = lo; i < hi; ++i) {
      const std::uint64_t k = keys[i];
      for (int p = 0; p < kDigits; ++p) ++h[p * kBuckets + digit(k, p)];
    }
  }
  std::array<bool, kDigits> needed{};
  for (int p = 0; p < kDigits; ++p) {
    const int d0 = digit(keys[0], p);
    std::size_t same = 0;
    for (int t = 0; t < threads; ++t)
      same += hist[(static_cast<std::size_t>(t) * kDigits + p) * kBuckets + d0];
    needed[p] = same != n;
  }

  // Scratch that is written in full before it is read: not zero-filled.
  Column<std::uint64_t> keys2(n);
  Index idx2(WithIndex ? n : 0);
  std::vector<std::size_t> offs(static_cast<std::size_t>(threads) * kBuckets);
  for (int p = 0; p < kDigits; ++p) {
    if (!needed[p]) continue;
    // One iteration per slice in each step, whatever number of threads the
    // runtime gives (the work-sharing loops end with barriers).
#pragma omp parallel num_threads(threads)
    {
#pragma omp for schedule(static)
      for (int t = 0; t < threads; ++t) {
        const std::size_t lo = std::min(n, chunk * static_cast<std::size_t>(t));
        const std::size_t hi = std::min(n, lo + chunk);
        std::size_t* o = offs.data() + static_cast<std::size_t>(t) * kBuckets;
        if (threads == 1) {  // one slice: its counts are the histogram above
          const std::uint32_t* h = hist.data() + static_cast<std::size_t>(p) * kBuckets;
          for (int b = 0; b < kBuckets; ++b) o[b] = h[b];
        } else {
          std::fill(o, o + kBuckets, 0);
          for (std::size_t i = lo; i < hi; ++i) ++o[digit(keys[i], p)];
        }
      }
#pragma omp single
      {
        // Exclusive prefix over (bucket, thread): each thread's slice of a
        // bucket follows the earlier threads' slices, which keeps the sort stable.
        std::size_t run = 0;
        for (int b = 0; b < kBuckets; ++b)
          for (int u = 0; u < threads; ++u) {
            std::size_t& c = offs[static_cast<std::size_t>(u) * kBuckets + b];
            const std::size_t cnt = c;
            c = run;
            run += cnt;
          }
      }
#pragma omp for schedule(static)
      for (int t = 0; t < threads; ++t) {
        const std::size_t lo = std::min(n, chunk * static_cast<std::size_t>(t));
        const std::size_t hi = std::min(n, lo + chunk);
        std::size_t* o = offs.data() + static_cast<std::size_t>(t) * kBuckets;
        for (std::size_t i = lo; i < hi; ++i) {
          const std::size_t dst = o[digit(keys[i], p)]++;
          keys2[dst] = keys[i];
          if constexpr (WithIndex) idx2[dst] = idx[i];
        }
      }
    }
    keys.swap(keys2);
    if constexpr (WithIndex) idx.swap(idx2);
  }
}

}  // namespace

std::vector<std::int32_t> argsort(const double* x, std::size_t n) {
  require(n < static_cast<std::size_t>(std::numeric_limits<std::int32_t>::max()),
          "sort: at most 2^31 - 1 values");
  check_no_nan(x, n);
  Column<std::uint64_t> keys(n);
  std::vector<std::int32_t> idx(n);
  const auto m = static_cast<std::ptrdiff_t>(n);
#pragma omp parallel for num_threads(kamkit::max_threads()) if (m > kParallelThreshold)
  for (std::ptrdiff_t i = 0; i < m; ++i) {
    keys[i] = key_of(x[i]);
    idx[i] = static_cast<std::int32_t>(i);
  }
  radix_sort<true>(keys, idx);
  return idx;
}

void argsort_values(const double* x, std::size_t n, std::vector<std::int32_t>& order,
                    std::vector<double>& sorted) {
  require(n < static_cast<std::size_t>(std::numeric_limits<std::int32_t>::max()),
          "sort: at most 2^31 - 1 values");
  check_no_nan(x, n);
  Column<std::uint64_t> keys(n);
  order.resize(n);
  const auto m = static_cast<std::ptrdiff_t>(n);
#pragma omp parallel for num_threads(kamkit::max_threads()) if (m > kParallelThreshold)
  for (std::ptrdiff_t i = 0; i < m; ++i) {
    keys[i] = key_of(x[i]);
    order[i] = static_cast<std::int32_t>(i);
  }
  radix_sort<true>(keys, order);
  sorted.resize(n);
#pragma omp parallel for num_threads(kamkit::max_threads()) if (m > kParallelThreshold)
  for (std::ptrdiff_t i = 0; i < m; ++i) sorted[i] = value_of(keys[i]);
}

void sort_values_into(const double* x, std::size_t n, double* out) {
  check_no_nan(x, n);
  Column<std::uint64_t> keys(n);
  std::vector<std::int32_t> none;
  const auto m = static_cast<std::ptrdiff_t>(n);
#pragma omp parallel for num_threads(kamkit::max_threads()) if (m > kParallelThreshold)
  for (std::ptrdiff_t i = 0; i < m; ++i) keys[i] = key_of(x[i]);
  radix_sort<false>(keys, none);
#pragma omp parallel for num_threads(kamkit::max_threads()) if (m > kParallelThreshold)
  for (std::ptrdiff_t i = 0; i < m; ++i) out[i] = value_of(keys[i]);
}

std::vector<double> sorted_copy(const double* x, std::size_t n) {
  std::vector<double> out(n);
  sort_values_into(x, n, out.data());
  return out;
}

void average_ranks(const double* x, const std::int32_t* order, std::size_t n, double* out) {
  std::size_t i = 0;
  while (i < n) {
    std::size_t j = i + 1;
    const double v = x[order[i]];
    while (j < n && x[order[j]] == v) ++j;
    // Positions i..j-1 hold ranks i+1..j; their mean is (i + 1 + j) / 2.
    const double r = 0.5 * static_cast<double>(i + 1 + j);
    for (std::size_t p = i; p < j; ++p) out[order[p]] = r;
    i = j;
  }
}

}  // namespace kamkit
