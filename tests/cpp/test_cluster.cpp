#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <random>
#include <stdexcept>
#include <vector>

#include "kamkit/cluster.hpp"
#include "kamkit/common.hpp"

TEST(KMeans, RecoversSeparatedBlobs) {
  std::mt19937_64 rng(5);
  std::normal_distribution<double> nd(0.0, 0.1);
  const double truth[3][2] = {{0, 0}, {10, 0}, {0, 10}};
  const std::size_t per = 300, n = 3 * per;
  std::vector<double> X(n * 2);
  double ss = 0;
  for (std::size_t i = 0; i < n; ++i)
    for (int j = 0; j < 2; ++j) {
      const double e = nd(rng);
      X[i * 2 + j] = truth[i / per][j] + e;
      ss += e * e;
    }
  kamkit::KMeansOptions o;
  o.k = 3;
  o.n_init = 3;
  const auto r = kamkit::kmeans(X.data(), n, 2, o);
  // The inertia is the within-blob scatter around the blob means (<= ss).
  EXPECT_LE(r.inertia, ss);
  EXPECT_GT(r.inertia, 0.9 * ss);
  for (std::size_t b = 0; b < 3; ++b) {
    const auto l = r.labels[b * per];
    for (std::size_t i = b * per; i < (b + 1) * per; ++i) EXPECT_EQ(r.labels[i], l);
    EXPECT_NEAR(r.centers[l * 2 + 0], truth[b][0], 0.05);
    EXPECT_NEAR(r.centers[l * 2 + 1], truth[b][1], 0.05);
  }
  // Same seed, same result.
  const auto r2 = kamkit::kmeans(X.data(), n, 2, o);
  EXPECT_EQ(r.labels, r2.labels);
  o.k = 0;
  EXPECT_THROW(kamkit::kmeans(X.data(), n, 2, o), std::invalid_argument);
  o.k = static_cast<int>(n) + 1;
  EXPECT_THROW(kamkit::kmeans(X.data(), n, 2, o), std::invalid_argument);
}

TEST(KMeans, StandardizeHasZeroMeanUnitVariance) {
  const std::vector<double> X{1, 10, 2, 10, 3, 10};
  std::vector<double> Z(6), mean(2), scale(2);
  kamkit::standardize(X.data(), 3, 2, Z.data(), mean.data(), scale.data());
  EXPECT_DOUBLE_EQ(mean[0], 2.0);
  EXPECT_DOUBLE_EQ(scale[0], std::sqrt(2.0 / 3.0));
  EXPECT_DOUBLE_EQ(scale[1], 1.0);  // constant column: only centred
  EXPECT_DOUBLE_EQ(Z[1], 0.0);
  EXPECT_NEAR(Z[0] + Z[2] + Z[4], 0.0, 1e-15);
}

TEST(KMeans, LabelsAreNearestCentersAndInertiaIsExact) {
  // Enough points for the parallel path; the result must not depend on the
  // number of threads, and every label must be the nearest center.
  std::mt19937_64 rng(11);
  std::normal_distribution<double> nd(0.0, 1.0);
  const std::size_t n = 100000, d = 3;
  std::vector<double> X(n * d);
  for (std::size_t i = 0; i < n; ++i)
    for (std::size_t j = 0; j < d; ++j) X[i * d + j] = nd(rng) + ((i % 4) == j ? 4.0 : 0.0);
  kamkit::KMeansOptions o;
  o.k = 4;
  o.n_init = 2;
  o.tol = 0.0;  // run until no label changes: the centers are then the means
  const auto r = kamkit::kmeans(X.data(), n, d, o);
  double inertia = 0.0;
  for (std::size_t i = 0; i < n; ++i) {
    double best = 1e300;
    std::size_t arg = 0;
    for (std::size_t c = 0; c < 4; ++c) {
      double s = 0.0;
      for (std::size_t j = 0; j < d; ++j) {
        const double t = X[i * d + j] - r.centers[c * d + j];
        s += t * t;
      }
      if (s < best) best = s, arg = c;
    }
    double own = 0.0;
    for (std::size_t j = 0; j < d; ++j) {
      const double t = X[i * d + j] - r.centers[static_cast<std::size_t>(r.labels[i]) * d + j];
      own += t * t;
    }
    EXPECT_LE(own, best * (1 + 1e-12) + 1e-12) << "point " << i << " nearest " << arg;
    inertia += own;
  }
  EXPECT_NEAR(r.inertia, inertia, 1e-9 * inertia);
  std::vector<double> sums(4 * d, 0.0), counts(4, 0.0);
  for (std::size_t i = 0; i < n; ++i) {
    const auto c = static_cast<std::size_t>(r.labels[i]);
    counts[c] += 1;
    for (std::size_t j = 0; j < d; ++j) sums[c * d + j] += X[i * d + j];
  }
  for (std::size_t c = 0; c < 4; ++c)
    for (std::size_t j = 0; j < d; ++j)
      EXPECT_NEAR(r.centers[c * d + j], sums[c * d + j] / counts[c], 1e-9);
#ifdef KAMKIT_HAVE_OPENMP
  const int before = omp_get_max_threads();
  omp_set_num_threads(1);
  const auto r1 = kamkit::kmeans(X.data(), n, d, o);
  omp_set_num_threads(2);
  const auto r2 = kamkit::kmeans(X.data(), n, d, o);
  omp_set_num_threads(before);
  EXPECT_EQ(r1.labels, r2.labels);
  EXPECT_EQ(r1.centers, r2.centers);
  EXPECT_EQ(r1.inertia, r2.inertia);
#endif
}
