// `artv eval`'s measurements of a trained model (docs/EVAL.md): suites of generated clips scored
// against ground truth, every motion figure separately for the three generation modes:
//   continue  two real previous frames shown (the clip's first frames are fed);
//   animate   one still frame fed, so both references and the anchor are that frame: only the
//             text says where to go;
//   t2v       nothing fed: blank references, the first frame from text alone.
// Suites: "object" (object motion direction, colour fidelity, persistence), "camera" (pan/tilt
// direction), "continuation" (panned held-out photos: direction and speed kept), "conflict"
// (text against shown motion, and a schedule that reverses the motion), "drift"
// (colour shift, sharpness, flicker over long runs), "real" (held-out tails of real footage:
// PSNR/SSIM at horizons, with freeze-last-frame baselines), "text_scale" (object and camera
// direction in the animate mode at several text guidance scales).
//
// Held-out data: rendered clips come from renderer seeds starting at kEvalSeedBase (training
// pools use seeds run_seed × 1000003 + [0, renderer_clips): core/train/training_data.cpp, so
// any run seed below 2^40 / 1000003 ≈ 1.1 million with fewer than 1000003 clips never reaches
// them), photos of the "eval" split (never in training clips), and the held-out tails of real
// clips (dataset.h).
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "artv/artv.h"
#include "data/clip_spec.h"

namespace artv {

enum class EvalMode { Continue, Animate, T2V };
const char *eval_mode_name(EvalMode m);  // "continue", "animate", "t2v"
// "continue" | "animate" | "t2v" (ARTV_ERR_INVALID_ARGUMENT otherwise).
EvalMode parse_eval_mode(const std::string &name);

inline constexpr uint64_t kEvalSeedBase = uint64_t(1) << 40;
// Every suite name, in the order they run.
const std::vector<std::string> &eval_suite_names();

struct EvalOptions {
    std::string model_dir;  // "" = artv_default_model_path()
    std::string device = "auto", dtype = "auto";
    int threads = 0;

    std::vector<std::string> suites = {"object", "camera", "continuation", "conflict", "drift", "real"};
    std::vector<EvalMode> modes = {EvalMode::Continue, EvalMode::Animate, EvalMode::T2V};
    int clips = 16;          // clips per suite (and per mode) for the rendered suites
    int frames = 16;         // generated frames per clip in the motion suites
    int shown = 2;           // frames fed in the continue mode (the continuation suite feeds 4)
    int drift_frames = 256;  // generated frames per drift clip
    int drift_clips = 2;
    int real_clips = 0;      // real clips (0 = all)
    std::vector<int> horizons = {1, 4, 8, 16};
    std::vector<double> text_scales = {1, 3, 7.5};  // the text_scale suite
    // Motion shorter than this fraction of the frame's short side counts as none.
    double min_travel = 0.015;
    // Camera and continuation suites: the shift is measured between frames this far apart
    // (clip_motion(), motion_metrics.h; 1 = neighbouring frames).
    int motion_stride = 1;

    // Sampling (unset: the model's defaults).
    std::string sampler;  // "" = the model's (diffusion/sampler.h names)
    std::optional<int> steps;
    std::optional<double> cfg_ref, cfg_anchor, cfg_text;
    std::optional<double> cfg_text_t2v;  // the t2v mode's first frame
    std::optional<double> cfg_sigma_min;  // guidance interval of frames with references
    std::optional<double> cfg_rescale;    // guidance rescale of frames with references
    std::optional<int> noise_aug;
    bool use_mask = true;
    artv_anchor_policy anchor = ARTV_ANCHOR_PAPER;  // conditioning_frames.h
    // The continuation suite's prompt: the clip's caption (default) or none, so that only the
    // fed frames tell the motion (does the model read it from them?).
    bool continuation_caption = true;
    uint64_t seed = 0;  // clip i of a suite is generated with seed + i in every mode

    std::string photos;        // photo list ("" = data/photos.jsonl of $ARTV_SRCDIR or .)
    // The photos the suites draw (backgrounds, camera clips): the held-out ones, or the
    // training ones (a memorisation check: the same suites on pictures the model has seen).
    PhotoSplit photo_split = PhotoSplit::Eval;
    std::string real_footage;  // captions file ("" = data/real_footage.jsonl next to photos)
    std::string cache_dir;     // decoded real clips ("" = decode every run)
    uint64_t first_seed = kEvalSeedBase;

    std::function<void(const std::string &)> log;  // progress lines (may be empty)
};

// Loads the model and runs the suites; the report as JSON (docs/EVAL.md lists its fields).
// Suites that lack their data (no eval photos, no real clips) are reported as skipped with the
// reason. ARTV_ERR_INVALID_ARGUMENT for bad options; model errors as artv::Error.
nlohmann::ordered_json run_eval(const EvalOptions &options);

}  // namespace artv
