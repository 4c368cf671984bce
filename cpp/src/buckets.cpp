#include "kamkit/buckets.hpp"

#include <climits>

namespace kamkit {

BucketPlan::BucketPlan(const std::int64_t* keys, std::size_t n, const std::uint8_t* keep,
                       const KeyRange* range)
    : keys_(keys), n_(n), keep_(keep) {
  require(n < static_cast<std::size_t>(INT32_MAX), "at most 2^31 - 1 rows are supported");
  slots_ = detail::make_slots(keys, n, keep, range);
  // About 2048 slots per bucket (at most 4096 buckets): a bucket's rows fit
  // in L2 for the local sort.
  int bits = 0;
  while ((std::size_t{1} << bits) < std::max<std::size_t>(slots_.count, 1)) ++bits;
  shift_ = std::max(11, bits - 12);
  nb_ = slots_.kept == 0 ? 0 : (slots_.count >> shift_) + 1;
  threads_ = n > static_cast<std::size_t>(kParallelThreshold) ? max_threads() : 1;
  // Whole 64-row words per thread (see scatter).
  chunk_ =
      ((n + static_cast<std::size_t>(threads_) - 1) / static_cast<std::size_t>(threads_) + 63) /
      64 * 64;
  counts_.assign(static_cast<std::size_t>(threads_), {});
  row_start_.assign(nb_ + 1, 0);
  customer_start_.assign(nb_ + 1, 0);
  if (nb_ == 0) return;

  // Rows per bucket, per thread; and (direct keys) which slots occur, in a
  // bitmap per thread (merged below: threads never write the same words).
  const bool direct = slots_.direct;
  const std::size_t words = direct ? (slots_.count + 63) / 64 : 0;
  std::vector<std::vector<std::uint64_t>> seen(static_cast<std::size_t>(threads_));
  // One iteration per chunk, whatever number of threads the runtime gives.
#pragma omp parallel for schedule(static) num_threads(threads_)
  for (int part = 0; part < threads_; ++part) {
    const auto t = static_cast<std::size_t>(part);
    const std::size_t begin = std::min(n_, chunk_ * t), end = std::min(n_, begin + chunk_);
    auto& mine = counts_[t];
    mine.assign(nb_, 0);
    auto& bits_seen = seen[t];
    bits_seen.assign(words, 0);
    // Local copies, so that the loop keeps them in registers.
    std::int64_t* count = mine.data();
    std::uint64_t* bits = bits_seen.data();
    const std::uint8_t* keep = keep_;
    const std::int64_t* k = keys_;
    const auto lo = static_cast<std::uint64_t>(slots_.lo);
    const int shift = shift_;
    if (direct) {
      for (std::size_t i = begin; i < end; ++i) {
        if (keep && !keep[i]) continue;
        const auto s = static_cast<std::size_t>(static_cast<std::uint64_t>(k[i]) - lo);
        ++count[s >> shift];
        bits[s >> 6] |= std::uint64_t{1} << (s & 63);
      }
    } else {
      const std::int32_t* codes = slots_.hashed.codes.data();
      for (std::size_t i = begin; i < end; ++i) {
        if (keep && !keep[i]) continue;
        ++count[static_cast<std::size_t>(codes[i]) >> shift];
      }
    }
  }
  for (std::size_t b = 0; b < nb_; ++b) {
    std::int64_t rows = 0;
    for (const auto& c : counts_) rows += c[b];
    row_start_[b + 1] = row_start_[b] + rows;
  }
  if (!direct) {
    // Hashed codes are dense: every slot is a customer.
    unique_keys_ = slots_.hashed.unique_keys;
    for (std::size_t b = 0; b < nb_; ++b) {
      customer_start_[b + 1] = static_cast<std::int64_t>(std::min(slots_.count, (b + 1) << shift_));
    }
    return;
  }
  std::vector<std::uint64_t>& all = seen[0];
  for (std::size_t t = 1; t < seen.size(); ++t)
    for (std::size_t w = 0; w < words; ++w) all[w] |= seen[t][w];
  const std::size_t words_per_bucket = (std::size_t{1} << shift_) / 64;
  for (std::size_t b = 0; b < nb_; ++b) {
    std::int64_t distinct = 0;
    const std::size_t w0 = b * words_per_bucket, w1 = std::min(words, w0 + words_per_bucket);
    for (std::size_t w = w0; w < w1; ++w) distinct += popcount64(all[w]);
    customer_start_[b + 1] = customer_start_[b] + distinct;
  }
  unique_keys_.resize(static_cast<std::size_t>(customer_start_[nb_]));
  // Bucket by bucket (their first customers are known), on all threads.
  const auto buckets = static_cast<std::ptrdiff_t>(nb_);
  const std::int64_t lo = slots_.lo;
#pragma omp parallel for schedule(static) num_threads(threads_)
  for (std::ptrdiff_t b = 0; b < buckets; ++b) {
    auto c = static_cast<std::size_t>(customer_start_[static_cast<std::size_t>(b)]);
    const std::size_t w0 = static_cast<std::size_t>(b) * words_per_bucket,
                      w1 = std::min(words, w0 + words_per_bucket);
    for (std::size_t w = w0; w < w1; ++w) {
      for (std::uint64_t x = all[w]; x; x &= x - 1)
        unique_keys_[c++] =
            lo + static_cast<std::int64_t>(w * 64 + static_cast<std::size_t>(lowest_set_bit(x)));
    }
  }
}

std::vector<std::pair<std::size_t, std::size_t>> BucketPlan::passes(std::size_t max_rows) const {
  std::vector<std::pair<std::size_t, std::size_t>> out;
  std::size_t b0 = 0;
  while (b0 < nb_) {
    std::size_t b1 = b0 + 1;
    while (b1 < nb_ && rows_in(b0, b1 + 1) <= max_rows) ++b1;
    out.emplace_back(b0, b1);
    b0 = b1;
  }
  return out;
}

}  // namespace kamkit
