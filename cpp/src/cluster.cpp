#include "kamkit/cluster.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>
#include <random>
#include <string>

#include <Eigen/Core>

#include "kamkit/common.hpp"

// The distance kernel is compiled for several instruction sets and the best
// one the processor has is picked at load time (GCC function multiversioning;
// the portable build otherwise stops at SSE2). Versions may differ in the
// last bit (fused multiply-add), which only matters for exact ties.
#if defined(__GNUC__) && !defined(__clang__) && defined(__x86_64__) && defined(__linux__) && \
    !defined(__AVX512F__)
#define KAMKIT_KERNEL_CLONES __attribute__((target_clones("avx512f", "avx2", "default")))
#else
#define KAMKIT_KERNEL_CLONES
#endif

namespace kamkit {
namespace {

using RowMatrix = Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
using ConstMap = Eigen::Map<const RowMatrix>;

/// Points per block: the block's transposed coordinates and running minima
/// stay in the L1 cache.
constexpr std::size_t kBlock = 256;
/// Chunks (the unit of work of a thread and of the partial sums) hold at
/// least this many points, and there are at most kMaxChunks of them. Their
/// size depends on n only, and partial results are added in chunk order, so
/// the result does not depend on the number of threads.
constexpr std::size_t kMinChunk = 16 * kBlock;
constexpr std::size_t kMaxChunks = 512;

inline double sqdist(const double* a, const double* b, std::size_t d) {
  double s = 0.0;
  for (std::size_t j = 0; j < d; ++j) {
    const double t = a[j] - b[j];
    s += t * t;
  }
  return s;
}

/// Nearest of k centers for nb <= kBlock points given by columns (feature
/// j of point i at xt[j * stride + i]), by ||c||^2 - 2 x.c (the ||x||^2 term
/// does not change the argmin). `ct` holds -2 c (row-major k x d), `cn` the
/// ||c||^2. Ties go to the lower center. Scratch: g and best (kBlock each);
/// result in arg (center numbers as doubles so that the loop vectorises).
KAMKIT_KERNEL_CLONES
void nearest_block(const double* __restrict xt, std::size_t stride, std::size_t nb, std::size_t d,
                   const double* __restrict ct, const double* __restrict cn, std::size_t k,
                   double* __restrict g, double* __restrict best, double* __restrict arg) {
  for (std::size_t c = 0; c < k; ++c) {
    const double c0 = cn[c];
    for (std::size_t i = 0; i < nb; ++i) g[i] = c0;
    for (std::size_t j = 0; j < d; ++j) {
      const double w = ct[c * d + j];
      const double* __restrict xj = xt + j * stride;
      for (std::size_t i = 0; i < nb; ++i) g[i] += w * xj[i];
    }
    if (c == 0) {
      for (std::size_t i = 0; i < nb; ++i) {
        best[i] = g[i];
        arg[i] = 0.0;
      }
    } else {
      const double cd = static_cast<double>(c);
      for (std::size_t i = 0; i < nb; ++i) {
        const bool closer = g[i] < best[i];
        best[i] = closer ? g[i] : best[i];
        arg[i] = closer ? cd : arg[i];
      }
    }
  }
}

/// Centers with at most this many clusters are summed by masks (vector
/// code, k x d passes over the block); more take a scalar scatter.
constexpr std::size_t kMaskedMaxK = 16;

/// sums (k x d) and counts (k) += the points of the block by their center
/// `arg`, summed under a mask per center in 8 lanes (a fixed order: the
/// result does not depend on the thread that runs the block).
KAMKIT_KERNEL_CLONES
void accumulate_block(const double* __restrict xt, std::size_t stride, std::size_t nb,
                      std::size_t d, std::size_t k, const double* __restrict arg,
                      double* __restrict sums, double* __restrict counts) {
  constexpr std::size_t L = 8;
  const std::size_t nv = nb / L * L;
  for (std::size_t c = 0; c < k; ++c) {
    const double cd = static_cast<double>(c);
    double cnt[L] = {};
    for (std::size_t i = 0; i < nv; i += L)
      for (std::size_t l = 0; l < L; ++l) cnt[l] += arg[i + l] == cd ? 1.0 : 0.0;
    double total = 0.0;
    for (std::size_t l = 0; l < L; ++l) total += cnt[l];
    for (std::size_t i = nv; i < nb; ++i) total += arg[i] == cd ? 1.0 : 0.0;
    if (total == 0.0) continue;
    counts[c] += total;
    for (std::size_t j = 0; j < d; ++j) {
      const double* __restrict xj = xt + j * stride;
      double acc[L] = {};
      for (std::size_t i = 0; i < nv; i += L)
        for (std::size_t l = 0; l < L; ++l) acc[l] += arg[i + l] == cd ? xj[i + l] : 0.0;
      double sum = 0.0;
      for (std::size_t l = 0; l < L; ++l) sum += acc[l];
      for (std::size_t i = nv; i < nb; ++i) sum += arg[i] == cd ? xj[i] : 0.0;
      sums[c * d + j] += sum;
    }
  }
}

/// Buffers of one k-means call, allocated once: nothing is allocated inside
/// the iterations.
struct Workspace {
  const double* X;
  std::size_t n, d, k;
  std::size_t chunk, nchunks;
  bool parallel;
  int threads;
  std::vector<double> cols;     // the points by feature: d x n (read by the E-steps)
  std::vector<double> scratch;  // per thread: g, best, arg (kBlock each)
  std::size_t scratch_stride;
  std::vector<double> part_sums;    // nchunks x k x d
  std::vector<double> part_counts;  // nchunks x k
  std::vector<double> part;         // nchunks x (something small): inertia, potentials
  RowMatrix ct;                     // -2 C
  Eigen::VectorXd cn;               // ||c||^2

  Workspace(const double* data, std::size_t n_, std::size_t d_, std::size_t k_, int trials)
      : X(data), n(n_), d(d_), k(k_) {
    chunk = std::max(kMinChunk, (n + kMaxChunks - 1) / kMaxChunks);
    chunk = (chunk + kBlock - 1) / kBlock * kBlock;
    nchunks = (n + chunk - 1) / chunk;
    parallel = static_cast<std::ptrdiff_t>(n) > kParallelThreshold;
    threads = parallel ? max_threads() : 1;
    scratch_stride = 3 * kBlock;
    scratch.assign(static_cast<std::size_t>(threads) * scratch_stride, 0.0);
    // One transposed copy for all runs: the E-steps then read contiguous
    // feature columns and never transpose a block again.
    cols.resize(n * d);
    const auto m = static_cast<std::ptrdiff_t>(n);
#pragma omp parallel for num_threads(threads) if (parallel)
    for (std::ptrdiff_t i = 0; i < m; ++i)
      for (std::size_t j = 0; j < d; ++j) cols[j * n + static_cast<std::size_t>(i)] = X[i * d + j];
    part_sums.assign(nchunks * k * d, 0.0);
    part_counts.assign(nchunks * k, 0.0);
    part.assign(nchunks * static_cast<std::size_t>(std::max(trials, 1)), 0.0);
    ct.resize(static_cast<Eigen::Index>(k), static_cast<Eigen::Index>(d));
    cn.resize(static_cast<Eigen::Index>(k));
  }

  void set_centers(const RowMatrix& C) {
    ct = -2.0 * C;
    cn = C.rowwise().squaredNorm();
  }
};

/// Assigns every point to its nearest center (set with set_centers) and
/// returns how many labels changed. With `accumulate`, each chunk's sums of
/// points and counts per center go to part_sums / part_counts. With
/// `inertia`, each chunk's sum of exact squared distances goes to part.
std::size_t assign(Workspace& w, const RowMatrix& C, std::int32_t* labels, bool accumulate,
                   bool inertia) {
  const std::size_t d = w.d, k = w.k, n = w.n;
  const auto nchunks = static_cast<std::ptrdiff_t>(w.nchunks);
  std::ptrdiff_t changed = 0;
  const double* ct = w.ct.data();
  const double* cn = w.cn.data();
  const double* cc = C.data();
#pragma omp parallel num_threads(w.threads) reduction(+ : changed) if (w.parallel)
  {
    double* g = w.scratch.data() + static_cast<std::size_t>(thread_id()) * w.scratch_stride;
    double* best = g + kBlock;
    double* arg = best + kBlock;
#pragma omp for schedule(dynamic, 1)
    for (std::ptrdiff_t ch = 0; ch < nchunks; ++ch) {
      const std::size_t lo = static_cast<std::size_t>(ch) * w.chunk;
      const std::size_t hi = std::min(n, lo + w.chunk);
      double* sums = w.part_sums.data() + static_cast<std::size_t>(ch) * k * d;
      double* counts = w.part_counts.data() + static_cast<std::size_t>(ch) * k;
      if (accumulate) {
        std::fill(sums, sums + k * d, 0.0);
        std::fill(counts, counts + k, 0.0);
      }
      double ssq = 0.0;
      for (std::size_t b = lo; b < hi; b += kBlock) {
        const std::size_t nb = std::min(kBlock, hi - b);
        const double* xt = w.cols.data() + b;
        nearest_block(xt, n, nb, d, ct, cn, k, g, best, arg);
        for (std::size_t i = 0; i < nb; ++i) {
          const auto a = static_cast<std::int32_t>(arg[i]);
          changed += labels[b + i] != a;
          labels[b + i] = a;
        }
        if (accumulate) {
          if (k <= kMaskedMaxK) {
            accumulate_block(xt, n, nb, d, k, arg, sums, counts);
          } else {
            for (std::size_t i = 0; i < nb; ++i) {
              const auto a = static_cast<std::size_t>(arg[i]);
              for (std::size_t j = 0; j < d; ++j) sums[a * d + j] += xt[j * n + i];
              counts[a] += 1.0;
            }
          }
        }
        if (inertia)
          for (std::size_t i = 0; i < nb; ++i)
            ssq += sqdist(w.X + (b + i) * d, cc + static_cast<std::size_t>(labels[b + i]) * d, d);
      }
      if (inertia) w.part[static_cast<std::size_t>(ch)] = ssq;
    }
  }
  return static_cast<std::size_t>(changed);
}

struct Run {
  RowMatrix centers;
  std::vector<std::int32_t> labels;
  double inertia = 0.0;
  int n_iter = 0;
};

/// Greedy k-means++ seeding: each new center is the best (lowest potential)
/// of `trials` candidates drawn with probability proportional to the squared
/// distance to the nearest center so far. `closest` is scratch of n values.
RowMatrix seed_plus_plus(Workspace& w, int trials, std::mt19937_64& rng,
                         std::vector<double>& closest) {
  const std::size_t n = w.n, d = w.d, k = w.k;
  const auto nchunks = static_cast<std::ptrdiff_t>(w.nchunks);
  const auto T = static_cast<std::size_t>(trials);
  const double* X = w.X;
  RowMatrix C(k, d);
  std::uniform_int_distribution<std::size_t> pick(0, n - 1);
  std::uniform_real_distribution<double> unif(0.0, 1.0);
  std::vector<double> chunk_pot(w.nchunks, 0.0);
  std::vector<std::size_t> cand(T);
  std::vector<double> cand_pot(T);
  // closest <- min(closest, |x - c|^2) (or |x - c|^2 when `first`), with the chunk sums.
  const auto update = [&](const double* cp, bool first) {
#pragma omp parallel for schedule(dynamic, 1) num_threads(w.threads) if (w.parallel)
    for (std::ptrdiff_t ch = 0; ch < nchunks; ++ch) {
      const std::size_t lo = static_cast<std::size_t>(ch) * w.chunk;
      const std::size_t hi = std::min(n, lo + w.chunk);
      double s = 0.0;
      for (std::size_t i = lo; i < hi; ++i) {
        const double v = sqdist(X + i * d, cp, d);
        closest[i] = first ? v : std::min(closest[i], v);
        s += closest[i];
      }
      chunk_pot[static_cast<std::size_t>(ch)] = s;
    }
  };
  std::size_t first = pick(rng);
  C.row(0) = ConstMap(X, static_cast<Eigen::Index>(n), static_cast<Eigen::Index>(d))
                 .row(static_cast<Eigen::Index>(first));
  update(X + first * d, true);
  for (std::size_t c = 1; c < k; ++c) {
    const double pot = std::accumulate(chunk_pot.begin(), chunk_pot.end(), 0.0);
    // Draw the candidates: the first point whose running sum of `closest`
    // passes r (found through the chunk sums, then within the chunk).
    for (std::size_t t = 0; t < T; ++t) {
      double r = unif(rng) * pot;
      std::size_t ch = 0;
      while (ch + 1 < w.nchunks && r >= chunk_pot[ch]) r -= chunk_pot[ch++];
      const std::size_t lo = ch * w.chunk, hi = std::min(n, lo + w.chunk);
      std::size_t i = lo;
      double run = 0.0;
      for (; i < hi; ++i) {
        run += closest[i];
        if (run > r) break;
      }
      if (i >= hi) {  // rounding: take the last point of the chunk that has weight
        i = hi - 1;
        while (i > lo && closest[i] == 0.0) --i;
      }
      cand[t] = i;
    }
    // The potential of each candidate, all in one pass.
#pragma omp parallel for schedule(dynamic, 1) num_threads(w.threads) if (w.parallel)
    for (std::ptrdiff_t ch = 0; ch < nchunks; ++ch) {
      const std::size_t lo = static_cast<std::size_t>(ch) * w.chunk;
      const std::size_t hi = std::min(n, lo + w.chunk);
      double* p = w.part.data() + static_cast<std::size_t>(ch) * T;
      for (std::size_t t = 0; t < T; ++t) p[t] = 0.0;
      for (std::size_t i = lo; i < hi; ++i) {
        const double* xi = X + i * d;
        for (std::size_t t = 0; t < T; ++t)
          p[t] += std::min(closest[i], sqdist(xi, X + cand[t] * d, d));
      }
    }
    std::fill(cand_pot.begin(), cand_pot.end(), 0.0);
    for (std::size_t ch = 0; ch < w.nchunks; ++ch)
      for (std::size_t t = 0; t < T; ++t) cand_pot[t] += w.part[ch * T + t];
    const std::size_t bt = static_cast<std::size_t>(
        std::min_element(cand_pot.begin(), cand_pot.end()) - cand_pot.begin());
    const double* cp = X + cand[bt] * d;
    std::copy(cp, cp + d, C.row(static_cast<Eigen::Index>(c)).data());
    update(cp, false);
  }
  return C;
}

Run lloyd(Workspace& w, RowMatrix C, int max_iter, double tol_abs, std::vector<double>& dist) {
  const std::size_t n = w.n, d = w.d, k = w.k;
  Run r;
  r.labels.assign(n, -1);
  std::int32_t* labels = r.labels.data();
  RowMatrix sums(k, d), next(k, d);
  Eigen::VectorXd counts(k);
  int it = 0;
  for (; it < max_iter; ++it) {
    w.set_centers(C);
    const std::size_t changed = assign(w, C, labels, true, false);
    if (changed == 0 && it > 0) break;  // the centers are already the means of their points
    sums.setZero();
    counts.setZero();
    for (std::size_t ch = 0; ch < w.nchunks; ++ch) {
      sums +=
          Eigen::Map<const RowMatrix>(w.part_sums.data() + ch * k * d, static_cast<Eigen::Index>(k),
                                      static_cast<Eigen::Index>(d));
      counts += Eigen::Map<const Eigen::VectorXd>(w.part_counts.data() + ch * k,
                                                  static_cast<Eigen::Index>(k));
    }
    // Empty clusters take the points farthest from their centers (rare:
    // only then are the distances computed).
    std::vector<std::size_t> empty;
    for (std::size_t c = 0; c < k; ++c)
      if (counts[static_cast<Eigen::Index>(c)] == 0.0) empty.push_back(c);
    if (!empty.empty()) {
      for (std::size_t i = 0; i < n; ++i) dist[i] = sqdist(w.X + i * d, C.row(labels[i]).data(), d);
      std::vector<std::size_t> far(n);
      std::iota(far.begin(), far.end(), 0);
      const std::size_t take = std::min(empty.size(), n);
      std::partial_sort(far.begin(), far.begin() + static_cast<std::ptrdiff_t>(take), far.end(),
                        [&](std::size_t a, std::size_t b) { return dist[a] > dist[b]; });
      for (std::size_t e = 0; e < take; ++e) {
        const std::size_t i = far[e];
        const auto c = static_cast<Eigen::Index>(empty[e]);
        const auto old = static_cast<Eigen::Index>(labels[i]);
        const Eigen::Map<const Eigen::RowVectorXd> xi(w.X + i * d, static_cast<Eigen::Index>(d));
        if (counts[old] > 1.0) {
          sums.row(old) -= xi;
          counts[old] -= 1.0;
        }
        sums.row(c) = xi;
        counts[c] = 1.0;
      }
    }
    next = C;
    for (std::size_t c = 0; c < k; ++c) {
      const auto ci = static_cast<Eigen::Index>(c);
      if (counts[ci] > 0.0) next.row(ci) = sums.row(ci) / counts[ci];
    }
    const double shift = (next - C).squaredNorm();
    C.swap(next);
    if (shift <= tol_abs) {
      ++it;
      break;
    }
  }
  if (it > max_iter) it = max_iter;
  // Labels of the final centers and the exact inertia (direct distances).
  w.set_centers(C);
  assign(w, C, labels, false, true);
  r.inertia =
      std::accumulate(w.part.begin(), w.part.begin() + static_cast<std::ptrdiff_t>(w.nchunks), 0.0);
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
  const std::size_t k = static_cast<std::size_t>(o.k);
  const int trials = 2 + static_cast<int>(std::log(static_cast<double>(k)));
  Workspace w(X, n, d, k, trials);
  std::vector<double> scratch(n);
  std::mt19937_64 rng(o.seed);
  Run best;
  best.inertia = std::numeric_limits<double>::infinity();
  for (int r = 0; r < o.n_init; ++r) {
    RowMatrix C = seed_plus_plus(w, trials, rng, scratch);
    Run run = lloyd(w, std::move(C), o.max_iter, tol_abs, scratch);
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
#pragma omp parallel for num_threads(kamkit::max_threads()) if (m > kParallelThreshold)
  for (std::ptrdiff_t i = 0; i < m; ++i)
    for (std::size_t j = 0; j < d; ++j) out[i * d + j] = (X[i * d + j] - mean[j]) / scale[j];
}

}  // namespace kamkit
