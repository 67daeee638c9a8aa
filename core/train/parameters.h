// Named tensors of a training run: the optimizer, the EMA and the checkpoints address every
// parameter by its dotted name (the same names as the model's safetensors), never by position,
// so that a checkpoint stays readable when modules are added or reordered.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include <torch/nn/module.h>

namespace artv {

using NamedTensors = std::vector<std::pair<std::string, torch::Tensor>>;

// The module's parameters that require gradients, as (prefix + dotted name, tensor).
NamedTensors trainable_parameters(const torch::nn::Module &module, const std::string &prefix = "");

}  // namespace artv
