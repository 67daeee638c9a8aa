#include "bench/process_memory.h"

#include <cstdio>
#include <cstring>

namespace artv {

namespace {

// The "<key>: N kB" line of /proc/self/status, in bytes.
int64_t status_kib_field(const char *key) {
    std::FILE *f = std::fopen("/proc/self/status", "r");
    if (!f) return 0;
    char line[256];
    long long kib = 0;
    const size_t n = std::strlen(key);
    while (std::fgets(line, sizeof line, f)) {
        if (std::strncmp(line, key, n) == 0 && line[n] == ':') {
            std::sscanf(line + n + 1, "%lld", &kib);
            break;
        }
    }
    std::fclose(f);
    return static_cast<int64_t>(kib) * 1024;
}

}  // namespace

int64_t resident_bytes() { return status_kib_field("VmRSS"); }
int64_t peak_resident_bytes() { return status_kib_field("VmHWM"); }

bool reset_peak_resident_bytes() {
    std::FILE *f = std::fopen("/proc/self/clear_refs", "w");
    if (!f) return false;
    const bool ok = std::fputs("5", f) >= 0;
    return std::fclose(f) == 0 && ok;
}

}  // namespace artv
