// Where the samplers and noise augmentation get their Gaussian noise from. Injectable, so that a
// test can replay k-diffusion's recorded draws and compare exactly, and a session owns its own
// seeded stream (same seed + same options -> same frames, independent of other sessions).
#pragma once

#include <ATen/core/Generator.h>
#include <ATen/core/Tensor.h>

#include <cstddef>
#include <cstdint>
#include <vector>

namespace artv {

class Schedule;

class NoiseSource {
public:
    virtual ~NoiseSource() = default;
    // A standard normal draw of this shape, in options' dtype and device.
    virtual at::Tensor randn(at::IntArrayRef shape, const at::TensorOptions &options) = 0;
};

// A seeded CPU generator. Draws are made on the CPU in float32 and then converted, so a seed gives
// the same numbers whatever the target device or dtype.
class GeneratorNoise final : public NoiseSource {
public:
    explicit GeneratorNoise(uint64_t seed);
    at::Tensor randn(at::IntArrayRef shape, const at::TensorOptions &options) override;
    void reseed(uint64_t seed);

private:
    at::Generator generator_;
};

// Replays a given list of draws in order (e.g. io.noise of an oracle file). A draw whose shape
// differs from the request, or a request past the end, throws ARTV_ERR_INVALID_ARGUMENT.
class RecordedNoise final : public NoiseSource {
public:
    explicit RecordedNoise(std::vector<at::Tensor> draws);
    at::Tensor randn(at::IntArrayRef shape, const at::TensorOptions &options) override;
    std::size_t used() const { return next_; }
    std::size_t remaining() const { return draws_.size() - next_; }

private:
    std::vector<at::Tensor> draws_;
    std::size_t next_ = 0;
};

// Noise augmentation of a reference or anchor latent at level k (paper §3.3):
// q(x_k | x_0) = sqrt(abar_k)*x0 + sqrt(1-abar_k)*eps with eps from `noise`; level 0 means "clean"
// and returns the latent unchanged without drawing noise.
at::Tensor noise_augment(const Schedule &schedule, const at::Tensor &latent, int k,
                         NoiseSource &noise);
// The batched form for training: one level per batch item (int64 [B]); items at level 0 stay
// clean, consistently with the single-level form. `noise` has latent's shape.
at::Tensor noise_augment(const Schedule &schedule, const at::Tensor &latent, const at::Tensor &k,
                         const at::Tensor &noise);

}  // namespace artv
