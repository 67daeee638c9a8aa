#include "generate/frame_convert.h"

#include <torch/torch.h>

#include <cstring>
#include <string>

#include "util/error.h"

namespace artv {

void check_rgb24(const uint8_t *rgb, int width, int height, int stride, const char *what) {
    std::string w = what;
    if (!rgb) throw_invalid(w + ": pixel pointer is NULL");
    if (width <= 0 || height <= 0 || width > kMaxFrameSide || height > kMaxFrameSide)
        throw_invalid(w + ": size " + std::to_string(width) + "x" + std::to_string(height) +
                      " is outside 1x1 .. " + std::to_string(kMaxFrameSide) + "x" +
                      std::to_string(kMaxFrameSide));
    if (static_cast<int64_t>(stride) < 3 * static_cast<int64_t>(width))
        throw_invalid(w + ": stride " + std::to_string(stride) + " is below 3 * width = " +
                      std::to_string(3 * static_cast<int64_t>(width)) + " bytes (packed RGB24)");
}

at::Tensor resize_image(const at::Tensor &image, int height, int width) {
    if (image.size(2) == height && image.size(3) == width) return image;
    bool shrinking = height < image.size(2) || width < image.size(3);
    namespace F = torch::nn::functional;
    // Interpolation runs in fp32: bf16 bilinear is not implemented on every LibTorch CPU build.
    auto opts = F::InterpolateFuncOptions()
                    .size(std::vector<int64_t>{height, width})
                    .mode(torch::kBilinear)
                    .align_corners(false)
                    .antialias(shrinking);
    return F::interpolate(image.to(torch::kFloat32), opts).to(image.scalar_type());
}

at::Tensor rgb24_to_image(const uint8_t *rgb, int width, int height, int stride, int out_width,
                          int out_height, c10::Device device, c10::ScalarType dtype) {
    check_rgb24(rgb, width, height, stride, "frame");
    // A strided view of the caller's bytes (rows `stride` apart), copied once by .to().
    auto hwc = torch::from_blob(const_cast<uint8_t *>(rgb), {height, width, 3}, {stride, 3, 1},
                                torch::kUInt8);
    auto image = hwc.permute({2, 0, 1}).unsqueeze(0).to(device, torch::kFloat32).div_(255.0);
    return resize_image(image, out_height, out_width).to(dtype);
}

void image_to_rgb24(const at::Tensor &image, uint8_t *rgb, int width, int height, int stride) {
    check_rgb24(rgb, width, height, stride, "output frame");
    auto resized = resize_image(image.to(torch::kFloat32), height, width);
    auto bytes = resized.clamp(0.0, 1.0).mul(255.0).round_().to(torch::kUInt8)
                     .squeeze(0).permute({1, 2, 0}).contiguous().to(torch::kCPU);
    const uint8_t *src = bytes.data_ptr<uint8_t>();
    const size_t row = static_cast<size_t>(width) * 3;
    for (int y = 0; y < height; ++y)
        std::memcpy(rgb + static_cast<size_t>(y) * stride, src + y * row, row);
}

}  // namespace artv
