#include <gtest/gtest.h>

#include <cmath>
#include <stdexcept>
#include <vector>

#include "kamkit/archive.hpp"
#include "kamkit/grouping.hpp"

namespace {

constexpr std::int64_t kDay = 86400;  // ticks per day at second resolution

kamkit::TransactionsView view(const std::vector<std::int64_t>& keys,
                              const std::vector<std::int64_t>& ticks,
                              const std::vector<double>& amount) {
  kamkit::TransactionsView v;
  v.n = keys.size();
  v.keys = keys.data();
  v.ticks = ticks.data();
  v.ticks_per_day = kDay;
  v.amount = amount.data();
  return v;
}

}  // namespace

TEST(Grouping, DirectAndHashedAgree) {
  const std::vector<std::int64_t> small{5, 3, 5, 9, 3};
  const std::vector<std::int64_t> sparse{5, -3000000000000LL, 5, 9000000000000LL, -3000000000000LL};
  const auto a = kamkit::group_keys(small.data(), small.size());
  const auto b = kamkit::group_keys(sparse.data(), sparse.size());
  EXPECT_EQ(a.unique_keys, (std::vector<std::int64_t>{3, 5, 9}));
  EXPECT_EQ(b.unique_keys, (std::vector<std::int64_t>{-3000000000000LL, 5, 9000000000000LL}));
  EXPECT_EQ(a.codes, (std::vector<std::int32_t>{1, 0, 1, 2, 0}));
  EXPECT_EQ(b.codes, (std::vector<std::int32_t>{1, 0, 1, 2, 0}));
  EXPECT_EQ(a.counts, (std::vector<std::int64_t>{2, 2, 1}));
}

TEST(Archive, LifetimesDefinitions) {
  // Customer 1: day 0 (10 + 5), day 3 (-2, a return still counts), day 10 (7).
  // Customer 2: one purchase on day 4.
  const std::vector<std::int64_t> keys{1, 2, 1, 1, 1};
  const std::vector<std::int64_t> ticks{0, 4 * kDay, 3 * kDay + 100, 10 * kDay, 3600};
  const std::vector<double> amount{10, 8, -2, 7, 5};
  kamkit::ArchiveOptions opt;
  opt.has_observation_end = true;
  opt.observation_end_tick = 12 * kDay + 5;
  const auto a = kamkit::summarize(view(keys, ticks, amount), opt);
  ASSERT_EQ(a.keys.size(), 2u);
  EXPECT_EQ(a.frequency[0], 2.0);
  EXPECT_EQ(a.recency[0], 10.0);
  EXPECT_EQ(a.T[0], 12.0);
  EXPECT_DOUBLE_EQ(a.monetary_value[0], (-2.0 + 7.0) / 2.0);
  EXPECT_EQ(a.n_transactions[0], 4);
  EXPECT_DOUBLE_EQ(a.revenue[0], 20.0);
  EXPECT_EQ(a.first_tick[0], 0);
  EXPECT_EQ(a.last_tick[0], 10 * kDay);
  EXPECT_EQ(a.frequency[1], 0.0);
  EXPECT_EQ(a.recency[1], 0.0);
  EXPECT_EQ(a.T[1], 8.0);
  EXPECT_EQ(a.monetary_value[1], 0.0);
}

TEST(Archive, RowsAfterTheEndAreIgnoredAndWeeksScale) {
  const std::vector<std::int64_t> keys{7, 7, 7};
  const std::vector<std::int64_t> ticks{0, 14 * kDay, 30 * kDay};
  const std::vector<double> amount{1, 2, 4};
  kamkit::ArchiveOptions opt;
  opt.time_unit_days = 7.0;
  opt.has_observation_end = true;
  opt.observation_end_tick = 21 * kDay;
  const auto a = kamkit::summarize(view(keys, ticks, amount), opt);
  EXPECT_EQ(a.rows_after_end, 1u);
  EXPECT_EQ(a.frequency[0], 1.0);
  EXPECT_DOUBLE_EQ(a.recency[0], 2.0);
  EXPECT_DOUBLE_EQ(a.T[0], 3.0);
  EXPECT_DOUBLE_EQ(a.revenue[0], 3.0);
}

TEST(Archive, GrowthComparesFullPeriodsOnly) {
  // Quarterly periods; the observation ends on 1970-06-30, the last day of Q2.
  const std::vector<std::int64_t> keys{1, 1, 1};
  const std::vector<std::int64_t> ticks{10 * kDay, 100 * kDay, 120 * kDay};  // Q1, Q2, Q2
  const std::vector<double> amount{100, 60, 90};
  kamkit::ArchiveOptions opt;
  opt.has_observation_end = true;
  opt.observation_end_tick = 180 * kDay;  // 1970-06-30
  auto a = kamkit::summarize(view(keys, ticks, amount), opt);
  EXPECT_DOUBLE_EQ(a.growth[0], 150.0 / 100.0 - 1.0);
  EXPECT_DOUBLE_EQ(a.avg_period_revenue[0], 250.0 / 2.0);
  // One day earlier Q2 is partial: compare Q1 with Q4 of 1969 (no revenue).
  opt.observation_end_tick = 179 * kDay;
  a = kamkit::summarize(view(keys, ticks, amount), opt);
  EXPECT_TRUE(std::isnan(a.growth[0]));
}

TEST(Archive, ObservationEndBeforeFirstPurchaseThrows) {
  const std::vector<std::int64_t> keys{1};
  const std::vector<std::int64_t> ticks{10 * kDay};
  const std::vector<double> amount{1};
  kamkit::ArchiveOptions opt;
  opt.has_observation_end = true;
  opt.observation_end_tick = 2 * kDay;
  EXPECT_THROW(kamkit::summarize(view(keys, ticks, amount), opt), std::invalid_argument);
}

TEST(Archive, BadResolutionThrows) {
  const std::vector<std::int64_t> keys{1};
  const std::vector<std::int64_t> ticks{1};
  const std::vector<double> amount{1};
  auto v = view(keys, ticks, amount);
  v.ticks_per_day = 1234;
  EXPECT_THROW(kamkit::summarize(v, {}), std::invalid_argument);
}
