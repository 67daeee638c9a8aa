// The denoiser callback of an ARTV frame: wraps the noise and mask networks with masked diffusion
// (mdm.h) and three-scale guidance (guidance.h) into D(x, sigma) for the samplers (sampler.h).
#pragma once

#include <ATen/core/Tensor.h>

#include <functional>
#include <utility>
#include <vector>

#include "diffusion/guidance.h"
#include "diffusion/sampler.h"
#include "diffusion/schedule.h"

namespace artv {

// What the networks return for one batched evaluation.
struct EpsEval {
    at::Tensor eps;  // [B,C,h,w]: eps_theta (or v, for a v-prediction schedule)
    at::Tensor
        mask;  // [B,1,h,w] (or [B,C,h,w]) in [0, 1]; may stay undefined when use_mask is false
};

// Runs the networks once on a batch holding the conditions terms[first_term..] (first_term is 0,
// or the last term alone below the guidance interval). x_in = c_in*x repeated per condition,
// condition-major: rows [j*N, (j+1)*N) belong to terms[first_term + j] (the order of cfg_terms())
// for a latent x of batch N (usually 1). t: [B] float32 timesteps (Schedule::sigma_to_t), on
// x_in's device. The engine's closure captures the per-frame invariants (text tokens, adapter
// features, anchor tokens, noise level) for each condition.
using EpsFn =
    std::function<EpsEval(const at::Tensor &x_in, const at::Tensor &t, size_t first_term)>;

// D(x, sigma) = x - sigma * sum_j w_j * eps_hat_j, with for each term (cond_j, w_j):
//   eps_hat_j = m_j * (x - x_ref_j)/sigma + (1 - m_j) * eps_j     (use_mask; else eps_hat_j =
//   eps_j)
// x_ref_j = x_ref_clean ([1 or N,C,h,w], the clean previous-frame latent) for conditions with R,
// the zero latent for Cond::None. The networks see c_in*x and t = sigma_to_t(sigma, quantize_t);
// v-predictions are converted to eps before the mix. call_counter (optional) counts EpsFn calls.
// Guidance interval (Kynkäänniemi et al. 2024, "Applying guidance in a limited interval"): at
// sigma < guidance_sigma_min only the last term, the most-conditioned one, is evaluated, with
// weight 1: the unguided prediction (0: guidance at every sigma).
// Guidance rescale (Lin et al. 2024, "Common diffusion noise schedules and sample steps are
// flawed", §3.4): phi in [0, 1] blends the guided D with the guided D rescaled, per latent and
// channel about its mean, to the spread of the last term's D: phi 0 = plain guidance.
// Throws ARTV_ERR_INVALID_ARGUMENT for empty terms, an empty eps_fn, a negative or non-finite
// guidance_sigma_min, or use_mask with a needed but undefined x_ref_clean; ARTV_ERR_INTERNAL
// when eps_fn returns the wrong shapes.
Denoiser make_artv_denoiser(const Schedule &schedule, EpsFn eps_fn,
                            std::vector<std::pair<Cond, double>> terms, at::Tensor x_ref_clean,
                            bool use_mask, bool quantize_t, int *call_counter = nullptr,
                            double guidance_sigma_min = 0.0, double guidance_rescale = 0.0);

}  // namespace artv
