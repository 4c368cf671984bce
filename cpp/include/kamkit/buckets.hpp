// Rows of a log regrouped customer by customer, cache-friendly: a radix
// partition scatters the rows into buckets of nearby keys, then each bucket
// is worked through on its own while it sits in L2 (summed slot by slot, or
// sorted and handed out customer by customer). Both steps run on all
// threads. Rows carry their key's slot within the bucket, so the scatter
// has one write stream per bucket.
//
// To bound the scratch memory, the buckets can be processed in passes over
// consecutive bucket ranges, in order: each pass scatters only its own rows,
// and customers keep their global numbering (counted up front). The first
// pass reads every row and marks those left for later passes in a bitmap;
// later passes visit only the marked rows.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <type_traits>
#include <utility>
#include <vector>

#include "kamkit/buffer.hpp"
#include "kamkit/common.hpp"
#include "kamkit/grouping.hpp"
namespace kamkit {

/// Keys' smallest and largest values over (at least) the kept rows, and the
/// number of kept rows, when the caller has them already.
struct KeyRange {
  std::int64_t lo, hi;
  std::size_t kept;
};

namespace detail {

// Row slots: key - lo when the keys span a small range, else hashed codes.
struct Slots {
  bool direct = true;
  std::int64_t lo = 0;
  std::size_t count = 0;
  Grouping hashed;
  std::size_t kept = 0;
  std::size_t of(const std::int64_t* keys, std::size_t i) const {
    // Unsigned: keys of dropped rows may lie anywhere.
    return direct ? static_cast<std::size_t>(static_cast<std::uint64_t>(keys[i]) -
                                             static_cast<std::uint64_t>(lo))
                  : static_cast<std::size_t>(hashed.codes[i]);
  }
};

Slots make_slots(const std::int64_t* keys, std::size_t n, const std::uint8_t* keep,
                 const KeyRange* range);

}  // namespace detail

class BucketPlan {
 public:
  /// Counts the kept rows (`keep` may be null) per bucket and the distinct
  /// keys; the keys and the row mask must outlive the plan. `range`, when
  /// given, spares a pass over the keys.
  BucketPlan(const std::int64_t* keys, std::size_t n, const std::uint8_t* keep,
             const KeyRange* range = nullptr);

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

  /// Slots per bucket (a power of two, 2^slot_bits()): a row's slot is its
  /// key's position within its bucket.
  std::size_t slots_per_bucket() const { return std::size_t{1} << shift_; }
  int slot_bits() const { return shift_; }

  /// Writes the kept rows of buckets [b0, b1) to `out` (rows_in(b0, b1)
  /// rows), bucket after bucket, each bucket's rows in input order:
  /// `make(i, slot)` returns the row to store for input row i, whose key has
  /// `slot` within its bucket; the row must record the slot. `make` is
  /// called from several threads at once, also for rows of later passes
  /// (whose results are discarded), and must not have side effects. The
  /// ranges of passes(...) must be scattered in order, each once.
  template <class R, class Make>
  void scatter(std::size_t b0, std::size_t b1, R* out, Make&& make);

  /// After scatter(b0, b1, rows, ...): calls `fn(first_customer, rows, count)`
  /// for every bucket of the range, in parallel, with the bucket's rows. A
  /// bucket's customers are its distinct slots in increasing order,
  /// numbered from first_customer.
  template <class R, class PerBucket>
  void for_each_bucket(std::size_t b0, std::size_t b1, const R* rows, PerBucket&& fn) const;

  /// After scatter(b0, b1, rows, ...): calls `fn(customer, rows, count)` for
  /// every customer of those buckets, in parallel, with its rows contiguous
  /// and in input order; `slot_of(row)` returns the slot a row records.
  template <class R, class SlotOf, class PerCustomer>
  void for_each_customer(std::size_t b0, std::size_t b1, const R* rows, SlotOf&& slot_of,
                         PerCustomer&& fn) const;

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
  std::size_t next_bucket_ = 0;         // first bucket not scattered yet
  std::vector<std::uint64_t> pending_;  // rows left for later passes, as bits
};

template <class R, class Make>
void BucketPlan::scatter(std::size_t b0, std::size_t b1, R* out, Make&& make) {
  require(b0 == next_bucket_ && b0 < b1 && b1 <= nb_,
          "BucketPlan::scatter: scatter the ranges of passes() in order");
  const bool first_pass = b0 == 0, last_pass = b1 == nb_;
  if (first_pass && !last_pass) pending_.assign((n_ + 63) / 64, 0);
  next_bucket_ = b1;
  const std::size_t nbp = b1 - b0;  // buckets of the pass; index nbp: later
  const std::int64_t base = row_start_[b0];
  const std::size_t mask = (std::size_t{1} << shift_) - 1;
  const bool parallel = n_ > static_cast<std::size_t>(kParallelThreshold);
// One iteration per chunk (its cursors and its words of the pending bitmap),
// whatever number of threads the runtime gives.
#pragma omp parallel for schedule(static) if (parallel) num_threads(threads_)
  for (int part = 0; part < threads_; ++part) {
    const auto t = static_cast<std::size_t>(part);
    // Thread chunks are whole words of the pending bitmap.
    const std::size_t begin = std::min(n_, chunk_ * t), end = std::min(n_, begin + chunk_);
    // This thread's rows of bucket b go after those of the threads before it.
    std::vector<std::int64_t> cur(nbp + 1, 0);
    for (std::size_t k = 0; k < nbp; ++k) {
      std::int64_t pos = row_start_[b0 + k] - base;
      for (std::size_t u = 0; u < t; ++u) pos += counts_[u][b0 + k];
      cur[k] = pos;
    }
    // Local copies, so that the loops keep them in registers.
    const std::uint8_t* keep = keep_;
    const std::int64_t* keys = keys_;
    const std::int32_t* codes = slots_.direct ? nullptr : slots_.hashed.codes.data();
    const auto lo = static_cast<std::uint64_t>(slots_.lo);
    const int shift = shift_;
    std::uint64_t* pending = pending_.data();
    R trash;  // rows of later passes are written here, without a branch
    // Stores row i (with `kept` false it is dropped); returns whether it is
    // left for a later pass.
    auto place = [&](std::size_t i, bool kept, auto direct) {
      const std::size_t s = direct
                                ? static_cast<std::size_t>(static_cast<std::uint64_t>(keys[i]) - lo)
                                : static_cast<std::size_t>(codes[i]);
      const std::size_t rel = (s >> shift) - b0;  // no earlier buckets are left
      const bool mine = kept && rel < nbp;
      const std::size_t k = mine ? rel : nbp;
      const std::int64_t pos = cur[k]++;
      R* dst = mine ? out + pos : &trash;
      *dst = make(i, s & mask);
      return kept && !mine;
    };
    auto run = [&](auto direct) {
      if (first_pass) {
        // Every row; rows of later buckets are marked in the bitmap.
        std::uint64_t later = 0;
        for (std::size_t i = begin; i < end; ++i) {
          const bool kept = keep == nullptr || keep[i] != 0;
          later |= static_cast<std::uint64_t>(place(i, kept, direct)) << (i & 63);
          if ((i & 63) == 63 || i + 1 == end) {
            if (!last_pass) pending[i >> 6] = later;
            later = 0;
          }
        }
      } else {
        // Only the marked rows; those of still later buckets stay marked.
        for (std::size_t w = begin / 64; w < (end + 63) / 64; ++w) {
          std::uint64_t bits = pending[w], later = 0;
          while (bits) {
            const int j = lowest_set_bit(bits);
            bits &= bits - 1;
            later |= static_cast<std::uint64_t>(
                         place(w * 64 + static_cast<std::size_t>(j), true, direct))
                     << j;
          }
          pending[w] = later;
        }
      }
    };
    if (slots_.direct) {
      run(std::true_type{});
    } else {
      run(std::false_type{});
    }
  }
  if (last_pass) pending_ = {};
}

template <class R, class PerBucket>
void BucketPlan::for_each_bucket(std::size_t b0, std::size_t b1, const R* rows,
                                 PerBucket&& fn) const {
  const auto first = static_cast<std::ptrdiff_t>(b0), last = static_cast<std::ptrdiff_t>(b1);
  const std::int64_t base = row_start_[b0];
  const bool parallel = rows_in(b0, b1) > static_cast<std::size_t>(kParallelThreshold);
#pragma omp parallel for schedule(dynamic, 2) if (parallel) num_threads(threads_)
  for (std::ptrdiff_t b = first; b < last; ++b) {
    const std::int64_t lo = row_start_[b] - base, hi = row_start_[b + 1] - base;
    if (lo == hi) continue;
    fn(customer_start_[b], rows + lo, static_cast<std::size_t>(hi - lo));
  }
}

template <class R, class SlotOf, class PerCustomer>
void BucketPlan::for_each_customer(std::size_t b0, std::size_t b1, const R* rows, SlotOf&& slot_of,
                                   PerCustomer&& fn) const {
  const std::size_t slots = slots_per_bucket();
  const auto first = static_cast<std::ptrdiff_t>(b0), last = static_cast<std::ptrdiff_t>(b1);
  const std::int64_t base = row_start_[b0];
  const bool parallel = rows_in(b0, b1) > static_cast<std::size_t>(kParallelThreshold);
#pragma omp parallel if (parallel) num_threads(threads_)
  {
    std::vector<std::int32_t> start(slots + 1);
    std::vector<R> sorted;
#pragma omp for schedule(dynamic, 2)
    for (std::ptrdiff_t b = first; b < last; ++b) {
      const std::int64_t lo = row_start_[b] - base, hi = row_start_[b + 1] - base;
      if (lo == hi) continue;
      // Counting sort of the bucket's rows by slot, read sequentially and
      // written into a buffer that stays in cache (stable: input order).
      std::fill(start.begin(), start.end(), 0);
      const R* in = rows + lo;
      const auto m = static_cast<std::size_t>(hi - lo);
      for (std::size_t j = 0; j < m; ++j) ++start[slot_of(in[j]) + 1];
      for (std::size_t s = 0; s < slots; ++s) start[s + 1] += start[s];
      sorted.resize(m);
      for (std::size_t j = 0; j < m; ++j)
        sorted[static_cast<std::size_t>(start[slot_of(in[j])]++)] = in[j];
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

}  // namespace kamkit
