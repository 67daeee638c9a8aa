// Internal to the samplers: what every sampler file shares. A sampler file defines one function
// of type SampleFn; sampler.cpp lists it in its table and validates arguments before calling it.
#pragma once

#include "diffusion/sampler.h"

namespace artv::detail {

// Arguments after validation: eta resolved to the sampler's default when unset.
struct StepParams {
    double eta;
    double s_noise;
    const SamplerOptions *options;
};

// x is the sampler's own copy: it may be updated in place.
using SampleFn = at::Tensor (*)(const Denoiser &, const std::vector<double> &sigmas, at::Tensor x,
                                NoiseSource &, const StepParams &);

// k-diffusion get_ancestral_step: split the step sigma -> sigma_next into a deterministic part
// down to sigma_down and fresh noise of std sigma_up, sigma_down^2 + sigma_up^2 = sigma_next^2.
//   sigma_up = min(sigma_next, eta*sqrt(sigma_next^2 (sigma^2 - sigma_next^2) / sigma^2));
//   eta == 0: sigma_down = sigma_next, sigma_up = 0.
struct AncestralStep {
    double down;
    double up;
};
AncestralStep ancestral_step(double sigma, double sigma_next, double eta);

// Adds s_noise*sigma_up*N(0, I) to x in place when sigma_up > 0 (k-diffusion adds noise only when
// sigma_next > 0; sigma_up is 0 there anyway). No draw is made when nothing would be added.
void add_ancestral_noise(at::Tensor &x, double sigma_up, NoiseSource &noise, const StepParams &p);

// Reports a finished step to options.on_step; throws ARTV_ERR_ABORTED when it returns false.
void finish_step(const StepParams &p, int done, int steps);

// Evaluates the denoiser and checks that it returned a tensor of x's shape.
at::Tensor denoise(const Denoiser &denoiser, const at::Tensor &x, double sigma);

// One file each.
at::Tensor sample_dpmpp_2s_ancestral(const Denoiser &, const std::vector<double> &, at::Tensor,
                                     NoiseSource &, const StepParams &);
at::Tensor sample_ddim(const Denoiser &, const std::vector<double> &, at::Tensor, NoiseSource &,
                       const StepParams &);
at::Tensor sample_euler(const Denoiser &, const std::vector<double> &, at::Tensor, NoiseSource &,
                        const StepParams &);

}  // namespace artv::detail
