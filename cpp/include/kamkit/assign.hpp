// Pooling customers over account managers so that the busiest manager's
// workload is as small as possible (makespan scheduling on identical
// machines).
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace kamkit {

struct Schedule {
  /// Manager (0..m-1) of every job.
  std::vector<std::int32_t> manager;
  /// Total workload per manager.
  std::vector<double> load;
};

/// Longest processing time first (Graham 1969): jobs in decreasing order of
/// workload, each to the manager with the smallest load so far (ties: the
/// lowest manager number). The largest load is at most (4/3 - 1/(3m)) times
/// the optimum (Graham's bound for LPT), and at most total / m + (1 - 1/m)
/// times the largest job, like any list schedule. O(n log n + n log m). Workloads must be finite
/// and non-negative; throws std::invalid_argument otherwise or when m < 1.
Schedule lpt_schedule(const double* workload, std::size_t n, int m);

}  // namespace kamkit
