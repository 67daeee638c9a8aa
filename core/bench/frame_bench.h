// What `artv bench` measures on one loaded model: the cost of generated frames (wall time,
// denoiser calls, FLOPs, memory) under given engine switches, the U-Net alone at the
// generation batch, and a long session's per-frame time and memory (docs/PERFORMANCE.md).
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "bench/op_profile.h"
#include "generate/generation_size.h"
#include "generate/session.h"

namespace artv {

class ArtvNetworks;

struct FrameBenchOptions {
    std::string mode = "animate";  // continue (2 frames fed), animate (1 still), t2v (none)
    std::string prompt = "camera pans left over a photo of a town";
    FrameSize size;           // generation size ({0, 0} = the model's native size, square)
    int steps = 0;            // denoising steps (0 = the model's)
    int frames = 3;           // timed frames, after `warmup` untimed ones
    int warmup = 1;
    uint64_t seed = 0;
    std::optional<double> cfg_ref, cfg_anchor, cfg_text;  // unset = the model's
    EngineSwitches engine;
};

struct FrameBenchResult {
    double seconds_per_frame = 0;      // median of the timed frames
    double min_seconds_per_frame = 0;
    int sampler_calls_per_frame = 0;   // denoiser evaluations D(x, sigma)
    int network_rows_per_frame = 0;    // U-Net batch rows: sampler calls x guidance conditions
    int guidance_conditions = 0;       // rows of one call
    double seconds_per_call = 0;       // seconds_per_frame / sampler_calls_per_frame
    double flops_per_frame = 0;        // FlopCount over the first warm-up frame (t2v or no
                                       // warm-up: the last timed frame)
    double conv_flops_per_frame = 0, matmul_flops_per_frame = 0, attention_flops_per_frame = 0;
    int64_t rss_bytes = 0;             // after the frames
    int64_t peak_rss_bytes = 0;        // the process's high-water mark so far
};

// Generates warmup + frames frames of one session: the fed frames are rendered
// by the procedural renderer (an object clip), so no input files are needed.
FrameBenchResult bench_frames(const std::shared_ptr<const ArtvNetworks> &nets,
                              const FrameBenchOptions &options);

struct ForwardBenchResult {
    int batch = 0;
    double seconds = 0;  // best of the timed forwards
    double flops = 0;    // of one forward
    std::vector<OpProfile::Op> ops;  // with profile_ops: per forward (mean over the repeats)
};

// The eps U-Net alone (no mask network, no sampler) on random inputs at the generation size
// and the given batch (the guidance conditions of one call). profile_ops: then `repeats`
// forwards more under an OpProfile.
ForwardBenchResult bench_unet_forward(const ArtvNetworks &nets, FrameSize size, int batch,
                                      int repeats = 5, bool profile_ops = false);

struct LongRunSample {
    int frame = 0;         // 1-based generated frame index
    double seconds = 0;    // that frame's wall time
    int64_t rss_bytes = 0;
};

// One session of `frames` frames; every frame's time, and RSS every `rss_every` frames
// (samples hold the frames whose RSS was taken: 1, rss_every, 2*rss_every, ...; `times` all).
struct LongRunResult {
    std::vector<double> times;  // seconds of frame i+1
    std::vector<LongRunSample> samples;
};
LongRunResult bench_long_run(const std::shared_ptr<const ArtvNetworks> &nets,
                             const FrameBenchOptions &options, int frames, int rss_every);

// Median of times[first, first + count) (clipped to the vector): a frame's cost in a long run.
double median_window(const std::vector<double> &times, int first, int count);

}  // namespace artv
