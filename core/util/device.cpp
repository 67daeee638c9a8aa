#include "util/device.h"

#include <dlfcn.h>

#include <ATen/Context.h>
#include <ATen/Parallel.h>
#include <ATen/detail/CUDAHooksInterface.h>
#include <torch/cuda.h>

#include <cctype>

#include "util/cpu_features.h"
#include "util/error.h"

namespace artv {
namespace {

std::string lower(std::string s) {
    for (char &c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return s;
}

// Never touches a CUDA API when the backend is absent (that is what throws cryptically).
bool cuda_usable() { return at::hasCUDA() && torch::cuda::is_available(); }

[[noreturn]] void no_cuda(const std::string &asked) {
    throw_error(ARTV_ERR_DEVICE,
                "device \"" + asked + "\": CUDA requested but no CUDA device is available (" +
                    // hasCUDART: CUDA hooks registered (libtorch_cuda loaded); LibTorch 2.x's
                    // hasCUDA() is false on a CUDA build without a GPU.
                    (at::detail::getCUDAHooks().hasCUDART()
                         ? "this LibTorch is built with CUDA, but no GPU or driver was found"
                                   : "this LibTorch is built without CUDA") +
                    "); use device \"cpu\" or \"auto\"");
}

}  // namespace

c10::Device resolve_device(const std::string &asked) {
    std::string name = lower(asked);
    if (name == "auto") return cuda_usable() ? c10::Device(c10::kCUDA, 0) : c10::Device(c10::kCPU);
    if (name == "cpu") return c10::Device(c10::kCPU);
    if (name.rfind("cuda", 0) == 0) {
        int index = 0;
        std::string rest = name.substr(4);
        if (!rest.empty()) {
            bool ok = rest.size() >= 2 && rest.size() <= 4 && rest[0] == ':';
            for (size_t i = 1; ok && i < rest.size(); ++i) ok = std::isdigit(static_cast<unsigned char>(rest[i]));
            if (!ok)
                throw_invalid("device \"" + asked + "\" is not one of auto, cpu, cuda, cuda:N");
            index = std::stoi(rest.substr(1));
        }
        if (!cuda_usable()) no_cuda(asked);
        int count = static_cast<int>(torch::cuda::device_count());
        if (index >= count)
            throw_error(ARTV_ERR_DEVICE, "device \"" + asked + "\": only " + std::to_string(count) +
                                             " CUDA device" + (count == 1 ? "" : "s") +
                                             " here (cuda:0" +
                                             (count > 1 ? " .. cuda:" + std::to_string(count - 1) : "") + ")");
        return c10::Device(c10::kCUDA, static_cast<c10::DeviceIndex>(index));
    }
    throw_invalid("device \"" + asked + "\" is not one of auto, cpu, cuda, cuda:N");
}

c10::ScalarType resolve_dtype(const std::string &asked, c10::Device device) {
    std::string name = lower(asked);
    if (name == "auto") {
        if (device.is_cuda())
            return at::detail::getCUDAHooks().supportsBFloat16ConvolutionWithCuDNNv8() ? c10::kBFloat16
                                                                                       : c10::kFloat;
        return cpu_features().native_bf16() ? c10::kBFloat16 : c10::kFloat;
    }
    if (name == "fp32" || name == "float32" || name == "float") return c10::kFloat;
    if (name == "bf16" || name == "bfloat16") return c10::kBFloat16;
    if (name == "fp16" || name == "float16" || name == "half") {
        if (!device.is_cuda())
            throw_error(ARTV_ERR_DEVICE, "dtype \"" + asked +
                                             "\" is not supported on the CPU (use fp32, bf16 or auto)");
        return c10::kHalf;
    }
    throw_invalid("dtype \"" + asked + "\" is not one of auto, fp32, bf16, fp16");
}

std::string device_name(c10::Device device) {
    if (device.is_cuda()) return "cuda:" + std::to_string(device.has_index() ? device.index() : 0);
    return device.str();
}

const char *dtype_name(c10::ScalarType dtype) {
    switch (dtype) {
    case c10::kFloat: return "fp32";
    case c10::kBFloat16: return "bf16";
    case c10::kHalf: return "fp16";
    default: return c10::toString(dtype);
    }
}

void set_cpu_threads(int threads) {
    if (threads < 0) throw_invalid("threads must be >= 0 (0 = all online CPUs), got " + std::to_string(threads));
    at::set_num_threads(threads > 0 ? threads : cpu_features().online_cpus);
    set_blas_threads(1);
}

bool set_blas_threads(int threads) {
    if (threads < 0) throw_invalid("BLAS threads must be >= 0, got " + std::to_string(threads));
    // Looked up at run time: which BLAS libblas.so.3 is (OpenBLAS, reference, BLIS) is the
    // system's choice, and only OpenBLAS has this setting.
    using SetThreads = void (*)(int);
    auto *set = reinterpret_cast<SetThreads>(dlsym(RTLD_DEFAULT, "openblas_set_num_threads"));
    if (!set) return false;
    set(threads > 0 ? threads : at::get_num_threads());
    return true;
}

}  // namespace artv
