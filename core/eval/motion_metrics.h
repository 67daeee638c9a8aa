// Motion of a clip from measurements, and whether it matches the ground truth: the object's
// track (object_tracker.h) and the camera's per-frame shifts (phase_correlation.h) reduced to one
// displacement, judged against the four axis directions. Definitions in docs/EVAL.md.
#pragma once

#include <array>
#include <vector>

#include "eval/object_tracker.h"
#include "eval/phase_correlation.h"
#include "io/image.h"

namespace artv {

// The four directions of the direction suites (chance = 25%), plus None for "no clear motion".
enum class AxisDirection { None, Left, Right, Up, Down };
const char *axis_direction_name(AxisDirection d);  // "none", "left", ...

// The direction of a displacement (x right, y down): the axis with the larger |component| and
// that component's sign; None when that component is shorter than min_travel pixels (a wobble
// is not a motion) or the components are equal.
AxisDirection dominant_direction(double dx, double dy, double min_travel);
// The direction of a ground-truth unit vector (clip_spec.h's object_motion_direction,
// camera_content_direction): None unless it points along one axis.
AxisDirection axis_direction_of(const std::array<float, 2> &unit);

struct Displacement {
    double dx = 0, dy = 0;
    int frames_used = 0;  // frames the estimate rests on
};

// The object's displacement over a track: a least-squares line through the centroids of the
// frames where it was found (x and y against the frame index), evaluated between the first
// and the last frame of the track (slope × (frames − 1)). Fewer than 2 found frames: zero,
// frames_used = the found count.
Displacement track_displacement(const std::vector<ObjectObservation> &track);

// The object suite's rule (eval_suite.cpp): a track is correct iff the object was found in at
// least half of its frames and the dominant direction of track_displacement() is `truth`.
bool object_track_correct(const std::vector<ObjectObservation> &track, AxisDirection truth, double min_travel);

// Shifts between consecutive frames (size − 1 of them) by phase correlation.
std::vector<Shift> consecutive_shifts(const std::vector<Frame> &frames);
// Their sum: the content's displacement over the clip.
Displacement total_shift(const std::vector<Shift> &shifts);

// The content's displacement over the clip, first to last frame, measured between frames
// `stride` apart: the mean of the shifts from frame i to frame i + stride over every i, per
// frame (÷ stride), times size − 1. A stride beyond the clip is cut to size − 1; stride 1 is
// total_shift(consecutive_shifts()). frames_used: the frames measured. Why a stride
// (docs/EVAL.md "Measuring a pan"): frames through a VAE move by a few pixels per frame while
// part of their detail stays on the 8-pixel latent grid, and neighbouring frames then read a
// pan too slow (0.3 of a 2 px/frame pan on aero3.jpg through artv-tiny's VAE); frames 4 apart
// read it within 5%. Generated frames do not move rigidly over 4 frames, though, and there the
// wider stride agrees less with the shown speed, so the suites default to 1.
Displacement clip_motion(const std::vector<Frame> &frames, int stride);

// Pearson's correlation of two equally long series (the continuation suite: generated against
// shown speeds); NaN for fewer than 2 pairs or a series without spread.
double pearson_correlation(const std::vector<double> &x, const std::vector<double> &y);

}  // namespace artv
