// The one place that knows which LibTorch is in use (Debian's 1.13, or PyPI's 2.x with CUDA).
#pragma once

#include <ATen/core/Tensor.h>
#include <torch/version.h>

// at::scaled_dot_product_attention (a fused kernel: flash / memory-efficient where the device
// has one) is public from LibTorch 2.0; 1.13 only has a private, unfused variant.
#if TORCH_VERSION_MAJOR >= 2
#define ARTV_HAS_FUSED_ATTENTION 1
#include <ATen/ops/scaled_dot_product_attention.h>
#else
#define ARTV_HAS_FUSED_ATTENTION 0
#endif

// CPU autocast switches: LibTorch 2.4 replaced the CPU-specific calls (is_cpu_enabled, ...;
// deprecated there, with a warning on every call) by per-device-type ones.
#include <ATen/autocast_mode.h>

#if TORCH_VERSION_MAJOR > 2 || (TORCH_VERSION_MAJOR == 2 && TORCH_VERSION_MINOR >= 4)
#define ARTV_AUTOCAST_PER_DEVICE 1
#else
#define ARTV_AUTOCAST_PER_DEVICE 0
#endif

namespace artv::compat {

inline bool cpu_autocast_enabled() {
#if ARTV_AUTOCAST_PER_DEVICE
    return at::autocast::is_autocast_enabled(at::kCPU);
#else
    return at::autocast::is_cpu_enabled();
#endif
}

inline void set_cpu_autocast_enabled(bool enabled) {
#if ARTV_AUTOCAST_PER_DEVICE
    at::autocast::set_autocast_enabled(at::kCPU, enabled);
#else
    at::autocast::set_cpu_enabled(enabled);
#endif
}

inline at::ScalarType cpu_autocast_dtype() {
#if ARTV_AUTOCAST_PER_DEVICE
    return at::autocast::get_autocast_dtype(at::kCPU);
#else
    return at::autocast::get_autocast_cpu_dtype();
#endif
}

inline void set_cpu_autocast_dtype(at::ScalarType dtype) {
#if ARTV_AUTOCAST_PER_DEVICE
    at::autocast::set_autocast_dtype(at::kCPU, dtype);
#else
    at::autocast::set_autocast_cpu_dtype(dtype);
#endif
}

// softmax(q k^T / sqrt(d) [+ causal mask]) v through the fused kernel; only called where
// ARTV_HAS_FUSED_ATTENTION (an undefined tensor otherwise).
inline at::Tensor fused_attention(const at::Tensor &q, const at::Tensor &k, const at::Tensor &v, bool causal) {
#if ARTV_HAS_FUSED_ATTENTION
    return at::scaled_dot_product_attention(q, k, v, /*attn_mask=*/{}, /*dropout_p=*/0.0, causal);
#else
    (void)q, (void)k, (void)v, (void)causal;
    return {};
#endif
}

}  // namespace artv::compat
