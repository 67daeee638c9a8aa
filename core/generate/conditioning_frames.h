// Which earlier frames condition the next generated one: the two references x_{t-2}, x_{t-1}
// and the global anchor (DESIGN.md "Generation modes", "Anchored conditioning"; paper §3.4,
// §4.1). Frames are named by their session index: fed frames first (0 .. F-1), then generated
// ones. A slot with index -1 is blank: its latent is the zero latent, i.e. the dropped
// condition of classifier-free guidance.
//
//   T2V        nothing fed: the first frame is generated with blank references and anchor.
//   TI2V       one frame fed: it fills both references (and is the anchor).
//   continue   frames fed: the last two are the references, the last one is the anchor.
//   segments   with ARTV_ANCHOR_PAPER, the first frame of each new prompt segment takes the
//              last frame of the previous segment as its anchor; the first segment's anchor
//              is the last fed frame, or in T2V the first generated frame.
#pragma once

#include <ATen/core/Tensor.h>

#include "artv/artv.h"

namespace artv {

struct FrameSlot {
    int index = -1;     // session frame index, -1 = blank
    at::Tensor latent;  // clean latent [1, C, h, w]; undefined while blank or not yet encoded
    bool blank() const { return index < 0; }
};

class ConditioningFrames {
public:
    explicit ConditioningFrames(artv_anchor_policy policy) : policy_(policy) {}

    // A frame became known (fed, or just generated): the references move along. The first
    // frame known fills both references (a still image is its own past). `latent` may be
    // undefined for fed frames whose encoding is deferred (see fill_latent).
    void push(int index, at::Tensor latent);

    // Sets the anchor for the frame about to be generated. first_generated: no frame was
    // generated yet; new_segment: the frame starts a prompt segment after the first.
    void begin_frame(bool first_generated, bool new_segment);

    // A copy with begin_frame applied: what the next frame would be conditioned on.
    ConditioningFrames peek(bool first_generated, bool new_segment) const {
        ConditioningFrames c = *this;
        c.begin_frame(first_generated, new_segment);
        return c;
    }

    const FrameSlot &reference(int k) const { return refs_[k]; }  // 0: x_{t-2}, 1: x_{t-1}
    const FrameSlot &anchor() const { return anchor_; }

    // Deferred encoding: gives every slot showing `index` its latent.
    void fill_latent(int index, const at::Tensor &latent);
    // Whether a slot still waits for its latent.
    bool needs_latent(int index) const;

private:
    artv_anchor_policy policy_;
    FrameSlot refs_[2];
    FrameSlot anchor_;
    bool generating_ = false;  // begin_frame was called at least once
};

}  // namespace artv
