// DDIM (Song et al. 2021, Eq. 12) in sigma form. With abar = 1/(1+sigma^2), the DDIM update
//   x_{t-1} = sqrt(abar') x0_hat + sqrt(1 - abar' - c^2) eps_hat + c z,
//   c = eta sqrt((1-abar')/(1-abar)) sqrt(1 - abar/abar'),
// divided by sqrt(abar') becomes x' = D + sigma_down * eps_hat + sigma_up * z with
// eps_hat = (x - D)/sigma and (sigma_down, sigma_up) = k-diffusion's ancestral step for the same
// eta (docs/SAMPLING.md derives it). eta = 0 is deterministic DDIM, and then the same update as
// an Euler step in sigma.
#include <ATen/ATen.h>

#include "diffusion/sampler_impl.h"

namespace artv::detail {

at::Tensor sample_ddim(const Denoiser &denoiser, const std::vector<double> &sigmas, at::Tensor x,
                       NoiseSource &noise, const StepParams &p) {
    const int steps = static_cast<int>(sigmas.size()) - 1;
    for (int i = 0; i < steps; ++i) {
        const double sigma = sigmas[i], sigma_next = sigmas[i + 1];
        const at::Tensor denoised = denoise(denoiser, x, sigma);
        const AncestralStep a = ancestral_step(sigma, sigma_next, p.eta);
        if (a.down == 0) {
            x = denoised;
        } else {
            // x' = D + sigma_down * (x - D)/sigma, computed in place on x.
            x.sub_(denoised).mul_(a.down / sigma).add_(denoised);
        }
        if (sigma_next > 0) add_ancestral_noise(x, a.up, noise, p);
        finish_step(p, i + 1, steps);
    }
    return x;
}

}  // namespace artv::detail
