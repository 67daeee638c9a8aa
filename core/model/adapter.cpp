#include "model/adapter.h"

#include <torch/nn/functional/activation.h>
#include <torch/nn/functional/pooling.h>
#include <torch/nn/modules/container/modulelist.h>

#include "nn/layers.h"

namespace artv {

namespace F = torch::nn::functional;

AdapterResnetBlock::AdapterResnetBlock(int64_t in_c, int64_t out_c, bool down, int64_t ksize)
    : down_(down) {
    // sk=True: in_conv only where the channel count changes; the skip is the identity.
    if (in_c != out_c) in_conv_ = register_module("in_conv", Conv2d(conv_options(in_c, out_c, ksize)));
    block1_ = register_module("block1", Conv2d(conv_options(out_c, out_c, 3)));
    block2_ = register_module("block2", Conv2d(conv_options(out_c, out_c, ksize)));
}

torch::Tensor AdapterResnetBlock::forward(const torch::Tensor &x_in) {
    auto x = down_ ? F::avg_pool2d(x_in, F::AvgPool2dFuncOptions(2).stride(2)) : x_in;
    if (in_conv_) x = in_conv_(x);
    return block2_(torch::relu(block1_(x))) + x;
}

ReferenceAdapter::ReferenceAdapter(int64_t in_channels, const std::vector<int64_t> &channels,
                                   int64_t nums_rb, int64_t ksize)
    : nums_rb_(nums_rb) {
    conv_in_ = register_module("conv_in", Conv2d(conv_options(in_channels, channels[0], 3)));
    auto body = register_module("body", torch::nn::ModuleList());
    auto out = register_module("out", torch::nn::ModuleList());
    for (size_t i = 0; i < channels.size(); ++i) {
        for (int64_t j = 0; j < nums_rb; ++j) {
            bool first_of_level = i != 0 && j == 0;
            body_.push_back(std::make_shared<AdapterResnetBlock>(
                first_of_level ? channels[i - 1] : channels[i], channels[i], first_of_level, ksize));
            body->push_back(body_.back());
        }
        out_.push_back(Conv2d(conv_options(channels[i], channels[i], 1)));
        zero_parameters(*out_.back());
        out->push_back(out_.back());
    }
}

std::vector<torch::Tensor> ReferenceAdapter::forward(const torch::Tensor &refs) {
    std::vector<torch::Tensor> features;
    auto x = conv_in_(refs);
    for (size_t level = 0; level < out_.size(); ++level) {
        for (int64_t j = 0; j < nums_rb_; ++j) x = body_[level * nums_rb_ + j]->forward(x);
        features.push_back(out_[level](x));
    }
    return features;
}

} // namespace artv
