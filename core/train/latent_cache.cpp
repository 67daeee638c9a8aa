#include "train/latent_cache.h"

#include <ATen/autocast_mode.h>
#include <torch/torch.h>

#include "model/artv_networks.h"
#include "train/frame_tensor.h"
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

at::Tensor LatentCache::encode(const ArtvNetworks &nets, const std::vector<const Frame *> &frames) {
    torch::NoGradGuard no_grad;
    // The cached latents are fp32 whatever the training precision.
    const bool autocast = at::autocast::is_cpu_enabled();
    at::autocast::set_cpu_enabled(false);
    struct Restore {
        bool on;
        ~Restore() { at::autocast::set_cpu_enabled(on); }
    } restore{autocast};

    std::vector<torch::Tensor> out(frames.size());
    std::vector<size_t> empty;
    for (size_t i = 0; i < frames.size(); ++i) {
        const Frame &f = *frames[i];
        if (f.empty()) {
            empty.push_back(i);
            continue;
        }
        const uint64_t key = frame_hash(f);
        auto it = map_.find(key);
        if (it != map_.end()) {
            ++hits_;
            out[i] = it->second;
        } else {
            ++misses_;
            torch::Tensor z = nets.encode_frames(frames_to_tensor({&f}).to(nets.device(), nets.dtype()))
                                  .to(torch::kCPU, torch::kFloat32)[0];
            out[i] = z;
            const int64_t size = z.numel() * static_cast<int64_t>(sizeof(float));
            if (size <= max_bytes_) {
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
        }
    }
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
