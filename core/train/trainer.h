// The training loop shared by every stage (docs/TRAINING.md): micro-steps with gradient
// accumulation, gradient all-reduce over the ranks, clipping, AdamW with linear warm-up, EMA,
// bf16 autocast where asked, progress lines and loss.csv, checkpoints every N steps and on
// SIGINT/SIGTERM, and bit-identical resume. What is trained and how its loss is computed is a
// TrainTask (train/artv_task.h: the ARTV networks; train/vae_task.h: the VAE).
#pragma once

#include <cstdint>
#include <ostream>
#include <string>
#include <vector>

#include <torch/types.h>

#include "train/parameters.h"
#include "train/train_config.h"

namespace artv {

class Distributed;

struct TaskLoss {
    torch::Tensor loss;            // scalar fp32, with gradient: the mean over the samples
    std::vector<double> metrics;   // detached values for the log, as metric_names()
    double data_seconds = 0;       // of the call, the time spent on the data (drawing, latents)
};

class TrainTask {
public:
    virtual ~TrainTask() = default;
    // Parameters the optimizer updates (named as in the model's weights file).
    virtual NamedTensors trainable() = 0;
    // Every tensor of the trained model (trainable, frozen, buffers): the checkpoint's "model.".
    virtual NamedTensors model_state() = 0;
    virtual std::string model_config_json() const = 0;
    virtual std::vector<std::string> metric_names() const { return {}; }
    // The mean loss over samples [first, first + count) of step `step`'s global batch. Must be
    // a pure function of (config seed, step, sample indices) and the weights: every random draw
    // comes from draw_generator() (train/draw_seed.h).
    virtual TaskLoss loss(int64_t step, int64_t first, int64_t count) = 0;
    // JSON describing the data (saved in checkpoints; a resume with other data is reported).
    virtual std::string data_state() const { return "{}"; }
    // Train/eval mode of the modules (dropout, if any).
    virtual void set_training(bool training) {}
    // Sample frames for the eye (PNG under dir), with the current weights; optional.
    virtual void write_samples(int64_t step, const std::string &dir) {}
};

struct TrainOutcome {
    int64_t step = 0;          // optimizer steps done when the run returned
    bool interrupted = false;  // stopped by a signal or stop_at_step before `steps`
    int signal = 0;            // the signal that stopped it (SIGINT, SIGTERM; this rank's), or 0
    double last_loss = 0;      // mean loss of the last logging interval
};

struct TrainRunOptions {
    bool resume = false;       // continue from out_dir/latest.safetensors
    std::ostream *log = nullptr;  // progress lines (rank 0 only); null = silent
};

// Runs (or resumes) a training run. Without `resume`, an existing checkpoint in out_dir is an
// ARTV_ERR_STATE (never overwritten by accident); with it, a missing one is ARTV_ERR_IO. A
// checkpoint that cannot be written stops the run with ARTV_ERR_IO (the previous checkpoint
// stays intact). Every rank calls this; rank 0 writes the files.
TrainOutcome run_training(const TrainConfig &config, TrainTask &task, Distributed &dist,
                          const TrainRunOptions &options);

// Where the loop keeps things in out_dir.
std::string train_config_path(const std::string &out_dir);  // train_config.json
std::string loss_csv_path(const std::string &out_dir);      // loss.csv

// Whether a precision setting means bf16 autocast on `device` ("auto": bf16 where the CPU has
// it natively). Autocast is the CPU's only: on CUDA "auto" is fp32 and "bf16" an
// ARTV_ERR_INVALID_ARGUMENT.
bool use_bf16_autocast(const std::string &precision, torch::Device device = torch::kCPU);

// Enables CPU bf16 autocast for its lifetime (LibTorch 1.13: at::autocast::set_cpu_enabled),
// nesting like Python's torch.autocast; a no-op when `enabled` is false.
class CpuAutocast {
public:
    explicit CpuAutocast(bool enabled);
    ~CpuAutocast();
    CpuAutocast(const CpuAutocast &) = delete;
    CpuAutocast &operator=(const CpuAutocast &) = delete;

private:
    bool enabled_, previous_;
    c10::ScalarType previous_dtype_;
};

}  // namespace artv
