#include "data/sample_drawer.h"

#include <algorithm>
#include <cmath>

#include "data/rng.h"
#include "util/error.h"

namespace artv {

const char *sample_mode_name(SampleMode m) {
    switch (m) {
    case SampleMode::Continue: return "continue";
    case SampleMode::Animate: return "animate";
    case SampleMode::T2V: return "t2v";
    }
    return "?";
}

SampleDrawer::SampleDrawer(std::vector<std::shared_ptr<ClipSource>> sources, SampleDrawerOptions options)
    : sources_(std::move(sources)), options_(std::move(options)) {
    if (sources_.empty()) throw_invalid("sample drawer: no clip source");
    for (const auto &s : sources_)
        if (!s || s->size() == 0) throw_invalid("sample drawer: an empty clip source");
    const SampleDrawerOptions &o = options_;
    if (!(o.p_continue >= 0 && o.p_animate >= 0 && o.p_t2v >= 0) || !(o.p_continue + o.p_animate + o.p_t2v > 0))
        throw_invalid("sample drawer: mode shares must be >= 0 and not all 0");
    if (o.anchor_window < 1) throw_invalid("sample drawer: anchor_window must be >= 1");
    const SampleMode modes[3] = {SampleMode::Continue, SampleMode::Animate, SampleMode::T2V};
    const double shares[3] = {o.p_continue, o.p_animate, o.p_t2v};
    for (int m = 0; m < 3; ++m) {
        const std::string what = o.mode_source_weights[size_t(m)].empty()
                                     ? std::string("source weights")
                                     : std::string(sample_mode_name(modes[m])) + " source weights";
        std::vector<double> w = o.mode_source_weights[size_t(m)].empty() ? o.source_weights
                                                                         : o.mode_source_weights[size_t(m)];
        if (w.empty()) w.assign(sources_.size(), 1.0);
        if (w.size() != sources_.size())
            throw_invalid("sample drawer: " + std::to_string(w.size()) + " " + what + " for " +
                          std::to_string(sources_.size()) + " sources");
        double total = 0;
        for (double x : w) {
            if (!(x >= 0) || !std::isfinite(x)) throw_invalid("sample drawer: " + what + " must be >= 0");
            total += x;
            cumulative_sources_[size_t(m)].push_back(total);
        }
        // A mode that is never drawn may have no source.
        if (!(total > 0) && shares[m] > 0) throw_invalid("sample drawer: " + what + " are all 0");
    }
}

TrainSample SampleDrawer::sample(uint64_t index) const {
    const SampleDrawerOptions &o = options_;
    Rng rng = Rng::stream(o.seed, index);
    TrainSample s;
    double u = rng.uniform() * (o.p_continue + o.p_animate + o.p_t2v);
    s.mode = u < o.p_continue ? SampleMode::Continue
             : u < o.p_continue + o.p_animate ? SampleMode::Animate
                                               : SampleMode::T2V;
    const int needed = s.mode == SampleMode::Continue ? 3 : s.mode == SampleMode::Animate ? 2 : 1;
    // A clip whose training part is long enough for the mode: redraw a few times, since a
    // source may hold some short clips.
    std::shared_ptr<const Clip> clip;
    for (int attempt = 0; attempt < 64 && !clip; ++attempt) {
        const std::vector<double> &cumulative = cumulative_sources_[size_t(s.mode)];
        double v = rng.uniform() * cumulative.back();
        s.source = int(std::upper_bound(cumulative.begin(), cumulative.end(), v) - cumulative.begin());
        s.source = std::min(s.source, int(sources_.size()) - 1);
        s.clip = size_t(rng.below(sources_[size_t(s.source)]->size()));
        auto c = sources_[size_t(s.source)]->clip(s.clip);
        if (std::min(c->train_end, c->size()) >= needed) clip = std::move(c);
    }
    if (!clip)
        throw_invalid(std::string("sample drawer: no clip has the ") + std::to_string(needed) +
                      " training frames that " + sample_mode_name(s.mode) + " samples need");
    const int train_frames = std::min(clip->train_end, clip->size());
    s.caption = clip->caption;
    switch (s.mode) {
    case SampleMode::Continue: {
        int t = 2 + int(rng.below(uint64_t(train_frames - 2)));
        int lo = std::max(0, t - o.anchor_window);
        s.anchor_index = lo + int(rng.below(uint64_t(t - lo)));
        s.target_index = t;
        s.ref1 = clip->frames[size_t(t - 2)];
        s.ref2 = clip->frames[size_t(t - 1)];
        s.anchor = clip->frames[size_t(s.anchor_index)];
        break;
    }
    case SampleMode::Animate: {
        int t = 1 + int(rng.below(uint64_t(train_frames - 1)));
        s.target_index = t;
        s.anchor_index = t - 1;
        s.ref1 = s.ref2 = s.anchor = clip->frames[size_t(t - 1)];
        break;
    }
    case SampleMode::T2V:
        s.target_index = 0;
        s.anchor_index = -1;
        break;
    }
    s.target = clip->frames[size_t(s.target_index)];
    return s;
}

std::vector<TrainSample> SampleDrawer::batch(uint64_t first, int count, uint64_t stride) const {
    if (count < 0) throw_invalid("sample drawer: negative batch size");
    std::vector<TrainSample> out;
    out.reserve(size_t(count));
    for (int i = 0; i < count; ++i) out.push_back(sample(first + uint64_t(i) * stride));
    return out;
}

}  // namespace artv
