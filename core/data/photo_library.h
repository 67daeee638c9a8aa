// The photographs the renderer pans over and draws objects on: a list of files with a short
// subject for captions ("a baboon") and a split (train / eval: eval photos never appear in
// training clips). Each photo is decoded once, on first use, and kept in memory.
#pragma once

#include <cstddef>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "data/clip_spec.h"
#include "io/image.h"

namespace artv {

struct PhotoEntry {
    std::string path;
    std::string subject;  // noun phrase for captions: "a baboon", "fruits"
    PhotoSplit split = PhotoSplit::Train;
};

class PhotoLibrary {
public:
    // Photos larger than max_side on their long side are shrunk to it when decoded.
    explicit PhotoLibrary(std::vector<PhotoEntry> entries, int max_side = 1024);

    // Reads a JSON-lines list: {"path": ..., "subject": ..., "split": "train"|"eval"}; relative
    // paths are relative to the list's directory. Entries whose file does not exist are
    // dropped with a warning (see warnings()); bad lines are ARTV_ERR_FORMAT naming file:line.
    static std::shared_ptr<PhotoLibrary> from_list(const std::string &list_path, int max_side = 1024);
    // data/photos.jsonl of the source tree ($ARTV_SRCDIR, else the given fallback directory).
    static std::string default_list_path(const std::string &srcdir_fallback = ".");

    size_t size() const { return entries_.size(); }
    const PhotoEntry &entry(size_t i) const { return entries_.at(i); }
    // Indices of the photos in a split (All: every photo).
    std::vector<int> indices(PhotoSplit split) const;
    // The decoded photo (thread-safe; decoded on first use). ARTV_ERR_IO / ARTV_ERR_FORMAT
    // when the file cannot be read.
    const Frame &image(size_t i) const;
    const std::vector<std::string> &warnings() const { return warnings_; }

private:
    std::vector<PhotoEntry> entries_;
    int max_side_;
    std::vector<std::string> warnings_;
    mutable std::mutex mutex_;
    mutable std::vector<std::unique_ptr<Frame>> images_;
};

}  // namespace artv
