// Training samples for the three generation modes (DESIGN.md "Generation modes"), drawn from
// clip sources. Sample k is a pure function of (seed, k), so that a resumed run and every
// data-parallel rank (rank r takes k = r, r + N, ...) see exactly the samples they would have.
//
//   Continue  target x_t, references (x_{t-2}, x_{t-1}), anchor drawn uniformly from the
//             anchor_window frames before the target (clipped at the clip's start; paper §3.4).
//   Animate   both references = one still frame x_{t-1}, which is also the anchor (as TI2V at
//             inference: the given image is anchor and both references); the target is the
//             next frame x_t, so only the text says how to move.
//   T2V       blank references and anchor (empty frames: the zero latent of a dropped
//             condition); the target is the first frame of a clip.
// Targets and every conditioning frame come from a clip's training part (Clip::train_end).
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "data/dataset.h"
#include "io/image.h"

namespace artv {

enum class SampleMode { Continue = 0, Animate = 1, T2V = 2 };
const char *sample_mode_name(SampleMode m);  // "continue", "animate", "t2v"

struct TrainSample {
    Frame target;
    Frame ref1;    // x_{t-2}; empty in T2V
    Frame ref2;    // x_{t-1}; empty in T2V
    Frame anchor;  // empty in T2V
    std::string caption;
    SampleMode mode = SampleMode::Continue;
    // Provenance: which source and clip, the target's frame index, the anchor's (-1 if blank).
    int source = 0;
    size_t clip = 0;
    int target_index = 0, anchor_index = -1;

    bool has_refs() const { return !ref1.empty(); }
    bool has_anchor() const { return !anchor.empty(); }
};

struct SampleDrawerOptions {
    // Shares of the three modes (normalised). The default follows the probe recipe that
    // taught text-started motion (DESIGN.md: half the samples starting still).
    double p_continue = 0.4, p_animate = 0.5, p_t2v = 0.1;
    int anchor_window = 10;
    // Weight of each source when picking a clip (empty: equal weights); within a source every
    // clip is equally likely.
    std::vector<double> source_weights;
    // The same for the samples of one mode (indexed by SampleMode; empty: source_weights), e.g.
    // continue samples from unaugmented photos and animate/T2V samples from augmented ones.
    std::array<std::vector<double>, 3> mode_source_weights;
    uint64_t seed = 0;
};

class SampleDrawer {
public:
    SampleDrawer(std::vector<std::shared_ptr<ClipSource>> sources, SampleDrawerOptions options = {});
    // Sample number `index`. ARTV_ERR_INVALID_ARGUMENT when no clip is long enough for the mode
    // drawn (continue needs 3 training frames, animate 2).
    TrainSample sample(uint64_t index) const;
    // Samples first, first + stride, ... (count of them).
    std::vector<TrainSample> batch(uint64_t first, int count, uint64_t stride = 1) const;
    const SampleDrawerOptions &options() const { return options_; }

private:
    std::vector<std::shared_ptr<ClipSource>> sources_;
    SampleDrawerOptions options_;
    std::array<std::vector<double>, 3> cumulative_sources_;  // per mode
};

}  // namespace artv
