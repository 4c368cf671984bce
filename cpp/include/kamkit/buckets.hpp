// Rows of a log regrouped customer by customer, cache-friendly: a radix
// partition scatters the rows into buckets of nearby keys (few write
// streams, so writes combine in cache), then each bucket is sorted by key
// on its own while it sits in L2 and handed out customer by customer. Both
// steps run on all threads.
//
// To bound the scratch memory, the buckets can be processed in passes over
// consecutive bucket ranges: each pass scatters only its own rows, and
// customers keep their global numbering (counted up front).
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <utility>
#include <vector>

#include "kamkit/buffer.hpp"
#include "kamkit/common.hpp"
#include "kamkit/grouping.hpp"

namespace kamkit {

namespace detail {

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

class BucketPlan {
 public:
  /// Counts the kept rows (`keep` may be null) per bucket and the distinct
  /// keys; the keys and the row mask must outlive the plan.
  BucketPlan(const std::int64_t* keys, std::size_t n, const std::uint8_t* keep);

  /// Distinct kept keys in increasing order: customer c has key unique_keys()[c].
  const std::vector<std::int64_t>& unique_keys() const { return unique_keys_; }
  std::size_t kept() const { return slots_.kept; }

  /// Consecutive bucket ranges of at most `max_rows` rows each (a single
  /// bucket may exceed it); together they cover every bucket.
  std::vector<std::pair<std::size_t, std::size_t>> passes(std::size_t max_rows) const;

  /// Rows in buckets [b0, b1).
  std::size_t rows_in(std::size_t b0, std::size_t b1) const {
    return static_cast<std::size_t>(row_start_[b1] - row_start_[b0]);
  }

  /// Scatters the rows of buckets [b0, b1): `scatter(i, pos)` is called once
  /// for every such row i with its position (0-based within the pass) in
  /// bucketed order, from several threads at once (distinct positions).
  template <class Scatter>
  void scatter(std::size_t b0, std::size_t b1, Scatter&& scatter);

  /// After scatter(b0, b1, ...): calls `fn(customer, rows, count)` for every
  /// customer of those buckets, where `rows` points to its `count` payloads
  /// (taken from `payload`, the pass's rows in bucketed order), contiguous
  /// and in input order.
  template <class P, class PerCustomer>
  void for_each_customer(std::size_t b0, std::size_t b1, const P* payload, PerCustomer&& fn) const;

  /// After scatter(b0, b1, ...): calls `fn(first_customer, slots, rows, count)`
  /// for every bucket of the range, in parallel, where `slots` gives each
  /// row's key slot within the bucket (0 .. slots_per_bucket() - 1; a
  /// bucket's customers are its distinct slots in increasing order, numbered
  /// from first_customer) and `rows` the rows' payloads, in input order.
  template <class P, class PerBucket>
  void for_each_bucket(std::size_t b0, std::size_t b1, const P* payload, PerBucket&& fn) const;

  std::size_t slots_per_bucket() const { return std::size_t{1} << shift_; }

 private:
  const std::int64_t* keys_;
  std::size_t n_;
  const std::uint8_t* keep_;
  detail::Slots slots_;
  int shift_ = 11;
  std::size_t nb_ = 0;
  int threads_ = 1;
  std::size_t chunk_ = 0;
  std::vector<std::vector<std::int64_t>> counts_;  // [thread][bucket] rows
  std::vector<std::int64_t> row_start_;            // [bucket] first row (global)
  std::vector<std::int64_t> customer_start_;       // [bucket] first customer
  std::vector<std::int64_t> unique_keys_;
  std::vector<std::vector<std::int64_t>> cursor_;  // [thread][bucket], per pass
  Buffer<std::uint32_t> local_slot_;               // per scattered row of the pass
  std::size_t pass_b0_ = 0, pass_b1_ = 0;
};

template <class Scatter>
void BucketPlan::scatter(std::size_t b0, std::size_t b1, Scatter&& scatter) {
  const std::size_t rows = rows_in(b0, b1);
  if (local_slot_.size() < rows) local_slot_ = Buffer<std::uint32_t>(rows);
  pass_b0_ = b0;
  pass_b1_ = b1;
  // Thread t writes its rows of bucket b after those of threads before it.
  const std::int64_t base = row_start_[b0];
  for (int t = 0; t < threads_; ++t) {
    auto& cur = cursor_[static_cast<std::size_t>(t)];
    for (std::size_t b = b0; b < b1; ++b) {
      std::int64_t pos = row_start_[b] - base;
      for (int u = 0; u < t; ++u) pos += counts_[static_cast<std::size_t>(u)][b];
      cur[b] = pos;
    }
  }
  const std::size_t mask = (std::size_t{1} << shift_) - 1;
  const bool all = b0 == 0 && b1 == nb_;
#pragma omp parallel num_threads(threads_)
  {
    const auto t = static_cast<std::size_t>(thread_id());
    const std::size_t begin = std::min(n_, chunk_ * t), end = std::min(n_, begin + chunk_);
    auto& cur = cursor_[t];
    for (std::size_t i = begin; i < end; ++i) {
      if (keep_ && !keep_[i]) continue;
      const std::size_t s = slots_.of(keys_, i);
      const std::size_t b = s >> shift_;
      if (!all && (b < b0 || b >= b1)) continue;
      const std::int64_t at = cur[b]++;
      local_slot_[static_cast<std::size_t>(at)] = static_cast<std::uint32_t>(s & mask);
      scatter(i, static_cast<std::size_t>(at));
    }
  }
}

template <class P, class PerCustomer>
void BucketPlan::for_each_customer(std::size_t b0, std::size_t b1, const P* payload,
                                   PerCustomer&& fn) const {
  require(b0 == pass_b0_ && b1 == pass_b1_, "for_each_customer: scatter these buckets first");
  const std::size_t slots = std::size_t{1} << shift_;
  const auto first = static_cast<std::ptrdiff_t>(b0), last = static_cast<std::ptrdiff_t>(b1);
  const std::int64_t base = row_start_[b0];
  const bool parallel = rows_in(b0, b1) > static_cast<std::size_t>(kParallelThreshold);
#pragma omp parallel if (parallel) num_threads(threads_)
  {
    std::vector<std::int32_t> start(slots + 1);
    std::vector<P> sorted;
#pragma omp for schedule(dynamic, 2)
    for (std::ptrdiff_t b = first; b < last; ++b) {
      const std::int64_t lo = row_start_[b] - base, hi = row_start_[b + 1] - base;
      if (lo == hi) continue;
      // Counting sort of the bucket's rows by local slot, read sequentially
      // and written into a buffer that stays in cache.
      std::fill(start.begin(), start.end(), 0);
      const std::uint32_t* slot = local_slot_.data() + lo;
      const P* in = payload + lo;
      const auto m = static_cast<std::size_t>(hi - lo);
      for (std::size_t j = 0; j < m; ++j) ++start[slot[j] + 1];
      for (std::size_t s = 0; s < slots; ++s) start[s + 1] += start[s];
      sorted.resize(m);
      for (std::size_t j = 0; j < m; ++j)
        sorted[static_cast<std::size_t>(start[slot[j]]++)] = in[j];
      // start[s] now ends slot s; walk the customers in slot order.
      std::int64_t c = customer_start_[b];
      std::int32_t from = 0;
      for (std::size_t s = 0; s < slots; ++s) {
        const std::int32_t to = start[s];
        if (to > from) fn(c++, sorted.data() + from, static_cast<std::size_t>(to - from));
        from = to;
      }
    }
  }
}

template <class P, class PerBucket>
void BucketPlan::for_each_bucket(std::size_t b0, std::size_t b1, const P* payload,
                                 PerBucket&& fn) const {
  require(b0 == pass_b0_ && b1 == pass_b1_, "for_each_bucket: scatter these buckets first");
  const auto first = static_cast<std::ptrdiff_t>(b0), last = static_cast<std::ptrdiff_t>(b1);
  const std::int64_t base = row_start_[b0];
  const bool parallel = rows_in(b0, b1) > static_cast<std::size_t>(kParallelThreshold);
#pragma omp parallel for schedule(dynamic, 2) if (parallel) num_threads(threads_)
  for (std::ptrdiff_t b = first; b < last; ++b) {
    const std::int64_t lo = row_start_[b] - base, hi = row_start_[b + 1] - base;
    if (lo == hi) continue;
    fn(customer_start_[b], local_slot_.data() + lo, payload + lo,
       static_cast<std::size_t>(hi - lo));
  }
}

}  // namespace kamkit
