// Tests of masked diffusion (core/diffusion/mdm.cpp and its use in artv_denoiser.cpp), through
// every sampler: m = 1 with the clean target as reference reproduces the reference (the static
// noise shortcut is exact); m = 0 is plain eps_theta sampling.
#include <ATen/ATen.h>

#include <cmath>
#include <limits>

#include "diffusion/artv_denoiser.h"
#include "diffusion/mdm.h"
#include "diffusion/noise.h"
#include "diffusion/sampler.h"
#include "diffusion/schedule.h"
#include "diffusion_testutil.h"
#include "testutil.h"

using namespace artv;
using artv::test::conds_of;
using artv::test::FakeMask;
using artv::test::FakeNetworks;
using artv::test::max_abs_diff;

namespace {

struct SamplerCase {
    SamplerKind kind;
    std::optional<double> eta;
};
const SamplerCase kSamplers[] = {{SamplerKind::DpmPP2SAncestral, std::nullopt},
                                 {SamplerKind::DpmPP2SAncestral, 0.0},
                                 {SamplerKind::Ddim, std::nullopt},
                                 {SamplerKind::Ddim, 1.0},
                                 {SamplerKind::Euler, std::nullopt}};

at::Tensor run(const SamplerCase &c, const Schedule &sched, const CfgScales &scales,
               const at::Tensor &x_ref, FakeMask mask, bool use_mask, at::ScalarType dtype,
               uint64_t seed) {
    const auto terms = cfg_terms(scales);
    FakeNetworks nets;
    const Denoiser d = make_artv_denoiser(sched, nets.fn(conds_of(terms), mask), terms, x_ref,
                                          use_mask, true, nullptr);
    GeneratorNoise noise(seed);
    const std::vector<double> sigmas = sched.sigmas(20);
    const at::Tensor x =
        initial_latent(x_ref.sizes(), at::TensorOptions().dtype(dtype), sigmas[0], noise);
    SamplerOptions opt;
    opt.eta = c.eta;
    return sample(c.kind, d, sigmas, x, noise, opt);
}

}  // namespace

START_TEST(mask_one_returns_reference) {
    // With m = 1 every condition's eps_hat is the static noise (x - x_ref)/sigma, so
    // D = x - sigma*eps_hat = x_ref at every step, whatever the network says; the last step returns
    // D. Guidance scales with s_R = 1 keep every evaluated condition referenced (weights sum to 1).
    const Schedule sched;
    for (at::ScalarType dtype : {at::kFloat, at::kDouble}) {
        const at::Tensor target = at::randn({1, 4, 8, 8}, at::TensorOptions().dtype(dtype));
        // The last step returns D = x - sigma*((x - x_ref)/sigma) (weights summing to 1), which
        // rounds to within a few ulps of x_ref (|x_ref| < ~5; measured: 1 ulp).
        const double tol = dtype == at::kFloat ? 1e-6 : 1e-14;
        for (const SamplerCase &c : kSamplers) {
            for (const CfgScales &scales : {CfgScales{1, 1, 1}, CfgScales{1, 3, 5}}) {
                const at::Tensor out =
                    run(c, sched, scales, target, FakeMask::Ones, true, dtype, 42);
                const double err = max_abs_diff(out, target);
                ck_assert_msg(err < tol, "%s eta %g, %s, scales (1, %g, %g): |out - x_ref| = %.3g",
                              sampler_name(c.kind), c.eta.value_or(default_eta(c.kind)),
                              dtype == at::kFloat ? "float32" : "float64", scales.anchor,
                              scales.text, err);
            }
        }
    }
}
END_TEST

START_TEST(mask_zero_is_plain_sampling) {
    // m = 0: eps_hat = eps_theta exactly, so the run is bit-identical to use_mask = false.
    const Schedule sched;
    const at::Tensor x_ref = at::randn({1, 4, 8, 8});
    for (const SamplerCase &c : kSamplers) {
        for (const CfgScales &scales : {CfgScales{1, 1, 1}, CfgScales{1.5, 2.5, 7.5}}) {
            const at::Tensor masked =
                run(c, sched, scales, x_ref, FakeMask::Zeros, true, at::kFloat, 7);
            const at::Tensor plain =
                run(c, sched, scales, x_ref, FakeMask::Absent, false, at::kFloat, 7);
            ck_assert_msg(at::equal(masked, plain),
                          "%s eta %g: m = 0 differs from plain sampling by %.3g",
                          sampler_name(c.kind), c.eta.value_or(default_eta(c.kind)),
                          max_abs_diff(masked, plain));
        }
    }
}
END_TEST

START_TEST(learned_mask_in_between) {
    // A mask strictly inside (0, 1) gives a result different from both ends (the mix is used).
    const Schedule sched;
    const at::Tensor x_ref = at::randn({1, 4, 8, 8});
    const SamplerCase c{SamplerKind::Ddim, std::nullopt};
    const at::Tensor learned =
        run(c, sched, {1, 1, 1}, x_ref, FakeMask::Learned, true, at::kFloat, 3);
    const at::Tensor plain =
        run(c, sched, {1, 1, 1}, x_ref, FakeMask::Absent, false, at::kFloat, 3);
    ck_assert(max_abs_diff(learned, plain) > 1e-3);
    ck_assert(max_abs_diff(learned, x_ref) > 1e-3);
}
END_TEST

START_TEST(static_noise_forms) {
    const Schedule sched;
    const auto opt = at::TensorOptions().dtype(at::kDouble);
    const at::Tensor x0 = at::randn({2, 4, 5, 5}, opt), eps = at::randn({2, 4, 5, 5}, opt);
    const at::Tensor x_ref = at::randn({2, 4, 5, 5}, opt);
    const at::Tensor k = at::tensor({10, 600}, at::kLong);
    const at::Tensor x_t = sched.q_sample(x0, k, eps);
    const at::Tensor vp = static_noise_vp(sched, x_t, x_ref, k);
    const at::Tensor vp_zero = static_noise_vp(sched, x_t, at::Tensor(), k);
    for (int i = 0; i < 2; ++i) {
        const int ki = k[i].item<int>();
        const double sigma = sched.sigma_at(ki), sqrt_abar = std::sqrt(sched.alphas_cumprod()[ki]);
        const at::Tensor x_sigma = x_t[i] / sqrt_abar;  // x = x0 + sigma*eps
        ck_assert(max_abs_diff(vp[i], static_noise(x_sigma, x_ref[i], sigma)) < 1e-10);
        ck_assert(max_abs_diff(vp_zero[i], static_noise(x_sigma, at::Tensor(), sigma)) < 1e-10);
        // The reference equal to the clean frame: the static noise is the true noise.
        ck_assert(max_abs_diff(static_noise(x_sigma, x0[i], sigma), eps[i]) < 1e-10);
    }
}
END_TEST

START_TEST(mix_ends_are_exact) {
    const at::Tensor a = at::randn({2, 4, 3, 3}), b = at::randn({2, 4, 3, 3}) * 10;
    ck_assert(at::equal(mdm_mix(a, b, at::zeros({2, 1, 3, 3})), a));
    ck_assert(at::equal(mdm_mix(a, b, at::ones({2, 1, 3, 3})), b.expand_as(a)));
    const at::Tensor m = at::rand({2, 1, 3, 3});
    ck_assert(max_abs_diff(mdm_mix(a, b, m), m * b + (1 - m) * a) < 1e-5);
    // A double mask on float eps is converted, not promoted.
    ck_assert(mdm_mix(a, b, m.to(at::kDouble)).scalar_type() == at::kFloat);
}
END_TEST

static Suite *mdm_suite(void) {
    Suite *s = suite_create("mdm");
    TCase *tc = tcase_create("mdm");
    tcase_add_test(tc, mask_one_returns_reference);
    tcase_add_test(tc, mask_zero_is_plain_sampling);
    tcase_add_test(tc, learned_mask_in_between);
    tcase_add_test(tc, static_noise_forms);
    tcase_add_test(tc, mix_ends_are_exact);
    suite_add_tcase(s, tc);
    return s;
}

ARTV_TEST_MAIN(mdm_suite)
