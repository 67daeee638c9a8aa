// AutoencoderKL in the SD2 layout (SD `ldm/modules/diffusionmodules/model.py` Encoder/Decoder,
// `ldm/models/autoencoder.py` AutoencoderKL): parameter names encoder.*, decoder.*, quant_conv,
// post_quant_conv exactly as in an SD checkpoint's "first_stage_model.*". All GroupNorms use
// eps 1e-6 and compute in fp32.
#pragma once

#include <memory>
#include <vector>

#include <ATen/core/Generator.h>
#include <torch/nn/module.h>
#include <torch/nn/modules/conv.h>

#include "nn/conv2d.h"
#include "io/config.h"

namespace artv {

class GroupNorm32;
class VaeResnetBlock;
class VaeAttnBlock;

class VaeEncoder : public torch::nn::Module {
public:
    explicit VaeEncoder(const VaeConfig &c);
    torch::Tensor forward(const torch::Tensor &x); // [B, 3, H, W] -> [B, 2*z, H/f, W/f]

private:
    Conv2d conv_in_{nullptr}, conv_out_{nullptr};
    std::vector<std::vector<std::shared_ptr<VaeResnetBlock>>> blocks_;
    std::vector<Conv2d> downsample_; // one per level but the last
    std::shared_ptr<VaeResnetBlock> mid_block_1_, mid_block_2_;
    std::shared_ptr<VaeAttnBlock> mid_attn_;
    std::shared_ptr<GroupNorm32> norm_out_;
};

class VaeDecoder : public torch::nn::Module {
public:
    explicit VaeDecoder(const VaeConfig &c);
    torch::Tensor forward(const torch::Tensor &z); // [B, z, h, w] -> [B, 3, h*f, w*f]

private:
    Conv2d conv_in_{nullptr}, conv_out_{nullptr};
    std::vector<std::vector<std::shared_ptr<VaeResnetBlock>>> blocks_; // by level, 0 = finest
    std::vector<Conv2d> upsample_;                                     // by level; [0] unused
    std::shared_ptr<VaeResnetBlock> mid_block_1_, mid_block_2_;
    std::shared_ptr<VaeAttnBlock> mid_attn_;
    std::shared_ptr<GroupNorm32> norm_out_;
};

class AutoencoderKL : public torch::nn::Module {
public:
    explicit AutoencoderKL(const VaeConfig &c);

    // Image in [-1, 1] -> posterior mean and log-variance (clamped to [-30, 20]), unscaled.
    std::pair<torch::Tensor, torch::Tensor> encode_moments(const torch::Tensor &x);
    // Posterior mean, or a sample mean + exp(logvar/2) * N(0, 1) drawn with `generator`;
    // unscaled (callers multiply by latent.scale_factor).
    torch::Tensor encode(const torch::Tensor &x, bool sample = false,
                         c10::optional<at::Generator> generator = c10::nullopt);
    // Unscaled latent -> image in about [-1, 1].
    torch::Tensor decode(const torch::Tensor &z);

    const VaeConfig &config() const { return config_; }
    torch::ScalarType dtype() const;

private:
    VaeConfig config_;
    std::shared_ptr<VaeEncoder> encoder_;
    std::shared_ptr<VaeDecoder> decoder_;
    Conv2d quant_conv_{nullptr}, post_quant_conv_{nullptr};
};

} // namespace artv
