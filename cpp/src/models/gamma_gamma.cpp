// Gamma-Gamma spend model: log-likelihood with analytic derivatives and the
// conditional expected average spend.
#include "kamkit/models/gamma_gamma.hpp"

#include <cmath>

#include "kamkit/common.hpp"

namespace kamkit::models {

Objective GammaGamma::log_likelihood(const Eigen::VectorXd& log_params, const SpendData& d,
                                     int order) {
  require(log_params.size() == 3 && log_params.allFinite(),
          "gamma-gamma log-likelihood: expected 3 finite log-parameters");
  const Eigen::VectorXd par = log_params.array().exp();
  const double p = par[0], q = par[1], v = par[2];
  const double log_v = std::log(v);
  using Eigen::Matrix3d;
  using Eigen::Vector3d;
  double value = 0;
  Vector3d g = Vector3d::Zero();
  Matrix3d H = Matrix3d::Zero();
  // x-only terms: lgamma(px+q) - lgamma(px) - lgamma(q) + q log v + px log x.
  const std::size_t nx = d.distinct_x.size();
  std::vector<double> dpx(nx), tpx(nx);  // x psi(px+q), psi(px+q) (reused per row)
  const double psi_q = digamma(q), tri_q = order >= 2 ? trigamma(q) : 0;
  for (std::size_t k = 0; k < nx; ++k) {
    const double x = d.distinct_x[k], W = d.weight_of_x[k];
    const double px = p * x;
    value +=
        W * (std::lgamma(px + q) - std::lgamma(px) - std::lgamma(q) + q * log_v + px * std::log(x));
    if (order >= 1) {
      const double a = digamma(px + q), bb = digamma(px);
      g[0] += W * x * (a - bb + std::log(x));
      g[1] += W * (a - psi_q + log_v);
      g[2] += W * q / v;
      if (order >= 2) {
        const double ta = trigamma(px + q), tb = trigamma(px);
        H(0, 0) += W * x * x * (ta - tb);
        H(0, 1) += W * x * ta;
        H(1, 1) += W * (ta - tri_q);
        H(1, 2) += W / v;
        H(2, 2) -= W * q / (v * v);
      }
    }
  }
  // Row terms: (px - 1) log m - (px + q) log(x m + v).
  const auto n = static_cast<std::ptrdiff_t>(d.size());
  for (std::ptrdiff_t i = 0; i < n; ++i) {
    const double x = d.x[i], m = d.m[i], w = d.weight[i];
    const double px = p * x, lm = std::log(m), s = x * m + v, ls = std::log(s);
    value += w * ((px - 1) * lm - (px + q) * ls);
    if (order >= 1) {
      g[0] += w * x * (lm - ls);
      g[1] -= w * ls;
      g[2] -= w * (px + q) / s;
      if (order >= 2) {
        H(0, 2) -= w * x / s;
        H(1, 2) -= w / s;
        H(2, 2) += w * (px + q) / (s * s);
      }
    }
  }
  Objective out;
  out.value = value;
  if (order >= 1) {
    Eigen::VectorXd gg = g;
    Eigen::MatrixXd HH;
    if (order >= 2) {
      H.triangularView<Eigen::StrictlyLower>() = H.transpose();
      HH = H;
    }
    to_log_space(par, gg, HH);
    out.gradient = gg;
    if (order >= 2) out.hessian = HH;
  }
  return out;
}

Eigen::VectorXd GammaGamma::conditional_expected_average_spend(const Eigen::VectorXd& params, Vec x,
                                                               Vec m) {
  require(params.size() == 3 && params.allFinite() && (params.array() > 0).all(),
          "gamma-gamma: expected 3 positive finite parameters (p, q, v)");
  require(x.size() == m.size(), "gamma-gamma: frequency and monetary value differ in length");
  const double p = params[0], q = params[1], v = params[2];
  require(q > 1, "gamma-gamma: the population mean spend v p / (q - 1) needs q > 1");
  const double mean = v * p / (q - 1);
  Eigen::VectorXd out(x.size());
  for (Eigen::Index i = 0; i < x.size(); ++i) {
    if (!(x[i] > 0) || !(m[i] > 0) || !std::isfinite(x[i]) || !std::isfinite(m[i])) {
      out[i] = mean;
      continue;
    }
    const double w = p * x[i] / (p * x[i] + q - 1);
    out[i] = (1 - w) * mean + w * m[i];
  }
  return out;
}

}  // namespace kamkit::models
