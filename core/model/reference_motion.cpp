#include "model/reference_motion.h"

#include <ATen/ATen.h>

#include "eval/phase_correlation.h"
#include "util/error.h"

namespace artv {

at::Tensor reference_motion(const Frame &older, const Frame &newer, int downsample) {
    if (downsample <= 0) throw_invalid("reference motion: downsample must be positive");
    if (older.empty() || newer.empty()) return at::zeros({2}, at::kFloat);
    if (older.width != newer.width || older.height != newer.height)
        throw_invalid("reference motion: the two references differ in size (" +
                      std::to_string(older.width) + "x" + std::to_string(older.height) + ", " +
                      std::to_string(newer.width) + "x" + std::to_string(newer.height) + ")");
    if (older == newer) return at::zeros({2}, at::kFloat);  // a still frame as both: no motion
    const Shift s = phase_correlation(older, newer);
    return at::tensor({float(s.dx / downsample), float(s.dy / downsample)}, at::kFloat);
}

at::Tensor shift_latents(const at::Tensor &latents, const at::Tensor &motion) {
    if (latents.dim() != 4 || motion.dim() != 2 || motion.size(0) != latents.size(0) || motion.size(1) != 2)
        throw_invalid("shift_latents: latents [B, C, h, w] and motion [B, 2] are required");
    const int64_t h = latents.size(2), w = latents.size(3);
    const at::Tensor m = motion.to(latents.device(), at::kFloat);
    // affine_grid maps each output position to the input position it samples (normalised,
    // align_corners false: one pixel is 2/w): x − dx.
    at::Tensor theta = at::zeros({latents.size(0), 2, 3}, m.options());
    theta.select(1, 0).select(1, 0).fill_(1.0);
    theta.select(1, 1).select(1, 1).fill_(1.0);
    theta.select(1, 0).select(1, 2).copy_(m.select(1, 0) * (-2.0 / double(w)));
    theta.select(1, 1).select(1, 2).copy_(m.select(1, 1) * (-2.0 / double(h)));
    const at::Tensor grid = at::affine_grid_generator(theta, latents.sizes(), false);
    const at::Tensor moved =
        at::grid_sampler(latents.to(at::kFloat), grid, /*bilinear*/ 0, /*border*/ 1, false).to(latents.scalar_type());
    const at::Tensor still = (m == 0).all(1).view({-1, 1, 1, 1});
    return at::where(still, latents, moved);
}

}  // namespace artv
