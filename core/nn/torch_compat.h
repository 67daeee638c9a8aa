// The one place that knows which LibTorch is in use (Debian's 1.13, or PyPI's 2.x with CUDA).
#pragma once

#include <torch/version.h>

// at::scaled_dot_product_attention (a fused kernel: flash / memory-efficient where the device
// has one) is public from LibTorch 2.0; 1.13 only has a private, unfused variant.
#if TORCH_VERSION_MAJOR >= 2
#define ARTV_HAS_FUSED_ATTENTION 1
#else
#define ARTV_HAS_FUSED_ATTENTION 0
#endif
