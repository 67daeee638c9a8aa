// The settings of one training run: optimizer, schedule, the ARTV recipe (noise augmentation,
// condition dropout, sample modes), checkpoints and logging. One table of named options serves
// the training config JSON, the `artv train` command line and the copy saved next to the
// checkpoints, so that every setting has exactly one name, one default and one help string
// (docs/TRAINING.md lists them).
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace artv {

struct TrainConfig {
    // ---- run
    std::string stage = "artv";      // "artv", "vae" (tokenizer and export have their own commands)
    std::string out_dir = "train-out";  // checkpoints, train_config.json, loss.csv
    std::string model_config;        // ModelConfig JSON (for a fresh run of stage artv/vae)
    std::string init_from;           // model dir whose weights start the run (e.g. a trained VAE)
    bool init_all = false;           // stage artv: also start U-Net, mask net, text encoder from it
    uint64_t seed = 1;
    int64_t steps = 1000;            // optimizer steps in all (a resumed run continues to this)
    int64_t stop_at_step = 0;        // > 0: checkpoint and exit after this step (as if interrupted)
    int threads = 0;                 // LibTorch threads per rank; 0 = online CPUs / local ranks
    int64_t data_threads = 0;        // threads drawing a step's samples per rank; 0 = online CPUs /
                                     // local ranks (at most 16), 1 = all on the training thread
    std::string precision = "auto";  // "fp32", "bf16" (CPU autocast), "auto" = bf16 where native
    std::string device = "auto";     // "cpu", "cuda", "cuda:N", "auto" = CUDA when usable

    // ---- optimizer (AdamW, Loshchilov & Hutter; PyTorch's formulation)
    int64_t batch_size = 32;         // samples per optimizer step, over all ranks and micro-steps
    int64_t grad_accum = 1;          // micro-steps per optimizer step
    double lr = 5e-4;
    int64_t warmup_steps = 100;      // linear warm-up from 0 to lr, then constant
    double beta1 = 0.9;
    double beta2 = 0.999;
    double adam_eps = 1e-8;
    double weight_decay = 0.01;
    double grad_clip = 1.0;          // max global gradient norm; 0 = off
    double ema_decay = 0.999;        // EMA of the weights; 0 = no EMA (export takes the weights)
    bool ema_warmup = true;          // decay min(ema_decay, (1+s)/(10+s)) so short runs average well

    // ---- the ARTV recipe (paper §3.3-3.4, appendix A)
    int64_t max_noise_level = 400;   // references and anchor noised at k ~ U{0..max}
    double p_drop_refs = 0.1;        // condition dropout, each independently (classifier-free guidance)
    double p_drop_anchor = 0.1;
    double p_drop_text = 0.1;
    double p_drop_text_continue = -1;  // caption dropout of continue samples alone (< 0 = p_drop_text):
                                       // without the caption only the references show the motion
    bool use_mask = true;            // false: plain eps_theta (the no-mask ablation)
    bool use_anchor = true;          // false: zero anchor always (the no-anchor ablation)
    double p_mode_animate = 0.5;     // recipe A: still starts (both references = one frame)
    double p_mode_continue = 0.4;    // two real previous frames
    double p_mode_t2v = 0.1;         // blank references, the target is a first frame
    int64_t anchor_window = 10;      // anchor drawn from the frames before the target
    bool sample_latents = false;     // VAE posterior sample (true) or its mean (false)
    int64_t latent_cache_mb = 512;   // frames -> latents cache (the VAE is frozen)
    int64_t encode_batch = 1;        // frames per VAE call when filling the latent cache (1 = each
                                     // on its own: bit-exact whatever is batched; > 1 for GPUs)

    // ---- VAE stage
    double vae_l1 = 1.0;             // reconstruction: l1*|x-x'| + l2*(x-x')^2, frames in [-1,1]
    double vae_l2 = 0.0;
    double vae_kl = 1e-6;            // weight of KL(q(z|x) || N(0,1)), summed per sample / pixels
    bool vae_sample = true;          // decode a posterior sample (SD) or the posterior mean
    // What the VAE stage trains: "all", or "decoder" (encoder frozen, so the latent space — and
    // every diffusion network trained on it — stays valid; needs init_from).
    std::string vae_train = "all";
    // Shift augmentation (docs/MODEL.md "Stage 13"): this share of the samples decodes its
    // latent moved by d/downsample latent pixels against the frame moved by d pixels (d
    // integer, each axis in [-vae_shift_max, vae_shift_max]), so that the decoder turns the
    // motion warp's sub-latent-pixel moves into the same move in pixels. 0 = off. The latent
    // moves k times by d (k uniform in 1..vae_shift_repeats; the frame once by k·d), as a held
    // motion moves it frame after frame, each move blurring it again.
    double vae_shift_share = 0.0;
    int64_t vae_shift_max = 8;
    int64_t vae_shift_repeats = 1;

    // ---- data (core/data)
    // comma-separated sources: "renderer", "renderer-augmented" (the renderer with its photos
    // augmented, as renderer_photo_augment) and/or captions files
    std::string data = "renderer";
    std::string data_weights;        // comma-separated weight per source ("" = equal)
    // The same for one mode's samples ("" = data_weights)
    std::string data_weights_continue, data_weights_animate, data_weights_t2v;
    std::string photos;              // photo list (JSONL) for the renderer; "" = data/photos.jsonl
                                     // when present; "none" = no photos
    std::string data_cache;          // directory for decoded videos ("" = out_dir/clip-cache)
    int64_t renderer_clips = 4096;   // procedural clips in the renderer's pool
    // The renderer's motions (comma-separated ids, e.g. "left,right,up,down"; repeat one to
    // weight it; "" = all) and its share of camera clips (< 0 = the renderer's default).
    std::string renderer_object_motions;
    std::string renderer_camera_motions;
    // The objects' colours (names, e.g. "green,green,purple,red"; repeat one to weight it; "" = all).
    std::string renderer_colours;
    double renderer_camera_share = -1;
    bool renderer_photo_augment = false;  // photos mirrored and channel-reordered (RendererOptions)
    // Straight-motion and pan speed in pixels per frame at the training size (0 = the
    // renderer's default, 2-4), and the object size as a share of the short side (0 = 0.16-0.28).
    double renderer_min_speed = 0, renderer_max_speed = 0;
    // Pans and tilts alone (0 = the speed above): the model continues a pan at a speed set by
    // its training speeds, not the shown one, while fast objects cost text-to-video (docs/MODEL.md
    // "Stage 9").
    double renderer_min_camera_speed = 0, renderer_max_camera_speed = 0;
    double renderer_min_object_size = 0, renderer_max_object_size = 0;
    int64_t frame_size = 0;          // training frame size in pixels (0 = from the model config)
    double fps = 8;
    std::string tokenizer;           // sentencepiece model ("" = init_from's, if any)

    // ---- progress and checkpoints
    int64_t log_every = 10;          // progress line + loss.csv row every N steps
    int64_t checkpoint_every = 500;  // latest.safetensors every N steps (and on SIGINT/SIGTERM)
    int64_t keep_every = 0;          // also keep step-NNNNNNN.safetensors every K steps; 0 = never
    int64_t sample_every = 0;        // sample frames (PNG) every N steps; 0 = never

    // ---- tokenizer stage
    int64_t vocab_size = 512;
    std::string spm_model_type = "unigram";  // "unigram", "bpe", "word", "char"

    // ---- export
    std::string export_dtype = "fp16";  // "fp16", "bf16", "fp32"
};

// One entry of the option table.
struct TrainOption {
    std::string name;  // as in JSON and on the command line (--name)
    std::string type;  // "int", "float", "bool", "string"
    std::string help;
};

// The option table, in documentation order.
const std::vector<TrainOption> &train_options();

// Sets one option from its text form ("--lr 1e-4" -> set_train_option(c, "lr", "1e-4")). Unknown
// names and malformed or out-of-range values are ARTV_ERR_INVALID_ARGUMENT naming the option.
void set_train_option(TrainConfig &config, const std::string &name, const std::string &value);
// The text form of one option's current value.
std::string get_train_option(const TrainConfig &config, const std::string &name);

// Applies a JSON object {"lr": 1e-4, "use_mask": false, ...}; unknown keys are errors that name
// the file. Missing/unreadable file: ARTV_ERR_IO; malformed JSON: ARTV_ERR_FORMAT.
void apply_train_config_json(TrainConfig &config, const std::string &json_text,
                             const std::string &origin);
void load_train_config_file(TrainConfig &config, const std::string &path);
// All options as a JSON object (saved as out_dir/train_config.json and in checkpoints).
std::string train_config_to_json(const TrainConfig &config);

// Cross-option checks (probabilities in [0,1], mode shares summing to 1, batch divisible by
// grad_accum * world_size, ...). Throws ARTV_ERR_INVALID_ARGUMENT with every problem found.
void validate_train_config(const TrainConfig &config, int world_size = 1);

// Per-step learning rate: linear warm-up over warmup_steps, then constant (step counts from 0).
double learning_rate_at(const TrainConfig &config, int64_t step);

}  // namespace artv
