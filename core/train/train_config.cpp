#include "train/train_config.h"

#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <fstream>
#include <functional>
#include <sstream>
#include <variant>

#include <nlohmann/json.hpp>

#include "util/error.h"

namespace artv {
namespace {

using Member = std::variant<int64_t TrainConfig::*, double TrainConfig::*, bool TrainConfig::*,
                            std::string TrainConfig::*, uint64_t TrainConfig::*, int TrainConfig::*>;

struct Entry {
    TrainOption option;
    Member member;
};

#define ARTV_OPT(field, help) Entry{{#field, type_name(&TrainConfig::field), help}, &TrainConfig::field}

const char *type_name(int64_t TrainConfig::*) { return "int"; }
const char *type_name(uint64_t TrainConfig::*) { return "int"; }
const char *type_name(int TrainConfig::*) { return "int"; }
const char *type_name(double TrainConfig::*) { return "float"; }
const char *type_name(bool TrainConfig::*) { return "bool"; }
const char *type_name(std::string TrainConfig::*) { return "string"; }

const std::vector<Entry> &entries() {
    static const std::vector<Entry> table = {
        ARTV_OPT(stage, "what is trained: artv (U-Net, mask net, text encoder; VAE frozen) or vae"),
        ARTV_OPT(out_dir, "directory of checkpoints, train_config.json and loss.csv"),
        ARTV_OPT(model_config, "model config JSON for a fresh run"),
        ARTV_OPT(init_from, "model directory whose weights start the run (e.g. the trained VAE)"),
        ARTV_OPT(init_all, "stage artv: start the U-Net, mask network and text encoder from init_from's weights too (go on training an exported model)"),
        ARTV_OPT(seed, "seed of every random draw (data order, noise, dropout, init)"),
        ARTV_OPT(steps, "optimizer steps in all; a resumed run continues up to this"),
        ARTV_OPT(stop_at_step, "checkpoint and exit after this step, as if interrupted (0 = off)"),
        ARTV_OPT(threads, "LibTorch threads per rank (0 = online CPUs divided by local ranks)"),
        ARTV_OPT(data_threads, "threads per rank drawing the samples of a step (rendering, decoding, hashing; 0 = online CPUs divided by local ranks, at most 16; 1 = on the training thread); the batch is the same for any count"),
        ARTV_OPT(precision, "fp32, bf16 (CPU autocast) or auto (bf16 only where the CPU has it natively; fp32 on CUDA)"),
        ARTV_OPT(device, "cpu, cuda, cuda:N or auto (the first CUDA device when this LibTorch has one, else cpu)"),
        ARTV_OPT(batch_size, "samples per optimizer step over all ranks and micro-steps"),
        ARTV_OPT(grad_accum, "micro-steps per optimizer step (gradient accumulation)"),
        ARTV_OPT(lr, "AdamW learning rate after warm-up"),
        ARTV_OPT(warmup_steps, "linear learning-rate warm-up steps"),
        ARTV_OPT(beta1, "AdamW beta1"),
        ARTV_OPT(beta2, "AdamW beta2"),
        ARTV_OPT(adam_eps, "AdamW epsilon"),
        ARTV_OPT(weight_decay, "AdamW decoupled weight decay"),
        ARTV_OPT(grad_clip, "max global gradient norm (0 = no clipping)"),
        ARTV_OPT(ema_decay, "EMA decay of the weights (0 = no EMA)"),
        ARTV_OPT(ema_warmup, "EMA decay min(ema_decay, (1+step)/(10+step))"),
        ARTV_OPT(max_noise_level, "references and anchor are noised at k ~ U{0..max_noise_level}"),
        ARTV_OPT(p_drop_refs, "probability of dropping the reference frames (zero latents)"),
        ARTV_OPT(p_drop_anchor, "probability of dropping the anchor (zero latent)"),
        ARTV_OPT(p_drop_text, "probability of dropping the caption (empty prompt)"),
        ARTV_OPT(p_drop_text_continue, "caption dropout of continue samples (< 0 = p_drop_text)"),
        ARTV_OPT(use_mask, "masked diffusion with the mask network (false: plain eps_theta)"),
        ARTV_OPT(use_anchor, "anchor conditioning (false: zero anchor always)"),
        ARTV_OPT(p_mode_animate, "share of animate samples (both references = one still frame)"),
        ARTV_OPT(p_mode_continue, "share of continue samples (two real previous frames)"),
        ARTV_OPT(p_mode_t2v, "share of text-to-video first-frame samples (blank references)"),
        ARTV_OPT(anchor_window, "the anchor is drawn from this many frames before the target"),
        ARTV_OPT(sample_latents, "encode frames with a VAE posterior sample instead of its mean"),
        ARTV_OPT(latent_cache_mb, "memory for cached frame latents (MiB)"),
        ARTV_OPT(encode_batch, "stage artv: frames per frozen-VAE call when encoding uncached frames (1 = one at a time, bit-exact whatever else is encoded; > 1 is much faster on GPUs but latents may differ at float rounding level with the batch)"),
        ARTV_OPT(vae_l1, "VAE stage: weight of the L1 reconstruction loss"),
        ARTV_OPT(vae_l2, "VAE stage: weight of the L2 reconstruction loss"),
        ARTV_OPT(vae_kl, "VAE stage: weight of the KL term"),
        ARTV_OPT(vae_sample, "VAE stage: decode a posterior sample (true, as SD) or the posterior mean"),
        ARTV_OPT(vae_train, "VAE stage: all, or decoder (the encoder of init_from frozen: its latents, scale factor and the diffusion networks trained on them stay valid)"),
        ARTV_OPT(vae_shift_share, "VAE stage: share of samples whose latent is moved by d/downsample latent pixels and the target frame by d pixels (0 = off)"),
        ARTV_OPT(vae_shift_max, "VAE stage: the shift augmentation's largest move per axis, in pixels"),
        ARTV_OPT(vae_shift_repeats, "VAE stage: the shift augmentation moves a latent k times (k in 1..this) and its frame once by k times as far"),
        ARTV_OPT(data, "training data: comma-separated sources, each 'renderer', 'renderer-augmented' (the renderer with renderer_photo_augment on) or a captions file (CSV or JSON lines) of videos"),
        ARTV_OPT(data_weights, "comma-separated sampling weight of each source (empty = equal)"),
        ARTV_OPT(data_weights_continue, "the sources' weights for continue samples (empty = data_weights)"),
        ARTV_OPT(data_weights_animate, "the sources' weights for animate samples (empty = data_weights)"),
        ARTV_OPT(data_weights_t2v, "the sources' weights for T2V samples (empty = data_weights)"),
        ARTV_OPT(photos, "photo list (JSON lines) for the renderer (empty = data/photos.jsonl if present, none = no photos)"),
        ARTV_OPT(data_cache, "directory where decoded videos are cached (empty = OUT_DIR/clip-cache, none = no cache; stage tokenizer: none unless given)"),
        ARTV_OPT(renderer_clips, "procedural renderer: clips in the pool"),
        ARTV_OPT(renderer_object_motions, "procedural renderer: object motions drawn, comma-separated ids (left, right, up, down, up_left, ..., still; repeat one to weight it; empty = all)"),
        ARTV_OPT(renderer_camera_motions, "procedural renderer: camera motions drawn (pan_left, pan_right, tilt_up, tilt_down, zoom_in, zoom_out, still; empty = all)"),
        ARTV_OPT(renderer_colours, "procedural renderer: object colours drawn (red, green, blue, yellow, orange, purple, white, black, gray; repeat one to weight it; empty = all)"),
        ARTV_OPT(renderer_photo_augment, "procedural renderer: each photo mirrored in half the clips and its colour channels in one of six orders (twelve pictures per photo)"),
        ARTV_OPT(renderer_camera_share, "procedural renderer: share of camera clips (negative = the renderer's default, 0.3)"),
        ARTV_OPT(renderer_min_speed, "procedural renderer: slowest straight motion / pan, pixels per frame at the training size (0 = the renderer's default, 2)"),
        ARTV_OPT(renderer_max_speed, "procedural renderer: fastest straight motion / pan, pixels per frame (0 = the renderer's default, 4)"),
        ARTV_OPT(renderer_min_camera_speed, "procedural renderer: slowest pan / tilt, pixels per frame (0 = renderer_min_speed)"),
        ARTV_OPT(renderer_max_camera_speed, "procedural renderer: fastest pan / tilt, pixels per frame (0 = renderer_max_speed)"),
        ARTV_OPT(renderer_min_object_size, "procedural renderer: smallest object, share of the short side (0 = the renderer's default, 0.16)"),
        ARTV_OPT(renderer_max_object_size, "procedural renderer: largest object, share of the short side (0 = the renderer's default, 0.28)"),
        ARTV_OPT(frame_size, "training frame size in pixels (0 = the model config's)"),
        ARTV_OPT(fps, "training frame rate of real videos"),
        ARTV_OPT(tokenizer, "sentencepiece tokenizer model (empty = the one in init_from)"),
        ARTV_OPT(log_every, "a progress line and a loss.csv row every N steps"),
        ARTV_OPT(checkpoint_every, "write latest.safetensors every N steps"),
        ARTV_OPT(keep_every, "also keep step-NNNNNNN.safetensors every K steps (0 = never)"),
        ARTV_OPT(sample_every, "write sample frames every N steps (0 = never)"),
        ARTV_OPT(vocab_size, "tokenizer stage: sentencepiece vocabulary size"),
        ARTV_OPT(spm_model_type, "tokenizer stage: unigram, bpe, word or char"),
        ARTV_OPT(export_dtype, "export: weight type of the shipped model (fp16, bf16, fp32)"),
    };
    return table;
}
#undef ARTV_OPT

const Entry &find_entry(const std::string &name) {
    for (const auto &e : entries())
        if (e.option.name == name) return e;
    throw_invalid("unknown training option '" + name + "' (artv train --help lists them)");
}

int64_t parse_int(const std::string &name, const std::string &v) {
    errno = 0;
    char *end = nullptr;
    long long x = std::strtoll(v.c_str(), &end, 10);
    if (v.empty() || *end || errno) throw_invalid("option " + name + ": '" + v + "' is not an integer");
    return x;
}

double parse_float(const std::string &name, const std::string &v) {
    errno = 0;
    char *end = nullptr;
    double x = std::strtod(v.c_str(), &end);
    if (v.empty() || *end || errno || !std::isfinite(x))
        throw_invalid("option " + name + ": '" + v + "' is not a finite number");
    return x;
}

bool parse_bool(const std::string &name, const std::string &v) {
    if (v == "1" || v == "true" || v == "yes" || v == "on") return true;
    if (v == "0" || v == "false" || v == "no" || v == "off") return false;
    throw_invalid("option " + name + ": '" + v + "' is not a boolean (true/false)");
}

std::string format_double(double x) {
    std::ostringstream s;
    s.precision(17);
    s << x;
    return s.str();
}

}  // namespace

const std::vector<TrainOption> &train_options() {
    static const std::vector<TrainOption> list = [] {
        std::vector<TrainOption> l;
        for (const auto &e : entries()) l.push_back(e.option);
        return l;
    }();
    return list;
}

void set_train_option(TrainConfig &c, const std::string &name, const std::string &value) {
    const Entry &e = find_entry(name);
    std::visit(
        [&](auto member) {
            using T = std::remove_cvref_t<decltype(c.*member)>;
            if constexpr (std::is_same_v<T, bool>) {
                c.*member = parse_bool(name, value);
            } else if constexpr (std::is_same_v<T, double>) {
                c.*member = parse_float(name, value);
            } else if constexpr (std::is_same_v<T, std::string>) {
                c.*member = value;
            } else if constexpr (std::is_same_v<T, uint64_t>) {
                int64_t x = parse_int(name, value);
                if (x < 0) throw_invalid("option " + name + " must be >= 0, got " + value);
                c.*member = static_cast<uint64_t>(x);
            } else {
                int64_t x = parse_int(name, value);
                if (x < 0) throw_invalid("option " + name + " must be >= 0, got " + value);
                c.*member = static_cast<T>(x);
            }
        },
        e.member);
}

std::string get_train_option(const TrainConfig &c, const std::string &name) {
    const Entry &e = find_entry(name);
    return std::visit(
        [&](auto member) -> std::string {
            using T = std::remove_cvref_t<decltype(c.*member)>;
            if constexpr (std::is_same_v<T, bool>) return c.*member ? "true" : "false";
            else if constexpr (std::is_same_v<T, double>) return format_double(c.*member);
            else if constexpr (std::is_same_v<T, std::string>) return c.*member;
            else return std::to_string(c.*member);
        },
        e.member);
}

void apply_train_config_json(TrainConfig &c, const std::string &text, const std::string &origin) {
    nlohmann::json j;
    try {
        j = nlohmann::json::parse(text);
    } catch (const nlohmann::json::exception &ex) {
        throw_format(origin + ": not valid JSON: " + ex.what());
    }
    if (!j.is_object()) throw_format(origin + ": a training config is a JSON object");
    for (auto it = j.begin(); it != j.end(); ++it) {
        const auto &v = it.value();
        std::string text_value;
        if (v.is_string()) text_value = v.get<std::string>();
        else if (v.is_boolean()) text_value = v.get<bool>() ? "true" : "false";
        else if (v.is_number_integer()) text_value = std::to_string(v.get<int64_t>());
        else if (v.is_number()) text_value = format_double(v.get<double>());
        else throw_format(origin + ": option '" + it.key() + "' must be a string, number or boolean");
        try {
            set_train_option(c, it.key(), text_value);
        } catch (const Error &ex) {
            throw Error(ex.status(), origin + ": " + ex.what());
        }
    }
}

void load_train_config_file(TrainConfig &c, const std::string &path) {
    std::ifstream in(path);
    if (!in) throw_io("cannot read training config " + path);
    std::stringstream s;
    s << in.rdbuf();
    apply_train_config_json(c, s.str(), path);
}

std::string train_config_to_json(const TrainConfig &c) {
    nlohmann::ordered_json j;
    for (const auto &e : entries()) {
        std::visit([&](auto member) { j[e.option.name] = c.*member; }, e.member);
    }
    return j.dump(2);
}

void validate_train_config(const TrainConfig &c, int world_size) {
    std::vector<std::string> problems;
    auto check = [&](bool ok, const std::string &what) {
        if (!ok) problems.push_back(what);
    };
    auto probability = [&](double p, const char *name) {
        check(p >= 0 && p <= 1, std::string(name) + " must be in [0, 1]");
    };
    check(c.stage == "artv" || c.stage == "vae", "stage must be artv or vae, got '" + c.stage + "'");
    check(c.precision == "fp32" || c.precision == "bf16" || c.precision == "auto",
          "precision must be fp32, bf16 or auto");
    check(c.steps >= 1, "steps must be >= 1");
    check(c.batch_size >= 1, "batch_size must be >= 1");
    check(c.grad_accum >= 1, "grad_accum must be >= 1");
    check(world_size >= 1 && c.batch_size % (c.grad_accum * world_size) == 0,
          "batch_size (" + std::to_string(c.batch_size) + ") must be a multiple of grad_accum x ranks (" +
              std::to_string(c.grad_accum) + " x " + std::to_string(world_size) + ")");
    check(c.lr > 0, "lr must be > 0");
    check(c.beta1 >= 0 && c.beta1 < 1 && c.beta2 >= 0 && c.beta2 < 1, "beta1, beta2 must be in [0, 1)");
    check(c.adam_eps > 0, "adam_eps must be > 0");
    check(c.ema_decay >= 0 && c.ema_decay < 1, "ema_decay must be in [0, 1)");
    check(c.max_noise_level >= 0 && c.max_noise_level <= 999, "max_noise_level must be in [0, 999]");
    probability(c.p_drop_refs, "p_drop_refs");
    probability(c.p_drop_anchor, "p_drop_anchor");
    probability(c.p_drop_text, "p_drop_text");
    check(c.p_drop_text_continue < 0 || c.p_drop_text_continue <= 1,
          "p_drop_text_continue must be <= 1 (negative = p_drop_text)");
    probability(c.p_mode_animate, "p_mode_animate");
    probability(c.p_mode_continue, "p_mode_continue");
    probability(c.p_mode_t2v, "p_mode_t2v");
    check(std::abs(c.p_mode_animate + c.p_mode_continue + c.p_mode_t2v - 1.0) < 1e-6,
          "p_mode_animate + p_mode_continue + p_mode_t2v must be 1");
    check(c.anchor_window >= 1, "anchor_window must be >= 1");
    check(c.renderer_camera_share <= 1, "renderer_camera_share must be <= 1 (negative = the renderer's default)");
    check(c.renderer_min_speed >= 0 && c.renderer_max_speed >= 0 && c.renderer_min_speed <= 64 &&
              c.renderer_max_speed <= 64,
          "renderer_min_speed and renderer_max_speed must be in [0, 64] (0 = the renderer's default)");
    check(c.renderer_min_camera_speed >= 0 && c.renderer_max_camera_speed >= 0 &&
              c.renderer_min_camera_speed <= 64 && c.renderer_max_camera_speed <= 64,
          "renderer_min_camera_speed and renderer_max_camera_speed must be in [0, 64] (0 = the object speed's)");
    check(c.renderer_min_object_size >= 0 && c.renderer_max_object_size >= 0 &&
              c.renderer_min_object_size <= 1 && c.renderer_max_object_size <= 1,
          "renderer_min_object_size and renderer_max_object_size must be in [0, 1] (0 = the renderer's default)");
    check(c.encode_batch >= 1, "encode_batch must be >= 1");
    check(c.log_every >= 1, "log_every must be >= 1");
    check(c.checkpoint_every >= 1, "checkpoint_every must be >= 1");
    check(c.vae_l1 >= 0 && c.vae_l2 >= 0 && c.vae_kl >= 0, "vae_l1, vae_l2, vae_kl must be >= 0");
    check(c.vae_train == "all" || c.vae_train == "decoder", "vae_train must be all or decoder");
    check(c.vae_train != "decoder" || c.stage != "vae" || !c.init_from.empty(),
          "vae_train decoder keeps a trained encoder: give --init-from MODEL_DIR");
    check(c.vae_shift_share >= 0 && c.vae_shift_share <= 1, "vae_shift_share must be in [0, 1]");
    check(c.vae_shift_max >= 1 && c.vae_shift_max <= 64, "vae_shift_max must be in [1, 64] pixels");
    check(c.vae_shift_repeats >= 1 && c.vae_shift_repeats <= 16, "vae_shift_repeats must be in [1, 16]");
    check(c.fps > 0, "fps must be > 0");
    check(c.vocab_size >= 8, "vocab_size must be >= 8");
    check(c.export_dtype == "fp16" || c.export_dtype == "bf16" || c.export_dtype == "fp32",
          "export_dtype must be fp16, bf16 or fp32");
    if (problems.empty()) return;
    std::string msg = "invalid training configuration:";
    for (const auto &p : problems) msg += "\n  " + p;
    throw_invalid(msg);
}

double learning_rate_at(const TrainConfig &c, int64_t step) {
    if (c.warmup_steps <= 0 || step >= c.warmup_steps) return c.lr;
    return c.lr * static_cast<double>(step + 1) / static_cast<double>(c.warmup_steps);
}

}  // namespace artv
