// The procedural renderer: turns a ClipSpec (clip_spec.h) into frames, with the ground truth
// that evaluation measures against. Deterministic: the same spec and photos give the same
// bytes. Object clips: one anti-aliased shape (4×4 supersampled coverage) over a flat,
// gradient, textured or photo background. Camera clips: a viewport panning, tilting or
// zooming over a photograph (bilinear sampling, magnification >= 1 so nothing aliases).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "data/clip_spec.h"
#include "io/image.h"

namespace artv {

class PhotoLibrary;

// Where the object is in one frame (output pixels; angle in degrees).
struct ObjectState {
    float cx = 0, cy = 0;  // centre (the shape's centroid)
    float size = 0;        // ClipSpec::size at this frame
    float angle = 0;
};

// What the camera did by one frame, relative to frame 0: the displacement of the picture's
// content in output pixels (+x right, +y down: "pans left" gives offset_x > 0) and the
// magnification (> 1 after zooming in).
struct CameraState {
    float offset_x = 0, offset_y = 0;
    float zoom = 1;
};

struct ClipTruth {
    std::vector<ObjectState> object;  // one per frame (object clips; empty for camera clips)
    std::vector<CameraState> camera;  // one per frame (camera clips; empty for object clips)
    Rgb object_rgb{};                 // the colour drawn (colour_rgb(spec.colour))
};

struct RenderedClip {
    std::vector<Frame> frames;
    std::string caption;
    ClipSpec spec;
    ClipTruth truth;
};

// Ground truth alone, without drawing (cheap; evaluation uses it to score generated clips).
ClipTruth clip_truth(const ClipSpec &spec);
// Renders a clip. `photos` is needed for photo backgrounds and camera clips
// (ARTV_ERR_INVALID_ARGUMENT otherwise).
RenderedClip render_clip(const ClipSpec &spec, const PhotoLibrary *photos);
// render_clip(random_clip_spec(seed, options), options.photos).
RenderedClip render_random_clip(uint64_t seed, const RendererOptions &options);

}  // namespace artv
