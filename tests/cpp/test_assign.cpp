#include <gtest/gtest.h>

#include <algorithm>
#include <random>
#include <stdexcept>
#include <vector>

#include "kamkit/assign.hpp"

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
