// Tests of three-scale guidance (core/diffusion/guidance.cpp) and the batched ARTV denoiser
// (artv_denoiser.cpp): term skipping, the batched weighted sum against Eq. 8's nested form from
// separate evaluations, call counts and batch sizes, timesteps, v-prediction.
#include <ATen/ATen.h>

#include <cmath>

#include "diffusion/artv_denoiser.h"
#include "diffusion/guidance.h"
#include "diffusion_testutil.h"
#include "tempdir.h"
#include "testutil.h"

using namespace artv;
using artv::test::conds_of;
using artv::test::expect_error;
using artv::test::FakeMask;
using artv::test::FakeNetworks;
using artv::test::max_abs_diff;

namespace {

using Terms = std::vector<std::pair<Cond, double>>;

void check_terms(const CfgScales &s, const Terms &expect) {
    const Terms got = cfg_terms(s);
    ck_assert_msg(got.size() == expect.size(), "scales (%g, %g, %g): %zu terms, expected %zu",
                  s.ref, s.anchor, s.text, got.size(), expect.size());
    double sum = 0;
    for (size_t i = 0; i < got.size(); ++i) {
        ck_assert_msg(got[i].first == expect[i].first, "term %zu is %s, expected %s", i,
                      cond_name(got[i].first), cond_name(expect[i].first));
        ck_assert_msg(got[i].second == expect[i].second, "weight of %s: %g, expected %g",
                      cond_name(got[i].first), got[i].second, expect[i].second);
        sum += got[i].second;
    }
    ck_assert(std::abs(sum - 1) < 1e-12);
}

const CfgScales kScaleSets[] = {{1, 1, 1},     {1.5, 2.5, 7.5}, {1, 3, 3},    {2, 2, 5},
                                {1.5, 2.5, 0}, {0, 0, 0},       {3, 1.5, 1.5}};

}  // namespace

START_TEST(terms_and_skipping) {
    check_terms({1, 1, 1}, {{Cond::RAT, 1}});
    check_terms({1.5, 2.5, 7.5},
                {{Cond::None, -0.5}, {Cond::R, -1}, {Cond::RA, -5}, {Cond::RAT, 7.5}});
    check_terms({1, 3, 3}, {{Cond::R, -2}, {Cond::RAT, 3}});  // s_R = 1, s_A = s_T
    check_terms({2, 2, 5}, {{Cond::None, -1}, {Cond::RA, -3}, {Cond::RAT, 5}});        // s_R = s_A
    check_terms({1.5, 2.5, 0}, {{Cond::None, -0.5}, {Cond::R, -1}, {Cond::RA, 2.5}});  // s_T = 0
    check_terms({0, 0, 0}, {{Cond::None, 1}});
    ck_assert(cond_has_ref(Cond::R) && cond_has_ref(Cond::RAT) && !cond_has_ref(Cond::None));
    ck_assert(cond_has_anchor(Cond::RA) && !cond_has_anchor(Cond::R));
    ck_assert(cond_has_text(Cond::RAT) && !cond_has_text(Cond::RA));
}
END_TEST

START_TEST(non_finite_scales) {
    expect_error(
        [] {
            cfg_terms({NAN, 1, 1});
        },
        ARTV_ERR_INVALID_ARGUMENT, {"reference", "finite"});
    expect_error([] { cfg_terms({1, INFINITY, 1}); }, ARTV_ERR_INVALID_ARGUMENT, {"anchor"});
    expect_error([] { cfg_terms({1, 1, -INFINITY}); }, ARTV_ERR_INVALID_ARGUMENT, {"text"});
    expect_error([] { validate(CfgScales{1, 1, NAN}); }, ARTV_ERR_INVALID_ARGUMENT, {"text"});
}
END_TEST

namespace {

// Eq. 8 in its nested form, each condition evaluated on its own (batch N), masked diffusion
// written out: eps_hat = m (x - x_ref)/sigma + (1 - m) eps, x_ref = 0 without references.
at::Tensor nested_reference(const Schedule &sched, const CfgScales &s, const at::Tensor &x,
                            double sigma, const at::Tensor &x_ref, bool use_mask, bool quantize) {
    const at::Tensor x_in = x * Schedule::c_in(sigma);
    const double t = static_cast<float>(sched.sigma_to_t(sigma, quantize));  // t is float32
    const auto eps_hat = [&](Cond c) {
        const at::Tensor eps = FakeNetworks::eps_for(c, x_in, t);
        if (!use_mask) return eps;
        const at::Tensor m = FakeNetworks::mask_for(c, x_in);
        const at::Tensor stat = (x - (cond_has_ref(c) ? x_ref : at::zeros_like(x_ref))) / sigma;
        return m * stat + (1 - m) * eps;
    };
    const at::Tensor e0 = eps_hat(Cond::None), eR = eps_hat(Cond::R), eRA = eps_hat(Cond::RA),
                     eRAT = eps_hat(Cond::RAT);
    const at::Tensor eps = e0 + s.ref * (eR - e0) + s.anchor * (eRA - eR) + s.text * (eRAT - eRA);
    return x - sigma * eps;
}

}  // namespace

START_TEST(batched_equals_nested) {
    const Schedule sched;
    const auto opt = at::TensorOptions().dtype(at::kDouble);
    const at::Tensor x = at::randn({2, 4, 6, 6}, opt) * 3, x_ref = at::randn({1, 4, 6, 6}, opt);
    for (const CfgScales &s : kScaleSets) {
        for (bool use_mask : {false, true}) {
            for (bool quantize : {false, true}) {
                const Terms terms = cfg_terms(s);
                FakeNetworks nets;
                int calls = 0;
                const Denoiser d = make_artv_denoiser(
                    sched,
                    nets.fn(conds_of(terms), use_mask ? FakeMask::Learned : FakeMask::Absent),
                    terms, x_ref, use_mask, quantize, &calls);
                for (double sigma : {14.6146, 2.5, 0.3, 0.0292}) {
                    const at::Tensor got = d(x, sigma);
                    const at::Tensor expect =
                        nested_reference(sched, s, x, sigma, x_ref, use_mask, quantize);
                    const double err = max_abs_diff(got, expect);
                    ck_assert_msg(err < 1e-12 * (1 + expect.abs().max().item<double>()),
                                  "scales (%g, %g, %g) mask %d quantize %d sigma %g: |diff| %.3g",
                                  s.ref, s.anchor, s.text, use_mask, quantize, sigma, err);
                    // One network call per denoiser call, all needed conditions in one batch.
                    ck_assert_int_eq(nets.batch_sizes.back(), 2 * (int64_t)terms.size());
                    ck_assert(nets.timesteps.back() == (float)sched.sigma_to_t(sigma, quantize));
                }
                ck_assert_int_eq(calls, 4);
                ck_assert_int_eq(nets.batch_sizes.size(), 4);
            }
        }
    }
}
END_TEST

START_TEST(evaluations_skipped_over_a_run) {
    // Over a whole sampler run: one batched call per denoiser call, batch = conditions evaluated.
    const Schedule sched;
    const at::Tensor x_ref = at::randn({1, 4, 6, 6});
    const struct {
        CfgScales scales;
        int64_t conditions;
    } cases[] = {{{1, 1, 1}, 1},       {{1, 2, 2}, 2},   {{1, 1, 7.5}, 2},
                 {{1.5, 1.5, 1.5}, 2}, {{2, 2, 7.5}, 3}, {{1.5, 2.5, 7.5}, 4}};
    for (const auto &c : cases) {
        const Terms terms = cfg_terms(c.scales);
        ck_assert_int_eq((int64_t)terms.size(), c.conditions);
        FakeNetworks nets;
        int calls = 0;
        const Denoiser d = make_artv_denoiser(sched, nets.fn(conds_of(terms), FakeMask::Learned),
                                              terms, x_ref, true, true, &calls);
        GeneratorNoise noise(11);
        const std::vector<double> sigmas = sched.sigmas(10);
        const at::Tensor x = initial_latent({1, 4, 6, 6}, at::kFloat, sigmas[0], noise);
        sample(SamplerKind::DpmPP2SAncestral, d, sigmas, x, noise);
        ck_assert_int_eq(calls, denoiser_calls(SamplerKind::DpmPP2SAncestral, 10));
        ck_assert_int_eq(nets.batch_sizes.size(), calls);
        for (int64_t b : nets.batch_sizes) ck_assert_int_eq(b, c.conditions);
        // Quantized timesteps are integer indices of the schedule.
        for (double t : nets.timesteps) ck_assert(t == std::round(t) && t >= 0 && t <= 999);
    }
}
END_TEST

START_TEST(guidance_interval) {
    // Below guidance_sigma_min the denoiser is the unguided one (the last term, eps(R,A,T),
    // alone: one row per latent); at and above it, Eq. 8 as before.
    const Schedule sched;
    const auto opt = at::TensorOptions().dtype(at::kDouble);
    const at::Tensor x = at::randn({1, 4, 6, 6}, opt) * 3, x_ref = at::randn({1, 4, 6, 6}, opt);
    const CfgScales s{1.5, 2.5, 7.5}, unguided{1, 1, 1};
    const Terms terms = cfg_terms(s);
    FakeNetworks nets;
    int calls = 0;
    const Denoiser d = make_artv_denoiser(sched, nets.fn(conds_of(terms), FakeMask::Learned), terms,
                                          x_ref, true, true, &calls, 2.5);
    for (double sigma : {14.6146, 2.5, 2.4, 0.3}) {
        const bool guided = sigma >= 2.5;
        const at::Tensor expect =
            nested_reference(sched, guided ? s : unguided, x, sigma, x_ref, true, true);
        const double err = max_abs_diff(d(x, sigma), expect);
        ck_assert_msg(err < 1e-12 * (1 + expect.abs().max().item<double>()),
                      "sigma %g (guided %d): |diff| %.3g", sigma, guided, err);
        ck_assert_int_eq(nets.batch_sizes.back(), guided ? (int64_t)terms.size() : 1);
    }
    ck_assert_int_eq(calls, 4);
    // Guided and unguided differ (else the checks above would prove nothing).
    ck_assert(max_abs_diff(nested_reference(sched, s, x, 0.3, x_ref, true, true),
                           nested_reference(sched, unguided, x, 0.3, x_ref, true, true)) > 1e-3);
    for (double bad : {-1.0, std::nan(""), HUGE_VAL})
        expect_error(
            [&] {
                make_artv_denoiser(sched, nets.fn(conds_of(terms), FakeMask::Learned), terms,
                                   x_ref, true, true, nullptr, bad);
            },
            ARTV_ERR_INVALID_ARGUMENT, {"guidance interval"});
}
END_TEST

START_TEST(guidance_rescale) {
    // phi 1: the guided D keeps its per-channel mean and takes the spread of the last term's D;
    // phi 0.5: halfway; one term (no guidance): nothing to rescale.
    const Schedule sched;
    const auto opt = at::TensorOptions().dtype(at::kDouble);
    const at::Tensor x = at::randn({2, 4, 6, 6}, opt) * 3, x_ref = at::randn({1, 4, 6, 6}, opt);
    const CfgScales s{1, 1, 7.5}, unguided{1, 1, 1};
    const Terms terms = cfg_terms(s);
    FakeNetworks nets;
    const auto fn = nets.fn(conds_of(terms), FakeMask::Learned);
    const Denoiser full = make_artv_denoiser(sched, fn, terms, x_ref, true, true, nullptr, 0, 1);
    const Denoiser half = make_artv_denoiser(sched, fn, terms, x_ref, true, true, nullptr, 0, 0.5);
    const std::vector<int64_t> dims{2, 3};
    for (double sigma : {14.6146, 0.3}) {
        const at::Tensor guided = nested_reference(sched, s, x, sigma, x_ref, true, true);
        const at::Tensor cond = nested_reference(sched, unguided, x, sigma, x_ref, true, true);
        const at::Tensor got = full(x, sigma);
        ck_assert(max_abs_diff(got.mean(dims), guided.mean(dims)) < 1e-9);
        ck_assert(max_abs_diff(got.std(dims, true), cond.std(dims, true)) < 1e-9);
        ck_assert(max_abs_diff(guided.std(dims, true), cond.std(dims, true)) > 1e-3);
        ck_assert(max_abs_diff(half(x, sigma), 0.5 * (got + guided)) < 1e-9);
    }
    const Terms one = cfg_terms(unguided);
    const Denoiser plain =
        make_artv_denoiser(sched, nets.fn(conds_of(one), FakeMask::Learned), one, x_ref, true, true, nullptr, 0, 1);
    ck_assert(max_abs_diff(plain(x, 0.3), nested_reference(sched, unguided, x, 0.3, x_ref, true, true)) < 1e-12);
    for (double bad : {-0.1, 1.5, std::nan("")})
        expect_error([&] { make_artv_denoiser(sched, fn, terms, x_ref, true, true, nullptr, 0, bad); },
                     ARTV_ERR_INVALID_ARGUMENT, {"rescale"});
}
END_TEST

START_TEST(v_prediction) {
    // SGM VScaling: D = x/(sigma^2+1) - sigma/sqrt(sigma^2+1) * v. With masked diffusion the mix is
    // on eps, so D = m x_ref + (1 - m) D_v.
    const Schedule sched(0.00085, 0.012, 1000, Prediction::V);
    const auto opt = at::TensorOptions().dtype(at::kDouble);
    const at::Tensor x = at::randn({1, 4, 6, 6}, opt) * 2, x_ref = at::randn({1, 4, 6, 6}, opt);
    const Terms terms = cfg_terms({1, 1, 1});
    for (bool use_mask : {false, true}) {
        FakeNetworks nets;
        const Denoiser d = make_artv_denoiser(
            sched, nets.fn(conds_of(terms), use_mask ? FakeMask::Learned : FakeMask::Absent), terms,
            x_ref, use_mask, false, nullptr);
        for (double sigma : {10.0, 1.0, 0.05}) {
            const at::Tensor x_in = x / std::sqrt(sigma * sigma + 1);
            const at::Tensor v = FakeNetworks::eps_for(
                Cond::RAT, x_in, static_cast<float>(sched.sigma_to_t(sigma, false)));
            at::Tensor expect = x / (sigma * sigma + 1) - sigma / std::sqrt(sigma * sigma + 1) * v;
            if (use_mask) {
                const at::Tensor m = FakeNetworks::mask_for(Cond::RAT, x_in);
                expect = m * x_ref + (1 - m) * expect;
            }
            ck_assert_msg(max_abs_diff(d(x, sigma), expect) < 1e-12, "v-prediction, sigma %g",
                          sigma);
        }
    }
}
END_TEST

START_TEST(bad_arguments) {
    const Schedule sched;
    const at::Tensor x = at::randn({1, 4, 6, 6}), x_ref = at::randn({1, 4, 6, 6});
    FakeNetworks nets;
    const Terms terms = cfg_terms({2, 3, 4});
    expect_error(
        [&] {
            make_artv_denoiser(sched, nets.fn({}, FakeMask::Learned), {}, x_ref, true, true,
                               nullptr);
        },
        ARTV_ERR_INVALID_ARGUMENT, {"at least one condition"});
    expect_error([&] { make_artv_denoiser(sched, EpsFn(), terms, x_ref, true, true, nullptr); },
                 ARTV_ERR_INVALID_ARGUMENT, {"network"});
    expect_error(
        [&] {
            make_artv_denoiser(sched, nets.fn(conds_of(terms), FakeMask::Learned), terms,
                               at::Tensor(), true, true, nullptr);
        },
        ARTV_ERR_INVALID_ARGUMENT, {"reference latent"});
    // Unconditional only, or no mask: no reference needed.
    make_artv_denoiser(sched, nets.fn({Cond::None}, FakeMask::Learned), {{Cond::None, 1.0}},
                       at::Tensor(), true, true, nullptr);
    make_artv_denoiser(sched, nets.fn(conds_of(terms), FakeMask::Absent), terms, at::Tensor(),
                       false, true, nullptr);
    // Networks answering with the wrong shapes: an internal error, not a crash.
    const Denoiser no_mask = make_artv_denoiser(sched, nets.fn(conds_of(terms), FakeMask::Absent),
                                                terms, x_ref, true, true, nullptr);
    expect_error([&] { no_mask(x, 1.0); }, ARTV_ERR_INTERNAL, {"mask"});
    const EpsFn short_batch = [](const at::Tensor &x_in, const at::Tensor &, size_t) {
        return EpsEval{x_in.narrow(0, 0, 1), at::Tensor()};
    };
    const Denoiser d = make_artv_denoiser(sched, short_batch, terms, x_ref, false, true, nullptr);
    expect_error([&] { d(x, 1.0); }, ARTV_ERR_INTERNAL, {"eps of shape"});
}
END_TEST

static Suite *guidance_suite(void) {
    Suite *s = suite_create("guidance");
    TCase *tc = tcase_create("guidance");
    tcase_add_test(tc, terms_and_skipping);
    tcase_add_test(tc, non_finite_scales);
    tcase_add_test(tc, batched_equals_nested);
    tcase_add_test(tc, evaluations_skipped_over_a_run);
    tcase_add_test(tc, guidance_interval);
    tcase_add_test(tc, guidance_rescale);
    tcase_add_test(tc, v_prediction);
    tcase_add_test(tc, bad_arguments);
    suite_add_tcase(s, tc);
    return s;
}

ARTV_TEST_MAIN(guidance_suite)
