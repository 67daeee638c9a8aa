// Shared by the diagnostics in this directory: artv-tiny-sized frames to and from images.
#pragma once
#include <torch/torch.h>
#include "generate/frame_convert.h"
#include "io/image.h"

constexpr int kSize = 128;  // artv-tiny's generation size

// [1, 3, kSize, kSize] in [0, 1] -> an RGB frame.
inline artv::Frame to_frame(const at::Tensor &img) {
    artv::Frame f(kSize, kSize);
    artv::image_to_rgb24(img.to(torch::kFloat32), f.rgb.data(), kSize, kSize, int(f.stride()));
    return f;
}
