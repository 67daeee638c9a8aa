// The ARTV training objective (paper §3.2, Eq. 5-7; DESIGN.md "Masked diffusion"): the noise
// estimate of the networks in the training (VP) form, masked-diffusion mix with the static noise
// of the clean reference, and the MSE against the true noise (or v, by config).
//
// The networks see x_t = sqrt(abar_t) x0 + sqrt(1-abar_t) eps at integer t, which is exactly
// the c_in * x at sigma_t that the sampler's denoiser (diffusion/artv_denoiser.h) feeds them,
// and the mix uses diffusion/mdm.h's static_noise_vp / mdm_mix, so training and sampling share
// one definition (tests/test_train_mdm.cpp checks the two forms agree).
#pragma once

#include <ATen/core/Tensor.h>

namespace artv {

class ArtvNetworks;
class Schedule;
struct PreparedConditions;

struct TrainPrediction {
    at::Tensor eps_hat;  // [B,C,h,w] fp32: m*eps_static + (1-m)*eps_theta (eps_theta without mask)
    at::Tensor mask;     // [B,1,h,w] fp32; undefined without mask
};

// x_t [B,C,h,w] fp32, t int64 [B], x_ref the clean previous-frame latent (zero rows where the
// references are dropped or blank). v-predictions are converted to eps before the mix, as the
// sampler's denoiser does.
TrainPrediction predict_eps_train(const ArtvNetworks &nets, const Schedule &schedule,
                                  const at::Tensor &x_t, const at::Tensor &t,
                                  const PreparedConditions &cond, const at::Tensor &x_ref,
                                  bool use_mask);

// Per-sample mean squared error [B] of the prediction: against eps for an eps-prediction
// schedule; for v-prediction, v_hat = (eps_hat - sqrt(1-abar) x_t)/sqrt(abar) against
// v = sqrt(abar) eps - sqrt(1-abar) x0 (the v-loss, i.e. the eps-loss weighted by 1/abar).
at::Tensor diffusion_loss_per_sample(const Schedule &schedule, const at::Tensor &eps_hat,
                                     const at::Tensor &x0, const at::Tensor &eps,
                                     const at::Tensor &x_t, const at::Tensor &t);

}  // namespace artv
