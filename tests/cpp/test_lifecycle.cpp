#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <random>
#include <stdexcept>
#include <vector>

#include "kamkit/dates.hpp"
#include "kamkit/lifecycle.hpp"

namespace {

constexpr std::int64_t kDay = 86400;  // ticks per day in seconds

std::int64_t tick(std::int64_t y, unsigned m, unsigned d) {
  return kamkit::days_from_civil(y, m, d) * kDay;
}

}  // namespace

TEST(Lifecycle, PanelSumsRowsIntoCustomerPeriodCells) {
  const std::vector<std::int32_t> codes{0, 1, 0, 0, 1, -1};
  const std::vector<std::int64_t> ticks{tick(2020, 1, 5), tick(2020, 1, 9), tick(2020, 1, 31),
                                        tick(2020, 3, 1), tick(2020, 2, 2), tick(2020, 2, 3)};
  const std::vector<double> amount{1.5, 2.0, 3.0, 4.0, 5.0, 100.0};
  kamkit::PanelOptions opt;
  opt.want_counts = true;
  const auto p =
      kamkit::build_panel(codes.data(), codes.size(), 2, ticks.data(), kDay, amount.data(), opt);
  ASSERT_EQ(p.n_periods, 3u);
  EXPECT_EQ(p.first_period, 2020 * 12);
  EXPECT_TRUE(p.last_partial);  // ends on 2020-03-01
  const std::vector<double> rev{4.5, 0.0, 4.0, 2.0, 5.0, 0.0};
  const std::vector<std::int64_t> cnt{2, 0, 1, 1, 1, 0};
  EXPECT_EQ(p.revenue, rev);
  EXPECT_EQ(p.counts, cnt);
}

TEST(Lifecycle, PanelDropsRowsAfterTheObservationEnd) {
  const std::vector<std::int32_t> codes{0, 0, 0};
  const std::vector<std::int64_t> ticks{tick(2020, 1, 5), tick(2020, 1, 31) + 3600,
                                        tick(2020, 2, 1)};
  const std::vector<double> amount{1.0, 2.0, 4.0};
  kamkit::PanelOptions opt;
  opt.has_observation_end = true;
  opt.observation_end_tick = tick(2020, 1, 31);
  const auto p = kamkit::build_panel(codes.data(), 3, 1, ticks.data(), kDay, amount.data(), opt);
  ASSERT_EQ(p.n_periods, 1u);
  EXPECT_FALSE(p.last_partial);
  EXPECT_EQ(p.rows_after_end, 1u);
  EXPECT_DOUBLE_EQ(p.revenue[0], 3.0);  // the same day, later in it, still counts
}

TEST(Lifecycle, PanelByKeyEqualsPanelOnCodesBitForBit) {
  // Sparse ids (direct table) and ids spread over a wide range (hashed),
  // shuffled rows over two years, an observation end before the last row.
  for (const std::int64_t spread : {std::int64_t{7}, std::int64_t{1} << 40}) {
    std::mt19937_64 rng(42);
    const std::size_t n = 200000;
    std::vector<std::int64_t> keys(n), ticks(n);
    std::vector<double> amount(n);
    std::uniform_int_distribution<std::int64_t> who(0, 5000), when(0, 730 * kDay);
    std::lognormal_distribution<double> spend(3.0, 1.0);
    for (std::size_t i = 0; i < n; ++i) {
      keys[i] = 1000 + who(rng) * spread;
      ticks[i] = tick(2022, 1, 1) + when(rng);
      amount[i] = spend(rng);
    }
    // Codes of the sorted distinct keys.
    std::vector<std::int64_t> unique(keys);
    std::sort(unique.begin(), unique.end());
    unique.erase(std::unique(unique.begin(), unique.end()), unique.end());
    std::vector<std::int32_t> codes(n);
    for (std::size_t i = 0; i < n; ++i)
      codes[i] = static_cast<std::int32_t>(std::lower_bound(unique.begin(), unique.end(), keys[i]) -
                                           unique.begin());
    kamkit::PanelOptions opt;
    opt.want_counts = true;
    opt.freq = kamkit::Freq::Week;
    opt.has_observation_end = true;
    opt.observation_end_tick = tick(2023, 10, 4);
    const auto a =
        kamkit::build_panel(codes.data(), n, unique.size(), ticks.data(), kDay, amount.data(), opt);
    const auto b =
        kamkit::build_panel_by_key(keys.data(), n, ticks.data(), kDay, amount.data(), opt);
    EXPECT_EQ(b.keys, unique);
    EXPECT_EQ(a.n_periods, b.n_periods);
    EXPECT_EQ(a.first_period, b.first_period);
    EXPECT_EQ(a.end_day, b.end_day);
    EXPECT_EQ(a.last_partial, b.last_partial);
    EXPECT_GT(b.rows_after_end, 0u);
    EXPECT_EQ(a.rows_after_end, b.rows_after_end);
    EXPECT_EQ(a.rows_before_start, b.rows_before_start);
    EXPECT_EQ(a.counts, b.counts);
    ASSERT_EQ(a.revenue.size(), b.revenue.size());
    for (std::size_t i = 0; i < a.revenue.size(); ++i)
      ASSERT_EQ(a.revenue[i], b.revenue[i]) << "cell " << i;  // same order of the sums
  }
}

TEST(Lifecycle, StagesFollowThePublishedRules) {
  // Rows: steady, lapsed after 6 months, growing, churned and back, never bought.
  const std::size_t np = 14;
  std::vector<double> v(5 * np, 0.0);
  for (std::size_t t = 0; t < np; ++t) v[t] = 100.0;
  for (std::size_t t = 0; t < 6; ++t) v[np + t] = 100.0;
  for (std::size_t t = 0; t < np; ++t) v[2 * np + t] = t < 6 ? 10.0 : 30.0;
  v[3 * np + 0] = v[3 * np + 1] = 50.0;
  v[3 * np + 10] = 50.0;
  const auto s = kamkit::lifecycle_stages(v.data(), 5, np, false, kamkit::StageRules{});
  auto at = [&](std::size_t c, std::size_t t) { return s[t * 5 + c]; };
  for (std::size_t t = 0; t < 3; ++t) EXPECT_EQ(at(0, t), kamkit::kIdentification);
  for (std::size_t t = 3; t < np; ++t) EXPECT_EQ(at(0, t), kamkit::kStable);
  for (std::size_t t = 6; t < 11; ++t) EXPECT_EQ(at(1, t), kamkit::kDecline) << t;
  EXPECT_EQ(at(1, 11), kamkit::kChurned);  // the sixth silent month
  EXPECT_EQ(at(2, 6), kamkit::kDevelopment);
  EXPECT_EQ(at(3, 7), kamkit::kChurned);
  EXPECT_EQ(at(3, 10), kamkit::kReactivated);
  for (std::size_t t = 0; t < np; ++t) EXPECT_EQ(at(4, t), -1);
}

TEST(Lifecycle, PartialLastPeriodIsNeverADrop) {
  std::vector<double> v{100, 100, 100, 100, 100, 0};
  const auto full = kamkit::lifecycle_stages(v.data(), 1, 6, false, kamkit::StageRules{});
  const auto part = kamkit::lifecycle_stages(v.data(), 1, 6, true, kamkit::StageRules{});
  EXPECT_EQ(full[5], kamkit::kDecline);
  EXPECT_EQ(part[5], kamkit::kStable);
}

TEST(Lifecycle, TiersFollowRoundedSharesAndKeepTiesTogether) {
  // 10 customers, one period, values 10..1; shares 0.2/0.3/0.5.
  std::vector<double> v{10, 9, 8, 7, 6, 5, 4, 3, 2, 1};
  const auto t = kamkit::pyramid_tiers(v.data(), 10, 1, 1, {0.2, 0.5, 1.0});
  const std::vector<std::int8_t> want{2, 2, 1, 1, 1, 0, 0, 0, 0, 0};
  EXPECT_EQ(t, want);
  // A tie across the first cut stays in the better tier.
  std::vector<double> w{10, 9, 9, 7, 6, 5, 4, 3, 2, 1};
  const auto u = kamkit::pyramid_tiers(w.data(), 10, 1, 1, {0.2, 0.5, 1.0});
  EXPECT_EQ(u[1], 2);
  EXPECT_EQ(u[2], 2);
  EXPECT_THROW(kamkit::pyramid_tiers(v.data(), 10, 1, 1, {0.2, 0.5}), std::invalid_argument);
}

TEST(Lifecycle, TransitionCountsSkipMissingStates) {
  // 3 periods x 4 customers.
  const std::vector<std::int32_t> s{0, 1, -1, 1,   //
                                    1, 1, 0,  -1,  //
                                    1, 0, 0,  1};
  const auto c = kamkit::transition_counts(s.data(), 3, 4, 2);
  const std::vector<std::int64_t> want{0, 1, 0, 1,   // pair 0: 0->1, 1->1
                                       1, 0, 1, 1};  // pair 1: 0->0, 1->1, 1->0
  EXPECT_EQ(c, want);
  const std::vector<std::int32_t> bad{0, 5};
  EXPECT_THROW(kamkit::transition_counts(bad.data(), 2, 1, 2), std::invalid_argument);
}
