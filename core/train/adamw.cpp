#include "train/adamw.h"

#include <cmath>
#include <set>

#include <torch/torch.h>

#include "io/tensor_io.h"
#include "util/error.h"

namespace artv {

AdamW::AdamW(NamedTensors params, AdamWOptions options)
    : params_(std::move(params)), options_(options) {}

void AdamW::zero_grad() {
    for (auto &[name, p] : params_)
        if (p.grad().defined()) p.mutable_grad().zero_();
}

void AdamW::step(double lr) {
    torch::NoGradGuard no_grad;
    for (auto &[name, p] : params_) {
        const torch::Tensor &g = p.grad();
        if (!g.defined()) continue;
        State &s = state_[name];
        if (!s.exp_avg.defined()) {
            s.exp_avg = torch::zeros_like(p, torch::MemoryFormat::Preserve);
            s.exp_avg_sq = torch::zeros_like(p, torch::MemoryFormat::Preserve);
        }
        s.step += 1;
        // Same operation order as torch.optim.adamw._single_tensor_adamw, so the two agree.
        p.mul_(1.0 - lr * options_.weight_decay);
        s.exp_avg.mul_(options_.beta1).add_(g, 1.0 - options_.beta1);
        s.exp_avg_sq.mul_(options_.beta2).addcmul_(g, g, 1.0 - options_.beta2);
        double bias1 = 1.0 - std::pow(options_.beta1, static_cast<double>(s.step));
        double bias2 = 1.0 - std::pow(options_.beta2, static_cast<double>(s.step));
        double step_size = lr / bias1;
        torch::Tensor denom = (s.exp_avg_sq.sqrt() / std::sqrt(bias2)).add_(options_.eps);
        p.addcdiv_(s.exp_avg, denom, -step_size);
    }
}

NamedTensors AdamW::state_tensors(const std::string &prefix) const {
    NamedTensors out;
    for (const auto &[name, s] : state_) {
        if (!s.exp_avg.defined()) continue;
        out.emplace_back(prefix + name + ".exp_avg", s.exp_avg);
        out.emplace_back(prefix + name + ".exp_avg_sq", s.exp_avg_sq);
        out.emplace_back(prefix + name + ".step", torch::tensor(s.step, torch::kInt64));
    }
    return out;
}

void AdamW::load_state(const SafeTensorsFile &file, const std::string &prefix) {
    std::set<std::string> known;
    std::map<std::string, State> loaded;
    for (const auto &[name, p] : params_) {
        known.insert(name);
        const TensorView *m = file.find(prefix + name + ".exp_avg");
        const TensorView *v = file.find(prefix + name + ".exp_avg_sq");
        const TensorView *st = file.find(prefix + name + ".step");
        if (!m && !v && !st) continue;
        if (!m || !v || !st)
            throw_model(file.path() + ": optimizer state of '" + name + "' is incomplete");
        State s;
        s.exp_avg = to_tensor(*m, p.scalar_type()).to(p.device());
        s.exp_avg_sq = to_tensor(*v, p.scalar_type()).to(p.device());
        if (s.exp_avg.sizes() != p.sizes() || s.exp_avg_sq.sizes() != p.sizes())
            throw_model(file.path() + ": optimizer state of '" + name + "' has the wrong shape");
        s.step = to_tensor(*st, torch::kInt64).item<int64_t>();
        loaded[name] = std::move(s);
    }
    for (const auto &t : file.tensors()) {
        if (t.name.rfind(prefix, 0) != 0) continue;
        std::string rest = t.name.substr(prefix.size());
        std::string base = rest.substr(0, rest.rfind('.'));
        if (!known.count(base))
            throw_model(file.path() + ": optimizer state for unknown parameter '" + base + "'");
    }
    state_ = std::move(loaded);
}

}  // namespace artv
