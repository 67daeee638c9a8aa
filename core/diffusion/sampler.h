// Samplers in the k-diffusion style: a sampler is a function of (denoiser, sigmas, start latent,
// noise source). It knows nothing about networks, guidance or masks; those live in the denoiser
// callback (diffusion/artv_denoiser.h). Everything is in the sigma form x = x0 + sigma*eps.
// Adding a sampler = one file (see sampler_impl.h) + one enum value + one line in the table of
// sampler.cpp.
#pragma once

#include <ATen/core/Tensor.h>

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "diffusion/noise.h"

namespace artv {

// D(x, sigma): the denoised estimate of x at noise level sigma (D = x - sigma*eps_hat).
using Denoiser = std::function<at::Tensor(const at::Tensor &x, double sigma)>;

enum class SamplerKind {
    DpmPP2SAncestral,  // SGM DPMPP2SAncestralSampler / k-diffusion sample_dpmpp_2s_ancestral
    Ddim,              // DDIM (Song et al.) in sigma form; deterministic unless eta > 0
    Euler,             // k-diffusion sample_euler with s_churn = 0
};

struct SamplerOptions {
    // Ancestral noise amount in [0, 1]; unset: the sampler's default_eta() (DPM++ 2S a: 1,
    // DDIM: 0). Euler ignores it.
    std::optional<double> eta;
    // Scale of the ancestral noise draws (k-diffusion s_noise), finite and >= 0.
    double s_noise = 1.0;
    // Called after every step with (steps done, total steps). Returning false aborts: sample()
    // throws artv::Error(ARTV_ERR_ABORTED). Exceptions thrown by it propagate unchanged.
    std::function<bool(int step, int steps)> on_step;
};

// "dpmpp_2s_ancestral" (alias "dpmpp_2s_a"), "ddim", "euler". Unknown names throw
// ARTV_ERR_INVALID_ARGUMENT with the list of valid names.
SamplerKind parse_sampler(const std::string &name);
const char *sampler_name(SamplerKind kind);
std::vector<std::string> sampler_names();  // canonical names, in table order
double default_eta(SamplerKind kind);

// Denoiser evaluations for `steps` steps ending at sigma = 0 (eta in [0, 1]):
// DPM++ 2S a: 2 per step except the last (2*steps - 1); DDIM, Euler: 1 per step.
int denoiser_calls(SamplerKind kind, int steps);

// Runs the sampler from x at sigmas[0] down to sigmas.back(). sigmas: at least 2 values, finite,
// strictly decreasing, >= 0 (Schedule::sigmas(n) gives n+1 of them ending in 0). x is not
// modified (the sampler works on a copy). Bad arguments throw ARTV_ERR_INVALID_ARGUMENT.
at::Tensor sample(SamplerKind kind, const Denoiser &denoiser, const std::vector<double> &sigmas,
                  const at::Tensor &x, NoiseSource &noise, const SamplerOptions &options = {});

// The start latent: N(0, I) * sqrt(1 + sigma_max^2), SGM `prepare_sampling_loop` (the marginal
// scale of unit-variance data at sigma_max; k-diffusion uses sigma_max alone).
at::Tensor initial_latent(at::IntArrayRef shape, const at::TensorOptions &options, double sigma_max,
                          NoiseSource &noise);

}  // namespace artv
