// Gamma-Gamma spend model (Fader, Hardie & Lee 2005; Hardie's note 025): each
// transaction value ~ Gamma(p, nu) with nu ~ Gamma(q, v). Fitted on the
// customers with x > 0 repeat transactions and mean repeat value m > 0.
// Parameters p, q, v.
#pragma once

#include "kamkit/models/common.hpp"

namespace kamkit::models {

struct GammaGamma {
  static constexpr const char* kName = "gamma_gamma";
  static constexpr int kParams = 3;
  static Objective log_likelihood(const Eigen::VectorXd& log_params, const SpendData& data,
                                  int order);
  /// E[M | x, m]: (1 - w) * population mean + w * m with w = p x / (p x + q - 1).
  /// Rows with x <= 0 or m <= 0 (or not finite) get the population mean
  /// v p / (q - 1). Needs q > 1.
  static Eigen::VectorXd conditional_expected_average_spend(const Eigen::VectorXd& params, Vec x,
                                                            Vec m);
};

}  // namespace kamkit::models
