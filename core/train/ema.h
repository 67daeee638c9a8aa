// Exponential moving average of the trained weights (the weights that are shipped): after each
// optimizer step, e <- d e + (1 - d) p, with d = min(decay, (1 + s)/(10 + s)) when warm-up is on
// (as in diffusers' EMAModel), so that an EMA of a short run is not dominated by the random init.
#pragma once

#include <cstdint>
#include <string>

#include "train/parameters.h"

namespace artv {

class SafeTensorsFile;

class Ema {
public:
    // Copies the parameters' current values as the starting average.
    Ema(const NamedTensors &params, double decay, bool warmup);

    // The decay used after optimizer step `step` (0-based).
    double decay_at(int64_t step) const;
    void update(const NamedTensors &params, int64_t step);

    const NamedTensors &averages() const { return averages_; }
    // Restores averages saved as "<prefix><name>"; every parameter must be present.
    void load(const SafeTensorsFile &file, const std::string &prefix);

private:
    NamedTensors averages_;
    double decay_;
    bool warmup_;
};

}  // namespace artv
