#include "train/frame_tensor.h"

#include <cstring>

#include <torch/torch.h>

#include "util/error.h"

namespace artv {

at::Tensor frames_to_tensor(const std::vector<const Frame *> &frames) {
    if (frames.empty()) throw_invalid("no frames to convert");
    const int w = frames[0]->width, h = frames[0]->height;
    torch::Tensor bytes = torch::empty({static_cast<int64_t>(frames.size()), h, w, 3}, torch::kUInt8);
    for (size_t i = 0; i < frames.size(); ++i) {
        const Frame &f = *frames[i];
        if (f.width != w || f.height != h || f.rgb.size() != size_t(w) * h * 3)
            throw_invalid("frames of one batch must have one size (" + std::to_string(w) + "x" +
                          std::to_string(h) + ", got " + std::to_string(f.width) + "x" +
                          std::to_string(f.height) + ")");
        std::memcpy(bytes[static_cast<int64_t>(i)].data_ptr(), f.rgb.data(), f.rgb.size());
    }
    return bytes.permute({0, 3, 1, 2}).to(torch::kFloat32).div_(255.0).contiguous();
}

Frame tensor_to_frame(const at::Tensor &image) {
    torch::Tensor x = image.dim() == 4 ? image[0] : image;
    x = x.detach().to(torch::kFloat32).clamp(0, 1).mul(255).round().to(torch::kUInt8)
            .permute({1, 2, 0}).contiguous();
    Frame f(static_cast<int>(x.size(1)), static_cast<int>(x.size(0)));
    std::memcpy(f.rgb.data(), x.data_ptr(), f.rgb.size());
    return f;
}

}  // namespace artv
