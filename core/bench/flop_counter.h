// Counts the floating-point operations LibTorch runs while a FlopCount is alive, from the shapes
// of every convolution, matrix product and attention call (2 FLOPs per multiply-add; norms,
// activations and element-wise ops are not counted, as in the usual GFLOP figures of U-Nets).
// The count follows from the model config and the frame size alone: it is the analytic FLOP
// figure of whatever the networks actually ran, batched CFG rows and all.
//
// Works through LibTorch's RecordFunction observers, so it sees every op of every network
// without touching their code. Counting slows ops down a little: time runs without it.
#pragma once

#include <cstdint>

namespace artv {

class FlopCount {
public:
    FlopCount();   // starts counting (process-wide: ops of every thread are counted)
    ~FlopCount();  // stops
    FlopCount(const FlopCount &) = delete;
    FlopCount &operator=(const FlopCount &) = delete;

    double flops() const;  // so far
    // By kind, for the report.
    double conv_flops() const;
    double matmul_flops() const;     // mm, addmm, bmm, baddbmm (linear layers, plain attention)
    double attention_flops() const;  // fused scaled_dot_product_attention (LibTorch >= 2.0)

private:
    uint64_t handle_;
};

}  // namespace artv
