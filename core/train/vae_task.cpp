#include "train/vae_task.h"

#include <ATen/autocast_mode.h>
#include <torch/torch.h>

#include <chrono>
#include <filesystem>
#include <tuple>

#include "data/sample_drawer.h"
#include "io/tensor_io.h"
#include "data/rng.h"
#include "model/artv_networks.h"
#include "model/reference_motion.h"
#include "model/vae.h"
#include "train/draw_seed.h"
#include "train/frame_tensor.h"
#include "train/training_data.h"
#include "train/worker_pool.h"
#include "util/error.h"

namespace artv {

DecoderShifts draw_decoder_shifts(const TrainConfig &config, int64_t step, int64_t first, int64_t count) {
    DecoderShifts out{torch::zeros({count, 2}), torch::zeros({count}, torch::kInt64)};
    const uint64_t span = 2 * static_cast<uint64_t>(config.vae_shift_max) + 1;
    for (int64_t i = 0; i < count; ++i) {
        Rng rng(draw_seed(config.seed, step, first + i, DrawPurpose::Shift));
        if (!rng.chance(config.vae_shift_share)) continue;
        int64_t dx = 0, dy = 0;
        while (dx == 0 && dy == 0) {  // a drawn sample always moves
            dx = static_cast<int64_t>(rng.below(span)) - config.vae_shift_max;
            dy = static_cast<int64_t>(rng.below(span)) - config.vae_shift_max;
        }
        out.moves[i][0] = static_cast<float>(dx);
        out.moves[i][1] = static_cast<float>(dy);
        out.repeats[i] = 1 + static_cast<int64_t>(rng.below(static_cast<uint64_t>(config.vae_shift_repeats)));
    }
    return out;
}

std::pair<at::Tensor, at::Tensor> apply_decoder_shifts(const DecoderShifts &shifts, const at::Tensor &z,
                                                       const at::Tensor &x, int downsample) {
    const at::Tensor moves = shifts.moves.to(z.device());
    const at::Tensor repeats = shifts.repeats.to(z.device());
    at::Tensor moved = z;
    const int64_t most = repeats.numel() ? repeats.max().item<int64_t>() : 0;
    for (int64_t r = 1; r <= most; ++r)  // rows already done move by zero: unchanged
        moved = shift_latents(moved, moves * (repeats >= r).unsqueeze(1) / static_cast<double>(downsample));
    return {moved, shift_latents(x, moves * repeats.unsqueeze(1))};
}

VaeTask::VaeTask(const TrainConfig &config, std::shared_ptr<ArtvNetworks> nets,
                 std::shared_ptr<const SampleDrawer> drawer, std::string data_description)
    : config_(config), nets_(std::move(nets)), drawer_(std::move(drawer)),
      data_description_(std::move(data_description)),
      pool_(std::make_unique<WorkerPool>(data_thread_count(config.data_threads))) {
    for (auto &child : nets_->modules().named_children()) {
        const bool trained = child.key() == "vae";
        for (auto &p : child.value()->parameters()) p.set_requires_grad(trained);
    }
    if (decoder_only())  // the latent space stays init_from's
        for (auto &item : nets_->vae().named_parameters())
            if (item.key().starts_with("encoder.") || item.key().starts_with("quant_conv."))
                item.value().set_requires_grad(false);
}

bool VaeTask::decoder_only() const { return config_.vae_train == "decoder"; }

VaeTask::~VaeTask() = default;

at::Tensor VaeTask::target_frames(uint64_t first, int64_t count) const {
    const std::vector<TrainSample> samples = draw_samples(*drawer_, first, count, *pool_);
    std::vector<const Frame *> frames;
    for (const auto &s : samples) frames.push_back(&s.target);
    return frames_to_tensor(frames).to(nets_->device()).mul(2.0).sub(1.0);
}

NamedTensors VaeTask::trainable() { return trainable_parameters(nets_->vae(), "vae."); }

NamedTensors VaeTask::model_state() { return named_tensors(nets_->vae(), "vae."); }

void VaeTask::set_training(bool training) { nets_->vae().train(training); }

TaskLoss VaeTask::loss(int64_t step, int64_t first, int64_t count) {
    const auto data_start = std::chrono::steady_clock::now();
    torch::Tensor x = target_frames(static_cast<uint64_t>(step * config_.batch_size + first), count);
    const double data_seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - data_start).count();

    AutoencoderKL &vae = nets_->vae();
    auto [mean, logvar] = vae.encode_moments(x);  // no graph when the encoder is frozen
    mean = mean.to(torch::kFloat32);
    logvar = logvar.to(torch::kFloat32);
    torch::Tensor z = mean;
    if (config_.vae_sample) {
        std::vector<torch::Tensor> noise;
        for (int64_t i = 0; i < count; ++i) {
            at::Generator g = draw_generator(config_.seed, step, first + i, DrawPurpose::Latent);
            noise.push_back(torch::randn(mean.sizes().slice(1), g));
        }
        z = mean + torch::exp(0.5 * logvar) * torch::stack(noise).to(mean.device());
    }
    if (config_.vae_shift_share > 0)  // the latent moved by d / downsample, its frame by d
        std::tie(z, x) = apply_decoder_shifts(draw_decoder_shifts(config_, step, first, count), z, x,
                                              nets_->config().latent.downsample);
    const torch::Tensor x_rec = vae.decode(z).to(torch::kFloat32);

    const double pixels = static_cast<double>(x[0].numel());
    const torch::Tensor diff = x_rec - x;
    const torch::Tensor l1 = diff.abs().flatten(1).sum(1);
    const torch::Tensor l2 = diff.pow(2).flatten(1).sum(1);
    const torch::Tensor kl =
        0.5 * (mean.pow(2) + logvar.exp() - 1.0 - logvar).flatten(1).sum(1);
    TaskLoss out;
    out.data_seconds = data_seconds;
    out.loss = ((config_.vae_l1 * l1 + config_.vae_l2 * l2 + config_.vae_kl * kl) / pixels).mean();
    out.metrics = {(l1 / pixels).mean().item<double>(), kl.mean().item<double>()};
    return out;
}

double VaeTask::mean_reconstruction_l1(int64_t step, int64_t first, int64_t count) const {
    torch::NoGradGuard no_grad;
    const torch::Tensor x = target_frames(static_cast<uint64_t>(step * config_.batch_size + first), count);
    const torch::Tensor rec = nets_->vae().decode(nets_->vae().encode(x)).to(torch::kFloat32);
    return (rec - x).abs().mean().item<double>();
}

double VaeTask::measure_scale_factor(int frames) const {
    torch::NoGradGuard no_grad;
    // A fixed set: samples far past any step's indices, the same at every checkpoint.
    const torch::Tensor x = target_frames(uint64_t(1) << 62, frames);
    const bool was_training = nets_->vae().is_training();
    nets_->vae().eval();
    const double std = nets_->vae().encode(x).to(torch::kFloat64).std().item<double>();
    nets_->vae().train(was_training);
    if (!(std > 0)) throw_error(ARTV_ERR_NUMERIC, "VAE latents have no variance");
    return 1.0 / std;
}

std::string VaeTask::model_config_json() const {
    ModelConfig c = nets_->config();
    if (!decoder_only()) c.latent.scale_factor = measure_scale_factor();  // else init_from's
    return c.to_json();
}

void VaeTask::write_samples(int64_t step, const std::string &dir) {
    torch::NoGradGuard no_grad;
    const std::vector<TrainSample> samples = draw_samples(*drawer_, uint64_t(1) << 62, 8, *pool_);
    std::vector<const Frame *> ptrs;
    for (const auto &s : samples) ptrs.push_back(&s.target);
    const torch::Tensor x = frames_to_tensor(ptrs).to(nets_->device());
    const torch::Tensor rec = nets_->vae().decode(nets_->vae().encode(x * 2 - 1)).add(1).div(2);
    std::vector<Frame> cells;
    for (int i = 0; i < 8; ++i) {
        cells.push_back(samples[size_t(i)].target);
        cells.push_back(tensor_to_frame(rec[i]));
    }
    std::filesystem::create_directories(dir);
    char name[64];
    std::snprintf(name, sizeof name, "/vae-%07lld.png", static_cast<long long>(step));
    write_png(dir + name, contact_sheet(cells, 4));
}

}  // namespace artv
