#include "diffusion/guidance.h"

#include <cmath>
#include <string>

#include "util/error.h"

namespace artv {

const char *cond_name(Cond c) {
    switch (c) {
    case Cond::None: return "none";
    case Cond::R: return "R";
    case Cond::RA: return "RA";
    case Cond::RAT: return "RAT";
    }
    return "?";
}

void validate(const CfgScales &s) {
    const std::pair<const char *, double> named[] = {
        {"reference", s.ref}, {"anchor", s.anchor}, {"text", s.text}};
    for (const auto &[name, v] : named)
        if (!std::isfinite(v))
            throw_invalid(std::string(name) + " guidance scale must be finite, got " +
                          std::to_string(v));
}

std::vector<std::pair<Cond, double>> cfg_terms(const CfgScales &s) {
    validate(s);
    // Eq. 8 expanded (guidance.h); exact zeros (s_R = 1, s_R = s_A, s_A = s_T, s_T = 0) drop a
    // term.
    const std::pair<Cond, double> all[] = {{Cond::None, 1.0 - s.ref},
                                           {Cond::R, s.ref - s.anchor},
                                           {Cond::RA, s.anchor - s.text},
                                           {Cond::RAT, s.text}};
    std::vector<std::pair<Cond, double>> terms;
    for (const auto &t : all)
        if (t.second != 0.0) terms.push_back(t);
    return terms;
}

}  // namespace artv
