// SD2 U-Net ResBlock (SD `openaimodel.py` ResBlock, no scale-shift norm):
//   h = in_layers(x)            GN32 -> SiLU -> conv3x3        ("in_layers.0", "in_layers.2")
//   h = h + emb_layers(emb)     SiLU -> Linear                  ("emb_layers.1")
//   out = skip(x) + out_layers(h)  GN32 -> SiLU -> Dropout -> conv3x3 (zero-init) ("out_layers.0",
//                                  "out_layers.3"); skip = "skip_connection" 1x1 conv when the
//                                  channel count changes.
#pragma once

#include <torch/nn/module.h>
#include <torch/nn/modules/conv.h>
#include <torch/nn/modules/linear.h>

#include "nn/layers.h"

namespace artv {

class ResBlock : public torch::nn::Module {
public:
    ResBlock(int64_t channels, int64_t emb_channels, int64_t out_channels);
    // emb_silu: SiLU(emb), emb_layers' first layer, which is the same for every block of a
    // U-Net: the U-Net applies it once per call.
    torch::Tensor forward(const torch::Tensor &x, const torch::Tensor &emb_silu);

private:
    std::shared_ptr<GroupNorm32> in_norm_, out_norm_;
    Conv2d in_conv_{nullptr}, out_conv_{nullptr}, skip_{nullptr};
    Linear emb_{nullptr};
};

} // namespace artv
