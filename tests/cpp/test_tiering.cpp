#include <gtest/gtest.h>

#include <cmath>
#include <numeric>
#include <random>
#include <stdexcept>
#include <vector>

#include "kamkit/tiering.hpp"

namespace {

std::vector<std::int16_t> pyramid(const std::vector<double>& x, const std::vector<double>& cum) {
  const auto d = kamkit::sort_descending(x.data(), x.size());
  const auto cuts = kamkit::cuts_by_count(d.values.data(), x.size(), cum);
  return kamkit::codes_from_cuts(d.order.data(), x.size(), cuts);
}

}  // namespace

TEST(Tiering, TextbookPyramidOnDistinctValues) {
  std::vector<double> x(1000);
  std::iota(x.begin(), x.end(), 1.0);
  const auto codes = pyramid(x, {0.01, 0.05, 0.20});
  std::vector<int> size(4, 0);
  for (auto c : codes) ++size[c];
  EXPECT_EQ(size, (std::vector<int>{800, 150, 40, 10}));  // lowest tier first
  EXPECT_EQ(codes[999], 3);                               // the largest value is VIP
  EXPECT_EQ(codes[989], 2);                               // the 11th largest is major
  EXPECT_EQ(codes[990], 3);
}

TEST(Tiering, TiesStayTogetherAndSnapToTheNearerEnd) {
  // Decreasing: 9, 8, 8, 8, 8, 1 ... ; a cut at 2 lies in the run [1, 5).
  const std::vector<double> desc{9, 8, 8, 8, 8, 1, 1, 0};
  EXPECT_EQ(kamkit::snap_cuts(desc.data(), desc.size(), {2}), (std::vector<std::int64_t>{1}));
  EXPECT_EQ(kamkit::snap_cuts(desc.data(), desc.size(), {4}), (std::vector<std::int64_t>{5}));
  // Equal distance (3 is 2 from 1 and 2 from 5): the run joins the upper tier.
  EXPECT_EQ(kamkit::snap_cuts(desc.data(), desc.size(), {3}), (std::vector<std::int64_t>{5}));
  EXPECT_EQ(kamkit::snap_cuts(desc.data(), desc.size(), {6}), (std::vector<std::int64_t>{7}));
  EXPECT_THROW(kamkit::snap_cuts(desc.data(), desc.size(), {3, 2}), std::invalid_argument);
  EXPECT_THROW(kamkit::snap_cuts(desc.data(), desc.size(), {9}), std::invalid_argument);
}

TEST(Tiering, RandomTiesNeverSplit) {
  std::mt19937_64 rng(3);
  std::uniform_int_distribution<int> u(0, 30);
  std::vector<double> x(5000);
  for (auto& v : x) v = u(rng);
  const auto codes = pyramid(x, {0.01, 0.05, 0.20});
  for (std::size_t i = 0; i < x.size(); ++i)
    for (std::size_t j = 0; j < 50; ++j) {
      if (x[i] == x[j]) EXPECT_EQ(codes[i], codes[j]);
      if (x[i] > x[j]) EXPECT_GE(codes[i], codes[j]);
    }
}

TEST(Tiering, AbcByValue) {
  // 10 customers: 50, 20, 10, 5, 5, 4, 3, 2, 1, 0 (total 100).
  const std::vector<double> x{5, 50, 0, 20, 10, 5, 4, 3, 2, 1};
  const auto d = kamkit::sort_descending(x.data(), x.size());
  const auto cuts = kamkit::cuts_by_value(d.values.data(), x.size(), {0.5, 0.8, 0.95});
  // 50 reaches 50 %; 50+20+10 = 80 %; 85, 90 (both 5s, a tie), 94, 97: 95 % needs 7.
  EXPECT_EQ(cuts, (std::vector<std::int64_t>{1, 3, 7}));
  const std::vector<double> neg{1, -1};
  const auto dn = kamkit::sort_descending(neg.data(), 2);
  EXPECT_THROW(kamkit::cuts_by_value(dn.values.data(), 2, {0.5}), std::invalid_argument);
}

TEST(Tiering, Thresholds) {
  const std::vector<double> x{5e6, 1e6, 999999, 1e4, 9999, -1};
  const auto c = kamkit::codes_by_thresholds(x.data(), x.size(), {1e6, 1e5, 1e4});
  EXPECT_EQ(c, (std::vector<std::int16_t>{3, 3, 2, 1, 0, 0}));
  EXPECT_THROW(kamkit::codes_by_thresholds(x.data(), x.size(), {1, 2}), std::invalid_argument);
}
