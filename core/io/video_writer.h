// Writes RGB24 frames as a video file (MP4/MKV/MOV/AVI... by extension, H.264 through libx264
// when libavcodec has it, else MPEG-4 part 2; yuv420p) or as a PNG sequence (a path with a
// printf pattern such as out/frame_%05d.png). What `artv generate` and `artv render` use.
// Nothing half-written is left behind: a video is written to a temporary name and renamed by
// close(); an error, abort() or destruction without close() removes what was written.
#pragma once

#include <memory>
#include <string>

#include "io/image.h"

namespace artv {

struct VideoWriterOptions {
    double fps = 8;
    std::string codec;  // "" = libx264 if present, else mpeg4; or any libavcodec encoder name
    int crf = 18;       // quality for libx264 (0 = lossless .. 51); mpeg4 uses qscale 2..31 from it
};

class VideoWriter {
public:
    // width and height of every frame to come; for yuv420p codecs both must be even.
    // ARTV_ERR_INVALID_ARGUMENT for a bad size/fps/pattern, ARTV_ERR_IO when the file cannot
    // be created.
    VideoWriter(const std::string &path, int width, int height, const VideoWriterOptions &options = {});
    ~VideoWriter();  // abort() unless close() succeeded
    VideoWriter(const VideoWriter &) = delete;
    VideoWriter &operator=(const VideoWriter &) = delete;

    // Appends one frame (its size must be the writer's). Frame i gets pts i in time base 1/fps.
    void write(const Frame &frame);
    // Flushes the encoder, writes the trailer, and moves the file into place.
    void close();
    // Stops and removes everything written so far. Safe to call more than once.
    void abort();

    int frames_written() const;
    bool is_png_sequence() const;
    std::string codec_name() const;  // the encoder in use ("png" for sequences)

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

// True when the path is a PNG-sequence pattern (contains a printf %d conversion).
bool is_image_sequence_pattern(const std::string &path);

}  // namespace artv
