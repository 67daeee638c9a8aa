// This process's resident memory, from /proc/self/status (Linux): what `artv bench` reports as
// RSS and peak RSS, and what the memory tests watch. 0 where the file cannot be read.
#pragma once

#include <cstdint>

namespace artv {

int64_t resident_bytes();       // VmRSS: now
int64_t peak_resident_bytes();  // VmHWM: the high-water mark since the process started (or
                                // since the last reset)
// Sets the high-water mark back to the current RSS (writes 5 to /proc/self/clear_refs, Linux
// 4.0+), so that one process can measure the peak of several runs in turn. False where that
// is not possible; the peak then keeps counting from the start.
bool reset_peak_resident_bytes();

}  // namespace artv
