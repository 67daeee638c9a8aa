// Small layers shared by the networks: norms that compute in fp32, the sinusoidal timestep
// embedding and its MLP, SD2's up/down sampling, and helpers for SD's module naming.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include <torch/nn/module.h>
#include <torch/nn/modules/linear.h>

#include "nn/conv2d.h"
#include "nn/linear.h"

namespace artv {

// An empty module that only names its children, like PyTorch's nn.Sequential does: children
// registered as "0", "2" give the parameter names "in_layers.0.weight", "in_layers.2.weight".
std::shared_ptr<torch::nn::Module> add_container(torch::nn::Module &parent, const std::string &name);

// Sets every parameter of `module` to zero (SD's zero_module): output layers of residual
// branches and of the ARTV additions, so that they start as the identity.
void zero_parameters(torch::nn::Module &module);

// GroupNorm computed in fp32 and cast back (SD's GroupNorm32; also what bf16 autocast in
// LibTorch 1.13 needs, which does not cover norms). Parameters "weight", "bias".
class GroupNorm32 : public torch::nn::Module {
public:
    GroupNorm32(int64_t channels, double eps, int64_t groups = 32);
    torch::Tensor forward(const torch::Tensor &x);

private:
    int64_t groups_;
    double eps_;
    torch::Tensor weight_, bias_;
};

// LayerNorm over the last dimension, computed in fp32 and cast back. "weight", "bias".
class LayerNorm32 : public torch::nn::Module {
public:
    LayerNorm32(int64_t dim, double eps = 1e-5);
    torch::Tensor forward(const torch::Tensor &x);

private:
    int64_t dim_;
    double eps_;
    torch::Tensor weight_, bias_;
};

// SD `util.timestep_embedding`: half = dim/2, f_i = exp(-ln(max_period) i / half),
// emb = [cos(t f), sin(t f)] (cos first), zero-padded when dim is odd. t: [B] (any numeric
// dtype, may be fractional) -> [B, dim] float32.
torch::Tensor timestep_embedding(const torch::Tensor &t, int64_t dim, double max_period = 10000.0);

// Linear -> SiLU -> Linear with SD's Sequential names "0" and "2" (time_embed, and the ARTV
// noise-level embedding).
class EmbedMLP : public torch::nn::Module {
public:
    EmbedMLP(int64_t in_dim, int64_t out_dim);
    torch::Tensor forward(const torch::Tensor &x);
    Linear &last() { return l2_; }

private:
    Linear l0_{nullptr}, l2_{nullptr};
};

// SD openaimodel Downsample (use_conv): "op" conv3x3 stride 2 pad 1.
class Downsample : public torch::nn::Module {
public:
    Downsample(int64_t channels, int64_t out_channels);
    torch::Tensor forward(const torch::Tensor &x);

private:
    Conv2d op_{nullptr};
};

// SD openaimodel Upsample (use_conv): nearest x2, then "conv" 3x3.
class Upsample : public torch::nn::Module {
public:
    Upsample(int64_t channels, int64_t out_channels);
    torch::Tensor forward(const torch::Tensor &x);

private:
    Conv2d conv_{nullptr};
};

// Nearest-neighbour x2 upsampling (works for every dtype the convs take).
torch::Tensor upsample_nearest2x(const torch::Tensor &x);

// Conv2d options with "same" padding.
torch::nn::Conv2dOptions conv_options(int64_t in, int64_t out, int64_t k, int64_t stride = 1);

} // namespace artv
