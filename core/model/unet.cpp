#include "model/unet.h"

#include <algorithm>

#include <torch/nn/functional/activation.h>
#include <torch/nn/modules/container/modulelist.h>

#include "model/adapter.h"
#include "model/anchor.h"
#include "nn/layers.h"
#include "nn/resblock.h"
#include "nn/spatial_transformer.h"
#include "util/error.h"

namespace artv {

namespace F = torch::nn::functional;

// SD's TimestepEmbedSequential: layers "0", "1", "2" each called with what it needs.
class UNetBlock : public torch::nn::Module {
public:
    void add(std::shared_ptr<torch::nn::Module> m) {
        register_module(std::to_string(layers_.size()), m);
        layers_.push_back(std::move(m));
    }
    // emb_silu: SiLU of the time embedding, the input of every ResBlock's emb_layers Linear.
    // context_kv: the cross-attention keys and values of this block's transformer blocks and
    // those after it (UNetModel::context_kv's order); advanced past this block's.
    torch::Tensor forward(torch::Tensor h, const torch::Tensor &emb_silu, const CrossAttentionKV *&context_kv) {
        for (auto &m : layers_) {
            if (auto *r = dynamic_cast<ResBlock *>(m.get())) h = r->forward(h, emb_silu);
            else if (auto *s = dynamic_cast<SpatialTransformer *>(m.get())) {
                h = s->forward(h, context_kv);
                context_kv += s->depth();
            }
            else if (auto *d = dynamic_cast<Downsample *>(m.get())) h = d->forward(h);
            else if (auto *u = dynamic_cast<Upsample *>(m.get())) h = u->forward(h);
            else if (auto *c = dynamic_cast<Conv2dImpl *>(m.get())) h = c->forward(h);
            else throw_error(ARTV_ERR_INTERNAL, "unknown U-Net layer");
        }
        return h;
    }

    void add_transformers(std::vector<SpatialTransformer *> &out) const {
        for (auto &m : layers_)
            if (auto *s = dynamic_cast<SpatialTransformer *>(m.get())) out.push_back(s);
    }

private:
    std::vector<std::shared_ptr<torch::nn::Module>> layers_;
};

const std::vector<std::string> &UNetModel::addition_prefixes() {
    static const std::vector<std::string> p = {"adapter.", "anchor.", "noise_level_embed.",
                                               "text_pool_embed.", "motion_embed."};
    return p;
}

UNetModel::UNetModel(const UNetConfig &c, const ArtvAdditions &additions)
    : config_(c), additions_(additions), level_end_blocks_(c.level_end_blocks()) {
    const int64_t mc = c.model_channels, ted = c.time_embed_dim();
    auto has_attention = [&](int ds) {
        return std::find(c.attention_resolutions.begin(), c.attention_resolutions.end(), ds) !=
               c.attention_resolutions.end();
    };
    auto transformer = [&](int64_t ch) {
        return std::make_shared<SpatialTransformer>(ch, ch / c.num_head_channels, c.num_head_channels,
                                                    c.transformer_depth, c.context_dim,
                                                    c.use_linear_in_transformer);
    };

    time_embed_ = register_module("time_embed", std::make_shared<EmbedMLP>(mc, ted));

    auto input_list = register_module("input_blocks", torch::nn::ModuleList());
    auto new_block = [](auto &list, std::vector<std::shared_ptr<UNetBlock>> &v) {
        v.push_back(std::make_shared<UNetBlock>());
        list->push_back(v.back());
        return v.back();
    };
    new_block(input_list, input_blocks_)->add(Conv2d(conv_options(c.in_channels, mc, 3)).ptr());
    std::vector<int64_t> chans{mc};
    int64_t ch = mc;
    int ds = 1;
    for (int level = 0; level < c.levels(); ++level) {
        for (int r = 0; r < c.num_res_blocks; ++r) {
            auto b = new_block(input_list, input_blocks_);
            b->add(std::make_shared<ResBlock>(ch, ted, c.level_channels(level)));
            ch = c.level_channels(level);
            if (has_attention(ds)) b->add(transformer(ch));
            chans.push_back(ch);
        }
        if (level != c.levels() - 1) {
            new_block(input_list, input_blocks_)->add(std::make_shared<Downsample>(ch, ch));
            chans.push_back(ch);
            ds *= 2;
        }
    }

    middle_block_ = register_module("middle_block", std::make_shared<UNetBlock>());
    middle_block_->add(std::make_shared<ResBlock>(ch, ted, ch));
    middle_block_->add(transformer(ch));
    middle_block_->add(std::make_shared<ResBlock>(ch, ted, ch));

    auto output_list = register_module("output_blocks", torch::nn::ModuleList());
    for (int level = c.levels() - 1; level >= 0; --level) {
        for (int i = 0; i <= c.num_res_blocks; ++i) {
            int64_t skip_ch = chans.back();
            chans.pop_back();
            auto b = new_block(output_list, output_blocks_);
            b->add(std::make_shared<ResBlock>(ch + skip_ch, ted, c.level_channels(level)));
            ch = c.level_channels(level);
            if (has_attention(ds)) b->add(transformer(ch));
            if (level != 0 && i == c.num_res_blocks) {
                b->add(std::make_shared<Upsample>(ch, ch));
                ds /= 2;
            }
        }
    }

    for (const SpatialTransformer *s : transformers()) transformer_blocks_ += s->depth();

    auto out = add_container(*this, "out");
    out_norm_ = out->register_module("0", std::make_shared<GroupNorm32>(ch, 1e-5));
    out_conv_ = out->register_module("2", Conv2d(conv_options(mc, c.out_channels, 3)));
    zero_parameters(*out_conv_);

    // ARTV additions.
    if (additions.adapter.enabled) {
        std::vector<int64_t> level_ch;
        for (int l = 0; l < c.levels(); ++l) level_ch.push_back(c.level_channels(l));
        adapter_ = register_module("adapter", std::make_shared<ReferenceAdapter>(
                                                  2 * c.in_channels, level_ch,
                                                  additions.adapter.nums_rb, additions.adapter.ksize));
    }
    if (additions.anchor.enabled)
        anchor_ = register_module("anchor", std::make_shared<AnchorTokenizer>(
                                                c.in_channels, additions.anchor.patch_size,
                                                additions.anchor.max_grid[0],
                                                additions.anchor.max_grid[1], c.context_dim));
    if (additions.noise_level_embed) {
        noise_level_embed_ = register_module("noise_level_embed", std::make_shared<EmbedMLP>(mc, ted));
        zero_parameters(*noise_level_embed_->last());
    }
    if (additions.pooled_text_embed) {
        text_pool_embed_ = register_module("text_pool_embed", Linear(c.context_dim, ted));
        zero_parameters(*text_pool_embed_);
    }
    if (additions.motion_embed) {
        motion_embed_ = register_module("motion_embed", std::make_shared<EmbedMLP>(mc, ted));
        zero_parameters(*motion_embed_->last());
    }
}

torch::ScalarType UNetModel::dtype() const { return out_conv_->weight.scalar_type(); }

std::vector<torch::Tensor> UNetModel::adapter_features(const torch::Tensor &refs) {
    if (!adapter_) throw_error(ARTV_ERR_STATE, "this U-Net has no reference adapter");
    if (refs.dim() != 4 || refs.size(1) != 2 * config_.in_channels)
        throw_invalid("reference latents must be [B, " + std::to_string(2 * config_.in_channels) +
                      ", h, w] (two latents on channels)");
    return adapter_->forward(refs.to(dtype()));
}

torch::Tensor UNetModel::anchor_tokens(const torch::Tensor &anchor) {
    if (!anchor_) throw_error(ARTV_ERR_STATE, "this U-Net has no anchor tokenizer");
    if (anchor.dim() != 4) throw_invalid("the anchor latent must be [B, C, h, w]");
    return anchor_->forward(anchor.to(dtype()));
}

torch::Tensor UNetModel::extra_embedding(const torch::Tensor &noise_level, const torch::Tensor &text,
                                         const torch::Tensor &motion) {
    torch::Tensor emb;
    if (noise_level_embed_) {
        if (!noise_level.defined()) throw_invalid("the noise level k is required by this U-Net");
        emb = noise_level_embed_->forward(
            timestep_embedding(noise_level, config_.model_channels).to(dtype()));
    }
    if (text_pool_embed_) {
        if (!text.defined() || text.dim() != 3) throw_invalid("text tokens [B, L, D] are required by this U-Net");
        auto pooled = text_pool_embed_(text.to(dtype()).mean(1));
        emb = emb.defined() ? emb + pooled : pooled;
    }
    if (motion_embed_) {
        if (!motion.defined() || motion.dim() != 2 || motion.size(1) != 2)
            throw_invalid("the references' motion [B, 2] is required by this U-Net");
        // Hundredths of a latent pixel: the shifts of interest (0.1 to 1 latent pixel per
        // frame) then span the sinusoids' fine frequencies as timesteps do.
        const auto m = motion.to(torch::kFloat32) * 100.0;
        const int64_t half = config_.model_channels / 2;
        auto moved = motion_embed_->forward(
            torch::cat({timestep_embedding(m.select(1, 0), half),
                        timestep_embedding(m.select(1, 1), config_.model_channels - half)}, 1)
                .to(dtype()));
        emb = emb.defined() ? emb + moved : moved;
    }
    return emb;
}

std::vector<SpatialTransformer *> UNetModel::transformers() const {
    std::vector<SpatialTransformer *> out;
    for (const auto &b : input_blocks_) b->add_transformers(out);
    middle_block_->add_transformers(out);
    for (const auto &b : output_blocks_) b->add_transformers(out);
    return out;
}

std::vector<CrossAttentionKV> UNetModel::context_kv(const torch::Tensor &context,
                                                    const torch::Tensor &anchor_tokens) {
    if (!context.defined() || context.dim() != 3 || context.size(2) != config_.context_dim)
        throw_invalid("U-Net: the context must be [B, L, " + std::to_string(config_.context_dim) + "]");
    const auto dt = dtype();
    const auto ctx = context.to(dt);
    const auto anchor = anchor_tokens.defined() ? anchor_tokens.to(dt) : torch::Tensor();
    std::vector<CrossAttentionKV> kv;
    for (SpatialTransformer *s : transformers())
        for (auto &block_kv : s->context_kv(ctx, anchor)) kv.push_back(std::move(block_kv));
    return kv;
}

torch::Tensor UNetModel::forward(const torch::Tensor &x_in, const torch::Tensor &t,
                                 const torch::Tensor &context_in, const UNetExtras &extras) {
    const auto dt = dtype();
    const int64_t mult = int64_t(1) << (config_.levels() - 1);
    if (x_in.dim() != 4 || x_in.size(1) != config_.in_channels || x_in.size(2) % mult || x_in.size(3) % mult)
        throw_invalid("U-Net input must be [B, " + std::to_string(config_.in_channels) +
                      ", h, w] with h and w multiples of " + std::to_string(mult) + ", got " +
                      c10::str(x_in.sizes()));
    if (t.numel() != x_in.size(0)) throw_invalid("U-Net: one timestep per batch row is required");
    auto x = x_in.to(dt);
    std::vector<CrossAttentionKV> own_kv;
    if (!extras.context_kv) own_kv = context_kv(context_in, extras.anchor_tokens);
    const std::vector<CrossAttentionKV> &kv = extras.context_kv ? *extras.context_kv : own_kv;
    if (kv.size() != transformer_blocks_)
        throw_invalid("U-Net: expected the keys and values of " + std::to_string(transformer_blocks_) +
                      " cross-attention layers, got " + std::to_string(kv.size()));
    const CrossAttentionKV *next_kv = kv.data();

    auto emb = time_embed_->forward(timestep_embedding(t.reshape({-1}), config_.model_channels).to(dt));
    if (extras.extra_emb.defined()) emb = emb + extras.extra_emb.to(dt);
    const auto emb_silu = F::silu(emb);

    const auto *features = extras.adapter_features;
    if (features && features->size() != level_end_blocks_.size())
        throw_invalid("U-Net: expected " + std::to_string(level_end_blocks_.size()) +
                      " adapter feature maps, got " + std::to_string(features->size()));
    std::vector<torch::Tensor> hs;
    auto h = x;
    size_t level = 0;
    for (size_t id = 0; id < input_blocks_.size(); ++id) {
        h = input_blocks_[id]->forward(h, emb_silu, next_kv);
        // T2I-Adapter injection (openaimodel.py forward): after the last block of each level,
        // before its downsample; the skip stores the adapted h.
        if (features && level < level_end_blocks_.size() && int(id) == level_end_blocks_[level]) {
            const auto &f = (*features)[level++];
            if (f.sizes() != h.sizes())
                throw_invalid("adapter feature " + std::to_string(level - 1) + " has shape " +
                              c10::str(f.sizes()) + ", the U-Net level has " + c10::str(h.sizes()));
            h = h + f.to(dt);
        }
        hs.push_back(h);
    }
    h = middle_block_->forward(h, emb_silu, next_kv);
    for (auto &b : output_blocks_) {
        h = torch::cat({h, hs.back()}, 1);
        hs.pop_back();
        h = b->forward(h, emb_silu, next_kv);
    }
    return out_conv_(F::silu(out_norm_->forward(h)));
}

} // namespace artv
