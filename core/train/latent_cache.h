// Latents of training frames under the frozen VAE, cached by the frame's content so that a
// frame seen again (the same clip frame in another sample, another epoch) is not encoded again.
// Each frame is encoded on its own (batch of one) so that its latent does not depend on which
// other frames happened to be encoded with it: a resumed run, with an empty cache, gets exactly
// the latents the uninterrupted run had.
#pragma once

#include <cstdint>
#include <deque>
#include <unordered_map>
#include <vector>

#include <ATen/core/Tensor.h>

#include "io/image.h"

namespace artv {

class ArtvNetworks;

class LatentCache {
public:
    explicit LatentCache(int64_t max_bytes) : max_bytes_(max_bytes) {}

    // [N, C, h, w] fp32 posterior-mean latents (scaled) of the frames; an empty frame gives the
    // zero latent of the size of the others. Runs the VAE without autograd and without autocast.
    at::Tensor encode(const ArtvNetworks &nets, const std::vector<const Frame *> &frames);

    size_t entries() const { return map_.size(); }
    int64_t hits() const { return hits_; }
    int64_t misses() const { return misses_; }

private:
    int64_t max_bytes_;
    int64_t bytes_ = 0;
    int64_t hits_ = 0, misses_ = 0;
    std::unordered_map<uint64_t, at::Tensor> map_;
    std::deque<uint64_t> order_;  // insertion order: the oldest goes first when full
};

// 64-bit FNV-1a of the frame's size and bytes (the cache key).
uint64_t frame_hash(const Frame &frame);

}  // namespace artv
