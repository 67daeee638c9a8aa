#include "io/image.h"

#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <memory>

extern "C" {
#include <libavcodec/avcodec.h>
#include <libavutil/frame.h>
#include <libswscale/swscale.h>
}

#include "io/av_decoder.h"
#include "util/error.h"

namespace artv {

Frame::Frame(int w, int h, uint8_t r, uint8_t g, uint8_t b) : width(w), height(h) {
    if (w < 0 || h < 0) throw_invalid("frame size must not be negative");
    rgb.resize(size_t(3) * size_t(w) * size_t(h));
    for (size_t i = 0; i < rgb.size(); i += 3) {
        rgb[i] = r;
        rgb[i + 1] = g;
        rgb[i + 2] = b;
    }
}

Frame frame_from_rgb24(const uint8_t *data, int width, int height, int stride) {
    if (!data || width <= 0 || height <= 0 || stride < 3 * width)
        throw_invalid("RGB24 buffer: need data, a positive size and stride >= 3*width");
    Frame f(width, height);
    for (int y = 0; y < height; ++y)
        std::memcpy(f.pixel(0, y), data + size_t(y) * size_t(stride), f.stride());
    return f;
}

void frame_to_rgb24(const Frame &frame, uint8_t *data, int stride) {
    if (!data || stride < int(frame.stride())) throw_invalid("RGB24 buffer: stride >= 3*width needed");
    for (int y = 0; y < frame.height; ++y)
        std::memcpy(data + size_t(y) * size_t(stride), frame.pixel(0, y), frame.stride());
}

Frame resize_frame(const Frame &frame, int width, int height, ResizeFilter filter) {
    if (frame.empty()) throw_invalid("resize of an empty frame");
    if (width <= 0 || height <= 0)
        throw_invalid("resize to " + std::to_string(width) + "x" + std::to_string(height));
    if (width == frame.width && height == frame.height) return frame;
    int flags = filter == ResizeFilter::Area      ? SWS_AREA
                : filter == ResizeFilter::Bicubic ? SWS_BICUBIC
                                                  : SWS_BILINEAR;
    SwsContext *sws = sws_getContext(frame.width, frame.height, AV_PIX_FMT_RGB24, width, height,
                                     AV_PIX_FMT_RGB24, flags | SWS_ACCURATE_RND, nullptr,
                                     nullptr, nullptr);
    if (!sws) throw_invalid("cannot scale " + std::to_string(frame.width) + "x" +
                            std::to_string(frame.height) + " to " + std::to_string(width) + "x" +
                            std::to_string(height));
    try {
        PaddedRgb src(frame), dst(width, height);
        sws_scale(sws, src.data, src.linesize, 0, frame.height, dst.data, dst.linesize);
        sws_freeContext(sws);
        return dst.to_frame();
    } catch (...) {
        sws_freeContext(sws);
        throw;
    }
}

Frame crop_frame(const Frame &frame, int x, int y, int width, int height) {
    if (x < 0 || y < 0 || width <= 0 || height <= 0 || x + width > frame.width ||
        y + height > frame.height)
        throw_invalid("crop " + std::to_string(width) + "x" + std::to_string(height) + "+" +
                      std::to_string(x) + "+" + std::to_string(y) + " outside a " +
                      std::to_string(frame.width) + "x" + std::to_string(frame.height) + " frame");
    Frame out(width, height);
    for (int r = 0; r < height; ++r)
        std::memcpy(out.pixel(0, r), frame.pixel(x, y + r), out.stride());
    return out;
}

Frame center_crop_to_aspect(const Frame &frame, int aspect_w, int aspect_h) {
    if (aspect_w <= 0 || aspect_h <= 0) throw_invalid("aspect ratio must be positive");
    // Largest w×h with w:h = aspect_w:aspect_h inside the frame.
    int w = frame.width, h = frame.height;
    if (int64_t(w) * aspect_h > int64_t(h) * aspect_w)
        w = std::max(1, int(int64_t(h) * aspect_w / aspect_h));
    else
        h = std::max(1, int(int64_t(w) * aspect_h / aspect_w));
    return crop_frame(frame, (frame.width - w) / 2, (frame.height - h) / 2, w, h);
}

Frame resize_cover(const Frame &frame, int width, int height) {
    if (frame.empty()) throw_invalid("resize of an empty frame");
    if (width <= 0 || height <= 0)
        throw_invalid("resize to " + std::to_string(width) + "x" + std::to_string(height));
    Frame cropped = center_crop_to_aspect(frame, width, height);
    ResizeFilter filter = cropped.width >= width ? ResizeFilter::Area : ResizeFilter::Bicubic;
    return resize_frame(cropped, width, height, filter);
}

Frame read_image(const std::string &path, const ImageLimits &limits) {
    AvVideoDecoder dec(path);
    double t;
    if (!dec.next(&t)) throw_format(path + ": no decodable picture");
    SwsContext *sws = nullptr;
    try {
        Frame f = av_picture_to_rgb24(dec.picture(), &sws, limits, path);
        sws_freeContext(sws);
        return f;
    } catch (...) {
        sws_freeContext(sws);
        throw;
    }
}

std::vector<uint8_t> encode_png(const Frame &frame) {
    if (frame.empty()) throw_invalid("cannot encode an empty frame as PNG");
    const AVCodec *codec = avcodec_find_encoder(AV_CODEC_ID_PNG);
    if (!codec) throw_error(ARTV_ERR_INTERNAL, "this libavcodec has no PNG encoder");
    AVCodecContext *enc = avcodec_alloc_context3(codec);
    AVFrame *pic = av_frame_alloc();
    AVPacket *pkt = av_packet_alloc();
    std::vector<uint8_t> bytes;
    std::string failure;
    std::unique_ptr<PaddedRgb> padded;
    if (!enc || !pic || !pkt) {
        failure = "out of memory";
    } else {
        enc->width = frame.width;
        enc->height = frame.height;
        enc->pix_fmt = AV_PIX_FMT_RGB24;
        enc->time_base = AVRational{1, 1};
        int err = avcodec_open2(enc, codec, nullptr);
        if (err >= 0) {
            pic->format = AV_PIX_FMT_RGB24;
            pic->width = frame.width;
            pic->height = frame.height;
            // The encoder only reads the picture: point it at a padded copy.
            padded = std::make_unique<PaddedRgb>(frame);
            pic->data[0] = padded->data[0];
            pic->linesize[0] = padded->linesize[0];
            err = avcodec_send_frame(enc, pic);
            if (err >= 0) err = avcodec_send_frame(enc, nullptr);
            while (err >= 0) {
                err = avcodec_receive_packet(enc, pkt);
                if (err < 0) break;
                bytes.insert(bytes.end(), pkt->data, pkt->data + pkt->size);
                av_packet_unref(pkt);
            }
            if (err != AVERROR_EOF) failure = av_error_text(err);
        } else {
            failure = av_error_text(err);
        }
    }
    av_packet_free(&pkt);
    av_frame_free(&pic);
    avcodec_free_context(&enc);
    if (!failure.empty()) throw_error(ARTV_ERR_INTERNAL, "PNG encoding failed: " + failure);
    return bytes;
}

void write_png(const std::string &path, const Frame &frame) {
    std::vector<uint8_t> bytes = encode_png(frame);
    std::string tmp = path + ".tmp" + std::to_string(::getpid());
    FILE *f = std::fopen(tmp.c_str(), "wb");
    if (!f) throw_io(path + ": cannot write: " + std::strerror(errno));
    bool ok = std::fwrite(bytes.data(), 1, bytes.size(), f) == bytes.size();
    ok = (std::fclose(f) == 0) && ok;
    if (!ok || std::rename(tmp.c_str(), path.c_str()) != 0) {
        int e = errno;
        std::remove(tmp.c_str());
        throw_io(path + ": cannot write: " + std::strerror(e));
    }
}

Frame contact_sheet(const std::vector<Frame> &frames, int columns, int gap, uint8_t background) {
    if (frames.empty()) throw_invalid("contact sheet of no frames");
    if (columns <= 0 || gap < 0) throw_invalid("contact sheet: columns > 0 and gap >= 0 needed");
    int cw = 0, ch = 0;
    for (const Frame &f : frames) {
        cw = std::max(cw, f.width);
        ch = std::max(ch, f.height);
    }
    int cols = std::min<int>(columns, int(frames.size()));
    int rows = int((frames.size() + size_t(cols) - 1) / size_t(cols));
    Frame sheet(cols * cw + (cols + 1) * gap, rows * ch + (rows + 1) * gap, background, background,
                background);
    for (size_t i = 0; i < frames.size(); ++i) {
        int x0 = gap + int(i % size_t(cols)) * (cw + gap);
        int y0 = gap + int(i / size_t(cols)) * (ch + gap);
        const Frame &f = frames[i];
        for (int y = 0; y < f.height; ++y)
            std::memcpy(sheet.pixel(x0, y0 + y), f.pixel(0, y), f.stride());
    }
    return sheet;
}

}  // namespace artv
