#include "nn/spatial_transformer.h"

#include <torch/nn/functional/activation.h>
#include <torch/nn/modules/container/modulelist.h>

namespace artv {

namespace F = torch::nn::functional;

FeedForwardGEGLU::FeedForwardGEGLU(int64_t dim, int64_t mult) {
    const int64_t inner = dim * mult;
    auto net = add_container(*this, "net");
    auto geglu = net->register_module("0", std::make_shared<torch::nn::Module>());
    proj_ = geglu->register_module("proj", Linear(dim, inner * 2));
    out_ = net->register_module("2", Linear(inner, dim));
}

torch::Tensor FeedForwardGEGLU::forward(const torch::Tensor &x) {
    auto ag = proj_(x).chunk(2, -1); // GEGLU: value first, gate second
    return out_(ag[0] * F::gelu(ag[1]));
}

BasicTransformerBlock::BasicTransformerBlock(int64_t dim, int64_t heads, int64_t dim_head,
                                             int64_t context_dim) {
    attn1_ = register_module("attn1", std::make_shared<CrossAttention>(dim, 0, heads, dim_head));
    ff_ = register_module("ff", std::make_shared<FeedForwardGEGLU>(dim));
    attn2_ = register_module("attn2", std::make_shared<CrossAttention>(dim, context_dim, heads, dim_head));
    norm1_ = register_module("norm1", std::make_shared<LayerNorm32>(dim));
    norm2_ = register_module("norm2", std::make_shared<LayerNorm32>(dim));
    norm3_ = register_module("norm3", std::make_shared<LayerNorm32>(dim));
}

torch::Tensor BasicTransformerBlock::forward(const torch::Tensor &x_in, const CrossAttentionKV &context_kv) {
    auto x = attn1_->forward(norm1_->forward(x_in)) + x_in;
    x = attn2_->forward(norm2_->forward(x), context_kv) + x;
    return ff_->forward(norm3_->forward(x)) + x;
}

CrossAttentionKV BasicTransformerBlock::context_kv(const torch::Tensor &context,
                                                   const torch::Tensor &extra_context) {
    return attn2_->context_kv(context, extra_context);
}

SpatialTransformer::SpatialTransformer(int64_t channels, int64_t heads, int64_t dim_head,
                                       int64_t depth, int64_t context_dim, bool use_linear)
    : use_linear_(use_linear) {
    const int64_t inner = heads * dim_head;
    norm_ = register_module("norm", std::make_shared<GroupNorm32>(channels, 1e-6));
    if (use_linear)
        proj_in_lin_ = register_module("proj_in", Linear(channels, inner));
    else
        proj_in_conv_ = register_module("proj_in", Conv2d(conv_options(channels, inner, 1)));
    auto list = register_module("transformer_blocks", torch::nn::ModuleList());
    for (int64_t d = 0; d < depth; ++d) {
        blocks_.push_back(std::make_shared<BasicTransformerBlock>(inner, heads, dim_head, context_dim));
        list->push_back(blocks_.back());
    }
    if (use_linear) {
        proj_out_lin_ = register_module("proj_out", Linear(inner, channels));
        zero_parameters(*proj_out_lin_);
    } else {
        proj_out_conv_ = register_module("proj_out", Conv2d(conv_options(inner, channels, 1)));
        zero_parameters(*proj_out_conv_);
    }
}

std::vector<CrossAttentionKV> SpatialTransformer::context_kv(const torch::Tensor &context,
                                                             const torch::Tensor &extra_context) {
    std::vector<CrossAttentionKV> kv;
    for (auto &b : blocks_) kv.push_back(b->context_kv(context, extra_context));
    return kv;
}

torch::Tensor SpatialTransformer::forward(const torch::Tensor &x_in, const CrossAttentionKV *context_kv) {
    const int64_t B = x_in.size(0), H = x_in.size(2), W = x_in.size(3);
    auto x = norm_->forward(x_in);
    if (!use_linear_) x = proj_in_conv_(x);
    x = x.flatten(2).transpose(1, 2); // [B, hw, C]
    if (use_linear_) x = proj_in_lin_(x);
    for (auto &b : blocks_) x = b->forward(x, *context_kv++);
    if (use_linear_) x = proj_out_lin_(x);
    x = x.transpose(1, 2).reshape({B, -1, H, W});
    if (!use_linear_) x = proj_out_conv_(x);
    return x + x_in;
}

} // namespace artv
