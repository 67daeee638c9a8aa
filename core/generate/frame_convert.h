// Frames across the C API: packed RGB24 (R, G, B bytes, rows `stride` bytes apart) of any
// size, to and from the networks' image tensors [1, 3, H, W] in [0, 1] at the generation size.
// Resizing happens here, on the model's device (torch interpolate), so the caller never needs
// to know the generation size.
#pragma once

#include <ATen/core/Tensor.h>
#include <c10/core/Device.h>
#include <c10/core/ScalarType.h>

#include <cstdint>

#include <artv/artv.h>

namespace artv {

// Largest width/height of a frame crossing the API (FFmpeg's own limit is 16384 too).
constexpr int kMaxFrameSide = ARTV_MAX_FRAME_SIDE;

// Throws ARTV_ERR_INVALID_ARGUMENT unless rgb is non-null, 0 < width, height <= kMaxFrameSide
// and stride >= 3 * width. `what` names the argument in the message ("fed frame").
void check_rgb24(const uint8_t *rgb, int width, int height, int stride, const char *what);

// RGB24 -> [1, 3, out_height, out_width] in [0, 1], of `dtype` on `device`.
at::Tensor rgb24_to_image(const uint8_t *rgb, int width, int height, int stride, int out_width,
                          int out_height, c10::Device device, c10::ScalarType dtype);

// [1, 3, H, W] (values clamped to [0, 1]) -> RGB24 of width x height with stride, resized.
// The image must be finite (the caller checks, to name the frame in its error).
void image_to_rgb24(const at::Tensor &image, uint8_t *rgb, int width, int height, int stride);

// [N, C, H, W] resized to height x width: antialiased bilinear when shrinking (no aliasing
// from frames larger than the generation size), bilinear when growing; identity if equal.
at::Tensor resize_image(const at::Tensor &image, int height, int width);

}  // namespace artv
