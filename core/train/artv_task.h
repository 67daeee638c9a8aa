// Stage "artv": trains the eps U-Net, the mask network and the text encoder with the VAE frozen
// (paper §3, appendix A; DESIGN.md "The model"). One training sample (sample_drawer.h) becomes:
//   x0, refs, anchor  = VAE latents of target, (x_{t-2}, x_{t-1}), anchor (zero when blank)
//   t ~ U{0..T-1}, eps ~ N(0, I), x_t = sqrt(abar_t) x0 + sqrt(1-abar_t) eps
//   k ~ U{0..max_noise_level}: references and anchor noise-augmented at k, k fed to the networks
//   dropout: references (-> zero latents, and a zero x_ref for the static noise), anchor (-> zero),
//            text (-> ""), each with its probability; no-anchor ablation: anchor always zero
//   eps_hat = m eps_static(x_t, x_ref) + (1-m) eps_theta  (no-mask ablation: eps_theta)
//   loss = mean ||eps_hat - eps||^2  (v-loss for a v-prediction schedule)
// Every draw is from draw_generator(seed, step, sample index, purpose).
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "diffusion/schedule.h"
#include "train/latent_cache.h"
#include "train/train_config.h"
#include "train/trainer.h"

namespace artv {

class ArtvNetworks;
class SampleDrawer;
class WorkerPool;
struct TrainSample;

// The tensors of one micro-batch, as fed to the networks (exposed for tests).
struct ArtvBatch {
    at::Tensor x0, eps, t, x_t;       // target latent, noise, int64 timesteps, noisy latent
    at::Tensor refs, anchor, k;       // [B,2C,h,w] augmented (dropped: 0), [B,C,h,w], int64 [B]
    at::Tensor x_ref;                 // clean x_{t-1} latent, moved on by `motion` under
                                      // artv.motion_warp (dropped / blank: 0)
    at::Tensor motion;                // [B,2] reference_motion (dropped / blank: 0); undefined
                                      // unless the config uses it (motion_embed, motion_warp)
    std::vector<std::string> captions;  // "" where the text is dropped
    std::vector<int> modes;           // SampleMode per row
};

class ArtvTask : public TrainTask {
public:
    ArtvTask(const TrainConfig &config, std::shared_ptr<ArtvNetworks> nets,
             std::shared_ptr<const SampleDrawer> drawer, std::string data_description);
    ~ArtvTask() override;

    NamedTensors trainable() override;
    NamedTensors model_state() override;
    std::string model_config_json() const override;
    std::vector<std::string> metric_names() const override;
    TaskLoss loss(int64_t step, int64_t first, int64_t count) override;
    std::string data_state() const override { return data_description_; }
    void set_training(bool training) override;
    void write_samples(int64_t step, const std::string &dir) override;

    // Samples [first, first+count) of step `step`, drawn and noised (no network but the VAE).
    ArtvBatch make_batch(int64_t step, int64_t first, int64_t count);
    const Schedule &schedule() const { return schedule_; }
    ArtvNetworks &networks() const { return *nets_; }
    const LatentCache &latent_cache() const { return cache_; }

private:
    TrainConfig config_;
    std::shared_ptr<ArtvNetworks> nets_;
    std::shared_ptr<const SampleDrawer> drawer_;
    std::string data_description_;
    Schedule schedule_;
    LatentCache cache_;
    std::unique_ptr<WorkerPool> pool_;  // data_threads
};

}  // namespace artv
