#include "nn/layers.h"

#include <cmath>

#include <torch/nn/functional/activation.h>
#include <torch/nn/functional/normalization.h>
#include <torch/utils.h>

namespace artv {

namespace F = torch::nn::functional;

std::shared_ptr<torch::nn::Module> add_container(torch::nn::Module &parent, const std::string &name) {
    return parent.register_module(name, std::make_shared<torch::nn::Module>());
}

void zero_parameters(torch::nn::Module &module) {
    torch::NoGradGuard no_grad;
    for (auto &p : module.parameters()) p.zero_();
}

GroupNorm32::GroupNorm32(int64_t channels, double eps, int64_t groups) : groups_(groups), eps_(eps) {
    weight_ = register_parameter("weight", torch::ones({channels}));
    bias_ = register_parameter("bias", torch::zeros({channels}));
}

torch::Tensor GroupNorm32::forward(const torch::Tensor &x) {
    auto y = F::group_norm(x.to(torch::kFloat), F::GroupNormFuncOptions(groups_)
                                                    .weight(weight_.to(torch::kFloat))
                                                    .bias(bias_.to(torch::kFloat))
                                                    .eps(eps_));
    return y.to(x.scalar_type());
}

LayerNorm32::LayerNorm32(int64_t dim, double eps) : dim_(dim), eps_(eps) {
    weight_ = register_parameter("weight", torch::ones({dim}));
    bias_ = register_parameter("bias", torch::zeros({dim}));
}

torch::Tensor LayerNorm32::forward(const torch::Tensor &x) {
    auto y = F::layer_norm(x.to(torch::kFloat), F::LayerNormFuncOptions({dim_})
                                                    .weight(weight_.to(torch::kFloat))
                                                    .bias(bias_.to(torch::kFloat))
                                                    .eps(eps_));
    return y.to(x.scalar_type());
}

torch::Tensor timestep_embedding(const torch::Tensor &t, int64_t dim, double max_period) {
    const int64_t half = dim / 2;
    auto opts = torch::TensorOptions().dtype(torch::kFloat).device(t.device());
    auto freqs = torch::exp(-std::log(max_period) * torch::arange(half, opts) / static_cast<double>(half));
    auto args = t.to(torch::kFloat).reshape({-1, 1}) * freqs.unsqueeze(0);
    auto emb = torch::cat({torch::cos(args), torch::sin(args)}, -1);
    if (dim % 2) emb = torch::cat({emb, torch::zeros({emb.size(0), 1}, opts)}, -1);
    return emb;
}

EmbedMLP::EmbedMLP(int64_t in_dim, int64_t out_dim) {
    l0_ = register_module("0", Linear(in_dim, out_dim));
    l2_ = register_module("2", Linear(out_dim, out_dim));
}

torch::Tensor EmbedMLP::forward(const torch::Tensor &x) { return l2_(F::silu(l0_(x))); }

torch::nn::Conv2dOptions conv_options(int64_t in, int64_t out, int64_t k, int64_t stride) {
    return torch::nn::Conv2dOptions(in, out, k).stride(stride).padding(k / 2);
}

Downsample::Downsample(int64_t channels, int64_t out_channels) {
    op_ = register_module("op", Conv2d(conv_options(channels, out_channels, 3, 2)));
}

torch::Tensor Downsample::forward(const torch::Tensor &x) { return op_(x); }

torch::Tensor upsample_nearest2x(const torch::Tensor &x) {
    // Equivalent to F.interpolate(scale_factor=2, mode="nearest") for NCHW.
    const auto B = x.size(0), C = x.size(1), H = x.size(2), W = x.size(3);
    return x.unsqueeze(3).unsqueeze(5).expand({B, C, H, 2, W, 2}).reshape({B, C, 2 * H, 2 * W});
}

Upsample::Upsample(int64_t channels, int64_t out_channels) {
    conv_ = register_module("conv", Conv2d(conv_options(channels, out_channels, 3)));
}

torch::Tensor Upsample::forward(const torch::Tensor &x) { return conv_(upsample_nearest2x(x)); }

} // namespace artv
