#include "train/latent_cache.h"

#include <ATen/autocast_mode.h>
#include <torch/torch.h>

#include <algorithm>

#include "model/artv_networks.h"
#include "nn/torch_compat.h"
#include "train/frame_tensor.h"
#include "train/worker_pool.h"
#include "util/error.h"

namespace artv {

uint64_t frame_hash(const Frame &frame) {
    uint64_t h = 1469598103934665603ull;
    auto mix = [&h](uint8_t b) {
        h ^= b;
        h *= 1099511628211ull;
    };
    for (int v : {frame.width, frame.height})
        for (int i = 0; i < 4; ++i) mix(static_cast<uint8_t>(v >> (8 * i)));
    for (uint8_t b : frame.rgb) mix(b);
    return h;
}

void LatentCache::insert(uint64_t key, const at::Tensor &z) {
    const int64_t size = z.numel() * static_cast<int64_t>(sizeof(float));
    if (size > max_bytes_) return;
    while (bytes_ + size > max_bytes_ && !order_.empty()) {
        auto old = map_.find(order_.front());
        bytes_ -= old->second.numel() * static_cast<int64_t>(sizeof(float));
        map_.erase(old);
        order_.pop_front();
    }
    map_.emplace(key, z);
    order_.push_back(key);
    bytes_ += size;
}

at::Tensor LatentCache::encode(const ArtvNetworks &nets, const std::vector<const Frame *> &frames,
                               WorkerPool *pool) {
    torch::NoGradGuard no_grad;
    // The cached latents are fp32 whatever the training precision.
    const bool autocast = compat::cpu_autocast_enabled();
    compat::set_cpu_autocast_enabled(false);
    struct Restore {
        bool on;
        ~Restore() { compat::set_cpu_autocast_enabled(on); }
    } restore{autocast};

    // Hashing reads every byte (about 50 KB a 128 px frame, hundreds of frames a step).
    const int64_t n = static_cast<int64_t>(frames.size());
    std::vector<uint64_t> keys(frames.size());
    auto hash = [&](int64_t i) {
        if (!frames[size_t(i)]->empty()) keys[size_t(i)] = frame_hash(*frames[size_t(i)]);
    };
    if (pool) pool->run(n, hash);
    else for (int64_t i = 0; i < n; ++i) hash(i);

    std::vector<torch::Tensor> out(frames.size());
    std::vector<size_t> empty, missing;               // frame indices
    std::unordered_map<uint64_t, size_t> pending;     // key -> its frame in `missing`
    std::vector<std::pair<size_t, size_t>> repeats;   // (frame, earlier frame with its key)
    for (size_t i = 0; i < frames.size(); ++i) {
        if (frames[i]->empty()) {
            empty.push_back(i);
        } else if (auto it = map_.find(keys[i]); it != map_.end()) {
            ++hits_;
            out[i] = it->second;
        } else if (auto p = pending.find(keys[i]); p != pending.end()) {
            ++hits_;  // a frame repeated within the call (animate: references = anchor)
            repeats.emplace_back(i, p->second);
        } else {
            ++misses_;
            pending.emplace(keys[i], i);
            missing.push_back(i);
        }
    }
    for (size_t start = 0; start < missing.size(); start += size_t(encode_batch_)) {
        const size_t stop = std::min(missing.size(), start + size_t(encode_batch_));
        std::vector<const Frame *> chunk;
        for (size_t j = start; j < stop; ++j) chunk.push_back(frames[missing[j]]);
        const torch::Tensor z = nets.encode_frames(frames_to_tensor(chunk).to(nets.device(), nets.dtype()))
                                    .to(torch::kCPU, torch::kFloat32);
        for (size_t j = start; j < stop; ++j) {
            const size_t i = missing[j];
            // A copy of its own: a cached row must not keep its batch-mates' storage alive.
            out[i] = encode_batch_ == 1 ? z[0] : z[int64_t(j - start)].clone();
            insert(keys[i], out[i]);
        }
    }
    for (const auto &[i, first] : repeats) out[i] = out[first];

    torch::Tensor like;
    for (const auto &t : out)
        if (t.defined()) like = t;
    if (!like.defined()) {
        // Only empty frames: the latent size follows from the model's downsampling.
        throw_invalid("latent cache: a batch of only empty frames has no size");
    }
    for (size_t i : empty) out[i] = torch::zeros_like(like);
    return torch::stack(out);
}

}  // namespace artv
