#include "nn/resblock.h"

#include <torch/nn/functional/activation.h>

namespace artv {

namespace F = torch::nn::functional;

ResBlock::ResBlock(int64_t channels, int64_t emb_channels, int64_t out_channels) {
    auto in_layers = add_container(*this, "in_layers");
    in_norm_ = in_layers->register_module("0", std::make_shared<GroupNorm32>(channels, 1e-5));
    in_conv_ = in_layers->register_module("2", Conv2d(conv_options(channels, out_channels, 3)));
    auto emb_layers = add_container(*this, "emb_layers");
    emb_ = emb_layers->register_module("1", Linear(emb_channels, out_channels));
    auto out_layers = add_container(*this, "out_layers");
    out_norm_ = out_layers->register_module("0", std::make_shared<GroupNorm32>(out_channels, 1e-5));
    out_conv_ = out_layers->register_module("3", Conv2d(conv_options(out_channels, out_channels, 3)));
    zero_parameters(*out_conv_);
    if (out_channels != channels)
        skip_ = register_module("skip_connection", Conv2d(conv_options(channels, out_channels, 1)));
}

torch::Tensor ResBlock::forward(const torch::Tensor &x, const torch::Tensor &emb_silu) {
    auto h = in_conv_(F::silu(in_norm_->forward(x)));
    h = h + emb_(emb_silu).unsqueeze(-1).unsqueeze(-1);
    h = out_conv_(F::silu(out_norm_->forward(h))); // dropout 0 at inference; SD2 trains with 0
    return (skip_ ? skip_(x) : x) + h;
}

} // namespace artv
