#include "train/mdm_loss.h"

#include <torch/torch.h>

#include "diffusion/mdm.h"
#include "diffusion/schedule.h"
#include "model/artv_networks.h"

namespace artv {

TrainPrediction predict_eps_train(const ArtvNetworks &nets, const Schedule &schedule,
                                  const at::Tensor &x_t, const at::Tensor &t,
                                  const PreparedConditions &cond, const at::Tensor &x_ref,
                                  bool use_mask) {
    const at::Tensor t_float = t.to(torch::kFloat32);
    at::Tensor eps = nets.eps(x_t, t_float, cond).to(torch::kFloat32);
    if (schedule.prediction() == Prediction::V) {
        // eps = sqrt(abar) v + sqrt(1-abar) x_t (Schedule::eps_from_v, per-sample levels).
        auto [sa, s1a] = schedule.q_coefficients(t, x_t);
        eps = sa * eps + s1a * x_t;
    }
    TrainPrediction out;
    if (!use_mask) {
        out.eps_hat = eps;
        return out;
    }
    out.mask = nets.mask(x_t, t_float, cond).to(torch::kFloat32);
    const at::Tensor eps_static = static_noise_vp(schedule, x_t, x_ref, t);
    out.eps_hat = mdm_mix(eps, eps_static, out.mask);
    return out;
}

at::Tensor diffusion_loss_per_sample(const Schedule &schedule, const at::Tensor &eps_hat,
                                     const at::Tensor &x0, const at::Tensor &eps,
                                     const at::Tensor &x_t, const at::Tensor &t) {
    at::Tensor err;
    if (schedule.prediction() == Prediction::V) {
        auto [sa, s1a] = schedule.q_coefficients(t, x_t);
        const at::Tensor v_hat = (eps_hat - s1a * x_t) / sa;
        err = v_hat - schedule.v_target(x0, t, eps);
    } else {
        err = eps_hat - eps;
    }
    return err.pow(2).flatten(1).mean(1);
}

}  // namespace artv
