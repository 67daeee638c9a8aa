// Latents of training frames under the frozen VAE, cached by the frame's content so that a
// frame seen again (the same clip frame in another sample, another epoch) is not encoded again.
// encode_batch 1 (the default) encodes each missing frame on its own (batch of one), so that its
// latent does not depend on which other frames happened to be encoded with it: a resumed run,
// with an empty cache, gets exactly the latents the uninterrupted run had. encode_batch > 1
// encodes the missing frames in batches of up to that many: far fewer VAE calls (one frame at a
// time was most of a GPU step), but a backend may pick another algorithm for another batch size
// (cuDNN does), so a latent can differ at float rounding level with its batch-mates, and a
// resumed run is then only equal to rounding. Hence opt-in (recommended on GPUs).
#pragma once

#include <cstdint>
#include <deque>
#include <unordered_map>
#include <vector>

#include <ATen/core/Tensor.h>

#include "io/image.h"

namespace artv {

class ArtvNetworks;
class WorkerPool;

class LatentCache {
public:
    explicit LatentCache(int64_t max_bytes, int64_t encode_batch = 1)
        : max_bytes_(max_bytes), encode_batch_(encode_batch < 1 ? 1 : encode_batch) {}

    // [N, C, h, w] fp32 posterior-mean latents (scaled) of the frames; an empty frame gives the
    // zero latent of the size of the others. Runs the VAE without autograd and without autocast.
    // `pool` (optional) hashes the frames in parallel; the result does not depend on it.
    at::Tensor encode(const ArtvNetworks &nets, const std::vector<const Frame *> &frames,
                      WorkerPool *pool = nullptr);

    size_t entries() const { return map_.size(); }
    int64_t hits() const { return hits_; }
    int64_t misses() const { return misses_; }

private:
    void insert(uint64_t key, const at::Tensor &z);

    int64_t max_bytes_, encode_batch_;
    int64_t bytes_ = 0;
    int64_t hits_ = 0, misses_ = 0;
    std::unordered_map<uint64_t, at::Tensor> map_;
    std::deque<uint64_t> order_;  // insertion order: the oldest goes first when full
};

// 64-bit FNV-1a of the frame's size and bytes (the cache key).
uint64_t frame_hash(const Frame &frame);

}  // namespace artv
