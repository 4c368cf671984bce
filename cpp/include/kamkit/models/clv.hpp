// Customer lifetime value on top of any transaction model's conditional
// expected purchases.
#pragma once

#include <cmath>

#include "kamkit/common.hpp"
#include "kamkit/models/common.hpp"

namespace kamkit::models {

/// Discounted value of the purchases of the next `periods` periods, each
/// `factor` model time units long, valued at `monetary` each.
/// Discrete (lifetimes' customer_lifetime_value):
///   sum_{k=1..periods} m (E[X(k f)] - E[X((k-1) f)]) / (1 + d)^k.
/// Continuous: m * integral_0^{periods f} exp(-delta t) dE[X(t)] with
/// delta = log(1 + d) / f, by parts and 24-point Gauss-Legendre.
template <class Model>
Eigen::VectorXd customer_lifetime_value(const Eigen::VectorXd& params, Vec x, Vec t_x, Vec T,
                                        Vec monetary, int periods, double discount_rate,
                                        double factor, bool continuous) {
  const Eigen::Index n = x.size();
  require(periods >= 0, "customer_lifetime_value: the number of periods must be >= 0");
  require(discount_rate > -1.0, "customer_lifetime_value: the discount rate must be > -1");
  require(factor > 0 && std::isfinite(factor),
          "customer_lifetime_value: the period length must be positive");
  Eigen::VectorXd clv = Eigen::VectorXd::Zero(n);
  if (periods == 0 || n == 0) return clv;
  if (!continuous) {
    Eigen::VectorXd previous = Eigen::VectorXd::Zero(n);
    for (int k = 1; k <= periods; ++k) {
      const Eigen::VectorXd t = Eigen::VectorXd::Constant(n, k * factor);
      Eigen::VectorXd e = Model::conditional_expected_purchases(params, t, x, t_x, T);
      clv += ((e - previous) / std::pow(1.0 + discount_rate, k)).cwiseProduct(monetary);
      previous = std::move(e);
    }
    return clv;
  }
  const GaussRule& rule = gauss_legendre_24();
  const double horizon = periods * factor;
  const double delta = std::log1p(discount_rate) / factor;
  Eigen::VectorXd integral = Eigen::VectorXd::Zero(n);
  for (std::size_t i = 0; i < rule.nodes.size(); ++i) {
    const double u = 0.5 * horizon * (1.0 + rule.nodes[i]);
    const Eigen::VectorXd t = Eigen::VectorXd::Constant(n, u);
    integral += (0.5 * horizon * rule.weights[i] * std::exp(-delta * u)) *
                Model::conditional_expected_purchases(params, t, x, t_x, T);
  }
  const Eigen::VectorXd t_end = Eigen::VectorXd::Constant(n, horizon);
  const Eigen::VectorXd e_end = Model::conditional_expected_purchases(params, t_end, x, t_x, T);
  clv = (std::exp(-delta * horizon) * e_end + delta * integral).cwiseProduct(monetary);
  return clv;
}

}  // namespace kamkit::models
