#include "generate/generation_size.h"

#include <algorithm>
#include <cmath>
#include <string>

#include "generate/frame_convert.h"
#include "util/error.h"

namespace artv {
namespace {

int round_to_multiple(double v, int multiple) {
    return std::max(multiple, static_cast<int>(std::lround(v / multiple)) * multiple);
}

int floor_to_multiple(double v, int multiple) {
    return std::max(multiple, static_cast<int>(std::floor(v / multiple)) * multiple);
}

std::string size_text(FrameSize s) {
    return std::to_string(s.width) + "x" + std::to_string(s.height);
}

}  // namespace

FrameSize default_generation_size(FrameSize aspect, int native_short_side, int multiple,
                                  int max_size) {
    if (aspect.width <= 0 || aspect.height <= 0) aspect = {1, 1};
    double w = aspect.width, h = aspect.height;
    double scale = native_short_side / std::min(w, h);
    // Scale down further if the long side would pass max_size.
    scale = std::min(scale, max_size / std::max(w, h));
    FrameSize out{round_to_multiple(w * scale, multiple), round_to_multiple(h * scale, multiple)};
    if (out.width > max_size) out.width = floor_to_multiple(max_size, multiple);
    if (out.height > max_size) out.height = floor_to_multiple(max_size, multiple);
    return out;
}

void check_generation_size(FrameSize size, int multiple, int max_size) {
    if (size.width <= 0 || size.height <= 0)
        throw_invalid("generation size " + size_text(size) + ": width and height must be positive");
    if (size.width > max_size || size.height > max_size)
        throw_invalid("generation size " + size_text(size) + " is above max_size " +
                      std::to_string(max_size));
    if (size.width % multiple != 0 || size.height % multiple != 0)
        throw_invalid("generation size " + size_text(size) + ": width and height must be multiples of " +
                      std::to_string(multiple) + " for this model (e.g. " +
                      size_text({round_to_multiple(size.width, multiple),
                                 round_to_multiple(size.height, multiple)}) + ")");
}

void check_max_size(int max_size, int multiple) {
    if (max_size < multiple || max_size > kMaxFrameSide)
        throw_invalid("max_size " + std::to_string(max_size) + " is outside [" +
                      std::to_string(multiple) + ", " + std::to_string(kMaxFrameSide) + "]");
}

}  // namespace artv
