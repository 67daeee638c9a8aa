#include "train/parameters.h"

namespace artv {

NamedTensors trainable_parameters(const torch::nn::Module &module, const std::string &prefix) {
    NamedTensors out;
    for (const auto &item : module.named_parameters(/*recurse=*/true))
        if (item.value().requires_grad()) out.emplace_back(prefix + item.key(), item.value());
    return out;
}

}  // namespace artv
