// Multi-criteria value scores: each criterion is normalised to 0..1, turned
// round when lower is better, and the weighted mean is scaled to 0..100.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace kamkit {

enum class ScoreMethod {
  /// (x - min) / (max - min); a constant criterion gives 0.5.
  MinMax,
  /// Phi((x - mean) / sd), sd with ddof = 0; a constant criterion gives 0.5.
  ZScore,
  /// (average rank - 1) / (n - 1): ties share a rank; n = 1 gives 0.5.
  Rank,
};

/// Parses "minmax", "zscore" or "rank"; throws std::invalid_argument otherwise.
ScoreMethod parse_score_method(const std::string& name);

/// Normalises n finite values to 0..1 (higher value, higher result).
/// Throws std::invalid_argument on non-finite values.
void normalize(const double* x, std::size_t n, ScoreMethod method, double* out);

/// Weighted score of n customers on k criteria. `columns` holds the k columns
/// one after the other (column-major n x k). A negative weight means lower is
/// better (the criterion enters as 1 - normalised). Weights are divided by
/// the sum of their absolute values, so the score runs from 0 to 100.
/// Throws std::invalid_argument when the weights are all zero or not finite.
void value_score(const double* columns, std::size_t n, std::size_t k, const double* weights,
                 ScoreMethod method, double* out);

/// The same with the k columns anywhere in memory (columns[j] points to n values).
void value_score(const double* const* columns, std::size_t n, std::size_t k, const double* weights,
                 ScoreMethod method, double* out);

/// Cuts of `bins` score groups over n values sorted in decreasing order
/// (`desc`), as counts of top values (non-decreasing, bins - 1 of them, the
/// top group first, as codes_from_cuts reads them). A cut never splits a run
/// of equal values.
///
/// With at least `bins` distinct values every group gets at least one run,
/// and among those partitions the cuts minimise the sum of the squared group
/// sizes (the variance of the counts), so the groups are as equal as the ties
/// allow. Exact: a dynamic programme over the runs in integers, each layer
/// solved by the convex hull trick, O(bins k) time for k distinct values and
/// O(bins k) memory for the split points. Among equal optima a fixed rule
/// picks one, so the result is reproducible.
///
/// With fewer distinct values (k < bins) each run is its own group; the top
/// run gets the top group and the bottom run the bottom group, and each run
/// between them the group nearest to its mid-rank share, kept in order. With
/// one distinct value every value is in the bottom group.
/// Throws std::invalid_argument when bins < 1 or n >= 2^31.
std::vector<std::int64_t> balanced_cuts(const double* desc, std::size_t n, int bins);

}  // namespace kamkit
