// Scaled dot-product attention and the SD2 CrossAttention layer (SD `ldm/modules/attention.py`
// CrossAttention: to_q, to_k, to_v without bias, to_out.0 with bias, scale dim_head^-0.5).
#pragma once

#include <cstdint>

#include <torch/nn/module.h>
#include <torch/nn/modules/linear.h>

#include "nn/linear.h"

namespace artv {

// How a layer computes its attention. Layers that own an attention computation inherit it, so
// that set_attention_query_chunk() and set_fused_attention() reach all of them in a network.
struct AttentionSettings {
    int64_t query_chunk = 0;  // queries per chunk of the unfused path; 0 = automatic
    bool fused = true;        // the fused kernel where the LibTorch in use has one
    virtual ~AttentionSettings() = default;
};
void set_attention_query_chunk(torch::nn::Module &root, int64_t chunk);
void set_fused_attention(torch::nn::Module &root, bool fused);

// Whether this build's LibTorch has the fused kernel (at::scaled_dot_product_attention, 2.0+).
bool fused_attention_available();

// softmax(q k^T / sqrt(d) [+ causal mask]) v for q [B, H, Nq, d], k and v [B, H, Nk, d].
// Uses the fused kernel where the LibTorch in use has one (nn/torch_compat.h) and
// `settings.fused`; otherwise bmm + softmax (softmax in fp32), computed `settings.query_chunk`
// queries at a time so that the score matrix never exceeds chunk x Nk per head (0 =
// automatic: at most ~64 M scores at once).
torch::Tensor attention(const torch::Tensor &q, const torch::Tensor &k, const torch::Tensor &v,
                        bool causal = false, const AttentionSettings &settings = {});

// [B, N, H*d] <-> [B, H, N, d]
torch::Tensor split_heads(const torch::Tensor &x, int64_t heads);
torch::Tensor merge_heads(const torch::Tensor &x);

// The keys and values one cross-attention layer computes from a frame's context (and anchor
// tokens), split into heads [B, H, L, d]: the same for every denoising step of the frame, so
// the engine computes them once per frame (ArtvNetworks::prepare). anchor_k / anchor_v are
// undefined without anchor tokens.
struct CrossAttentionKV {
    torch::Tensor k, v, anchor_k, anchor_v;
};

class CrossAttention : public torch::nn::Module, public AttentionSettings {
public:
    // context_dim 0 = self-attention (keys from x).
    CrossAttention(int64_t query_dim, int64_t context_dim, int64_t heads, int64_t dim_head);

    // context undefined: self-attention. extra_context (the ARTV anchor tokens), when defined,
    // is attended with the same to_k/to_v but its own softmax, and the result added
    // (decoupled cross-attention, as IP-Adapter's): tokens that are all zero contribute exactly
    // zero, which keeps a fresh anchor tokenizer (zero output layer) from changing the network.
    torch::Tensor forward(const torch::Tensor &x, const torch::Tensor &context = {},
                          const torch::Tensor &extra_context = {});
    // The same cross-attention with the keys and values of context_kv(context, extra_context).
    CrossAttentionKV context_kv(const torch::Tensor &context, const torch::Tensor &extra_context = {});
    torch::Tensor forward(const torch::Tensor &x, const CrossAttentionKV &kv);

private:
    int64_t heads_;
    Linear to_q_{nullptr}, to_k_{nullptr}, to_v_{nullptr}, to_out_{nullptr};
};

} // namespace artv
