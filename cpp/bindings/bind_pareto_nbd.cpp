// Pareto/NBD functions beyond the shared model interface (bind_models.cpp):
// the conditional probability of n purchases and per-customer log-likelihoods.
#include "kamkit/models/pareto_nbd.hpp"
#include "kamkit_py.hpp"

namespace {
using RefVec = Eigen::Ref<const Eigen::VectorXd>;
namespace km = kamkit::models;
}  // namespace

void bind_pareto_nbd(py::module_& m) {
  m.def(
      "pareto_nbd_conditional_probability_of_n_purchases",
      [](const Eigen::VectorXd& params, RefVec t, RefVec n, RefVec x, RefVec t_x, RefVec T) {
        py::gil_scoped_release release;  // safe: reads only the NumPy buffers
        return km::ParetoNbd::conditional_probability_of_n_purchases(params, t, n, x, t_x, T);
      },
      py::arg("params"), py::arg("t").noconvert(), py::arg("n").noconvert(),
      py::arg("x").noconvert(), py::arg("t_x").noconvert(), py::arg("T").noconvert(),
      "P(n purchases in (T, T+t] | x, t_x, T) under Pareto/NBD.");
  m.def(
      "pareto_nbd_loglik_rows",
      [](const Eigen::VectorXd& params, RefVec x, RefVec t_x, RefVec T) {
        py::gil_scoped_release release;  // safe: reads only the NumPy buffers
        return km::ParetoNbd::log_likelihood_rows(params, x, t_x, T);
      },
      py::arg("params"), py::arg("x").noconvert(), py::arg("t_x").noconvert(),
      py::arg("T").noconvert(), "Per-customer Pareto/NBD log-likelihood (natural parameters).");
}
