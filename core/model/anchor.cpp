#include "model/anchor.h"

#include <torch/nn/functional/upsampling.h>
#include <torch/nn/init.h>

#include "nn/layers.h"
#include "util/error.h"

namespace artv {

namespace F = torch::nn::functional;

AnchorTokenizer::AnchorTokenizer(int64_t latent_channels, int64_t patch_size, int64_t max_h,
                                 int64_t max_w, int64_t context_dim)
    : channels_(latent_channels), patch_(patch_size) {
    proj_ = register_module("proj", Linear(latent_channels * patch_size * patch_size, context_dim));
    // Positions start small and random (ViT-style 0.02) so that they differ between patches.
    pos_ = register_parameter("pos", torch::randn({max_h, max_w, context_dim}) * 0.02);
    out_ = register_module("out", Linear(context_dim, context_dim));
    zero_parameters(*out_);
}

torch::Tensor AnchorTokenizer::forward(const torch::Tensor &anchor) {
    const int64_t B = anchor.size(0), C = anchor.size(1), H = anchor.size(2), W = anchor.size(3);
    if (C != channels_ || H % patch_ || W % patch_)
        throw_invalid("anchor latent of shape [" + std::to_string(B) + ", " + std::to_string(C) + ", " +
                      std::to_string(H) + ", " + std::to_string(W) + "] does not fit the anchor tokenizer (" +
                      std::to_string(channels_) + " channels, sizes multiples of " +
                      std::to_string(patch_) + ")");
    const int64_t gh = H / patch_, gw = W / patch_;
    auto patches = anchor.reshape({B, C, gh, patch_, gw, patch_})
                       .permute({0, 2, 4, 1, 3, 5})
                       .reshape({B, gh * gw, C * patch_ * patch_});
    torch::Tensor pos = pos_;
    if (pos.size(0) != gh || pos.size(1) != gw) {
        auto grid = pos.permute({2, 0, 1}).unsqueeze(0).to(torch::kFloat); // [1, D, max_h, max_w]
        grid = F::interpolate(grid, F::InterpolateFuncOptions()
                                        .size(std::vector<int64_t>{gh, gw})
                                        .mode(torch::kBilinear)
                                        .align_corners(false));
        pos = grid.squeeze(0).permute({1, 2, 0}).to(pos_.scalar_type());
    }
    auto tokens = proj_(patches) + pos.reshape({1, gh * gw, -1});
    return out_(tokens);
}

} // namespace artv
