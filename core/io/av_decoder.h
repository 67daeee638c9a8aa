// Internal to core/io: the one place that demuxes and decodes a file with libavformat/libavcodec
// and turns decoded pictures into RGB24 with libswscale. read_image() and the video reader are
// built on it, so both classify errors the same way (missing → ARTV_ERR_IO, not a picture →
// ARTV_ERR_FORMAT, always naming the file).
#pragma once

#include <cstdint>
#include <string>

#include "io/image.h"

struct AVFormatContext;
struct AVCodecContext;
struct AVFrame;
struct AVPacket;
struct SwsContext;

namespace artv {

// libav's text for an AVERROR code.
std::string av_error_text(int err);

// Decodes the best video stream of one file, picture after picture.
class AvVideoDecoder {
public:
    // Opens the file (local files only: the protocol whitelist is "file", and pseudo-video
    // demuxers that read text or playlists are refused). Throws artv::Error naming the file.
    explicit AvVideoDecoder(const std::string &path);
    ~AvVideoDecoder();
    AvVideoDecoder(const AvVideoDecoder &) = delete;
    AvVideoDecoder &operator=(const AvVideoDecoder &) = delete;

    const std::string &path() const { return path_; }
    int width() const;             // of the stream's parameters (pictures may differ)
    int height() const;
    double frame_rate() const;     // the stream's average frame rate; 0 when unknown
    double duration() const;       // seconds; < 0 when unknown
    std::string codec_name() const;
    std::string format_name() const;

    // Decodes the next picture. Returns false at the end of the stream. *seconds receives its
    // presentation time relative to the stream's start; pictures without a timestamp get the
    // previous one plus one frame period. Broken packets are skipped and counted.
    bool next(double *seconds);
    // The picture that next() returned (owned by the decoder, valid until the next call).
    AVFrame *picture() const { return frame_; }
    int broken_packets() const { return broken_packets_; }

    // Seeks to the key frame at or before `seconds` (relative to the stream start); false when
    // the file cannot seek (the caller decodes from the start then).
    bool seek(double seconds);

private:
    void release();

    std::string path_;
    AVFormatContext *fmt_ = nullptr;
    AVCodecContext *dec_ = nullptr;
    AVFrame *frame_ = nullptr;
    AVPacket *pkt_ = nullptr;
    int stream_ = -1;
    int64_t start_pts_ = 0;
    double last_seconds_ = -1;
    bool flushing_ = false, finished_ = false;
    int broken_packets_ = 0;
};

// An RGB24 image in a buffer libav may over-read and over-write: libswscale's and the
// encoders' SIMD paths touch a few bytes past the end of lines, so every buffer they see is
// av_image_alloc'ed (line size rounded up to 64 bytes, padding after the last line). Frames
// are copied in and out.
class PaddedRgb {
public:
    PaddedRgb(int width, int height);  // ARTV_ERR_OUT_OF_MEMORY when it cannot be allocated
    explicit PaddedRgb(const Frame &frame);
    ~PaddedRgb();
    PaddedRgb(const PaddedRgb &) = delete;
    PaddedRgb &operator=(const PaddedRgb &) = delete;
    void assign(const Frame &frame);  // same size
    Frame to_frame() const;

    int width, height;
    uint8_t *data[4] = {nullptr, nullptr, nullptr, nullptr};
    int linesize[4] = {0, 0, 0, 0};
};

// Converts a decoded picture to RGB24 at its own size. *sws is a cached scaler context
// (start with nullptr, free with sws_freeContext). Throws ARTV_ERR_FORMAT when the picture is
// larger than `limits`; `what` names the file in messages.
Frame av_picture_to_rgb24(const AVFrame *picture, SwsContext **sws, const ImageLimits &limits,
                          const std::string &what);

}  // namespace artv
