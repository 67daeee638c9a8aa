#include "diffusion/artv_denoiser.h"

#include <ATen/ATen.h>

#include <sstream>

#include "diffusion/mdm.h"
#include "util/error.h"

namespace artv {
namespace {

void check_eval(const EpsEval &ev, const at::Tensor &x_in, bool use_mask) {
    std::ostringstream m;
    if (!ev.eps.defined() || ev.eps.sizes() != x_in.sizes()) {
        m << "noise network returned eps of shape "
          << (ev.eps.defined() ? ev.eps.sizes() : at::IntArrayRef{}) << ", expected "
          << x_in.sizes();
    } else if (use_mask && (!ev.mask.defined() || ev.mask.dim() != x_in.dim() ||
                            ev.mask.size(0) != x_in.size(0) ||
                            (ev.mask.size(1) != 1 && ev.mask.size(1) != x_in.size(1)) ||
                            ev.mask.sizes().slice(2) != x_in.sizes().slice(2))) {
        m << "mask network returned a mask of shape "
          << (ev.mask.defined() ? ev.mask.sizes() : at::IntArrayRef{}) << " for input "
          << x_in.sizes();
    } else {
        return;
    }
    throw_error(ARTV_ERR_INTERNAL, m.str());
}

}  // namespace

Denoiser make_artv_denoiser(const Schedule &schedule, EpsFn eps_fn,
                            std::vector<std::pair<Cond, double>> terms, at::Tensor x_ref_clean,
                            bool use_mask, bool quantize_t, int *call_counter) {
    if (terms.empty()) throw_invalid("guidance needs at least one condition to evaluate");
    if (!eps_fn) throw_invalid("denoiser needs a network callback");
    bool needs_ref = false;
    for (const auto &term : terms) needs_ref = needs_ref || cond_has_ref(term.first);
    if (use_mask && needs_ref && !x_ref_clean.defined())
        throw_invalid("masked diffusion needs the clean reference latent");

    return [schedule, eps_fn = std::move(eps_fn), terms = std::move(terms),
            x_ref = std::move(x_ref_clean), use_mask, quantize_t,
            call_counter](const at::Tensor &x, double sigma) -> at::Tensor {
        const int64_t n = static_cast<int64_t>(terms.size()), batch = x.size(0);
        std::vector<int64_t> repeats(x.dim(), 1);
        repeats[0] = n;
        const at::Tensor x_in = (x * Schedule::c_in(sigma)).repeat(repeats);
        const at::Tensor t = at::full({n * batch}, schedule.sigma_to_t(sigma, quantize_t),
                                      x.options().dtype(at::kFloat));
        if (call_counter) ++*call_counter;
        const EpsEval ev = eps_fn(x_in, t);
        check_eval(ev, x_in, use_mask);

        at::Tensor eps = ev.eps.to(x.scalar_type());
        if (schedule.prediction() == Prediction::V) eps = Schedule::eps_from_v(eps, x_in, sigma);

        // Static noise per distinct reference: the clean latent for conditions with R, zero else.
        at::Tensor static_with_ref, static_without_ref;
        at::Tensor eps_cfg;
        for (int64_t j = 0; j < n; ++j) {
            const auto [cond, weight] = terms[j];
            at::Tensor eps_j = eps.narrow(0, j * batch, batch);
            if (use_mask) {
                at::Tensor &stat = cond_has_ref(cond) ? static_with_ref : static_without_ref;
                if (!stat.defined())
                    stat = static_noise(
                        x, cond_has_ref(cond) ? x_ref.to(x.options()) : at::Tensor(), sigma);
                eps_j = mdm_mix(eps_j, stat, ev.mask.narrow(0, j * batch, batch));
            }
            if (j == 0)
                eps_cfg = eps_j * weight;
            else
                eps_cfg.add_(eps_j, weight);
        }
        return x - eps_cfg.mul_(sigma);
    };
}

}  // namespace artv
