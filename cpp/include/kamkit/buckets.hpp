// Rows of a log regrouped customer by customer, cache-friendly: a radix
// partition scatters the rows into a few hundred buckets of nearby keys
// (few write streams, so writes combine in cache), then each bucket is
// sorted by key on its own while it sits in L2 and handed out customer by
// customer. Both steps run on all threads.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <vector>

#include "kamkit/buffer.hpp"
#include "kamkit/common.hpp"
#include "kamkit/grouping.hpp"

namespace kamkit {

struct Buckets {
  /// Distinct kept keys in increasing order: customer c has key unique_keys[c].
  std::vector<std::int64_t> unique_keys;
  /// Bucket b holds bucketed rows row_begin[b] .. row_begin[b+1].
  std::vector<std::int64_t> row_begin;
  /// Bucket b holds customers customer_begin[b] .. customer_begin[b+1].
  std::vector<std::int64_t> customer_begin;
  /// Key slot of each bucketed row within its bucket.
  Buffer<std::uint32_t> local_slot;
  /// Slots per bucket is 1 << shift.
  int shift = 0;
  std::size_t kept = 0;
};

namespace detail {

inline int thread_index() {
#ifdef KAMKIT_HAVE_OPENMP
  return omp_get_thread_num();
#else
  return 0;
#endif
}

// Row slots: key - lo when the keys span a small range, else hashed codes.
struct Slots {
  bool direct = true;
  std::int64_t lo = 0;
  std::size_t count = 0;
  Grouping hashed;
  std::size_t kept = 0;
  std::size_t of(const std::int64_t* keys, std::size_t i) const {
    return direct ? static_cast<std::size_t>(keys[i] - lo)
                  : static_cast<std::size_t>(hashed.codes[i]);
  }
};

Slots make_slots(const std::int64_t* keys, std::size_t n, const std::uint8_t* keep);

}  // namespace detail

/// Partitions the kept rows (`keep` may be null) into buckets of nearby keys.
/// `scatter(i, pos)` is called once for every kept row i with its position
/// in the bucketed order, from several threads at once (distinct positions):
/// it copies the row's payload there.
template <class Scatter>
Buckets bucket_rows(const std::int64_t* keys, std::size_t n, const std::uint8_t* keep,
                    Scatter&& scatter) {
  require(n < static_cast<std::size_t>(INT32_MAX), "at most 2^31 - 1 rows are supported");
  Buckets out;
  const detail::Slots slots = detail::make_slots(keys, n, keep);
  out.kept = slots.kept;
  if (slots.kept == 0) {
    out.row_begin.assign(1, 0);
    out.customer_begin.assign(1, 0);
    return out;
  }
  // About 2048 slots per bucket (at most 4096 buckets): a bucket's rows fit
  // in L2 for the local sort.
  int bits = 0;
  while ((std::size_t{1} << bits) < slots.count) ++bits;
  out.shift = std::max(11, bits - 12);
  const std::size_t nb = (slots.count >> out.shift) + 1;
  const int threads = n > static_cast<std::size_t>(kParallelThreshold) ? max_threads() : 1;
  const std::size_t chunk = (n + static_cast<std::size_t>(threads) - 1) / threads;
  std::vector<std::vector<std::int64_t>> cursor(static_cast<std::size_t>(threads));
  out.local_slot = Buffer<std::uint32_t>(slots.kept);
  out.row_begin.assign(nb + 1, 0);
  const std::size_t mask = (std::size_t{1} << out.shift) - 1;
#pragma omp parallel num_threads(threads)
  {
    const auto t = static_cast<std::size_t>(detail::thread_index());
    const std::size_t begin = std::min(n, chunk * t), end = std::min(n, begin + chunk);
    auto& mine = cursor[t];
    mine.assign(nb, 0);
    for (std::size_t i = begin; i < end; ++i) {
      if (keep && !keep[i]) continue;
      ++mine[slots.of(keys, i) >> out.shift];
    }
#pragma omp barrier
#pragma omp single
    {
      std::int64_t pos = 0;
      for (std::size_t b = 0; b < nb; ++b) {
        out.row_begin[b] = pos;
        for (int u = 0; u < threads; ++u) {
          auto& c = cursor[static_cast<std::size_t>(u)][b];
          const std::int64_t cnt = c;
          c = pos;
          pos += cnt;
        }
      }
      out.row_begin[nb] = pos;
    }
    for (std::size_t i = begin; i < end; ++i) {
      if (keep && !keep[i]) continue;
      const std::size_t s = slots.of(keys, i);
      const std::int64_t at = mine[s >> out.shift]++;
      out.local_slot[static_cast<std::size_t>(at)] = static_cast<std::uint32_t>(s & mask);
      scatter(i, static_cast<std::size_t>(at));
    }
  }
  // Customers per bucket: distinct local slots.
  std::vector<std::int64_t> per_bucket(nb, 0);
  const auto nbs = static_cast<std::ptrdiff_t>(nb);
#pragma omp parallel num_threads(threads)
  {
    std::vector<std::uint8_t> seen(mask + 1);
#pragma omp for schedule(dynamic, 4)
    for (std::ptrdiff_t b = 0; b < nbs; ++b) {
      std::fill(seen.begin(), seen.end(), 0);
      std::int64_t distinct = 0;
      for (std::int64_t j = out.row_begin[b]; j < out.row_begin[b + 1]; ++j) {
        auto& s = seen[out.local_slot[static_cast<std::size_t>(j)]];
        distinct += !s;
        s = 1;
      }
      per_bucket[b] = distinct;
    }
  }
  out.customer_begin.assign(nb + 1, 0);
  for (std::size_t b = 0; b < nb; ++b)
    out.customer_begin[b + 1] = out.customer_begin[b] + per_bucket[b];
  out.unique_keys.resize(static_cast<std::size_t>(out.customer_begin[nb]));
  if (!slots.direct) out.unique_keys = slots.hashed.unique_keys;
  if (slots.direct) {
    // Keys of the customers, in order: present slots of each bucket.
#pragma omp parallel num_threads(threads)
    {
      std::vector<std::uint8_t> seen(mask + 1);
#pragma omp for schedule(dynamic, 4)
      for (std::ptrdiff_t b = 0; b < nbs; ++b) {
        std::fill(seen.begin(), seen.end(), 0);
        for (std::int64_t j = out.row_begin[b]; j < out.row_begin[b + 1]; ++j)
          seen[out.local_slot[static_cast<std::size_t>(j)]] = 1;
        std::int64_t c = out.customer_begin[b];
        for (std::size_t s = 0; s <= mask; ++s) {
          if (seen[s])
            out.unique_keys[static_cast<std::size_t>(c++)] =
                slots.lo +
                static_cast<std::int64_t>((static_cast<std::size_t>(b) << out.shift) | s);
        }
      }
    }
  }
  return out;
}

/// Calls `fn(customer, rows, count)` for every customer, where `rows`
/// points to the customer's `count` payloads (from `payload`, in bucketed
/// order), contiguous and in input order. Each bucket is read sequentially
/// and sorted into a per-thread buffer that stays in cache. Runs on several
/// threads; each customer is visited once.
template <class P, class PerCustomer>
void for_each_customer(const Buckets& bk, const P* payload, PerCustomer&& fn) {
  const auto nb = static_cast<std::ptrdiff_t>(bk.row_begin.size()) - 1;
  if (nb <= 0) return;
  const std::size_t slots = std::size_t{1} << bk.shift;
  const bool parallel = bk.kept > static_cast<std::size_t>(kParallelThreshold);
#pragma omp parallel if (parallel)
  {
    std::vector<std::int32_t> start(slots + 1);
    std::vector<P> sorted;
#pragma omp for schedule(dynamic, 2)
    for (std::ptrdiff_t b = 0; b < nb; ++b) {
      const std::int64_t lo = bk.row_begin[b], hi = bk.row_begin[b + 1];
      if (lo == hi) continue;
      // Counting sort of the bucket's rows by local slot.
      std::fill(start.begin(), start.end(), 0);
      const std::uint32_t* slot = bk.local_slot.data() + lo;
      const P* in = payload + lo;
      const auto m = static_cast<std::size_t>(hi - lo);
      for (std::size_t j = 0; j < m; ++j) ++start[slot[j] + 1];
      for (std::size_t s = 0; s < slots; ++s) start[s + 1] += start[s];
      sorted.resize(m);
      for (std::size_t j = 0; j < m; ++j)
        sorted[static_cast<std::size_t>(start[slot[j]]++)] = in[j];
      // start[s] now ends slot s; walk the customers in slot order.
      std::int64_t c = bk.customer_begin[b];
      std::int32_t from = 0;
      for (std::size_t s = 0; s < slots; ++s) {
        const std::int32_t to = start[s];
        if (to > from) fn(c++, sorted.data() + from, static_cast<std::size_t>(to - from));
        from = to;
      }
    }
  }
}

}  // namespace kamkit
