#include "bench/reference_throughput.h"

#include <torch/torch.h>

#include <algorithm>
#include <chrono>
#include <functional>
#include <limits>

namespace artv {

namespace {

// Best seconds of fn() over `repeats` runs after one warm-up.
double best_seconds(const std::function<at::Tensor()> &fn, int repeats, c10::Device device) {
    auto run = [&] {
        at::Tensor r = fn();
        if (device.is_cuda()) r.sum().item<double>();  // waits for the kernel
        return r;
    };
    run();
    double best = std::numeric_limits<double>::infinity();
    for (int i = 0; i < std::max(1, repeats); ++i) {
        const auto t0 = std::chrono::steady_clock::now();
        run();
        best = std::min(best, std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
    }
    return best;
}

}  // namespace

ReferenceThroughput measure_reference_throughput(c10::ScalarType dtype, c10::Device device,
                                                 int repeats) {
    c10::InferenceMode inference;
    torch::manual_seed(0);
    const auto opts = torch::TensorOptions().device(device).dtype(dtype);
    ReferenceThroughput r;
    {
        const int64_t n = 8, c = 256, hw = 32;
        const at::Tensor x = torch::randn({n, c, hw, hw}, opts), w = torch::randn({c, c, 3, 3}, opts) * 0.02;
        const double flops = 2.0 * n * c * hw * hw * c * 9;
        r.conv_gflops = flops / best_seconds([&] { return at::conv2d(x, w, {}, 1, 1); }, repeats, device) / 1e9;
    }
    {
        const int64_t n = 2048;
        const at::Tensor a = torch::randn({n, n}, opts), b = torch::randn({n, n}, opts);
        const double flops = 2.0 * n * n * n;
        r.matmul_gflops = flops / best_seconds([&] { return at::mm(a, b); }, repeats, device) / 1e9;
    }
    return r;
}

}  // namespace artv
