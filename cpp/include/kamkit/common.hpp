// Shared helpers of the kamkit core: argument checks and threading.
#pragma once

#include <cstddef>
#include <cstdint>
#include <stdexcept>
#include <string>

#ifdef KAMKIT_HAVE_OPENMP
#include <omp.h>
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

/// Below this many elements a loop runs on one thread: forking costs more.
constexpr std::ptrdiff_t kParallelThreshold = 1 << 16;

/// Floor division for signed integers (C++ `/` truncates towards zero).
inline std::int64_t floor_div(std::int64_t a, std::int64_t b) {
  std::int64_t q = a / b;
  if ((a % b != 0) && ((a < 0) != (b < 0))) --q;
  return q;
}

}  // namespace kamkit
