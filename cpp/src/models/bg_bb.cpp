// BG/BB: log-likelihood with analytic derivatives, predictions.
#include "kamkit/models/bg_bb.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <string>

#include "kamkit/common.hpp"

namespace kamkit::models {

namespace {

using Eigen::Matrix4d;
using Eigen::Vector4d;

void check_params(const Eigen::VectorXd& p) {
  require(p.size() == 4, "bg/bb: expected 4 parameters (alpha, beta, gamma, delta)");
  require(p.allFinite() && (p.array() > 0).all(), "bg/bb: parameters must be positive and finite");
}

void check_row(double x, double t_x, double n) {
  require(x >= 0 && x == std::floor(x) && t_x == std::floor(t_x) && n == std::floor(n),
          "bg/bb: frequency, recency and periods must be integers");
  require(x <= t_x && t_x <= n && (x > 0 || t_x == 0),
          "bg/bb: expected frequency <= recency <= periods (recency 0 when frequency is 0)");
}

/// Streaming log-sum-exp of terms with gradients and Hessians.
struct LseAcc {
  double m = -std::numeric_limits<double>::infinity();
  double S = 0;
  Vector4d G = Vector4d::Zero();
  Matrix4d M = Matrix4d::Zero();
  void add(double v, const Vector4d& g, const Matrix4d& H, int order) {
    if (v > m) {
      const double f = std::exp(m - v);
      S *= f;
      G *= f;
      M *= f;
      m = v;
    }
    const double e = std::exp(v - m);
    S += e;
    if (order >= 1) G += e * g;
    if (order >= 2) M.noalias() += e * (H + g * g.transpose());
  }
};

/// log B(p0 + c0, p1 + c1) with derivatives in (p0, p1), placed at offset.
void lbeta_term(double p0, double c0, double p1, double c1, int off, int order, double& v,
                Vector4d& g, Matrix4d& H) {
  const double u = p0 + c0, w = p1 + c1;
  v += lbeta(u, w);
  if (order >= 1) {
    const double ps = digamma(u + w);
    g[off] += digamma(u) - ps;
    g[off + 1] += digamma(w) - ps;
    if (order >= 2) {
      const double ts = trigamma(u + w);
      H(off, off) += trigamma(u) - ts;
      H(off + 1, off + 1) += trigamma(w) - ts;
      H(off, off + 1) -= ts;
      H(off + 1, off) -= ts;
    }
  }
}

double row_loglik(double al, double be, double ga, double de, double x, double t_x, double n) {
  double ll = lbeta(al + x, be + n - x) + lbeta(ga, de + n);
  for (double i = 0; i < n - t_x; i += 1)
    ll = log_add_exp(ll, lbeta(al + x, be + t_x - x + i) + lbeta(ga + 1, de + t_x + i));
  return ll - lbeta(al, be) - lbeta(ga, de);
}

}  // namespace

Objective BetaGeoBetaBinom::log_likelihood(const Eigen::VectorXd& log_params, const RfmData& d,
                                           int order) {
  require(log_params.size() == 4 && log_params.allFinite(),
          "bg/bb log-likelihood: expected 4 finite log-parameters");
  const Eigen::VectorXd p = log_params.array().exp();
  const double al = p[0], be = p[1], ga = p[2], de = p[3];
  const auto n = static_cast<std::ptrdiff_t>(d.size());
  for (std::ptrdiff_t i = 0; i < n; ++i) check_row(d.x[i], d.t_x[i], d.T[i]);
  double value = 0;
  Vector4d gt = Vector4d::Zero();
  Matrix4d Ht = Matrix4d::Zero();
  // Rows go in fixed groups, each with its own partial sums, added in group
  // order: the same bits for any number of threads.
  constexpr std::ptrdiff_t kGroup = 64;
  const std::ptrdiff_t groups = (n + kGroup - 1) / kGroup;
  struct Part {
    double v = 0;
    Vector4d g = Vector4d::Zero();
    Matrix4d H = Matrix4d::Zero();
  };
  std::vector<Part> parts(static_cast<std::size_t>(groups));
#ifdef KAMKIT_HAVE_OPENMP
#pragma omp parallel for schedule(dynamic, 1) \
    num_threads(kamkit::max_threads()) if (n > kParallelThreshold / 64)
#endif
  for (std::ptrdiff_t grp = 0; grp < groups; ++grp) {
    double v_acc = 0;
    Vector4d g_acc = Vector4d::Zero();
    Matrix4d H_acc = Matrix4d::Zero();
    for (std::ptrdiff_t i = grp * kGroup; i < std::min(n, (grp + 1) * kGroup); ++i) {
      const double x = d.x[i], tx = d.t_x[i], np = d.T[i], w = d.weight[i];
      LseAcc lse;
      {
        double v = 0;
        Vector4d g = Vector4d::Zero();
        Matrix4d H = Matrix4d::Zero();
        lbeta_term(al, x, be, np - x, 0, order, v, g, H);
        lbeta_term(ga, 0, de, np, 2, order, v, g, H);
        lse.add(v, g, H, order);
      }
      for (double j = 0; j < np - tx; j += 1) {
        double v = 0;
        Vector4d g = Vector4d::Zero();
        Matrix4d H = Matrix4d::Zero();
        lbeta_term(al, x, be, tx - x + j, 0, order, v, g, H);
        lbeta_term(ga, 1, de, tx + j, 2, order, v, g, H);
        lse.add(v, g, H, order);
      }
      v_acc += w * (lse.m + std::log(lse.S));
      if (order >= 1) {
        const Vector4d g = lse.G / lse.S;
        g_acc += w * g;
        if (order >= 2) H_acc += w * (lse.M / lse.S - g * g.transpose());
      }
    }
    Part& part = parts[static_cast<std::size_t>(grp)];
    part.v = v_acc;
    part.g = g_acc;
    part.H = H_acc;
  }
  for (const Part& part : parts) {
    value += part.v;
    gt += part.g;
    Ht += part.H;
  }
  // The normalising constants: - W (log B(alpha, beta) + log B(gamma, delta)).
  {
    double v = 0;
    Vector4d g = Vector4d::Zero();
    Matrix4d H = Matrix4d::Zero();
    lbeta_term(al, 0, be, 0, 0, order, v, g, H);
    lbeta_term(ga, 0, de, 0, 2, order, v, g, H);
    value -= d.total_weight * v;
    gt -= d.total_weight * g;
    Ht -= d.total_weight * H;
  }
  Objective out;
  out.value = value;
  if (order >= 1) {
    Eigen::VectorXd g = gt;
    Eigen::MatrixXd H;
    if (order >= 2) H = Ht;
    to_log_space(p, g, H);
    out.gradient = g;
    if (order >= 2) out.hessian = H;
  }
  return out;
}

Eigen::VectorXd BetaGeoBetaBinom::log_likelihood_rows(const Eigen::VectorXd& params, Vec x, Vec t_x,
                                                      Vec n) {
  check_params(params);
  require(x.size() == t_x.size() && x.size() == n.size(), "bg/bb: arrays of different lengths");
  Eigen::VectorXd out(x.size());
  for (Eigen::Index i = 0; i < x.size(); ++i) {
    check_row(x[i], t_x[i], n[i]);
    out[i] = row_loglik(params[0], params[1], params[2], params[3], x[i], t_x[i], n[i]);
  }
  return out;
}

Eigen::VectorXd BetaGeoBetaBinom::expected_purchases(const Eigen::VectorXd& params, Vec t) {
  check_params(params);
  const double al = params[0], be = params[1], ga = params[2], de = params[3];
  Eigen::VectorXd out(t.size());
  for (Eigen::Index i = 0; i < t.size(); ++i) {
    const double n = t[i];
    require(n >= 0 && std::isfinite(n), "bg/bb: the number of periods must be >= 0");
    const double l = std::lgamma(ga + de) - std::lgamma(1 + de) + std::lgamma(1 + de + n) -
                     std::lgamma(ga + de + n);
    out[i] = al / (al + be) * de / (ga - 1) * (-std::expm1(l));
  }
  return out;
}

Eigen::VectorXd BetaGeoBetaBinom::conditional_expected_purchases(const Eigen::VectorXd& params,
                                                                 Vec t, Vec x, Vec t_x, Vec n) {
  check_params(params);
  require(t.size() == x.size() && x.size() == t_x.size() && x.size() == n.size(),
          "bg/bb: arrays of different lengths");
  const double al = params[0], be = params[1], ga = params[2], de = params[3];
  Eigen::VectorXd out(x.size());
  for (Eigen::Index i = 0; i < x.size(); ++i) {
    check_row(x[i], t_x[i], n[i]);
    const double m = t[i];
    require(m >= 0 && std::isfinite(m), "bg/bb: the number of future periods must be >= 0");
    const double ll = row_loglik(al, be, ga, de, x[i], t_x[i], n[i]);
    const double l4 = std::lgamma(1 + de + n[i]) - std::lgamma(ga + de + n[i]);
    const double l5 = std::lgamma(1 + de + n[i] + m) - std::lgamma(ga + de + n[i] + m);
    const double log_mag = -ll + lbeta(al + x[i] + 1, be + n[i] - x[i]) - lbeta(al, be) +
                           std::lgamma(ga + de) - std::lgamma(1 + de) + l4;
    const double e = std::exp(log_mag) * de / (ga - 1) * (-std::expm1(l5 - l4));
    out[i] = std::max(e, 0.0);
  }
  return out;
}

Eigen::VectorXd BetaGeoBetaBinom::probability_alive(const Eigen::VectorXd& params, Vec x, Vec t_x,
                                                    Vec n, Vec t_future) {
  check_params(params);
  require(x.size() == t_x.size() && x.size() == n.size() && x.size() == t_future.size(),
          "bg/bb: arrays of different lengths");
  const double al = params[0], be = params[1], ga = params[2], de = params[3];
  Eigen::VectorXd out(x.size());
  for (Eigen::Index i = 0; i < x.size(); ++i) {
    check_row(x[i], t_x[i], n[i]);
    const double ll = row_loglik(al, be, ga, de, x[i], t_x[i], n[i]);
    const double l = lbeta(al + x[i], be + n[i] - x[i]) - lbeta(al, be) +
                     lbeta(ga, de + n[i] + t_future[i]) - lbeta(ga, de) - ll;
    out[i] = std::clamp(std::exp(l), 0.0, 1.0);
  }
  return out;
}

Eigen::VectorXd BetaGeoBetaBinom::probability_of_n_purchases(const Eigen::VectorXd& params, Vec t,
                                                             Vec k) {
  check_params(params);
  require(t.size() == k.size(), "bg/bb: arrays of different lengths");
  const double al = params[0], be = params[1], ga = params[2], de = params[3];
  const double lab = lbeta(al, be), lgd = lbeta(ga, de);
  auto lchoose = [](double n, double r) {
    return std::lgamma(n + 1) - std::lgamma(r + 1) - std::lgamma(n - r + 1);
  };
  Eigen::VectorXd out(t.size());
  for (Eigen::Index i = 0; i < t.size(); ++i) {
    const double n = t[i], x = k[i];
    require(n >= 0 && n == std::floor(n) && x >= 0 && x == std::floor(x),
            "bg/bb: periods and counts must be non-negative integers");
    if (x > n) {
      out[i] = 0.0;
      continue;
    }
    double l = lchoose(n, x) + lbeta(al + x, be + n - x) - lab + lbeta(ga, de + n) - lgd;
    for (double j = x; j < n; j += 1)
      l = log_add_exp(
          l, lchoose(j, x) + lbeta(al + x, be + j - x) - lab + lbeta(ga + 1, de + j) - lgd);
    out[i] = std::clamp(std::exp(l), 0.0, 1.0);
  }
  return out;
}

}  // namespace kamkit::models
