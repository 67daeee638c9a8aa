#include "diffusion/noise.h"

#include <ATen/ATen.h>
#include <ATen/CPUGeneratorImpl.h>

#include <mutex>
#include <sstream>

#include "diffusion/schedule.h"
#include "util/error.h"

namespace artv {

GeneratorNoise::GeneratorNoise(uint64_t seed) : generator_(at::detail::createCPUGenerator(seed)) {}

void GeneratorNoise::reseed(uint64_t seed) {
    std::lock_guard<std::mutex> lock(generator_.mutex());
    generator_.set_current_seed(seed);
}

at::Tensor GeneratorNoise::randn(at::IntArrayRef shape, const at::TensorOptions &options) {
    const at::Tensor z = at::randn(shape, generator_, at::TensorOptions().dtype(at::kFloat));
    return z.to(options.device(), options.dtype().toScalarType());
}

RecordedNoise::RecordedNoise(std::vector<at::Tensor> draws) : draws_(std::move(draws)) {}

at::Tensor RecordedNoise::randn(at::IntArrayRef shape, const at::TensorOptions &options) {
    if (next_ >= draws_.size())
        throw_invalid("recorded noise exhausted after " + std::to_string(draws_.size()) + " draws");
    const at::Tensor &z = draws_[next_];
    if (z.sizes() != shape) {
        std::ostringstream m;
        m << "recorded noise draw " << next_ << " has shape " << z.sizes() << ", requested "
          << shape;
        throw_invalid(m.str());
    }
    ++next_;
    return z.to(options.device(), options.dtype().toScalarType());
}

at::Tensor noise_augment(const Schedule &schedule, const at::Tensor &latent, int k,
                         NoiseSource &noise) {
    if (k < 0 || k >= schedule.timesteps())
        throw_invalid("noise level must be in [0, " + std::to_string(schedule.timesteps() - 1) +
                      "], got " + std::to_string(k));
    if (k == 0) return latent;
    return schedule.q_sample(latent, k, noise.randn(latent.sizes(), latent.options()));
}

at::Tensor noise_augment(const Schedule &schedule, const at::Tensor &latent, const at::Tensor &k,
                         const at::Tensor &noise) {
    const at::Tensor noised = schedule.q_sample(latent, k, noise);
    std::vector<int64_t> shape(latent.dim(), 1);
    shape[0] = -1;
    const at::Tensor clean = k.reshape(shape).eq(0).to(latent.device());
    return at::where(clean, latent, noised);
}

}  // namespace artv
