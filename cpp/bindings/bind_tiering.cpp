#include <utility>
#include <vector>

#include "kamkit/order.hpp"
#include "kamkit/tiering.hpp"
#include "kamkit_py.hpp"

namespace {

using kamkit::bindings::carray;
using kamkit::bindings::to_numpy;

py::tuple sort_descending(const carray<double>& x) {
  kamkit::Descending d;
  {
    py::gil_scoped_release release;  // safe: only reads the NumPy buffer of x
    d = kamkit::sort_descending(x.data(), static_cast<std::size_t>(x.size()));
  }
  return py::make_tuple(to_numpy(std::move(d.order)), to_numpy(std::move(d.values)));
}

std::vector<std::int64_t> cuts_by_count(const carray<double>& desc,
                                        const std::vector<double>& cum_shares) {
  py::gil_scoped_release release;  // safe: only reads the NumPy buffer of desc
  return kamkit::cuts_by_count(desc.data(), static_cast<std::size_t>(desc.size()), cum_shares);
}

std::vector<std::int64_t> cuts_by_value(const carray<double>& desc,
                                        const std::vector<double>& cum_shares) {
  py::gil_scoped_release release;  // safe: only reads the NumPy buffer of desc
  return kamkit::cuts_by_value(desc.data(), static_cast<std::size_t>(desc.size()), cum_shares);
}

std::vector<std::int64_t> snap_cuts(const carray<double>& desc, std::vector<std::int64_t> cuts) {
  py::gil_scoped_release release;  // safe: only reads the NumPy buffer of desc
  return kamkit::snap_cuts(desc.data(), static_cast<std::size_t>(desc.size()), std::move(cuts));
}

py::array_t<std::int16_t> codes_from_cuts(const carray<std::int32_t>& order,
                                          const std::vector<std::int64_t>& cuts) {
  const auto n = static_cast<std::size_t>(order.size());
  for (py::ssize_t i = 0; i < order.size(); ++i) {
    const std::int32_t o = order.data()[i];
    if (o < 0 || static_cast<std::size_t>(o) >= n)
      throw std::invalid_argument("codes_from_cuts: order is not a permutation");
  }
  std::vector<std::int16_t> codes;
  {
    py::gil_scoped_release release;  // safe: only reads the NumPy buffer of order
    codes = kamkit::codes_from_cuts(order.data(), n, cuts);
  }
  return to_numpy(std::move(codes));
}

py::array_t<double> sorted_descending(const carray<double>& x) {
  std::vector<double> v;
  {
    py::gil_scoped_release release;  // safe: only reads the NumPy buffer of x
    v = kamkit::sorted_descending(x.data(), static_cast<std::size_t>(x.size()));
  }
  return to_numpy(std::move(v));
}

py::array_t<std::int16_t> codes_from_sorted_cuts(const carray<double>& x,
                                                 const carray<double>& desc,
                                                 const std::vector<std::int64_t>& cuts) {
  if (desc.size() != x.size())
    throw std::invalid_argument("codes_from_sorted_cuts: desc and x differ in length");
  std::vector<std::int16_t> codes;
  {
    py::gil_scoped_release release;  // safe: only reads the NumPy buffers of x and desc
    codes = kamkit::codes_from_sorted_cuts(x.data(), static_cast<std::size_t>(x.size()),
                                           desc.data(), cuts);
  }
  return to_numpy(std::move(codes));
}

py::array_t<std::int16_t> pyramid_by_count(const carray<double>& x,
                                           const std::vector<double>& cum_shares) {
  std::vector<std::int16_t> codes;
  {
    py::gil_scoped_release release;  // safe: only reads the NumPy buffer of x
    codes = kamkit::pyramid_by_count(x.data(), static_cast<std::size_t>(x.size()), cum_shares);
  }
  return to_numpy(std::move(codes));
}

py::array_t<std::int16_t> codes_by_thresholds(const carray<double>& x,
                                              const std::vector<double>& thresholds) {
  std::vector<std::int16_t> codes;
  {
    py::gil_scoped_release release;  // safe: only reads the NumPy buffer of x
    codes = kamkit::codes_by_thresholds(x.data(), static_cast<std::size_t>(x.size()), thresholds);
  }
  return to_numpy(std::move(codes));
}

py::array_t<double> average_ranks(const carray<double>& x) {
  const auto n = static_cast<std::size_t>(x.size());
  py::array_t<double> out(static_cast<py::ssize_t>(n));
  double* o = out.mutable_data();
  const double* p = x.data();
  {
    py::gil_scoped_release release;  // safe: only reads/writes the NumPy buffers held above
    const auto order = kamkit::argsort(p, n);
    kamkit::average_ranks(p, order.data(), n, o);
  }
  return out;
}

}  // namespace

void bind_tiering(py::module_& m) {
  m.def("sort_descending", &sort_descending, py::arg("x").noconvert(),
        "(order, values): one radix sort read in decreasing order.");
  m.def("cuts_by_count", &cuts_by_count, py::arg("desc").noconvert(), py::arg("cum_shares"),
        "Pyramid cuts (counts of top customers) by cumulative share of customers.");
  m.def("cuts_by_value", &cuts_by_value, py::arg("desc").noconvert(), py::arg("cum_shares"),
        "Pyramid cuts (counts of top customers) by cumulative share of value.");
  m.def("snap_cuts", &snap_cuts, py::arg("desc").noconvert(), py::arg("cuts"),
        "Cuts moved to the nearer end of any run of equal values they fall in.");
  m.def("codes_from_cuts", &codes_from_cuts, py::arg("order").noconvert(), py::arg("cuts"),
        "Tier codes (0 = lowest) from the decreasing order and the cuts.");
  m.def("sorted_descending", &sorted_descending, py::arg("x").noconvert(),
        "The values in decreasing order (radix sort, no index payload).");
  m.def("codes_from_sorted_cuts", &codes_from_sorted_cuts, py::arg("x").noconvert(),
        py::arg("desc").noconvert(), py::arg("cuts"),
        "Tier codes (0 = lowest) from snapped cuts on the decreasing values, without the order.");
  m.def("pyramid_by_count", &pyramid_by_count, py::arg("x").noconvert(), py::arg("cum_shares"),
        "Tier codes of the pyramid by count (selection instead of a sort).");
  m.def("codes_by_thresholds", &codes_by_thresholds, py::arg("x").noconvert(),
        py::arg("thresholds"), "Tier codes (0 = lowest) for cut-offs given top first.");
  m.def("average_ranks", &average_ranks, py::arg("x").noconvert(),
        "Ranks 1..n with ties averaged.");
}
