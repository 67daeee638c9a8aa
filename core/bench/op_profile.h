// Where a network call's time goes: wall time and calls per ATen op while an OpProfile is
// alive, counting only the ops of the thread that created it that run outside any other op
// (so a convolution's own backend op is not counted again inside it). `artv bench
// --op-profile N` prints the N slowest ops of the U-Net forward (docs/PERFORMANCE.md).
// Like FlopCount it works through LibTorch's RecordFunction observers; profiled ops run a
// little slower, so time is measured without it.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace artv {

class OpProfile {
public:
    OpProfile();   // starts recording
    ~OpProfile();  // stops
    OpProfile(const OpProfile &) = delete;
    OpProfile &operator=(const OpProfile &) = delete;

    struct Op {
        std::string name;  // e.g. "aten::mkldnn_convolution"
        double seconds = 0;
        int64_t calls = 0;
    };
    std::vector<Op> ops() const;  // so far, slowest first

private:
    uint64_t handle_;
};

}  // namespace artv
