// Sorting of doubles for scoring and tiering: one parallel radix sort whose
// order then serves ranking, tier cuts and cumulative shares.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace kamkit {

/// Indices that sort `x` in increasing order; equal values keep their index
/// order (stable). An LSD radix sort on the IEEE-754 bit patterns (11-bit
/// digits, digits that every value shares are skipped), parallel over slices
/// of the input. -0.0 sorts like 0.0. Throws std::invalid_argument on NaN or
/// when n >= 2^31.
std::vector<std::int32_t> argsort(const double* x, std::size_t n);

/// argsort(x) and the sorted values, decoded from the sorted keys (no
/// gather through the order).
void argsort_values(const double* x, std::size_t n, std::vector<std::int32_t>& order,
                    std::vector<double>& sorted);

/// The values of `x` in increasing order (the same radix sort without the
/// index payload). Throws std::invalid_argument on NaN.
std::vector<double> sorted_copy(const double* x, std::size_t n);

/// sorted_copy written to `out` (n values; may not overlap x).
void sort_values_into(const double* x, std::size_t n, double* out);

/// Ranks 1..n of `x` with ties given the mean of the ranks they span, from
/// `order` = argsort(x). Writes n values to `out`.
void average_ranks(const double* x, const std::int32_t* order, std::size_t n, double* out);

}  // namespace kamkit
