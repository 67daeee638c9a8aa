#include "io/video_writer.h"

#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <vector>

extern "C" {
#include <libavcodec/avcodec.h>
#include <libavformat/avformat.h>
#include <libavutil/opt.h>
#include <libswscale/swscale.h>
}

#include "io/av_decoder.h"
#include "util/error.h"

namespace artv {

namespace {

// Splits "dir/frame_%05d.png" into prefix, zero-pad width and suffix. Only one %d conversion
// (with an optional 0-padded width) is accepted, and "%%" for a literal percent sign, so the
// pattern is never handed to printf.
bool parse_pattern(const std::string &p, std::string *prefix, int *pad, std::string *suffix) {
    std::string pre, suf;
    int found = 0, width = 0;
    for (size_t i = 0; i < p.size(); ++i) {
        std::string &out = found ? suf : pre;
        if (p[i] != '%') {
            out += p[i];
            continue;
        }
        if (i + 1 < p.size() && p[i + 1] == '%') {
            out += '%';
            ++i;
            continue;
        }
        size_t j = i + 1;
        int w = 0;
        while (j < p.size() && std::isdigit(static_cast<unsigned char>(p[j]))) w = w * 10 + (p[j++] - '0');
        if (j >= p.size() || p[j] != 'd' || found || w > 12) return false;
        found = 1;
        width = w;
        i = j;
    }
    if (!found) return false;
    *prefix = pre;
    *pad = width;
    *suffix = suf;
    return true;
}

}  // namespace

bool is_image_sequence_pattern(const std::string &path) {
    std::string a, b;
    int w;
    return parse_pattern(path, &a, &w, &b);
}

struct VideoWriter::Impl {
    std::string path;
    int width, height;
    VideoWriterOptions opt;
    int frames = 0;
    bool closed = false, aborted = false;
    // PNG sequence
    bool png = false;
    std::string prefix, suffix;
    int pad = 0;
    std::vector<std::string> written;
    // video file
    std::string tmp;
    AVFormatContext *oc = nullptr;
    AVCodecContext *enc = nullptr;
    AVStream *st = nullptr;
    AVFrame *yuv = nullptr;
    AVPacket *pkt = nullptr;
    SwsContext *sws = nullptr;
    std::unique_ptr<PaddedRgb> rgb;  // libswscale's input (it reads past line ends)
    bool file_open = false;
    std::string codec_used = "png";

    Impl(const std::string &p, int w, int h, const VideoWriterOptions &o)
        : path(p), width(w), height(h), opt(o) {
        if (w <= 0 || h <= 0) throw_invalid(p + ": video size must be positive");
        if (!(opt.fps > 0) || !std::isfinite(opt.fps) || opt.fps > 1000)
            throw_invalid(p + ": fps must be in (0, 1000]");
        png = parse_pattern(p, &prefix, &pad, &suffix);
        if (png) return;
        if (p.find('%') != std::string::npos)
            throw_invalid(p + ": a PNG sequence pattern needs exactly one %d (e.g. frame_%05d.png)");
        try {
            open_video();
        } catch (...) {
            release(true);
            throw;
        }
    }
    ~Impl() {
        if (!closed) release(true);
    }

    void open_video() {
        const AVOutputFormat *fmt = av_guess_format(nullptr, path.c_str(), nullptr);
        if (!fmt || (fmt->flags & AVFMT_NOFILE))
            throw_invalid(path + ": unknown video container (use .mp4, .mkv, .mov, .avi, or a "
                                 "PNG pattern like frame_%05d.png)");
        const AVCodec *codec = nullptr;
        if (!opt.codec.empty()) {
            codec = avcodec_find_encoder_by_name(opt.codec.c_str());
            if (!codec) throw_invalid(path + ": no encoder named '" + opt.codec + "' in this libavcodec");
        } else {
            codec = avcodec_find_encoder_by_name("libx264");
            if (!codec) codec = avcodec_find_encoder(AV_CODEC_ID_MPEG4);
            if (!codec) throw_error(ARTV_ERR_INTERNAL, "this libavcodec has neither libx264 nor mpeg4");
        }
        codec_used = codec->name;
        AVPixelFormat pix = AV_PIX_FMT_YUV420P;
        if (codec->pix_fmts) {  // the encoder's first format when it cannot take yuv420p
            bool has = false;
            for (const AVPixelFormat *f = codec->pix_fmts; *f != AV_PIX_FMT_NONE; ++f)
                has = has || *f == pix;
            if (!has) pix = codec->pix_fmts[0];
        }
        if (pix == AV_PIX_FMT_YUV420P && (width % 2 || height % 2))
            throw_invalid(path + ": " + codec->name + " (yuv420p) needs an even width and height, got " +
                          std::to_string(width) + "x" + std::to_string(height));
        tmp = path + ".part" + std::to_string(::getpid());
        int err = avformat_alloc_output_context2(&oc, fmt, nullptr, tmp.c_str());
        if (err < 0 || !oc) throw_error(ARTV_ERR_OUT_OF_MEMORY, path + ": cannot set up the muxer");
        enc = avcodec_alloc_context3(codec);
        yuv = av_frame_alloc();
        pkt = av_packet_alloc();
        if (!enc || !yuv || !pkt) throw_error(ARTV_ERR_OUT_OF_MEMORY, path + ": out of memory");
        enc->width = width;
        enc->height = height;
        enc->pix_fmt = pix;
        enc->time_base = av_inv_q(av_d2q(opt.fps, 65535));
        enc->framerate = av_d2q(opt.fps, 65535);
        enc->gop_size = std::max(1, int(std::lround(opt.fps * 2)));
        if (std::strcmp(codec->name, "libx264") == 0) {
            av_opt_set_int(enc->priv_data, "crf", std::clamp(opt.crf, 0, 51), 0);
            av_opt_set(enc->priv_data, "preset", "medium", 0);
        } else {
            enc->flags |= AV_CODEC_FLAG_QSCALE;
            enc->global_quality = FF_QP2LAMBDA * std::clamp(2 + opt.crf / 4, 2, 31);
        }
        if (oc->oformat->flags & AVFMT_GLOBALHEADER) enc->flags |= AV_CODEC_FLAG_GLOBAL_HEADER;
        err = avcodec_open2(enc, codec, nullptr);
        if (err < 0)
            throw_invalid(path + ": cannot open the " + codec->name + " encoder: " + av_error_text(err));
        st = avformat_new_stream(oc, nullptr);
        if (!st) throw_error(ARTV_ERR_OUT_OF_MEMORY, path + ": cannot add a stream");
        st->time_base = enc->time_base;
        st->avg_frame_rate = enc->framerate;
        avcodec_parameters_from_context(st->codecpar, enc);
        err = avio_open(&oc->pb, tmp.c_str(), AVIO_FLAG_WRITE);
        if (err < 0) throw_io(path + ": cannot create: " + av_error_text(err));
        file_open = true;
        AVDictionary *mux = nullptr;
        if (std::strcmp(oc->oformat->name, "mp4") == 0 || std::strcmp(oc->oformat->name, "mov") == 0)
            av_dict_set(&mux, "movflags", "+faststart", 0);
        err = avformat_write_header(oc, &mux);
        av_dict_free(&mux);
        if (err < 0) throw_io(path + ": cannot write the header: " + av_error_text(err));
        yuv->format = pix;
        yuv->width = width;
        yuv->height = height;
        err = av_frame_get_buffer(yuv, 0);
        if (err < 0) throw_error(ARTV_ERR_OUT_OF_MEMORY, path + ": out of memory");
        sws = sws_getContext(width, height, AV_PIX_FMT_RGB24, width, height, pix,
                             SWS_BICUBIC | SWS_ACCURATE_RND | SWS_FULL_CHR_H_INP, nullptr, nullptr, nullptr);
        if (!sws) throw_error(ARTV_ERR_INTERNAL, path + ": cannot convert RGB to the encoder's format");
    }

    // Sends one picture (or nullptr to flush) and writes every packet that comes out.
    void encode(AVFrame *pic) {
        int err = avcodec_send_frame(enc, pic);
        if (err < 0) throw_error(ARTV_ERR_INTERNAL, path + ": encoding failed: " + av_error_text(err));
        for (;;) {
            err = avcodec_receive_packet(enc, pkt);
            if (err == AVERROR(EAGAIN) || err == AVERROR_EOF) return;
            if (err < 0) throw_error(ARTV_ERR_INTERNAL, path + ": encoding failed: " + av_error_text(err));
            av_packet_rescale_ts(pkt, enc->time_base, st->time_base);
            pkt->stream_index = st->index;
            err = av_interleaved_write_frame(oc, pkt);
            if (err < 0) throw_io(path + ": write failed: " + av_error_text(err));
        }
    }

    std::string png_name(int index) const {
        std::string n = std::to_string(index);
        if (int(n.size()) < pad) n.insert(0, size_t(pad) - n.size(), '0');
        return prefix + n + suffix;
    }

    void write(const Frame &f) {
        if (closed || aborted) throw_error(ARTV_ERR_STATE, path + ": writer already closed");
        if (f.width != width || f.height != height)
            throw_invalid(path + ": frame of " + std::to_string(f.width) + "x" + std::to_string(f.height) +
                          " in a " + std::to_string(width) + "x" + std::to_string(height) + " video");
        try {
            if (png) {
                std::string name = png_name(frames);
                write_png(name, f);
                written.push_back(name);
            } else {
                int err = av_frame_make_writable(yuv);
                if (err < 0) throw_error(ARTV_ERR_OUT_OF_MEMORY, path + ": out of memory");
                if (!rgb) rgb = std::make_unique<PaddedRgb>(width, height);
                rgb->assign(f);
                sws_scale(sws, rgb->data, rgb->linesize, 0, height, yuv->data, yuv->linesize);
                yuv->pts = frames;
                encode(yuv);
            }
        } catch (...) {
            release(true);
            throw;
        }
        ++frames;
    }

    void close() {
        if (closed) return;
        if (aborted) throw_error(ARTV_ERR_STATE, path + ": writer was aborted");
        if (png) {
            closed = true;
            return;
        }
        try {
            encode(nullptr);
            int err = av_write_trailer(oc);
            if (err < 0) throw_io(path + ": cannot finish the file: " + av_error_text(err));
            err = avio_closep(&oc->pb);
            file_open = false;
            if (err < 0) throw_io(path + ": cannot finish the file: " + av_error_text(err));
            if (std::rename(tmp.c_str(), path.c_str()) != 0)
                throw_io(path + ": cannot move the finished file into place: " + std::strerror(errno));
        } catch (...) {
            release(true);
            throw;
        }
        release(false);
        closed = true;
    }

    // Frees libav state; with `remove`, deletes what was written.
    void release(bool remove) {
        if (oc && file_open) avio_closep(&oc->pb);
        file_open = false;
        avformat_free_context(oc);
        oc = nullptr;
        avcodec_free_context(&enc);
        av_frame_free(&yuv);
        av_packet_free(&pkt);
        sws_freeContext(sws);
        sws = nullptr;
        if (remove) {
            if (!tmp.empty()) std::remove(tmp.c_str());
            for (const std::string &n : written) std::remove(n.c_str());
            written.clear();
            aborted = true;
        }
    }
};

VideoWriter::VideoWriter(const std::string &path, int width, int height, const VideoWriterOptions &options)
    : impl_(std::make_unique<Impl>(path, width, height, options)) {}
VideoWriter::~VideoWriter() = default;
void VideoWriter::write(const Frame &frame) { impl_->write(frame); }
void VideoWriter::close() { impl_->close(); }
void VideoWriter::abort() {
    if (!impl_->closed) impl_->release(true);
}
int VideoWriter::frames_written() const { return impl_->frames; }
bool VideoWriter::is_png_sequence() const { return impl_->png; }
std::string VideoWriter::codec_name() const { return impl_->codec_used; }

}  // namespace artv
