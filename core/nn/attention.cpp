#include "nn/attention.h"

#include <algorithm>
#include <limits>

#include <torch/nn/functional/activation.h>
#include <torch/nn/modules/container/sequential.h>

#include "nn/torch_compat.h"

namespace artv {

namespace {

// Automatic query chunk: keep one chunk's scores (all batch rows and heads) under this many.
constexpr int64_t kAutoScoreBudget = int64_t(1) << 26;

torch::Tensor attention_bmm(const torch::Tensor &q, const torch::Tensor &k, const torch::Tensor &v,
                            bool causal, int64_t query_chunk) {
    const int64_t B = q.size(0), H = q.size(1), Nq = q.size(2), d = q.size(3), Nk = k.size(2);
    const double scale = 1.0 / std::sqrt(static_cast<double>(d));
    auto q3 = (q * scale).reshape({B * H, Nq, d});
    auto kt = k.reshape({B * H, Nk, d}).transpose(1, 2);
    auto v3 = v.reshape({B * H, Nk, d});
    int64_t chunk = query_chunk > 0 ? query_chunk
                                    : std::max<int64_t>(1, kAutoScoreBudget / std::max<int64_t>(1, B * H * Nk));
    chunk = std::min(chunk, Nq);
    std::vector<torch::Tensor> outs;
    for (int64_t s = 0; s < Nq; s += chunk) {
        int64_t n = std::min(chunk, Nq - s);
        auto scores = torch::bmm(q3.narrow(1, s, n), kt); // [BH, n, Nk]
        if (causal) {
            auto rows = torch::arange(s, s + n, torch::TensorOptions().device(q.device())).unsqueeze(1);
            auto cols = torch::arange(Nk, torch::TensorOptions().device(q.device())).unsqueeze(0);
            scores = scores.masked_fill(cols > rows, -std::numeric_limits<float>::infinity());
        }
        // softmax in fp32 (SD's _ATTN_PRECISION "fp32"), then back to the value dtype.
        auto probs = torch::softmax(scores, -1, torch::kFloat).to(v3.scalar_type());
        outs.push_back(torch::bmm(probs, v3));
    }
    auto out = outs.size() == 1 ? outs[0] : torch::cat(outs, 1);
    return out.reshape({B, H, Nq, d});
}

} // namespace

bool fused_attention_available() { return ARTV_HAS_FUSED_ATTENTION != 0; }

torch::Tensor attention(const torch::Tensor &q, const torch::Tensor &k, const torch::Tensor &v,
                        bool causal, const AttentionSettings &settings) {
    if (settings.fused && fused_attention_available()) return compat::fused_attention(q, k, v, causal);
    return attention_bmm(q, k, v, causal, settings.query_chunk);
}

void set_attention_query_chunk(torch::nn::Module &root, int64_t chunk) {
    for (const auto &m : root.modules(/*include_self=*/true))
        if (auto *a = dynamic_cast<AttentionSettings *>(m.get())) a->query_chunk = chunk;
}

void set_fused_attention(torch::nn::Module &root, bool fused) {
    for (const auto &m : root.modules(/*include_self=*/true))
        if (auto *a = dynamic_cast<AttentionSettings *>(m.get())) a->fused = fused;
}

torch::Tensor split_heads(const torch::Tensor &x, int64_t heads) {
    const int64_t B = x.size(0), N = x.size(1), C = x.size(2);
    return x.reshape({B, N, heads, C / heads}).transpose(1, 2);
}

torch::Tensor merge_heads(const torch::Tensor &x) {
    const int64_t B = x.size(0), H = x.size(1), N = x.size(2), d = x.size(3);
    return x.transpose(1, 2).reshape({B, N, H * d});
}

CrossAttention::CrossAttention(int64_t query_dim, int64_t context_dim, int64_t heads,
                               int64_t dim_head)
    : heads_(heads) {
    const int64_t inner = heads * dim_head;
    if (context_dim <= 0) context_dim = query_dim;
    using torch::nn::LinearOptions;
    to_q_ = register_module("to_q", Linear(LinearOptions(query_dim, inner).bias(false)));
    to_k_ = register_module("to_k", Linear(LinearOptions(context_dim, inner).bias(false)));
    to_v_ = register_module("to_v", Linear(LinearOptions(context_dim, inner).bias(false)));
    // to_out = Sequential(Linear, Dropout): the Linear is "to_out.0".
    auto to_out = register_module("to_out", std::make_shared<torch::nn::Module>());
    to_out_ = to_out->register_module("0", Linear(inner, query_dim));
}

torch::Tensor CrossAttention::forward(const torch::Tensor &x, const torch::Tensor &context,
                                      const torch::Tensor &extra_context) {
    return forward(x, context_kv(context.defined() ? context : x, extra_context));
}

CrossAttentionKV CrossAttention::context_kv(const torch::Tensor &context, const torch::Tensor &extra_context) {
    CrossAttentionKV kv{split_heads(to_k_(context), heads_), split_heads(to_v_(context), heads_), {}, {}};
    if (extra_context.defined()) {
        kv.anchor_k = split_heads(to_k_(extra_context), heads_);
        kv.anchor_v = split_heads(to_v_(extra_context), heads_);
    }
    return kv;
}

torch::Tensor CrossAttention::forward(const torch::Tensor &x, const CrossAttentionKV &kv) {
    auto q = split_heads(to_q_(x), heads_);
    auto out = attention(q, kv.k, kv.v, false, *this);
    if (kv.anchor_k.defined()) out = out + attention(q, kv.anchor_k, kv.anchor_v, false, *this);
    return to_out_(merge_heads(out));
}

} // namespace artv
