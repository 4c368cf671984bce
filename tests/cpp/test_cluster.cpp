#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <random>
#include <stdexcept>
#include <vector>

#include "kamkit/cluster.hpp"

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
