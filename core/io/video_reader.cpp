#include "io/video_reader.h"

#include <cmath>

extern "C" {
#include <libavutil/frame.h>
#include <libswscale/swscale.h>
}

#include "io/av_decoder.h"
#include "util/error.h"

namespace artv {

namespace {

// A decoded picture kept aside (a reference, no copy) with its time and serial number.
struct Held {
    AVFrame *pic = av_frame_alloc();
    double t = 0;
    int64_t serial = -1;
    bool valid = false;
    Held() = default;
    Held(const Held &) = delete;
    Held &operator=(const Held &) = delete;
    ~Held() { av_frame_free(&pic); }
};

VideoInfo info_of(const AvVideoDecoder &dec) {
    VideoInfo info;
    info.width = dec.width();
    info.height = dec.height();
    info.fps = dec.frame_rate();
    info.duration = dec.duration();
    info.codec = dec.codec_name();
    info.format = dec.format_name();
    return info;
}

}  // namespace

struct VideoReader::Impl {
    VideoReadOptions opt;
    AvVideoDecoder dec;
    VideoInfo info;
    SwsContext *sws = nullptr;
    Held prev, cur;  // prev.t <= the instant we look for < cur.t, when both are valid
    bool eof = false;
    double period = 0;  // the source's frame period, for the last picture's display time
    int64_t decoded = 0;
    int k = 0;          // next output instant
    int64_t cached_serial = -1;
    Frame cached;       // the last converted output (reused when fps is above the source's)

    Impl(const std::string &path, const VideoReadOptions &o) : opt(o), dec(path) {
        if (opt.fps < 0 || !std::isfinite(opt.fps)) throw_invalid("video fps must be >= 0");
        if (opt.start < 0) throw_invalid("video start must be >= 0 seconds");
        if (opt.end >= 0 && opt.end <= opt.start)
            throw_invalid(path + ": end (" + std::to_string(opt.end) + " s) must be after start (" +
                          std::to_string(opt.start) + " s)");
        if (opt.width < 0 || opt.height < 0 || opt.short_side < 0 || opt.max_frames < 0)
            throw_invalid("video output size and max_frames must not be negative");
        info = info_of(dec);
        if (info.width > opt.limits.max_width || info.height > opt.limits.max_height ||
            int64_t(info.width) * info.height > opt.limits.max_pixels)
            throw_format(path + ": video of " + std::to_string(info.width) + "x" +
                         std::to_string(info.height) + " is larger than the limit");
        period = info.fps > 0 ? 1.0 / info.fps : 0;
        if (opt.start > 1.0) dec.seek(opt.start - 1.0);  // else decode from the start
    }
    ~Impl() { sws_freeContext(sws); }

    // Decodes the next picture into cur (after moving cur to prev). False at the end.
    bool advance() {
        if (cur.valid) {
            av_frame_unref(prev.pic);
            av_frame_move_ref(prev.pic, cur.pic);
            prev.t = cur.t;
            prev.serial = cur.serial;
            prev.valid = true;
            cur.valid = false;
        }
        double t;
        if (!dec.next(&t)) {
            eof = true;
            return false;
        }
        if (prev.valid) {
            if (t <= prev.t) t = prev.t + (period > 0 ? period : 1e-3);  // keep time monotonic
            else if (info.fps <= 0) period = t - prev.t;
        }
        av_frame_unref(cur.pic);
        av_frame_ref(cur.pic, dec.picture());
        cur.t = t;
        cur.serial = decoded++;
        cur.valid = true;
        return true;
    }

    Frame convert(const Held &h) {
        if (h.serial == cached_serial) return cached;
        Frame f = av_picture_to_rgb24(h.pic, &sws, opt.limits, dec.path());
        if (opt.width > 0 && opt.height > 0) {
            f = resize_cover(f, opt.width, opt.height);
        } else if (opt.short_side > 0) {
            double s = double(opt.short_side) / std::min(f.width, f.height);
            int w = f.width <= f.height ? opt.short_side : 2 * int(std::lround(f.width * s / 2));
            int h = f.height < f.width ? opt.short_side : 2 * int(std::lround(f.height * s / 2));
            f = resize_cover(f, std::max(w, 1), std::max(h, 1));
        }
        cached = f;
        cached_serial = h.serial;
        return f;
    }

    bool read(Frame *out) {
        if (k >= opt.max_frames) return false;
        if (opt.fps == 0) {  // every picture in [start, end)
            for (;;) {
                if (!advance()) return false;
                if (opt.end >= 0 && cur.t >= opt.end) return false;
                if (cur.t + 1e-9 >= opt.start) break;
            }
            *out = convert(cur);
            ++k;
            return true;
        }
        double target = opt.start + k / opt.fps;
        if (opt.end >= 0 && target >= opt.end - 1e-9) return false;
        while (!eof && (!cur.valid || cur.t <= target)) advance();
        const Held *pick;
        if (cur.valid && prev.valid)  // prev.t <= target < cur.t: the nearer one
            pick = (target - prev.t) <= (cur.t - target) ? &prev : &cur;
        else if (cur.valid)  // the instant is before the first picture
            pick = &cur;
        else if (prev.valid)  // after the last picture: it is shown for one period
            pick = target < prev.t + (period > 0 ? period : 1.0 / opt.fps) - 1e-9 ? &prev : nullptr;
        else
            pick = nullptr;
        if (!pick) return false;
        *out = convert(*pick);
        ++k;
        return true;
    }
};

VideoReader::VideoReader(const std::string &path, const VideoReadOptions &options)
    : impl_(std::make_unique<Impl>(path, options)) {}
VideoReader::~VideoReader() = default;
const VideoInfo &VideoReader::info() const { return impl_->info; }
bool VideoReader::read(Frame *out) { return impl_->read(out); }
int VideoReader::frames_read() const { return impl_->k; }
int VideoReader::broken_packets() const { return impl_->dec.broken_packets(); }

std::vector<Frame> read_video(const std::string &path, const VideoReadOptions &options) {
    VideoReader reader(path, options);
    std::vector<Frame> frames;
    int64_t bytes = 0;
    Frame f;
    while (reader.read(&f)) {
        bytes += int64_t(f.rgb.size());
        if (bytes > options.max_total_bytes)
            throw_format(path + ": decoded frames exceed " +
                         std::to_string(options.max_total_bytes >> 20) +
                         " MiB; lower the size, the frame rate or the time range");
        frames.push_back(std::move(f));
    }
    if (frames.empty())
        throw_format(path + ": no decodable video frame" +
                     (options.start > 0 || options.end >= 0 ? std::string(" in the time range")
                                                            : std::string()));
    return frames;
}

VideoInfo probe_video(const std::string &path) {
    AvVideoDecoder dec(path);
    return info_of(dec);
}

}  // namespace artv
