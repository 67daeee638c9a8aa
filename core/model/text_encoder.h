// The text encoder: OpenCLIP's text tower (open_clip `model.py` _build_text_tower /
// `transformer.py` Transformer, as SD2's FrozenOpenCLIPEmbedder runs it). Parameter names as in
// an SD2 checkpoint's "cond_stage_model.model.*": token_embedding.weight, positional_embedding,
// transformer.resblocks.<i>.{ln_1, attn.in_proj_weight, attn.in_proj_bias, attn.out_proj,
// ln_2, mlp.c_fc, mlp.c_proj}, ln_final, and text_projection / logit_scale when
// projection_dim > 0 (unused by diffusion; kept so that the full tower loads).
//
// forward (FrozenOpenCLIPEmbedder.encode_with_transformer): x = token_embedding(ids) +
// positional_embedding; pre-LN blocks with a causal mask and exact GELU, run up to the
// configured layer (penultimate: all but the last); x = ln_final(x). No pooling, no projection.
#pragma once

#include <memory>
#include <vector>

#include <torch/nn/module.h>
#include <torch/nn/modules/embedding.h>
#include <torch/nn/modules/linear.h>

#include "io/config.h"
#include "nn/attention.h"
#include "nn/linear.h"

namespace artv {

class LayerNorm32;

// nn.MultiheadAttention's parameters: in_proj_weight [3W, W], in_proj_bias [3W], out_proj.
class TextSelfAttention : public torch::nn::Module, public AttentionSettings {
public:
    TextSelfAttention(int64_t width, int64_t heads);
    torch::Tensor forward(const torch::Tensor &x); // causal

private:
    int64_t heads_;
    torch::Tensor in_proj_weight_, in_proj_bias_;
    Linear out_proj_{nullptr};
};

class TextResidualBlock : public torch::nn::Module {
public:
    TextResidualBlock(int64_t width, int64_t heads);
    torch::Tensor forward(const torch::Tensor &x);

private:
    std::shared_ptr<LayerNorm32> ln_1_, ln_2_;
    std::shared_ptr<TextSelfAttention> attn_;
    Linear c_fc_{nullptr}, c_proj_{nullptr};
};

class TextEncoder : public torch::nn::Module {
public:
    explicit TextEncoder(const TextConfig &c);
    // ids [B, context_length] int64 -> [B, context_length, width].
    torch::Tensor forward(const torch::Tensor &ids);

    const TextConfig &config() const { return config_; }
    torch::ScalarType dtype() const;

private:
    TextConfig config_;
    torch::nn::Embedding token_embedding_{nullptr};
    torch::Tensor positional_embedding_;
    std::vector<std::shared_ptr<TextResidualBlock>> blocks_;
    std::shared_ptr<LayerNorm32> ln_final_;
};

} // namespace artv
