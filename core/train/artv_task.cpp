#include "train/artv_task.h"

#include <torch/torch.h>

#include <chrono>
#include <filesystem>

#include "data/sample_drawer.h"
#include "generate/session.h"
#include "train/frame_tensor.h"
#include "diffusion/noise.h"
#include "io/tensor_io.h"
#include "model/artv_networks.h"
#include "model/reference_motion.h"
#include "train/draw_seed.h"
#include "train/mdm_loss.h"
#include "train/training_data.h"
#include "train/worker_pool.h"
#include "util/error.h"

namespace artv {
namespace {

Schedule schedule_of(const ModelConfig &c) {
    return Schedule(c.schedule.linear_start, c.schedule.linear_end, c.schedule.timesteps,
                    parse_prediction(c.schedule.prediction));
}

}  // namespace

ArtvTask::ArtvTask(const TrainConfig &config, std::shared_ptr<ArtvNetworks> nets,
                   std::shared_ptr<const SampleDrawer> drawer, std::string data_description)
    : config_(config), nets_(std::move(nets)), drawer_(std::move(drawer)),
      data_description_(std::move(data_description)), schedule_(schedule_of(nets_->config())),
      cache_(config.latent_cache_mb << 20, config.encode_batch),
      pool_(std::make_unique<WorkerPool>(data_thread_count(config.data_threads))) {
    if (!nets_->has_tokenizer())
        throw_invalid("stage artv needs a tokenizer (train one with `artv train tokenizer`, "
                      "then pass --tokenizer FILE)");
    // The VAE is frozen; without the mask ablation's network nothing trains it either.
    torch::nn::Module &root = nets_->modules();
    for (auto &child : root.named_children()) {
        const bool trained = child.key() == "unet" || child.key() == "text" ||
                             (child.key() == "mask" && config_.use_mask);
        for (auto &p : child.value()->parameters()) p.set_requires_grad(trained);
    }
}

ArtvTask::~ArtvTask() = default;

NamedTensors ArtvTask::trainable() { return trainable_parameters(nets_->modules()); }

NamedTensors ArtvTask::model_state() { return named_tensors(nets_->modules()); }

std::string ArtvTask::model_config_json() const { return nets_->config().to_json(); }

std::vector<std::string> ArtvTask::metric_names() const {
    return config_.use_mask ? std::vector<std::string>{"mask_mean"} : std::vector<std::string>{};
}

void ArtvTask::set_training(bool training) {
    nets_->modules().train(training);
    for (auto &child : nets_->modules().named_children())
        if (child.key() == "vae") child.value()->eval();  // frozen: always in inference mode
}

ArtvBatch ArtvTask::make_batch(int64_t step, int64_t first, int64_t count) {
    const std::vector<TrainSample> samples =
        draw_samples(*drawer_, static_cast<uint64_t>(step * config_.batch_size + first), count, *pool_);

    // Latents of every frame at once: targets, x_{t-2}, x_{t-1}, anchors (empty -> zero).
    std::vector<const Frame *> frames;
    for (const auto &s : samples) frames.push_back(&s.target);
    for (const auto &s : samples) frames.push_back(&s.ref1);
    for (const auto &s : samples) frames.push_back(&s.ref2);
    for (const auto &s : samples) frames.push_back(&s.anchor);
    const torch::Tensor z = cache_.encode(*nets_, frames, pool_.get()).to(nets_->device());
    const auto parts = z.chunk(4, 0);

    const int64_t levels = schedule_.timesteps();
    const auto shape = parts[0].sizes().slice(1).vec();
    std::vector<torch::Tensor> t, eps, k, n1, n2, na, keep_refs, keep_anchor, motion;
    const bool with_motion = nets_->config().artv.uses_reference_motion();
    const int downsample = nets_->config().latent.downsample;
    ArtvBatch b;
    for (int64_t i = 0; i < count; ++i) {
        const TrainSample &s = samples[static_cast<size_t>(i)];
        at::Generator gt = draw_generator(config_.seed, step, first + i, DrawPurpose::Timestep);
        t.push_back(torch::randint(0, levels, {1}, gt, torch::kInt64));
        eps.push_back(torch::randn(shape, gt));
        at::Generator ga = draw_generator(config_.seed, step, first + i, DrawPurpose::Augment);
        k.push_back(torch::randint(0, config_.max_noise_level + 1, {1}, ga, torch::kInt64));
        n1.push_back(torch::randn(shape, ga));
        n2.push_back(torch::randn(shape, ga));
        na.push_back(torch::randn(shape, ga));
        at::Generator gd = draw_generator(config_.seed, step, first + i, DrawPurpose::Dropout);
        const torch::Tensor u = torch::rand({3}, gd, torch::kFloat64);
        const bool drop_refs = u[0].item<double>() < config_.p_drop_refs || !s.has_refs();
        const bool drop_anchor = u[1].item<double>() < config_.p_drop_anchor || !s.has_anchor() ||
                                 !config_.use_anchor;
        const double p_text = s.mode == SampleMode::Continue && config_.p_drop_text_continue >= 0
                                  ? config_.p_drop_text_continue
                                  : config_.p_drop_text;
        const bool drop_text = u[2].item<double>() < p_text;
        keep_refs.push_back(torch::full({1}, drop_refs ? 0.0f : 1.0f));
        // The motion is a property of the references: dropped with them.
        if (with_motion)
            motion.push_back(drop_refs ? torch::zeros({2}) : reference_motion(s.ref1, s.ref2, downsample));
        keep_anchor.push_back(torch::full({1}, drop_anchor ? 0.0f : 1.0f));
        b.captions.push_back(drop_text ? std::string() : s.caption);
        b.modes.push_back(static_cast<int>(s.mode));
    }
    const auto dev = nets_->device();
    auto as_rows = [&](const torch::Tensor &v) { return v.to(dev).view({-1, 1, 1, 1}); };
    b.x0 = parts[0];
    b.t = torch::cat(t).to(dev);
    b.eps = torch::stack(eps).to(dev);
    b.k = torch::cat(k).to(dev);
    b.x_t = schedule_.q_sample(b.x0, b.t, b.eps);
    const torch::Tensor kr = as_rows(torch::cat(keep_refs)), ka = as_rows(torch::cat(keep_anchor));
    const torch::Tensor r1 = noise_augment(schedule_, parts[1], b.k, torch::stack(n1).to(dev));
    const torch::Tensor r2 = noise_augment(schedule_, parts[2], b.k, torch::stack(n2).to(dev));
    b.refs = torch::cat({r1, r2}, 1) * kr;
    b.anchor = noise_augment(schedule_, parts[3], b.k, torch::stack(na).to(dev)) * ka;
    if (with_motion) b.motion = torch::stack(motion).to(dev);
    b.x_ref = nets_->warp_reference(parts[2], b.motion) * kr;
    return b;
}

TaskLoss ArtvTask::loss(int64_t step, int64_t first, int64_t count) {
    const auto data_start = std::chrono::steady_clock::now();
    ArtvBatch b = make_batch(step, first, count);
    const double data_seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - data_start).count();
    FrameConditions fc;
    fc.refs = b.refs;
    fc.anchor = b.anchor;
    fc.text = nets_->encode_text(b.captions);
    fc.noise_level = b.k.to(torch::kFloat32);
    fc.motion = b.motion;
    const PreparedConditions prepared = nets_->prepare(fc);
    const TrainPrediction pred =
        predict_eps_train(*nets_, schedule_, b.x_t, b.t, prepared, b.x_ref, config_.use_mask);
    TaskLoss out;
    out.data_seconds = data_seconds;
    out.loss = diffusion_loss_per_sample(schedule_, pred.eps_hat, b.x0, b.eps, b.x_t, b.t).mean();
    if (config_.use_mask) out.metrics.push_back(pred.mask.detach().mean().item<double>());
    return out;
}

void ArtvTask::write_samples(int64_t step, const std::string &dir) {
    // A quick look with the current weights: for a few fixed samples (one row each), the
    // conditioning frames fed to a generation session as the mode says (continue: x_{t-2},
    // x_{t-1}; animate: the still frame; T2V: nothing), then 4 frames generated with DDIM.
    torch::NoGradGuard no_grad;
    constexpr int kRows = 4, kFrames = 4;
    std::vector<Frame> cells;
    const std::vector<TrainSample> rows = draw_samples(*drawer_, uint64_t(1) << 62, kRows, *pool_);
    for (int i = 0; i < kRows; ++i) {
        const TrainSample &s = rows[size_t(i)];
        SessionOptions so;
        so.sampler = SamplerKind::Ddim;
        so.steps = 20;
        so.seed = static_cast<uint64_t>(i);
        so.use_mask = config_.use_mask;
        Session session(nets_, so);
        std::vector<const Frame *> fed;
        if (s.mode == SampleMode::Continue) fed = {&s.ref1, &s.ref2};
        else if (s.mode == SampleMode::Animate) fed = {&s.ref2};
        for (const Frame *f : fed) session.feed_frame(f->rgb.data(), f->width, f->height, int(f->stride()));
        session.set_prompt(s.caption);
        // Row: the fed frames (blank cells for T2V), the true next frame, the generated ones.
        for (size_t c = 0; c < 2; ++c)
            cells.push_back(c < fed.size() ? *fed[c] : Frame(s.target.width, s.target.height, 0, 0, 0));
        cells.push_back(s.target);
        for (int f = 0; f < kFrames; ++f) cells.push_back(tensor_to_frame(session.next_frame_image()));
    }
    std::filesystem::create_directories(dir);
    char name[64];
    std::snprintf(name, sizeof name, "/artv-%07lld.png", static_cast<long long>(step));
    write_png(dir + name, contact_sheet(cells, 3 + kFrames));
}

}  // namespace artv
