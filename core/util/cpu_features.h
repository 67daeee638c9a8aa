// What this CPU can do natively, detected once at run time. The CPU differs between machines
// (DESIGN.md "Machine facts"): bf16 is ~4x faster than fp32 where AVX512_BF16/AMX exist and
// ~11-50x slower where it is emulated. dtype=auto, the benchmarks and the training logs all
// read this one description.
#pragma once

#include <string>

namespace artv {

struct CpuFeatures {
    std::string model_name;  // /proc/cpuinfo "model name" ("unknown" when unreadable)
    int online_cpus = 1;     // sysconf(_SC_NPROCESSORS_ONLN), at least 1
    bool avx2 = false;
    bool avx512f = false;
    bool avx512_bf16 = false;
    bool amx_bf16 = false;

    // bf16 matmul/conv run natively (not emulated): the condition for dtype "auto" = bf16.
    bool native_bf16() const { return avx512_bf16 || amx_bf16; }
    // One line for logs: "Intel(R) Xeon(R) ..., 2 CPUs, avx2 avx512f avx512_bf16 amx_bf16".
    std::string summary() const;
};

// Detected on the first call, then cached (thread-safe).
const CpuFeatures &cpu_features();

}  // namespace artv
