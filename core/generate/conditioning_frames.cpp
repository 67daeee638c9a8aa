#include "generate/conditioning_frames.h"

namespace artv {

void ConditioningFrames::push(int index, at::Tensor latent) {
    FrameSlot frame{index, std::move(latent)};
    refs_[0] = refs_[1].blank() ? frame : refs_[1];
    refs_[1] = frame;
    switch (policy_) {
    case ARTV_ANCHOR_FIRST:
        if (anchor_.blank()) anchor_ = frame;  // the session's frame 0, fed or generated
        break;
    case ARTV_ANCHOR_PAPER:
        // T2V: the first generated frame anchors the first segment. (Fed frames wait for
        // begin_frame, which picks the last of them.)
        if (generating_ && anchor_.blank()) anchor_ = frame;
        break;
    case ARTV_ANCHOR_NONE:
        break;
    }
}

void ConditioningFrames::begin_frame(bool first_generated, bool new_segment) {
    generating_ = true;
    if (policy_ == ARTV_ANCHOR_PAPER && (first_generated || new_segment))
        anchor_ = refs_[1];  // the last fed frame / the last frame of the previous segment
}

void ConditioningFrames::fill_latent(int index, const at::Tensor &latent) {
    for (FrameSlot *slot : {&refs_[0], &refs_[1], &anchor_})
        if (slot->index == index) slot->latent = latent;
}

bool ConditioningFrames::needs_latent(int index) const {
    for (const FrameSlot *slot : {&refs_[0], &refs_[1], &anchor_})
        if (slot->index == index && !slot->latent.defined()) return true;
    return false;
}

}  // namespace artv
