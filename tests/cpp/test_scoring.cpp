#include <gtest/gtest.h>

#include <cmath>
#include <random>
#include <stdexcept>
#include <vector>

#include "kamkit/order.hpp"
#include "kamkit/scoring.hpp"

TEST(Order, ArgsortMatchesStableSort) {
  std::mt19937_64 rng(7);
  std::normal_distribution<double> nd(0.0, 1e3);
  for (std::size_t n : {0u, 1u, 2u, 17u, 1000u, 200000u}) {
    std::vector<double> x(n);
    for (auto& v : x) v = std::round(nd(rng)) / 4.0;  // many ties, negatives
    if (n > 3) {
      x[1] = -0.0;
      x[2] = 0.0;
      x[3] = -std::numeric_limits<double>::infinity();
    }
    const auto o = kamkit::argsort(x.data(), n);
    std::vector<std::int32_t> ref(n);
    for (std::size_t i = 0; i < n; ++i) ref[i] = static_cast<std::int32_t>(i);
    std::stable_sort(ref.begin(), ref.end(),
                     [&](std::int32_t a, std::int32_t b) { return x[a] < x[b]; });
    EXPECT_EQ(o, ref) << "n = " << n;
    const auto s = kamkit::sorted_copy(x.data(), n);
    for (std::size_t i = 0; i < n; ++i) EXPECT_EQ(s[i], x[ref[i]]);
  }
}

TEST(Order, NaNIsRejected) {
  const std::vector<double> x{1.0, std::nan(""), 2.0};
  EXPECT_THROW(kamkit::argsort(x.data(), x.size()), std::invalid_argument);
}

TEST(Order, AverageRanksOfTies) {
  const std::vector<double> x{10, 20, 10, 30, 20, 10};
  const auto o = kamkit::argsort(x.data(), x.size());
  std::vector<double> r(x.size());
  kamkit::average_ranks(x.data(), o.data(), x.size(), r.data());
  // 10s take ranks 1..3 (mean 2), 20s 4..5 (4.5), 30 rank 6.
  EXPECT_EQ(r, (std::vector<double>{2, 4.5, 2, 6, 4.5, 2}));
}

TEST(Scoring, NormalizeMethods) {
  const std::vector<double> x{1, 3, 3, 5};
  std::vector<double> out(4);
  kamkit::normalize(x.data(), 4, kamkit::ScoreMethod::MinMax, out.data());
  EXPECT_EQ(out, (std::vector<double>{0, 0.5, 0.5, 1}));
  kamkit::normalize(x.data(), 4, kamkit::ScoreMethod::Rank, out.data());
  // ranks 1, 2.5, 2.5, 4 -> (r - 1) / 3
  EXPECT_NEAR(out[0], 0.0, 1e-15);
  EXPECT_NEAR(out[1], 0.5, 1e-15);
  EXPECT_NEAR(out[3], 1.0, 1e-15);
  kamkit::normalize(x.data(), 4, kamkit::ScoreMethod::ZScore, out.data());
  // mean 3, sd sqrt(2): Phi(-sqrt 2) = 0.0786496...
  EXPECT_NEAR(out[0], 0.07864960352514258, 1e-12);
  EXPECT_NEAR(out[1], 0.5, 1e-15);
  EXPECT_NEAR(out[3], 1 - 0.07864960352514258, 1e-12);
  const std::vector<double> c{7, 7, 7};
  for (auto m :
       {kamkit::ScoreMethod::MinMax, kamkit::ScoreMethod::ZScore, kamkit::ScoreMethod::Rank}) {
    std::vector<double> o(3);
    kamkit::normalize(c.data(), 3, m, o.data());
    EXPECT_EQ(o, (std::vector<double>{0.5, 0.5, 0.5}));
  }
}

TEST(Scoring, WeightsAndDirections) {
  // Two criteria, column-major: revenue (higher better), overdue (lower better).
  const std::vector<double> cols{10, 20, 30, 0, 30, 0};
  const std::vector<double> w{3, -1};
  std::vector<double> out(3);
  kamkit::value_score(cols.data(), 3, 2, w.data(), kamkit::ScoreMethod::MinMax, out.data());
  // 100 * (0.75 * minmax(revenue) + 0.25 * (1 - minmax(overdue)))
  EXPECT_NEAR(out[0], 25.0, 1e-12);
  EXPECT_NEAR(out[1], 37.5, 1e-12);
  EXPECT_NEAR(out[2], 100.0, 1e-12);
  const std::vector<double> zero{0, 0};
  EXPECT_THROW(
      kamkit::value_score(cols.data(), 3, 2, zero.data(), kamkit::ScoreMethod::MinMax, out.data()),
      std::invalid_argument);
  EXPECT_THROW(kamkit::parse_score_method("z"), std::invalid_argument);
}

TEST(Scoring, BalancedCutsUseEveryLevel) {
  // 52 % of the values tie at the bottom: every level is still used, and the
  // rest is split as evenly as runs allow.
  std::vector<double> desc = {9, 8, 7, 6, 5, 4, 3, 2, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1};
  const auto cuts = kamkit::balanced_cuts(desc.data(), desc.size(), 5);
  ASSERT_EQ(cuts.size(), 4u);
  EXPECT_EQ(cuts.back(), 8);  // the tie is the bottom group on its own
  std::int64_t prev = 0;
  for (auto c : cuts) {
    EXPECT_GT(c, prev);
    prev = c;
  }
  // Fewer distinct values than bins: the ends of the scale are used.
  std::vector<double> two = {2, 2, 1};
  const auto c2 = kamkit::balanced_cuts(two.data(), two.size(), 5);
  EXPECT_EQ(c2.front(), 2);
  EXPECT_EQ(c2.back(), 2);
  std::vector<double> one = {3, 3};
  for (auto c : kamkit::balanced_cuts(one.data(), one.size(), 4)) EXPECT_EQ(c, 0);
  EXPECT_THROW(kamkit::balanced_cuts(one.data(), one.size(), 0), std::invalid_argument);
}
