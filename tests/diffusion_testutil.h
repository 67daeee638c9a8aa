// Shared by the diffusion tests: the exact denoiser of Gaussian data and stand-in networks with
// a known, condition-dependent output, which record how they were called.
#pragma once

#include <ATen/ATen.h>

#include <cmath>
#include <utility>
#include <vector>

#include "diffusion/artv_denoiser.h"

namespace artv::test {

// Data N(mu, s^2 I) in the sigma form x = x0 + sigma*eps: x ~ N(mu, (s^2 + sigma^2) I) and the
// posterior mean is E[x0 | x] = mu + s^2/(s^2 + sigma^2) (x - mu).
inline Denoiser gaussian_denoiser(at::Tensor mu, double s) {
    return [mu = std::move(mu), s](const at::Tensor &x, double sigma) {
        return mu + (x - mu) * (s * s / (s * s + sigma * sigma));
    };
}

inline double max_abs_diff(const at::Tensor &a, const at::Tensor &b) {
    return (a - b).abs().max().item<double>();
}

enum class FakeMask { Learned, Ones, Zeros, Absent };

// Stand-in for the noise and mask networks: each condition gets its own smooth function of the
// input and the timestep, so a mix-up of conditions, rows or weights changes the result.
struct FakeNetworks {
    std::vector<int64_t> batch_sizes;  // one entry per call
    std::vector<double> timesteps;     // t of each call (all rows share it)

    static at::Tensor eps_for(Cond c, const at::Tensor &x_in, double t) {
        const double k = static_cast<double>(static_cast<int>(c));
        return at::tanh(x_in * (0.5 + 0.25 * k)) + 0.3 * k - 0.2 + 1e-3 * t;
    }
    static at::Tensor mask_for(Cond c, const at::Tensor &x_in) {
        const double k = static_cast<double>(static_cast<int>(c));
        return at::sigmoid(x_in.mean(1, /*keepdim=*/true) * 2.0 + 0.4 * k - 0.6);
    }

    // The batched callback for these conditions (in the order of the denoiser's terms).
    EpsFn fn(std::vector<Cond> conds, FakeMask mask) {
        return [this, conds = std::move(conds), mask](const at::Tensor &x_in, const at::Tensor &t,
                                                      size_t first_term) {
            const int64_t n = static_cast<int64_t>(conds.size() - first_term),
                          rows = x_in.size(0) / n;
            batch_sizes.push_back(x_in.size(0));
            timesteps.push_back(t[0].item<double>());
            std::vector<at::Tensor> eps, masks;
            for (int64_t j = 0; j < n; ++j) {
                const at::Tensor x = x_in.narrow(0, j * rows, rows);
                const Cond c = conds[first_term + static_cast<size_t>(j)];
                eps.push_back(eps_for(c, x, t[j * rows].item<double>()));
                masks.push_back(mask_for(c, x));
            }
            EpsEval ev{at::cat(eps), at::cat(masks)};
            if (mask == FakeMask::Ones) ev.mask = at::ones_like(ev.mask);
            if (mask == FakeMask::Zeros) ev.mask = at::zeros_like(ev.mask);
            if (mask == FakeMask::Absent) ev.mask = at::Tensor();
            return ev;
        };
    }
};

inline std::vector<Cond> conds_of(const std::vector<std::pair<Cond, double>> &terms) {
    std::vector<Cond> conds;
    for (const auto &t : terms) conds.push_back(t.first);
    return conds;
}

}  // namespace artv::test
