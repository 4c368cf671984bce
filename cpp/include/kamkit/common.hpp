// Shared helpers of the kamkit core: argument checks and threading.
#pragma once

#include <cstddef>
#include <cstdint>
#include <stdexcept>
#include <string>

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

/// Number of threads the core may use (1 without OpenMP).
inline int max_threads() {
#ifdef KAMKIT_HAVE_OPENMP
  return omp_get_max_threads();
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

/// Floor division for signed integers (C++ `/` truncates towards zero).
inline std::int64_t floor_div(std::int64_t a, std::int64_t b) {
  std::int64_t q = a / b;
  if ((a % b != 0) && ((a < 0) != (b < 0))) --q;
  return q;
}

}  // namespace kamkit
