// This machine's reference throughput for a dtype, measured now: one large 3x3 convolution and
// one large matrix product through LibTorch, on the device and with the threads the networks
// use. `artv bench` measures it in the same run as the model, so every model figure is also a
// fraction of what this machine reaches right now (the CPU differs between hosts, and the
// host is shared).
#pragma once

#include <c10/core/Device.h>
#include <c10/core/ScalarType.h>

namespace artv {

struct ReferenceThroughput {
    double conv_gflops = 0;    // 3x3 convolution, 256 -> 256 channels, 8 x 32x32
    double matmul_gflops = 0;  // 2048 x 2048 x 2048
};

// Best of `repeats` timed runs of each kernel after one warm-up (best: the least disturbed by
// other work on a shared machine). dtype is the tensors' type, as the networks hold weights.
ReferenceThroughput measure_reference_throughput(c10::ScalarType dtype, c10::Device device,
                                                 int repeats = 5);

}  // namespace artv
