// Every random draw of a training step is made from a generator seeded by a pure function of
// (run seed, step, sample index in the global batch, purpose). Therefore a resumed run draws
// exactly what the uninterrupted run drew, and the draws of a sample do not depend on which rank
// or micro-step computes it (N ranks = 1 rank with the N-fold batch).
#pragma once

#include <cstdint>

#include <ATen/core/Generator.h>

namespace artv {

// What a draw is for: distinct streams per sample.
enum class DrawPurpose : uint64_t {
    Data = 1,        // which clip, frame, mode (the data drawer)
    Timestep = 2,    // t and the target noise
    Augment = 3,     // noise-augmentation levels and noise of references and anchor
    Dropout = 4,     // condition dropout
    Latent = 5,      // VAE posterior samples
    Step = 6,        // LibTorch's default generator, reseeded per micro-step (anything left over)
    Shift = 7,       // the VAE decoder's shift augmentation
};

uint64_t draw_seed(uint64_t seed, int64_t step, int64_t index, DrawPurpose purpose);
// A CPU generator seeded with draw_seed().
at::Generator draw_generator(uint64_t seed, int64_t step, int64_t index, DrawPurpose purpose);

}  // namespace artv
