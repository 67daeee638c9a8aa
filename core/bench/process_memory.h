// This process's resident memory, from /proc/self/status (Linux): what `artv bench` reports as
// RSS and peak RSS, and what the memory tests watch. 0 where the file cannot be read.
#pragma once

#include <cstdint>

namespace artv {

int64_t resident_bytes();       // VmRSS: now
int64_t peak_resident_bytes();  // VmHWM: the high-water mark since the process started

}  // namespace artv
