// Shared pieces of the customer-base models.
#include "kamkit/models/common.hpp"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <string>

#include "kamkit/common.hpp"

namespace kamkit::models {

namespace {

std::uint64_t bits_of(double v) {
  if (v == 0.0) v = 0.0;  // -0 and +0 are the same row
  std::uint64_t b;
  std::memcpy(&b, &v, sizeof b);
  return b;
}

std::uint64_t mix(std::uint64_t h) {
  h ^= h >> 33;
  h *= 0xff51afd7ed558ccdULL;
  h ^= h >> 33;
  h *= 0xc4ceb9fe1a85ec53ULL;
  h ^= h >> 33;
  return h;
}

/// Open-addressing table from a row's key to its distinct-row number.
class RowTable {
 public:
  explicit RowTable(std::size_t n) {
    std::size_t cap = 16;
    while (cap < 2 * n + 16) cap <<= 1;
    slots_.assign(cap, -1);
    mask_ = cap - 1;
  }
  /// Returns the slot for the key; `found` tells whether it holds it.
  template <class Equal>
  std::size_t find(std::uint64_t hash, Equal equal, bool& found) const {
    std::size_t i = static_cast<std::size_t>(hash) & mask_;
    while (slots_[i] >= 0) {
      if (equal(slots_[i])) {
        found = true;
        return i;
      }
      i = (i + 1) & mask_;
    }
    found = false;
    return i;
  }
  std::int64_t& at(std::size_t slot) { return slots_[slot]; }

 private:
  std::vector<std::int64_t> slots_;
  std::size_t mask_ = 0;
};

template <class Data>
void index_distinct_x(Data& d) {
  d.distinct_x = d.x;
  std::sort(d.distinct_x.begin(), d.distinct_x.end());
  d.distinct_x.erase(std::unique(d.distinct_x.begin(), d.distinct_x.end()), d.distinct_x.end());
  d.x_index.resize(d.x.size());
  d.weight_of_x.assign(d.distinct_x.size(), 0.0);
  for (std::size_t i = 0; i < d.x.size(); ++i) {
    const auto it = std::lower_bound(d.distinct_x.begin(), d.distinct_x.end(), d.x[i]);
    const auto k = static_cast<std::int32_t>(it - d.distinct_x.begin());
    d.x_index[i] = k;
    d.weight_of_x[k] += d.weight[i];
  }
}

std::string row_text(std::size_t i) { return "row " + std::to_string(i); }

}  // namespace

RfmData compress_rfm(const double* x, const double* t_x, const double* T, const double* weight,
                     std::size_t n) {
  require(n > 0, "models: no customers (empty frequency/recency/T)");
  for (std::size_t i = 0; i < n; ++i) {
    const double w = weight ? weight[i] : 1.0;
    require(std::isfinite(x[i]) && std::isfinite(t_x[i]) && std::isfinite(T[i]) && std::isfinite(w),
            "models: frequency, recency, T and weights must be finite (" + row_text(i) + ")");
    require(x[i] >= 0 && x[i] == std::floor(x[i]),
            "models: frequency must be a non-negative integer (" + row_text(i) + ")");
    require(t_x[i] >= 0 && t_x[i] <= T[i],
            "models: recency must lie in [0, T] (" + row_text(i) + ")");
    require(w >= 0, "models: weights must be >= 0 (" + row_text(i) + ")");
  }
  RfmData d;
  d.n_input = n;
  d.x.reserve(n);
  d.t_x.reserve(n);
  d.T.reserve(n);
  d.weight.reserve(n);
  RowTable table(n);
  for (std::size_t i = 0; i < n; ++i) {
    const double w = weight ? weight[i] : 1.0;
    if (w == 0) continue;
    const std::uint64_t h = mix(bits_of(x[i]) ^ mix(bits_of(t_x[i]) ^ mix(bits_of(T[i]))));
    bool found = false;
    const std::size_t slot = table.find(
        h, [&](std::int64_t r) { return d.x[r] == x[i] && d.t_x[r] == t_x[i] && d.T[r] == T[i]; },
        found);
    if (found) {
      d.weight[table.at(slot)] += w;
    } else {
      table.at(slot) = static_cast<std::int64_t>(d.x.size());
      d.x.push_back(x[i]);
      d.t_x.push_back(t_x[i]);
      d.T.push_back(T[i]);
      d.weight.push_back(w);
    }
    d.total_weight += w;
  }
  require(d.total_weight > 0, "models: all weights are zero");
  index_distinct_x(d);
  return d;
}

SpendData compress_spend(const double* x, const double* m, const double* weight, std::size_t n) {
  require(n > 0, "gamma-gamma: no customers with repeat purchases and positive spend");
  for (std::size_t i = 0; i < n; ++i) {
    const double w = weight ? weight[i] : 1.0;
    require(
        std::isfinite(x[i]) && std::isfinite(m[i]) && std::isfinite(w),
        "gamma-gamma: frequency, monetary value and weights must be finite (" + row_text(i) + ")");
    require(x[i] > 0 && x[i] == std::floor(x[i]),
            "gamma-gamma: frequency must be a positive integer (" + row_text(i) + ")");
    require(m[i] > 0, "gamma-gamma: monetary value must be > 0 (" + row_text(i) + ")");
    require(w >= 0, "gamma-gamma: weights must be >= 0 (" + row_text(i) + ")");
  }
  SpendData d;
  d.n_input = n;
  RowTable table(n);
  for (std::size_t i = 0; i < n; ++i) {
    const double w = weight ? weight[i] : 1.0;
    if (w == 0) continue;
    const std::uint64_t h = mix(bits_of(x[i]) ^ mix(bits_of(m[i])));
    bool found = false;
    const std::size_t slot =
        table.find(h, [&](std::int64_t r) { return d.x[r] == x[i] && d.m[r] == m[i]; }, found);
    if (found) {
      d.weight[table.at(slot)] += w;
    } else {
      table.at(slot) = static_cast<std::int64_t>(d.x.size());
      d.x.push_back(x[i]);
      d.m.push_back(m[i]);
      d.weight.push_back(w);
    }
    d.total_weight += w;
  }
  require(d.total_weight > 0, "gamma-gamma: all weights are zero");
  index_distinct_x(d);
  return d;
}

void to_log_space(const Eigen::VectorXd& p, Eigen::VectorXd& g, Eigen::MatrixXd& H) {
  if (H.size() > 0) {
    H = p.asDiagonal() * H * p.asDiagonal();
    H.diagonal() += p.cwiseProduct(g);
  }
  if (g.size() > 0) g = p.cwiseProduct(g);
}

double digamma(double x) {
  double result = 0.0;
  while (x < 10.0) {
    result -= 1.0 / x;
    x += 1.0;
  }
  const double f = 1.0 / (x * x);
  const double series =
      f * (-1.0 / 12 + f * (1.0 / 120 + f * (-1.0 / 252 + f * (1.0 / 240 + f * (-1.0 / 132)))));
  return result + std::log(x) - 0.5 / x + series;
}

double trigamma(double x) {
  double result = 0.0;
  while (x < 10.0) {
    result += 1.0 / (x * x);
    x += 1.0;
  }
  const double f = 1.0 / (x * x);
  const double series =
      1.0 / x + 0.5 * f +
      (1.0 / x) * f * (1.0 / 6 + f * (-1.0 / 30 + f * (1.0 / 42 + f * (-1.0 / 30 + f * 5.0 / 66))));
  return result + series;
}

double lbeta(double a, double b) { return std::lgamma(a) + std::lgamma(b) - std::lgamma(a + b); }

double log_add_exp(double a, double b) {
  if (a == -std::numeric_limits<double>::infinity()) return b;
  if (b == -std::numeric_limits<double>::infinity()) return a;
  const double m = std::max(a, b);
  return m + std::log1p(std::exp(-std::fabs(a - b)));
}

double log_hyp2f1(double a, double b, double c, double z) {
  if (z == 0.0) return 0.0;
  double prefix = 0.0;
  if (c - a - b < 0.0) {
    // Euler: 2F1(a,b;c;z) = (1-z)^(c-a-b) 2F1(c-a, c-b; c; z); its series
    // decays like k^(a+b-c-1) z^k instead of k^(c-a-b-1) z^k.
    prefix = (c - a - b) * std::log1p(-z);
    const double a2 = c - a, b2 = c - b;
    a = a2;
    b = b2;
  }
  constexpr double kBig = 1e250;
  const double log_big = std::log(kBig);
  double sum = 1.0, term = 1.0, scale = 0.0;
  for (long k = 0; k < 4000000; ++k) {
    const double kk = static_cast<double>(k);
    term *= (a + kk) * (b + kk) / ((c + kk) * (kk + 1.0)) * z;
    sum += term;
    if (term == 0.0) break;
    if (std::fabs(sum) > kBig) {
      sum /= kBig;
      term /= kBig;
      scale += log_big;
    }
    const double next = std::fabs((a + kk + 1) * (b + kk + 1) / ((c + kk + 1) * (kk + 2)) * z);
    if (next < 1.0 && std::fabs(term) <= 1e-17 * std::fabs(sum)) break;
  }
  if (!(sum > 0.0)) return std::numeric_limits<double>::quiet_NaN();
  return prefix + scale + std::log(sum);
}

const GaussRule& gauss_legendre_24() {
  static const GaussRule rule = [] {
    const int n = 24;
    GaussRule r;
    r.nodes.resize(n);
    r.weights.resize(n);
    const double pi = 3.14159265358979323846;
    for (int i = 0; i < n; ++i) {
      double x = std::cos(pi * (i + 0.75) / (n + 0.5));
      double dp = 1.0;
      for (int it = 0; it < 100; ++it) {
        double p0 = 1.0, p1 = x;
        for (int k = 2; k <= n; ++k) {
          const double p2 = ((2.0 * k - 1.0) * x * p1 - (k - 1.0) * p0) / k;
          p0 = p1;
          p1 = p2;
        }
        dp = n * (x * p1 - p0) / (x * x - 1.0);
        const double dx = p1 / dp;
        x -= dx;
        if (std::fabs(dx) < 1e-16) break;
      }
      r.nodes[i] = x;
      r.weights[i] = 2.0 / ((1.0 - x * x) * dp * dp);
    }
    return r;
  }();
  return rule;
}

}  // namespace kamkit::models
