#include "diffusion/schedule.h"

#include <ATen/ATen.h>

#include <algorithm>
#include <cmath>

#include "util/error.h"

namespace artv {

Prediction parse_prediction(const std::string &name) {
    if (name == "eps" || name == "epsilon") return Prediction::Eps;
    if (name == "v" || name == "v_prediction") return Prediction::V;
    throw_invalid("unknown prediction type '" + name + "' (valid: eps, v)");
}

const char *prediction_name(Prediction p) {
    return p == Prediction::V ? "v" : "eps";
}

Schedule::Schedule(double linear_start, double linear_end, int timesteps, Prediction prediction)
    : prediction_(prediction) {
    if (timesteps < 2)
        throw_invalid("schedule needs at least 2 timesteps, got " + std::to_string(timesteps));
    if (!(linear_start > 0 && linear_end > 0 && linear_start < 1 && linear_end < 1))
        throw_invalid("schedule betas must lie in (0, 1), got " + std::to_string(linear_start) +
                      " .. " + std::to_string(linear_end));
    // make_beta_schedule("linear"): torch.linspace(start**0.5, end**0.5, T, dtype=float64)**2.
    const double a = std::sqrt(linear_start), b = std::sqrt(linear_end);
    const double step = (b - a) / (timesteps - 1);
    alphas_cumprod_.resize(timesteps);
    sigmas_.resize(timesteps);
    log_sigmas_.resize(timesteps);
    double abar = 1.0;
    for (int t = 0; t < timesteps; ++t) {
        // torch.linspace computes the second half from the end so that the last value is exact.
        const double r = t < timesteps / 2 ? a + step * t : b - step * (timesteps - 1 - t);
        abar *= 1.0 - r * r;
        alphas_cumprod_[t] = abar;
        sigmas_[t] = std::sqrt((1.0 - abar) / abar);
        log_sigmas_[t] = std::log(sigmas_[t]);
    }
}

double Schedule::sigma_at(int t) const {
    check_level(t);
    return sigmas_[t];
}

void Schedule::check_level(int k) const {
    if (k < 0 || k >= timesteps())
        throw_invalid("timestep " + std::to_string(k) + " outside [0, " +
                      std::to_string(timesteps() - 1) + "]");
}

std::vector<int> Schedule::sampling_timesteps(int n) const {
    const int T = timesteps();
    if (n < 1 || n > T)
        throw_invalid("steps must be in [1, " + std::to_string(T) + "], got " + std::to_string(n));
    // np.linspace(T-1, 0, n, endpoint=False): start + i*step with step = -(T-1)/n; astype(int)
    // truncates; [::-1] makes it ascending.
    const double step = -static_cast<double>(T - 1) / n;
    std::vector<int> ts(n);
    for (int i = 0; i < n; ++i) ts[n - 1 - i] = static_cast<int>(i * step + (T - 1));
    return ts;
}

std::vector<double> Schedule::sigmas(int n) const {
    const std::vector<int> ts = sampling_timesteps(n);
    std::vector<double> out;
    out.reserve(n + 1);
    for (auto it = ts.rbegin(); it != ts.rend(); ++it) out.push_back(sigmas_[*it]);
    out.push_back(0.0);
    return out;
}

double Schedule::sigma_to_t(double sigma, bool quantize) const {
    if (!(sigma >= 0) || !std::isfinite(sigma))
        throw_invalid("sigma must be finite and >= 0, got " + std::to_string(sigma));
    const int T = timesteps();
    if (quantize) {
        // SGM DiscreteDenoiser.sigma_to_idx: argmin |sigma - sigma_t| (first index on ties).
        int best = 0;
        for (int t = 1; t < T; ++t)
            if (std::abs(sigma - sigmas_[t]) < std::abs(sigma - sigmas_[best])) best = t;
        return best;
    }
    // k-diffusion CompVisDenoiser.sigma_to_t: low = last index with log_sigma_t <= log sigma
    // (0 below the table), clamped to T-2; interpolate linearly in log sigma, weight in [0, 1].
    const double ls = std::log(sigma);
    const auto above = std::upper_bound(log_sigmas_.begin(), log_sigmas_.end(), ls);
    int low = static_cast<int>(above - log_sigmas_.begin()) - 1;
    low = std::clamp(low, 0, T - 2);
    const double lo = log_sigmas_[low], hi = log_sigmas_[low + 1];
    const double w = std::clamp((lo - ls) / (lo - hi), 0.0, 1.0);
    return (1.0 - w) * low + w * (low + 1);
}

double Schedule::c_in(double sigma) {
    return 1.0 / std::sqrt(sigma * sigma + 1.0);
}

std::pair<at::Tensor, at::Tensor> Schedule::q_coefficients(const at::Tensor &k,
                                                           const at::Tensor &like) const {
    const at::Tensor levels = k.to(at::kCPU, at::kLong).reshape({-1});
    if (levels.numel() != like.size(0))
        throw_invalid("one noise level per batch item expected: " + std::to_string(levels.numel()) +
                      " levels for a batch of " + std::to_string(like.size(0)));
    if (levels.numel() > 0) {
        const int64_t lo = levels.min().item<int64_t>(), hi = levels.max().item<int64_t>();
        if (lo < 0 || hi >= timesteps())
            throw_invalid("noise level outside [0, " + std::to_string(timesteps() - 1) + "]");
    }
    const at::Tensor abar =
        at::from_blob(const_cast<double *>(alphas_cumprod_.data()),
                      {static_cast<int64_t>(alphas_cumprod_.size())}, at::kDouble)
            .index_select(0, levels);
    std::vector<int64_t> shape(like.dim(), 1);
    shape[0] = -1;
    const auto opts = like.options();
    return {abar.sqrt().view(shape).to(opts), (1.0 - abar).sqrt().view(shape).to(opts)};
}

at::Tensor Schedule::q_sample(const at::Tensor &x0, const at::Tensor &k,
                              const at::Tensor &noise) const {
    const auto [a, s] = q_coefficients(k, x0);
    return a * x0 + s * noise.to(x0.options());
}

at::Tensor Schedule::q_sample(const at::Tensor &x0, int k, const at::Tensor &noise) const {
    check_level(k);
    const double abar = alphas_cumprod_[k];
    return std::sqrt(abar) * x0 + std::sqrt(1.0 - abar) * noise.to(x0.options());
}

at::Tensor Schedule::v_target(const at::Tensor &x0, const at::Tensor &k,
                              const at::Tensor &noise) const {
    const auto [a, s] = q_coefficients(k, x0);
    return a * noise.to(x0.options()) - s * x0;
}

at::Tensor Schedule::eps_from_v(const at::Tensor &v, const at::Tensor &x_in, double sigma) {
    const double c = c_in(sigma);
    return c * v + (sigma * c) * x_in;
}

}  // namespace artv
