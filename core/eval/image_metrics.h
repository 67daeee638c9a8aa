// Per-frame image measurements of evaluation (docs/EVAL.md has the exact definitions): PSNR
// and SSIM against a reference, the mean colour, sharpness, and frame-to-frame change. All on
// RGB24 frames with values 0..255; no LibTorch.
#pragma once

#include <array>
#include <vector>

#include "io/image.h"

namespace artv {

using MeanRgb = std::array<double, 3>;

// PSNR over all pixels and channels, MAX = 255, in dB; identical frames give kPsnrIdentical
// (a cap, so that means over clips stay finite). Same sizes required.
inline constexpr double kPsnrIdentical = 100.0;
double psnr(const Frame &a, const Frame &b);

// SSIM (Wang et al. 2004) on luma (BT.601): 11×11 Gaussian window, sigma 1.5, K1 0.01, K2 0.03,
// L 255, averaged over the positions where the window fits inside the frame (valid region).
// 1 for identical frames. Same sizes required, at least 11×11.
double ssim(const Frame &a, const Frame &b);

// Mean R, G, B over the frame.
MeanRgb mean_rgb(const Frame &f);
// Euclidean distance of two colours (0..255 units per channel).
double colour_distance(const MeanRgb &a, const MeanRgb &b);

// Sharpness: the mean gradient magnitude of luma, sqrt(gx² + gy²) with central differences
// (half the difference of the two neighbours), over interior pixels.
double sharpness(const Frame &f);

// Whether b shows a's picture, wherever it moved (the camera suite's "picture kept"): the
// Pearson correlation of the two frames' luma gradient magnitudes (as sharpness() computes
// them) over their overlap, the largest over b moved by every whole-pixel (dx, dy) with
// |dx|, |dy| <= max_shift. About 1 for the same picture moved, near 0 for another picture;
// never below 0 (an overlap without edges counts 0). Same sizes required, larger than 2 + 2·max_shift.
double edge_match(const Frame &a, const Frame &b, int max_shift);

// Mean absolute difference over pixels and channels (0..255), optionally only where
// mask[y·width + x] is nonzero (0 when the mask selects nothing).
double mean_abs_difference(const Frame &a, const Frame &b, const std::vector<uint8_t> *mask = nullptr);

}  // namespace artv
