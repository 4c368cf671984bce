// Bindings of the customer-base models: compressed data objects, objectives
// (value, gradient, Hessian in log-parameters) and vectorised predictions.
#include <optional>
#include <string>

#include "kamkit/models.hpp"
#include "kamkit_py.hpp"

namespace {

using kamkit::bindings::carray;
namespace km = kamkit::models;
using RefVec = Eigen::Ref<const Eigen::VectorXd>;

py::tuple objective_tuple(const km::Objective& o) {
  return py::make_tuple(o.value, o.gradient, o.hessian);
}

template <class M>
void bind_rfm_model(py::module_& m) {
  const std::string name = M::kName;
  m.def((name + "_loglik").c_str(),
        [](const Eigen::VectorXd& log_params, const km::RfmData& data, int order) {
          km::Objective o;
          {
            py::gil_scoped_release release;  // safe: reads only C++-owned data
            o = M::log_likelihood(log_params, data, order);
          }
          return objective_tuple(o);
        },
        py::arg("log_params"), py::arg("data"), py::arg("order") = 2,
        "Total log-likelihood, gradient and Hessian in log-parameters.");
  m.def((name + "_expected_purchases").c_str(),
        [](const Eigen::VectorXd& params, RefVec t) {
          py::gil_scoped_release release;  // safe: reads only the NumPy buffers
          return M::expected_purchases(params, t);
        },
        py::arg("params"), py::arg("t").noconvert());
  m.def((name + "_conditional_expected_purchases").c_str(),
        [](const Eigen::VectorXd& params, RefVec t, RefVec x, RefVec t_x, RefVec T) {
          py::gil_scoped_release release;  // safe: reads only the NumPy buffers
          return M::conditional_expected_purchases(params, t, x, t_x, T);
        },
        py::arg("params"), py::arg("t").noconvert(), py::arg("x").noconvert(),
        py::arg("t_x").noconvert(), py::arg("T").noconvert());
  m.def((name + "_probability_alive").c_str(),
        [](const Eigen::VectorXd& params, RefVec x, RefVec t_x, RefVec T, RefVec t_future) {
          py::gil_scoped_release release;  // safe: reads only the NumPy buffers
          return M::probability_alive(params, x, t_x, T, t_future);
        },
        py::arg("params"), py::arg("x").noconvert(), py::arg("t_x").noconvert(),
        py::arg("T").noconvert(), py::arg("t_future").noconvert());
  m.def((name + "_probability_of_n_purchases").c_str(),
        [](const Eigen::VectorXd& params, RefVec t, RefVec n) {
          py::gil_scoped_release release;  // safe: reads only the NumPy buffers
          return M::probability_of_n_purchases(params, t, n);
        },
        py::arg("params"), py::arg("t").noconvert(), py::arg("n").noconvert());
  m.def((name + "_clv").c_str(),
        [](const Eigen::VectorXd& params, RefVec x, RefVec t_x, RefVec T, RefVec monetary,
           int periods, double discount_rate, double factor, bool continuous) {
          py::gil_scoped_release release;  // safe: reads only the NumPy buffers
          return km::customer_lifetime_value<M>(params, x, t_x, T, monetary, periods, discount_rate,
                                                factor, continuous);
        },
        py::arg("params"), py::arg("x").noconvert(), py::arg("t_x").noconvert(),
        py::arg("T").noconvert(), py::arg("monetary").noconvert(), py::arg("periods"),
        py::arg("discount_rate"), py::arg("factor"), py::arg("continuous"));
}

}  // namespace

void bind_models(py::module_& m) {
  py::class_<km::RfmData>(m, "RfmData",
                          "Customers compressed to distinct (frequency, recency, T) rows.")
      .def(py::init([](const carray<double>& x, const carray<double>& t_x, const carray<double>& T,
                       const std::optional<carray<double>>& weight) {
             const auto n = static_cast<std::size_t>(x.size());
             if (static_cast<std::size_t>(t_x.size()) != n ||
                 static_cast<std::size_t>(T.size()) != n ||
                 (weight && static_cast<std::size_t>(weight->size()) != n))
               throw std::invalid_argument("RfmData: all arrays must have the same length");
             const double* w = weight ? weight->data() : nullptr;
             py::gil_scoped_release release;  // safe: reads only the NumPy buffers
             return km::compress_rfm(x.data(), t_x.data(), T.data(), w, n);
           }),
           py::arg("x").noconvert(), py::arg("t_x").noconvert(), py::arg("T").noconvert(),
           py::arg("weight").noconvert() = py::none())
      .def_property_readonly("n_rows", &km::RfmData::size)
      .def_readonly("n_input", &km::RfmData::n_input)
      .def_readonly("total_weight", &km::RfmData::total_weight)
      .def_property_readonly("n_distinct_x",
                             [](const km::RfmData& d) { return d.distinct_x.size(); });
  py::class_<km::SpendData>(m, "SpendData",
                            "Customers compressed to distinct (frequency, monetary value) rows.")
      .def(py::init([](const carray<double>& x, const carray<double>& mv,
                       const std::optional<carray<double>>& weight) {
             const auto n = static_cast<std::size_t>(x.size());
             if (static_cast<std::size_t>(mv.size()) != n ||
                 (weight && static_cast<std::size_t>(weight->size()) != n))
               throw std::invalid_argument("SpendData: all arrays must have the same length");
             const double* w = weight ? weight->data() : nullptr;
             py::gil_scoped_release release;  // safe: reads only the NumPy buffers
             return km::compress_spend(x.data(), mv.data(), w, n);
           }),
           py::arg("x").noconvert(), py::arg("m").noconvert(),
           py::arg("weight").noconvert() = py::none())
      .def_property_readonly("n_rows", &km::SpendData::size)
      .def_readonly("n_input", &km::SpendData::n_input)
      .def_readonly("total_weight", &km::SpendData::total_weight);

  bind_rfm_model<km::BetaGeo>(m);
  bind_rfm_model<km::ModifiedBetaGeo>(m);
  bind_rfm_model<km::BetaGeoBetaBinom>(m);
#ifdef KAMKIT_HAVE_PARETO_NBD
  bind_rfm_model<km::ParetoNbd>(m);
#endif
  m.attr("HAVE_PARETO_NBD") =
#ifdef KAMKIT_HAVE_PARETO_NBD
      true;
#else
      false;
#endif

  m.def(
      "gamma_gamma_loglik",
      [](const Eigen::VectorXd& log_params, const km::SpendData& data, int order) {
        km::Objective o;
        {
          py::gil_scoped_release release;  // safe: reads only C++-owned data
          o = km::GammaGamma::log_likelihood(log_params, data, order);
        }
        return objective_tuple(o);
      },
      py::arg("log_params"), py::arg("data"), py::arg("order") = 2);
  m.def(
      "gamma_gamma_conditional_expected_average_spend",
      [](const Eigen::VectorXd& params, RefVec x, RefVec mv) {
        py::gil_scoped_release release;  // safe: reads only the NumPy buffers
        return km::GammaGamma::conditional_expected_average_spend(params, x, mv);
      },
      py::arg("params"), py::arg("x").noconvert(), py::arg("m").noconvert());
  m.def(
      "rfm_is_valid",
      [](const carray<double>& x, const carray<double>& t_x, const carray<double>& T,
         bool discrete) {
        const auto n = static_cast<std::size_t>(x.size());
        if (static_cast<std::size_t>(t_x.size()) != n || static_cast<std::size_t>(T.size()) != n)
          throw std::invalid_argument("rfm_is_valid: all arrays must have the same length");
        py::gil_scoped_release release;  // safe: reads only the NumPy buffers
        return km::rfm_is_valid(x.data(), t_x.data(), T.data(), n, discrete);
      },
      py::arg("x").noconvert(), py::arg("t_x").noconvert(), py::arg("T").noconvert(),
      py::arg("discrete") = false,
      "One-pass check of (frequency, recency, T) summaries; False if any row is at fault.");
  m.def(
      "hyp2f1",
      [](double a, double b, double c, double z) { return std::exp(km::log_hyp2f1(a, b, c, z)); },
      py::arg("a"), py::arg("b"), py::arg("c"), py::arg("z"),
      "Gauss hypergeometric 2F1 for 0 <= z < 1 (positive values), for tests.");
}
