#include "data/photo_library.h"

#include <sys/stat.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>

#include <nlohmann/json.hpp>

#include "data/caption_file.h"
#include "util/error.h"

namespace artv {

PhotoLibrary::PhotoLibrary(std::vector<PhotoEntry> entries, int max_side)
    : entries_(std::move(entries)), max_side_(max_side), images_(entries_.size()) {
    if (max_side < 16) throw_invalid("photo max_side must be >= 16");
}

std::shared_ptr<PhotoLibrary> PhotoLibrary::from_list(const std::string &list_path, int max_side) {
    std::vector<PhotoEntry> entries;
    std::vector<std::string> warnings;
    for (const auto &[number, text] : read_data_lines(list_path)) {
        std::string where = list_path + ":" + std::to_string(number) + ": ";
        nlohmann::json j;
        try {
            j = nlohmann::json::parse(text);
        } catch (const nlohmann::json::exception &e) { // parse_error, or out_of_range (1e999)
            throw_format(where + "not valid JSON (" + e.what() + ")");
        }
        if (!j.is_object() || !j.contains("path") || !j["path"].is_string() ||
            !j.contains("subject") || !j["subject"].is_string() ||
            (j.contains("split") && !j["split"].is_string()))
            throw_format(where + "expected {\"path\": ..., \"subject\": ..., \"split\": \"train\"|\"eval\"}");
        PhotoEntry e;
        e.path = resolve_relative(list_path, j["path"].get<std::string>());
        e.subject = j["subject"].get<std::string>();
        std::string split = j.value("split", "train");
        if (split == "train") e.split = PhotoSplit::Train;
        else if (split == "eval") e.split = PhotoSplit::Eval;
        else throw_format(where + "split must be \"train\" or \"eval\", got \"" + split + "\"");
        struct stat st;
        if (::stat(e.path.c_str(), &st) != 0) {
            warnings.push_back(where + e.path + " does not exist (is the package that ships it "
                                               "installed? scripts/fetch-data.sh), skipped");
            continue;
        }
        entries.push_back(std::move(e));
    }
    auto lib = std::make_shared<PhotoLibrary>(std::move(entries), max_side);
    lib->warnings_ = std::move(warnings);
    return lib;
}

std::string PhotoLibrary::default_list_path(const std::string &srcdir_fallback) {
    const char *src = std::getenv("ARTV_SRCDIR");
    return std::string(src && *src ? src : srcdir_fallback.c_str()) + "/data/photos.jsonl";
}

std::vector<int> PhotoLibrary::indices(PhotoSplit split) const {
    std::vector<int> out;
    for (size_t i = 0; i < entries_.size(); ++i)
        if (split == PhotoSplit::All || entries_[i].split == split) out.push_back(int(i));
    return out;
}

const Frame &PhotoLibrary::image(size_t i) const {
    if (i >= entries_.size()) throw_invalid("photo index " + std::to_string(i) + " out of range");
    std::lock_guard<std::mutex> lock(mutex_);
    if (!images_[i]) {
        Frame f = read_image(entries_[i].path);
        int long_side = std::max(f.width, f.height);
        if (long_side > max_side_) {
            double s = double(max_side_) / long_side;
            f = resize_frame(f, std::max(1, int(std::lround(f.width * s))),
                             std::max(1, int(std::lround(f.height * s))), ResizeFilter::Area);
        }
        images_[i] = std::make_unique<Frame>(std::move(f));
    }
    return *images_[i];
}

}  // namespace artv
