#include "train/trainer.h"

#include <ATen/autocast_mode.h>
#include <torch/torch.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>
#include <sstream>

#include "io/safetensors.h"
#include "nn/torch_compat.h"
#include "train/adamw.h"
#include "train/checkpoint.h"
#include "train/distributed.h"
#include "train/draw_seed.h"
#include "train/ema.h"
#include "train/progress_log.h"
#include "train/stop_signal.h"
#include "train/worker_pool.h"
#include "util/cpu_features.h"
#include "util/device.h"
#include "util/error.h"

namespace artv {

std::string train_config_path(const std::string &out_dir) { return out_dir + "/train_config.json"; }
std::string loss_csv_path(const std::string &out_dir) { return out_dir + "/loss.csv"; }

bool use_bf16_autocast(const std::string &precision, torch::Device device) {
    if (precision == "fp32") return false;
    if (!device.is_cpu()) {
        if (precision == "bf16")
            throw_invalid("precision bf16 is CPU autocast; on " + device_name(device) +
                          " train with precision fp32 (or auto)");
        return false;
    }
    if (precision == "bf16") return true;
    return resolve_dtype("auto", c10::Device(c10::kCPU)) == c10::kBFloat16;
}

CpuAutocast::CpuAutocast(bool enabled)
    : enabled_(enabled), previous_(compat::cpu_autocast_enabled()),
      previous_dtype_(compat::cpu_autocast_dtype()) {
    if (!enabled_) return;
    compat::set_cpu_autocast_enabled(true);
    compat::set_cpu_autocast_dtype(at::kBFloat16);
    at::autocast::increment_nesting();
}

CpuAutocast::~CpuAutocast() {
    if (!enabled_) return;
    // As torch.autocast.__exit__: drop the cast cache when the outermost region ends.
    if (at::autocast::decrement_nesting() == 0) at::autocast::clear_cache();
    compat::set_cpu_autocast_enabled(previous_);
    compat::set_cpu_autocast_dtype(previous_dtype_);
}

namespace {

void write_text_atomically(const std::string &path, const std::string &text) {
    const std::string tmp = path + ".tmp";
    {
        std::ofstream out(tmp, std::ios::trunc);
        out << text << '\n';
        out.flush();
        if (!out) {
            std::remove(tmp.c_str());
            throw_io("cannot write " + path);
        }
    }
    if (std::rename(tmp.c_str(), path.c_str()) != 0) {
        std::remove(tmp.c_str());
        throw_io("cannot write " + path);
    }
}

// Gradients of all trainable parameters, defined (zeros for parameters that did not take part in
// this step's graph), so that every rank all-reduces the same list.
std::vector<torch::Tensor> defined_grads(const NamedTensors &params) {
    std::vector<torch::Tensor> grads;
    grads.reserve(params.size());
    for (const auto &[name, p] : params) {
        if (!p.grad().defined()) p.mutable_grad() = torch::zeros_like(p);
        grads.push_back(p.grad());
    }
    return grads;
}

double global_grad_norm(const std::vector<torch::Tensor> &grads) {
    torch::NoGradGuard no_grad;
    std::vector<torch::Tensor> norms;
    norms.reserve(grads.size());
    for (const auto &g : grads) norms.push_back(g.norm(2.0).to(torch::kFloat64));
    return torch::stack(norms).norm(2.0).item<double>();
}

}  // namespace

TrainOutcome run_training(const TrainConfig &config, TrainTask &task, Distributed &dist,
                          const TrainRunOptions &options) {
    validate_train_config(config, dist.world_size());
    const bool main_rank = dist.is_main();
    std::ostream *log = main_rank ? options.log : nullptr;
    set_cpu_threads(config.threads > 0 ? config.threads : cpus_per_local_rank());

    const std::string &dir = config.out_dir;
    std::error_code ec;
    std::filesystem::create_directories(dir, ec);
    if (ec) throw_io("cannot create the run directory " + dir + ": " + ec.message());
    const std::string latest = latest_checkpoint_path(dir);
    const bool have_checkpoint = std::filesystem::exists(latest);
    if (!options.resume && have_checkpoint)
        throw_error(ARTV_ERR_STATE, dir + " already holds a checkpoint (" + latest +
                                        "): continue it with --resume, or choose another --out-dir");
    if (options.resume && !have_checkpoint)
        throw_io("--resume: no checkpoint " + latest + " to continue from");

    NamedTensors params = task.trainable();
    if (params.empty()) throw_invalid("nothing to train: the task has no trainable parameters");
    const bool bf16 = use_bf16_autocast(config.precision, params.begin()->second.device());
    NamedTensors state = task.model_state();
    AdamW optimizer(params, AdamWOptions{config.beta1, config.beta2, config.adam_eps,
                                         config.weight_decay});
    std::unique_ptr<Ema> ema;
    if (config.ema_decay > 0) ema = std::make_unique<Ema>(params, config.ema_decay, config.ema_warmup);

    int64_t start_step = 0;
    std::string resumed_interval;
    if (options.resume) {
        SafeTensorsFile file = SafeTensorsFile::open(latest);
        CheckpointInfo info = read_checkpoint_info(file);
        if (info.stage != config.stage)
            throw_invalid(latest + " is a checkpoint of stage '" + info.stage + "', not '" +
                          config.stage + "'");
        restore_checkpoint(file, state, ema.get(), &optimizer);
        restore_rng_state(file);
        start_step = info.step;
        if (auto it = info.extra.find("log_interval"); it != info.extra.end()) resumed_interval = it->second;
        if (log && info.data_state != task.data_state())
            *log << "note: the data differs from the checkpoint's (" << info.data_state << ")\n";
    } else {
        // Same seed gives the same init everywhere; the broadcast makes it a guarantee.
        std::vector<torch::Tensor> all;
        for (auto &[n, t] : state) all.push_back(t.detach());
        dist.broadcast(all, 0);
        if (ema) ema = std::make_unique<Ema>(params, config.ema_decay, config.ema_warmup);
    }
    if (main_rank) write_text_atomically(train_config_path(dir), train_config_to_json(config));

    std::unique_ptr<ProgressLog> progress;
    if (main_rank)
        progress = std::make_unique<ProgressLog>(loss_csv_path(dir), task.metric_names(),
                                                 config.steps, options.resume ? start_step : -1, log);
    int64_t param_count = 0;
    for (const auto &[n, p] : params) param_count += p.numel();
    if (progress) {
        std::ostringstream s;
        s << "artv train " << config.stage << ": " << param_count << " trainable parameters, "
          << "batch " << config.batch_size << " (" << dist.world_size() << " rank(s) x "
          << config.grad_accum << " micro-step(s)), " << (bf16 ? "bf16 autocast" : "fp32") << ", "
          << torch::get_num_threads() << " thread(s)/rank\n"
          << "cpu: " << cpu_features().summary() << "\n"
          << (options.resume ? "resuming at step " + std::to_string(start_step) : std::string("fresh start"))
          << ", " << config.steps << " steps, checkpoints in " << dir;
        progress->note(s.str());
    }

    // SIGINT/SIGTERM set a flag for the duration of the loop (also when it throws).
    struct StopHandlers {
        StopHandlers() { install_stop_handlers(); }
        ~StopHandlers() {
            remove_stop_handlers();
            clear_stop_request();
        }
    } stop_handlers;
    const int64_t micro_global = config.batch_size / config.grad_accum;
    const int64_t micro_local = micro_global / dist.world_size();
    const int64_t n_metrics = static_cast<int64_t>(task.metric_names().size());
    task.set_training(true);

    TrainOutcome outcome;
    outcome.step = start_step;
    double interval_loss = 0, interval_grad = 0, interval_data = 0;  // data: this rank's seconds
    std::vector<double> interval_metrics(n_metrics, 0.0);
    int64_t interval_steps = 0;
    // A checkpoint between two log rows carries the sums so far, so that a resumed run logs
    // the same row as an uninterrupted one.
    if (!resumed_interval.empty()) {
        std::istringstream in(resumed_interval);
        in >> interval_steps >> interval_loss >> interval_grad;
        for (double &v : interval_metrics) in >> v;
        if (!in) interval_steps = 0, interval_loss = interval_grad = 0,
                 std::fill(interval_metrics.begin(), interval_metrics.end(), 0.0);
    }
    auto interval_start = std::chrono::steady_clock::now();

    for (int64_t step = start_step; step < config.steps; ++step) {
        optimizer.zero_grad();
        torch::Tensor sums = torch::zeros({1 + n_metrics}, torch::kFloat64);
        for (int64_t m = 0; m < config.grad_accum; ++m) {
            const int64_t first = m * micro_global + dist.rank() * micro_local;
            // Anything that still draws from LibTorch's default generator draws the same thing
            // on resume.
            at::manual_seed(draw_seed(config.seed, step, first, DrawPurpose::Step));
            TaskLoss l;
            {
                CpuAutocast autocast(bf16);
                l = task.loss(step, first, micro_local);
            }
            interval_data += l.data_seconds;
            (l.loss / static_cast<double>(config.grad_accum)).backward();
            sums[0] += l.loss.detach().to(torch::kCPU, torch::kFloat64) / static_cast<double>(config.grad_accum);
            for (int64_t i = 0; i < n_metrics && i < (int64_t)l.metrics.size(); ++i)
                sums[1 + i] += l.metrics[i] / static_cast<double>(config.grad_accum);
        }
        std::vector<torch::Tensor> grads = defined_grads(params);
        dist.allreduce_mean(grads);
        double grad_norm = global_grad_norm(grads);
        const int64_t done = step + 1;
        std::vector<torch::Tensor> sum_list{sums};
        dist.allreduce_mean(sum_list);
        // Before the update: a non-finite loss or gradient must not reach the weights (nor the
        // EMA, nor a checkpoint written after this step, which would replace the last good one).
        const double step_loss = sums[0].item<double>();
        if (!std::isfinite(step_loss) || !std::isfinite(grad_norm))
            throw_error(ARTV_ERR_NUMERIC,
                        std::string(std::isfinite(step_loss) ? "gradient" : "loss") +
                            " is not finite at step " + std::to_string(done) +
                            " (lower lr, or check the data); the weights were not updated");
        if (config.grad_clip > 0 && grad_norm > config.grad_clip) {
            torch::NoGradGuard no_grad;
            const double scale = config.grad_clip / (grad_norm + 1e-6);
            for (auto &g : grads) g.mul_(scale);
        }
        const double lr = learning_rate_at(config, step);
        optimizer.step(lr);
        if (ema) ema->update(params, step);
        outcome.step = done;

        interval_loss += step_loss;
        for (int64_t i = 0; i < n_metrics; ++i) interval_metrics[i] += sums[1 + i].item<double>();
        interval_grad += grad_norm;
        ++interval_steps;

        if (done % config.log_every == 0 || done == config.steps) {
            const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() -
                                                              interval_start).count();
            StepRecord r;
            r.step = done;
            r.loss = interval_loss / interval_steps;
            for (double v : interval_metrics) r.metrics.push_back(v / interval_steps);
            r.lr = lr;
            r.grad_norm = interval_grad / interval_steps;
            r.seconds_per_step = secs / interval_steps;
            r.samples_per_s = double(config.batch_size) * interval_steps / secs;
            r.data_share = std::min(1.0, interval_data / secs);
            outcome.last_loss = r.loss;
            if (progress) progress->record(r);
            interval_loss = interval_grad = interval_data = 0;
            std::fill(interval_metrics.begin(), interval_metrics.end(), 0.0);
            interval_steps = 0;
            interval_start = std::chrono::steady_clock::now();
        }

        const bool stop = dist.any(stop_requested()) ||
                          (config.stop_at_step > 0 && done == config.stop_at_step);
        const bool last = done == config.steps;
        if (main_rank && (done % config.checkpoint_every == 0 || stop || last)) {
            CheckpointInfo info;
            info.step = done;
            info.stage = config.stage;
            info.train_config = train_config_to_json(config);
            info.model_config = task.model_config_json();
            info.data_state = task.data_state();
            info.extra["cpu"] = cpu_features().summary();
            info.extra["world_size"] = std::to_string(dist.world_size());
            {
                std::ostringstream sums_so_far;
                sums_so_far.precision(17);
                sums_so_far << interval_steps << ' ' << interval_loss << ' ' << interval_grad;
                for (double v : interval_metrics) sums_so_far << ' ' << v;
                info.extra["log_interval"] = sums_so_far.str();
            }
            const bool keep = config.keep_every > 0 && done % config.keep_every == 0;
            try {
                write_checkpoint(dir, info, state, ema.get(), optimizer, keep);
            } catch (const Error &e) {
                throw Error(e.status(), "checkpoint at step " + std::to_string(done) +
                                            " failed, the previous checkpoint is kept: " + e.what());
            }
            if (progress) progress->note("checkpoint: step " + std::to_string(done) + " -> " + latest);
        }
        if (main_rank && config.sample_every > 0 && done % config.sample_every == 0) {
            task.set_training(false);
            task.write_samples(done, dir + "/samples");
            task.set_training(true);
        }
        if (stop && !last) {
            outcome.interrupted = true;
            outcome.signal = stop_signal();
            if (progress) progress->note("stopped at step " + std::to_string(done) +
                                         "; continue with --resume");
            break;
        }
    }
    dist.barrier();
    return outcome;
}

}  // namespace artv
