// Global translation between two frames by phase correlation: how far the picture's content
// moved from one frame to the next. Evaluation measures camera pans and tilts of generated
// video with it (eval_suite.h). No LibTorch: a small FFT of its own, so that the measurement
// does not depend on the networks' thread settings or device.
#pragma once

#include "io/image.h"

namespace artv {

struct Shift {
    double dx = 0, dy = 0;  // content displacement in pixels: +x right, +y down
    double peak = 0;        // correlation peak, ~1 for a pure translation, ~0 for unrelated frames
};

// The shift that carries `from` onto `to`: to(x, y) ≈ from(x − dx, y − dy). "Camera pans left"
// gives dx > 0 (clip_spec.h's convention). Both frames must have the same size (at least 8×8).
//
// Method: luma (BT.601), mean removed, Hann window, zero-padded to powers of two; the
// cross-power spectrum is normalised to unit magnitude (phase only) and weighted by a Gaussian
// low-pass (spatial sigma 1 px), so the correlation surface is a Gaussian blob at the shift:
// robust to the noise and blur of generated frames, and a 3-point Gaussian fit (a parabola
// through the log values) along each axis gives the sub-pixel position. Shifts are found up to
// half the padded size; anything larger aliases.
Shift phase_correlation(const Frame &from, const Frame &to);

}  // namespace artv
