// LibTorch is built with NDEBUG, and RecordFunction's inline inputs() checks a debug-only flag
// that the release library never sets: read it as the library was compiled.
#ifndef NDEBUG
#define NDEBUG
#endif
#include "bench/flop_counter.h"

#include <ATen/record_function.h>

#include <atomic>
#include <cstring>
#include <vector>
#include <mutex>

#include "util/error.h"

namespace artv {

namespace {

// Totals in FLOPs (doubles: a 512x512 sd21 frame is ~1e14).
struct Totals {
    std::atomic<double> conv{0}, matmul{0}, attention{0};
};
Totals g_totals;
std::mutex g_active_mutex;
bool g_active = false;

// Inside a fused attention call its own matmuls (the math fallback) are not counted again, nor
// inside aten::convolution the backend op it calls (mkldnn_convolution among them). Inside
// artv::linear (nn/linear.h: a linear layer computed as a 1x1 convolution) the convolution is
// booked as the matrix product it is.
thread_local int t_inside_attention = 0, t_inside_convolution = 0, t_inside_linear = 0;

void add(std::atomic<double> &total, double v) {
    double old = total.load();
    while (!total.compare_exchange_weak(old, old + v)) {
    }
}

int64_t numel_of(c10::IntArrayRef sizes) {
    int64_t n = 1;
    for (auto s : sizes) n *= s;
    return n;
}

// An int[] argument: boxed as an IntList or, from some call paths, as a generic list of ints.
std::vector<int64_t> int_list(const c10::IValue &v) {
    if (v.isIntList()) return v.toIntVector();
    std::vector<int64_t> out;
    if (v.isList())
        for (const c10::IValue &e : v.toListRef())
            if (e.isInt()) out.push_back(e.toInt());
    return out;
}

// Where a convolution op keeps its arguments: aten::convolution(input, weight, bias, stride,
// padding, dilation, transposed, output_padding, groups), and aten::mkldnn_convolution(input,
// weight, bias, padding, stride, dilation, groups) that nn/conv2d.h calls directly.
struct ConvArgs {
    size_t count, stride, padding, dilation;
    int transposed;  // index, or -1: never transposed
};
constexpr ConvArgs kConvolution{9, 3, 4, 5, 6}, kMkldnnConvolution{7, 4, 3, 5, -1};

// Output elements x (C_in/groups x kernel) multiply-adds.
double convolution_flops(c10::ArrayRef<const c10::IValue> in, const ConvArgs &a) {
    if (in.size() < a.count || !in[0].isTensor() || !in[1].isTensor()) return 0;
    const auto x = in[0].toTensor().sizes(), w = in[1].toTensor().sizes();
    if (x.size() < 3 || w.size() != x.size()) return 0;
    const size_t spatial = x.size() - 2;
    // One value stands for every spatial dimension (conv2d's default dilation is [1]).
    auto per_dim = [spatial](std::vector<int64_t> v) {
        if (v.size() == 1) v.resize(spatial, v[0]);
        return v;
    };
    const auto stride = per_dim(int_list(in[a.stride])), padding = per_dim(int_list(in[a.padding])),
               dilation = per_dim(int_list(in[a.dilation]));
    const bool transposed = a.transposed >= 0 && in[a.transposed].toBool();
    if (stride.size() < spatial || padding.size() < spatial || dilation.size() < spatial) return 0;
    // Multiply-adds per input (transposed) or output (forward) position and batch row.
    const int64_t kernel = numel_of(w.slice(2));
    if (transposed) {
        // weight [C_in, C_out/groups, k...]: every input element meets C_out/groups x kernel.
        return 2.0 * double(numel_of(x)) * double(w[1]) * double(kernel);
    }
    int64_t out_positions = 1;
    for (size_t d = 0; d < spatial; ++d) {
        const int64_t k_eff = dilation[d] * (w[2 + d] - 1) + 1;
        out_positions *= (x[2 + d] + 2 * padding[d] - k_eff) / stride[d] + 1;
    }
    // w[1] is C_in / groups: the multiply-adds of one output element.
    return 2.0 * double(x[0]) * double(w[0]) * double(out_positions) * double(w[1]) * double(kernel);
}

// [.., n, k] x [.., k, m]: 2 n k m per batch element (self at index `a`, other at `a + 1`).
double matmul_flops(c10::ArrayRef<const c10::IValue> in, size_t a) {
    if (in.size() < a + 2 || !in[a].isTensor() || !in[a + 1].isTensor()) return 0;
    const auto x = in[a].toTensor().sizes(), y = in[a + 1].toTensor().sizes();
    if (x.size() < 2 || y.size() < 2) return 0;
    const int64_t batch = numel_of(x.slice(0, x.size() - 2));
    return 2.0 * double(batch) * double(x[x.size() - 2]) * double(x.back()) * double(y.back());
}

// scaled_dot_product_attention(q [.., Nq, d], k [.., Nk, d], v [.., Nk, dv], ...):
// QK^T and PV.
double attention_flops(c10::ArrayRef<const c10::IValue> in) {
    if (in.size() < 3 || !in[0].isTensor() || !in[1].isTensor() || !in[2].isTensor()) return 0;
    const auto q = in[0].toTensor().sizes(), k = in[1].toTensor().sizes(),
               v = in[2].toTensor().sizes();
    const int64_t batch = numel_of(q.slice(0, q.size() - 2));
    const double nq = double(q[q.size() - 2]), nk = double(k[k.size() - 2]);
    return 2.0 * double(batch) * nq * nk * (double(q.back()) + double(v.back()));
}

std::unique_ptr<at::ObserverContext> on_start(const at::RecordFunction &fn) {
    const char *name = fn.name();
    if (std::strcmp(name, "artv::linear") == 0) {
        ++t_inside_linear;
        return nullptr;
    }
    if (std::strcmp(name, "aten::scaled_dot_product_attention") == 0) {
        if (t_inside_attention++ == 0) add(g_totals.attention, attention_flops(fn.inputs()));
        return nullptr;
    }
    if (t_inside_attention > 0) return nullptr;
    if (std::strcmp(name, "aten::convolution") == 0) {
        if (t_inside_convolution++ == 0) add(g_totals.conv, convolution_flops(fn.inputs(), kConvolution));
    } else if (std::strcmp(name, "aten::mkldnn_convolution") == 0 && t_inside_convolution == 0)
        add(t_inside_linear > 0 ? g_totals.matmul : g_totals.conv,
            convolution_flops(fn.inputs(), kMkldnnConvolution));
    else if (std::strcmp(name, "aten::mm") == 0 || std::strcmp(name, "aten::bmm") == 0)
        add(g_totals.matmul, matmul_flops(fn.inputs(), 0));
    else if (std::strcmp(name, "aten::addmm") == 0 || std::strcmp(name, "aten::baddbmm") == 0)
        add(g_totals.matmul, matmul_flops(fn.inputs(), 1));
    return nullptr;
}

void on_end(const at::RecordFunction &fn, at::ObserverContext *) {
    if (std::strcmp(fn.name(), "artv::linear") == 0) --t_inside_linear;
    else if (std::strcmp(fn.name(), "aten::scaled_dot_product_attention") == 0) --t_inside_attention;
    else if (std::strcmp(fn.name(), "aten::convolution") == 0 && t_inside_attention == 0)
        --t_inside_convolution;
}

}  // namespace

FlopCount::FlopCount() {
    std::lock_guard<std::mutex> lock(g_active_mutex);
    if (g_active) throw_error(ARTV_ERR_STATE, "only one FlopCount may be alive at a time");
    g_active = true;
    g_totals.conv = 0;
    g_totals.matmul = 0;
    g_totals.attention = 0;
    handle_ = at::addGlobalCallback(at::RecordFunctionCallback(on_start, on_end)
                                        .needsInputs(true)
                                        .scopes({at::RecordScope::FUNCTION, at::RecordScope::USER_SCOPE}));
}

FlopCount::~FlopCount() {
    at::removeCallback(handle_);
    std::lock_guard<std::mutex> lock(g_active_mutex);
    g_active = false;
}

double FlopCount::conv_flops() const { return g_totals.conv.load(); }
double FlopCount::matmul_flops() const { return g_totals.matmul.load(); }
double FlopCount::attention_flops() const { return g_totals.attention.load(); }
double FlopCount::flops() const { return conv_flops() + matmul_flops() + attention_flops(); }

}  // namespace artv
