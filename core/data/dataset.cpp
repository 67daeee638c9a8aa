#include "data/dataset.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "data/caption_file.h"
#include "data/clip_cache.h"
#include "data/photo_library.h"
#include "io/video_reader.h"
#include "util/error.h"

namespace artv {

Clip heldout_part(const Clip &clip) {
    Clip out;
    out.frames.assign(clip.frames.begin() + std::clamp(clip.train_end, 0, clip.size()), clip.frames.end());
    out.caption = clip.caption;
    out.origin = clip.origin + " (held-out tail)";
    out.train_end = 0;
    return out;
}

// ------------------------------------------------------------------------------- MemorySource

MemorySource::MemorySource(std::vector<Clip> clips, std::string name) : name_(std::move(name)) {
    for (Clip &c : clips) {
        if (c.frames.empty()) throw_invalid(name_ + ": a clip without frames (" + c.origin + ")");
        c.train_end = std::clamp(c.train_end, 0, c.size());
        clips_.push_back(std::make_shared<const Clip>(std::move(c)));
    }
}

std::shared_ptr<const Clip> MemorySource::clip(size_t i) const {
    if (i >= clips_.size()) throw_invalid(name_ + ": clip " + std::to_string(i) + " out of range");
    return clips_[i];
}

// ----------------------------------------------------------------------------- RendererSource

RendererSource::RendererSource(RendererOptions options, uint64_t first_seed, size_t count, size_t cache_clips)
    : options_(std::move(options)), first_seed_(first_seed), count_(count), cache_clips_(std::max<size_t>(1, cache_clips)) {
    if (count == 0) throw_invalid("renderer source: count must be positive");
    random_clip_spec(first_seed, options_);  // options checked now, not at the first sample
}

std::string RendererSource::name() const {
    return "renderer seeds " + std::to_string(first_seed_) + ".." + std::to_string(first_seed_ + count_ - 1);
}

ClipSpec RendererSource::spec(size_t i) const {
    if (i >= count_) throw_invalid("renderer source: clip " + std::to_string(i) + " out of range");
    return random_clip_spec(seed_of(i), options_);
}

std::shared_ptr<const Clip> RendererSource::clip(size_t i) const {
    if (i >= count_) throw_invalid("renderer source: clip " + std::to_string(i) + " out of range");
    {
        std::lock_guard<std::mutex> lock(mutex_);
        auto it = cache_.find(i);
        if (it != cache_.end()) return it->second;
    }
    RenderedClip r = render_clip(spec(i), options_.photos.get());  // outside the lock
    auto c = std::make_shared<Clip>();
    c->frames = std::move(r.frames);
    c->caption = std::move(r.caption);
    c->origin = "renderer seed " + std::to_string(seed_of(i));
    c->train_end = c->size();
    std::lock_guard<std::mutex> lock(mutex_);
    auto [it, inserted] = cache_.emplace(i, std::move(c));
    if (inserted) {
        order_.push_back(i);
        if (order_.size() > cache_clips_) {
            cache_.erase(order_.front());
            order_.erase(order_.begin());
        }
    }
    return it->second;
}

// -------------------------------------------------------------------------------- VideoSource

VideoSource::VideoSource(const std::string &captions_file, const VideoSourceOptions &o)
    : captions_file_(captions_file) {
    if (!(o.fps > 0) || o.width <= 0 || o.height <= 0)
        throw_invalid("video source: fps, width and height must be positive");
    if (!(o.heldout_fraction >= 0 && o.heldout_fraction < 1))
        throw_invalid("video source: heldout_fraction must be in [0, 1)");
    auto log = o.log ? o.log : [](const std::string &m) { std::fprintf(stderr, "artv: %s\n", m.c_str()); };
    auto problem = [&](const std::string &m) {
        problems_.push_back(m);
        log(m + " — skipped");
    };

    CaptionFile list = read_caption_file(captions_file);  // ARTV_ERR_IO when unreadable
    for (const std::string &p : list.problems) problem(p);
    for (const CaptionRecord &r : list.records) {
        const std::string where = captions_file + ":" + std::to_string(r.line) + ": ";
        VideoReadOptions ro;
        ro.fps = o.fps;
        ro.width = o.width;
        ro.height = o.height;
        ro.start = r.start;
        ro.end = r.end;
        ro.max_frames = o.max_frames_per_clip;
        std::vector<Frame> frames;
        try {
            uint64_t key = 0;
            std::string cache_path;
            if (!o.cache_dir.empty()) {
                key = clip_cache_key(r.path, o.fps, o.width, o.height, r.start, r.end, o.max_frames_per_clip);
                cache_path = clip_cache_path(o.cache_dir, key);
                if (load_cached_clip(cache_path, key, &frames)) ++cache_hits_;
            }
            if (frames.empty()) {
                frames = read_video(r.path, ro);
                if (!cache_path.empty()) {
                    try {
                        store_cached_clip(cache_path, key, frames);
                    } catch (const Error &e) {
                        log(std::string("clip cache not written: ") + e.what());
                    }
                }
            }
        } catch (const Error &e) {
            problem(where + e.what());
            continue;
        }
        const int n = int(frames.size());
        const int heldout = int(std::ceil(n * o.heldout_fraction));
        if (n - heldout < o.min_train_frames) {
            problem(where + r.path + ": only " + std::to_string(n) + " frames at " + std::to_string(o.fps) +
                    " fps, fewer than " + std::to_string(o.min_train_frames) + " for training after the held-out tail");
            continue;
        }
        auto c = std::make_shared<Clip>();
        c->frames = std::move(frames);
        c->caption = r.caption;
        c->origin = where.substr(0, where.size() - 2) + " (" + r.path + ")";
        c->train_end = n - heldout;
        clips_.push_back(std::move(c));
    }
    if (clips_.empty()) {
        std::string msg = captions_file + ": no usable clip";
        if (!problems_.empty()) {
            msg += " (" + std::to_string(problems_.size()) + " skipped; first: " + problems_.front() + ")";
        } else {
            msg += " (the file lists no videos)";
        }
        throw_format(msg);
    }
    if (!problems_.empty())
        log(captions_file + ": " + std::to_string(clips_.size()) + " clips loaded, " + std::to_string(problems_.size()) +
            " skipped");
}

std::shared_ptr<const Clip> VideoSource::clip(size_t i) const {
    if (i >= clips_.size()) throw_invalid(captions_file_ + ": clip " + std::to_string(i) + " out of range");
    return clips_[i];
}

}  // namespace artv
