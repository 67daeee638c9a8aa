// Reads any video file libav can decode as RGB24 frames, resampled to a target frame rate
// and resized/cropped to a target size: the way real footage enters training, evaluation and
// `artv generate --input`. Bounded, so that a hostile file cannot exhaust memory.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "io/image.h"

namespace artv {

struct VideoReadOptions {
    // Output frame rate: output frame k shows the decoded picture nearest to the instant
    // start + k/fps. 0 = every decoded picture, unchanged.
    double fps = 8;
    double start = 0;  // seconds from the stream's start
    double end = -1;   // seconds; < 0 = to the end of the stream
    // Output size. width and height both > 0: scale to cover, then centre-crop to exactly
    // width×height (resize_cover). Else short_side > 0: scale so that the shorter side is
    // short_side, aspect kept (the other side rounded to even). Else the source size.
    int width = 0, height = 0;
    int short_side = 0;
    int max_frames = 100000;                     // output frames at most
    int64_t max_total_bytes = int64_t(2) << 30;  // read_video(): all frames together
    ImageLimits limits;                          // per decoded picture
};

struct VideoInfo {
    int width = 0, height = 0;  // of the stream
    double fps = 0;             // the stream's average rate, 0 when unknown
    double duration = -1;       // seconds, < 0 when unknown
    std::string codec, format;  // libav's names
};

// Streams frames out of one file. Errors are artv::Error naming the file: ARTV_ERR_IO for a
// missing/unreadable file, ARTV_ERR_FORMAT for one that is not a video libav decodes, has no
// video stream, has pictures beyond the limits, or has no decodable picture at all.
class VideoReader {
public:
    VideoReader(const std::string &path, const VideoReadOptions &options = {});
    ~VideoReader();
    VideoReader(const VideoReader &) = delete;
    VideoReader &operator=(const VideoReader &) = delete;

    const VideoInfo &info() const;
    // The next output frame; false when the stream (or [start, end), or max_frames) is done.
    bool read(Frame *out);
    int frames_read() const;
    int broken_packets() const;  // corrupt packets skipped so far

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

// All frames of [start, end) at once. ARTV_ERR_FORMAT when not a single frame came out, or
// when the frames together exceed max_total_bytes.
std::vector<Frame> read_video(const std::string &path, const VideoReadOptions &options = {});
// Stream facts without decoding.
VideoInfo probe_video(const std::string &path);

}  // namespace artv
