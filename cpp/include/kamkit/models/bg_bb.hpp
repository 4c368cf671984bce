// BG/BB (Fader, Hardie & Shang 2010), the discrete-time model: in each of n
// periods an alive customer transacts with probability p ~ Beta(alpha, beta)
// and, after each period, drops out with probability theta ~ Beta(gamma,
// delta). Data: x transactions, t_x the period of the last one (0: none), n
// periods (stored in RfmData::T). Parameters: alpha, beta, gamma, delta.
#pragma once

#include "kamkit/models/common.hpp"

namespace kamkit::models {

struct BetaGeoBetaBinom {
  static constexpr const char* kName = "bg_bb";
  static constexpr int kParams = 4;
  static Objective log_likelihood(const Eigen::VectorXd& log_params, const RfmData& data,
                                  int order);
  static Eigen::VectorXd log_likelihood_rows(const Eigen::VectorXd& params, Vec x, Vec t_x, Vec n);
  /// E[X(n)] for a new customer over n (= t) periods.
  static Eigen::VectorXd expected_purchases(const Eigen::VectorXd& params, Vec t);
  /// Expected transactions in the next t periods.
  static Eigen::VectorXd conditional_expected_purchases(const Eigen::VectorXd& params, Vec t, Vec x,
                                                        Vec t_x, Vec n);
  /// P(alive in period n + t_future).
  static Eigen::VectorXd probability_alive(const Eigen::VectorXd& params, Vec x, Vec t_x, Vec n,
                                           Vec t_future);
  /// P(X(t) = k) for a new customer over t periods.
  static Eigen::VectorXd probability_of_n_purchases(const Eigen::VectorXd& params, Vec t, Vec k);
};

}  // namespace kamkit::models
