#include "io/av_decoder.h"

#include <sys/stat.h>

#include <cerrno>
#include <cstring>

extern "C" {
#include <libavcodec/avcodec.h>
#include <libavformat/avformat.h>
#include <libavutil/imgutils.h>
#include <libavutil/pixdesc.h>
#include <libswscale/swscale.h>
}

#include "util/error.h"

namespace artv {

std::string av_error_text(int err) {
    char buf[AV_ERROR_MAX_STRING_SIZE] = {0};
    av_strerror(err, buf, sizeof buf);
    return buf;
}

namespace {

// Demuxers that turn non-video input into pictures (ANSI text, playlists, lists of other
// files): a caption file or a hostile playlist must not "decode" as video.
bool refused_demuxer(const char *name) {
    static const char *const refused[] = {"tty", "concat", "hls", "ffmetadata", "lavfi",
                                          "image2pipe", "dash", "sdp", "rtsp"};
    for (const char *r : refused)
        if (std::strcmp(name, r) == 0) return true;
    return false;
}

[[noreturn]] void throw_open_error(const std::string &path, int err) {
    if (err == AVERROR(ENOENT) || err == AVERROR(EACCES) || err == AVERROR(EISDIR) ||
        err == AVERROR(EIO))
        throw_io(path + ": cannot open: " + av_error_text(err));
    throw_format(path + ": not a readable video or image (" + av_error_text(err) + ")");
}

}  // namespace

AvVideoDecoder::AvVideoDecoder(const std::string &path) : path_(path) {
    struct stat st;
    if (::stat(path.c_str(), &st) != 0)
        throw_io(path + ": cannot open: " + std::strerror(errno));
    if (S_ISDIR(st.st_mode)) throw_io(path + ": is a directory, not a video or image file");
    if (st.st_size == 0) throw_format(path + ": empty file, not a video or image");

    AVDictionary *opts = nullptr;
    av_dict_set(&opts, "protocol_whitelist", "file", 0);
    int err = avformat_open_input(&fmt_, path.c_str(), nullptr, &opts);
    av_dict_free(&opts);
    if (err < 0) throw_open_error(path, err);
    try {
        if (refused_demuxer(fmt_->iformat->name))
            throw_format(path + ": not a video or image (libav reads it as '" +
                         fmt_->iformat->name + "')");
        err = avformat_find_stream_info(fmt_, nullptr);
        if (err < 0) throw_format(path + ": cannot read stream information: " + av_error_text(err));
        const AVCodec *codec = nullptr;
        stream_ = av_find_best_stream(fmt_, AVMEDIA_TYPE_VIDEO, -1, -1, &codec, 0);
        if (stream_ < 0 || !codec) {
            if (stream_ == AVERROR_DECODER_NOT_FOUND)
                throw_format(path + ": no decoder for its video stream in this libavcodec");
            throw_format(path + ": no video stream");
        }
        AVStream *st_v = fmt_->streams[stream_];
        for (unsigned i = 0; i < fmt_->nb_streams; ++i)
            if (int(i) != stream_) fmt_->streams[i]->discard = AVDISCARD_ALL;
        dec_ = avcodec_alloc_context3(codec);
        if (!dec_) throw_error(ARTV_ERR_OUT_OF_MEMORY, path + ": cannot allocate a decoder");
        err = avcodec_parameters_to_context(dec_, st_v->codecpar);
        if (err < 0) throw_format(path + ": bad codec parameters: " + av_error_text(err));
        dec_->pkt_timebase = st_v->time_base;
        dec_->thread_count = 0;  // libavcodec picks
        err = avcodec_open2(dec_, codec, nullptr);
        if (err < 0)
            throw_format(path + ": cannot open the " + codec->name + " decoder: " + av_error_text(err));
        frame_ = av_frame_alloc();
        pkt_ = av_packet_alloc();
        if (!frame_ || !pkt_) throw_error(ARTV_ERR_OUT_OF_MEMORY, path + ": out of memory");
        start_pts_ = st_v->start_time != AV_NOPTS_VALUE ? st_v->start_time : 0;
    } catch (...) {
        release();
        throw;
    }
}

AvVideoDecoder::~AvVideoDecoder() { release(); }

void AvVideoDecoder::release() {
    av_packet_free(&pkt_);
    av_frame_free(&frame_);
    avcodec_free_context(&dec_);
    if (fmt_) avformat_close_input(&fmt_);
}

int AvVideoDecoder::width() const { return fmt_->streams[stream_]->codecpar->width; }
int AvVideoDecoder::height() const { return fmt_->streams[stream_]->codecpar->height; }

double AvVideoDecoder::frame_rate() const {
    const AVStream *st = fmt_->streams[stream_];
    AVRational r = st->avg_frame_rate.num > 0 ? st->avg_frame_rate : st->r_frame_rate;
    return r.num > 0 && r.den > 0 ? av_q2d(r) : 0.0;
}

double AvVideoDecoder::duration() const {
    const AVStream *st = fmt_->streams[stream_];
    if (st->duration != AV_NOPTS_VALUE && st->duration > 0)
        return double(st->duration) * av_q2d(st->time_base);
    if (fmt_->duration != AV_NOPTS_VALUE && fmt_->duration > 0)
        return double(fmt_->duration) / AV_TIME_BASE;
    return -1;
}

std::string AvVideoDecoder::codec_name() const { return avcodec_get_name(dec_->codec_id); }
std::string AvVideoDecoder::format_name() const { return fmt_->iformat->name; }

bool AvVideoDecoder::next(double *seconds) {
    const AVStream *st = fmt_->streams[stream_];
    for (;;) {
        int err = avcodec_receive_frame(dec_, frame_);
        if (err == 0) {
            int64_t ts = frame_->best_effort_timestamp;
            double t;
            if (ts == AV_NOPTS_VALUE) {
                double fr = frame_rate();
                t = last_seconds_ < 0 ? 0.0 : last_seconds_ + (fr > 0 ? 1.0 / fr : 0.04);
            } else {
                t = double(ts - start_pts_) * av_q2d(st->time_base);
            }
            last_seconds_ = t;
            *seconds = t;
            return true;
        }
        if (err == AVERROR_EOF) {
            finished_ = true;
            return false;
        }
        if (err != AVERROR(EAGAIN)) {
            // A decoder error on output: count it and keep going, like ffmpeg does.
            ++broken_packets_;
            if (broken_packets_ > 10000) throw_format(path_ + ": too many decoding errors");
            continue;
        }
        if (flushing_) {
            finished_ = true;
            return false;
        }
        // Feed the next packet of our stream.
        for (;;) {
            err = av_read_frame(fmt_, pkt_);
            if (err < 0) {
                if (err != AVERROR_EOF && err != AVERROR(EIO) && err != AVERROR_INVALIDDATA)
                    throw_io(path_ + ": read error: " + av_error_text(err));
                // End of file (or a truncated tail): drain the decoder.
                avcodec_send_packet(dec_, nullptr);
                flushing_ = true;
                break;
            }
            if (pkt_->stream_index != stream_) {
                av_packet_unref(pkt_);
                continue;
            }
            err = avcodec_send_packet(dec_, pkt_);
            av_packet_unref(pkt_);
            if (err < 0 && err != AVERROR(EAGAIN)) {
                ++broken_packets_;
                if (broken_packets_ > 10000) throw_format(path_ + ": too many corrupt packets");
                continue;
            }
            break;
        }
    }
}

bool AvVideoDecoder::seek(double seconds) {
    const AVStream *st = fmt_->streams[stream_];
    int64_t ts = start_pts_ + int64_t(seconds / av_q2d(st->time_base));
    if (av_seek_frame(fmt_, stream_, ts, AVSEEK_FLAG_BACKWARD) < 0) return false;
    avcodec_flush_buffers(dec_);
    flushing_ = finished_ = false;
    last_seconds_ = -1;
    return true;
}

Frame av_picture_to_rgb24(const AVFrame *pic, SwsContext **sws, const ImageLimits &limits,
                          const std::string &what) {
    int w = pic->width, h = pic->height;
    if (w <= 0 || h <= 0) throw_format(what + ": picture without a size");
    if (w > limits.max_width || h > limits.max_height || int64_t(w) * h > limits.max_pixels)
        throw_format(what + ": picture of " + std::to_string(w) + "x" + std::to_string(h) +
                     " is larger than the limit of " + std::to_string(limits.max_width) + "x" +
                     std::to_string(limits.max_height));
    const AVPixFmtDescriptor *desc = av_pix_fmt_desc_get(AVPixelFormat(pic->format));
    if (!desc || (desc->flags & AV_PIX_FMT_FLAG_HWACCEL))
        throw_format(what + ": unsupported pixel format");
    // JPEG's full-range yuvj* formats are deprecated in libswscale: use the plain format and
    // say the range instead.
    AVPixelFormat fmt = AVPixelFormat(pic->format);
    bool full_range = pic->color_range == AVCOL_RANGE_JPEG;
    switch (fmt) {
    case AV_PIX_FMT_YUVJ420P: fmt = AV_PIX_FMT_YUV420P, full_range = true; break;
    case AV_PIX_FMT_YUVJ422P: fmt = AV_PIX_FMT_YUV422P, full_range = true; break;
    case AV_PIX_FMT_YUVJ444P: fmt = AV_PIX_FMT_YUV444P, full_range = true; break;
    case AV_PIX_FMT_YUVJ440P: fmt = AV_PIX_FMT_YUV440P, full_range = true; break;
    case AV_PIX_FMT_YUVJ411P: fmt = AV_PIX_FMT_YUV411P, full_range = true; break;
    default: break;
    }
    *sws = sws_getCachedContext(*sws, w, h, fmt, w, h, AV_PIX_FMT_RGB24,
                                SWS_BILINEAR | SWS_FULL_CHR_H_INT, nullptr,
                                nullptr, nullptr);
    if (!*sws) throw_format(what + ": cannot convert its pixel format " +
                            std::string(desc->name) + " to RGB");
    if (!(desc->flags & AV_PIX_FMT_FLAG_RGB)) {
        int cs = pic->colorspace == AVCOL_SPC_BT709 ? SWS_CS_ITU709 : SWS_CS_DEFAULT;
        sws_setColorspaceDetails(*sws, sws_getCoefficients(cs), full_range ? 1 : 0,
                                 sws_getCoefficients(SWS_CS_DEFAULT), 1, 0, 1 << 16, 1 << 16);
    }
    PaddedRgb out(w, h);
    sws_scale(*sws, pic->data, pic->linesize, 0, h, out.data, out.linesize);
    return out.to_frame();
}

PaddedRgb::PaddedRgb(int w, int h) : width(w), height(h) {
    int size = av_image_alloc(data, linesize, w, h, AV_PIX_FMT_RGB24, 64);
    if (size < 0)
        throw_error(ARTV_ERR_OUT_OF_MEMORY, "cannot allocate a " + std::to_string(w) + "x" + std::to_string(h) + " image");
    std::memset(data[0], 0, size_t(size));  // the padding is read too (never used, but defined)
}

PaddedRgb::PaddedRgb(const Frame &frame) : PaddedRgb(frame.width, frame.height) { assign(frame); }

PaddedRgb::~PaddedRgb() { av_freep(&data[0]); }

void PaddedRgb::assign(const Frame &frame) {
    if (frame.width != width || frame.height != height) throw_invalid("padded image: size mismatch");
    for (int y = 0; y < height; ++y)
        std::memcpy(data[0] + size_t(y) * size_t(linesize[0]), frame.pixel(0, y), frame.stride());
}

Frame PaddedRgb::to_frame() const {
    Frame out(width, height);
    for (int y = 0; y < height; ++y)
        std::memcpy(out.pixel(0, y), data[0] + size_t(y) * size_t(linesize[0]), out.stride());
    return out;
}

}  // namespace artv
