#include "train/checkpoint.h"

#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>

#include <ATen/CPUGeneratorImpl.h>
#include <torch/torch.h>

#include "io/tensor_io.h"
#include "train/adamw.h"
#include "train/ema.h"
#include "util/error.h"

namespace artv {

std::string latest_checkpoint_path(const std::string &run_dir) {
    return run_dir + "/latest.safetensors";
}

std::string kept_checkpoint_path(const std::string &run_dir, int64_t step) {
    char name[64];
    std::snprintf(name, sizeof name, "/step-%07lld.safetensors", static_cast<long long>(step));
    return run_dir + name;
}

NamedTensors rng_state_tensors() {
    return {{"rng.torch", at::detail::getDefaultCPUGenerator().get_state()}};
}

void restore_rng_state(const SafeTensorsFile &file) {
    const TensorView *v = file.find("rng.torch");
    if (!v) return;  // written by a build that did not save it: the per-step seeding still holds
    at::Generator gen = at::detail::getDefaultCPUGenerator();
    std::lock_guard<std::mutex> lock(gen.mutex());
    gen.set_state(to_tensor(*v, torch::kUInt8));
}

void write_checkpoint(const std::string &run_dir, const CheckpointInfo &info,
                      const NamedTensors &model, const Ema *ema, const AdamW &optimizer,
                      bool keep) {
    std::vector<std::pair<std::string, torch::Tensor>> tensors;
    for (const auto &[name, t] : model) tensors.emplace_back("model." + name, t.detach());
    if (ema)
        for (const auto &[name, t] : ema->averages()) tensors.emplace_back("ema." + name, t);
    for (auto &entry : optimizer.state_tensors("optim.")) tensors.push_back(std::move(entry));
    for (auto &entry : rng_state_tensors()) tensors.push_back(std::move(entry));

    std::map<std::string, std::string> meta = info.extra;
    meta["format"] = kCheckpointFormat;
    meta["stage"] = info.stage;
    meta["step"] = std::to_string(info.step);
    meta["train_config"] = info.train_config;
    meta["model_config"] = info.model_config;
    meta["data_state"] = info.data_state;

    const std::string path = latest_checkpoint_path(run_dir);
    save_safetensors(path, tensors, meta);
    if (!keep) return;
    const std::string kept = kept_checkpoint_path(run_dir, info.step);
    std::remove(kept.c_str());
    // A hard link costs no space; where links are not possible, write the file again.
    if (::link(path.c_str(), kept.c_str()) != 0) save_safetensors(kept, tensors, meta);
}

CheckpointInfo read_checkpoint_info(const SafeTensorsFile &file) {
    const auto &m = file.metadata();
    auto get = [&](const char *key) -> std::string {
        auto it = m.find(key);
        return it == m.end() ? std::string() : it->second;
    };
    if (get("format") != kCheckpointFormat)
        throw_format(file.path() + " is not an ARTV training checkpoint (metadata format '" +
                     get("format") + "', expected '" + kCheckpointFormat + "')");
    CheckpointInfo info;
    try {
        info.step = std::stoll(get("step"));
    } catch (const std::exception &) {
        throw_format(file.path() + ": checkpoint has no valid step");
    }
    info.stage = get("stage");
    info.train_config = get("train_config");
    info.model_config = get("model_config");
    info.data_state = get("data_state");
    for (const auto &[k, v] : m)
        if (k != "format" && k != "stage" && k != "step" && k != "train_config" &&
            k != "model_config" && k != "data_state")
            info.extra[k] = v;
    return info;
}

void restore_checkpoint(const SafeTensorsFile &file, const NamedTensors &model, Ema *ema,
                        AdamW *optimizer) {
    torch::NoGradGuard no_grad;
    std::string problems;
    std::vector<std::pair<torch::Tensor, torch::Tensor>> copies;
    for (const auto &[name, t] : model) {
        const TensorView *v = file.find("model." + name);
        if (!v) {
            problems += "\n  missing model." + name;
            continue;
        }
        torch::Tensor src = to_tensor(*v, t.scalar_type());
        if (src.sizes() != t.sizes()) {
            problems += "\n  wrong shape for model." + name;
            continue;
        }
        copies.emplace_back(t, src);
    }
    if (!problems.empty()) throw_model(file.path() + " does not fit the model:" + problems);
    for (auto &[dst, src] : copies) dst.copy_(src);
    if (ema) ema->load(file, "ema.");
    if (optimizer) optimizer->load_state(file, "optim.");
}

}  // namespace artv
