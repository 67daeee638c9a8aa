// Decoded clips cached on disk as raw RGB24, so that building a VideoSource again (the next
// training run, a resumed one) does not decode the videos again. One file per clip:
//   "ARTVCLIP" | u32 version | u64 key | u32 width | u32 height | u32 frames | frames × w·h·3 bytes
// (little-endian). The key hashes everything the frames depend on; a file whose key, size or
// length does not match is ignored (and rewritten).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "io/image.h"

namespace artv {

// Key of a decoded clip: the video's path, size and modification time, and the decoding
// parameters (fps, size, time range, frame limit). ARTV_ERR_IO when the video cannot be
// stat()ed.
uint64_t clip_cache_key(const std::string &video_path, double fps, int width, int height,
                        double start, double end, int max_frames);
// The cache file's path for a key: <dir>/<16 hex digits>.artvclip
std::string clip_cache_path(const std::string &dir, uint64_t key);
// True and the frames when the file exists and matches the key; false otherwise.
bool load_cached_clip(const std::string &path, uint64_t key, std::vector<Frame> *frames);
// Writes atomically (temporary file + rename); creates `dir` if needed. ARTV_ERR_IO on failure.
void store_cached_clip(const std::string &path, uint64_t key, const std::vector<Frame> &frames);

}  // namespace artv
