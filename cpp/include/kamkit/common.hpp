// Shared helpers of the kamkit core: argument checks and threading.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

#ifdef KAMKIT_HAVE_OPENMP
#include <omp.h>
#endif

/// Inlines a small function called in a hot loop whatever the compiler's
/// size heuristics say.
#if defined(__GNUC__) || defined(__clang__)
#define KAMKIT_ALWAYS_INLINE inline __attribute__((always_inline))
#elif defined(_MSC_VER)
#define KAMKIT_ALWAYS_INLINE __forceinline
#else
#define KAMKIT_ALWAYS_INLINE inline
#endif

namespace kamkit {

/// Throws std::invalid_argument with `message` unless `condition` holds.
inline void require(bool condition, const std::string& message) {
  if (!condition) throw std::invalid_argument(message);
}

/// The core's own thread count: 0 follows OpenMP (OMP_NUM_THREADS), n >= 1
/// uses n threads. Set through set_num_threads; one value for the process.
inline std::atomic<int>& thread_setting() {
  static std::atomic<int> setting{0};
  return setting;
}

/// Sets the number of threads of the core's parallel loops (0: OpenMP's
/// default, OMP_NUM_THREADS). Other OpenMP users in the process are unaffected.
inline void set_num_threads(int n) {
  require(n >= 0, "set_num_threads: expected 0 or more threads");
  thread_setting().store(n, std::memory_order_relaxed);
}

/// Number of threads the core may use (1 without OpenMP).
inline int max_threads() {
#ifdef KAMKIT_HAVE_OPENMP
  const int n = thread_setting().load(std::memory_order_relaxed);
  return n > 0 ? n : omp_get_max_threads();
#else
  return 1;
#endif
}

/// Index of the calling thread within the current parallel region (0 outside).
inline int thread_id() {
#ifdef KAMKIT_HAVE_OPENMP
  return omp_get_thread_num();
#else
  return 0;
#endif
}

/// Number of set bits.
inline int popcount64(std::uint64_t x) {
#if defined(__GNUC__) || defined(__clang__)
  return __builtin_popcountll(static_cast<unsigned long long>(x));
#else
  int n = 0;
  for (; x; x &= x - 1) ++n;
  return n;
#endif
}

/// Index of the lowest set bit of a nonzero word.
inline int lowest_set_bit(std::uint64_t x) {
#if defined(__GNUC__) || defined(__clang__)
  return __builtin_ctzll(static_cast<unsigned long long>(x));
#else
  int n = 0;
  for (; !(x & 1); x >>= 1) ++n;
  return n;
#endif
}

/// Bits needed to write x (0 for 0).
inline int bit_width64(std::uint64_t x) {
  int n = 0;
  for (; x; x >>= 1) ++n;
  return n;
}

/// Exact floor(n / d) for 0 <= n < 2^63 and a divisor d >= 2 known only at
/// run time, by a multiplication and a shift (Granlund and Montgomery 1994,
/// theorem 4.2, with N = 63): m = ceil(2^(63 + l) / d) where
/// 2^(l - 1) < d <= 2^l, and floor(n / d) = floor(m n / 2^(63 + l)), that
/// is the high word of m n shifted right by l - 1.
#if defined(__SIZEOF_INT128__)
__extension__ typedef unsigned __int128 uint128_t;  // GCC and Clang
#endif

class UnsignedDivider {
 public:
  UnsignedDivider() = default;
  explicit UnsignedDivider(std::uint64_t d) : d_(d) {
    require(d >= 2, "UnsignedDivider: the divisor must be at least 2");
    int l = 0;
    while ((std::uint64_t{1} << l) < d) ++l;
    shift_ = l - 1;
#if defined(__SIZEOF_INT128__)
    const uint128_t p = static_cast<uint128_t>(1) << (63 + l);
    m_ = static_cast<std::uint64_t>((p + d - 1) / d);
#endif
  }
  std::uint64_t divisor() const { return d_; }
  std::uint64_t operator()(std::uint64_t n) const {
#if defined(__SIZEOF_INT128__)
    return static_cast<std::uint64_t>((static_cast<uint128_t>(n) * m_) >> 64) >> shift_;
#else
    return n / d_;
#endif
  }

 private:
  std::uint64_t d_ = 2;
  std::uint64_t m_ = std::uint64_t{1} << 63;
  int shift_ = 0;
};

/// Below this many elements a loop runs on one thread: forking costs more.
constexpr std::ptrdiff_t kParallelThreshold = 1 << 16;

/// Items per slice of the fixed-slice reductions: slices do not depend on the
/// thread count, so neither does the rounding of a sum.
constexpr std::size_t kReduceSlice = std::size_t{1} << 14;

/// Parallel reduction with results independent of the thread count:
/// [0, n) is cut into slices of `slice` items; `body(lo, hi, part)` fills
/// slice's partial `part` (a copy of `init`), and the partials are combined
/// in slice order by `combine(total, part)`.
template <class Acc, class Body, class Combine>
Acc reduce_fixed_slices(std::size_t n, std::size_t slice, const Acc& init, Body body,
                        Combine combine) {
  const std::size_t count = n == 0 ? 0 : (n + slice - 1) / slice;
  std::vector<Acc> parts(count, init);
  const auto c = static_cast<std::ptrdiff_t>(count);
#pragma omp parallel for schedule(static) \
    num_threads(max_threads()) if (n > static_cast<std::size_t>(kParallelThreshold) && c > 1)
  for (std::ptrdiff_t p = 0; p < c; ++p) {
    const std::size_t lo = static_cast<std::size_t>(p) * slice;
    const std::size_t hi = lo + slice < n ? lo + slice : n;
    body(lo, hi, parts[static_cast<std::size_t>(p)]);
  }
  Acc total = init;
  for (const Acc& part : parts) combine(total, part);
  return total;
}

/// sum_i f(i) over [0, n), in fixed slices added in order.
template <class F>
double sum_fixed_slices(std::size_t n, F f) {
  return reduce_fixed_slices(
      n, kReduceSlice, 0.0,
      [&](std::size_t lo, std::size_t hi, double& part) {
        double s = 0.0;
        for (std::size_t i = lo; i < hi; ++i) s += f(i);
        part = s;
      },
      [](double& total, double part) { total += part; });
}

/// Floor division for signed integers (C++ `/` truncates towards zero).
inline std::int64_t floor_div(std::int64_t a, std::int64_t b) {
  std::int64_t q = a / b;
  if ((a % b != 0) && ((a < 0) != (b < 0))) --q;
  return q;
}

}  // namespace kamkit
