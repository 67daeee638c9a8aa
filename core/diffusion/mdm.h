// Masked diffusion (paper §3.2, Eq. 5-7): the final noise estimate mixes the static noise, which
// a clean reference frame implies, with the network's dynamic noise under a predicted mask:
//   eps_hat = m * eps_static + (1 - m) * eps_theta,  m in [0, 1] per latent pixel.
// Where the reference condition is dropped (CFG, training dropout) x_ref is the zero latent.
#pragma once

#include <ATen/core/Tensor.h>

namespace artv {

class Schedule;

// Static noise in the sigma form x = x0 + sigma*eps: (x - x_ref) / sigma. An undefined x_ref is the
// zero latent (x / sigma).
at::Tensor static_noise(const at::Tensor &x, const at::Tensor &x_ref, double sigma);

// The same quantity in the VP form used in training, x_t = sqrt(abar_k) x0 + sqrt(1-abar_k) eps:
// (x_t - sqrt(abar_k) x_ref) / sqrt(1 - abar_k), one level per batch item (int64 k [B]).
// Equal to static_noise(x_t / sqrt(abar), x_ref, sigma_k), since sqrt(abar)*sigma = sqrt(1-abar).
at::Tensor static_noise_vp(const Schedule &schedule, const at::Tensor &x_t, const at::Tensor &x_ref,
                           const at::Tensor &k);

// Eq. 7, m * eps_static + (1 - m) * eps_theta, as a lerp so that m = 0 returns eps_theta and m = 1
// returns eps_static exactly. The mask broadcasts over channels ([B,1,h,w]) and is converted to
// eps_theta's dtype.
at::Tensor mdm_mix(const at::Tensor &eps_theta, const at::Tensor &eps_static,
                   const at::Tensor &mask);

}  // namespace artv
