// Grouping of integer keys (customer ids or their factorised codes) into
// dense codes 0..k-1 that follow the keys' sorted order.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace kamkit {

struct Grouping {
  /// Distinct keys in increasing order; code c stands for unique_keys[c].
  std::vector<std::int64_t> unique_keys;
  /// Code of every input row (-1 where `keep` was false).
  std::vector<std::int32_t> codes;
  /// Rows per code.
  std::vector<std::int64_t> counts;
};

/// Groups `n` keys. Rows whose `keep` entry is 0 get code -1 and are not
/// counted (`keep` may be null: every row is kept). Keys within a range of
/// a few times n use a direct table; others a hash table.
/// Throws std::invalid_argument when there are 2^31 or more distinct keys.
Grouping group_keys(const std::int64_t* keys, std::size_t n, const std::uint8_t* keep = nullptr);

}  // namespace kamkit
