// kamkit._core: the compiled core. Each area registers itself in its own file.
#include "kamkit/common.hpp"
#include "kamkit_py.hpp"

PYBIND11_MODULE(_core, m) {
  m.doc() = "kamkit's C++ core (internal: use the kamkit package's public API)";
  m.attr("__version__") = "0.1.0";
  // std::invalid_argument thrown by the core reaches Python as ValueError.
  bind_archive(m);
  bind_models(m);
  bind_pareto_nbd(m);
  bind_scoring(m);
  bind_tiering(m);
  bind_cluster(m);
  bind_assign(m);
  bind_lifecycle(m);
  m.def("set_num_threads", &kamkit::set_num_threads, py::arg("n"),
        "Threads of the core's parallel loops (0: OpenMP's default).");
  m.def("get_num_threads", &kamkit::max_threads, "Threads the core's parallel loops use.");
}
