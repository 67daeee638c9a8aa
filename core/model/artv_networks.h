// The ARTV networks as one bundle (DESIGN.md "The model"): the eps U-Net with its additions, the
// mask network, the VAE, the text encoder and the tokenizer, built from one ModelConfig, loaded
// from / saved to one weights file, and the per-frame interface the generation engine and the
// trainer call.
//
// Weights file layout (docs/MODEL.md): "unet." + SD2 U-Net names (+ adapter., anchor.,
// noise_level_embed., text_pool_embed., motion_embed.), "mask." (same layout, mask config), "vae." + SD2
// AutoencoderKL names, "text." + OpenCLIP text-tower names.
//
// Nothing here disables autograd: the trainer calls the same functions with grad enabled; the
// engine wraps its calls in torch::NoGradGuard / InferenceMode itself.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include <ATen/core/Generator.h>
#include <torch/types.h>

#include "io/config.h"
#include "nn/attention.h"

namespace torch::nn {
class Module;
}

namespace artv {

class UNetModel;
class AutoencoderKL;
class TextEncoder;
class Tokenizer;

// The conditions of one frame, batched (row b of every tensor belongs together). A dropped
// condition (classifier-free guidance, training dropout) is given as its "null" value, the same
// in training and sampling: zeros for refs / anchor, the encoding of "" for text.
struct FrameConditions {
    torch::Tensor refs;        // [B, 2*C, h, w] noise-augmented x_{t-2}, x_{t-1} on channels
    torch::Tensor anchor;      // [B, C, h, w] noise-augmented anchor latent
    torch::Tensor text;        // [B, L, D] encode_text() output
    torch::Tensor noise_level; // [B] augmentation level k (float or integer)
    torch::Tensor motion;      // [B, 2] reference_motion() of x_{t-2} -> x_{t-1}, zero when the
                               // references are blank or one still frame (only read by
                               // networks with artv.motion_embed)
};

// What one U-Net (eps or mask) needs per frame that does not change across denoising steps.
struct NetConditions {
    std::vector<torch::Tensor> adapter_features; // one per U-Net level; empty without adapter
    // Every cross-attention layer's keys and values of the text tokens [B, L, D] and, with the
    // anchor addition, of the anchor tokens (UNetModel::context_kv).
    std::vector<CrossAttentionKV> context_kv;
    torch::Tensor extra_emb;     // [B, time_embed_dim] added to the time embedding (noise level
                                 // [+ pooled text] [+ motion]); undefined when none is on
};

// Per-frame invariants for both networks, computed once per frame by ArtvNetworks::prepare().
struct PreparedConditions {
    NetConditions eps;
    NetConditions mask;
    int64_t batch = 0;

    // Rows `index` (a 1-D int64 tensor) of every tensor, e.g. to evaluate only some of the
    // guidance branches.
    PreparedConditions select(const torch::Tensor &index) const;
};

// A lower bound of the parameters of the networks `config` describes: the 3x3 convolutions that
// every residual block of the U-Nets and the VAE certainly has, and the text encoder's embedding
// and blocks. load() compares it with the weights file before building anything, so that a
// config of a few hundred bytes cannot make it allocate far more than the weights it claims to
// describe. A double: absurd configs overflow int64.
double minimum_parameters(const ModelConfig &config);

class ArtvNetworks {
public:
    // Reads model_dir/config.json, builds the networks, loads the weights file and the
    // tokenizer named in it (files.*), then moves everything to `device` / `dtype`. Errors:
    // ARTV_ERR_IO (missing file), ARTV_ERR_FORMAT (bad config / weights / tokenizer file),
    // ARTV_ERR_MODEL (weights do not fit the config: every missing, unexpected and wrong-shaped
    // tensor in one message; tokenizer vocabulary larger than text.vocab_size; a config that
    // implies more parameters than the weights file holds, before anything is built),
    // ARTV_ERR_DEVICE.
    static std::shared_ptr<ArtvNetworks> load(const std::string &model_dir, torch::Device device,
                                              torch::ScalarType dtype = torch::kFloat32);

    // Fresh networks with random weights from `seed` (the additions' output layers zero, as
    // after init from SD2.1). tokenizer_path "" = no tokenizer (encode_text then throws
    // ARTV_ERR_STATE; encode_tokens works).
    static std::shared_ptr<ArtvNetworks> create_random(const ModelConfig &config, uint64_t seed,
                                                       torch::Device device = torch::kCPU,
                                                       torch::ScalarType dtype = torch::kFloat32,
                                                       const std::string &tokenizer_path = "");

    // Writes dir/config.json, dir/<files.weights> (fp32 unless `dtype` says otherwise; metadata
    // "format": "artv-1", "config": the JSON) and, when a tokenizer is held,
    // dir/<files.tokenizer>. Creates dir.
    void save(const std::string &dir,
              c10::optional<torch::ScalarType> dtype = c10::nullopt) const;

    // --- per frame (DESIGN.md: computed once per frame, not per step) ----------------------
    PreparedConditions prepare(const FrameConditions &cond) const;

    // The eps network's output for the network input x_in (= c_in * x, [B, C, h, w]) at
    // timesteps t ([B], may be fractional): eps, or v when config().schedule.prediction == "v".
    torch::Tensor eps(const torch::Tensor &x_in, const torch::Tensor &t,
                      const PreparedConditions &cond) const;
    // The mask network's m in [0, 1], [B, 1, h, w] (sigmoid applied).
    torch::Tensor mask(const torch::Tensor &x_in, const torch::Tensor &t,
                       const PreparedConditions &cond) const;

    // --- text ---------------------------------------------------------------------------------
    // Tokenizer ids, [B, context_length] int64 on the networks' device.
    torch::Tensor tokenize(const std::vector<std::string> &prompts) const;
    // [B, context_length] ids -> [B, L, D] context (in the networks' dtype).
    torch::Tensor encode_tokens(const torch::Tensor &tokens) const;
    torch::Tensor encode_text(const std::vector<std::string> &prompts) const;

    // --- frames <-> latents -----------------------------------------------------------------
    // [B, 3, H, W] in [0, 1] (H, W multiples of latent.downsample) -> latents * scale_factor,
    // [B, C, H/8, W/8]: the posterior mean, or a sample drawn with `generator` when sample.
    torch::Tensor encode_frames(const torch::Tensor &rgb01, bool sample = false,
                                c10::optional<at::Generator> generator = c10::nullopt) const;
    // Latents (scaled) -> [B, 3, H, W] in [0, 1], clamped.
    torch::Tensor decode_latents(const torch::Tensor &z) const;
    // The masked diffusion's static reference x_ref from x_{t-1}'s latents [B, C, h, w] and the
    // references' motion [B, 2] (latent pixels; reference_motion.h): with artv.motion_warp the
    // latents moved along it — in latent space (shift_latents), or with motion_warp_pixels
    // decoded, moved in pixels and encoded again (no autograd) — else the latents themselves.
    // Rows of zero motion come back unchanged, bit for bit; the result has the latents' dtype.
    torch::Tensor warp_reference(const torch::Tensor &latents, const torch::Tensor &motion) const;

    // --- access -------------------------------------------------------------------------------
    const ModelConfig &config() const { return config_; }
    torch::Device device() const { return device_; }
    torch::ScalarType dtype() const { return dtype_; }
    bool has_tokenizer() const { return tokenizer_ != nullptr; }
    const Tokenizer &tokenizer() const; // ARTV_ERR_STATE when none

    // All networks under one root module, children "unet", "mask", "vae", "text" (the
    // weights file's prefixes): for optimizers, train()/eval(), named_parameters().
    torch::nn::Module &modules() const;
    UNetModel &unet() const;
    UNetModel &mask_net() const;
    AutoencoderKL &vae() const;
    TextEncoder &text_encoder() const;

    // Moves every network (norms still compute in fp32 inside).
    void to(torch::Device device, torch::ScalarType dtype);
    // Query-chunk size of the non-fused attention path (0 = automatic); see nn/attention.h.
    void set_attention_query_chunk(int64_t chunk);
    // Sum of all parameters' numel.
    int64_t parameter_count() const;

    ~ArtvNetworks();

private:
    explicit ArtvNetworks(ModelConfig config);

    ModelConfig config_;
    torch::Device device_ = torch::kCPU;
    torch::ScalarType dtype_ = torch::kFloat32;
    std::shared_ptr<torch::nn::Module> root_;
    std::shared_ptr<UNetModel> unet_, mask_;
    std::shared_ptr<AutoencoderKL> vae_;
    std::shared_ptr<TextEncoder> text_;
    std::shared_ptr<const Tokenizer> tokenizer_;
};

} // namespace artv
