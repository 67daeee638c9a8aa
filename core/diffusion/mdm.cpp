#include "diffusion/mdm.h"

#include <ATen/ATen.h>

#include "diffusion/schedule.h"

namespace artv {

at::Tensor static_noise(const at::Tensor &x, const at::Tensor &x_ref, double sigma) {
    return (x_ref.defined() ? x - x_ref : x) / sigma;
}

at::Tensor static_noise_vp(const Schedule &schedule, const at::Tensor &x_t, const at::Tensor &x_ref,
                           const at::Tensor &k) {
    const auto [sqrt_abar, sqrt_one_minus_abar] = schedule.q_coefficients(k, x_t);
    const at::Tensor residual = x_ref.defined() ? x_t - sqrt_abar * x_ref : x_t;
    return residual / sqrt_one_minus_abar;
}

at::Tensor mdm_mix(const at::Tensor &eps_theta, const at::Tensor &eps_static,
                   const at::Tensor &mask) {
    return at::lerp(eps_theta, eps_static, mask.to(eps_theta.scalar_type()));
}

}  // namespace artv
