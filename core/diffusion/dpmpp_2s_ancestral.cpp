// DPM-Solver++(2S) with ancestral noise: SGM DPMPP2SAncestralSampler (sampling.py L247-284) and
// k-diffusion sample_dpmpp_2s_ancestral, which agree; reference/sd-architecture.md §3.
#include <ATen/ATen.h>

#include <cmath>

#include "diffusion/sampler_impl.h"

namespace artv::detail {

at::Tensor sample_dpmpp_2s_ancestral(const Denoiser &denoiser, const std::vector<double> &sigmas,
                                     at::Tensor x, NoiseSource &noise, const StepParams &p) {
    const int steps = static_cast<int>(sigmas.size()) - 1;
    for (int i = 0; i < steps; ++i) {
        const double sigma = sigmas[i], sigma_next = sigmas[i + 1];
        const at::Tensor denoised = denoise(denoiser, x, sigma);
        const AncestralStep a = ancestral_step(sigma, sigma_next, p.eta);
        if (a.down == 0) {
            // The Euler step to sigma_down = 0 lands exactly on the denoised estimate.
            x = denoised;
        } else if (a.down < 1e-14) {
            // SGM: Euler step when sigma_down is (numerically) zero.
            x.add_(x - denoised, (a.down - sigma) / sigma);
        } else {
            // Second-order single-step update in t = -log(sigma), midpoint s = t + h/2, so
            // sigma_s = sqrt(sigma * sigma_down).
            const double t = -std::log(sigma), t_next = -std::log(a.down);
            const double h = t_next - t, s = t + 0.5 * h;
            const double sigma_s = std::exp(-s);
            const at::Tensor x2 = x * (sigma_s / std::exp(-t)) - denoised * std::expm1(-0.5 * h);
            const at::Tensor denoised2 = denoise(denoiser, x2, sigma_s);
            x.mul_(std::exp(-t_next) / std::exp(-t)).sub_(denoised2 * std::expm1(-h));
        }
        if (sigma_next > 0) add_ancestral_noise(x, a.up, noise, p);
        finish_step(p, i + 1, steps);
    }
    return x;
}

}  // namespace artv::detail
