// BG/NBD and MBG/NBD: log-likelihood with analytic derivatives, predictions.
#include "kamkit/models/bg_nbd.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <limits>
#include <string>

#include "kamkit/common.hpp"

namespace kamkit::models {
namespace detail {

namespace {

using Eigen::Matrix4d;
using Eigen::Vector4d;

void check_params(const Eigen::VectorXd& p, const char* what) {
  require(p.size() == 4, std::string(what) + ": expected 4 parameters (r, alpha, a, b)");
  require(p.allFinite() && (p.array() > 0).all(),
          std::string(what) + ": parameters must be positive and finite");
}

void check_same_size(Eigen::Index n, std::initializer_list<Eigen::Index> sizes, const char* what) {
  for (auto s : sizes)
    require(s == n, std::string(what) + ": all arrays must have the same length");
}

/// log(alpha + v) and 1 / (alpha + v) of the distinct values v.
struct ShiftedLogs {
  std::vector<double> log, inv;
  ShiftedLogs(const std::vector<double>& values, double alpha)
      : log(values.size()), inv(values.size()) {
    for (std::size_t j = 0; j < values.size(); ++j) {
      log[j] = std::log(alpha + values[j]);
      inv[j] = 1.0 / (alpha + values[j]);
    }
  }
};

/// Index of each running sum of the row loop. The Hessian's terms in a and
/// b come out of the sums of w*pi and q = w*pi*(1-pi) with the per-x factor
/// dc_b.
enum RowSum {
  kV,
  kG0,
  kG1,
  kG3,
  kWp,  // value, gradient, sum of w*pi
  kH01,
  kH11,
  kH33,  // scalar second-derivative terms
  kQ00,
  kQ01,
  kQ11,
  kQ0,
  kQ1,
  kQ,  // q * diff_i * diff_j without a, b
  kQ0b,
  kQ1b,
  kQb,  // ... times dc_b
  kSums
};

struct RowArrays {
  const double* X;
  const double* Wt;
  const std::int32_t *xi, *Ti, *txi;
  const double *LT, *IT, *Ltx, *Itx, *C, *DCB;
  double r;
};

/// Adds the rows' terms of the objective (up to derivative `Order`) to sums.
/// Rows go in blocks: a first loop takes the transcendental functions (calls
/// that would force every running sum out of registers), a second one
/// accumulates the derivatives without calls.
template <int Order>
void sum_rows(const RowArrays& a, std::ptrdiff_t n, double* sums) {
  constexpr std::ptrdiff_t kBlock = 512;
  const std::ptrdiff_t blocks = (n + kBlock - 1) / kBlock;
  const double r = a.r;
  // Blocks go in fixed groups, each with its own partial sums, added in
  // group order: the same bits for any number of threads.
  constexpr std::ptrdiff_t kGroup = 32;
  const std::ptrdiff_t groups = (blocks + kGroup - 1) / kGroup;
  std::vector<std::array<double, kSums>> parts(static_cast<std::size_t>(groups));
  for (auto& part : parts) part.fill(0.0);
#ifdef KAMKIT_HAVE_OPENMP
#pragma omp parallel num_threads(kamkit::max_threads()) if (n > kParallelThreshold)
#endif
  {
    double pi_of[kBlock];
#ifdef KAMKIT_HAVE_OPENMP
#pragma omp for schedule(static)
#endif
    for (std::ptrdiff_t grp = 0; grp < groups; ++grp) {
      double* s = parts[static_cast<std::size_t>(grp)].data();
      for (std::ptrdiff_t blk = grp * kGroup; blk < std::min(blocks, (grp + 1) * kGroup); ++blk) {
        const std::ptrdiff_t lo = blk * kBlock, hi = std::min(n, lo + kBlock);
        double value = 0;
        for (std::ptrdiff_t i = lo; i < hi; ++i) {
          const double rx = r + a.X[i];
          const double u = -rx * a.LT[a.Ti[i]];
          const double v = a.C[a.xi[i]] - rx * a.Ltx[a.txi[i]];
          const double e = std::exp(-std::fabs(u - v));
          value += a.Wt[i] * (std::max(u, v) + std::log1p(e));
          if (Order >= 1) pi_of[i - lo] = (v > u ? 1.0 : e) / (1.0 + e);  // weight of v
        }
        s[kV] += value;
        if (Order < 1) continue;
        double g0 = 0, g1 = 0, g3 = 0, swp = 0, h01 = 0, h11 = 0, h33 = 0;
        double q00 = 0, q01 = 0, q11 = 0, q0s = 0, q1s = 0, qs = 0, q0b = 0, q1b = 0, qb = 0;
        for (std::ptrdiff_t i = lo; i < hi; ++i) {
          const double w = a.Wt[i], pi = pi_of[i - lo];
          const double rx = r + a.X[i];
          const std::int32_t ti = a.Ti[i], txi = a.txi[i];
          const double lt = a.LT[ti], ltx = a.Ltx[txi];
          const double it = a.IT[ti], itx = a.Itx[txi];
          const double wp = w * pi;
          const double d0 = lt - ltx, d1 = rx * (it - itx), db = a.DCB[a.xi[i]];
          g0 += wp * d0 - w * lt;
          g1 += wp * d1 - w * rx * it;
          g3 -= wp * db;
          swp += wp;
          if (Order < 2) continue;
          h01 -= w * it + wp * (itx - it);
          h11 += w * rx * (it * it + pi * (itx * itx - it * it));
          const double q = wp * (1.0 - pi);
          const double q0 = q * d0, q1 = q * d1;
          h33 += (wp + q) * db * db;
          q00 += q0 * d0;
          q01 += q0 * d1;
          q11 += q1 * d1;
          q0s += q0;
          q1s += q1;
          qs += q;
          q0b += q0 * db;
          q1b += q1 * db;
          qb += q * db;
        }
        s[kG0] += g0;
        s[kG1] += g1;
        s[kG3] += g3;
        s[kWp] += swp;
        s[kH01] += h01;
        s[kH11] += h11;
        s[kH33] += h33;
        s[kQ00] += q00;
        s[kQ01] += q01;
        s[kQ11] += q11;
        s[kQ0] += q0s;
        s[kQ1] += q1s;
        s[kQ] += qs;
        s[kQ0b] += q0b;
        s[kQ1b] += q1b;
        s[kQb] += qb;
      }
    }
  }
  for (const auto& part : parts)
    for (int j = 0; j < kSums; ++j) sums[j] += part[static_cast<std::size_t>(j)];
}

/// Thread-local sums of the objective.
struct Acc {
  double value = 0;
  Vector4d g = Vector4d::Zero();
  Matrix4d H = Matrix4d::Zero();
};

}  // namespace

template <bool Modified>
Objective BetaGeoImpl<Modified>::log_likelihood(const Eigen::VectorXd& log_params, const RfmData& d,
                                                int order) {
  require(log_params.size() == 4 && log_params.allFinite(),
          "bg/nbd log-likelihood: expected 4 finite log-parameters");
  const Eigen::VectorXd p = log_params.array().exp();
  const double r = p[0], alpha = p[1], a = p[2], b = p[3];
  const double s = Modified ? 1.0 : 0.0;
  const double log_alpha = std::log(alpha);
  const double log_a = std::log(a);

  // Terms that depend on x only, once per distinct x.
  const std::size_t nx = d.distinct_x.size();
  std::vector<double> c(nx), dc_b(nx);
  std::vector<char> two_terms(nx);
  Acc tot;
  const double psi_r = order >= 1 ? digamma(r) : 0, psi_ab = order >= 1 ? digamma(a + b) : 0;
  const double psi_b = order >= 1 ? digamma(b) : 0;
  const double tri_r = order >= 2 ? trigamma(r) : 0, tri_ab = order >= 2 ? trigamma(a + b) : 0;
  const double tri_b = order >= 2 ? trigamma(b) : 0;
  const double lg_r = std::lgamma(r), lg_ab = std::lgamma(a + b), lg_b = std::lgamma(b);
  for (std::size_t k = 0; k < nx; ++k) {
    const double x = d.distinct_x[k], W = d.weight_of_x[k];
    two_terms[k] = Modified || x > 0;
    if (two_terms[k]) {
      c[k] = log_a - std::log(b + x - 1.0 + s);
      dc_b[k] = 1.0 / (b + x - 1.0 + s);
    }
    tot.value += W * (std::lgamma(r + x) - lg_r + r * log_alpha + lg_ab + std::lgamma(b + x + s) -
                      lg_b - std::lgamma(a + b + x + s));
    if (order >= 1) {
      const double psi_abx = digamma(a + b + x + s);
      tot.g[0] += W * (digamma(r + x) - psi_r + log_alpha);
      tot.g[1] += W * r / alpha;
      tot.g[2] += W * (psi_ab - psi_abx);
      tot.g[3] += W * (psi_ab + digamma(b + x + s) - psi_b - psi_abx);
      if (order >= 2) {
        const double tri_abx = trigamma(a + b + x + s);
        tot.H(0, 0) += W * (trigamma(r + x) - tri_r);
        tot.H(0, 1) += W / alpha;
        tot.H(1, 1) -= W * r / (alpha * alpha);
        tot.H(2, 2) += W * (tri_ab - tri_abx);
        tot.H(2, 3) += W * (tri_ab - tri_abx);
        tot.H(3, 3) += W * (tri_ab + trigamma(b + x + s) - tri_b - tri_abx);
      }
    }
  }

  // Per distinct row: log( exp(u) + exp(v) ), u = -(r+x) log(alpha+T),
  // v = c_x - (r+x) log(alpha+t_x); under BG/NBD c_0 = -inf (only u for
  // x = 0), which the same arithmetic handles (e = 0, pi = 0). The logs and
  // reciprocals of alpha + T and alpha + t_x are taken once per distinct value.
  for (std::size_t k = 0; k < nx; ++k)
    if (!two_terms[k]) {
      c[k] = -std::numeric_limits<double>::infinity();
      dc_b[k] = 0.0;
    }
  const ShiftedLogs lT(d.distinct_T, alpha), ltx(d.distinct_t_x, alpha);
  const auto n = static_cast<std::ptrdiff_t>(d.size());
  const double inv_a = 1.0 / a;
  const double* X = d.x.data();
  const double* Wt = d.weight.data();
  const std::int32_t* xi = d.x_index.data();
  const std::int32_t* Ti = d.T_index.data();
  const std::int32_t* txi = d.t_x_index.data();
  const double* LT = lT.log.data();
  const double* IT = lT.inv.data();
  const double* Ltx = ltx.log.data();
  const double* Itx = ltx.inv.data();
  const double* C = c.data();
  const double* DCB = dc_b.data();
  const RowArrays rows{X, Wt, xi, Ti, txi, LT, IT, Ltx, Itx, C, DCB, r};
  double sums[kSums] = {};
  if (order <= 0)
    sum_rows<0>(rows, n, sums);
  else if (order == 1)
    sum_rows<1>(rows, n, sums);
  else
    sum_rows<2>(rows, n, sums);
  tot.value += sums[kV];
  if (order >= 1) {
    tot.g[0] += sums[kG0];
    tot.g[1] += sums[kG1];
    tot.g[2] += sums[kWp] * inv_a;
    tot.g[3] += sums[kG3];
  }
  if (order >= 2) {
    tot.H(0, 1) += sums[kH01];
    tot.H(1, 1) += sums[kH11];
    tot.H(2, 2) += (sums[kQ] - sums[kWp]) * inv_a * inv_a;
    tot.H(3, 3) += sums[kH33];
    tot.H(0, 0) += sums[kQ00];
    tot.H(0, 1) += sums[kQ01];
    tot.H(1, 1) += sums[kQ11];
    tot.H(0, 2) += sums[kQ0] * inv_a;
    tot.H(1, 2) += sums[kQ1] * inv_a;
    tot.H(0, 3) -= sums[kQ0b];
    tot.H(1, 3) -= sums[kQ1b];
    tot.H(2, 3) -= sums[kQb] * inv_a;
  }

  Objective out;
  out.value = tot.value;
  if (order >= 1) {
    Eigen::VectorXd g = tot.g;
    Eigen::MatrixXd H;
    if (order >= 2) {
      // Every term went to the upper triangle.
      Matrix4d Hs = tot.H;
      Hs.triangularView<Eigen::StrictlyLower>() = Hs.transpose();
      H = Hs;
    }
    to_log_space(p, g, H);
    out.gradient = g;
    if (order >= 2) out.hessian = H;
  }
  return out;
}

template <bool Modified>
Eigen::VectorXd BetaGeoImpl<Modified>::log_likelihood_rows(const Eigen::VectorXd& params, Vec x,
                                                           Vec t_x, Vec T) {
  check_params(params, "bg/nbd");
  check_same_size(x.size(), {t_x.size(), T.size()}, "bg/nbd");
  const double r = params[0], alpha = params[1], a = params[2], b = params[3];
  const double s = Modified ? 1.0 : 0.0;
  Eigen::VectorXd out(x.size());
  for (Eigen::Index i = 0; i < x.size(); ++i) {
    const double xi = x[i];
    const double base = std::lgamma(r + xi) - std::lgamma(r) + r * std::log(alpha) +
                        lbeta(a, b + xi + s) - lbeta(a, b);
    const double u = -(r + xi) * std::log(alpha + T[i]);
    double ll = u;
    if (Modified || xi > 0) {
      const double v = std::log(a) - std::log(b + xi - 1 + s) - (r + xi) * std::log(alpha + t_x[i]);
      ll = log_add_exp(u, v);
    }
    out[i] = base + ll;
  }
  return out;
}

namespace {

/// P(alive at T) = 1 / (1 + odds of having dropped out), with one log1p and
/// one exp (odds overflowing to +inf give 0).
template <bool Modified>
double probability_alive_now(double r, double alpha, double a, double b, double x, double t_x,
                             double T) {
  if (!Modified && x <= 0) return 1.0;
  const double s = Modified ? 1.0 : 0.0;
  const double odds =
      a / (b + x - 1.0 + s) * std::exp((r + x) * std::log1p((T - t_x) / (alpha + t_x)));
  return 1.0 / (1.0 + odds);
}

/// f(x, T, t) for every row, computed once per distinct (x, T, t) and in
/// parallel (the hypergeometric terms of the predictions depend on these
/// only). A one-element t holds for every row: then the rows group by (x, T).
template <class F>
std::vector<double> per_distinct_x_T_t(Vec x, Vec T, Vec t, F f) {
  const auto n = static_cast<std::size_t>(x.size());
  if (t.size() == 1 && n != 1) {
    const double t0 = t[0];
    return per_distinct_row({x.data(), T.data()}, n,
                            [&](const double* v) { return f(v[0], v[1], t0); });
  }
  return per_distinct_row({x.data(), T.data(), t.data()}, n,
                          [&](const double* v) { return f(v[0], v[1], v[2]); });
}

/// t[i], or t[0] for every row when t has one element.
struct Broadcast {
  const double* p;
  bool one;
  explicit Broadcast(Vec v) : p(v.data()), one(v.size() == 1) {}
  double operator[](std::ptrdiff_t i) const { return one ? p[0] : p[i]; }
};

/// Same length as x, or one element (then it holds for every customer).
void check_time_size(Eigen::Index t, Eigen::Index n, const char* what) {
  require(t == n || t == 1,
          std::string(what) + ": t must have one value per customer, or a single value for all");
}

/// E[X(t)] of a customer alive at T when c = a + b' - 1 < 1 (b' = b + x, or
/// b + x + 1 under MBG/NBD). The closed form
///   c / (a - 1) [1 - (1-z)^n 2F1(n, b'; c; z)],   n = r + x,
/// has a pole of 2F1 at c = 0 (a + b = 1 for a one-time BG/NBD buyer) that the
/// factor c cancels, and for c < 0 the 2F1 may be negative, so its logarithm
/// is undefined (NaN before). Euler's transformation 2F1(n, b'; c; z) =
/// (1-z)^(a-1-n) 2F1(c-n, a-1; c; z), with the first term of the series taken
/// out and c cancelled by hand, gives the pole-free form
///   c [1 - (1-z)^(a-1)] / (a-1) - (1-z)^(a-1) (c-n) z S,
///   S = sum_j (c-n+1)_j (a)_j / ((c+1)_j (j+1)!) z^j,
/// valid for every c > -1 (always: c + 1 = a + b' > 0), a = 1 included (the
/// first term's limit is -c log(1-z)). S converges for every z in [0, 1).
double expected_if_alive_small_c(double n, double a, double bp, double z) {
  const double c = a + bp - 1.0;
  const double log1mz = std::log1p(-z);
  const double e = a - 1.0;
  const double first = e == 0.0 ? -log1mz : -std::expm1(e * log1mz) / e;
  const double p = c - n + 1.0;  // = a + b' - n
  double sum = 1.0, term = 1.0;
  for (long j = 0; j < 40000000; ++j) {
    const double jj = static_cast<double>(j);
    term *= (p + jj) * (a + jj) / ((c + 1.0 + jj) * (jj + 2.0)) * z;
    sum += term;
    if (term == 0.0) break;
    const double next =
        std::fabs((p + jj + 1.0) * (a + jj + 1.0) / ((c + jj + 2.0) * (jj + 3.0)) * z);
    if (next < 1.0 && std::fabs(term) <= 1e-17 * std::fabs(sum)) break;
  }
  return c * first - std::exp(e * log1mz) * (c - n) * z * sum;
}

/// E[X(t)] of a customer alive at T with x purchases: the factor of P(alive)
/// in the conditional expectation (depends on x, T and t only).
template <bool Modified>
double expected_if_alive(double r, double alpha, double a, double b, double t, double x, double T) {
  if (t <= 0) return 0.0;
  const double s = Modified ? 1.0 : 0.0;
  const double z = t / (alpha + T + t);
  if (a + b + x - 1.0 + s < 1.0) return expected_if_alive_small_c(r + x, a, b + x + s, z);
  const double log_f = log_hyp2f1(r + x, b + x + s, a + b + x - 1.0 + s, z);
  const double bracket = -std::expm1(log_f + (r + x) * std::log1p(-z));
  const double k = (a + b + x - 1.0 + s) / (a - 1.0);
  return k * bracket;
}

template <bool Modified>
double cond_expected(double r, double alpha, double a, double b, double t, double x, double t_x,
                     double T) {
  if (t <= 0) return 0.0;
  const double alive = probability_alive_now<Modified>(r, alpha, a, b, x, t_x, T);
  const double e = expected_if_alive<Modified>(r, alpha, a, b, t, x, T) * alive;
  return std::isfinite(e) ? std::max(e, 0.0) : e;
}

}  // namespace

template <bool Modified>
Eigen::VectorXd BetaGeoImpl<Modified>::conditional_expected_purchases(const Eigen::VectorXd& params,
                                                                      Vec t, Vec x, Vec t_x,
                                                                      Vec T) {
  check_params(params, "bg/nbd");
  check_same_size(x.size(), {t_x.size(), T.size()}, "bg/nbd");
  check_time_size(t.size(), x.size(), "bg/nbd");
  const double r = params[0], alpha = params[1], a = params[2], b = params[3];
  const auto n = static_cast<std::ptrdiff_t>(x.size());
  const std::vector<double> g = per_distinct_x_T_t(x, T, t, [&](double xx, double TT, double tt) {
    return expected_if_alive<Modified>(r, alpha, a, b, tt, xx, TT);
  });
  const Broadcast tb(t);
  Eigen::VectorXd out(n);
#ifdef KAMKIT_HAVE_OPENMP
#pragma omp parallel for num_threads(kamkit::max_threads()) if (n > kParallelThreshold)
#endif
  for (std::ptrdiff_t i = 0; i < n; ++i) {
    if (tb[i] <= 0) {
      out[i] = 0.0;
      continue;
    }
    const double e = g[i] * probability_alive_now<Modified>(r, alpha, a, b, x[i], t_x[i], T[i]);
    out[i] = std::isfinite(e) ? std::max(e, 0.0) : e;
  }
  return out;
}

template <bool Modified>
Eigen::VectorXd BetaGeoImpl<Modified>::expected_purchases(const Eigen::VectorXd& params, Vec t) {
  check_params(params, "bg/nbd");
  const double r = params[0], alpha = params[1], a = params[2], b = params[3];
  Eigen::VectorXd out(t.size());
  for (Eigen::Index i = 0; i < t.size(); ++i)
    out[i] = cond_expected<Modified>(r, alpha, a, b, t[i], 0.0, 0.0, 0.0);
  return out;
}

template <bool Modified>
Eigen::VectorXd BetaGeoImpl<Modified>::probability_alive(const Eigen::VectorXd& params, Vec x,
                                                         Vec t_x, Vec T, Vec t_future) {
  check_params(params, "bg/nbd");
  check_same_size(x.size(), {t_x.size(), T.size()}, "bg/nbd");
  check_time_size(t_future.size(), x.size(), "bg/nbd");
  const double r = params[0], alpha = params[1], a = params[2], b = params[3];
  const double s = Modified ? 1.0 : 0.0;
  const auto n = static_cast<std::ptrdiff_t>(x.size());
  const Broadcast tb(t_future);
  // Alive at T: lambda ~ Gamma(r+x, alpha+T), p ~ Beta(a, b+x(+1)); it
  // survives (T, T+t] with probability E[exp(-lambda p t)].
  bool any_future = false;
  for (Eigen::Index i = 0; i < t_future.size() && !any_future; ++i) any_future = t_future[i] > 0;
  std::vector<double> log_surv;
  if (any_future)
    log_surv = per_distinct_x_T_t(x, T, t_future, [&](double xx, double TT, double tt) {
      if (!(tt > 0)) return 0.0;
      const double z = tt / (alpha + TT + tt);
      return (r + xx) * std::log1p(-z) + log_hyp2f1(r + xx, b + xx + s, a + b + xx + s, z);
    });
  Eigen::VectorXd out(n);
#ifdef KAMKIT_HAVE_OPENMP
#pragma omp parallel for num_threads(kamkit::max_threads()) if (n > kParallelThreshold)
#endif
  for (std::ptrdiff_t i = 0; i < n; ++i) {
    double p = probability_alive_now<Modified>(r, alpha, a, b, x[i], t_x[i], T[i]);
    if (any_future && tb[i] > 0) p *= std::exp(std::min(log_surv[i], 0.0));
    out[i] = std::clamp(p, 0.0, 1.0);
  }
  return out;
}

template <bool Modified>
Eigen::VectorXd BetaGeoImpl<Modified>::probability_of_n_purchases(const Eigen::VectorXd& params,
                                                                  Vec t, Vec n_purchases) {
  check_params(params, "bg/nbd");
  check_same_size(t.size(), {n_purchases.size()}, "bg/nbd");
  const double r = params[0], alpha = params[1], a = params[2], b = params[3];
  const double s = Modified ? 1.0 : 0.0;
  Eigen::VectorXd out(t.size());
  const double lb_ab = lbeta(a, b), lg_r = std::lgamma(r);
  for (Eigen::Index i = 0; i < t.size(); ++i) {
    const double ti = t[i], nn = n_purchases[i];
    require(ti >= 0 && std::isfinite(ti), "bg/nbd: t must be finite and >= 0");
    require(nn >= 0 && nn == std::floor(nn), "bg/nbd: n must be a non-negative integer");
    const double log_p0 = r * (std::log(alpha) - std::log(alpha + ti));  // log (alpha/(alpha+t))^r
    const double log_q = ti > 0 ? std::log(ti) - std::log(alpha + ti) : 0.0;
    auto log_nb = [&](double j) {
      if (j == 0) return log_p0;
      if (ti == 0) return -std::numeric_limits<double>::infinity();
      return std::lgamma(r + j) - lg_r - std::lgamma(j + 1) + log_p0 + j * log_q;
    };
    double p = std::exp(lbeta(a, b + nn + s) - lb_ab + log_nb(nn));
    if (Modified || nn > 0) {
      double cdf = 0;
      for (double j = 0; j < nn; j += 1) cdf += std::exp(log_nb(j));
      const double tail = std::max(0.0, 1.0 - cdf);
      p += std::exp(lbeta(a + 1, b + nn - 1 + s) - lb_ab) * tail;
    }
    out[i] = std::clamp(p, 0.0, 1.0);
  }
  return out;
}

template struct BetaGeoImpl<false>;
template struct BetaGeoImpl<true>;

}  // namespace detail
}  // namespace kamkit::models
