#include <cstdint>
#include <string>
#include <vector>

#include "kamkit/scoring.hpp"
#include "kamkit_py.hpp"

namespace {

using kamkit::bindings::carray;

// columns: (k, n) C-contiguous, i.e. the k criteria one after the other.
py::array_t<double> value_score(const py::list& columns, const carray<double>& weights,
                                const std::string& method) {
  const auto k = static_cast<std::size_t>(columns.size());
  if (static_cast<std::size_t>(weights.size()) != k)
    throw std::invalid_argument("value_score: one weight per criterion");
  // Hold the arrays (no copies: the Python layer hands over float64 arrays).
  std::vector<carray<double>> held;
  std::vector<const double*> cols;
  held.reserve(k);
  for (const auto& item : columns) {
    held.push_back(py::cast<carray<double>>(item));
    if (held.back().ndim() != 1)
      throw std::invalid_argument("value_score: every criterion must be a 1-D array");
    if (held.back().size() != held.front().size())
      throw std::invalid_argument("value_score: the criteria differ in length");
    cols.push_back(held.back().data());
  }
  const auto n = k ? static_cast<std::size_t>(held.front().size()) : 0;
  const kamkit::ScoreMethod m = kamkit::parse_score_method(method);
  py::array_t<double> out(static_cast<py::ssize_t>(n));
  double* o = out.mutable_data();
  const double* w = weights.data();
  {
    py::gil_scoped_release release;  // safe: only reads/writes the NumPy buffers held above
    kamkit::value_score(cols.data(), n, k, w, m, o);
  }
  return out;
}

py::array_t<double> normalize(const carray<double>& x, const std::string& method) {
  const auto n = static_cast<std::size_t>(x.size());
  const kamkit::ScoreMethod m = kamkit::parse_score_method(method);
  py::array_t<double> out(static_cast<py::ssize_t>(n));
  double* o = out.mutable_data();
  const double* p = x.data();
  {
    py::gil_scoped_release release;  // safe: only reads/writes the NumPy buffers held above
    kamkit::normalize(p, n, m, o);
  }
  return out;
}

std::vector<std::int64_t> balanced_cuts(const carray<double>& desc, int bins) {
  py::gil_scoped_release release;  // safe: only reads the NumPy buffer of desc
  return kamkit::balanced_cuts(desc.data(), static_cast<std::size_t>(desc.size()), bins);
}

}  // namespace

void bind_scoring(py::module_& m) {
  m.def("value_score", &value_score, py::arg("columns"), py::arg("weights").noconvert(),
        py::arg("method"),
        "Weighted 0..100 score of the criteria, one float64 array each (see kamkit.value_score).");
  m.def("normalize", &normalize, py::arg("x").noconvert(), py::arg("method"),
        "Criterion normalised to 0..1 by 'minmax', 'zscore' or 'rank'.");
  m.def("balanced_cuts", &balanced_cuts, py::arg("desc").noconvert(), py::arg("bins"),
        "Cuts of `bins` score groups over decreasing values: every group used when there are "
        "at least `bins` distinct values, ties kept together, least sum of squared sizes.");
}
