// Frames as plain packed RGB24 images, and what the data layer does with them: resize, crop,
// read any still image libav decodes (PNG, JPEG, BMP, the first frame of a GIF), write PNG,
// lay frames out as a contact sheet. No LibTorch here: the training code turns frames into
// tensors itself.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace artv {

// One packed RGB24 image: R, G, B bytes per pixel, rows 3·width bytes apart, no padding.
struct Frame {
    int width = 0, height = 0;
    std::vector<uint8_t> rgb;

    Frame() = default;
    // A width×height frame filled with one colour.
    Frame(int width, int height, uint8_t r = 0, uint8_t g = 0, uint8_t b = 0);

    bool empty() const { return width <= 0 || height <= 0; }
    size_t stride() const { return size_t(3) * size_t(width); }
    uint8_t *pixel(int x, int y) { return rgb.data() + size_t(y) * stride() + size_t(3) * size_t(x); }
    const uint8_t *pixel(int x, int y) const {
        return rgb.data() + size_t(y) * stride() + size_t(3) * size_t(x);
    }
    bool operator==(const Frame &o) const = default;
};

// Copies from / to an RGB24 buffer whose rows are `stride` bytes apart (stride >= 3·width),
// the layout of artv.h's frames.
Frame frame_from_rgb24(const uint8_t *data, int width, int height, int stride);
void frame_to_rgb24(const Frame &frame, uint8_t *data, int stride);

enum class ResizeFilter {
    Area,     // averaging: the right choice for shrinking (no aliasing)
    Bicubic,  // for enlarging
    Bilinear,
};

// Scales to width×height (libswscale). Same size returns a copy.
Frame resize_frame(const Frame &frame, int width, int height, ResizeFilter filter = ResizeFilter::Area);
// The rectangle [x, x+width) × [y, y+height); it must lie inside the frame.
Frame crop_frame(const Frame &frame, int x, int y, int width, int height);
// The largest centred rectangle with the aspect ratio aspect_w:aspect_h.
Frame center_crop_to_aspect(const Frame &frame, int aspect_w, int aspect_h);
// Scales so that the frame covers width×height with its aspect kept, then crops the centre:
// what the data layer does to every video frame and photo ("short side, then crop to W×H").
// Area filter when shrinking, bicubic when enlarging.
Frame resize_cover(const Frame &frame, int width, int height);

// Limits on a decoded image so that a hostile file cannot exhaust memory.
struct ImageLimits {
    int max_width = 16384, max_height = 16384;
    int64_t max_pixels = int64_t(64) << 20;
};

// Reads the first picture of any image (or video) file libav can decode, as RGB24.
// ARTV_ERR_IO when the file is missing or unreadable, ARTV_ERR_FORMAT when it is not an image
// or is larger than the limits; the message names the file.
Frame read_image(const std::string &path, const ImageLimits &limits = {});
// Writes a PNG (libavcodec's encoder), replacing the file atomically (temp file + rename).
// ARTV_ERR_IO when it cannot be written.
void write_png(const std::string &path, const Frame &frame);
// The PNG bytes of a frame.
std::vector<uint8_t> encode_png(const Frame &frame);

// Frames in a grid of `columns` columns, `gap` pixels of background colour between them and
// around; all cells have the size of the largest frame (smaller frames sit top-left).
Frame contact_sheet(const std::vector<Frame> &frames, int columns, int gap = 2,
                    uint8_t background = 32);

}  // namespace artv
