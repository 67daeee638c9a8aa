// SD2 SpatialTransformer (SD `ldm/modules/attention.py`):
//   norm GN(32, C, eps 1e-6) -> proj_in (Linear, or 1x1 conv for SD1) -> transformer_blocks.i
//   -> proj_out (zero-init) -> + input.
// BasicTransformerBlock: x += attn1(norm1 x); x += attn2(norm2 x, context); x += ff(norm3 x),
// LayerNorm eps 1e-5, ff = GEGLU: ff.net.0.proj Linear(C, 8C) -> a * GELU(g) -> ff.net.2.
#pragma once

#include <vector>

#include <torch/nn/module.h>
#include <torch/nn/modules/conv.h>
#include <torch/nn/modules/linear.h>

#include "nn/attention.h"
#include "nn/layers.h"

namespace artv {

class FeedForwardGEGLU : public torch::nn::Module {
public:
    FeedForwardGEGLU(int64_t dim, int64_t mult = 4);
    torch::Tensor forward(const torch::Tensor &x);

private:
    Linear proj_{nullptr}, out_{nullptr};
};

class BasicTransformerBlock : public torch::nn::Module {
public:
    BasicTransformerBlock(int64_t dim, int64_t heads, int64_t dim_head, int64_t context_dim);
    torch::Tensor forward(const torch::Tensor &x, const CrossAttentionKV &context_kv);
    // attn2's keys and values for a context and anchor tokens (undefined: none).
    CrossAttentionKV context_kv(const torch::Tensor &context, const torch::Tensor &extra_context);

private:
    std::shared_ptr<CrossAttention> attn1_, attn2_;
    std::shared_ptr<FeedForwardGEGLU> ff_;
    std::shared_ptr<LayerNorm32> norm1_, norm2_, norm3_;
};

class SpatialTransformer : public torch::nn::Module {
public:
    SpatialTransformer(int64_t channels, int64_t heads, int64_t dim_head, int64_t depth,
                       int64_t context_dim, bool use_linear);
    // x [B, C, h, w]; context_kv: one per transformer block, from context_kv().
    torch::Tensor forward(const torch::Tensor &x, const CrossAttentionKV *context_kv);
    // For context [B, L, context_dim] and extra_context (anchor tokens) or undefined: the keys
    // and values of every block's cross-attention (depth() of them).
    std::vector<CrossAttentionKV> context_kv(const torch::Tensor &context,
                                             const torch::Tensor &extra_context = {});
    size_t depth() const { return blocks_.size(); }

private:
    bool use_linear_;
    std::shared_ptr<GroupNorm32> norm_;
    Linear proj_in_lin_{nullptr}, proj_out_lin_{nullptr};
    Conv2d proj_in_conv_{nullptr}, proj_out_conv_{nullptr};
    std::vector<std::shared_ptr<BasicTransformerBlock>> blocks_;
};

} // namespace artv
