#include "kamkit/cluster.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>
#include <random>
#include <string>

#include <Eigen/Core>

#include "kamkit/common.hpp"

namespace kamkit {
namespace {

using RowMatrix = Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
using ConstMap = Eigen::Map<const RowMatrix>;

inline int thread_id() {
#ifdef KAMKIT_HAVE_OPENMP
  return omp_get_thread_num();
#else
  return 0;
#endif
}

inline double sqdist(const double* a, const double* b, std::size_t d) {
  double s = 0.0;
  for (std::size_t j = 0; j < d; ++j) {
    const double t = a[j] - b[j];
    s += t * t;
  }
  return s;
}

// Nearest center of point x among k centers (row-major k x d).
inline std::int32_t nearest(const double* x, const double* C, std::size_t k, std::size_t d,
                            double& best) {
  std::int32_t arg = 0;
  best = sqdist(x, C, d);
  for (std::size_t c = 1; c < k; ++c) {
    const double v = sqdist(x, C + c * d, d);
    if (v < best) {
      best = v;
      arg = static_cast<std::int32_t>(c);
    }
  }
  return arg;
}

struct Run {
  RowMatrix centers;
  std::vector<std::int32_t> labels;
  double inertia = 0.0;
  int n_iter = 0;
};

// Greedy k-means++ seeding.
RowMatrix seed_plus_plus(const ConstMap& X, std::size_t k, std::mt19937_64& rng) {
  const std::size_t n = static_cast<std::size_t>(X.rows()), d = static_cast<std::size_t>(X.cols());
  const auto m = static_cast<std::ptrdiff_t>(n);
  const int trials = 2 + static_cast<int>(std::log(static_cast<double>(k)));
  RowMatrix C(k, d);
  std::uniform_int_distribution<std::size_t> pick(0, n - 1);
  std::uniform_real_distribution<double> unif(0.0, 1.0);
  C.row(0) = X.row(static_cast<Eigen::Index>(pick(rng)));
  std::vector<double> closest(n), cum(n), cand_d(n);
  double pot = 0.0;
  const double* data = X.data();
#pragma omp parallel for reduction(+ : pot) if (m > kParallelThreshold)
  for (std::ptrdiff_t i = 0; i < m; ++i) {
    closest[i] = sqdist(data + i * d, C.data(), d);
    pot += closest[i];
  }
  std::vector<double> cand(d);
  for (std::size_t c = 1; c < k; ++c) {
    std::partial_sum(closest.begin(), closest.end(), cum.begin());
    double best_pot = std::numeric_limits<double>::infinity();
    std::size_t best_i = 0;
    for (int t = 0; t < trials; ++t) {
      const double r = unif(rng) * cum[n - 1];
      std::size_t ci = std::upper_bound(cum.begin(), cum.end(), r) - cum.begin();
      ci = std::min(ci, n - 1);
      const double* cp = data + ci * d;
      double p = 0.0;
#pragma omp parallel for reduction(+ : p) if (m > kParallelThreshold)
      for (std::ptrdiff_t i = 0; i < m; ++i) p += std::min(closest[i], sqdist(data + i * d, cp, d));
      if (p < best_pot) {
        best_pot = p;
        best_i = ci;
      }
    }
    C.row(static_cast<Eigen::Index>(c)) = X.row(static_cast<Eigen::Index>(best_i));
    const double* cp = data + best_i * d;
#pragma omp parallel for if (m > kParallelThreshold)
    for (std::ptrdiff_t i = 0; i < m; ++i)
      closest[i] = std::min(closest[i], sqdist(data + i * d, cp, d));
    pot = best_pot;
  }
  return C;
}

// One E-step: labels and distances to the nearest of the centers `C`; the
// per-cluster sums and counts of the assignment; returns the inertia and
// the number of labels that changed.
struct EStep {
  double inertia = 0.0;
  std::size_t changed = 0;
};

EStep assign(const ConstMap& X, const RowMatrix& C, std::vector<std::int32_t>& labels,
             std::vector<double>& dist, RowMatrix* sums, std::vector<double>* counts) {
  const std::size_t n = static_cast<std::size_t>(X.rows()), d = static_cast<std::size_t>(X.cols());
  const std::size_t k = static_cast<std::size_t>(C.rows());
  const auto m = static_cast<std::ptrdiff_t>(n);
  const int threads = m > kParallelThreshold ? max_threads() : 1;
  std::vector<RowMatrix> tsums(static_cast<std::size_t>(threads), RowMatrix::Zero(k, d));
  std::vector<std::vector<double>> tcounts(static_cast<std::size_t>(threads),
                                           std::vector<double>(k, 0.0));
  double inertia = 0.0;
  std::ptrdiff_t changed = 0;
  const double* data = X.data();
  const double* cd = C.data();
  const bool accumulate = sums != nullptr;
#pragma omp parallel num_threads(threads) reduction(+ : inertia, changed)
  {
    const int t = thread_id();
    double* ts = tsums[static_cast<std::size_t>(t)].data();
    double* tc = tcounts[static_cast<std::size_t>(t)].data();
#pragma omp for schedule(static)
    for (std::ptrdiff_t i = 0; i < m; ++i) {
      double best;
      const double* x = data + i * d;
      const std::int32_t a = nearest(x, cd, k, d, best);
      changed += (labels[i] != a) ? 1 : 0;
      labels[i] = a;
      dist[i] = best;
      inertia += best;
      if (accumulate) {
        double* s = ts + static_cast<std::size_t>(a) * d;
        for (std::size_t j = 0; j < d; ++j) s[j] += x[j];
        tc[a] += 1.0;
      }
    }
  }
  if (accumulate) {
    sums->setZero(k, d);
    counts->assign(k, 0.0);
    for (int t = 0; t < threads; ++t) {
      *sums += tsums[static_cast<std::size_t>(t)];
      for (std::size_t c = 0; c < k; ++c) (*counts)[c] += tcounts[static_cast<std::size_t>(t)][c];
    }
  }
  return {inertia, static_cast<std::size_t>(changed)};
}

Run lloyd(const ConstMap& X, RowMatrix C, int max_iter, double tol_abs) {
  const std::size_t n = static_cast<std::size_t>(X.rows()), d = static_cast<std::size_t>(X.cols());
  const std::size_t k = static_cast<std::size_t>(C.rows());
  Run r;
  r.labels.assign(n, -1);
  std::vector<double> dist(n);
  RowMatrix sums(k, d);
  std::vector<double> counts(k);
  int it = 0;
  for (; it < max_iter; ++it) {
    const EStep e = assign(X, C, r.labels, dist, &sums, &counts);
    if (e.changed == 0 && it > 0) {
      break;  // nothing moved: the centers are already the means of their points
    }
    // Empty clusters take the points farthest from their centers.
    std::vector<std::size_t> empty;
    for (std::size_t c = 0; c < k; ++c)
      if (counts[c] == 0.0) empty.push_back(c);
    if (!empty.empty()) {
      std::vector<std::size_t> far(n);
      std::iota(far.begin(), far.end(), 0);
      const std::size_t take = std::min(empty.size(), n);
      std::partial_sort(far.begin(), far.begin() + static_cast<std::ptrdiff_t>(take), far.end(),
                        [&](std::size_t a, std::size_t b) { return dist[a] > dist[b]; });
      for (std::size_t e2 = 0; e2 < take; ++e2) {
        const std::size_t i = far[e2], c = empty[e2];
        const auto old = static_cast<std::size_t>(r.labels[i]);
        if (counts[old] > 1.0) {
          sums.row(static_cast<Eigen::Index>(old)) -= X.row(static_cast<Eigen::Index>(i));
          counts[old] -= 1.0;
        }
        sums.row(static_cast<Eigen::Index>(c)) = X.row(static_cast<Eigen::Index>(i));
        counts[c] = 1.0;
      }
    }
    RowMatrix next = C;
    for (std::size_t c = 0; c < k; ++c)
      if (counts[c] > 0.0)
        next.row(static_cast<Eigen::Index>(c)) = sums.row(static_cast<Eigen::Index>(c)) / counts[c];
    const double shift = (next - C).squaredNorm();
    C.swap(next);
    if (shift <= tol_abs) {
      ++it;
      break;
    }
  }
  if (it > max_iter) it = max_iter;
  // Labels and inertia of the final centers.
  const EStep last = assign(X, C, r.labels, dist, nullptr, nullptr);
  r.inertia = last.inertia;
  r.centers = std::move(C);
  r.n_iter = std::max(it, 1);
  return r;
}

}  // namespace

KMeansResult kmeans(const double* X, std::size_t n, std::size_t d, const KMeansOptions& o) {
  require(o.k >= 1, "kmeans: k must be at least 1");
  require(static_cast<std::size_t>(o.k) <= n,
          "kmeans: k = " + std::to_string(o.k) + " exceeds the " + std::to_string(n) + " points");
  require(d >= 1, "kmeans: no features");
  require(o.n_init >= 1 && o.max_iter >= 1, "kmeans: n_init and max_iter must be at least 1");
  require(o.tol >= 0.0, "kmeans: tol must be non-negative");
  const ConstMap M(X, static_cast<Eigen::Index>(n), static_cast<Eigen::Index>(d));
  require(M.allFinite(), "kmeans: features must be finite");
  // Absolute tolerance: tol times the mean per-feature variance.
  const Eigen::RowVectorXd mean = M.colwise().mean();
  const double var = (M.rowwise() - mean).array().square().colwise().sum().sum() /
                     (static_cast<double>(n) * static_cast<double>(d));
  const double tol_abs = o.tol * var;
  std::mt19937_64 rng(o.seed);
  Run best;
  best.inertia = std::numeric_limits<double>::infinity();
  for (int r = 0; r < o.n_init; ++r) {
    RowMatrix C = seed_plus_plus(M, static_cast<std::size_t>(o.k), rng);
    Run run = lloyd(M, std::move(C), o.max_iter, tol_abs);
    if (run.inertia < best.inertia) best = std::move(run);
  }
  KMeansResult out;
  out.centers.assign(best.centers.data(), best.centers.data() + best.centers.size());
  out.labels = std::move(best.labels);
  out.inertia = best.inertia;
  out.n_iter = best.n_iter;
  return out;
}

void standardize(const double* X, std::size_t n, std::size_t d, double* out, double* mean,
                 double* scale) {
  require(n >= 1, "standardize: no rows");
  const ConstMap M(X, static_cast<Eigen::Index>(n), static_cast<Eigen::Index>(d));
  require(M.allFinite(), "standardize: features must be finite");
  for (std::size_t j = 0; j < d; ++j) {
    const auto col = M.col(static_cast<Eigen::Index>(j));
    const double mu = col.mean();
    const double sd = std::sqrt((col.array() - mu).square().mean());
    mean[j] = mu;
    scale[j] = sd > 0.0 ? sd : 1.0;
  }
  const auto m = static_cast<std::ptrdiff_t>(n);
#pragma omp parallel for if (m > kParallelThreshold)
  for (std::ptrdiff_t i = 0; i < m; ++i)
    for (std::size_t j = 0; j < d; ++j) out[i * d + j] = (X[i * d + j] - mean[j]) / scale[j];
}

}  // namespace kamkit
