#include <optional>

#include "kamkit/archive.hpp"
#include "kamkit_py.hpp"

namespace {

using kamkit::bindings::carray;
using kamkit::bindings::to_numpy;

py::dict summarize(const carray<std::int64_t>& keys, const carray<std::int64_t>& ticks,
                   std::int64_t ticks_per_day, const std::optional<carray<double>>& amount,
                   const std::optional<carray<double>>& margin, const std::string& freq,
                   const std::string& period, double time_unit_days,
                   std::optional<std::int64_t> observation_end_tick, bool check_values,
                   const std::optional<carray<std::uint8_t>>& purchase) {
  kamkit::TransactionsView log;
  log.n = static_cast<std::size_t>(keys.size());
  if (ticks.size() != keys.size() || (amount && amount->size() != keys.size()) ||
      (margin && margin->size() != keys.size()) || (purchase && purchase->size() != keys.size()))
    throw std::invalid_argument("summarize: all columns must have the same length");
  log.keys = keys.data();
  log.ticks = ticks.data();
  log.ticks_per_day = ticks_per_day;
  log.amount = amount ? amount->data() : nullptr;
  log.margin = margin ? margin->data() : nullptr;
  log.purchase = purchase ? purchase->data() : nullptr;
  kamkit::ArchiveOptions opt;
  opt.freq = kamkit::parse_freq(freq);
  opt.period = kamkit::parse_freq(period);
  opt.time_unit_days = time_unit_days;
  opt.has_observation_end = observation_end_tick.has_value();
  opt.observation_end_tick = observation_end_tick.value_or(0);
  opt.check_values = check_values;
  kamkit::Archive a;
  {
    // Safe: the core reads only the NumPy buffers above, which the caller's
    // references keep alive, and touches no Python object.
    py::gil_scoped_release release;
    a = kamkit::summarize(log, opt);
  }
  py::dict d;
  d["invalid_values"] = a.invalid_values;
  if (a.invalid_values) return d;
  d["observation_end_day"] = a.observation_end_day;
  d["last_full_period"] = a.last_full_period;
  d["rows_after_end"] = a.rows_after_end;
  d["keys"] = to_numpy(std::move(a.keys));
  d["n_transactions"] = to_numpy(std::move(a.n_transactions));
  d["frequency"] = to_numpy(std::move(a.frequency));
  d["recency"] = to_numpy(std::move(a.recency));
  d["T"] = to_numpy(std::move(a.T));
  d["monetary_value"] = to_numpy(std::move(a.monetary_value));
  d["first_tick"] = to_numpy(std::move(a.first_tick));
  d["last_tick"] = to_numpy(std::move(a.last_tick));
  d["revenue"] = to_numpy(std::move(a.revenue));
  if (margin) d["margin"] = to_numpy(std::move(a.margin));
  d["avg_period_revenue"] = to_numpy(std::move(a.avg_period_revenue));
  d["growth"] = to_numpy(std::move(a.growth));
  if (purchase) d["returns_only"] = to_numpy(std::move(a.returns_only));
  return d;
}

}  // namespace

void bind_archive(py::module_& m) {
  m.def("summarize", &summarize, py::arg("keys").noconvert(), py::arg("ticks").noconvert(),
        py::arg("ticks_per_day"), py::arg("amount").noconvert(), py::arg("margin").noconvert(),
        py::arg("freq"), py::arg("period"), py::arg("time_unit_days"),
        py::arg("observation_end_tick"), py::arg("check_values") = false,
        py::arg("purchase").noconvert() = py::none(),
        "Per-customer archive columns of a transaction log (see kamkit.summarize).");
}
