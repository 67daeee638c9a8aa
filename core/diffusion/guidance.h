// Three-scale classifier-free guidance (paper Eq. 8, nested form fixed in DESIGN.md), with
// R = reference frames, A = anchor frame, T = text:
//   eps = eps(0,0,0) + s_R [eps(R,0,0) - eps(0,0,0)] + s_A [eps(R,A,0) - eps(R,0,0)]
//                    + s_T [eps(R,A,T) - eps(R,A,0)]
// which, expanded, is the weighted sum
//   (1 - s_R) eps(0,0,0) + (s_R - s_A) eps(R,0,0) + (s_A - s_T) eps(R,A,0) + s_T eps(R,A,T).
// A condition whose weight is exactly 0 is not evaluated.
#pragma once

#include <utility>
#include <vector>

namespace artv {

// Which conditions an evaluation sees; dropped ones are the empty prompt / zero latents.
enum class Cond {
    None,  // eps(0,0,0): no references, no anchor, empty text
    R,     // eps(R,0,0): references only
    RA,    // eps(R,A,0): references and anchor
    RAT,   // eps(R,A,T): everything
};
const char *cond_name(Cond c);  // "none", "R", "RA", "RAT"
// Whether the condition includes the reference frames (and so the masked-diffusion reference).
inline bool cond_has_ref(Cond c) {
    return c != Cond::None;
}
inline bool cond_has_anchor(Cond c) {
    return c == Cond::RA || c == Cond::RAT;
}
inline bool cond_has_text(Cond c) {
    return c == Cond::RAT;
}

// Guidance scales s_R, s_A, s_T. All 1: no guidance (only eps(R,A,T) is evaluated).
struct CfgScales {
    double ref = 1.0;
    double anchor = 1.0;
    double text = 1.0;
};

// Throws ARTV_ERR_INVALID_ARGUMENT (naming the scale) when a scale is NaN or infinite.
void validate(const CfgScales &scales);

// The (condition, weight) pairs with non-zero weight, in the order None, R, RA, RAT; the weights
// sum to 1. Validates the scales first.
std::vector<std::pair<Cond, double>> cfg_terms(const CfgScales &scales);

}  // namespace artv
