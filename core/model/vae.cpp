#include "model/vae.h"

#include <torch/nn/functional/activation.h>
#include <torch/nn/functional/padding.h>
#include <torch/nn/modules/container/modulelist.h>

#include "nn/attention.h"
#include "nn/layers.h"
#include "util/error.h"

namespace artv {

namespace F = torch::nn::functional;

// model.py ResnetBlock without time embedding: norm1 -> SiLU -> conv1 -> norm2 -> SiLU ->
// (dropout) -> conv2, plus the input through nin_shortcut (1x1) when channels change.
class VaeResnetBlock : public torch::nn::Module {
public:
    VaeResnetBlock(int64_t in_c, int64_t out_c) {
        norm1_ = register_module("norm1", std::make_shared<GroupNorm32>(in_c, 1e-6));
        conv1_ = register_module("conv1", Conv2d(conv_options(in_c, out_c, 3)));
        norm2_ = register_module("norm2", std::make_shared<GroupNorm32>(out_c, 1e-6));
        conv2_ = register_module("conv2", Conv2d(conv_options(out_c, out_c, 3)));
        if (in_c != out_c) shortcut_ = register_module("nin_shortcut", Conv2d(conv_options(in_c, out_c, 1)));
    }
    torch::Tensor forward(const torch::Tensor &x) {
        auto h = conv1_(F::silu(norm1_->forward(x)));
        h = conv2_(F::silu(norm2_->forward(h)));
        return (shortcut_ ? shortcut_(x) : x) + h;
    }

private:
    std::shared_ptr<GroupNorm32> norm1_, norm2_;
    Conv2d conv1_{nullptr}, conv2_{nullptr}, shortcut_{nullptr};
};

// model.py AttnBlock: single-head self-attention over the h*w positions with 1x1 convs q, k, v,
// proj_out, scale C^-0.5, residual.
class VaeAttnBlock : public torch::nn::Module, public AttentionSettings {
public:
    explicit VaeAttnBlock(int64_t c) {
        norm_ = register_module("norm", std::make_shared<GroupNorm32>(c, 1e-6));
        q_ = register_module("q", Conv2d(conv_options(c, c, 1)));
        k_ = register_module("k", Conv2d(conv_options(c, c, 1)));
        v_ = register_module("v", Conv2d(conv_options(c, c, 1)));
        proj_out_ = register_module("proj_out", Conv2d(conv_options(c, c, 1)));
    }
    torch::Tensor forward(const torch::Tensor &x) {
        const int64_t B = x.size(0), C = x.size(1), H = x.size(2), W = x.size(3);
        auto h = norm_->forward(x);
        auto tokens = [&](const torch::Tensor &t) { return t.reshape({B, 1, C, H * W}).transpose(2, 3); };
        auto a = attention(tokens(q_(h)), tokens(k_(h)), tokens(v_(h)), false, *this);
        a = a.transpose(2, 3).reshape({B, C, H, W});
        return x + proj_out_(a);
    }

private:
    std::shared_ptr<GroupNorm32> norm_;
    Conv2d q_{nullptr}, k_{nullptr}, v_{nullptr}, proj_out_{nullptr};
};

namespace {

// The encoder's Downsample: pad (0, 1, 0, 1) then conv3x3 stride 2 without padding.
torch::Tensor vae_downsample(Conv2d &conv, const torch::Tensor &x) {
    return conv(F::pad(x, F::PadFuncOptions({0, 1, 0, 1})));
}

} // namespace

VaeEncoder::VaeEncoder(const VaeConfig &c) {
    const int levels = static_cast<int>(c.ch_mult.size());
    conv_in_ = register_module("conv_in", Conv2d(conv_options(c.in_channels, c.ch, 3)));
    auto down = register_module("down", torch::nn::ModuleList());
    int64_t block_in = c.ch;
    for (int l = 0; l < levels; ++l) {
        auto level = std::make_shared<torch::nn::Module>();
        auto block = add_container(*level, "block");
        blocks_.emplace_back();
        const int64_t block_out = int64_t(c.ch) * c.ch_mult[l];
        for (int b = 0; b < c.num_res_blocks; ++b) {
            blocks_[l].push_back(block->register_module(std::to_string(b), std::make_shared<VaeResnetBlock>(block_in, block_out)));
            block_in = block_out;
        }
        if (l != levels - 1) {
            auto ds = add_container(*level, "downsample");
            downsample_.push_back(ds->register_module(
                "conv", Conv2d(torch::nn::Conv2dOptions(block_in, block_in, 3).stride(2).padding(0))));
        }
        down->push_back(level);
    }
    auto mid = add_container(*this, "mid");
    mid_block_1_ = mid->register_module("block_1", std::make_shared<VaeResnetBlock>(block_in, block_in));
    mid_attn_ = mid->register_module("attn_1", std::make_shared<VaeAttnBlock>(block_in));
    mid_block_2_ = mid->register_module("block_2", std::make_shared<VaeResnetBlock>(block_in, block_in));
    norm_out_ = register_module("norm_out", std::make_shared<GroupNorm32>(block_in, 1e-6));
    conv_out_ = register_module("conv_out", Conv2d(conv_options(block_in, 2 * c.z_channels, 3)));
}

torch::Tensor VaeEncoder::forward(const torch::Tensor &x) {
    auto h = conv_in_(x);
    for (size_t l = 0; l < blocks_.size(); ++l) {
        for (auto &b : blocks_[l]) h = b->forward(h);
        if (l < downsample_.size()) h = vae_downsample(downsample_[l], h);
    }
    h = mid_block_2_->forward(mid_attn_->forward(mid_block_1_->forward(h)));
    return conv_out_(F::silu(norm_out_->forward(h)));
}

VaeDecoder::VaeDecoder(const VaeConfig &c) {
    const int levels = static_cast<int>(c.ch_mult.size());
    int64_t block_in = int64_t(c.ch) * c.ch_mult.back();
    conv_in_ = register_module("conv_in", Conv2d(conv_options(c.z_channels, block_in, 3)));
    auto mid = add_container(*this, "mid");
    mid_block_1_ = mid->register_module("block_1", std::make_shared<VaeResnetBlock>(block_in, block_in));
    mid_attn_ = mid->register_module("attn_1", std::make_shared<VaeAttnBlock>(block_in));
    mid_block_2_ = mid->register_module("block_2", std::make_shared<VaeResnetBlock>(block_in, block_in));
    // up.<l> is built from the coarsest level down, but named by level (up.insert(0, ...)).
    std::vector<std::shared_ptr<torch::nn::Module>> up_levels(levels);
    blocks_.resize(levels);
    upsample_.resize(levels, Conv2d(nullptr));
    for (int l = levels - 1; l >= 0; --l) {
        auto level = std::make_shared<torch::nn::Module>();
        auto block = add_container(*level, "block");
        const int64_t block_out = int64_t(c.ch) * c.ch_mult[l];
        for (int b = 0; b <= c.num_res_blocks; ++b) {
            blocks_[l].push_back(block->register_module(std::to_string(b), std::make_shared<VaeResnetBlock>(block_in, block_out)));
            block_in = block_out;
        }
        if (l != 0) {
            auto us = add_container(*level, "upsample");
            upsample_[l] = us->register_module("conv", Conv2d(conv_options(block_in, block_in, 3)));
        }
        up_levels[l] = level;
    }
    auto up = register_module("up", torch::nn::ModuleList());
    for (auto &level : up_levels) up->push_back(level);
    norm_out_ = register_module("norm_out", std::make_shared<GroupNorm32>(block_in, 1e-6));
    conv_out_ = register_module("conv_out", Conv2d(conv_options(block_in, c.out_channels, 3)));
}

torch::Tensor VaeDecoder::forward(const torch::Tensor &z) {
    auto h = conv_in_(z);
    h = mid_block_2_->forward(mid_attn_->forward(mid_block_1_->forward(h)));
    for (int l = static_cast<int>(blocks_.size()) - 1; l >= 0; --l) {
        for (auto &b : blocks_[l]) h = b->forward(h);
        if (l != 0) h = upsample_[l](upsample_nearest2x(h));
    }
    return conv_out_(F::silu(norm_out_->forward(h)));
}

AutoencoderKL::AutoencoderKL(const VaeConfig &c) : config_(c) {
    encoder_ = register_module("encoder", std::make_shared<VaeEncoder>(c));
    decoder_ = register_module("decoder", std::make_shared<VaeDecoder>(c));
    quant_conv_ = register_module("quant_conv", Conv2d(conv_options(2 * c.z_channels, 2 * c.embed_dim, 1)));
    post_quant_conv_ = register_module("post_quant_conv", Conv2d(conv_options(c.embed_dim, c.z_channels, 1)));
}

torch::ScalarType AutoencoderKL::dtype() const { return quant_conv_->weight.scalar_type(); }

std::pair<torch::Tensor, torch::Tensor> AutoencoderKL::encode_moments(const torch::Tensor &x) {
    const int64_t f = int64_t(1) << (config_.ch_mult.size() - 1);
    if (x.dim() != 4 || x.size(1) != config_.in_channels || x.size(2) % f || x.size(3) % f)
        throw_invalid("VAE input must be [B, " + std::to_string(config_.in_channels) +
                      ", H, W] with H and W multiples of " + std::to_string(f) + ", got " +
                      c10::str(x.sizes()));
    auto moments = quant_conv_(encoder_->forward(x.to(dtype())));
    auto mv = moments.chunk(2, 1);
    // DiagonalGaussianDistribution: logvar clamped to [-30, 20].
    return {mv[0], torch::clamp(mv[1], -30.0, 20.0)};
}

torch::Tensor AutoencoderKL::encode(const torch::Tensor &x, bool sample,
                                    c10::optional<at::Generator> generator) {
    auto [mean, logvar] = encode_moments(x);
    if (!sample) return mean;
    // The generator decides where the noise is drawn (a CPU generator gives the same latents
    // on every device); then it moves to the latent's device.
    auto where = generator.has_value() ? generator->device() : mean.device();
    auto noise = at::randn(mean.sizes(), generator, mean.options().device(where)).to(mean.device());
    return mean + torch::exp(0.5 * logvar) * noise;
}

torch::Tensor AutoencoderKL::decode(const torch::Tensor &z) {
    if (z.dim() != 4 || z.size(1) != config_.embed_dim)
        throw_invalid("VAE latent must be [B, " + std::to_string(config_.embed_dim) + ", h, w], got " +
                      c10::str(z.sizes()));
    return decoder_->forward(post_quant_conv_(z.to(dtype())));
}

} // namespace artv
