// The networks' 2-D convolution: torch::nn::Conv2d (same parameters, same names), whose
// inference on CPU in fp32 always goes through oneDNN. ATen sends a batch-1 convolution of a
// small map (input <= 20,480 values, kernel <= 3x3: every convolution of artv-tiny's U-Nets at
// 128 px) to its own im2col + BLAS path instead, which runs on one thread once OpenBLAS is
// single-threaded (util/device.h) and is slower than oneDNN even on one (docs/PERFORMANCE.md).
// bf16 convolutions, training (gradients) and other devices keep ATen's own choice.
#pragma once

#include <torch/nn/modules/conv.h>

namespace artv {

class Conv2dImpl : public torch::nn::Conv2dImpl {
public:
    using torch::nn::Conv2dImpl::Conv2dImpl;
    torch::Tensor forward(const torch::Tensor &input);  // hides the base's (not virtual)

    bool onednn = true;  // set_onednn_convolution(); off = ATen's choice always
};
TORCH_MODULE(Conv2d);

// Every Conv2d under root (the bench's switch). Whether the path is taken also needs a LibTorch
// built with oneDNN (onednn_convolution_available()).
void set_onednn_convolution(torch::nn::Module &root, bool on);
bool onednn_convolution_available();

}  // namespace artv
