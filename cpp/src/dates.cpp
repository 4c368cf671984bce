#include "kamkit/dates.hpp"

#include <stdexcept>

#include "kamkit/common.hpp"

namespace kamkit {

Freq parse_freq(const std::string& text) {
  if (text == "D") return Freq::Day;
  if (text == "W" || text == "W-SUN") return Freq::Week;
  if (text == "M" || text == "ME") return Freq::Month;
  if (text == "Q" || text == "QE" || text == "Q-DEC") return Freq::Quarter;
  if (text == "Y" || text == "YE" || text == "A" || text == "Y-DEC") return Freq::Year;
  throw std::invalid_argument("unknown period frequency '" + text +
                              "': expected one of D, W, M, Q, Y");
}

}  // namespace kamkit
