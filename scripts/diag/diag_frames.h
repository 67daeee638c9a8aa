// Shared by the diagnostics in this directory: artv-tiny-sized frames to and from images.
#pragma once
#include <cstdio>
#include <cstdlib>
#include <torch/torch.h>
#include "generate/frame_convert.h"
#include "io/image.h"
#include "model/artv_networks.h"

constexpr int kSize = 128;  // artv-tiny's generation size

// [1, 3, kSize, kSize] in [0, 1] -> an RGB frame.
inline artv::Frame to_frame(const at::Tensor &img) {
    artv::Frame f(kSize, kSize);
    artv::image_to_rgb24(img.to(torch::kFloat32), f.rgb.data(), kSize, kSize, int(f.stride()));
    return f;
}

// The model of argv[1] on the CPU, once the argument count is within [min_argc, max_argc];
// otherwise the usage line and exit status 2.
inline auto load_diag_model(int argc, char **argv, int min_argc, int max_argc, const char *usage) {
    if (argc < min_argc || argc > max_argc) {
        std::fprintf(stderr, "usage: %s\n", usage);
        std::exit(2);
    }
    return artv::ArtvNetworks::load(argv[1], torch::kCPU);
}
