// Stage "vae": trains the AutoencoderKL of a small model on frames of the training data
// (reconstruction + a small KL, as SD's LPIPSWithDiscriminator without the perceptual and GAN
// terms, which need weights we cannot download):
//   (mu, logvar) = encode(x), z = mu + exp(logvar/2) n, x' = decode(z), x in [-1, 1]
//   loss = [ l1 * sum|x - x'| + l2 * sum (x - x')^2 + kl * KL(N(mu, var) || N(0, I)) ] / (3 H W)
// i.e. SD's per-sample sums normalised by the pixel count, so vae_kl = 1e-6 weighs the KL as
// SD's kl_weight 1e-6 does. The model config written in checkpoints carries the latent scale
// factor 1/std(mu) over a fixed set of training frames (SD's 0.18215 was found the same way),
// so that the diffusion stage sees unit-variance latents.
#pragma once

#include <ATen/core/Tensor.h>

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "io/config.h"
#include "train/train_config.h"
#include "train/trainer.h"

namespace artv {

// The shift augmentation (TrainConfig::vae_shift_*) of samples first .. first + count − 1 of
// step `step`, the same for the same (seed, step, sample) however the batch is split.
struct DecoderShifts {
    at::Tensor moves;    // [count, 2] float pixels per move (dx right, dy down), whole numbers;
                         // zero for the samples left unshifted, never zero for the others
    at::Tensor repeats;  // [count] int64: how many times the latent moves (0 when unshifted)
};
DecoderShifts draw_decoder_shifts(const TrainConfig &config, int64_t step, int64_t first, int64_t count);
// The augmentation applied: the latents z [N, C, h, w] moved repeats[i] times by
// moves[i] / downsample latent pixels (shift_latents, bilinear each time), the frames x
// [N, 3, H, W] once by repeats[i] · moves[i] pixels.
std::pair<at::Tensor, at::Tensor> apply_decoder_shifts(const DecoderShifts &shifts, const at::Tensor &z,
                                                       const at::Tensor &x, int downsample);

class ArtvNetworks;
class SampleDrawer;
class WorkerPool;

class VaeTask : public TrainTask {
public:
    VaeTask(const TrainConfig &config, std::shared_ptr<ArtvNetworks> nets,
            std::shared_ptr<const SampleDrawer> drawer, std::string data_description);
    ~VaeTask() override;

    NamedTensors trainable() override;
    NamedTensors model_state() override;  // "vae." tensors only
    // The model config with latent.scale_factor measured on the current weights.
    std::string model_config_json() const override;
    std::vector<std::string> metric_names() const override { return {"rec_l1", "kl"}; }
    TaskLoss loss(int64_t step, int64_t first, int64_t count) override;
    std::string data_state() const override { return data_description_; }
    void set_training(bool training) override;
    void write_samples(int64_t step, const std::string &dir) override;

    // Mean |x - decode(mu)| (x in [-1, 1]) over samples [first, first+count) of step `step`:
    // the reconstruction through the posterior mean, as the diffusion stage's latents are.
    double mean_reconstruction_l1(int64_t step, int64_t first, int64_t count) const;
    // 1 / std of the posterior means of `frames` fixed training frames.
    double measure_scale_factor(int frames = 64) const;
    // [N, 3, H, W] in [-1, 1] on the networks' device: the targets of data samples first ..
    // first + count - 1 (step s's batch starts at s * batch_size), drawn on the data threads.
    at::Tensor target_frames(uint64_t first, int64_t count) const;

private:
    bool decoder_only() const;  // vae_train = decoder: the encoder is frozen

    TrainConfig config_;
    std::shared_ptr<ArtvNetworks> nets_;
    std::shared_ptr<const SampleDrawer> drawer_;
    std::string data_description_;
    std::unique_ptr<WorkerPool> pool_;  // data_threads
};

}  // namespace artv
