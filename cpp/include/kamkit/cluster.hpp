// k-means clustering of customers: greedy k-means++ seeding and Lloyd
// iterations, restarted n_init times. Each Lloyd step works on cache-sized
// blocks of points: distances as ||c||^2 - 2 x.c, the argmin and the sums of
// the new centers in one pass, in parallel over fixed chunks of points.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace kamkit {

struct KMeansOptions {
  int k = 4;
  /// Independent seedings; the run with the lowest inertia wins.
  int n_init = 10;
  int max_iter = 300;
  /// Convergence when the squared shift of the centers adds up to at most
  /// tol times the mean variance of the features (scikit-learn's rule), or
  /// when no label changes.
  double tol = 1e-4;
  std::uint64_t seed = 0;
};

struct KMeansResult {
  /// k x d, row-major.
  std::vector<double> centers;
  std::vector<std::int32_t> labels;
  /// Sum of squared distances of the points to their centers.
  double inertia = 0.0;
  /// Lloyd iterations of the winning run.
  int n_iter = 0;
};

/// Clusters n points of d features (row-major, finite). Seeding is greedy
/// k-means++ (Arthur & Vassilvitskii 2007, with 2 + floor(ln k) candidates
/// per step as in scikit-learn); empty clusters are re-seeded with the points
/// farthest from their centers. Deterministic for a given seed, whatever
/// the number of threads (partial sums are added in a fixed order). Throws std::invalid_argument
/// when k < 1, k > n, or on non-finite data.
KMeansResult kmeans(const double* X, std::size_t n, std::size_t d, const KMeansOptions& options);

/// Writes (x - mean) / sd column by column to `out` (sd with ddof = 0; a
/// constant column is only centred), and the means and scales used.
void standardize(const double* X, std::size_t n, std::size_t d, double* out, double* mean,
                 double* scale);

}  // namespace kamkit
