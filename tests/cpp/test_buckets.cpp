#include <gtest/gtest.h>

#include <map>
#include <random>
#include <vector>

#include "kamkit/buckets.hpp"
#include "kamkit/common.hpp"

namespace {

// Runs the plan in passes of at most `max_rows` rows and returns, per
// customer key, the input rows it was handed (in the order given).
std::map<std::int64_t, std::vector<std::int64_t>> regroup(const std::vector<std::int64_t>& keys,
                                                          const std::uint8_t* keep,
                                                          std::size_t max_rows,
                                                          std::size_t* n_passes) {
  kamkit::BucketPlan plan(keys.data(), keys.size(), keep);
  std::map<std::int64_t, std::vector<std::int64_t>> got;
  struct Row {
    std::int64_t index;
    std::uint64_t slot;
  };
  std::vector<Row> payload(keys.size());
  const auto passes = plan.passes(max_rows);
  *n_passes = passes.size();
  std::vector<std::vector<std::int64_t>> per_customer(plan.unique_keys().size());
  for (const auto& [b0, b1] : passes) {
    plan.scatter(b0, b1, payload.data(), [](std::size_t i, std::size_t slot) {
      return Row{static_cast<std::int64_t>(i), slot};
    });
    plan.for_each_customer(
        b0, b1, payload.data(), [](const Row& r) { return r.slot; },
        [&](std::int64_t c, const Row* rows, std::size_t count) {
          auto& mine = per_customer[static_cast<std::size_t>(c)];
          for (std::size_t j = 0; j < count; ++j) mine.push_back(rows[j].index);
        });
  }
  for (std::size_t c = 0; c < per_customer.size(); ++c)
    got[plan.unique_keys()[c]] = per_customer[c];
  return got;
}

void check(const std::vector<std::int64_t>& keys, const std::vector<std::uint8_t>& keep,
           std::size_t max_rows, std::size_t min_passes) {
  std::map<std::int64_t, std::vector<std::int64_t>> expected;
  for (std::size_t i = 0; i < keys.size(); ++i)
    if (keep[i]) expected[keys[i]].push_back(static_cast<std::int64_t>(i));
  std::size_t n_passes = 0;
  const auto got = regroup(keys, keep.data(), max_rows, &n_passes);
  EXPECT_GE(n_passes, min_passes);
  EXPECT_EQ(got, expected);
}

}  // namespace

TEST(BucketPlan, DirectKeysInSeveralPasses) {
  std::mt19937_64 rng(1);
  std::vector<std::int64_t> keys(200000);
  std::vector<std::uint8_t> keep(keys.size());
  for (std::size_t i = 0; i < keys.size(); ++i) {
    keys[i] = 1000 + static_cast<std::int64_t>(rng() % 30000);
    keep[i] = (rng() % 10) != 0;
  }
  check(keys, keep, 20000, 5);
}

TEST(BucketPlan, HashedKeysInSeveralPasses) {
  std::mt19937_64 rng(2);
  std::vector<std::int64_t> ids(5000);
  for (auto& id : ids) id = static_cast<std::int64_t>(rng()) >> 3;
  std::vector<std::int64_t> keys(100000);
  std::vector<std::uint8_t> keep(keys.size(), 1);
  for (auto& k : keys) k = ids[rng() % ids.size()];
  check(keys, keep, 10000, 2);
}

TEST(BucketPlan, OnePassAndNothingKept) {
  const std::vector<std::int64_t> keys{5, 3, 5, 9, 3};
  check(keys, std::vector<std::uint8_t>(keys.size(), 1), 1000, 1);
  std::size_t n_passes = 0;
  const std::vector<std::uint8_t> none(keys.size(), 0);
  EXPECT_TRUE(regroup(keys, none.data(), 1000, &n_passes).empty());
  EXPECT_EQ(n_passes, 0u);
}

TEST(UnsignedDivider, MatchesDivisionAtEveryBoundary) {
  std::mt19937_64 rng(3);
  // Codes per day of every resolution and shift the archive uses, and others.
  std::vector<std::uint64_t> divisors{
      2, 3, 7, 675, 86400, 86400000, 86400000000ULL, 86400000000000ULL >> 9, 86400000000000ULL};
  for (int k = 0; k < 20; ++k) divisors.push_back(2 + rng() % (std::uint64_t{1} << 40));
  for (const std::uint64_t d : divisors) {
    const kamkit::UnsignedDivider div(d);
    for (int k = 0; k < 2000; ++k) {
      const std::uint64_t n = rng() >> (1 + rng() % 63);  // below 2^63, many scales
      ASSERT_EQ(div(n), n / d) << n << " / " << d;
      // Around the multiples of d, where a rounded reciprocal slips.
      const std::uint64_t q = n / d;
      for (const std::uint64_t m : {q * d, q * d + d - 1, q * d + d}) {
        if (m < (std::uint64_t{1} << 63)) ASSERT_EQ(div(m), m / d) << m << " / " << d;
      }
    }
    const std::uint64_t top = (std::uint64_t{1} << 63) - 1;
    EXPECT_EQ(div(top), top / d);
    EXPECT_EQ(div(0), 0u);
  }
  EXPECT_THROW(kamkit::UnsignedDivider(1), std::invalid_argument);
}
