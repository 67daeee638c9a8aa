// The model configuration: config.json next to the weights (docs/MODEL.md lists every key).
//
// One code path serves the embedded tiny model and the full SD2.1-sized one: every network is
// built from these numbers. Parsing is strict: an unknown key, a wrong type, a value out of range
// or a missing required key is an ARTV_ERR_FORMAT naming the key path ("unet.channel_mult[2]")
// and the file, so a typo never silently falls back to a default.
//
// This header does not include LibTorch or the JSON library.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace artv {

// The latent space the diffusion runs in (AutoencoderKL's).
struct LatentConfig {
    int channels = 4;
    double scale_factor = 0.18215; // z = scale_factor * vae.encode(x)
    int downsample = 8;            // pixels per latent pixel; = 2^(len(vae.ch_mult)-1)
};

// AutoencoderKL (SD `ldm/modules/diffusionmodules/model.py` Encoder/Decoder).
struct VaeConfig {
    int in_channels = 3;
    int out_channels = 3;
    int ch = 128;
    std::vector<int> ch_mult{1, 2, 4, 4};
    int num_res_blocks = 2;
    int z_channels = 4;
    bool double_z = true;
    int embed_dim = 4; // quant_conv: 2*z_channels -> 2*embed_dim; must equal latent.channels
};

// The OpenCLIP text tower (open_clip `transformer.py` TextTransformer, SD's
// FrozenOpenCLIPEmbedder).
struct TextConfig {
    int vocab_size = 49408;
    int context_length = 77;
    int width = 1024;
    int heads = 16;
    int layers = 24;
    // Which block's output goes through ln_final: "last" or "penultimate" (SD2: penultimate).
    std::string layer = "penultimate";
    // text_projection [width, projection_dim] and logit_scale exist in the full OpenCLIP tower;
    // they are unused by diffusion (0 = the tower has neither).
    int projection_dim = 0;

    // Number of residual blocks that run: layers, or layers-1 for "penultimate".
    int blocks_used() const { return layer == "penultimate" ? layers - 1 : layers; }
};

// An SD2-layout U-Net (SD `openaimodel.py` UNetModel). Used for the eps network (`unet`) and the
// mask network (`mask`, out_channels 1).
struct UNetConfig {
    int in_channels = 4;
    int out_channels = 4;
    int model_channels = 320;
    std::vector<int> attention_resolutions{4, 2, 1}; // downsampling factors with attention
    int num_res_blocks = 2;
    std::vector<int> channel_mult{1, 2, 4, 4};
    int num_head_channels = 64; // heads = channels / num_head_channels
    int transformer_depth = 1;
    int context_dim = 1024;
    bool use_linear_in_transformer = true; // proj_in/proj_out Linear (SD2) or 1x1 Conv (SD1)

    int levels() const { return static_cast<int>(channel_mult.size()); }
    int time_embed_dim() const { return 4 * model_channels; }
    // Channels at level l (= the adapter's feature channels there).
    int level_channels(int level) const { return model_channels * channel_mult.at(level); }
    // Index into input_blocks of the last block of each level (SD2: 2, 5, 8, 11), where the
    // adapter's features are added.
    std::vector<int> level_end_blocks() const;
};

// ARTV's additions to each U-Net (DESIGN.md "The model"); each has its own parameters.
struct AdapterConfig {
    bool enabled = true;
    int nums_rb = 2; // T2I-Adapter ResnetBlocks per level
    int ksize = 1;   // kernel of in_conv/block2 (T2I-Adapter's used config: 1)
};

struct AnchorConfig {
    bool enabled = true;
    int patch_size = 2;      // latent pixels per anchor token side
    int max_grid[2] = {16, 16}; // learned positions stored for this grid (rows, cols), resized
};

struct ArtvAdditions {
    AdapterConfig adapter;
    AnchorConfig anchor;
    bool noise_level_embed = true; // noise-augmentation level k added to the time embedding
    bool pooled_text_embed = false; // recipe A: mean text token -> time embedding (SDXL-style)
    // Not in the paper (docs/MODEL.md "Motion embedding"): the global shift from x_{t-2} to
    // x_{t-1}, measured on the frames by phase correlation, added to the time embedding, so
    // that a continuation can keep the speed and direction it is shown.
    bool motion_embed = false;
    // Not in the paper either: the masked diffusion's static reference x_ref is x_{t-1} moved
    // on by that measured shift (shift_latents), so that copying it continues a pan.
    bool motion_warp = false;
    // With motion_warp: x_{t-1} is moved in pixels, not latent pixels — decoded, moved by the
    // shift × downsample, encoded again (ArtvNetworks::warp_reference). A latent moved by a
    // fraction of a latent pixel decodes to a smaller, jerky move; the VAE's own latent of the
    // moved picture does not (docs/MODEL.md "Motion warp").
    bool motion_warp_pixels = false;
    // Whether the references' motion is measured at all.
    bool uses_reference_motion() const { return motion_embed || motion_warp; }

    // Everything off: a plain SD2-layout U-Net.
    static ArtvAdditions none();
};

struct ScheduleConfig {
    double linear_start = 0.00085;
    double linear_end = 0.012;
    int timesteps = 1000;
    std::string prediction = "eps"; // "eps" or "v"
};

struct SamplingConfig {
    std::string sampler = "dpmpp_2s_ancestral"; // "dpmpp_2s_ancestral", "ddim", "euler"
    int steps = 30;
    double cfg_ref = 1.5, cfg_anchor = 1.5, cfg_text = 5.0;
    // Text scale of a frame made from text alone (blank references: the T2V first frame).
    // Unset = cfg_text. Guidance there cannot compound: no later frame is guided by it twice.
    std::optional<double> cfg_text_t2v;
    // Guidance interval on frames with references: below this sigma the sampler takes the
    // unguided prediction (0 = guided at every sigma). Guidance at low sigma is what compounds
    // over auto-regressive frames (docs/SAMPLING.md).
    double cfg_sigma_min = 0.0;
    // Guidance rescale of frames with references, in [0, 1] (0 = none; docs/SAMPLING.md §4).
    double cfg_rescale = 0.0;
    int noise_aug = 200;          // inference noise level k (paper §3.3)
    int native_short_side = 512;  // pixels
    int fps = 8;
};

// How the model was (is to be) trained; recorded so that inference and training agree.
struct TrainingConfig {
    int max_noise_level = 400; // k ~ U{0..max} (paper §3.3)
    double drop_ref = 0.1, drop_anchor = 0.1, drop_text = 0.1; // condition dropout for CFG
    int anchor_window = 10; // anchor drawn from this many frames before the target (§3.4)
};

struct FilesConfig {
    std::string weights = "model.safetensors"; // relative to the model directory
    std::string tokenizer = "tokenizer.model";
};

struct ModelConfig {
    std::string name;
    std::string description;
    LatentConfig latent;
    VaeConfig vae;
    TextConfig text;
    UNetConfig unet;
    UNetConfig mask;
    ArtvAdditions artv;
    ScheduleConfig schedule;
    SamplingConfig sampling;
    TrainingConfig training;
    FilesConfig files;

    // Generation width and height must be multiples of this (pixels): the VAE's downsampling
    // times what the U-Nets' levels and the anchor patches need of the latent.
    int size_multiple() const;
    // The same in latent pixels.
    int latent_multiple() const;

    // Back to JSON text (every key, defaults included), parseable by parse_model_config.
    std::string to_json() const;
};

// Parses and validates config.json. Unreadable file: ARTV_ERR_IO; content: ARTV_ERR_FORMAT
// (message names `origin` and the key path).
ModelConfig load_model_config(const std::string &path);
ModelConfig parse_model_config(const std::string &json_text, const std::string &origin);

// The reference implementation writes its constructor arguments as a Python dict literal
// ("{'model_channels': 32, 'channel_mult': [1, 2], 'use_fp16': False, ...}") into the
// "config" metadata of the oracle files. These read the keys that define the architecture and
// reject any other value that would change it.
UNetConfig unet_config_from_python_dict(const std::string &dict_text);
VaeConfig vae_config_from_python_dict(const std::string &dict_text);

} // namespace artv
