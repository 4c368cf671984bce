// Calendar arithmetic on day numbers (days since 1970-01-01, proleptic
// Gregorian) and the period frequencies kamkit groups dates by.
#pragma once

#include <cstdint>
#include <string>

namespace kamkit {

/// A calendar period length. Weeks run Monday to Sunday, like pandas' "W".
enum class Freq { Day, Week, Month, Quarter, Year };

/// Parses "D", "W", "M", "Q" or "Y" (pandas' aliases "W-SUN", "ME", "QE",
/// "YE", "A" are accepted too); throws std::invalid_argument otherwise.
Freq parse_freq(const std::string& text);

/// Day number of a civil date (month 1..12, day 1..31).
std::int64_t days_from_civil(std::int64_t year, unsigned month, unsigned day) noexcept;

struct CivilDate {
  std::int64_t year;
  unsigned month;
  unsigned day;
};

/// Civil date of a day number.
CivilDate civil_from_days(std::int64_t days) noexcept;

/// Ordinal of the period that contains `day` (consecutive periods have
/// consecutive ordinals).
std::int64_t period_of_day(std::int64_t day, Freq freq) noexcept;

/// First day of the period with ordinal `period`.
std::int64_t period_start_day(std::int64_t period, Freq freq) noexcept;

/// Last day of the period with ordinal `period`.
std::int64_t period_end_day(std::int64_t period, Freq freq) noexcept;

}  // namespace kamkit
