// Calendar arithmetic on day numbers (days since 1970-01-01, proleptic
// Gregorian) and the period frequencies kamkit groups dates by.
#pragma once

#include <cstdint>
#include <string>

#include "kamkit/common.hpp"

namespace kamkit {

/// A calendar period length. Weeks run Monday to Sunday, like pandas' "W".
enum class Freq { Day, Week, Month, Quarter, Year };

/// Parses "D", "W", "M", "Q" or "Y" (pandas' aliases "W-SUN", "ME", "QE",
/// "YE", "A" are accepted too); throws std::invalid_argument otherwise.
Freq parse_freq(const std::string& text);

/// Day number of a civil date (month 1..12, day 1..31).
inline std::int64_t days_from_civil(std::int64_t year, unsigned month, unsigned day) noexcept;

struct CivilDate {
  std::int64_t year;
  unsigned month;
  unsigned day;
};

/// Civil date of a day number.
inline CivilDate civil_from_days(std::int64_t days) noexcept;

/// Ordinal of the period that contains `day` (consecutive periods have
/// consecutive ordinals).
inline std::int64_t period_of_day(std::int64_t day, Freq freq) noexcept;

/// First day of the period with ordinal `period`.
inline std::int64_t period_start_day(std::int64_t period, Freq freq) noexcept;

/// Last day of the period with ordinal `period`.
inline std::int64_t period_end_day(std::int64_t period, Freq freq) noexcept;

// ---------------------------------------------------------------- definitions
// Small and called per row or per customer: defined here to be inlined.

// Howard Hinnant's algorithms (http://howardhinnant.github.io/date_algorithms.html).
inline std::int64_t days_from_civil(std::int64_t y, unsigned m, unsigned d) noexcept {
  y -= m <= 2;
  const std::int64_t era = (y >= 0 ? y : y - 399) / 400;
  const auto yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<std::int64_t>(doe) - 719468;
}

inline CivilDate civil_from_days(std::int64_t z) noexcept {
  z += 719468;
  const std::int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const auto doe = static_cast<unsigned>(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const std::int64_t y = static_cast<std::int64_t>(yoe) + era * 400;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  const unsigned d = doy - (153 * mp + 2) / 5 + 1;
  const unsigned m = mp < 10 ? mp + 3 : mp - 9;
  return {y + (m <= 2), m, d};
}

inline std::int64_t period_of_day(std::int64_t day, Freq freq) noexcept {
  switch (freq) {
    case Freq::Day:
      return day;
    case Freq::Week:
      // 1970-01-01 was a Thursday; shifting by 3 puts Mondays at multiples of 7.
      return floor_div(day + 3, 7);
    case Freq::Month: {
      const CivilDate c = civil_from_days(day);
      return c.year * 12 + (c.month - 1);
    }
    case Freq::Quarter: {
      const CivilDate c = civil_from_days(day);
      return c.year * 4 + (c.month - 1) / 3;
    }
    case Freq::Year:
      return civil_from_days(day).year;
  }
  return day;
}

inline std::int64_t period_start_day(std::int64_t period, Freq freq) noexcept {
  switch (freq) {
    case Freq::Day:
      return period;
    case Freq::Week:
      return period * 7 - 3;
    case Freq::Month:
      return days_from_civil(floor_div(period, 12),
                             static_cast<unsigned>(period - floor_div(period, 12) * 12) + 1, 1);
    case Freq::Quarter:
      return days_from_civil(floor_div(period, 4),
                             static_cast<unsigned>(period - floor_div(period, 4) * 4) * 3 + 1, 1);
    case Freq::Year:
      return days_from_civil(period, 1, 1);
  }
  return period;
}

inline std::int64_t period_end_day(std::int64_t period, Freq freq) noexcept {
  return period_start_day(period + 1, freq) - 1;
}

}  // namespace kamkit
