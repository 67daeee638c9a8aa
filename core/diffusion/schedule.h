// The DDPM noise schedule as data (betas -> alphas_cumprod -> sigmas), computed once per config,
// and the conversions between the VP form x_t = sqrt(abar)*x0 + sqrt(1-abar)*eps used in training
// and the sigma form x = x0 + sigma*eps the samplers work in (x = x_t / sqrt(abar)).
// References: SGM `LegacyDDPMDiscretization` / `make_beta_schedule("linear")`, k-diffusion
// `CompVisDenoiser`; docs/SAMPLING.md.
#pragma once

#include <ATen/core/Tensor.h>

#include <string>
#include <utility>
#include <vector>

namespace artv {

// What the noise network predicts: eps (SD 1.x/2.x-base) or v = sqrt(abar)*eps - sqrt(1-abar)*x0.
enum class Prediction { Eps, V };

// "eps" (alias "epsilon") or "v" (alias "v_prediction"); anything else: ARTV_ERR_INVALID_ARGUMENT.
Prediction parse_prediction(const std::string &name);
const char *prediction_name(Prediction p);

class Schedule {
public:
    // beta = linspace(sqrt(linear_start), sqrt(linear_end), timesteps)^2 in float64.
    // Throws ARTV_ERR_INVALID_ARGUMENT for timesteps < 2 or betas outside (0, 1).
    explicit Schedule(double linear_start = 0.00085, double linear_end = 0.012,
                      int timesteps = 1000, Prediction prediction = Prediction::Eps);

    int timesteps() const { return static_cast<int>(alphas_cumprod_.size()); }
    Prediction prediction() const { return prediction_; }

    // abar_t = prod_{s<=t}(1 - beta_s), t = 0..T-1.
    const std::vector<double> &alphas_cumprod() const { return alphas_cumprod_; }
    // sigma_t = sqrt((1 - abar_t) / abar_t), ascending in t.
    const std::vector<double> &sigma_table() const { return sigmas_; }
    double sigma_at(int t) const;

    // The n timesteps SGM samples at (`generate_roughly_equally_spaced_steps`):
    // linspace(T-1, 0, n, endpoint=False).astype(int)[::-1], ascending; n=50 gives 19, 39, ...,
    // 999. n must be in [1, T].
    std::vector<int> sampling_timesteps(int n) const;
    // n+1 sigmas for n sampler steps: sigma at sampling_timesteps(n), descending, then 0.
    std::vector<double> sigmas(int n) const;

    // The network's timestep for a sigma. quantize: the index of the nearest sigma_t (SGM
    // `DiscreteDenoiser`, distance in sigma); otherwise k-diffusion's fractional t from linear
    // interpolation in log sigma (`CompVisDenoiser.sigma_to_t`), clamped to [0, T-1].
    double sigma_to_t(double sigma, bool quantize) const;

    // Network input scaling of the sigma form: c_in = 1/sqrt(sigma^2+1) maps x to x_t
    // (SGM `EpsScaling`/`VScaling`).
    static double c_in(double sigma);

    // Forward process q(x_k | x0) = sqrt(abar_k)*x0 + sqrt(1-abar_k)*noise, in x0's dtype/device.
    // k is an int64 tensor [B] (one level per batch item of x0) or a single level.
    at::Tensor q_sample(const at::Tensor &x0, const at::Tensor &k, const at::Tensor &noise) const;
    at::Tensor q_sample(const at::Tensor &x0, int k, const at::Tensor &noise) const;
    // The v-prediction training target sqrt(abar_k)*noise - sqrt(1-abar_k)*x0 (k as for q_sample).
    at::Tensor v_target(const at::Tensor &x0, const at::Tensor &k, const at::Tensor &noise) const;

    // eps from a v-prediction at sigma, given the network input x_in = c_in*x (= x_t):
    // eps = sqrt(abar)*v + sqrt(1-abar)*x_t with sqrt(abar) = c_in, sqrt(1-abar) = sigma*c_in.
    static at::Tensor eps_from_v(const at::Tensor &v, const at::Tensor &x_in, double sigma);

    // sqrt(abar_k) and sqrt(1-abar_k) for each level of the int64 tensor k [B], shaped [B,1,...]
    // in like's dtype/device to broadcast over a batch like `like`. Levels outside [0, T-1] throw.
    std::pair<at::Tensor, at::Tensor> q_coefficients(const at::Tensor &k,
                                                     const at::Tensor &like) const;

private:
    void check_level(int k) const;

    Prediction prediction_;
    std::vector<double> alphas_cumprod_;
    std::vector<double> sigmas_;
    std::vector<double> log_sigmas_;
};

}  // namespace artv
