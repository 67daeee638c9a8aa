// The anchor tokenizer (DESIGN.md "The model", addition 2): the global anchor frame's latent
// becomes cross-attention tokens that are attended after the text tokens.
//
//   patches [B, gh*gw, C*p*p] (row-major over the grid; inside a patch: channel, row, column)
//   -> "proj" Linear(C*p*p, D) + "pos" learned positions [max_h, max_w, D], bilinearly resized
//      to the actual grid (gh, gw) when it differs
//   -> "out" Linear(D, D), initialised to zero, so a fresh tokenizer yields all-zero tokens,
//      which contribute nothing through the decoupled cross-attention (nn/attention.h).
//
// Names: anchor.proj.{weight,bias}, anchor.pos, anchor.out.{weight,bias}.
#pragma once

#include <torch/nn/module.h>
#include <torch/nn/modules/linear.h>

#include "nn/linear.h"

namespace artv {

class AnchorTokenizer : public torch::nn::Module {
public:
    AnchorTokenizer(int64_t latent_channels, int64_t patch_size, int64_t max_h, int64_t max_w,
                    int64_t context_dim);
    // anchor [B, C, h, w] (h, w multiples of patch_size) -> [B, (h/p)*(w/p), D].
    torch::Tensor forward(const torch::Tensor &anchor);

private:
    int64_t channels_, patch_;
    Linear proj_{nullptr}, out_{nullptr};
    torch::Tensor pos_;
};

} // namespace artv
