// The size the networks generate at. Frames in and out may have any size; they are resized to
// and from this one (frame_convert.h).
#pragma once

namespace artv {

struct FrameSize {
    int width = 0;
    int height = 0;
};

// The default: the model's native short side with the aspect ratio of `aspect` (the first fed
// frame, or the requested output size in T2V), each side rounded to the nearest multiple of
// `multiple` (at least one multiple), then scaled down, keeping the aspect, until both sides
// are <= max_size. E.g. native 512, multiple 64, 1920x1080 -> 896x512.
FrameSize default_generation_size(FrameSize aspect, int native_short_side, int multiple,
                                  int max_size);

// An explicit size: both sides positive multiples of `multiple` and <= max_size, or
// ARTV_ERR_INVALID_ARGUMENT saying which rule is broken.
void check_generation_size(FrameSize size, int multiple, int max_size);

// max_size itself: at least `multiple`, at most kMaxFrameSide.
void check_max_size(int max_size, int multiple);

}  // namespace artv
