// `artv bench` (docs/PERFORMANCE.md): for one model or config, per dtype, the reference
// throughput of this machine, the U-Net alone at the generation batch, whole frames with every
// engine optimisation on and then with each one switched off (or on, for the optional ones),
// and optionally one long session. Everything in one run, so every figure can be read as a
// ratio to another of the same run. The report is JSON; bench_table renders it for people.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "bench/frame_bench.h"

namespace artv {

struct BenchOptions {
    std::string model_dir;    // a trained model ("" = artv_default_model_path())
    std::string config_path;  // instead: random weights for this config (e.g. models/sd21)
    std::string tokenizer;    // tokenizer for config_path ("" = the default model's)
    std::string device = "auto";
    std::vector<std::string> dtypes;  // {} = fp32, plus bf16 where the device has it natively
    int threads = 0;                  // LibTorch threads (0 = online CPUs)
    int blas_threads = 0;             // OpenBLAS threads (0 = the engine's setting, 1)
    int64_t attention_chunk = 0;      // query chunk of the non-fused attention (0 = automatic)
    // The switches measured against the default, each alone: batch_cfg,
    // per_frame_conditions, inference_mode, onednn_conv (nn/conv2d.h: ATen's own choice of
    // convolution path instead), onednn_linear (nn/linear.h: ATen's matrix product always),
    // fused_attention (LibTorch 2.x only: the chunked bmm path instead) (turned off),
    // channels_last, blas_threads_all (OpenBLAS on as many threads as LibTorch, its own
    // default) (turned on); {} = none. Each block of frames reports its own peak RSS where the
    // kernel lets the peak be reset.
    std::vector<std::string> ablations;
    int forward_repeats = 20;
    int op_profile = 0;      // > 0: also the U-Net forward's this many slowest ops
    int long_frames = 0;     // > 0: also one session this long (first dtype)
    int rss_every = 100;
    FrameBenchOptions frame; // mode, prompt, size, steps, frames, seed, guidance
    std::function<void(const std::string &)> log;
};

// Every ablation name bench_run knows, in report order.
const std::vector<std::string> &bench_ablation_names();

nlohmann::ordered_json run_bench(const BenchOptions &options);

// The report as plain-text tables (what `artv bench` prints).
std::string bench_table(const nlohmann::ordered_json &report);

}  // namespace artv
