// Pareto/NBD model (Schmittlein, Morrison & Colombo 1987): log-likelihood with
// analytic gradient and Hessian in log-parameter space, and predictions.
//
// Likelihood of one customer (Fader & Hardie 2005, "A Note on Deriving the
// Pareto/NBD Model and Related Expressions"):
//   L = Gamma(r+x)/Gamma(r) alpha^r beta^s [ (alpha+T)^-(r+x) (beta+T)^-s + s I ],
//   I = int_{t_x}^{T} (alpha+tau)^-(r+x) (beta+tau)^-(s+1) dtau = G(t_x) - G(T),
// where G(t) = int_t^inf (...) is a Gaussian hypergeometric function. G is
// evaluated in log space as a power series with positive, decreasing terms
// whose argument stays in [0, 1) (see pareto_nbd.cpp), with derivatives summed
// term by term; arguments above 0.99 switch to Gauss-Legendre quadrature of
// the same integral after a logarithmic change of variable. Terms that depend
// only on the distinct frequencies are computed once per evaluation, and the
// loop over distinct customers runs on all cores (OpenMP).
#pragma once

#include <Eigen/Dense>
#include <cstddef>
#include <cstdint>

#include "kamkit/models/common.hpp"

namespace kamkit::models::pareto_nbd {

/// Natural parameters: purchase rate ~ Gamma(r, alpha), dropout rate ~ Gamma(s, beta).
struct Params {
  double r, alpha, s, beta;
};

/// Distinct (x, t_x, T) rows with weights, and each row's index into the
/// distinct frequencies (so that terms depending only on x are computed once).
struct RowsView {
  const double* x = nullptr;
  const double* t_x = nullptr;
  const double* T = nullptr;
  const double* weight = nullptr;         // nullptr: all 1
  const std::int32_t* x_index = nullptr;  // row -> distinct_x
  std::size_t n = 0;
  const double* distinct_x = nullptr;
  const double* weight_of_x = nullptr;  // summed weight per distinct x
  std::size_t n_x = 0;
};

/// Total weighted log-likelihood; gradient and Hessian are with respect to
/// (log r, log alpha, log s, log beta). order 0: value; 1: + gradient; 2: + Hessian.
struct LogLik {
  double value = 0;
  Eigen::Vector4d gradient = Eigen::Vector4d::Zero();
  Eigen::Matrix4d hessian = Eigen::Matrix4d::Zero();
};
LogLik log_likelihood(const Eigen::Vector4d& log_params, const RowsView& rows, int order);

/// Log-likelihood of one customer (value only).
double log_likelihood_one(const Params& p, double x, double t_x, double T);

/// Per-customer predictions, element by element (all arrays of length n).
/// P(alive at T + t_future | x, t_x, T), in [0, 1] (t_future = 0: now).
/// t_future has n_t elements: n, or 1 for the same horizon for every customer.
/// P(alive at T) is computed once per distinct (x, t_x, T).
void probability_alive(const Params& p, const double* x, const double* t_x, const double* T,
                       const double* t_future, double* out, std::size_t n, std::size_t n_t);
/// E[X(T, T + t] | x, t_x, T]: expected purchases in the next t (t has n_t
/// elements: n, or 1 for all customers).
void conditional_expected_purchases(const Params& p, const double* t, const double* x,
                                    const double* t_x, const double* T, double* out, std::size_t n,
                                    std::size_t n_t);
/// The same with one t per customer.
inline void probability_alive(const Params& p, const double* x, const double* t_x, const double* T,
                              const double* t_future, double* out, std::size_t n) {
  probability_alive(p, x, t_x, T, t_future, out, n, n);
}
inline void conditional_expected_purchases(const Params& p, const double* t, const double* x,
                                           const double* t_x, const double* T, double* out,
                                           std::size_t n) {
  conditional_expected_purchases(p, t, x, t_x, T, out, n, n);
}
/// E[X(t)] of a new customer (purchases in (0, t]).
void expected_purchases(const Params& p, const double* t, double* out, std::size_t n);
/// P(X(t) = n) of a new customer (n a non-negative integer).
void probability_of_n_purchases(const Params& p, const double* t, const double* n_purchases,
                                double* out, std::size_t n);

/// P(X(T, T + t] = n | x, t_x, T): n purchases in the next t.
void conditional_probability_of_n_purchases(const Params& p, const double* t,
                                            const double* n_purchases, const double* x,
                                            const double* t_x, const double* T, double* out,
                                            std::size_t n);

/// log G(t) = log int_t^inf (alpha+tau)^-(r+x) (beta+tau)^-(s+1) dtau, by the
/// series (method 0), by quadrature (method 1) or by the automatic choice (-1).
/// Exposed for tests.
double log_tail_integral(const Params& p, double x, double t, int method = -1);

}  // namespace kamkit::models::pareto_nbd

namespace kamkit::models {

/// Pareto/NBD in the shared model interface; parameters in the order r, alpha, s, beta.
struct ParetoNbd {
  static constexpr const char* kName = "pareto_nbd";
  static constexpr int kParams = 4;
  /// Total weighted log-likelihood; order 0/1/2; LOG parameters.
  static Objective log_likelihood(const Eigen::VectorXd& log_params, const RfmData& data,
                                  int order);
  // Predictions: NATURAL parameters, arrays of equal length (the t of
  // conditional_expected_purchases and probability_alive may have one element).
  static Eigen::VectorXd log_likelihood_rows(const Eigen::VectorXd& params, Vec x, Vec t_x, Vec T);
  static Eigen::VectorXd expected_purchases(const Eigen::VectorXd& params, Vec t);
  static Eigen::VectorXd conditional_expected_purchases(const Eigen::VectorXd& params, Vec t, Vec x,
                                                        Vec t_x, Vec T);
  static Eigen::VectorXd probability_alive(const Eigen::VectorXd& params, Vec x, Vec t_x, Vec T,
                                           Vec t_future);
  static Eigen::VectorXd probability_of_n_purchases(const Eigen::VectorXd& params, Vec t, Vec n);
  static Eigen::VectorXd conditional_probability_of_n_purchases(const Eigen::VectorXd& params,
                                                                Vec t, Vec n, Vec x, Vec t_x,
                                                                Vec T);
};

}  // namespace kamkit::models
