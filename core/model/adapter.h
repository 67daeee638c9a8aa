// The reference-frame encoder: a T2I-Adapter (T2I `ldm/modules/encoders/adapter.py` Adapter, in
// the configuration its inference code uses: sk=True, use_conv=False) at latent resolution.
//
// Input: the two reference latents x_{t-2}, x_{t-1} concatenated on channels ([B, 2C, h, w]);
// there is no PixelUnshuffle(8) because the input already is a latent. conv_in, then nums_rb
// ResnetBlocks per U-Net level (the first of each level after the first halves the size with
// AvgPool2d(2)); the last block of each level gives that level's feature map.
//
// ARTV departs from T2I-Adapter in one place: each feature map passes a 1x1 conv "out.<level>"
// initialised to zero (as ControlNet's zero convolutions), so that a fresh adapter adds exactly
// nothing to the U-Net it was attached to.
//
// Names: adapter.conv_in, adapter.body.<k>.{in_conv,block1,block2}, adapter.out.<level>.
#pragma once

#include <vector>

#include <torch/nn/module.h>
#include <torch/nn/modules/conv.h>

#include "nn/conv2d.h"

namespace artv {

class AdapterResnetBlock : public torch::nn::Module {
public:
    AdapterResnetBlock(int64_t in_c, int64_t out_c, bool down, int64_t ksize);
    torch::Tensor forward(const torch::Tensor &x);

private:
    bool down_;
    Conv2d in_conv_{nullptr}, block1_{nullptr}, block2_{nullptr};
};

class ReferenceAdapter : public torch::nn::Module {
public:
    // channels: the U-Net's channels per level.
    ReferenceAdapter(int64_t in_channels, const std::vector<int64_t> &channels, int64_t nums_rb,
                     int64_t ksize);
    // refs [B, in_channels, h, w] -> one feature map per level, [B, channels[l], h/2^l, w/2^l].
    std::vector<torch::Tensor> forward(const torch::Tensor &refs);

private:
    int64_t nums_rb_;
    Conv2d conv_in_{nullptr};
    std::vector<std::shared_ptr<AdapterResnetBlock>> body_;
    std::vector<Conv2d> out_;
};

} // namespace artv
