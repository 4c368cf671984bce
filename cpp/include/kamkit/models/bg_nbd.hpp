// BG/NBD (Fader, Hardie & Lee 2005) and MBG/NBD (Batislam, Denizel &
// Filiztekin 2007): Poisson purchases at rate lambda ~ Gamma(r, alpha); after
// each purchase (MBG/NBD: also at time 0) the customer drops out with
// probability p ~ Beta(a, b). Parameters in the order r, alpha, a, b.
#pragma once

#include "kamkit/models/common.hpp"

namespace kamkit::models {

namespace detail {
/// The shared implementation; `Modified` selects MBG/NBD.
template <bool Modified>
struct BetaGeoImpl {
  static constexpr int kParams = 4;
  static Objective log_likelihood(const Eigen::VectorXd& log_params, const RfmData& data,
                                  int order);
  static Eigen::VectorXd log_likelihood_rows(const Eigen::VectorXd& params, Vec x, Vec t_x, Vec T);
  static Eigen::VectorXd expected_purchases(const Eigen::VectorXd& params, Vec t);
  /// t (t_future) has one value per customer, or one value for all.
  static Eigen::VectorXd conditional_expected_purchases(const Eigen::VectorXd& params, Vec t, Vec x,
                                                        Vec t_x, Vec T);
  static Eigen::VectorXd probability_alive(const Eigen::VectorXd& params, Vec x, Vec t_x, Vec T,
                                           Vec t_future);
  static Eigen::VectorXd probability_of_n_purchases(const Eigen::VectorXd& params, Vec t, Vec n);
};
extern template struct BetaGeoImpl<false>;
extern template struct BetaGeoImpl<true>;
}  // namespace detail

/// BG/NBD.
struct BetaGeo : detail::BetaGeoImpl<false> {
  static constexpr const char* kName = "bg_nbd";
};

/// MBG/NBD.
struct ModifiedBetaGeo : detail::BetaGeoImpl<true> {
  static constexpr const char* kName = "mbg_nbd";
};

}  // namespace kamkit::models
