// Clips for training and evaluation behind one interface, whatever they come from: the
// procedural renderer, a directory of real videos with a captions file, or clips already in
// memory. Frames are RGB24 at the training size and frame rate; no LibTorch here.
//
// Held-out split: frames [0, train_end) of a clip are for training; [train_end, size) — a
// fixed tail of each real clip (VideoSourceOptions::heldout_fraction) — only for evaluation.
// Rendered clips have no tail (train_end = size): their held-out data are other seeds.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "data/clip_spec.h"
#include "data/renderer.h"
#include "io/image.h"

namespace artv {

struct Clip {
    std::vector<Frame> frames;
    std::string caption;
    std::string origin;  // where it came from: "renderer seed 42", "captions.jsonl:3 (/path/vtest.avi)"
    int train_end = 0;   // frames before this index are for training; the rest is held out

    int size() const { return int(frames.size()); }
    int heldout_size() const { return size() - train_end; }
};

// The held-out tail of a clip as a clip of its own (train_end = 0: all of it held out).
Clip heldout_part(const Clip &clip);

class ClipSource {
public:
    virtual ~ClipSource() = default;
    virtual size_t size() const = 0;
    // Clip i (0 <= i < size()). Thread-safe; the clip stays valid while the pointer is held.
    virtual std::shared_ptr<const Clip> clip(size_t i) const = 0;
    virtual std::string name() const = 0;
};

// Clips given in memory (tests, tiny fixed batches).
class MemorySource : public ClipSource {
public:
    explicit MemorySource(std::vector<Clip> clips, std::string name = "memory");
    size_t size() const override { return clips_.size(); }
    std::shared_ptr<const Clip> clip(size_t i) const override;
    std::string name() const override { return name_; }

private:
    std::vector<std::shared_ptr<const Clip>> clips_;
    std::string name_;
};

// `count` rendered clips, clip i from seed first_seed + i. Rendering is a few milliseconds a
// clip, so clips are rendered on demand and only the last `cache_clips` are kept.
class RendererSource : public ClipSource {
public:
    RendererSource(RendererOptions options, uint64_t first_seed, size_t count, size_t cache_clips = 256);
    size_t size() const override { return count_; }
    std::shared_ptr<const Clip> clip(size_t i) const override;
    std::string name() const override;
    uint64_t seed_of(size_t i) const { return first_seed_ + i; }
    // The spec and ground truth of clip i (evaluation scores generated frames against them).
    ClipSpec spec(size_t i) const;
    const RendererOptions &options() const { return options_; }

private:
    RendererOptions options_;
    uint64_t first_seed_;
    size_t count_, cache_clips_;
    mutable std::mutex mutex_;
    mutable std::map<size_t, std::shared_ptr<const Clip>> cache_;
    mutable std::vector<size_t> order_;  // cache insertion order, oldest first
};

struct VideoSourceOptions {
    double fps = 8;
    int width = 128, height = 128;   // every frame: scaled to cover, centre-cropped
    double heldout_fraction = 0.25;  // the tail of each clip kept for evaluation (rounded up)
    int min_train_frames = 3;        // clips with fewer training frames are skipped
    int max_frames_per_clip = 4000;
    // Where decoded clips are cached as raw files (one per captions line, keyed by the video's
    // path, size, mtime and these options); "" = decode every time the source is built.
    std::string cache_dir;
    // Where problems are reported as they happen; default: stderr with an "artv: " prefix.
    std::function<void(const std::string &)> log;
};

// Real videos listed in a captions file (caption_file.h: CSV or JSON lines; paths relative to
// the file). Every video is decoded once, at construction, and kept in memory. Unreadable or
// corrupt videos and bad caption lines are reported (file and line) and skipped; a captions
// file that yields no usable clip is an error (ARTV_ERR_FORMAT; ARTV_ERR_IO when the file
// itself cannot be read).
class VideoSource : public ClipSource {
public:
    explicit VideoSource(const std::string &captions_file, const VideoSourceOptions &options = {});
    size_t size() const override { return clips_.size(); }
    std::shared_ptr<const Clip> clip(size_t i) const override;
    std::string name() const override { return captions_file_; }

    size_t skipped() const { return problems_.size(); }              // lines and videos skipped
    const std::vector<std::string> &problems() const { return problems_; }  // one message each
    size_t cache_hits() const { return cache_hits_; }

private:
    std::string captions_file_;
    std::vector<std::shared_ptr<const Clip>> clips_;
    std::vector<std::string> problems_;
    size_t cache_hits_ = 0;
};

}  // namespace artv
