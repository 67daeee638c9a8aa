#include "diffusion/artv_denoiser.h"

#include <ATen/ATen.h>

#include <cmath>
#include <sstream>
#include <string>

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
                            bool use_mask, bool quantize_t, int *call_counter,
                            double guidance_sigma_min, double guidance_rescale) {
    if (terms.empty()) throw_invalid("guidance needs at least one condition to evaluate");
    if (!eps_fn) throw_invalid("denoiser needs a network callback");
    if (!(guidance_sigma_min >= 0) || !std::isfinite(guidance_sigma_min))
        throw_invalid("the guidance interval's lower sigma must be finite and >= 0, got " +
                      std::to_string(guidance_sigma_min));
    if (!(guidance_rescale >= 0 && guidance_rescale <= 1))
        throw_invalid("the guidance rescale must be in [0, 1], got " + std::to_string(guidance_rescale));
    bool needs_ref = false;
    for (const auto &term : terms) needs_ref = needs_ref || cond_has_ref(term.first);
    if (use_mask && needs_ref && !x_ref_clean.defined())
        throw_invalid("masked diffusion needs the clean reference latent");

    return [schedule, eps_fn = std::move(eps_fn), terms = std::move(terms),
            x_ref = std::move(x_ref_clean), use_mask, quantize_t, call_counter,
            guidance_sigma_min, guidance_rescale](const at::Tensor &x, double sigma) -> at::Tensor {
        // Below the interval: the last term alone, unguided.
        const size_t first = sigma < guidance_sigma_min ? terms.size() - 1 : 0;
        const int64_t n = static_cast<int64_t>(terms.size() - first), batch = x.size(0);
        std::vector<int64_t> repeats(x.dim(), 1);
        repeats[0] = n;
        const at::Tensor x_in = (x * Schedule::c_in(sigma)).repeat(repeats);
        const at::Tensor t = at::full({n * batch}, schedule.sigma_to_t(sigma, quantize_t),
                                      x.options().dtype(at::kFloat));
        if (call_counter) ++*call_counter;
        const EpsEval ev = eps_fn(x_in, t, first);
        check_eval(ev, x_in, use_mask);

        at::Tensor eps = ev.eps.to(x.scalar_type());
        if (schedule.prediction() == Prediction::V) eps = Schedule::eps_from_v(eps, x_in, sigma);

        // Static noise per distinct reference: the clean latent for conditions with R, zero else.
        at::Tensor static_with_ref, static_without_ref;
        at::Tensor eps_cfg, eps_last;
        for (int64_t j = 0; j < n; ++j) {
            const Cond cond = terms[first + j].first;
            const double weight = first == 0 ? terms[j].second : 1.0;
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
            if (j == n - 1) eps_last = eps_j;
        }
        at::Tensor d = x - eps_cfg.mul_(sigma);
        if (guidance_rescale > 0 && n > 1) {
            // The guided D's deviation from its per-channel mean, scaled to the spread of the
            // most-conditioned term's D: guidance may move colours, not grow contrast.
            const at::Tensor d_cond = x - eps_last * sigma;
            const std::vector<int64_t> dims{2, 3};
            const at::Tensor mean = d.mean(dims, true);
            const at::Tensor ratio =
                d_cond.std(dims, true, true) / d.std(dims, true, true).clamp_min(1e-12);
            const at::Tensor rescaled = mean + (d - mean) * ratio;
            d = d + guidance_rescale * (rescaled - d);
        }
        return d;
    };
}

}  // namespace artv
