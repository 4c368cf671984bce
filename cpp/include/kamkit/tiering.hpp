// Customer tiers: the customer pyramid (by count or by cumulative value, ABC
// analysis), absolute thresholds, and the concentration of value (Lorenz
// curve, Gini). Tiers are numbered 0 (top) .. k-1 in the cut arrays and
// coded 0 (lowest) .. k-1 (top) in the outputs, like an ordered categorical.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace kamkit {

/// Values in decreasing order and the indices that give that order.
struct Descending {
  std::vector<std::int32_t> order;
  std::vector<double> values;
};

/// One radix sort (see argsort) read backwards. Throws on NaN.
Descending sort_descending(const double* x, std::size_t n);

/// Moves every cut (a count of top customers, 0..n) that falls inside a run
/// of equal values to the nearer end of that run; at equal distance the run
/// joins the upper tier. `desc` is sorted in decreasing order. Throws
/// std::invalid_argument when the cuts are out of range or decreasing.
std::vector<std::int64_t> snap_cuts(const double* desc, std::size_t n,
                                    std::vector<std::int64_t> cuts);

/// Cuts of the pyramid by count: cut j is the run boundary nearest to
/// round(cum_shares[j] * n), where cum_shares are the cumulative shares of
/// the top tiers (increasing, in [0, 1]).
std::vector<std::int64_t> cuts_by_count(const double* desc, std::size_t n,
                                        const std::vector<double>& cum_shares);

/// Cuts by cumulative share of value (ABC analysis): cut j is the smallest
/// count of top customers whose values add up to cum_shares[j] of the total,
/// extended to the end of the run of equal values it ends in. Values must be
/// non-negative with a positive total.
std::vector<std::int64_t> cuts_by_value(const double* desc, std::size_t n,
                                        const std::vector<double>& cum_shares);

/// Tier codes (0 = lowest tier .. cuts.size() = top) from the decreasing
/// order and the cuts (counts of top customers, non-decreasing).
std::vector<std::int16_t> codes_from_cuts(const std::int32_t* order, std::size_t n,
                                          const std::vector<std::int64_t>& cuts);

/// The values of x in decreasing order (the radix sort without the index
/// payload). Throws on NaN.
std::vector<double> sorted_descending(const double* x, std::size_t n);

/// Tier codes (0 = lowest .. cuts.size() = top) from cuts that never split a
/// run of equal values (as snap_cuts leaves them): a value is above cut c
/// (0 < c <= n) when it is >= desc[c - 1], so no order is needed.
std::vector<std::int16_t> codes_from_sorted_cuts(const double* x, std::size_t n, const double* desc,
                                                 const std::vector<std::int64_t>& cuts);

/// The pyramid by count without a sort: the values at the cuts come from
/// selection (nth_element on a copy), one counting pass snaps the cuts like
/// snap_cuts, one pass writes the codes. Same codes as cuts_by_count +
/// codes_from_cuts. Throws on NaN.
std::vector<std::int16_t> pyramid_by_count(const double* x, std::size_t n,
                                           const std::vector<double>& cum_shares);

/// Tier codes for absolute cut-offs given top first (strictly decreasing):
/// a value >= thresholds[0] is in the top tier, one in [thresholds[1],
/// thresholds[0]) in the next, and so on; the code of the top tier is
/// thresholds.size(). Throws on NaN values.
std::vector<std::int16_t> codes_by_thresholds(const double* x, std::size_t n,
                                              const std::vector<double>& thresholds);

}  // namespace kamkit
