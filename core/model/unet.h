// The SD2 U-Net (SD `ldm/modules/diffusionmodules/openaimodel.py` UNetModel, spatial
// transformer, legacy=False) with the ARTV additions (DESIGN.md "The model"). Parameter names
// are exactly those of an SD2 checkpoint's "model.diffusion_model.*" (time_embed.0.weight,
// input_blocks.1.1.transformer_blocks.0.attn1.to_q.weight, ..., out.2.bias); the additions
// have their own prefixes:
//   adapter.*            reference-frame T2I-Adapter (model/adapter.h), features added after
//                        the last block of each encoder level
//   anchor.*             anchor tokenizer (model/anchor.h), tokens attended after the text
//   noise_level_embed.*  sinusoidal(k) -> Linear -> SiLU -> Linear (zero-init), added to the
//                        time embedding ("0", "2", like time_embed)
//   text_pool_embed.*    Linear(context_dim, time_embed_dim) (zero-init) of the mean text token,
//                        added to the time embedding (recipe A, SDXL-style)
//   motion_embed.*       sinusoidal(100·dx) ⧺ sinusoidal(100·dy) -> Linear -> SiLU -> Linear
//                        (zero-init) of the references' measured shift (model/reference_motion.h),
//                        added to the time embedding (not in the paper)
// Every addition's output layer starts at zero, so a fresh ARTV U-Net on SD weights computes the
// SD output exactly, whatever its extra inputs.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include <torch/nn/module.h>
#include <torch/nn/modules/conv.h>
#include <torch/nn/modules/linear.h>

#include "nn/attention.h"
#include "nn/conv2d.h"
#include "nn/linear.h"
#include "io/config.h"

namespace artv {

class UNetBlock;
class ReferenceAdapter;
class AnchorTokenizer;
class EmbedMLP;
class GroupNorm32;
class SpatialTransformer;

// The per-frame inputs of the additions, as computed by the functions below (all optional).
struct UNetExtras {
    const std::vector<torch::Tensor> *adapter_features = nullptr;
    torch::Tensor anchor_tokens; // [B, N, context_dim]
    torch::Tensor extra_emb;     // [B, time_embed_dim]
    // context_kv(context, anchor_tokens) computed beforehand (once per frame); when set,
    // forward reads neither its context nor anchor_tokens.
    const std::vector<CrossAttentionKV> *context_kv = nullptr;
};

class UNetModel : public torch::nn::Module {
public:
    // latent channels = config.in_channels: the adapter takes 2x that, the anchor that.
    UNetModel(const UNetConfig &config, const ArtvAdditions &additions);

    // x [B, in_channels, h, w] (h, w multiples of 2^(levels-1)), t [B] (fractional allowed),
    // context [B, L, context_dim] -> [B, out_channels, h, w]. Inputs are cast to the
    // parameters' dtype.
    torch::Tensor forward(const torch::Tensor &x, const torch::Tensor &t,
                          const torch::Tensor &context, const UNetExtras &extras = {});

    // The keys and values that every cross-attention layer computes from the context and the
    // anchor tokens (undefined: none), in the order forward meets the layers: they do not
    // depend on x or t, so a frame computes them once for all its denoising steps.
    std::vector<CrossAttentionKV> context_kv(const torch::Tensor &context,
                                             const torch::Tensor &anchor_tokens = {});

    // --- the additions' per-frame parts (each throws ARTV_ERR_STATE if the addition is off) --
    std::vector<torch::Tensor> adapter_features(const torch::Tensor &refs);
    torch::Tensor anchor_tokens(const torch::Tensor &anchor);
    // noise_level_embed(k) [+ text_pool_embed(mean_L text)] [+ motion_embed(motion)]; undefined
    // when all are off. motion: [B, 2] (dx, dy) in latent pixels per frame.
    torch::Tensor extra_embedding(const torch::Tensor &noise_level, const torch::Tensor &text,
                                  const torch::Tensor &motion = {});

    const UNetConfig &config() const { return config_; }
    const ArtvAdditions &additions() const { return additions_; }
    bool has_adapter() const { return adapter_ != nullptr; }
    bool has_anchor() const { return anchor_ != nullptr; }
    // The parameters' dtype.
    torch::ScalarType dtype() const;

    // Name prefixes of the additions' parameters (absent from an SD checkpoint).
    static const std::vector<std::string> &addition_prefixes();

private:
    UNetConfig config_;
    ArtvAdditions additions_;
    std::shared_ptr<EmbedMLP> time_embed_;
    std::vector<std::shared_ptr<UNetBlock>> input_blocks_, output_blocks_;
    std::shared_ptr<UNetBlock> middle_block_;
    std::shared_ptr<GroupNorm32> out_norm_;
    Conv2d out_conv_{nullptr};
    std::vector<int> level_end_blocks_;
    std::vector<SpatialTransformer *> transformers() const;  // in the order forward meets them
    size_t transformer_blocks_ = 0;  // cross-attention layers: context_kv's length

    std::shared_ptr<ReferenceAdapter> adapter_;
    std::shared_ptr<AnchorTokenizer> anchor_;
    std::shared_ptr<EmbedMLP> noise_level_embed_;
    Linear text_pool_embed_{nullptr};
    std::shared_ptr<EmbedMLP> motion_embed_;
};

} // namespace artv
