#include "kamkit/assign.hpp"

#include <cmath>
#include <functional>
#include <queue>
#include <string>
#include <utility>

#include "kamkit/common.hpp"
#include "kamkit/order.hpp"

namespace kamkit {

Schedule lpt_schedule(const double* workload, std::size_t n, int m) {
  require(m >= 1, "assignment: at least one manager is needed for the pooled customers");
  for (std::size_t i = 0; i < n; ++i)
    require(std::isfinite(workload[i]) && workload[i] >= 0.0,
            "assignment: workloads must be finite and non-negative");
  Schedule s;
  s.manager.assign(n, 0);
  s.load.assign(static_cast<std::size_t>(m), 0.0);
  const std::vector<std::int32_t> order = argsort(workload, n);  // increasing
  // Min-heap of (load, manager): the least loaded manager, lowest number first.
  using Slot = std::pair<double, std::int32_t>;
  std::priority_queue<Slot, std::vector<Slot>, std::greater<Slot>> heap;
  for (std::int32_t j = 0; j < m; ++j) heap.push({0.0, j});
  for (std::size_t p = n; p-- > 0;) {
    const std::int32_t i = order[p];
    Slot top = heap.top();
    heap.pop();
    s.manager[static_cast<std::size_t>(i)] = top.second;
    top.first += workload[i];
    s.load[static_cast<std::size_t>(top.second)] = top.first;
    heap.push(top);
  }
  return s;
}

}  // namespace kamkit
