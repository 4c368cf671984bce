// Shared pieces of the customer-base models: compressed data, the objective
// type, special functions and the chain rule to log parameters.
#pragma once

#include <Eigen/Dense>
#include <cstddef>
#include <cstdint>
#include <vector>

#include "kamkit/common.hpp"

namespace kamkit::models {

using Vec = Eigen::Ref<const Eigen::VectorXd>;

/// Distinct (x, t_x, T) rows with summed weights, plus the distinct x values.
/// Rows are ordered by x, then t_x, then T.
struct RfmData {
  std::vector<double> x, t_x, T, weight;  // one entry per distinct row
  std::vector<std::int32_t> x_index;      // row -> index into distinct_x
  std::vector<double> distinct_x;         // sorted distinct frequencies
  std::vector<double> weight_of_x;        // summed weight per distinct x
  std::vector<std::int32_t> t_x_index;    // row -> index into distinct_t_x
  std::vector<double> distinct_t_x;       // sorted distinct recencies
  std::vector<std::int32_t> T_index;      // row -> index into distinct_T
  std::vector<double> distinct_T;         // sorted distinct ages
  double total_weight = 0;                // sum of all weights
  std::size_t n_input = 0;                // rows before compression
  std::size_t size() const { return x.size(); }
};

/// Compresses identical (x, t_x, T) rows. `weight` may be nullptr (all 1).
/// Throws std::invalid_argument unless every value is finite, x is a
/// non-negative integer, 0 <= t_x <= T, weights are >= 0 and some weight is > 0.
RfmData compress_rfm(const double* x, const double* t_x, const double* T, const double* weight,
                     std::size_t n);

/// Distinct (x, m) rows of the spend model (x > 0 and m > 0 only).
struct SpendData {
  std::vector<double> x, m, weight;
  std::vector<std::int32_t> x_index;
  std::vector<double> distinct_x;
  std::vector<double> weight_of_x;
  double total_weight = 0;
  std::size_t n_input = 0;
  std::size_t size() const { return x.size(); }
};

/// Compresses identical (x, m) rows; every x must be a positive integer and
/// every m positive (the Python layer applies the exclusion policy first).
SpendData compress_spend(const double* x, const double* m, const double* weight, std::size_t n);

/// Distinct rows of a few columns of doubles (values compared exactly, -0
/// equal to +0), found without comparison sorting: each column is coded
/// (value - min when its values are whole numbers in a small range, else by
/// hashing), the codes are packed with the row number into one 64-bit word
/// and the words radix-sorted.
struct DistinctRows {
  std::vector<std::int32_t> code;                // input row -> distinct row, -1 if left out
                                                 // (only when asked for)
  std::vector<std::int64_t> count;               // distinct row -> number of input rows
  std::vector<std::vector<double>> value;        // per column: distinct row -> value
  std::vector<std::vector<double>> levels;       // per column: sorted distinct values
  std::vector<std::vector<std::int32_t>> level;  // per column: distinct row -> index
                                                 // into levels
  std::size_t size() const { return count.size(); }
};

/// Distinct rows of `columns` (each of length n, finite values); rows with
/// keep[i] == 0 are left out (`keep` may be nullptr). Distinct rows come in
/// lexicographic order of the columns' values. `row_codes` asks for `code`.
DistinctRows distinct_rows(const std::vector<const double*>& columns, std::size_t n,
                           const std::uint8_t* keep, bool row_codes);

/// f(v_0, ..., v_{k-1}) of every row of the columns (each of length n), computed
/// once per distinct row, in parallel, and scattered back to the rows. The
/// predictions' costly terms (hypergeometric functions, quadratures) depend on
/// a few columns only, and customers share them. F: double(const double* v),
/// v[j] the row's value in column j.
template <class F>
std::vector<double> per_distinct_row(const std::vector<const double*>& columns, std::size_t n,
                                     F f) {
  const std::size_t k = columns.size();
  std::vector<double> out(n);
  if (n < 256) {  // too few rows for the grouping to pay off
    std::vector<double> v(k);
    for (std::size_t i = 0; i < n; ++i) {
      for (std::size_t j = 0; j < k; ++j) v[j] = columns[j][i];
      out[i] = f(v.data());
    }
    return out;
  }
  const DistinctRows dr = distinct_rows(columns, n, nullptr, true);
  const auto nd = static_cast<std::ptrdiff_t>(dr.size());
  std::vector<double> g(static_cast<std::size_t>(nd));
#ifdef KAMKIT_HAVE_OPENMP
#pragma omp parallel num_threads(kamkit::max_threads()) if (nd > 256)
#endif
  {
    std::vector<double> v(k);
#ifdef KAMKIT_HAVE_OPENMP
#pragma omp for schedule(dynamic, 256)
#endif
    for (std::ptrdiff_t r = 0; r < nd; ++r) {
      for (std::size_t j = 0; j < k; ++j) v[j] = dr.value[j][r];
      g[r] = f(v.data());
    }
  }
  const auto m = static_cast<std::ptrdiff_t>(n);
#ifdef KAMKIT_HAVE_OPENMP
#pragma omp parallel for num_threads(kamkit::max_threads()) if (m > kParallelThreshold)
#endif
  for (std::ptrdiff_t i = 0; i < m; ++i) out[i] = g[dr.code[i]];
  return out;
}

/// True when every (x, t_x, T) row is a valid summary: finite, x a
/// non-negative whole number, 0 <= t_x <= T, t_x = 0 where x = 0, and with
/// `discrete` also t_x and T whole numbers and x <= t_x. One parallel pass;
/// callers look for the rows at fault only when it is false.
bool rfm_is_valid(const double* x, const double* t_x, const double* T, std::size_t n,
                  bool discrete);

/// Total weighted log-likelihood and its derivatives in log-parameter space.
struct Objective {
  double value = 0;          // total weighted log-likelihood (not negated, not averaged)
  Eigen::VectorXd gradient;  // d value / d log(param); empty if order < 1
  Eigen::MatrixXd hessian;   // d2 value / d log(param)^2; empty if order < 2
};

/// Chain rule from natural parameters p to theta = log p: g <- p*g,
/// H <- diag(p) H diag(p) + diag(p*g_natural). Call with natural g and H.
void to_log_space(const Eigen::VectorXd& p, Eigen::VectorXd& g, Eigen::MatrixXd& H);

// ------------------------------------------------------- special functions
/// Digamma psi(x) for x > 0.
double digamma(double x);
/// Trigamma psi'(x) for x > 0.
double trigamma(double x);
/// log B(a, b) for a, b > 0.
double lbeta(double a, double b);
/// log of 2F1(a, b; c; z) for 0 <= z < 1 when the value is positive (the
/// cases of the models). Sums the power series of the original or the Euler
/// transform, whichever converges faster, with a running scale (no overflow).
double log_hyp2f1(double a, double b, double c, double z);
/// Gauss-Legendre nodes and weights on [-1, 1].
struct GaussRule {
  std::vector<double> nodes, weights;
};
/// The 24-point rule (computed once).
const GaussRule& gauss_legendre_24();

/// log(exp(a) + exp(b)).
double log_add_exp(double a, double b);

}  // namespace kamkit::models
