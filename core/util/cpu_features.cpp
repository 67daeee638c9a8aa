#include "util/cpu_features.h"

#include <unistd.h>

#include <fstream>
#include <sstream>
#include <string>

namespace artv {
namespace {

// The flags line and model name of the first processor in /proc/cpuinfo (Linux). The kernel
// reports what it enabled, which also covers features the compiler's builtin does not know
// (amx_bf16 with an older GCC).
void read_proc_cpuinfo(CpuFeatures &f) {
    std::ifstream in("/proc/cpuinfo");
    std::string line;
    bool have_flags = false, have_name = false;
    while (std::getline(in, line) && !(have_flags && have_name)) {
        auto colon = line.find(':');
        if (colon == std::string::npos) continue;
        std::string key = line.substr(0, line.find_last_not_of(" \t", colon - 1) + 1);
        std::string value = colon + 2 <= line.size() ? line.substr(colon + 2) : std::string();
        if (!have_name && key == "model name") {
            f.model_name = value;
            have_name = true;
        } else if (!have_flags && key == "flags") {
            std::istringstream words(value);
            std::string w;
            while (words >> w) {
                if (w == "avx2") f.avx2 = true;
                else if (w == "avx512f") f.avx512f = true;
                else if (w == "avx512_bf16") f.avx512_bf16 = true;
                else if (w == "amx_bf16") f.amx_bf16 = true;
            }
            have_flags = true;
        }
    }
}

CpuFeatures detect() {
    CpuFeatures f;
    f.model_name = "unknown";
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    f.online_cpus = n > 0 ? static_cast<int>(n) : 1;
    read_proc_cpuinfo(f);
#if defined(__x86_64__) || defined(__i386__)
    // The compiler's view (cpuid) as well, for systems without /proc.
    __builtin_cpu_init();
    f.avx2 = f.avx2 || __builtin_cpu_supports("avx2");
    f.avx512f = f.avx512f || __builtin_cpu_supports("avx512f");
#if defined(__GNUC__) && !defined(__clang__) && __GNUC__ >= 12
    f.avx512_bf16 = f.avx512_bf16 || __builtin_cpu_supports("avx512bf16");
#endif
#endif
    return f;
}

}  // namespace

std::string CpuFeatures::summary() const {
    std::ostringstream s;
    s << model_name << ", " << online_cpus << (online_cpus == 1 ? " CPU" : " CPUs") << ",";
    bool any = false;
    auto flag = [&](bool on, const char *name) {
        if (on) { s << ' ' << name; any = true; }
    };
    flag(avx2, "avx2");
    flag(avx512f, "avx512f");
    flag(avx512_bf16, "avx512_bf16");
    flag(amx_bf16, "amx_bf16");
    if (!any) s << " no avx2/avx512";
    return s.str();
}

const CpuFeatures &cpu_features() {
    static const CpuFeatures features = detect();
    return features;
}

}  // namespace artv
