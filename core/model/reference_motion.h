// The input of the motion embedding (artv.motion_embed, docs/MODEL.md "Motion embedding"): how
// far the picture moved from x_{t-2} to x_{t-1}. Measured on the frames, not learned: the
// reference adapter sees the two references only as 16×16 latents, where a pan of 2–4 pixels
// per frame is a quarter to a half of a latent pixel, and the trained models did not read it
// (docs/EVAL.md "Does the model read the motion it is shown?"). Training and generation call
// this one function, so the network sees the same measurement in both.
#pragma once

#include <ATen/core/Tensor.h>

#include "io/image.h"

namespace artv {

// The global shift from `older` to `newer` (phase correlation, eval/phase_correlation.h) in
// latent pixels: frame pixels / downsample; [2] float (dx right, dy down) on the CPU. Exactly
// zero when either frame is empty (blank references) or both are the same picture (a still
// frame as both references). The frames must have the same size.
at::Tensor reference_motion(const Frame &older, const Frame &newer, int downsample);

// Latents [B, C, h, w] carried along motions [B, 2] (latent pixels, as above): out(x, y) =
// in(x − dx, y − dy), bilinear, the edge repeated where the move uncovers the border. Rows of
// zero motion come back unchanged, bit for bit. The static reference of artv.motion_warp.
at::Tensor shift_latents(const at::Tensor &latents, const at::Tensor &motion);

}  // namespace artv
