#include "train/ema.h"

#include <algorithm>

#include <torch/torch.h>

#include "io/tensor_io.h"
#include "util/error.h"

namespace artv {

Ema::Ema(const NamedTensors &params, double decay, bool warmup) : decay_(decay), warmup_(warmup) {
    torch::NoGradGuard no_grad;
    for (const auto &[name, p] : params) averages_.emplace_back(name, p.detach().clone());
}

double Ema::decay_at(int64_t step) const {
    if (!warmup_) return decay_;
    double s = static_cast<double>(step);
    return std::min(decay_, (1.0 + s) / (10.0 + s));
}

void Ema::update(const NamedTensors &params, int64_t step) {
    torch::NoGradGuard no_grad;
    if (params.size() != averages_.size()) throw_invalid("EMA: parameter list changed");
    double d = decay_at(step);
    for (size_t i = 0; i < params.size(); ++i)
        averages_[i].second.mul_(d).add_(params[i].second.detach(), 1.0 - d);
}

void Ema::load(const SafeTensorsFile &file, const std::string &prefix) {
    torch::NoGradGuard no_grad;
    for (auto &[name, e] : averages_) {
        const TensorView *v = file.find(prefix + name);
        if (!v) throw_model(file.path() + ": EMA weight '" + name + "' missing");
        torch::Tensor t = to_tensor(*v, e.scalar_type());
        if (t.sizes() != e.sizes()) throw_model(file.path() + ": EMA weight '" + name + "' has the wrong shape");
        e.copy_(t);
    }
}

}  // namespace artv
