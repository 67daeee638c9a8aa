#include "nn/linear.h"

#include <ATen/ATen.h>
#include <ATen/Parallel.h>
#include <ATen/record_function.h>
#include <c10/core/GradMode.h>

#include "nn/conv2d.h"

namespace artv {

torch::Tensor LinearImpl::forward(const torch::Tensor &input) {
    const int64_t in = weight.size(1), out = weight.size(0);
    const bool take = onednn && input.device().is_cpu() && input.scalar_type() == at::kFloat &&
                      input.dim() >= 2 && input.layout() == at::kStrided &&
                      input.size(-1) == in && !c10::GradMode::is_enabled() &&
                      at::get_num_threads() > 1 && onednn_convolution_available() &&
                      double(input.numel()) * double(out) >= kOneDnnLinearMinMacs;
    if (!take) return torch::nn::LinearImpl::forward(input);
    // The FLOP counter (bench/flop_counter.h) books the convolution below as a matrix product.
    RECORD_USER_SCOPE("artv::linear");
    const auto rows = input.reshape({-1, in}).contiguous();
    const int64_t m = rows.size(0);
    // [m, in] row-major is [1, in, m, 1] in channels-last order.
    const auto x = rows.as_strided({1, in, m, 1}, {m * in, 1, in, in});
    const auto y = at::mkldnn_convolution(x, weight.view({out, in, 1, 1}),
                                          bias.defined() ? c10::optional<at::Tensor>(bias) : c10::nullopt,
                                          {0, 0}, {1, 1}, {1, 1}, 1);
    auto shape = input.sizes().vec();
    shape.back() = out;
    // [1, out, m, 1] (channels-last from a channels-last input: the permute is a view).
    return y.permute({0, 2, 3, 1}).reshape(shape);
}

void set_onednn_linear(torch::nn::Module &root, bool on) {
    for (const auto &m : root.modules(/*include_self=*/true))
        if (auto *l = dynamic_cast<LinearImpl *>(m.get())) l->onednn = on;
}

}  // namespace artv
