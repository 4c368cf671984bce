#include <utility>
#include <vector>

#include "kamkit/assign.hpp"
#include "kamkit_py.hpp"

namespace {

using kamkit::bindings::carray;

py::tuple lpt_schedule(const carray<double>& workload, int m) {
  kamkit::Schedule s;
  {
    py::gil_scoped_release release;  // safe: only reads the NumPy buffer of workload
    s = kamkit::lpt_schedule(workload.data(), static_cast<std::size_t>(workload.size()), m);
  }
  py::array_t<std::int32_t> manager(static_cast<py::ssize_t>(s.manager.size()));
  std::copy(s.manager.begin(), s.manager.end(), manager.mutable_data());
  py::array_t<double> load(static_cast<py::ssize_t>(s.load.size()));
  std::copy(s.load.begin(), s.load.end(), load.mutable_data());
  return py::make_tuple(manager, load);
}

}  // namespace

void bind_assign(py::module_& m) {
  m.def("lpt_schedule", &lpt_schedule, py::arg("workload").noconvert(), py::arg("m"),
        "(manager, load): longest-processing-time-first pooling over m managers.");
}
