#include "nn/conv2d.h"

#include <ATen/ATen.h>
#include <ATen/Context.h>
#include <c10/core/GradMode.h>

namespace artv {

namespace {

using Options = torch::nn::detail::ConvNdOptions<2>;

// The cases where ATen might not choose oneDNN itself and oneDNN computes the same thing.
// holds_alternative and get unqualified: the options' variants are c10's in LibTorch 1.13 and
// std's in 2.x, found by argument-dependent lookup either way.
bool take_onednn(const torch::Tensor &x, const Options &o) {
    return x.device().is_cpu() && x.scalar_type() == at::kFloat && x.dim() == 4 &&
           x.layout() == at::kStrided && !c10::GradMode::is_enabled() &&
           holds_alternative<torch::ExpandingArray<2>>(o.padding()) &&
           holds_alternative<torch::enumtype::kZeros>(o.padding_mode()) &&
           onednn_convolution_available();
}

}  // namespace

bool onednn_convolution_available() {
    return at::hasMKLDNN() && at::globalContext().userEnabledMkldnn();
}

torch::Tensor Conv2dImpl::forward(const torch::Tensor &input) {
    if (!onednn || !take_onednn(input, options)) return torch::nn::Conv2dImpl::forward(input);
    const auto &padding = get<torch::ExpandingArray<2>>(options.padding());
    return at::mkldnn_convolution(input, weight, bias.defined() ? c10::optional<at::Tensor>(bias) : c10::nullopt,
                                  *padding, *options.stride(), *options.dilation(), options.groups());
}

void set_onednn_convolution(torch::nn::Module &root, bool on) {
    for (const auto &m : root.modules(/*include_self=*/true))
        if (auto *c = dynamic_cast<Conv2dImpl *>(m.get())) c->onednn = on;
}

}  // namespace artv
