// The one header every bind file includes: pybind11, its NumPy and Eigen
// support, and the declarations of the per-area registration functions.
#pragma once

#include <pybind11/eigen.h>
#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include <cstdint>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

namespace py = pybind11;

namespace kamkit::bindings {

/// A C-contiguous NumPy array of T; the Python layer hands over arrays of the
/// right dtype, so no conversion (and no copy) happens at this boundary.
template <typename T>
using carray = py::array_t<T, py::array::c_style>;

/// A NumPy array that takes over a vector's buffer (no copy): the array owns
/// the vector and frees it with itself. `shape` defaults to 1-D.
template <typename T, typename A>
py::array_t<T> to_numpy(std::vector<T, A>&& v, std::vector<py::ssize_t> shape = {}) {
  auto* owner = new std::vector<T, A>(std::move(v));
  py::capsule free_when_done(owner, [](void* p) { delete static_cast<std::vector<T, A>*>(p); });
  if (shape.empty()) shape.push_back(static_cast<py::ssize_t>(owner->size()));
  return py::array_t<T>(shape, owner->data(), free_when_done);
}

}  // namespace kamkit::bindings

// One registration function per area; module.cpp calls them all.
void bind_archive(py::module_& m);
void bind_models(py::module_& m);
void bind_pareto_nbd(py::module_& m);
void bind_scoring(py::module_& m);
void bind_tiering(py::module_& m);
void bind_cluster(py::module_& m);
void bind_assign(py::module_& m);
void bind_lifecycle(py::module_& m);
