#include "train/draw_seed.h"

#include <ATen/CPUGeneratorImpl.h>

#include "data/rng.h"

namespace artv {

uint64_t draw_seed(uint64_t seed, int64_t step, int64_t index, DrawPurpose purpose) {
    // splitmix64 chained over the fields: distinct inputs give unrelated seeds.
    uint64_t x = seed;
    uint64_t h = Rng::splitmix64(x);
    x = h ^ static_cast<uint64_t>(step);
    h = Rng::splitmix64(x);
    x = h ^ static_cast<uint64_t>(index);
    h = Rng::splitmix64(x);
    x = h ^ static_cast<uint64_t>(purpose);
    return Rng::splitmix64(x);
}

at::Generator draw_generator(uint64_t seed, int64_t step, int64_t index, DrawPurpose purpose) {
    return at::make_generator<at::CPUGeneratorImpl>(draw_seed(seed, step, index, purpose));
}

}  // namespace artv
