#include <gtest/gtest.h>

#include <stdexcept>

#include "kamkit/dates.hpp"

using kamkit::Freq;

TEST(Dates, CivilRoundTrip) {
  EXPECT_EQ(kamkit::days_from_civil(1970, 1, 1), 0);
  EXPECT_EQ(kamkit::days_from_civil(1997, 1, 1), 9862);
  EXPECT_EQ(kamkit::days_from_civil(2000, 3, 1), 11017);
  for (std::int64_t d = -800000; d <= 800000; d += 997) {
    const auto c = kamkit::civil_from_days(d);
    EXPECT_EQ(kamkit::days_from_civil(c.year, c.month, c.day), d);
  }
}

TEST(Dates, PeriodsContainTheirDays) {
  for (Freq f : {Freq::Day, Freq::Week, Freq::Month, Freq::Quarter, Freq::Year}) {
    for (std::int64_t d = -1000; d <= 20000; d += 13) {
      const std::int64_t p = kamkit::period_of_day(d, f);
      EXPECT_LE(kamkit::period_start_day(p, f), d);
      EXPECT_GE(kamkit::period_end_day(p, f), d);
      EXPECT_EQ(kamkit::period_of_day(kamkit::period_end_day(p, f) + 1, f), p + 1);
    }
  }
}

TEST(Dates, WeeksRunMondayToSunday) {
  // 1997-09-29 was a Monday and 1997-10-05 a Sunday.
  const auto mon = kamkit::days_from_civil(1997, 9, 29);
  const auto sun = kamkit::days_from_civil(1997, 10, 5);
  const auto p = kamkit::period_of_day(mon, Freq::Week);
  EXPECT_EQ(kamkit::period_start_day(p, Freq::Week), mon);
  EXPECT_EQ(kamkit::period_end_day(p, Freq::Week), sun);
}

TEST(Dates, QuarterAndMonthBounds) {
  const auto d = kamkit::days_from_civil(1998, 5, 17);
  const auto q = kamkit::period_of_day(d, Freq::Quarter);
  EXPECT_EQ(kamkit::period_start_day(q, Freq::Quarter), kamkit::days_from_civil(1998, 4, 1));
  EXPECT_EQ(kamkit::period_end_day(q, Freq::Quarter), kamkit::days_from_civil(1998, 6, 30));
  const auto m = kamkit::period_of_day(d, Freq::Month);
  EXPECT_EQ(kamkit::period_end_day(m, Freq::Month), kamkit::days_from_civil(1998, 5, 31));
}

TEST(Dates, ParseFreq) {
  EXPECT_EQ(kamkit::parse_freq("QE"), Freq::Quarter);
  EXPECT_EQ(kamkit::parse_freq("W"), Freq::Week);
  EXPECT_THROW(kamkit::parse_freq("fortnight"), std::invalid_argument);
}
