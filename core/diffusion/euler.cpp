// Euler steps on the probability-flow ODE dx/dsigma = (x - D(x, sigma)) / sigma:
// k-diffusion sample_euler with s_churn = 0 (Karras et al. 2022, Algorithm 2 without churn).
#include <ATen/ATen.h>

#include "diffusion/sampler_impl.h"

namespace artv::detail {

at::Tensor sample_euler(const Denoiser &denoiser, const std::vector<double> &sigmas, at::Tensor x,
                        NoiseSource &, const StepParams &p) {
    const int steps = static_cast<int>(sigmas.size()) - 1;
    for (int i = 0; i < steps; ++i) {
        const double sigma = sigmas[i], sigma_next = sigmas[i + 1];
        const at::Tensor denoised = denoise(denoiser, x, sigma);
        if (sigma_next == 0) {
            x = denoised;  // x + (x - D)/sigma * (0 - sigma) = D, without the rounding
        } else {
            x.add_(x - denoised, (sigma_next - sigma) / sigma);  // x += d * dt, d = (x - D)/sigma
        }
        finish_step(p, i + 1, steps);
    }
    return x;
}

}  // namespace artv::detail
