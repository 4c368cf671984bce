// Pareto/NBD: log-likelihood, gradient, Hessian and predictions.
//
// Notation: a = r + s + x. The likelihood needs
//   G(t) = int_t^inf (alpha+tau)^-(r+x) (beta+tau)^-(s+1) dtau.
// With z = |alpha-beta| / (max(alpha,beta) + t) in [0, 1), G is a Gaussian
// hypergeometric function 2F1(a, b; a+1; z) (b = s+1 when alpha >= beta,
// b = r+x otherwise). After Euler's transformation
//   2F1(a, b; a+1; z) = (1-z)^(1-b) 2F1(1, a+1-b; a+1; z)
// the series sum_k z^k (p)_k / (q)_k has p = a+1-b < q = a+1: every term is
// positive and smaller than the one before (ratio < z), so it cannot
// overflow or cancel. Working it through:
//   alpha >= beta: log G = -(r+x) log(alpha+t) - s log(beta+t) - log a + log S(r+x, a+1, z)
//   alpha <  beta: log G = -(s+1) log(beta+t) - (r+x-1) log(alpha+t) - log a + log S(s+1, a+1, z)
// with S(p, q, z) = sum_k z^k (p)_k/(q)_k. No power of |alpha-beta| appears,
// so alpha == beta (z = 0, S = 1) needs no special case. Derivatives of S with
// respect to p, q and z are summed term by term (exact up to the truncation
// of the series, which stops at a rigorous tail bound below 1e-17).
// When z > kZSwitch the series needs thousands of terms; G is then integrated
// by composite Gauss-Legendre quadrature after the substitution
//   min(alpha,beta) + tau = (min(alpha,beta) + t) e^y,
// which turns the integrand into a smooth, unimodal function of y; its
// derivatives are moments of the nodes (differentiation under the integral).
// Each customer's terms carry the factor alpha^r beta^s, written with
// log1p(t/alpha) and log1p(t/beta), so no large terms cancel in the sums.
//
// Derivatives: every quantity is computed with a small forward-mode type
// (Jet) carrying the value, the gradient and the Hessian with respect to the
// log parameters (log r, log alpha, log s, log beta). The same templated code
// with T = double gives the value alone.
//
// Predictions: P(alive) = (first part of the bracket) / (bracket); alive at T
// the rates follow Gamma(r+x, alpha+T) and Gamma(s, beta+T), which gives the
// conditional expectations, P(alive at T+t) and the conditional P(n purchases)
// from those of a new customer. P(X(t) = n) of a new customer adds "alive
// throughout" to "dropped out at tau < t after n purchases", the latter by
// quadrature of a positive integrand (no differences of hypergeometric terms).
#include "kamkit/models/pareto_nbd.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>
#include <initializer_list>
#include <limits>
#include <vector>

#include "kamkit/common.hpp"

namespace kamkit::models::pareto_nbd {
namespace {

using V4 = Eigen::Vector4d;
using M4 = Eigen::Matrix4d;
constexpr double kInf = std::numeric_limits<double>::infinity();

// Above this series argument the quadrature is cheaper than the series.
constexpr double kZSwitch = 0.99;
constexpr int kMaxSeriesTerms = 200000;

// ------------------------------------------------------------ special functions
// std::lgamma may write the global signgam: use the reentrant form in threads.
inline double lgamma_r_safe(double x) {
#if defined(__GLIBC__) || defined(__APPLE__)
  int sign = 0;
  return ::lgamma_r(x, &sign);
#else
  return std::lgamma(x);
#endif
}
double psi0(double x) {
  double res = 0;
  while (x < 10) {
    res -= 1 / x;
    x += 1;
  }
  const double x2 = 1 / (x * x);
  res += std::log(x) - 0.5 / x -
         x2 * (1.0 / 12 -
               x2 * (1.0 / 120 -
                     x2 * (1.0 / 252 - x2 * (1.0 / 240 - x2 * (1.0 / 132 - x2 * 691.0 / 32760)))));
  return res;
}

double psi1(double x) {
  double res = 0;
  while (x < 10) {
    res += 1 / (x * x);
    x += 1;
  }
  const double ix = 1 / x, x2 = ix * ix;
  res += ix + 0.5 * x2 +
         ix * x2 *
             (1.0 / 6 -
              x2 * (1.0 / 30 -
                    x2 * (1.0 / 42 - x2 * (1.0 / 30 - x2 * (5.0 / 66 - x2 * 691.0 / 2730)))));
  return res;
}

// --------------------------------------------------------------------- the Jet
// Value, gradient and (for Order 2) Hessian with respect to 4 variables.
template <int Order>
struct Jet {
  static constexpr int kOrder = Order;
  double v = 0;
  V4 g = V4::Zero();
  M4 h = M4::Zero();
  Jet() = default;
  explicit Jet(double value) : v(value) {}
};

template <int O>
Jet<O> variable(int i, double value) {  // value = exp(log parameter i)
  Jet<O> j(value);
  j.g[i] = value;
  if constexpr (O >= 2) j.h(i, i) = value;
  return j;
}

inline double val(double x) { return x; }
template <int O>
double val(const Jet<O>& x) {
  return x.v;
}

template <int O>
Jet<O> operator+(Jet<O> a, const Jet<O>& b) {
  a.v += b.v;
  a.g += b.g;
  if constexpr (O >= 2) a.h += b.h;
  return a;
}
template <int O>
Jet<O> operator-(Jet<O> a, const Jet<O>& b) {
  a.v -= b.v;
  a.g -= b.g;
  if constexpr (O >= 2) a.h -= b.h;
  return a;
}
template <int O>
Jet<O> operator-(Jet<O> a) {
  a.v = -a.v;
  a.g = -a.g;
  if constexpr (O >= 2) a.h = -a.h;
  return a;
}
template <int O>
Jet<O> operator+(Jet<O> a, double c) {
  a.v += c;
  return a;
}
template <int O>
Jet<O> operator+(double c, Jet<O> a) {
  a.v += c;
  return a;
}
template <int O>
Jet<O> operator-(Jet<O> a, double c) {
  a.v -= c;
  return a;
}
template <int O>
Jet<O> operator*(double c, Jet<O> a) {
  a.v *= c;
  a.g *= c;
  if constexpr (O >= 2) a.h *= c;
  return a;
}
template <int O>
Jet<O> operator*(const Jet<O>& a, const Jet<O>& b) {
  Jet<O> r(a.v * b.v);
  r.g = a.v * b.g + b.v * a.g;
  if constexpr (O >= 2) {
    const M4 cross = a.g * b.g.transpose();
    r.h = a.v * b.h + b.v * a.h + cross + cross.transpose();
  }
  return r;
}
// f(x) given f, f', f''.
template <int O>
Jet<O> chain(const Jet<O>& x, double f0, double f1, double f2) {
  Jet<O> r(f0);
  r.g = f1 * x.g;
  if constexpr (O >= 2) r.h = f1 * x.h + f2 * x.g * x.g.transpose();
  return r;
}

inline double ln(double x) { return std::log(x); }
template <int O>
Jet<O> ln(const Jet<O>& x) {
  return chain(x, std::log(x.v), 1 / x.v, -1 / (x.v * x.v));
}
inline double inv(double x) { return 1 / x; }
template <int O>
Jet<O> inv(const Jet<O>& x) {
  const double i = 1 / x.v;
  return chain(x, i, -i * i, 2 * i * i * i);
}
// lgamma(x) - lgamma(c) for a variable x = c + shift; only the Jet needs psi.
template <int O>
Jet<O> lgamma_diff(const Jet<O>& x, double shift) {
  // value and derivatives of lgamma(x + shift) - lgamma(x)
  const double f0 = lgamma_r_safe(x.v + shift) - lgamma_r_safe(x.v);
  const double f1 = shift == 0 ? 0 : psi0(x.v + shift) - psi0(x.v);
  const double f2 = (shift == 0 || O < 2) ? 0 : psi1(x.v + shift) - psi1(x.v);
  return chain(x, f0, f1, f2);
}
inline double lgamma_diff(double x, double shift) {
  return lgamma_r_safe(x + shift) - lgamma_r_safe(x);
}

// log(exp(a) + exp(b)).
inline double ladd(double a, double b) {
  const double m = std::max(a, b);
  if (m == -kInf) return -kInf;
  return m + std::log1p(std::exp(std::min(a, b) - m));
}
template <int O>
Jet<O> ladd(const Jet<O>& a, const Jet<O>& b) {
  const double L = ladd(a.v, b.v);
  const double ea = std::exp(a.v - L), eb = std::exp(b.v - L);
  Jet<O> r(L);
  r.g = ea * a.g + eb * b.g;
  if constexpr (O >= 2) {
    const V4 d = a.g - b.g;
    r.h = ea * a.h + eb * b.h + (ea * eb) * d * d.transpose();
  }
  return r;
}
// log(exp(a) - exp(b)) for b <= a; callers guarantee b - a <= log(1/2).
inline double lsub(double a, double b) { return a + std::log1p(-std::exp(b - a)); }
template <int O>
Jet<O> lsub(const Jet<O>& a, const Jet<O>& b) {
  const Jet<O> d = b - a;
  const double e = std::exp(d.v), om = 1 - e;
  return a + chain(d, std::log1p(-e), -e / om, -e / (om * om));
}

// --------------------------------------------------------- the series S(p,q,z)
// S = sum_{k>=0} z^k (p)_k/(q)_k with 0 < p < q, 0 <= z < 1, and its partial
// derivatives with respect to (p, q, z).
struct SeriesSum {
  double S = 1;
  double d[3] = {0, 0, 0};
  double h[3][3] = {{0, 0, 0}, {0, 0, 0}, {0, 0, 0}};
};

template <int O>
SeriesSum series(double p, double q, double z) {
  SeriesSum out;
  double c = 1;                         // (p)_k/(q)_k
  double zk1 = 1;                       // z^(k-1)
  double zk2 = 0;                       // z^(k-2) (0 for k = 1)
  double A = 0, B = 0, A2 = 0, B2 = 0;  // sum_{j<k} 1/(p+j), 1/(q+j), and squares
  double Sp = 0, Sq = 0, Sz = 0, Spp = 0, Sqq = 0, Spq = 0, Spz = 0, Sqz = 0, Szz = 0;
  double S = 1;
  for (int k = 1; k <= kMaxSeriesTerms; ++k) {
    const double pj = p + (k - 1), qj = q + (k - 1);
    c *= pj / qj;
    const double zk = zk1 * z;
    const double t = c * zk;
    S += t;
    double biggest = t;                    // largest magnitude among this term's contributions
    double ratio = z * (p + k) / (q + k);  // t_{k+1}/t_k; the ratios grow to z
    if constexpr (O >= 1) {
      const double ip = 1 / pj, iq = 1 / qj;
      A += ip;
      B += iq;
      const double tz = k * c * zk1;  // d t / dz
      Sp += t * A;
      Sq -= t * B;
      Sz += tz;
      biggest = std::max(t, tz) * (1 + A + B);
      if constexpr (O >= 2) {
        A2 += ip * ip;
        B2 += iq * iq;
        const double tzz = k * (k - 1) * c * zk2;
        Spp += t * (A * A - A2);
        Sqq += t * (B * B + B2);
        Spq -= t * A * B;
        Spz += tz * A;
        Sqz -= tz * B;
        Szz += tzz;
        biggest = std::max({t, tz, tzz}) * (1 + A + B) * (1 + A + B);
      }
      // The weights k (or k(k-1)) and (1+A+B)^O grow from one term to the
      // next by at most this factor (decreasing in k).
      const double kw = O >= 2 ? (k + 1.0) / std::max(k - 1, 1) : (k + 1.0) / k;
      const double lw = (1 + 1 / (p + k)) * (1 + 1 / (q + k));
      ratio = z * kw * (O >= 2 ? lw * lw : lw);
    }
    zk2 = zk1;
    zk1 = zk;
    // The ratio of successive plain terms is increasing in k but below z;
    // once the bound on the weighted ratio is below 1, the tail of every sum
    // is at most biggest * ratio / (1 - ratio). The z-derivatives start one
    // (two) terms later, hence k > O.
    if (k > O) {
      if (biggest == 0) break;
      if (ratio < 1 && biggest * ratio < 1e-17 * (1 - ratio)) break;
    }
  }
  out.S = S;
  out.d[0] = Sp;
  out.d[1] = Sq;
  out.d[2] = Sz;
  out.h[0][0] = Spp;
  out.h[1][1] = Sqq;
  out.h[2][2] = Szz;
  out.h[0][1] = out.h[1][0] = Spq;
  out.h[0][2] = out.h[2][0] = Spz;
  out.h[1][2] = out.h[2][1] = Sqz;
  return out;
}

inline double log_series(double p, double q, double z) { return std::log(series<0>(p, q, z).S); }
template <int O>
Jet<O> log_series(const Jet<O>& p, const Jet<O>& q, const Jet<O>& z) {
  const SeriesSum s = series<O>(p.v, q.v, z.v);
  Jet<O> r(std::log(s.S));
  const Jet<O>* x[3] = {&p, &q, &z};
  double gi[3];
  for (int i = 0; i < 3; ++i) {
    gi[i] = s.d[i] / s.S;
    r.g += gi[i] * x[i]->g;
  }
  if constexpr (O >= 2) {
    for (int i = 0; i < 3; ++i) {
      r.h += gi[i] * x[i]->h;
      for (int j = 0; j < 3; ++j) {
        const double hij = s.h[i][j] / s.S - gi[i] * gi[j];
        r.h += hij * x[i]->g * x[j]->g.transpose();
      }
    }
  }
  return r;
}

// ----------------------------------------------------------------- quadrature
struct GaussLegendre {
  static constexpr int kN = 16;
  std::array<double, kN> x{}, w{};
  GaussLegendre() {
    const int n = kN;
    for (int i = 0; i < (n + 1) / 2; ++i) {
      double z = std::cos(M_PI * (i + 0.75) / (n + 0.5)), pp = 0;
      for (int it = 0; it < 100; ++it) {
        double p1 = 1, p2 = 0;
        for (int j = 1; j <= n; ++j) {
          const double p3 = p2;
          p2 = p1;
          p1 = ((2.0 * j - 1) * z * p2 - (j - 1.0) * p3) / j;
        }
        pp = n * (z * p1 - p2) / (z * z - 1);
        const double z1 = z;
        z = z1 - p1 / pp;
        if (std::abs(z - z1) < 1e-16) break;
      }
      x[i] = -z;
      x[n - 1 - i] = z;
      w[i] = w[n - 1 - i] = 2 / ((1 - z * z) * pp * pp);
    }
  }
};
const GaussLegendre& gauss_legendre() {
  static const GaussLegendre gl;
  return gl;
}

// Composite Gauss-Legendre nodes for log int_0^inf exp(ell(y)) dy, ell smooth
// and unimodal (concave after its maximum). `shape(y, slope, curvature)` gives
// ell'(y) and |ell''(y)| near y, `hcap(y)` the largest panel width there.
// Appends (y_i, log w_i + ell(y_i)) to `nodes`. Panel widths keep the change
// of ell over a panel below 8 and its curvature below 25 per panel: a
// 16-point rule is then exact to rounding (the nearest singularity of the
// integrands is pi away from the real axis).
struct Node {
  double y, v;
};
template <class Ell, class Shape, class Cap>
void quadrature_nodes(const Ell& ell, const Shape& shape, const Cap& hcap,
                      std::vector<Node>& nodes) {
  const GaussLegendre& gl = gauss_legendre();
  nodes.clear();
  double y = 0, top = -kInf;
  for (int panel = 0; panel < 20000; ++panel) {
    double slope = 0, curv = 0;
    shape(y, slope, curv);
    auto limit = [](double h, double sl, double cu) {
      if (std::abs(sl) > 0) h = std::min(h, 8 / std::abs(sl));
      if (cu > 0) h = std::min(h, 5 / std::sqrt(cu));
      return h;
    };
    double h = limit(hcap(y), slope, curv);
    // The slope can grow fast within a panel (doubly exponential decay):
    // respect the limits at the panel's end too.
    for (int it = 0; it < 30; ++it) {
      double s_end = 0, c_end = 0;
      shape(y + h, s_end, c_end);
      const double h2 = limit(h, s_end, c_end);
      if (h2 >= 0.999 * h) break;
      h = h2;
    }
    double last = -kInf;
    for (int i = 0; i < GaussLegendre::kN; ++i) {
      const double yi = y + 0.5 * h * (1 + gl.x[i]);
      last = ell(yi);
      top = std::max(top, last);
      nodes.push_back({yi, last + std::log(0.5 * h * gl.w[i])});
    }
    y += h;
    shape(y, slope, curv);
    // ell is concave past its maximum: the rest is below exp(last) / |slope|.
    if (slope < 0 && last < top - 46 + std::log(std::max(std::abs(slope), 1e-300)) - 2) break;
  }
}

double log_sum_nodes(const std::vector<Node>& nodes) {
  double m = -kInf, sum = 0;
  for (const Node& n : nodes) m = std::max(m, n.v);
  for (const Node& n : nodes) sum += std::exp(n.v - m);
  return m + std::log(sum);
}

std::vector<Node>& scratch_nodes() {
  thread_local std::vector<Node> nodes;
  return nodes;
}

// Per distinct frequency: r + x, a + 1, log a, lgamma(r+x) - lgamma(r).
template <class T>
struct PerX {
  double x = 0;
  T rx, a1, ln_a, lg;
};

// What depends on the parameters only.
template <class T>
struct Model {
  T r, alpha, s, beta, ln_alpha, ln_beta, ln_s;
};

template <class T>
Model<T> make_model(const T& r, const T& alpha, const T& s, const T& beta) {
  return {r, alpha, s, beta, ln(alpha), ln(beta), ln(s)};
}

// log(1 + t / X)
inline double log1p_ratio(double t, double X) { return std::log1p(t / X); }
template <int O>
Jet<O> log1p_ratio(double t, const Jet<O>& X) {
  const double v = X.v, vt = v + t;
  return chain(X, std::log1p(t / v), -t / (v * vt), t * (2 * v + t) / (v * v * vt * vt));
}

// log(1 - a / b) for 0 <= a < b, accurate when a << b.
inline double log1m_ratio(double a, double b) { return std::log1p(-a / b); }
template <int O>
Jet<O> log1m_ratio(const Jet<O>& a, const Jet<O>& b) {
  const double d = b.v - a.v, id = 1 / d, ib = 1 / b.v;
  Jet<O> r(std::log1p(-a.v / b.v));
  const double fa = -id, fb = id - ib;  // = a / (b (b - a))
  r.g = fa * a.g + fb * b.g;
  if constexpr (O >= 2) {
    const double faa = -id * id, fbb = -id * id + ib * ib, fab = id * id;
    const M4 cross = a.g * b.g.transpose();
    r.h = fa * a.h + fb * b.h + faa * a.g * a.g.transpose() + fbb * b.g * b.g.transpose() +
          fab * (cross + cross.transpose());
  }
  return r;
}

// log(alpha+t), log(beta+t), log(1+t/alpha), log(1+t/beta).
template <class T>
struct AtTime {
  T la, lb, l1a, l1b;
};
template <class T>
AtTime<T> at_time(const Model<T>& m, double t) {
  return {ln(m.alpha + t), ln(m.beta + t), log1p_ratio(t, m.alpha), log1p_ratio(t, m.beta)};
}

// Every G below is scaled by alpha^r beta^s, that is, returned as
//   log G'(t) = log G(t) + r log alpha + s log beta,
// written with log1p(t/alpha) and log1p(t/beta): the per-customer terms stay
// of moderate size, so that summing them over a million customers does not
// cancel large terms (s log beta alone can reach 1e5 when s and beta are large).

// G(t) by quadrature. A: beta + tau = (beta + t) e^y; B: alpha + tau = (alpha + t) e^y:
//   log integrand = pre - lead y - pow log(base + c e^y),  y in [0, inf),
//   pre = -lead log c; A: lead = s, pow = r+x, base = alpha-beta, c = beta+t;
//                      B: lead = r+x-1, pow = s+1, base = beta-alpha, c = alpha+t.
// With L(y) = log(base + c e^y) and sig(y) = c e^y / (base + c e^y), the
// gradient of the log integrand is v0 + y v1 + L v2 + sig v3 and its Hessian
// M0 + y M1 + L M2 + sig M3 + sig (1-sig) M4 (vectors and matrices built from
// the derivatives of pre, lead, pow, log base, log c). The derivatives of the
// log of the integral are then expectations and covariances of (y, L, sig)
// under the normalised integrand: the nodes need plain doubles only.
template <class T>
T log_G_quadrature(const PerX<T>& px, const Model<T>& m, const AtTime<T>& at) {
  const double av = val(m.alpha), bv = val(m.beta);
  const bool a_ge_b = av >= bv;
  // A: L = log alpha + log(base/alpha + c/alpha e^y); B: the same with beta.
  const T& lmax = a_ge_b ? m.ln_alpha : m.ln_beta;
  const T lbase = a_ge_b ? log1m_ratio(m.beta, m.alpha) : log1m_ratio(m.alpha, m.beta);
  const T lc = (a_ge_b ? at.lb : at.la) - lmax;
  const T lead = a_ge_b ? m.s : px.rx - 1.0;
  const T pow_ = a_ge_b ? px.rx : m.s + 1.0;
  const T pre = a_ge_b ? -(m.s * at.l1b) - px.x * m.ln_alpha
                       : -(m.r * at.l1a) - (px.x - 1) * at.la - m.ln_beta;
  const double prev = val(pre), lbasev = val(lbase), lcv = val(lc), leadv = val(lead),
               powv = val(pow_);
  const double y0 = lbasev - lcv;                            // where c e^y = base
  auto L = [&](double y) { return ladd(lbasev, lcv + y); };  // no overflow for large y
  auto ell = [&](double y) { return prev - leadv * y - powv * L(y); };
  auto shape = [&](double y, double& slope, double& curv) {
    const double sig = 1 / (1 + std::exp(y0 - y));
    slope = -leadv - powv * sig;
    curv = powv * sig * (1 - sig) + 1e-300;
  };
  auto hcap = [&](double y) { return y < y0 + 4 ? 2.0 : 2.0 + 0.5 * (y - y0 - 4); };
  std::vector<Node>& nodes = scratch_nodes();
  quadrature_nodes(ell, shape, hcap, nodes);
  if constexpr (std::is_same_v<T, double>) {
    return log_sum_nodes(nodes);
  } else {
    constexpr int O = T::kOrder;
    double m = -kInf;
    for (const Node& n : nodes) m = std::max(m, n.v);
    double S = 0, Ey = 0, EL = 0, Es = 0, Ess = 0;
    for (const Node& n : nodes) {
      const double w = std::exp(n.v - m), l = L(n.y), sg = std::exp(lcv + n.y - l);
      S += w;
      Ey += w * n.y;
      EL += w * l;
      Es += w * sg;
      Ess += w * sg * (1 - sg);
    }
    Ey /= S;
    EL /= S;
    Es /= S;
    Ess /= S;
    T out(m + std::log(S));
    const V4 d = lbase.g - lc.g;
    const V4 v1 = -lead.g, v2 = -pow_.g, v3 = powv * d;
    out.g = pre.g - powv * lbase.g + Ey * v1 + EL * v2 + Es * v3;
    if constexpr (O >= 2) {
      double cov[3][3] = {{0, 0, 0}, {0, 0, 0}, {0, 0, 0}};
      for (const Node& n : nodes) {
        const double w = std::exp(n.v - m), l = L(n.y), sg = std::exp(lcv + n.y - l);
        const double e[3] = {n.y - Ey, l - EL, sg - Es};
        for (int j = 0; j < 3; ++j)
          for (int k = 0; k <= j; ++k) cov[j][k] += w * e[j] * e[k];
      }
      const V4* v[3] = {&v1, &v2, &v3};
      M4 h = pre.h - (pow_.g * lbase.g.transpose() + lbase.g * pow_.g.transpose()) -
             powv * lbase.h;                                                                  // M0
      h -= Ey * lead.h;                                                                       // M1
      h -= EL * pow_.h;                                                                       // M2
      h += Es * (pow_.g * d.transpose() + d * pow_.g.transpose() + powv * (lbase.h - lc.h));  // M3
      h -= Ess * powv * d * d.transpose();                                                    // M4
      for (int j = 0; j < 3; ++j)
        for (int k = 0; k <= j; ++k) {
          const double cjk = cov[j][k] / S;
          const M4 outer = *v[j] * v[k]->transpose();
          h += j == k ? M4(cjk * outer) : M4(cjk * (outer + outer.transpose()));
        }
      out.h = h;
    }
    return out;
  }
}

template <class T>
T log_G(const PerX<T>& px, const Model<T>& m, double t, const AtTime<T>& at) {
  const double av = val(m.alpha), bv = val(m.beta);
  if (av >= bv) {
    if ((av - bv) / (av + t) <= kZSwitch) {
      const T z = (m.alpha - m.beta) * inv(m.alpha + t);
      return log_series(px.rx, px.a1, z) - m.r * at.l1a - px.x * at.la - m.s * at.l1b - px.ln_a;
    }
  } else if ((bv - av) / (bv + t) <= kZSwitch) {
    const T z = (m.beta - m.alpha) * inv(m.beta + t);
    return log_series(m.s + 1.0, px.a1, z) - m.s * at.l1b - at.lb - m.r * at.l1a -
           (px.x - 1) * at.la - px.ln_a;
  }
  return log_G_quadrature(px, m, at);
}

// log[alpha^r beta^s ((alpha+T)^-(r+x) (beta+T)^-s + s (G(t_x) - G(T)))] and
// log of its first part.
template <class T>
T log_bracket(const PerX<T>& px, const Model<T>& m, double t_x, double T_,
              T* log_e1_out = nullptr) {
  const AtTime<T> aT = at_time(m, T_);
  const T log_e1 = -(m.r * aT.l1a) - px.x * aT.la - m.s * aT.l1b;
  if (log_e1_out) *log_e1_out = log_e1;
  if (!(t_x < T_)) return log_e1;
  const T g_x = m.ln_s + log_G(px, m, t_x, at_time(m, t_x));
  const T g_T = m.ln_s + log_G(px, m, T_, aT);
  // (alpha+T)^-(r+x)(beta+T)^-s >= s G(T) and G(t_x) >= G(T): the subtracted
  // part is at most half of the sum, so the difference is well conditioned.
  return lsub(ladd(log_e1, g_x), g_T);
}

template <class T>
PerX<T> per_x(const T& r, const T& s, double x) {
  PerX<T> px;
  px.x = x;
  px.rx = r + x;
  px.a1 = px.rx + s + 1.0;
  px.ln_a = ln(px.rx + s);
  px.lg = lgamma_diff(r, x);
  return px;
}

template <int O>
void accumulate(Jet<O>& into, const Jet<O>& term, double w) {
  into.v += w * term.v;
  into.g += w * term.g;
  if constexpr (O >= 2) into.h += w * term.h;
}
inline void accumulate(double& into, double term, double w) { into += w * term; }

// Value (T = double) or Jet of the total weighted log-likelihood.
template <class T, class MakeVar>
T total(const Eigen::Vector4d& lp, const RowsView& d, const MakeVar& make) {
  const T r = make(0, std::exp(lp[0]));
  const T alpha = make(1, std::exp(lp[1]));
  const T s = make(2, std::exp(lp[2]));
  const T beta = make(3, std::exp(lp[3]));
  const Model<T> model = make_model(r, alpha, s, beta);

  std::vector<double> w_of_x(d.n_x, 0.0);
  if (d.weight_of_x) {
    for (std::size_t k = 0; k < d.n_x; ++k) w_of_x[k] = d.weight_of_x[k];
  } else {
    for (std::size_t i = 0; i < d.n; ++i) w_of_x[d.x_index[i]] += d.weight ? d.weight[i] : 1.0;
  }

  std::vector<PerX<T>> px(d.n_x);
  T out = make(-1, 0.0);
  for (std::size_t k = 0; k < d.n_x; ++k) {
    px[k] = per_x(r, s, d.distinct_x[k]);
    accumulate(out, px[k].lg, w_of_x[k]);
  }

  const std::ptrdiff_t n = static_cast<std::ptrdiff_t>(d.n);
  // A row costs a few thousand flops: worth two threads far below the generic threshold.
  const bool parallel = n * 64 > kamkit::kParallelThreshold;
  // Rows go in fixed groups, each with its own partial sum, added in group
  // order: the same bits for any number of threads.
  constexpr std::ptrdiff_t kGroup = 512;
  const std::ptrdiff_t groups = (n + kGroup - 1) / kGroup;
  std::vector<T> parts(static_cast<std::size_t>(groups), make(-1, 0.0));
#ifdef KAMKIT_HAVE_OPENMP
#pragma omp parallel for schedule(dynamic, 1) num_threads(kamkit::max_threads()) if (parallel)
#endif
  for (std::ptrdiff_t grp = 0; grp < groups; ++grp) {
    T& local = parts[static_cast<std::size_t>(grp)];
    for (std::ptrdiff_t i = grp * kGroup; i < std::min(n, (grp + 1) * kGroup); ++i) {
      const double w = d.weight ? d.weight[i] : 1.0;
      if (w == 0) continue;
      const T b = log_bracket(px[d.x_index[i]], model, d.t_x[i], d.T[i]);
      accumulate(local, b, w);
    }
  }
  for (const T& part : parts) accumulate(out, part, 1.0);
  (void)parallel;
  return out;
}

Model<double> model_value(const Params& p) { return make_model(p.r, p.alpha, p.s, p.beta); }

PerX<double> per_x_value(const Params& p, double x) {
  PerX<double> px;
  px.x = x;
  px.rx = p.r + x;
  px.a1 = px.rx + p.s + 1;
  px.ln_a = std::log(px.rx + p.s);
  px.lg = 0;  // not needed by the predictions
  return px;
}

// (1 - exp(-e L)) / e, continuous at e = 0.
double one_minus_exp_over(double e, double L) {
  const double u = e * L;
  if (std::abs(u) < 1e-8) return L * (1 - 0.5 * u);
  return -std::expm1(-u) / e;
}

void check_params(const Params& p) {
  require(std::isfinite(p.r) && p.r > 0 && std::isfinite(p.alpha) && p.alpha > 0 &&
              std::isfinite(p.s) && p.s > 0 && std::isfinite(p.beta) && p.beta > 0,
          "Pareto/NBD parameters r, alpha, s, beta must be finite and > 0");
}

void check_customer(double x, double t_x, double T) {
  require(
      std::isfinite(x) && x >= 0 && std::isfinite(t_x) && t_x >= 0 && std::isfinite(T) && t_x <= T,
      "Pareto/NBD: need finite frequency >= 0 and 0 <= recency <= T");
}

// log P(alive at T | x, t_x, T)
double log_p_alive(const Params& p, double x, double t_x, double T) {
  const PerX<double> px = per_x_value(p, x);
  double log_e1 = 0;
  const double b = log_bracket(px, model_value(p), t_x, T, &log_e1);
  return std::min(0.0, log_e1 - b);
}

void check_count(double t, double k) {
  require(std::isfinite(t) && t >= 0, "Pareto/NBD: t must be >= 0");
  require(std::isfinite(k) && k >= 0 && k == std::floor(k),
          "Pareto/NBD: the number of purchases must be a non-negative integer");
}

// P(X(t) = k) of a new customer.
double p_n_purchases(const Params& p, double ti, double k) {
  if (ti == 0) return k == 0 ? 1.0 : 0.0;
  const double lnc = lgamma_r_safe(p.r + k) - lgamma_r_safe(p.r) - lgamma_r_safe(k + 1);
  const double at = std::log1p(ti / p.alpha), bt = std::log1p(ti / p.beta);
  // alive throughout (0, t]
  const double l1 = lnc - p.r * at + k * (std::log(ti) - std::log(p.alpha + ti)) - p.s * bt;
  // died at tau < t after exactly k purchases:
  //   s alpha^r beta^s int_0^t tau^k (alpha+tau)^-(r+k) (beta+tau)^-(s+1) dtau,
  // with tau = t e^{-v}, v in [0, inf); the log-integrand is concave in v.
  const double lt = std::log(ti), rk = p.r + k, s1 = p.s + 1;
  const double la = std::log(p.alpha), lb = std::log(p.beta);
  auto ell = [&](double v) {
    const double tau = ti * std::exp(-v);
    return (k + 1) * (lt - v) - rk * (la + std::log1p(tau / p.alpha)) -
           s1 * (lb + std::log1p(tau / p.beta));
  };
  auto shape = [&](double v, double& slope, double& curv) {
    const double tau = ti * std::exp(-v);
    const double fa = tau / (p.alpha + tau), fb = tau / (p.beta + tau);
    slope = -(k + 1) + rk * fa + s1 * fb;
    curv = rk * fa * (1 - fa) + s1 * fb * (1 - fb) + 1e-300;
  };
  const double v_small = std::log(ti / (1e-2 * std::min(p.alpha, p.beta)));
  auto hcap = [&](double v) { return v < v_small ? 2.0 : 2.0 + 0.5 * (v - v_small); };
  std::vector<Node>& nodes = scratch_nodes();
  quadrature_nodes(ell, shape, hcap, nodes);
  const double lj = log_sum_nodes(nodes);
  const double l2 = lnc + std::log(p.s) + p.r * la + p.s * lb + lj;
  return std::clamp(std::exp(ladd(l1, l2)), 0.0, 1.0);
}

}  // namespace

LogLik log_likelihood(const Eigen::Vector4d& log_params, const RowsView& rows, int order) {
  require(log_params.allFinite(), "Pareto/NBD: log parameters must be finite");
  require(order >= 0 && order <= 2, "Pareto/NBD: order must be 0, 1 or 2");
  require(rows.n == 0 || (rows.x && rows.t_x && rows.T && rows.x_index && rows.distinct_x),
          "Pareto/NBD: missing data arrays");
  LogLik out;
  if (order == 0) {
    out.value = total<double>(log_params, rows, [](int, double v) { return v; });
  } else if (order == 1) {
    const Jet<1> j = total<Jet<1>>(
        log_params, rows, [](int i, double v) { return i < 0 ? Jet<1>(v) : variable<1>(i, v); });
    out.value = j.v;
    out.gradient = j.g;
  } else {
    const Jet<2> j = total<Jet<2>>(
        log_params, rows, [](int i, double v) { return i < 0 ? Jet<2>(v) : variable<2>(i, v); });
    out.value = j.v;
    out.gradient = j.g;
    out.hessian = 0.5 * (j.h + j.h.transpose());
  }
  return out;
}

double log_likelihood_one(const Params& p, double x, double t_x, double T) {
  check_params(p);
  check_customer(x, t_x, T);
  return lgamma_r_safe(p.r + x) - lgamma_r_safe(p.r) +
         log_bracket(per_x_value(p, x), model_value(p), t_x, T);
}

double log_tail_integral(const Params& p, double x, double t, int method) {
  check_params(p);
  const PerX<double> px = per_x_value(p, x);
  const Model<double> m = model_value(p);
  const AtTime<double> at = at_time(m, t);
  const double unscale = -p.r * m.ln_alpha - p.s * m.ln_beta;
  if (method == 1) return log_G_quadrature(px, m, at) + unscale;
  if (method == 0) {
    if (p.alpha >= p.beta) {
      const double z = (p.alpha - p.beta) / (p.alpha + t);
      return log_series(px.rx, px.a1, z) - px.rx * at.la - p.s * at.lb - px.ln_a;
    }
    const double z = (p.beta - p.alpha) / (p.beta + t);
    return log_series(p.s + 1, px.a1, z) - (p.s + 1) * at.lb - (px.rx - 1) * at.la - px.ln_a;
  }
  return log_G(px, m, t, at) + unscale;
}

namespace {

void check_customers(const double* x, const double* t_x, const double* T, std::size_t n,
                     const double* t, std::size_t n_t) {
  if (!rfm_is_valid(x, t_x, T, n, false))
    for (std::size_t i = 0; i < n; ++i) check_customer(x[i], t_x[i], T[i]);
  require(n_t == n || n_t == 1,
          "Pareto/NBD: t must have one value per customer, or a single value for all");
  for (std::size_t i = 0; i < n_t; ++i)
    require(std::isfinite(t[i]) && t[i] >= 0, "Pareto/NBD: t must be >= 0");
}

/// log P(alive at T | x, t_x, T) of every customer. It combines G(t_x) and
/// G(T) (a hypergeometric series or a quadrature each), which depend on
/// (x, t_x) and (x, T) only: far fewer pairs than customers or even distinct
/// (x, t_x, T) rows. The distinct rows come sorted by x, then t_x, then T, so
/// G(t_x) is computed once per run of equal (x, t_x), and G(T) is kept per T
/// level, stamped with the x level it belongs to (one table per thread).
/// Writes finish(log P(alive), x, T) of every customer to out, finish applied
/// once per distinct row.
template <class Finish>
void per_customer_alive(const Params& p, const double* x, const double* t_x, const double* T,
                        std::size_t n, const Finish& finish, double* out) {
  if (n < 256) {
    for (std::size_t i = 0; i < n; ++i)
      out[i] = finish(log_p_alive(p, x[i], t_x[i], T[i]), x[i], T[i]);
    return;
  }
  const DistinctRows dr = distinct_rows({x, t_x, T}, n, nullptr, true);
  const auto nd = static_cast<std::ptrdiff_t>(dr.size());
  const std::size_t n_T = dr.levels[2].size();
  const Model<double> m = model_value(p);
  std::vector<double> g(static_cast<std::size_t>(nd));
#ifdef KAMKIT_HAVE_OPENMP
#pragma omp parallel num_threads(kamkit::max_threads()) if (nd > 4096)
#endif
  {
    std::vector<std::int32_t> stamp(n_T, -1);  // x level whose terms at T are cached
    std::vector<double> cache_e1(n_T), cache_gT(n_T);
    std::int32_t prev_xl = -1, prev_tl = -1;
    double g_x = 0;
    PerX<double> px{};
#ifdef KAMKIT_HAVE_OPENMP
#pragma omp for schedule(dynamic, 2048)
#endif
    for (std::ptrdiff_t j = 0; j < nd; ++j) {
      const std::int32_t xl = dr.level[0][j], tl = dr.level[1][j], Tl = dr.level[2][j];
      const double xv = dr.value[0][j], txv = dr.value[1][j], Tv = dr.value[2][j];
      if (xl != prev_xl) {
        px = per_x_value(p, xv);
        prev_tl = -1;
      }
      if (stamp[Tl] != xl) {
        const AtTime<double> aT = at_time(m, Tv);
        cache_e1[Tl] = -(m.r * aT.l1a) - px.x * aT.la - m.s * aT.l1b;
        cache_gT[Tl] = m.ln_s + log_G(px, m, Tv, aT);
        stamp[Tl] = xl;
      }
      const double log_e1 = cache_e1[Tl];
      if (!(txv < Tv)) {
        g[j] = finish(0.0, xv, Tv);
        prev_xl = xl;
        continue;
      }
      if (xl != prev_xl || tl != prev_tl) {
        g_x = m.ln_s + log_G(px, m, txv, at_time(m, txv));
        prev_tl = tl;
      }
      prev_xl = xl;
      // as log_bracket: (alpha+T)^-(r+x)(beta+T)^-s + s (G(t_x) - G(T))
      const double b = lsub(ladd(log_e1, g_x), cache_gT[Tl]);
      g[j] = finish(std::min(0.0, log_e1 - b), xv, Tv);
    }
  }
  const auto mm = static_cast<std::ptrdiff_t>(n);
#ifdef KAMKIT_HAVE_OPENMP
#pragma omp parallel for num_threads(kamkit::max_threads()) if (mm > kamkit::kParallelThreshold)
#endif
  for (std::ptrdiff_t i = 0; i < mm; ++i) out[i] = g[dr.code[i]];
}

// P(alive at T + t) from log P(alive at T): the dropout rate of a customer
// alive at T follows Gamma(s, beta + T).
double alive_later(const Params& p, double log_pa, double T, double t) {
  const double later = t > 0 ? -p.s * std::log1p(t / (p.beta + T)) : 0.0;
  return std::clamp(std::exp(log_pa + later), 0.0, 1.0);
}

// E[X(T,T+t) | alive at T] = (r+x)/(alpha+T) * (beta+T)/(s-1) * [1 -
// ((beta+T)/(beta+T+t))^(s-1)], times P(alive at T).
double expected_next(const Params& p, double log_pa, double x, double T, double t) {
  const double bt = p.beta + T;
  const double rate = (p.r + x) / (p.alpha + T);
  const double life = bt * one_minus_exp_over(p.s - 1, std::log1p(t / bt));
  return rate * life * std::exp(log_pa);
}

}  // namespace

void probability_alive(const Params& p, const double* x, const double* t_x, const double* T,
                       const double* t_future, double* out, std::size_t n, std::size_t n_t) {
  check_params(p);
  check_customers(x, t_x, T, n, t_future, n_t);
  if (n_t == 1) {  // one horizon: the whole formula once per distinct row
    const double tf = t_future[0];
    per_customer_alive(
        p, x, t_x, T, n, [&](double lpa, double, double TT) { return alive_later(p, lpa, TT, tf); },
        out);
    return;
  }
  std::vector<double> lpa(n);
  per_customer_alive(p, x, t_x, T, n, [](double l, double, double) { return l; }, lpa.data());
  const std::ptrdiff_t m = static_cast<std::ptrdiff_t>(n);
#ifdef KAMKIT_HAVE_OPENMP
#pragma omp parallel for num_threads(kamkit::max_threads()) if (m > kamkit::kParallelThreshold)
#endif
  for (std::ptrdiff_t i = 0; i < m; ++i) out[i] = alive_later(p, lpa[i], T[i], t_future[i]);
}

void conditional_expected_purchases(const Params& p, const double* t, const double* x,
                                    const double* t_x, const double* T, double* out, std::size_t n,
                                    std::size_t n_t) {
  check_params(p);
  check_customers(x, t_x, T, n, t, n_t);
  if (n_t == 1) {  // one horizon: the whole formula once per distinct row
    const double t0 = t[0];
    per_customer_alive(
        p, x, t_x, T, n,
        [&](double lpa, double xx, double TT) { return expected_next(p, lpa, xx, TT, t0); }, out);
    return;
  }
  std::vector<double> lpa(n);
  per_customer_alive(p, x, t_x, T, n, [](double l, double, double) { return l; }, lpa.data());
  const std::ptrdiff_t m = static_cast<std::ptrdiff_t>(n);
#ifdef KAMKIT_HAVE_OPENMP
#pragma omp parallel for num_threads(kamkit::max_threads()) if (m > kamkit::kParallelThreshold)
#endif
  for (std::ptrdiff_t i = 0; i < m; ++i) out[i] = expected_next(p, lpa[i], x[i], T[i], t[i]);
}

void expected_purchases(const Params& p, const double* t, double* out, std::size_t n) {
  check_params(p);
  for (std::size_t i = 0; i < n; ++i) {
    require(std::isfinite(t[i]) && t[i] >= 0, "Pareto/NBD: t must be >= 0");
    out[i] = p.r / p.alpha * p.beta * one_minus_exp_over(p.s - 1, std::log1p(t[i] / p.beta));
  }
}

void probability_of_n_purchases(const Params& p, const double* t, const double* n_purchases,
                                double* out, std::size_t n) {
  check_params(p);
  for (std::size_t i = 0; i < n; ++i) check_count(t[i], n_purchases[i]);
  const std::ptrdiff_t m = static_cast<std::ptrdiff_t>(n);
#ifdef KAMKIT_HAVE_OPENMP
#pragma omp parallel for num_threads(kamkit::max_threads()) \
    schedule(dynamic, 64) if (m * 1024 > kamkit::kParallelThreshold)
#endif
  for (std::ptrdiff_t i = 0; i < m; ++i) out[i] = p_n_purchases(p, t[i], n_purchases[i]);
}

void conditional_probability_of_n_purchases(const Params& p, const double* t,
                                            const double* n_purchases, const double* x,
                                            const double* t_x, const double* T, double* out,
                                            std::size_t n) {
  check_params(p);
  for (std::size_t i = 0; i < n; ++i) {
    check_count(t[i], n_purchases[i]);
    check_customer(x[i], t_x[i], T[i]);
  }
  const std::ptrdiff_t m = static_cast<std::ptrdiff_t>(n);
#ifdef KAMKIT_HAVE_OPENMP
#pragma omp parallel for num_threads(kamkit::max_threads()) \
    schedule(dynamic, 64) if (m * 1024 > kamkit::kParallelThreshold)
#endif
  for (std::ptrdiff_t i = 0; i < m; ++i) {
    // Alive at T: lambda ~ Gamma(r+x, alpha+T), mu ~ Gamma(s, beta+T), and the
    // future is a new Pareto/NBD customer with those parameters. Dead: no purchase.
    const double pa = std::exp(log_p_alive(p, x[i], t_x[i], T[i]));
    const Params post{p.r + x[i], p.alpha + T[i], p.s, p.beta + T[i]};
    const double alive = pa * p_n_purchases(post, t[i], n_purchases[i]);
    out[i] = std::clamp(alive + (n_purchases[i] == 0 ? 1 - pa : 0.0), 0.0, 1.0);
  }
}

}  // namespace kamkit::models::pareto_nbd

namespace kamkit::models {
namespace {

pareto_nbd::Params natural(const Eigen::VectorXd& params) {
  require(params.size() == 4, "Pareto/NBD: expected 4 parameters (r, alpha, s, beta)");
  return {params[0], params[1], params[2], params[3]};
}

void same_length(Eigen::Index n, std::initializer_list<Eigen::Index> others) {
  for (Eigen::Index m : others) require(m == n, "Pareto/NBD: all arrays must have the same length");
}

}  // namespace

Objective ParetoNbd::log_likelihood(const Eigen::VectorXd& log_params, const RfmData& data,
                                    int order) {
  require(log_params.size() == 4, "Pareto/NBD: expected 4 log parameters (r, alpha, s, beta)");
  pareto_nbd::RowsView rows;
  rows.x = data.x.data();
  rows.t_x = data.t_x.data();
  rows.T = data.T.data();
  rows.weight = data.weight.data();
  rows.x_index = data.x_index.data();
  rows.n = data.size();
  rows.distinct_x = data.distinct_x.data();
  rows.weight_of_x =
      data.weight_of_x.size() == data.distinct_x.size() ? data.weight_of_x.data() : nullptr;
  rows.n_x = data.distinct_x.size();
  const pareto_nbd::LogLik ll = pareto_nbd::log_likelihood(log_params, rows, order);
  Objective out;
  out.value = ll.value;
  if (order >= 1) out.gradient = ll.gradient;
  if (order >= 2) out.hessian = ll.hessian;
  return out;
}

Eigen::VectorXd ParetoNbd::log_likelihood_rows(const Eigen::VectorXd& params, Vec x, Vec t_x,
                                               Vec T) {
  const pareto_nbd::Params p = natural(params);
  same_length(x.size(), {t_x.size(), T.size()});
  Eigen::VectorXd out(x.size());
  for (Eigen::Index i = 0; i < x.size(); ++i)
    out[i] = pareto_nbd::log_likelihood_one(p, x[i], t_x[i], T[i]);
  return out;
}

Eigen::VectorXd ParetoNbd::expected_purchases(const Eigen::VectorXd& params, Vec t) {
  Eigen::VectorXd out(t.size());
  pareto_nbd::expected_purchases(natural(params), t.data(), out.data(), t.size());
  return out;
}

Eigen::VectorXd ParetoNbd::conditional_expected_purchases(const Eigen::VectorXd& params, Vec t,
                                                          Vec x, Vec t_x, Vec T) {
  same_length(x.size(), {t_x.size(), T.size()});
  Eigen::VectorXd out(x.size());
  pareto_nbd::conditional_expected_purchases(natural(params), t.data(), x.data(), t_x.data(),
                                             T.data(), out.data(), x.size(), t.size());
  return out;
}

Eigen::VectorXd ParetoNbd::probability_alive(const Eigen::VectorXd& params, Vec x, Vec t_x, Vec T,
                                             Vec t_future) {
  same_length(x.size(), {t_x.size(), T.size()});
  Eigen::VectorXd out(x.size());
  pareto_nbd::probability_alive(natural(params), x.data(), t_x.data(), T.data(), t_future.data(),
                                out.data(), x.size(), t_future.size());
  return out;
}

Eigen::VectorXd ParetoNbd::probability_of_n_purchases(const Eigen::VectorXd& params, Vec t, Vec n) {
  same_length(t.size(), {n.size()});
  Eigen::VectorXd out(t.size());
  pareto_nbd::probability_of_n_purchases(natural(params), t.data(), n.data(), out.data(), t.size());
  return out;
}

Eigen::VectorXd ParetoNbd::conditional_probability_of_n_purchases(const Eigen::VectorXd& params,
                                                                  Vec t, Vec n, Vec x, Vec t_x,
                                                                  Vec T) {
  same_length(t.size(), {n.size(), x.size(), t_x.size(), T.size()});
  Eigen::VectorXd out(t.size());
  pareto_nbd::conditional_probability_of_n_purchases(natural(params), t.data(), n.data(), x.data(),
                                                     t_x.data(), T.data(), out.data(), t.size());
  return out;
}

}  // namespace kamkit::models
