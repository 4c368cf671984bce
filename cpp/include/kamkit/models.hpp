// Probabilistic customer-base models ("buy till you die"): BG/NBD, MBG/NBD,
// Pareto/NBD, BG/BB and the Gamma-Gamma spend model, with log-likelihoods,
// analytic gradients and Hessians in log-parameter space, and predictions.
#pragma once

#include "kamkit/models/bg_bb.hpp"
#include "kamkit/models/bg_nbd.hpp"
#include "kamkit/models/clv.hpp"
#include "kamkit/models/common.hpp"
#include "kamkit/models/gamma_gamma.hpp"
#if __has_include("kamkit/models/pareto_nbd.hpp")
#include "kamkit/models/pareto_nbd.hpp"
#define KAMKIT_HAVE_PARETO_NBD 1
#endif
