#include "data/clip_cache.h"

#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>

#include "util/error.h"

namespace artv {

namespace {

constexpr char kMagic[8] = {'A', 'R', 'T', 'V', 'C', 'L', 'I', 'P'};
constexpr uint32_t kVersion = 1;

// FNV-1a over the bytes of each value.
struct Fnv {
    uint64_t h = 0xcbf29ce484222325ull;
    void bytes(const void *p, size_t n) {
        const auto *b = static_cast<const unsigned char *>(p);
        for (size_t i = 0; i < n; ++i) h = (h ^ b[i]) * 0x100000001b3ull;
    }
    template <class T>
    void value(const T &v) { bytes(&v, sizeof v); }
};

void put_u32(std::string &s, uint32_t v) {
    for (int i = 0; i < 4; ++i) s += char((v >> (8 * i)) & 0xff);
}
void put_u64(std::string &s, uint64_t v) {
    for (int i = 0; i < 8; ++i) s += char((v >> (8 * i)) & 0xff);
}
uint64_t get_le(const unsigned char *p, int n) {
    uint64_t v = 0;
    for (int i = n - 1; i >= 0; --i) v = (v << 8) | p[i];
    return v;
}

}  // namespace

uint64_t clip_cache_key(const std::string &video_path, double fps, int width, int height,
                        double start, double end, int max_frames) {
    struct stat st;
    if (::stat(video_path.c_str(), &st) != 0) throw_io(video_path + ": " + std::strerror(errno));
    Fnv f;
    f.bytes(video_path.data(), video_path.size());
    f.value(int64_t(st.st_size));
    f.value(int64_t(st.st_mtim.tv_sec));
    f.value(int64_t(st.st_mtim.tv_nsec));
    f.value(fps);
    f.value(width);
    f.value(height);
    f.value(start);
    f.value(end);
    f.value(max_frames);
    f.value(kVersion);
    return f.h;
}

std::string clip_cache_path(const std::string &dir, uint64_t key) {
    char name[32];
    std::snprintf(name, sizeof name, "%016llx.artvclip", (unsigned long long)key);
    return dir + "/" + name;
}

bool load_cached_clip(const std::string &path, uint64_t key, std::vector<Frame> *frames) {
    FILE *f = std::fopen(path.c_str(), "rb");
    if (!f) return false;
    unsigned char head[8 + 4 + 8 + 12];
    bool ok = std::fread(head, 1, sizeof head, f) == sizeof head && std::memcmp(head, kMagic, 8) == 0 &&
              get_le(head + 8, 4) == kVersion && get_le(head + 12, 8) == key;
    uint64_t w = ok ? get_le(head + 20, 4) : 0, h = ok ? get_le(head + 24, 4) : 0, n = ok ? get_le(head + 28, 4) : 0;
    ok = ok && w > 0 && h > 0 && n > 0 && w <= 16384 && h <= 16384 && n <= 1000000;
    if (ok) {
        struct stat st;
        ok = ::fstat(fileno(f), &st) == 0 && uint64_t(st.st_size) == sizeof head + n * w * h * 3;
    }
    std::vector<Frame> out;
    for (uint64_t i = 0; ok && i < n; ++i) {
        Frame fr(static_cast<int>(w), static_cast<int>(h));
        ok = std::fread(fr.rgb.data(), 1, fr.rgb.size(), f) == fr.rgb.size();
        out.push_back(std::move(fr));
    }
    std::fclose(f);
    if (ok) *frames = std::move(out);
    return ok;
}

void store_cached_clip(const std::string &path, uint64_t key, const std::vector<Frame> &frames) {
    if (frames.empty()) throw_invalid("cannot cache an empty clip");
    // The directory and its parents: a training run's default cache is OUT_DIR/clip-cache, and
    // its videos are decoded before the run creates OUT_DIR.
    const std::filesystem::path dir = std::filesystem::path(path).parent_path();
    std::error_code ec;
    if (!dir.empty() && !std::filesystem::create_directories(dir, ec) && ec)
        throw_io(dir.string() + ": " + ec.message());
    std::string head(kMagic, 8);
    put_u32(head, kVersion);
    put_u64(head, key);
    put_u32(head, uint32_t(frames[0].width));
    put_u32(head, uint32_t(frames[0].height));
    put_u32(head, uint32_t(frames.size()));
    std::string tmp = path + ".tmp" + std::to_string(::getpid());
    FILE *f = std::fopen(tmp.c_str(), "wb");
    if (!f) throw_io(tmp + ": " + std::strerror(errno));
    bool ok = std::fwrite(head.data(), 1, head.size(), f) == head.size();
    for (const Frame &fr : frames) {
        if (fr.width != frames[0].width || fr.height != frames[0].height) ok = false;
        ok = ok && std::fwrite(fr.rgb.data(), 1, fr.rgb.size(), f) == fr.rgb.size();
    }
    ok = (std::fclose(f) == 0) && ok;
    if (!ok || std::rename(tmp.c_str(), path.c_str()) != 0) {
        int e = errno;
        std::remove(tmp.c_str());
        throw_io(path + ": cannot write the clip cache: " + std::strerror(e));
    }
}

}  // namespace artv
