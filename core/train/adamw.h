// AdamW with decoupled weight decay (Loshchilov & Hutter 2019), in PyTorch's formulation
// (torch/optim/adamw.py, single-tensor path), over parameters addressed by name. Its own
// implementation rather than torch::optim::AdamW because its state must round-trip through a
// checkpoint by parameter name, exactly, for bit-identical resume.
#pragma once

#include <cstdint>
#include <map>
#include <string>

#include "train/parameters.h"

namespace artv {

class SafeTensorsFile;

struct AdamWOptions {
    double beta1 = 0.9;
    double beta2 = 0.999;
    double eps = 1e-8;
    double weight_decay = 0.01;
};

class AdamW {
public:
    AdamW(NamedTensors params, AdamWOptions options);

    // One update of every parameter that has a gradient, at learning rate lr:
    //   p <- p (1 - lr wd);  m <- b1 m + (1-b1) g;  v <- b2 v + (1-b2) g^2
    //   p <- p - lr/(1-b1^s) * m / (sqrt(v)/sqrt(1-b2^s) + eps)        (s = that parameter's step)
    void step(double lr);
    // Sets every gradient to zero (keeps the buffers: no reallocation per step).
    void zero_grad();

    const NamedTensors &params() const { return params_; }

    // The state as tensors "<prefix><name>.exp_avg", ".exp_avg_sq", ".step" (I64 scalar);
    // parameters not stepped yet have no entries.
    NamedTensors state_tensors(const std::string &prefix) const;
    // Restores the state written by state_tensors(). A parameter without entries starts fresh;
    // entries for unknown parameters or of the wrong shape are ARTV_ERR_MODEL.
    void load_state(const SafeTensorsFile &file, const std::string &prefix);

private:
    struct State {
        torch::Tensor exp_avg, exp_avg_sq;
        int64_t step = 0;
    };
    NamedTensors params_;
    AdamWOptions options_;
    std::map<std::string, State> state_;
};

}  // namespace artv
