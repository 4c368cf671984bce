// An uninitialised array for large scratch columns. Zero-filling hundreds of
// megabytes that are overwritten at once anyway costs as much as the work;
// and random writes across them miss the TLB on nearly every row unless the
// memory is backed by huge pages, which Linux grants on request.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdlib>
#include <memory>
#include <new>
#include <type_traits>
#include <utility>
#include <vector>

#ifdef __linux__
#include <sys/mman.h>
#endif

namespace kamkit {

template <typename T>
class Buffer {
 public:
  Buffer() = default;
  explicit Buffer(std::size_t n) : size_(n) {
    if (n == 0) return;
    constexpr std::size_t kHuge = std::size_t{1} << 21;
    const std::size_t bytes = n * sizeof(T);
    if (bytes >= kHuge) {
      const std::size_t rounded = (bytes + kHuge - 1) / kHuge * kHuge;
      void* p = std::aligned_alloc(kHuge, rounded);
      if (!p) throw std::bad_alloc();
#ifdef MADV_HUGEPAGE
      madvise(p, rounded, MADV_HUGEPAGE);
#endif
      data_.reset(static_cast<T*>(p));
    } else {
      void* p = std::malloc(bytes);
      if (!p) throw std::bad_alloc();
      data_.reset(static_cast<T*>(p));
    }
  }
  /// Whether release_front() gives memory back (Linux); elsewhere it does
  /// nothing.
  static constexpr bool kCanRelease =
#if defined(__linux__) && defined(MADV_DONTNEED)
      true;
#else
      false;
#endif

  /// Gives the memory of the first `n` elements back to the system (whole
  /// huge pages only), once they are no longer needed; they read as zeros
  /// if used again. Lowers the peak memory of a pass that consumes its
  /// scratch from the front.
  void release_front(std::size_t n) noexcept {
#if defined(__linux__) && defined(MADV_DONTNEED)
    constexpr std::size_t kHuge = std::size_t{1} << 21;
    if (size_ * sizeof(T) < kHuge) return;  // not huge-page aligned
    const std::size_t bytes = std::min(n, size_) * sizeof(T) / kHuge * kHuge;
    if (bytes > released_) {
      madvise(reinterpret_cast<char*>(data_.get()) + released_, bytes - released_, MADV_DONTNEED);
      released_ = bytes;
    }
#else
    (void)n;
#endif
  }

  /// Marks the whole buffer as in use again (after release_front).
  void reuse() noexcept { released_ = 0; }

  T* data() noexcept { return data_.get(); }
  const T* data() const noexcept { return data_.get(); }
  T& operator[](std::size_t i) noexcept { return data_[i]; }
  const T& operator[](std::size_t i) const noexcept { return data_[i]; }
  std::size_t size() const noexcept { return size_; }
  bool empty() const noexcept { return size_ == 0; }

 private:
  struct Free {
    void operator()(T* p) const noexcept { std::free(p); }
  };
  std::unique_ptr<T[], Free> data_;
  std::size_t size_ = 0;
  std::size_t released_ = 0;  // bytes given back from the front
};

/// An allocator whose `resize` leaves new elements uninitialised (default-
/// initialised), for result columns that are written in full anyway: the
/// pages are first touched by the threads that fill them.
template <typename T>
struct DefaultInitAllocator : std::allocator<T> {
  template <typename U>
  struct rebind {
    using other = DefaultInitAllocator<U>;
  };
  DefaultInitAllocator() = default;
  template <typename U>
  DefaultInitAllocator(const DefaultInitAllocator<U>&) noexcept {}
  template <typename U>
  void construct(U* p) noexcept(std::is_nothrow_default_constructible_v<U>) {
    ::new (static_cast<void*>(p)) U;
  }
  template <typename U, typename... Args>
  void construct(U* p, Args&&... args) {
    ::new (static_cast<void*>(p)) U(std::forward<Args>(args)...);
  }
};

/// A result column: a vector that does not zero-fill on resize.
template <typename T>
using Column = std::vector<T, DefaultInitAllocator<T>>;

}  // namespace kamkit
