#include "kamkit/grouping.hpp"

#include "kamkit/buckets.hpp"

#include <algorithm>
#include <limits>

#include "kamkit/common.hpp"

namespace kamkit {
namespace {

constexpr std::int64_t kMaxGroups = std::numeric_limits<std::int32_t>::max();

struct Range {
  std::int64_t lo = std::numeric_limits<std::int64_t>::max();
  std::int64_t hi = std::numeric_limits<std::int64_t>::min();
  std::size_t kept = 0;
};

Range key_range(const std::int64_t* keys, std::size_t n, const std::uint8_t* keep) {
  std::int64_t lo = std::numeric_limits<std::int64_t>::max();
  std::int64_t hi = std::numeric_limits<std::int64_t>::min();
  std::int64_t kept = 0;
  const auto m = static_cast<std::ptrdiff_t>(n);
#pragma omp parallel for num_threads(kamkit::max_threads()) reduction(min : lo) \
    reduction(max : hi) reduction(+ : kept) if (m > kParallelThreshold)
  for (std::ptrdiff_t i = 0; i < m; ++i) {
    if (keep && !keep[i]) continue;
    lo = std::min(lo, keys[i]);
    hi = std::max(hi, keys[i]);
    ++kept;
  }
  return {lo, hi, static_cast<std::size_t>(kept)};
}

// Keys whose span is small: a table indexed by key - lo.
void group_direct(const std::int64_t* keys, std::size_t n, const std::uint8_t* keep, Range r,
                  Grouping& g) {
  const auto span = static_cast<std::size_t>(r.hi - r.lo) + 1;
  std::vector<std::int32_t> table(span, 0);
  const auto m = static_cast<std::ptrdiff_t>(n);
  // Mark presence (benign races: every writer stores the same value).
#pragma omp parallel for num_threads(kamkit::max_threads()) if (m > kParallelThreshold)
  for (std::ptrdiff_t i = 0; i < m; ++i) {
    if (keep && !keep[i]) continue;
    table[static_cast<std::size_t>(keys[i] - r.lo)] = 1;
  }
  std::int64_t next = 0;
  for (std::size_t j = 0; j < span; ++j) {
    if (table[j]) {
      require(next < kMaxGroups, "too many distinct customers (2^31 or more)");
      g.unique_keys.push_back(r.lo + static_cast<std::int64_t>(j));
      table[j] = static_cast<std::int32_t>(next++);
    }
  }
  g.codes.resize(n);
#pragma omp parallel for num_threads(kamkit::max_threads()) if (m > kParallelThreshold)
  for (std::ptrdiff_t i = 0; i < m; ++i) {
    g.codes[i] = (keep && !keep[i]) ? -1 : table[static_cast<std::size_t>(keys[i] - r.lo)];
  }
}

inline std::uint64_t mix(std::uint64_t x) {
  // splitmix64 finaliser: spreads clustered ids over the table.
  x ^= x >> 30;
  x *= 0xbf58476d1ce4e5b9ULL;
  x ^= x >> 27;
  x *= 0x94d049bb133111ebULL;
  x ^= x >> 31;
  return x;
}

// Arbitrary keys: open addressing with linear probing, then the distinct
// keys are sorted and the provisional codes remapped.
void group_hashed(const std::int64_t* keys, std::size_t n, const std::uint8_t* keep, Grouping& g) {
  std::size_t cap = 16;
  while (cap < 2 * n) cap <<= 1;
  const std::size_t mask = cap - 1;
  std::vector<std::int64_t> slot_key(cap);
  std::vector<std::int32_t> slot_code(cap, -1);
  std::vector<std::int64_t> first_seen;
  g.codes.resize(n);
  for (std::size_t i = 0; i < n; ++i) {
    if (keep && !keep[i]) {
      g.codes[i] = -1;
      continue;
    }
    const std::int64_t k = keys[i];
    std::size_t s = mix(static_cast<std::uint64_t>(k)) & mask;
    while (slot_code[s] >= 0 && slot_key[s] != k) s = (s + 1) & mask;
    if (slot_code[s] < 0) {
      require(static_cast<std::int64_t>(first_seen.size()) < kMaxGroups,
              "too many distinct customers (2^31 or more)");
      slot_key[s] = k;
      slot_code[s] = static_cast<std::int32_t>(first_seen.size());
      first_seen.push_back(k);
    }
    g.codes[i] = slot_code[s];
  }
  const std::size_t k = first_seen.size();
  std::vector<std::int32_t> order(k);
  for (std::size_t j = 0; j < k; ++j) order[j] = static_cast<std::int32_t>(j);
  std::sort(order.begin(), order.end(),
            [&](std::int32_t a, std::int32_t b) { return first_seen[a] < first_seen[b]; });
  std::vector<std::int32_t> rank(k);
  g.unique_keys.resize(k);
  for (std::size_t j = 0; j < k; ++j) {
    rank[order[j]] = static_cast<std::int32_t>(j);
    g.unique_keys[j] = first_seen[order[j]];
  }
  const auto m = static_cast<std::ptrdiff_t>(n);
#pragma omp parallel for num_threads(kamkit::max_threads()) if (m > kParallelThreshold)
  for (std::ptrdiff_t i = 0; i < m; ++i) {
    if (g.codes[i] >= 0) g.codes[i] = rank[g.codes[i]];
  }
}

}  // namespace

Grouping group_keys(const std::int64_t* keys, std::size_t n, const std::uint8_t* keep) {
  Grouping g;
  const Range r = key_range(keys, n, keep);
  if (r.kept == 0) {
    g.codes.assign(n, -1);
    return g;
  }
  // A direct table costs 4 bytes per key in the span; use it while the span
  // is at most 4 keys per row (or small in absolute terms).
  const auto span = static_cast<unsigned long long>(r.hi) - static_cast<unsigned long long>(r.lo);
  if (span < std::max<unsigned long long>(4ULL * n, 1ULL << 20)) {
    group_direct(keys, n, keep, r, g);
  } else {
    group_hashed(keys, n, keep, g);
  }
  g.counts.assign(g.unique_keys.size(), 0);
  for (std::size_t i = 0; i < n; ++i) {
    if (g.codes[i] >= 0) ++g.counts[static_cast<std::size_t>(g.codes[i])];
  }
  return g;
}

}  // namespace kamkit

namespace kamkit::detail {

Slots make_slots(const std::int64_t* keys, std::size_t n, const std::uint8_t* keep,
                 const KeyRange* range) {
  Slots s;
  const Range r = range ? Range{range->lo, range->hi, range->kept} : key_range(keys, n, keep);
  s.kept = r.kept;
  if (r.kept == 0) return s;
  const auto span = static_cast<unsigned long long>(r.hi) - static_cast<unsigned long long>(r.lo);
  // A direct table costs a counter per key in the span, per thread.
  s.direct = span < n / 2 + (1ULL << 20);
  if (s.direct) {
    s.lo = r.lo;
    s.count = static_cast<std::size_t>(r.hi - r.lo) + 1;
  } else {
    group_hashed(keys, n, keep, s.hashed);
    s.count = s.hashed.unique_keys.size();
  }
  return s;
}

}  // namespace kamkit::detail
