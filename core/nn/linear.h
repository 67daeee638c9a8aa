// The networks' linear layer: torch::nn::Linear (same parameters, same names), whose inference
// on CPU in fp32 with more than one LibTorch thread computes a large enough product through
// oneDNN, as a 1x1 convolution over the rows (a zero-copy channels-last view). ATen's fp32
// matrix product is OpenBLAS, which the engine keeps on one thread (util/device.h: its pool
// and LibTorch's OpenMP threads would busy-wait on the same cores), and two OpenBLAS calls at
// once do not overlap either; oneDNN's threads are LibTorch's own. On this project's 2-core
// hosts that halves the time of the transformer blocks' products from ~2^22 multiply-adds on
// (docs/PERFORMANCE.md); smaller ones cost more through oneDNN than they save, and one thread
// gains nothing. bf16 (already oneDNN), training (gradients) and other devices keep ATen's.
#pragma once

#include <torch/nn/modules/linear.h>

namespace artv {

class LinearImpl : public torch::nn::LinearImpl {
public:
    using torch::nn::LinearImpl::LinearImpl;
    torch::Tensor forward(const torch::Tensor &input);  // hides the base's (not virtual)

    bool onednn = true;  // set_onednn_linear(); off = ATen's matrix product always
};
TORCH_MODULE(Linear);

// Products of fewer multiply-adds (rows x in x out) stay with ATen.
constexpr double kOneDnnLinearMinMacs = double(1 << 22);

// Every Linear under root (the bench's switch).
void set_onednn_linear(torch::nn::Module &root, bool on);

}  // namespace artv
