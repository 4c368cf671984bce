// An uninitialised array for large scratch columns. Zero-filling hundreds of
// megabytes that are overwritten at once anyway costs as much as the work;
// and random writes across them miss the TLB on nearly every row unless the
// memory is backed by huge pages, which Linux grants on request.
#pragma once

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
