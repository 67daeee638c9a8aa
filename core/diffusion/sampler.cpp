// The sampler table, argument checks, and the helpers the sampler files share.
#include "diffusion/sampler.h"

#include <ATen/ATen.h>
#include <ATen/core/grad_mode.h>

#include <algorithm>
#include <cmath>
#include <sstream>

#include "diffusion/sampler_impl.h"
#include "util/error.h"

namespace artv {
namespace {

struct SamplerEntry {
    SamplerKind kind;
    const char *name;
    const char *alias;  // nullptr: none
    double default_eta;
    int calls_per_step;  // the last step (to sigma = 0) always takes one call
    detail::SampleFn fn;
};

const SamplerEntry kSamplers[] = {
    {SamplerKind::DpmPP2SAncestral, "dpmpp_2s_ancestral", "dpmpp_2s_a", 1.0, 2,
     &detail::sample_dpmpp_2s_ancestral},
    {SamplerKind::Ddim, "ddim", nullptr, 0.0, 1, &detail::sample_ddim},
    {SamplerKind::Euler, "euler", nullptr, 0.0, 1, &detail::sample_euler},
};

const SamplerEntry &entry(SamplerKind kind) {
    for (const SamplerEntry &e : kSamplers)
        if (e.kind == kind) return e;
    throw_error(ARTV_ERR_INTERNAL, "sampler kind missing from the sampler table");
}

void check_sigmas(const std::vector<double> &sigmas) {
    if (sigmas.size() < 2)
        throw_invalid("a sampler needs at least 2 sigmas (1 step), got " +
                      std::to_string(sigmas.size()));
    for (std::size_t i = 0; i < sigmas.size(); ++i) {
        if (!std::isfinite(sigmas[i]) || sigmas[i] < 0)
            throw_invalid("sigma " + std::to_string(i) + " is not finite and >= 0");
        if (i > 0 && !(sigmas[i] < sigmas[i - 1]))
            throw_invalid("sigmas must be strictly decreasing (sigma " + std::to_string(i) + ")");
    }
}

}  // namespace

SamplerKind parse_sampler(const std::string &name) {
    for (const SamplerEntry &e : kSamplers)
        if (name == e.name || (e.alias && name == e.alias)) return e.kind;
    std::ostringstream m;
    m << "unknown sampler '" << name << "' (valid:";
    for (const SamplerEntry &e : kSamplers) {
        m << ' ' << e.name;
        if (e.alias) m << " (alias " << e.alias << ')';
    }
    m << ')';
    throw_invalid(m.str());
}

const char *sampler_name(SamplerKind kind) {
    return entry(kind).name;
}

std::vector<std::string> sampler_names() {
    std::vector<std::string> names;
    for (const SamplerEntry &e : kSamplers) names.emplace_back(e.name);
    return names;
}

double default_eta(SamplerKind kind) {
    return entry(kind).default_eta;
}

int denoiser_calls(SamplerKind kind, int steps) {
    if (steps < 1) throw_invalid("steps must be >= 1, got " + std::to_string(steps));
    return entry(kind).calls_per_step * (steps - 1) + 1;
}

at::Tensor sample(SamplerKind kind, const Denoiser &denoiser, const std::vector<double> &sigmas,
                  const at::Tensor &x, NoiseSource &noise, const SamplerOptions &options) {
    const SamplerEntry &e = entry(kind);
    check_sigmas(sigmas);
    if (!x.defined()) throw_invalid("sampler start latent is undefined");
    if (!denoiser) throw_invalid("sampler denoiser is empty");
    const double eta = options.eta.value_or(e.default_eta);
    if (!std::isfinite(eta) || eta < 0 || eta > 1)
        throw_invalid("eta must be in [0, 1], got " + std::to_string(eta));
    if (!std::isfinite(options.s_noise) || options.s_noise < 0)
        throw_invalid("s_noise must be finite and >= 0, got " + std::to_string(options.s_noise));
    at::NoGradGuard no_grad;
    return e.fn(denoiser, sigmas, x.clone(), noise,
                detail::StepParams{eta, options.s_noise, &options});
}

at::Tensor initial_latent(at::IntArrayRef shape, const at::TensorOptions &options, double sigma_max,
                          NoiseSource &noise) {
    return noise.randn(shape, options).mul_(std::sqrt(1.0 + sigma_max * sigma_max));
}

namespace detail {

AncestralStep ancestral_step(double sigma, double sigma_next, double eta) {
    if (eta == 0) return {sigma_next, 0.0};
    const double up = std::min(
        sigma_next, eta * std::sqrt(sigma_next * sigma_next *
                                    (sigma * sigma - sigma_next * sigma_next) / (sigma * sigma)));
    return {std::sqrt(sigma_next * sigma_next - up * up), up};
}

void add_ancestral_noise(at::Tensor &x, double sigma_up, NoiseSource &noise, const StepParams &p) {
    const double scale = p.s_noise * sigma_up;
    if (scale > 0) x.add_(noise.randn(x.sizes(), x.options()), scale);
}

void finish_step(const StepParams &p, int done, int steps) {
    if (p.options->on_step && !p.options->on_step(done, steps))
        throw_error(ARTV_ERR_ABORTED, "sampling aborted after step " + std::to_string(done) +
                                          " of " + std::to_string(steps));
}

at::Tensor denoise(const Denoiser &denoiser, const at::Tensor &x, double sigma) {
    at::Tensor d = denoiser(x, sigma);
    if (!d.defined() || d.sizes() != x.sizes())
        throw_error(ARTV_ERR_INTERNAL, "denoiser returned a tensor of the wrong shape");
    return d;
}

}  // namespace detail
}  // namespace artv
