#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <random>
#include <stdexcept>
#include <vector>

#include "kamkit/assign.hpp"
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

namespace {

// Exact optimum of the largest load by enumerating all m^n assignments.
double brute_force(const std::vector<double>& w, int m) {
  const std::size_t n = w.size();
  std::vector<int> a(n, 0);
  double best = 1e300;
  while (true) {
    std::vector<double> load(static_cast<std::size_t>(m), 0.0);
    for (std::size_t i = 0; i < n; ++i) load[static_cast<std::size_t>(a[i])] += w[i];
    best = std::min(best, *std::max_element(load.begin(), load.end()));
    std::size_t i = 0;
    while (i < n && ++a[i] == m) a[i++] = 0;
    if (i == n) break;
  }
  return best;
}

}  // namespace

TEST(Assign, LptWithinGrahamBoundOfTheOptimum) {
  std::mt19937_64 rng(9);
  std::uniform_int_distribution<int> u(1, 20);
  int optimal = 0;
  for (int trial = 0; trial < 300; ++trial) {
    const int m = 2 + trial % 3;
    const std::size_t n = 3 + static_cast<std::size_t>(trial % 6);
    std::vector<double> w(n);
    for (auto& v : w) v = u(rng);
    const auto s = kamkit::lpt_schedule(w.data(), n, m);
    const double got = *std::max_element(s.load.begin(), s.load.end());
    const double opt = brute_force(w, m);
    EXPECT_GE(got, opt - 1e-12);
    EXPECT_LE(got, (4.0 / 3.0 - 1.0 / (3.0 * m)) * opt + 1e-12);
    optimal += got == opt;
    // Loads add up and every job has a manager.
    std::vector<double> load(static_cast<std::size_t>(m), 0.0);
    for (std::size_t i = 0; i < n; ++i) load[static_cast<std::size_t>(s.manager[i])] += w[i];
    EXPECT_EQ(load, s.load);
  }
  EXPECT_GT(optimal, 200);  // LPT is exact on most small cases
  // Graham's tight example: m = 2, jobs 3, 3, 2, 2, 2: LPT 7, optimum 6 = 7/6.
  const std::vector<double> w{3, 3, 2, 2, 2};
  const auto s = kamkit::lpt_schedule(w.data(), w.size(), 2);
  EXPECT_EQ(*std::max_element(s.load.begin(), s.load.end()), 7.0);
  EXPECT_EQ(brute_force(w, 2), 6.0);
  EXPECT_THROW(kamkit::lpt_schedule(w.data(), w.size(), 0), std::invalid_argument);
}
