// Helpers shared by the model tests: the test-tiny config and tokenizer of the source tree,
// random weights for a module, and tensor comparison.
#pragma once

#include <string>

#include <torch/torch.h>

#include "io/config.h"

namespace artv::test {

inline std::string srcdir() {
    const char *v = getenv("ARTV_SRCDIR");
    return (v && *v) ? v : ".";
}
inline std::string test_tiny_config_path() { return srcdir() + "/models/test-tiny/config.json"; }
inline std::string tiny_tokenizer_path() { return srcdir() + "/tests/data/tiny-tokenizer.model"; }
inline ModelConfig test_tiny_config() { return load_model_config(test_tiny_config_path()); }

// Every parameter (including zero-initialised output layers) to random values, so that an
// equality between two networks is not an accident of zeros.
inline void randomize(torch::nn::Module &m, uint64_t seed, double scale = 0.2) {
    torch::NoGradGuard no_grad;
    auto gen = at::make_generator<at::CPUGeneratorImpl>(seed);
    for (auto &p : m.parameters())
        p.copy_(at::randn(p.sizes(), gen, p.options().dtype(torch::kFloat)).mul_(scale).to(p.scalar_type()));
}

inline double max_abs_diff(const torch::Tensor &a, const torch::Tensor &b) {
    return (a.to(torch::kFloat) - b.to(torch::kFloat)).abs().max().item<double>();
}

} // namespace artv::test
