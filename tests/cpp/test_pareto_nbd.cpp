// Pareto/NBD: likelihood against the published CDNOW fit, derivatives against
// finite differences, series against quadrature, heavy buyers, alpha == beta.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "kamkit/models/pareto_nbd.hpp"

namespace pnbd = kamkit::models::pareto_nbd;

namespace {

// Customers with their distinct frequencies (no row compression needed here).
struct Data {
  std::vector<double> x, t_x, T, w, distinct_x;
  std::vector<std::int32_t> x_index;
  void add(double xi, double txi, double Ti, double wi = 1) {
    x.push_back(xi);
    t_x.push_back(txi);
    T.push_back(Ti);
    w.push_back(wi);
  }
  pnbd::RowsView view() {
    std::map<double, int> index;
    for (double v : x) index[v] = 0;
    distinct_x.clear();
    for (auto& [v, i] : index) {
      i = static_cast<int>(distinct_x.size());
      distinct_x.push_back(v);
    }
    x_index.clear();
    for (double v : x) x_index.push_back(index[v]);
    pnbd::RowsView r;
    r.x = x.data();
    r.t_x = t_x.data();
    r.T = T.data();
    r.weight = w.data();
    r.x_index = x_index.data();
    r.n = x.size();
    r.distinct_x = distinct_x.data();
    r.n_x = distinct_x.size();
    return r;
  }
};

std::string test_data() {
  if (const char* env = std::getenv("KAMKIT_TEST_DATA")) return env;
  return KAMKIT_TEST_DATA;
}

Data load_cdnow() {
  Data d;
  const std::string path = test_data() + "/cdnow/cdnow_customers_summary.csv";
  std::ifstream in(path);
  EXPECT_TRUE(in.good()) << "cannot open " << path << " (set KAMKIT_TEST_DATA)";
  std::string line;
  std::getline(in, line);  // ID,frequency,recency,T
  while (std::getline(in, line)) {
    if (line.empty() || line == "\r") continue;
    std::stringstream ss(line);
    std::string id, f, r, t;
    std::getline(ss, id, ',');
    std::getline(ss, f, ',');
    std::getline(ss, r, ',');
    std::getline(ss, t, ',');
    d.add(std::stod(f), std::stod(r), std::stod(t));
  }
  return d;
}

Eigen::Vector4d log_of(double r, double alpha, double s, double beta) {
  return Eigen::Vector4d(std::log(r), std::log(alpha), std::log(s), std::log(beta));
}

Data mixed_customers() {
  Data d;
  d.add(0, 0, 30);
  d.add(1, 5, 30, 2.5);
  d.add(3, 20.5, 38);
  d.add(10, 37, 38);
  d.add(2, 0.5, 10);
  d.add(5, 5, 5);
  d.add(50, 100, 120);
  d.add(0, 0, 0.01, 3);
  return d;
}

// Central differences of the value (gradient) and of the analytic gradient (Hessian).
void check_derivatives(const Eigen::Vector4d& lp, Data& d, double tol, double h = 1e-5) {
  const pnbd::RowsView v = d.view();
  const pnbd::LogLik full = pnbd::log_likelihood(lp, v, 2);
  const pnbd::LogLik g1 = pnbd::log_likelihood(lp, v, 1);
  EXPECT_NEAR(full.value, pnbd::log_likelihood(lp, v, 0).value, 1e-9 * std::abs(full.value));
  for (int i = 0; i < 4; ++i) {
    Eigen::Vector4d up = lp, dn = lp;
    up[i] += h;
    dn[i] -= h;
    const double fd =
        (pnbd::log_likelihood(up, v, 0).value - pnbd::log_likelihood(dn, v, 0).value) / (2 * h);
    const double scale = std::max(1.0, std::abs(full.gradient[i]));
    EXPECT_NEAR(full.gradient[i], fd, tol * scale) << "gradient " << i;
    EXPECT_NEAR(g1.gradient[i], full.gradient[i], 1e-12 * scale);
    const Eigen::Vector4d fdh =
        (pnbd::log_likelihood(up, v, 1).gradient - pnbd::log_likelihood(dn, v, 1).gradient) /
        (2 * h);
    for (int j = 0; j < 4; ++j) {
      const double sc = std::max(1.0, std::abs(full.hessian(i, j)));
      EXPECT_NEAR(full.hessian(i, j), fdh[j], tol * sc) << "hessian " << i << "," << j;
    }
  }
}

}  // namespace

TEST(ParetoNbd, CdnowLogLikelihoodAtPublishedEstimate) {
  Data d = load_cdnow();
  ASSERT_EQ(d.x.size(), 2357u);
  const pnbd::LogLik ll = pnbd::log_likelihood(log_of(0.553, 10.578, 0.606, 11.669), d.view(), 2);
  EXPECT_NEAR(ll.value, -9595.0, 0.1);
  // At the (rounded) maximum the gradient is small compared with its size elsewhere.
  EXPECT_LT(ll.gradient.cwiseAbs().maxCoeff(), 2.0);
  // The Hessian at a maximum is negative definite.
  Eigen::SelfAdjointEigenSolver<Eigen::Matrix4d> eig(ll.hessian);
  EXPECT_LT(eig.eigenvalues().maxCoeff(), 0.0);
}

TEST(ParetoNbd, WeightsEqualRepeatedRows) {
  Data d = mixed_customers();
  Data e;
  for (std::size_t i = 0; i < d.x.size(); ++i) e.add(d.x[i], d.t_x[i], d.T[i]);
  e.add(1, 5, 30, 1.5);  // the 2.5-weight row as 1 + 1.5
  e.add(0, 0, 0.01, 2);
  const Eigen::Vector4d lp = log_of(0.7, 4.0, 1.3, 9.0);
  const pnbd::LogLik a = pnbd::log_likelihood(lp, d.view(), 2);
  const pnbd::LogLik b = pnbd::log_likelihood(lp, e.view(), 2);
  EXPECT_NEAR(a.value, b.value, 1e-10 * std::abs(a.value));
  EXPECT_LT((a.gradient - b.gradient).norm(), 1e-9);
  EXPECT_LT((a.hessian - b.hessian).norm(), 1e-8);
}

TEST(ParetoNbd, GradientAndHessianMatchFiniteDifferences) {
  Data d = mixed_customers();
  check_derivatives(log_of(0.553, 10.578, 0.606, 11.669), d, 1e-6);  // alpha < beta
  check_derivatives(log_of(0.8, 20.0, 0.4, 5.0), d, 1e-6);           // alpha > beta
  check_derivatives(log_of(1.2, 7.0, 2.5, 7.0), d, 1e-6);            // alpha == beta
  check_derivatives(log_of(2.0, 3.0, 1.0, 3.0000001), d, 1e-6);      // alpha ~ beta
  check_derivatives(log_of(0.5, 2000.0, 0.3, 1.0), d, 1e-6);         // z near 1: quadrature
  check_derivatives(log_of(0.3, 1.0, 0.8, 900.0), d, 1e-6);          // z near 1, alpha < beta
  check_derivatives(log_of(25.0, 0.05, 40.0, 0.2), d, 1e-6);         // large shapes
}

TEST(ParetoNbd, DerivativesOnCdnowMatchFiniteDifferences) {
  Data d = load_cdnow();
  check_derivatives(log_of(0.4, 8.0, 0.9, 15.0), d, 1e-6);
}

TEST(ParetoNbd, SeriesAndQuadratureAgree) {
  const pnbd::Params ps[] = {{0.553, 10.578, 0.606, 11.669},
                             {0.8, 20.0, 0.4, 5.0},
                             {0.5, 60.0, 0.3, 1.0},
                             {0.3, 1.0, 2.5, 45.0},
                             {3.0, 100.0, 7.0, 0.9}};
  for (const pnbd::Params& p : ps) {
    for (double x : {0.0, 1.0, 7.0, 40.0}) {
      for (double t : {0.0, 0.3, 5.0, 38.0}) {
        const double zs = std::abs(p.alpha - p.beta) / (std::max(p.alpha, p.beta) + t);
        if (zs > 0.99) continue;  // beyond the series' range
        const double a = pnbd::log_tail_integral(p, x, t, 0);
        const double b = pnbd::log_tail_integral(p, x, t, 1);
        EXPECT_NEAR(a, b, 1e-12 * std::max(1.0, std::abs(a))) << "x=" << x << " t=" << t;
      }
    }
  }
}

TEST(ParetoNbd, AlphaEqualsBetaHasClosedForm) {
  // alpha == beta: G(t) = (alpha+t)^-a / a, a = r+s+x.
  const pnbd::Params p{0.9, 6.0, 1.7, 6.0};
  const double x = 4, t_x = 12, T = 30, a = p.r + p.s + x;
  const double l1 = -(p.r + x) * std::log(p.alpha + T) - p.s * std::log(p.beta + T);
  const double i = (std::pow(p.alpha + t_x, -a) - std::pow(p.alpha + T, -a)) / a;
  const double expect = std::lgamma(p.r + x) - std::lgamma(p.r) + p.r * std::log(p.alpha) +
                        p.s * std::log(p.beta) + std::log(std::exp(l1) + p.s * i);
  EXPECT_NEAR(pnbd::log_likelihood_one(p, x, t_x, T), expect, 1e-12);
  // Continuous across alpha == beta.
  const double below = pnbd::log_likelihood_one({0.9, 6.0 * (1 - 1e-9), 1.7, 6.0}, x, t_x, T);
  const double above = pnbd::log_likelihood_one({0.9, 6.0 * (1 + 1e-9), 1.7, 6.0}, x, t_x, T);
  EXPECT_NEAR(below, expect, 1e-8);
  EXPECT_NEAR(above, expect, 1e-8);
  EXPECT_NEAR(pnbd::log_tail_integral(p, x, t_x), -a * std::log(p.alpha + t_x) - std::log(a),
              1e-13);
}

TEST(ParetoNbd, HeavyBuyersStayFinite) {
  const pnbd::Params ps[] = {{0.553, 10.578, 0.606, 11.669},
                             {0.8, 20.0, 0.4, 5.0},
                             {0.5, 2000.0, 0.3, 1.0},
                             {0.3, 1.0, 0.8, 900.0}};
  const std::vector<double> xs = {1e4, 1e4, 1e4, 1e4, 5e3, 1e4};
  const std::vector<double> txs = {1.0, 100.0, 9999.0, 1e4, 2.0, 1e4 - 1e-6};
  const std::vector<double> Ts = {1e4, 1e4, 1e4, 1e4, 1e4, 1e4};
  const std::size_t n = xs.size();
  for (const pnbd::Params& p : ps) {
    Data d;
    for (std::size_t i = 0; i < n; ++i) d.add(xs[i], txs[i], Ts[i]);
    const pnbd::LogLik ll = pnbd::log_likelihood(log_of(p.r, p.alpha, p.s, p.beta), d.view(), 2);
    EXPECT_TRUE(std::isfinite(ll.value));
    EXPECT_TRUE(ll.gradient.allFinite());
    EXPECT_TRUE(ll.hessian.allFinite());
    std::vector<double> zero(n, 0.0), ten(n, 10.0), pa(n), pa10(n), ce(n);
    pnbd::probability_alive(p, xs.data(), txs.data(), Ts.data(), zero.data(), pa.data(), n);
    pnbd::probability_alive(p, xs.data(), txs.data(), Ts.data(), ten.data(), pa10.data(), n);
    pnbd::conditional_expected_purchases(p, ten.data(), xs.data(), txs.data(), Ts.data(), ce.data(),
                                         n);
    for (std::size_t i = 0; i < n; ++i) {
      EXPECT_GE(pa[i], 0.0);
      EXPECT_LE(pa[i], 1.0);
      EXPECT_LE(pa10[i], pa[i]);
      EXPECT_TRUE(std::isfinite(ce[i]) && ce[i] >= 0);
    }
  }
  // A buyer who just bought, after 10^4 purchases, is alive; one silent for
  // almost all of the 10^4 weeks is not.
  const pnbd::Params p{0.553, 10.578, 0.606, 11.669};
  double pa = 0;
  const double x = 1e4, recent = 1e4, old = 1.0, T = 1e4, zero = 0;
  pnbd::probability_alive(p, &x, &recent, &T, &zero, &pa, 1);
  EXPECT_DOUBLE_EQ(pa, 1.0);
  pnbd::probability_alive(p, &x, &old, &T, &zero, &pa, 1);
  EXPECT_LT(pa, 1e-100);
}

TEST(ParetoNbd, ProbabilityOfPurchasesSumsToOne) {
  const pnbd::Params ps[] = {
      {0.553, 10.578, 0.606, 11.669}, {2.0, 3.0, 1.0, 8.0}, {0.8, 20.0, 3.0, 5.0}};
  for (const pnbd::Params& p : ps) {
    for (double t : {0.5, 10.0, 39.0}) {
      // sum_n P(X(t)=n) = 1 and sum_n n P(X(t)=n) = E[X(t)]
      std::vector<double> ts(3000, t), ns(3000), pr(3000);
      for (int k = 0; k < 3000; ++k) ns[k] = k;
      pnbd::probability_of_n_purchases(p, ts.data(), ns.data(), pr.data(), ts.size());
      double total = 0, mean = 0, e = 0;
      for (int k = 0; k < 3000; ++k) {
        total += pr[k];
        mean += k * pr[k];
      }
      pnbd::expected_purchases(p, &t, &e, 1);
      EXPECT_NEAR(total, 1.0, 1e-12);
      EXPECT_NEAR(mean, e, 1e-10 * e);
    }
  }
}

TEST(ParetoNbd, ExpectationsAtSpecialCases) {
  const pnbd::Params p{0.553, 10.578, 1.0, 11.669};  // s == 1: logarithmic limit
  const double t = 39, zero = 0;
  double e = 0;
  pnbd::expected_purchases(p, &t, &e, 1);
  EXPECT_NEAR(e, p.r * p.beta / p.alpha * std::log1p(t / p.beta), 1e-12);
  pnbd::expected_purchases(p, &zero, &e, 1);
  EXPECT_EQ(e, 0.0);
  // A customer just acquired (x = t_x = T = 0) is alive and expects E[X(t)].
  double ce = 0, pa = 0;
  pnbd::conditional_expected_purchases(p, &t, &zero, &zero, &zero, &ce, 1);
  pnbd::expected_purchases(p, &t, &e, 1);
  EXPECT_NEAR(ce, e, 1e-12);
  pnbd::probability_alive(p, &zero, &zero, &zero, &zero, &pa, 1);
  EXPECT_DOUBLE_EQ(pa, 1.0);
}

TEST(ParetoNbd, RejectsBadInput) {
  const pnbd::Params bad{0.5, -1.0, 0.5, 1.0};
  EXPECT_THROW(pnbd::log_likelihood_one(bad, 1, 1, 2), std::invalid_argument);
  EXPECT_THROW(pnbd::log_likelihood_one({0.5, 1, 0.5, 1}, 1, 3, 2), std::invalid_argument);
}

// Values from lifetimes 0.11.3 (ParetoNBDFitter, scipy's hyp2f1), an
// independent implementation of the same formulas.
TEST(ParetoNbd, MatchesLifetimesReferenceValues) {
  Data d = load_cdnow();
  const pnbd::LogLik ll = pnbd::log_likelihood(log_of(0.8, 20, 0.4, 5), d.view(), 0);
  EXPECT_NEAR(ll.value, -9645.249303954577, 1e-8);
  struct Case {
    pnbd::Params p;
    double x, t_x, T, alive, expected39, one_in_10;
  };
  const Case cases[] = {
      {{0.8, 20, 0.4, 5},
       2,
       30.43,
       38.86,
       0.8991938934363732,
       1.453232379059533,
       0.22796836394255107},
      {{0.8, 20, 0.4, 5},
       29,
       38,
       38.43,
       0.9955582425945873,
       17.23133919880975,
       0.05175021330948809},
      {{0.553, 10.578, 0.606, 11.669},
       2,
       30.43,
       38.86,
       0.8691675591530114,
       1.455123193257602,
       0.22357544210844432},
      {{0.553, 10.578, 0.606, 11.669},
       29,
       38,
       38.43,
       0.9940522123391289,
       19.408589445138183,
       0.03659803360682153},
  };
  for (const Case& c : cases) {
    const double zero = 0, t39 = 39, t10 = 10, one = 1;
    double alive = 0, e = 0, p1 = 0;
    pnbd::probability_alive(c.p, &c.x, &c.t_x, &c.T, &zero, &alive, 1);
    pnbd::conditional_expected_purchases(c.p, &t39, &c.x, &c.t_x, &c.T, &e, 1);
    pnbd::conditional_probability_of_n_purchases(c.p, &t10, &one, &c.x, &c.t_x, &c.T, &p1, 1);
    EXPECT_NEAR(alive, c.alive, 1e-11);
    EXPECT_NEAR(e, c.expected39, 1e-10 * c.expected39);
    EXPECT_NEAR(p1, c.one_in_10, 1e-10);
  }
  const pnbd::Params p{0.553, 10.578, 0.606, 11.669};
  const double t = 39, two = 2;
  double e = 0, p2 = 0;
  pnbd::expected_purchases(p, &t, &e, 1);
  pnbd::probability_of_n_purchases(p, &t, &two, &p2, 1);
  EXPECT_NEAR(e, 1.2130028442810157, 1e-12);
  EXPECT_NEAR(p2, 0.08248718411631654, 1e-12);
}

// lifetimes' P(X(t)=n) subtracts nearly equal terms; the quadrature here does
// not. Reference from a 40-digit mpmath integration of the same expression.
TEST(ParetoNbd, SmallProbabilitiesKeepTheirDigits) {
  const pnbd::Params p{0.5, 60, 0.3, 1};
  const double t = 1, n = 10;
  double pn = 0;
  pnbd::probability_of_n_purchases(p, &t, &n, &pn, 1);
  EXPECT_NEAR(pn, 2.0189572752067928e-19, 1e-13 * 2.0189572752067928e-19);
}

// Tiny r and s make the integrand decay slowly: the quadrature runs far out
// in its log variable, where e^y overflows unless it stays in log space.
TEST(ParetoNbd, SlowlyDecayingIntegrandStaysFinite) {
  const pnbd::Params p{0.00495108, 132.716193, 0.00650910541, 0.929020596};
  for (double t : {0.0, 0.001, 1.0, 30.0}) {
    const double series = pnbd::log_tail_integral(p, 0, t, 0);
    EXPECT_NEAR(pnbd::log_tail_integral(p, 0, t, 1), series, 1e-12 * std::abs(series));
  }
  Data d;
  d.add(0, 0, 0.001);
  d.add(3, 10, 38);
  const pnbd::LogLik ll = pnbd::log_likelihood(log_of(p.r, p.alpha, p.s, p.beta), d.view(), 2);
  EXPECT_TRUE(std::isfinite(ll.value) && ll.gradient.allFinite() && ll.hessian.allFinite());
  check_derivatives(log_of(p.r, p.alpha, p.s, p.beta), d, 1e-6);
}

// Far out on the ridge s, beta -> infinity (dropout rates nearly equal), the
// terms s log beta and s log(beta + T) are 1e8 in size: they must cancel
// inside each customer's term, or finite differences see rounding noise.
// (Intermediate terms of size s still limit the gradient to ~1e-16 s absolute,
// hence the wider step at s = 3.8e6.)
TEST(ParetoNbd, LargeShapeAndScaleStaySmooth) {
  Data d = mixed_customers();
  check_derivatives(log_of(0.9935, 20.02, 3.8e6, 1.51e8), d, 1e-5, 1e-4);  // quadrature
  check_derivatives(log_of(0.9935, 20.02, 3.8e3, 1.51e5), d, 1e-6);
  check_derivatives(log_of(0.7, 2.0e5, 2.0, 1.0e2), d, 1e-6);  // alpha > beta, quadrature
  const pnbd::Params p{0.9935, 20.02, 3.8e6, 1.51e8};
  const double a = pnbd::log_likelihood_one(p, 2, 10, 38);
  const double b = pnbd::log_likelihood_one({p.r, p.alpha, p.s * (1 + 1e-12), p.beta}, 2, 10, 38);
  EXPECT_LT(std::abs(a - b), 1e-9);
}
