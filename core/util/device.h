// Device, dtype and thread choices as users write them ("auto", "cpu", "cuda:1"; "auto",
// "fp32", "bf16", "fp16"), resolved once into LibTorch values with our own error messages:
// LibTorch's own ("Could not run ... 'CUDA' backend", "Found no NVIDIA driver") never reach
// users (DESIGN.md "Machine facts").
#pragma once

#include <c10/core/Device.h>
#include <c10/core/ScalarType.h>

#include <string>

namespace artv {

// "auto" = cuda:0 when a CUDA device is usable, else cpu. "cuda" = "cuda:0". Throws
// ARTV_ERR_DEVICE when CUDA is asked for and unusable (saying whether this LibTorch was built
// with CUDA), or the index is past the device count; ARTV_ERR_INVALID_ARGUMENT for a malformed
// name.
c10::Device resolve_device(const std::string &name);

// "auto" = bf16 where the device computes it natively (CPU: AVX512_BF16 or AMX, see
// cpu_features(); CUDA: compute capability 8+), fp32 otherwise. "fp32"/"float32",
// "bf16"/"bfloat16", "fp16"/"float16"/"half". fp16 on the CPU is an ARTV_ERR_DEVICE (LibTorch's
// CPU kernels lack it); bf16 on a CPU without native support is allowed (slow, but exact).
c10::ScalarType resolve_dtype(const std::string &name, c10::Device device);

std::string device_name(c10::Device device);    // "cpu", "cuda:0"
const char *dtype_name(c10::ScalarType dtype);  // "fp32", "bf16", "fp16"

// torch::set_num_threads(threads > 0 ? threads : online CPUs), and OpenBLAS's own thread pool
// to 1 thread: LibTorch's OpenMP threads already run around and beside the BLAS calls, and two
// pools busy-waiting on the same cores oversubscribe them (on a 2-core host: fp32 frames 2.4x
// and fp32 training steps 2x slower with both pools at 2 threads; docs/PERFORMANCE.md). Both
// pools are process-wide: the last caller wins. Throws ARTV_ERR_INVALID_ARGUMENT for threads < 0.
void set_cpu_threads(int threads);

// Threads of the BLAS library LibTorch's CPU matrix products go through (OpenBLAS on Debian),
// which keeps its own thread pool beside LibTorch's OpenMP one. 0 = the same count as
// LibTorch's. Returns false (and changes nothing) when the loaded BLAS has no such setting.
bool set_blas_threads(int threads);

}  // namespace artv
