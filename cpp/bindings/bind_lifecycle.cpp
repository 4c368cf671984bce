#include <optional>

#include "kamkit/grouping.hpp"
#include "kamkit/lifecycle.hpp"
#include "kamkit_py.hpp"

namespace {

using kamkit::bindings::carray;
using kamkit::bindings::to_numpy;

py::tuple group(const carray<std::int64_t>& keys) {
  kamkit::Grouping g;
  {
    py::gil_scoped_release release;  // safe: only reads the NumPy buffer of `keys`
    g = kamkit::group_keys(keys.data(), static_cast<std::size_t>(keys.size()));
  }
  const auto k = static_cast<py::ssize_t>(g.unique_keys.size());
  const auto n = static_cast<py::ssize_t>(g.codes.size());
  return py::make_tuple(to_numpy(std::move(g.unique_keys), {k}), to_numpy(std::move(g.codes), {n}));
}

py::dict panel(const carray<std::int32_t>& codes, std::size_t n_customers,
               const carray<std::int64_t>& ticks, std::int64_t ticks_per_day,
               const std::optional<carray<double>>& amount, const std::string& freq,
               std::optional<std::int64_t> observation_end_tick,
               std::optional<std::int64_t> first_period, bool want_revenue, bool want_counts,
               const std::optional<carray<double>>& init_revenue,
               const std::optional<carray<std::int64_t>>& init_counts) {
  const auto n = static_cast<std::size_t>(codes.size());
  if (static_cast<std::size_t>(ticks.size()) != n ||
      (amount && static_cast<std::size_t>(amount->size()) != n))
    throw std::invalid_argument("panel: all columns must have the same length");
  if ((init_revenue && static_cast<std::size_t>(init_revenue->size()) != n_customers) ||
      (init_counts && static_cast<std::size_t>(init_counts->size()) != n_customers))
    throw std::invalid_argument("panel: starting columns need one value per customer");
  kamkit::PanelOptions opt;
  opt.freq = kamkit::parse_freq(freq);
  opt.has_observation_end = observation_end_tick.has_value();
  opt.observation_end_tick = observation_end_tick.value_or(0);
  opt.has_first_period = first_period.has_value();
  opt.first_period = first_period.value_or(0);
  opt.want_revenue = want_revenue;
  opt.want_counts = want_counts;
  opt.init_revenue = init_revenue ? init_revenue->data() : nullptr;
  opt.init_counts = init_counts ? init_counts->data() : nullptr;
  const std::int32_t* c = codes.data();
  for (std::size_t i = 0; i < n; ++i)
    if (c[i] >= static_cast<std::int64_t>(n_customers))
      throw std::invalid_argument("panel: a customer code is out of range");
  kamkit::Panel p;
  {
    // Safe: the core reads only the NumPy buffers above, kept alive by the
    // caller's references, and touches no Python object.
    py::gil_scoped_release release;
    p = kamkit::build_panel(c, n, n_customers, ticks.data(), ticks_per_day,
                            amount ? amount->data() : nullptr, opt);
  }
  const auto k = static_cast<py::ssize_t>(p.n_customers);
  const auto np = static_cast<py::ssize_t>(p.n_periods);
  py::dict d;
  d["first_period"] = p.first_period;
  d["n_periods"] = p.n_periods;
  d["end_day"] = p.end_day;
  d["last_partial"] = p.last_partial;
  d["rows_after_end"] = p.rows_after_end;
  d["rows_before_start"] = p.rows_before_start;
  std::vector<std::int64_t> starts(p.n_periods);
  for (std::size_t j = 0; j < p.n_periods; ++j)
    starts[j] = kamkit::period_start_day(p.first_period + static_cast<std::int64_t>(j), opt.freq);
  d["start_days"] = to_numpy(std::move(starts), {np});
  if (want_revenue) d["revenue"] = to_numpy(std::move(p.revenue), {k, np});
  if (want_counts) d["counts"] = to_numpy(std::move(p.counts), {k, np});
  return d;
}

py::array_t<std::int8_t> stages(const carray<double>& values, bool last_partial, int new_periods,
                                int window, double growth, double decline, int churn_periods) {
  if (values.ndim() != 2) throw std::invalid_argument("stages: expected a 2-d panel");
  const auto k = static_cast<std::size_t>(values.shape(0));
  const auto np = static_cast<std::size_t>(values.shape(1));
  kamkit::StageRules r{new_periods, window, growth, decline, churn_periods};
  std::vector<std::int8_t> out;
  {
    py::gil_scoped_release release;  // safe: only reads the NumPy buffer of `values`
    out = kamkit::lifecycle_stages(values.data(), k, np, last_partial, r);
  }
  return to_numpy(std::move(out), {static_cast<py::ssize_t>(np), static_cast<py::ssize_t>(k)});
}

py::array_t<std::int8_t> tiers(const carray<double>& values, int window,
                               const std::vector<double>& cum_shares) {
  if (values.ndim() != 2) throw std::invalid_argument("tiers: expected a 2-d panel");
  const auto k = static_cast<std::size_t>(values.shape(0));
  const auto np = static_cast<std::size_t>(values.shape(1));
  std::vector<std::int8_t> out;
  {
    py::gil_scoped_release release;  // safe: only reads the NumPy buffer of `values`
    out = kamkit::pyramid_tiers(values.data(), k, np, window, cum_shares);
  }
  return to_numpy(std::move(out), {static_cast<py::ssize_t>(np), static_cast<py::ssize_t>(k)});
}

py::array_t<std::int64_t> transitions(const carray<std::int32_t>& states, int n_states) {
  if (states.ndim() != 2) throw std::invalid_argument("transitions: expected a 2-d state matrix");
  const auto np = static_cast<std::size_t>(states.shape(0));
  const auto k = static_cast<std::size_t>(states.shape(1));
  std::vector<std::int64_t> out;
  {
    py::gil_scoped_release release;  // safe: only reads the NumPy buffer of `states`
    out = kamkit::transition_counts(states.data(), np, k, n_states);
  }
  const auto pairs = static_cast<py::ssize_t>(np > 0 ? np - 1 : 0);
  const auto s = static_cast<py::ssize_t>(n_states);
  return to_numpy(std::move(out), {pairs, s, s});
}

}  // namespace

void bind_lifecycle(py::module_& m) {
  m.def("lifecycle_group_keys", &group, py::arg("keys").noconvert(),
        "Sorted distinct keys and the int32 code of every row.");
  m.def("lifecycle_panel", &panel, py::arg("codes").noconvert(), py::arg("n_customers"),
        py::arg("ticks").noconvert(), py::arg("ticks_per_day"), py::arg("amount").noconvert(),
        py::arg("freq"), py::arg("observation_end_tick"), py::arg("first_period"),
        py::arg("want_revenue"), py::arg("want_counts"), py::arg("init_revenue").noconvert(),
        py::arg("init_counts").noconvert(),
        "Customers x periods panel of revenue and/or counts (see kamkit.period_panel).");
  m.def("lifecycle_stages", &stages, py::arg("values").noconvert(), py::arg("last_partial"),
        py::arg("new_periods"), py::arg("window"), py::arg("growth"), py::arg("decline"),
        py::arg("churn_periods"),
        "Periods x customers int8 stage codes, -1 before the first purchase.");
  m.def("lifecycle_tiers", &tiers, py::arg("values").noconvert(), py::arg("window"),
        py::arg("cum_shares"),
        "Periods x customers int8 pyramid tiers of trailing sums (0 = lowest), -1 missing.");
  m.def("lifecycle_transitions", &transitions, py::arg("states").noconvert(), py::arg("n_states"),
        "Per-period-pair transition counts, (periods-1) x states x states.");
}
