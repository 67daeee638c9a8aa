#include "model/text_encoder.h"

#include <torch/nn/functional/activation.h>
#include <torch/nn/functional/linear.h>
#include <torch/nn/init.h>
#include <torch/nn/modules/container/modulelist.h>

#include "nn/layers.h"
#include "util/error.h"

namespace artv {

namespace F = torch::nn::functional;

TextSelfAttention::TextSelfAttention(int64_t width, int64_t heads) : heads_(heads) {
    // nn.MultiheadAttention._reset_parameters: xavier_uniform in_proj, zero biases.
    in_proj_weight_ = register_parameter("in_proj_weight", torch::empty({3 * width, width}));
    torch::nn::init::xavier_uniform_(in_proj_weight_);
    in_proj_bias_ = register_parameter("in_proj_bias", torch::zeros({3 * width}));
    out_proj_ = register_module("out_proj", Linear(width, width));
    torch::NoGradGuard no_grad;
    out_proj_->bias.zero_();
}

torch::Tensor TextSelfAttention::forward(const torch::Tensor &x) {
    auto qkv = F::linear(x, in_proj_weight_, in_proj_bias_).chunk(3, -1);
    auto out = attention(split_heads(qkv[0], heads_), split_heads(qkv[1], heads_),
                         split_heads(qkv[2], heads_), /*causal=*/true, *this);
    return out_proj_(merge_heads(out));
}

TextResidualBlock::TextResidualBlock(int64_t width, int64_t heads) {
    ln_1_ = register_module("ln_1", std::make_shared<LayerNorm32>(width));
    attn_ = register_module("attn", std::make_shared<TextSelfAttention>(width, heads));
    ln_2_ = register_module("ln_2", std::make_shared<LayerNorm32>(width));
    auto mlp = add_container(*this, "mlp");
    c_fc_ = mlp->register_module("c_fc", Linear(width, 4 * width));
    c_proj_ = mlp->register_module("c_proj", Linear(4 * width, width));
}

torch::Tensor TextResidualBlock::forward(const torch::Tensor &x_in) {
    auto x = x_in + attn_->forward(ln_1_->forward(x_in));
    return x + c_proj_(F::gelu(c_fc_(ln_2_->forward(x)))); // nn.GELU: exact erf, not QuickGELU
}

TextEncoder::TextEncoder(const TextConfig &c) : config_(c) {
    token_embedding_ = register_module("token_embedding", torch::nn::Embedding(c.vocab_size, c.width));
    // open_clip init_parameters: token embedding std 0.02, positions std 0.01.
    torch::NoGradGuard no_grad;
    torch::nn::init::normal_(token_embedding_->weight, 0.0, 0.02);
    positional_embedding_ = register_parameter("positional_embedding",
                                               torch::randn({c.context_length, c.width}) * 0.01);
    auto transformer = add_container(*this, "transformer");
    auto resblocks = transformer->register_module("resblocks", torch::nn::ModuleList());
    for (int i = 0; i < c.layers; ++i) {
        blocks_.push_back(std::make_shared<TextResidualBlock>(c.width, c.heads));
        resblocks->push_back(blocks_.back());
    }
    ln_final_ = register_module("ln_final", std::make_shared<LayerNorm32>(c.width));
    if (c.projection_dim > 0) {
        register_parameter("text_projection",
                           torch::randn({c.width, c.projection_dim}) / std::sqrt(double(c.width)));
        register_parameter("logit_scale", torch::full({}, std::log(1.0 / 0.07)));
    }
}

torch::ScalarType TextEncoder::dtype() const { return positional_embedding_.scalar_type(); }

torch::Tensor TextEncoder::forward(const torch::Tensor &ids) {
    if (ids.dim() != 2 || ids.size(1) != config_.context_length)
        throw_invalid("text encoder input must be [B, " + std::to_string(config_.context_length) +
                      "] token ids, got " + c10::str(ids.sizes()));
    if (ids.numel() > 0 && (ids.min().item<int64_t>() < 0 || ids.max().item<int64_t>() >= config_.vocab_size))
        throw_invalid("token ids must be in [0, " + std::to_string(config_.vocab_size) +
                      ") (text.vocab_size); is the tokenizer the one the model was trained with?");
    auto x = token_embedding_(ids.to(torch::kLong)) + positional_embedding_.unsqueeze(0);
    const int used = config_.blocks_used();
    for (int i = 0; i < used; ++i) x = blocks_[i]->forward(x);
    return ln_final_->forward(x);
}

} // namespace artv
