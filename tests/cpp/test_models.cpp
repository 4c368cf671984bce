// Tests of the customer-base models: derivatives against finite differences,
// compression, special functions and heavy buyers.
#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <random>
#include <stdexcept>
#include <vector>

#include "kamkit/models.hpp"

namespace km = kamkit::models;

namespace {

struct Rows {
  std::vector<double> x, t_x, T, w;
};

Rows synthetic_rfm(int n, unsigned seed, bool heavy) {
  std::mt19937 gen(seed);
  std::uniform_real_distribution<double> u(0.0, 1.0);
  Rows r;
  for (int i = 0; i < n; ++i) {
    const double T = 20 + std::floor(20 * u(gen));
    double x = std::floor(6 * u(gen) * u(gen));
    double tx = x > 0 ? std::floor(T * u(gen)) : 0.0;
    r.x.push_back(x);
    r.t_x.push_back(tx);
    r.T.push_back(T);
    r.w.push_back(1 + std::floor(3 * u(gen)));
  }
  if (heavy) {
    r.x.push_back(1e4);
    r.t_x.push_back(9999.0);
    r.T.push_back(1e4);
    r.w.push_back(1.0);
  }
  return r;
}

template <class F>
void check_derivatives(F f, const Eigen::VectorXd& theta, double tol) {
  const km::Objective o = f(theta, 2);
  const int k = static_cast<int>(theta.size());
  ASSERT_EQ(o.gradient.size(), k);
  ASSERT_EQ(o.hessian.rows(), k);
  for (int i = 0; i < k; ++i) {
    const double h = 1e-5;
    Eigen::VectorXd tp = theta, tm = theta;
    tp[i] += h;
    tm[i] -= h;
    const km::Objective op = f(tp, 1), om = f(tm, 1);
    const double fd = (op.value - om.value) / (2 * h);
    EXPECT_NEAR(o.gradient[i], fd, tol * (1 + std::fabs(fd))) << "gradient " << i;
    for (int j = 0; j < k; ++j) {
      const double fdh = (op.gradient[j] - om.gradient[j]) / (2 * h);
      EXPECT_NEAR(o.hessian(i, j), fdh, tol * (1 + std::fabs(fdh))) << "hessian " << i << j;
    }
  }
  EXPECT_TRUE(o.hessian.isApprox(o.hessian.transpose(), 1e-12));
}

}  // namespace

TEST(ModelsSpecial, DigammaTrigamma) {
  EXPECT_NEAR(km::digamma(1.0), -0.57721566490153286, 1e-13);
  EXPECT_NEAR(km::digamma(0.5), -1.9635100260214235, 1e-13);
  EXPECT_NEAR(km::digamma(1e4), std::log(1e4) - 0.5e-4 - 1.0 / 12e8, 1e-14);
  EXPECT_NEAR(km::trigamma(1.0), M_PI * M_PI / 6, 1e-12);
  EXPECT_NEAR(km::trigamma(0.5), M_PI * M_PI / 2, 1e-12);
}

TEST(ModelsSpecial, Hyp2f1ClosedForms) {
  // 2F1(1,1;2;z) = -log(1-z)/z ; 2F1(a,b;b;z) = (1-z)^-a.
  for (double z : {0.01, 0.3, 0.7, 0.95}) {
    EXPECT_NEAR(km::log_hyp2f1(1, 1, 2, z), std::log(-std::log1p(-z) / z), 1e-12);
    EXPECT_NEAR(km::log_hyp2f1(2.5, 1.7, 1.7, z), -2.5 * std::log1p(-z), 1e-12);
  }
  // Huge parameters stay finite in log space.
  const double v = km::log_hyp2f1(1e4 + 0.24, 1e4 + 2.4, 1e4 + 2.2, 0.5);
  EXPECT_TRUE(std::isfinite(v));
  EXPECT_GT(v, 1000.0);
}

TEST(ModelsData, CompressMergesIdenticalRows) {
  const std::vector<double> x{0, 2, 2, 0, 2}, tx{0, 3, 3, 0, 4}, T{5, 5, 5, 5, 5}, w{1, 2, 3, 4, 5};
  const km::RfmData d = km::compress_rfm(x.data(), tx.data(), T.data(), w.data(), 5);
  EXPECT_EQ(d.size(), 3u);
  EXPECT_EQ(d.n_input, 5u);
  EXPECT_DOUBLE_EQ(d.total_weight, 15.0);
  ASSERT_EQ(d.distinct_x.size(), 2u);
  EXPECT_DOUBLE_EQ(d.weight_of_x[0], 5.0);
  EXPECT_DOUBLE_EQ(d.weight_of_x[1], 10.0);
  const std::vector<double> bad_tx{0, 6, 3, 0, 4};
  EXPECT_THROW(km::compress_rfm(x.data(), bad_tx.data(), T.data(), nullptr, 5),
               std::invalid_argument);
}

TEST(ModelsBetaGeo, DerivativesMatchFiniteDifferences) {
  const Rows r = synthetic_rfm(400, 1, true);
  const km::RfmData d =
      km::compress_rfm(r.x.data(), r.t_x.data(), r.T.data(), r.w.data(), r.x.size());
  Eigen::VectorXd theta(4);
  theta << std::log(0.3), std::log(5.0), std::log(0.8), std::log(2.5);
  check_derivatives(
      [&](const Eigen::VectorXd& t, int o) { return km::BetaGeo::log_likelihood(t, d, o); }, theta,
      1e-6);
  check_derivatives(
      [&](const Eigen::VectorXd& t, int o) { return km::ModifiedBetaGeo::log_likelihood(t, d, o); },
      theta, 1e-6);
}

TEST(ModelsBetaGeo, TotalEqualsSumOfRows) {
  const Rows r = synthetic_rfm(300, 2, true);
  const km::RfmData d =
      km::compress_rfm(r.x.data(), r.t_x.data(), r.T.data(), r.w.data(), r.x.size());
  Eigen::VectorXd p(4);
  p << 0.25, 4.4, 0.79, 2.4;
  const Eigen::Map<const Eigen::VectorXd> x(r.x.data(), r.x.size()), tx(r.t_x.data(), r.x.size()),
      T(r.T.data(), r.x.size()), w(r.w.data(), r.x.size());
  const double total = km::BetaGeo::log_likelihood(p.array().log(), d, 0).value;
  EXPECT_NEAR(total, km::BetaGeo::log_likelihood_rows(p, x, tx, T).dot(w), 1e-8 * std::fabs(total));
  const double total_m = km::ModifiedBetaGeo::log_likelihood(p.array().log(), d, 0).value;
  EXPECT_NEAR(total_m, km::ModifiedBetaGeo::log_likelihood_rows(p, x, tx, T).dot(w),
              1e-8 * std::fabs(total_m));
}

TEST(ModelsBetaGeo, HeavyBuyersStayFinite) {
  Eigen::VectorXd p(4);
  p << 0.243, 4.414, 0.793, 2.426;
  Eigen::VectorXd x(4), tx(4), T(4), t(4), zero = Eigen::VectorXd::Zero(4);
  x << 1e4, 1e4, 1e4, 5e3;
  tx << 1e4, 5e3, 1.0, 9e3;
  T << 1e4, 1e4, 1e4, 1e4;
  t.setConstant(52.0);
  for (int model = 0; model < 2; ++model) {
    const Eigen::VectorXd e =
        model == 0 ? km::BetaGeo::conditional_expected_purchases(p, t, x, tx, T)
                   : km::ModifiedBetaGeo::conditional_expected_purchases(p, t, x, tx, T);
    const Eigen::VectorXd pa = model == 0
                                   ? km::BetaGeo::probability_alive(p, x, tx, T, zero)
                                   : km::ModifiedBetaGeo::probability_alive(p, x, tx, T, zero);
    const Eigen::VectorXd pf = model == 0 ? km::BetaGeo::probability_alive(p, x, tx, T, t)
                                          : km::ModifiedBetaGeo::probability_alive(p, x, tx, T, t);
    for (int i = 0; i < 4; ++i) {
      EXPECT_TRUE(std::isfinite(e[i])) << i;
      EXPECT_GE(e[i], 0.0);
      EXPECT_GE(pa[i], 0.0);
      EXPECT_LE(pa[i], 1.0);
      EXPECT_LE(pf[i], pa[i]);
      EXPECT_GE(pf[i], 0.0);
    }
    // A customer buying once a time unit until now buys about once a unit.
    EXPECT_NEAR(e[0] / 52.0, 1.0, 0.01);
    EXPECT_GT(pa[0], 0.99);
    EXPECT_LT(pa[2], 1e-10);  // 10^4 purchases, then silence for 9999 units
  }
  const km::RfmData d = km::compress_rfm(x.data(), tx.data(), T.data(), nullptr, 4);
  const km::Objective o = km::BetaGeo::log_likelihood(p.array().log(), d, 2);
  EXPECT_TRUE(std::isfinite(o.value));
  EXPECT_TRUE(o.gradient.allFinite());
  EXPECT_TRUE(o.hessian.allFinite());
}

TEST(ModelsBetaGeo, PublishedPrediction) {
  // Fader, Hardie & Lee (2005): E[X(39) | x=2, t_x=30.43, T=38.86] = 1.226.
  Eigen::VectorXd p(4);
  p << 0.2426, 4.4135, 0.7929, 2.4258;
  Eigen::VectorXd t(1), x(1), tx(1), T(1);
  t << 39;
  x << 2;
  tx << 30.43;
  T << 38.86;
  EXPECT_NEAR(km::BetaGeo::conditional_expected_purchases(p, t, x, tx, T)[0], 1.226, 5e-4);
}

TEST(ModelsBetaGeo, ProbabilitiesOfCountsSumToOne) {
  Eigen::VectorXd p(4);
  p << 0.243, 4.414, 0.793, 2.426;
  const int n = 400;
  Eigen::VectorXd t = Eigen::VectorXd::Constant(n, 39.0), k(n);
  for (int i = 0; i < n; ++i) k[i] = i;
  const Eigen::VectorXd pr = km::BetaGeo::probability_of_n_purchases(p, t, k);
  EXPECT_NEAR(pr.sum(), 1.0, 1e-6);
  EXPECT_NEAR(pr.dot(k), km::BetaGeo::expected_purchases(p, t.head(1))[0], 1e-4);
  const Eigen::VectorXd pm = km::ModifiedBetaGeo::probability_of_n_purchases(p, t, k);
  EXPECT_NEAR(pm.sum(), 1.0, 1e-6);
  EXPECT_NEAR(pm.dot(k), km::ModifiedBetaGeo::expected_purchases(p, t.head(1))[0], 1e-4);
}

TEST(ModelsBetaGeoBetaBinom, DerivativesMatchFiniteDifferences) {
  // Donation-style patterns over 6 periods, with weights.
  std::vector<double> x, tx, n, w;
  for (int f = 0; f <= 6; ++f)
    for (int r = (f == 0 ? 0 : f); r <= 6; ++r) {
      if (f == 0 && r > 0) break;
      x.push_back(f);
      tx.push_back(r);
      n.push_back(6);
      w.push_back(10 + 7 * f + r);
    }
  const km::RfmData d = km::compress_rfm(x.data(), tx.data(), n.data(), w.data(), x.size());
  Eigen::VectorXd theta(4);
  theta << std::log(1.2), std::log(0.75), std::log(0.66), std::log(2.8);
  check_derivatives([&](const Eigen::VectorXd& t,
                        int o) { return km::BetaGeoBetaBinom::log_likelihood(t, d, o); },
                    theta, 1e-6);
  // Probabilities of the counts over 6 periods add up to one and match the mean.
  const Eigen::VectorXd p = theta.array().exp();
  Eigen::VectorXd six = Eigen::VectorXd::Constant(7, 6.0), k(7);
  for (int i = 0; i < 7; ++i) k[i] = i;
  const Eigen::VectorXd pr = km::BetaGeoBetaBinom::probability_of_n_purchases(p, six, k);
  EXPECT_NEAR(pr.sum(), 1.0, 1e-12);
  EXPECT_NEAR(pr.dot(k), km::BetaGeoBetaBinom::expected_purchases(p, six.head(1))[0], 1e-10);
}

TEST(ModelsBetaGeoBetaBinom, HeavyHistoriesStayFinite) {
  Eigen::VectorXd p(4);
  p << 1.204, 0.750, 0.657, 2.783;
  Eigen::VectorXd x(3), tx(3), n(3), m(3);
  x << 1e4, 5e3, 0;
  tx << 1e4, 6e3, 0;
  n << 1e4, 1e4, 1e4;
  m << 10, 10, 10;
  const Eigen::VectorXd e = km::BetaGeoBetaBinom::conditional_expected_purchases(p, m, x, tx, n);
  const Eigen::VectorXd pa = km::BetaGeoBetaBinom::probability_alive(p, x, tx, n, m);
  for (int i = 0; i < 3; ++i) {
    EXPECT_TRUE(std::isfinite(e[i]));
    EXPECT_GE(pa[i], 0.0);
    EXPECT_LE(pa[i], 1.0);
  }
  EXPECT_NEAR(e[0], 10.0, 0.2);
}

TEST(ModelsGammaGamma, DerivativesMatchFiniteDifferences) {
  std::mt19937 gen(3);
  std::gamma_distribution<double> g(3.0, 10.0);
  std::vector<double> x, m;
  for (int i = 0; i < 300; ++i) {
    x.push_back(1 + i % 7);
    m.push_back(g(gen));
  }
  x.push_back(1e4);
  m.push_back(35.0);
  const km::SpendData d = km::compress_spend(x.data(), m.data(), nullptr, x.size());
  Eigen::VectorXd theta(3);
  theta << std::log(6.25), std::log(3.74), std::log(15.44);
  check_derivatives(
      [&](const Eigen::VectorXd& t, int o) { return km::GammaGamma::log_likelihood(t, d, o); },
      theta, 1e-6);
}

TEST(ModelsGammaGamma, ExpectedSpendPolicy) {
  Eigen::VectorXd p(3);
  p << 6.25, 3.74, 15.44;
  Eigen::VectorXd x(4), m(4);
  x << 0, 2, 3, 1e4;
  m << 0, -5, 40, 40;
  const Eigen::VectorXd e = km::GammaGamma::conditional_expected_average_spend(p, x, m);
  const double mean = 15.44 * 6.25 / 2.74;
  EXPECT_DOUBLE_EQ(e[0], mean);
  EXPECT_DOUBLE_EQ(e[1], mean);
  const double w = 6.25 * 3 / (6.25 * 3 + 2.74);
  EXPECT_NEAR(e[2], (1 - w) * mean + w * 40, 1e-12);
  EXPECT_NEAR(e[3], 40.0, 0.01);
}

TEST(ModelsClv, DiscreteMatchesManualSumAndContinuousIsClose) {
  Eigen::VectorXd p(4);
  p << 0.243, 4.414, 0.793, 2.426;
  Eigen::VectorXd x(2), tx(2), T(2), m(2);
  x << 2, 1e4;
  tx << 30.43, 9999;
  T << 38.86, 1e4;
  m << 20, 20;
  const Eigen::VectorXd d =
      km::customer_lifetime_value<km::BetaGeo>(p, x, tx, T, m, 12, 0.01, 4.345, false);
  double manual = 0, prev = 0;
  for (int k = 1; k <= 12; ++k) {
    Eigen::VectorXd t(2);
    t.setConstant(k * 4.345);
    const double e = km::BetaGeo::conditional_expected_purchases(p, t, x, tx, T)[0];
    manual += 20 * (e - prev) / std::pow(1.01, k);
    prev = e;
  }
  EXPECT_NEAR(d[0], manual, 1e-10);
  EXPECT_TRUE(std::isfinite(d[1]));
  const Eigen::VectorXd c =
      km::customer_lifetime_value<km::BetaGeo>(p, x, tx, T, m, 12, 0.01, 4.345, true);
  EXPECT_NEAR(c[0] / d[0], 1.0, 0.01);  // continuous discounting within a period's rate
  EXPECT_GT(c[0], d[0]);                // and it discounts less within each period
}

TEST(ModelsData, RfmIsValidFlagsEachKindOfBadRow) {
  const double inf = std::numeric_limits<double>::infinity();
  const double nan = std::numeric_limits<double>::quiet_NaN();
  auto valid = [](double f, double r, double a, bool discrete) {
    // the row in the middle of valid rows, past the parallel threshold
    const std::size_t n = 70000, k = 40000;
    std::vector<double> x(n, 2.0), t_x(n, 5.0), T(n, 9.0);
    x[k] = f;
    t_x[k] = r;
    T[k] = a;
    return km::rfm_is_valid(x.data(), t_x.data(), T.data(), n, discrete);
  };
  EXPECT_TRUE(valid(3, 4.5, 7.25, false));
  EXPECT_TRUE(valid(0, 0, 0, false));
  EXPECT_TRUE(valid(-0.0, 0, 3, false));
  EXPECT_TRUE(valid(1e20, 4, 7, false));  // whole (every double from 2^52 up is)
  EXPECT_TRUE(valid(1e4, 1e4, 1e4, false));
  EXPECT_FALSE(valid(2.5, 4, 7, false));  // fractional frequency
  EXPECT_FALSE(valid(4503599627370495.5, 4, 7, false));
  EXPECT_FALSE(valid(-1, 4, 7, false));
  EXPECT_FALSE(valid(nan, 4, 7, false));
  EXPECT_FALSE(valid(inf, 4, 7, false));
  EXPECT_FALSE(valid(2, nan, 7, false));
  EXPECT_FALSE(valid(2, 4, nan, false));
  EXPECT_FALSE(valid(2, 4, inf, false));
  EXPECT_FALSE(valid(2, -inf, 7, false));
  EXPECT_FALSE(valid(2, -0.5, 7, false));
  EXPECT_FALSE(valid(2, 8, 7, false));  // recency above T
  EXPECT_FALSE(valid(0, 1, 7, false));  // no repeat purchase but a recency
  EXPECT_TRUE(valid(2, 4, 7, true));
  EXPECT_FALSE(valid(2, 4.5, 7, true));  // discrete: whole periods
  EXPECT_FALSE(valid(2, 4, 7.5, true));
  EXPECT_FALSE(valid(5, 4, 7, true));  // more transactions than periods
  EXPECT_TRUE(valid(2, 4.5, 7, false));
  // small inputs (one thread)
  const double x[] = {1, 2}, t_x[] = {1, 3}, T[] = {2, 3};
  EXPECT_TRUE(km::rfm_is_valid(x, t_x, T, 2, false));
  const double bad_T[] = {2, 2.5};
  EXPECT_FALSE(km::rfm_is_valid(x, t_x, bad_T, 2, false));
}
