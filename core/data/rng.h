// The data layer's random numbers: xoshiro256** seeded through splitmix64, with our own
// uniform/int draws, so that a seed gives the same clips and samples on every platform and
// standard library (std::uniform_*_distribution is implementation-defined).
#pragma once

#include <cstdint>

namespace artv {

class Rng {
public:
    explicit Rng(uint64_t seed) {
        for (uint64_t &w : s_) w = splitmix64(seed);
    }
    // A generator for stream `stream` of `seed`: independent of Rng(seed) and of other streams.
    static Rng stream(uint64_t seed, uint64_t stream) {
        uint64_t s = seed ^ (0x9E3779B97F4A7C15ull * (stream + 1));
        return Rng(splitmix64(s));
    }

    uint64_t next() {  // xoshiro256** (Blackman & Vigna)
        const uint64_t result = rotl(s_[1] * 5, 7) * 9;
        const uint64_t t = s_[1] << 17;
        s_[2] ^= s_[0];
        s_[3] ^= s_[1];
        s_[1] ^= s_[2];
        s_[0] ^= s_[3];
        s_[2] ^= t;
        s_[3] = rotl(s_[3], 45);
        return result;
    }
    // Uniform in [0, 1).
    double uniform() { return double(next() >> 11) * 0x1.0p-53; }
    double uniform(double lo, double hi) { return lo + (hi - lo) * uniform(); }
    // Uniform in [0, n), n > 0 (Lemire's multiply-shift; bias below 2^-32 for our n).
    uint64_t below(uint64_t n) { return uint64_t((unsigned __int128)next() * n >> 64); }
    bool chance(double p) { return uniform() < p; }

    static uint64_t splitmix64(uint64_t &x) {
        uint64_t z = (x += 0x9E3779B97F4A7C15ull);
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
        return z ^ (z >> 31);
    }

private:
    static uint64_t rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }
    uint64_t s_[4];
};

}  // namespace artv
