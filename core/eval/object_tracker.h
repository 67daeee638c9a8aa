// Finding the renderer's object in a frame — generated or rendered — for evaluation: where it
// is, how big, what colour. Two detectors, so that colour fidelity is not judged by the
// detector that already assumes the colour:
//   by colour      pixels whose nearest palette colour (clip_spec.h) is the named one, minus
//                  pixels that already look like that in the background when a background is
//                  known; used for position (motion direction) and persistence.
//   by difference  pixels that differ from a background estimate, whatever their colour; used
//                  for the object's colour.
// Both keep the largest 8-connected component and accept it only when its area is within
// [min_area_ratio, max_area_ratio] × the expected area (a speck or a whole recoloured
// background is not the object).
#pragma once

#include <array>
#include <vector>

#include "data/clip_spec.h"
#include "data/renderer.h"
#include "eval/image_metrics.h"
#include "io/image.h"

namespace artv {

struct TrackerOptions {
    double background_margin = 40;  // Euclidean RGB distance that counts as "differs"
    double min_area_ratio = 0.25, max_area_ratio = 4.0;
};

struct ObjectObservation {
    bool found = false;
    double cx = 0, cy = 0;  // centroid of the component, pixels (pixel centres at x + 0.5)
    double area = 0;        // pixels in the component
    MeanRgb colour{};       // per-channel median over the component (robust to blended edges)
};

// The palette colour nearest to `rgb` (Euclidean).
Colour nearest_palette_colour(const MeanRgb &rgb);

// By colour. `background` may be null (T2V: unknown); otherwise same size as the frame.
ObjectObservation find_object_by_colour(const Frame &frame, Colour colour, double expected_area,
                                        const Frame *background, const TrackerOptions &options = {});
// By difference from `background` (same size as the frame).
ObjectObservation find_object_by_difference(const Frame &frame, const Frame &background,
                                            double expected_area, const TrackerOptions &options = {});

// The background of a rendered object clip without the object (the same spec drawn with a
// vanishing, still object): what the object is told apart from when the background is known.
Frame object_background(const ClipSpec &spec, const PhotoLibrary *photos);

// Per-pixel, per-channel median of frames of one size: the background of a clip where the
// object moves (a pixel is covered in fewer than half the frames). Throws on no frames.
Frame temporal_median(const std::vector<Frame> &frames);

}  // namespace artv
