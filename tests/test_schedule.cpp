// Tests of core/diffusion/schedule.{h,cpp} and noise.{h,cpp}: the SD discrete schedule, timestep
// spacing, sigma <-> t, q_sample / v / noise augmentation, and the noise sources.
#include <ATen/ATen.h>

#include <cmath>

#include "diffusion/noise.h"
#include "diffusion/schedule.h"
#include "tempdir.h"
#include "testutil.h"

using namespace artv;
using artv::test::expect_error;

START_TEST(sd_sigma_range) {
    // reference/sd-architecture.md §3: sigma_0 = 0.029167, sigma_999 = 14.614641.
    const Schedule s;
    ck_assert_int_eq(s.timesteps(), 1000);
    ck_assert(s.prediction() == Prediction::Eps);
    ck_assert_msg(std::abs(s.sigma_at(0) - 0.029167) < 5e-7, "sigma_0 = %.9f", s.sigma_at(0));
    ck_assert_msg(std::abs(s.sigma_at(999) - 14.614641) < 5e-7, "sigma_999 = %.9f",
                  s.sigma_at(999));
    // beta_0 = 0.00085 exactly (linspace starts at sqrt(0.00085)), so abar_0 = 1 - 0.00085.
    ck_assert(std::abs(s.alphas_cumprod()[0] - (1 - 0.00085)) < 1e-15);
    for (int t = 1; t < 1000; ++t) ck_assert(s.sigma_table()[t] > s.sigma_table()[t - 1]);
}
END_TEST

START_TEST(sgm_timestep_spacing) {
    const Schedule s;
    const std::vector<int> ts = s.sampling_timesteps(50);
    ck_assert_int_eq(ts.size(), 50);
    // np.linspace(999, 0, 50, endpoint=False).astype(int)[::-1]: 19, 39, ..., 979, 999.
    for (int i = 0; i < 50; ++i) ck_assert_int_eq(ts[i], 19 + 20 * i);
    // n = 20: 999 - i*49.95 truncated, reversed.
    const std::vector<int> t20 = s.sampling_timesteps(20);
    const int expected20[] = {49,  99,  149, 199, 249, 299, 349, 399, 449, 499,
                              549, 599, 649, 699, 749, 799, 849, 899, 949, 999};
    for (int i = 0; i < 20; ++i) ck_assert_int_eq(t20[i], expected20[i]);
    ck_assert_int_eq(s.sampling_timesteps(1).at(0), 999);
    const std::vector<int> all = s.sampling_timesteps(1000);
    for (int i = 0; i < 1000; ++i) ck_assert_int_eq(all[i], i);

    const std::vector<double> sig = s.sigmas(50);
    ck_assert_int_eq(sig.size(), 51);
    ck_assert(sig.back() == 0.0);
    ck_assert(sig.front() == s.sigma_at(999));
    ck_assert(sig[49] == s.sigma_at(19));
    for (size_t i = 1; i < sig.size(); ++i) ck_assert(sig[i] < sig[i - 1]);
}
END_TEST

START_TEST(steps_out_of_range) {
    const Schedule s;
    expect_error([&] { s.sigmas(0); }, ARTV_ERR_INVALID_ARGUMENT, {"steps", "[1, 1000]", "0"});
    expect_error([&] { s.sigmas(-3); }, ARTV_ERR_INVALID_ARGUMENT, {"steps"});
    expect_error([&] { s.sigmas(1001); }, ARTV_ERR_INVALID_ARGUMENT, {"1001"});
    expect_error([] { Schedule(0.00085, 0.012, 1); }, ARTV_ERR_INVALID_ARGUMENT, {"timesteps"});
    expect_error([] { Schedule(-1, 0.012); }, ARTV_ERR_INVALID_ARGUMENT, {"betas"});
    expect_error([] { parse_prediction("x0"); }, ARTV_ERR_INVALID_ARGUMENT, {"x0", "eps", "v"});
    ck_assert(parse_prediction("v_prediction") == Prediction::V);
    ck_assert(parse_prediction("epsilon") == Prediction::Eps);
}
END_TEST

START_TEST(sigma_to_t) {
    const Schedule s;
    // Table sigmas map to their own index, quantized or not.
    for (int t : {0, 1, 19, 500, 998, 999}) {
        ck_assert_msg(s.sigma_to_t(s.sigma_at(t), true) == t, "quantized t for index %d", t);
        ck_assert_msg(std::abs(s.sigma_to_t(s.sigma_at(t), false) - t) < 1e-9, "t for index %d", t);
    }
    // Between two table entries: geometric midpoint -> halfway in log sigma.
    const double mid = std::sqrt(s.sigma_at(300) * s.sigma_at(301));
    ck_assert(std::abs(s.sigma_to_t(mid, false) - 300.5) < 1e-9);
    // Quantized: nearest in sigma (SGM DiscreteDenoiser), so the boundary between two indices is
    // their arithmetic mean; the geometric midpoint (a tie in log sigma) lies below it.
    ck_assert(s.sigma_to_t(mid, true) == 300);
    const double amid = 0.5 * (s.sigma_at(300) + s.sigma_at(301));
    ck_assert(s.sigma_to_t(amid * (1 - 1e-9), true) == 300);
    ck_assert(s.sigma_to_t(amid * (1 + 1e-9), true) == 301);
    // Outside the table: clamped.
    ck_assert(s.sigma_to_t(1e-4, false) == 0);
    ck_assert(s.sigma_to_t(100.0, false) == 999);
    ck_assert(s.sigma_to_t(100.0, true) == 999);
    ck_assert(s.sigma_to_t(0.0, true) == 0);
    expect_error([&] { s.sigma_to_t(NAN, false); }, ARTV_ERR_INVALID_ARGUMENT, {"sigma"});
    ck_assert(std::abs(Schedule::c_in(0.0) - 1.0) < 1e-15);
    ck_assert(std::abs(Schedule::c_in(std::sqrt(3.0)) - 0.5) < 1e-15);
}
END_TEST

START_TEST(q_sample_and_v) {
    const Schedule s;
    const auto opt = at::TensorOptions().dtype(at::kDouble);
    const at::Tensor x0 = at::randn({3, 4, 5, 5}, opt), noise = at::randn({3, 4, 5, 5}, opt);
    const at::Tensor k = at::tensor({0, 200, 999}, at::kLong);
    const at::Tensor batched = s.q_sample(x0, k, noise);
    for (int i = 0; i < 3; ++i) {
        const int ki = k[i].item<int>();
        const double a = s.alphas_cumprod()[ki];
        const at::Tensor expect = std::sqrt(a) * x0[i] + std::sqrt(1 - a) * noise[i];
        ck_assert(at::allclose(batched[i], expect, 0, 1e-14));
        ck_assert(at::allclose(s.q_sample(x0[i].unsqueeze(0), ki, noise[i].unsqueeze(0))[0], expect,
                               0, 1e-14));
        // sigma form: x_t / sqrt(abar) = x0 + sigma * noise.
        ck_assert(
            at::allclose(batched[i] / std::sqrt(a), x0[i] + s.sigma_at(ki) * noise[i], 0, 1e-12));
    }
    // v-prediction: eps recovered from v and the network input x_in = x_t.
    const at::Tensor v = s.v_target(x0, k, noise);
    for (int i = 0; i < 3; ++i) {
        const double sigma = s.sigma_at(k[i].item<int>());
        const at::Tensor eps = Schedule::eps_from_v(v[i], batched[i], sigma);
        ck_assert_msg(at::allclose(eps, noise[i], 0, 1e-12), "eps_from_v at level %d",
                      (int)k[i].item<int>());
    }
    expect_error(
        [&] {
            s.q_sample(x0, at::tensor({0, 1}, at::kLong), noise);
        },
        ARTV_ERR_INVALID_ARGUMENT, {"one noise level per batch item"});
    expect_error(
        [&] {
            s.q_sample(x0, at::tensor({0, 1, 1000}, at::kLong), noise);
        },
        ARTV_ERR_INVALID_ARGUMENT, {"noise level"});
}
END_TEST

START_TEST(noise_augmentation) {
    const Schedule s;
    const at::Tensor latent = at::randn({1, 4, 6, 6});
    GeneratorNoise g(7);
    // Level 0: unchanged, and no noise drawn (the stream stays where it was).
    ck_assert(at::equal(noise_augment(s, latent, 0, g), latent));
    GeneratorNoise fresh(7);
    ck_assert(at::equal(g.randn({3}, at::kFloat), fresh.randn({3}, at::kFloat)));
    // Level 200 with recorded noise: q_sample.
    const at::Tensor z = at::randn({1, 4, 6, 6});
    RecordedNoise rec({z});
    const at::Tensor aug = noise_augment(s, latent, 200, rec);
    const double a = s.alphas_cumprod()[200];
    ck_assert(at::allclose(aug, std::sqrt(a) * latent + std::sqrt(1 - a) * z, 1e-6, 1e-6));
    expect_error([&] { noise_augment(s, latent, 1000, g); }, ARTV_ERR_INVALID_ARGUMENT,
                 {"noise level", "999"});
    expect_error([&] { noise_augment(s, latent, -1, g); }, ARTV_ERR_INVALID_ARGUMENT,
                 {"noise level"});
    // Batched form (training): same convention, level 0 stays clean.
    const at::Tensor lat2 = at::randn({2, 4, 6, 6}), z2 = at::randn({2, 4, 6, 6});
    const at::Tensor aug2 = noise_augment(s, lat2, at::tensor({0, 200}, at::kLong), z2);
    ck_assert(at::equal(aug2[0], lat2[0]));
    ck_assert(at::allclose(aug2[1], std::sqrt(a) * lat2[1] + std::sqrt(1 - a) * z2[1], 1e-6, 1e-6));
}
END_TEST

START_TEST(generator_noise) {
    GeneratorNoise a(1234), b(1234), c(99);
    const at::Tensor x = a.randn({2, 3, 4}, at::kFloat);
    ck_assert(at::equal(x, b.randn({2, 3, 4}, at::kFloat)));
    ck_assert(!at::equal(x, c.randn({2, 3, 4}, at::kFloat)));
    // Drawn in float32, then converted: the dtype does not change the numbers.
    GeneratorNoise d(1234);
    const at::Tensor xd = d.randn({2, 3, 4}, at::TensorOptions().dtype(at::kDouble));
    ck_assert(xd.scalar_type() == at::kDouble);
    ck_assert(at::equal(xd, x.to(at::kDouble)));
    a.reseed(1234);
    ck_assert(at::equal(a.randn({2, 3, 4}, at::kFloat), x));
    // Roughly standard normal.
    const at::Tensor big = a.randn({100000}, at::kFloat);
    ck_assert(std::abs(big.mean().item<double>()) < 0.02);
    ck_assert(std::abs(big.std().item<double>() - 1) < 0.02);
}
END_TEST

START_TEST(recorded_noise) {
    const at::Tensor d0 = at::randn({2, 2}), d1 = at::randn({2, 2});
    RecordedNoise r({d0, d1});
    ck_assert_int_eq(r.remaining(), 2);
    const at::Tensor got = r.randn({2, 2}, at::TensorOptions().dtype(at::kDouble));
    ck_assert(got.scalar_type() == at::kDouble && at::equal(got, d0.to(at::kDouble)));
    expect_error([&] { r.randn({3}, at::kFloat); }, ARTV_ERR_INVALID_ARGUMENT, {"shape"});
    ck_assert(at::equal(r.randn({2, 2}, at::kFloat), d1));
    ck_assert_int_eq(r.used(), 2);
    expect_error([&] { r.randn({2, 2}, at::kFloat); }, ARTV_ERR_INVALID_ARGUMENT, {"exhausted"});
}
END_TEST

static Suite *schedule_suite(void) {
    Suite *s = suite_create("schedule");
    TCase *tc = tcase_create("schedule");
    tcase_add_test(tc, sd_sigma_range);
    tcase_add_test(tc, sgm_timestep_spacing);
    tcase_add_test(tc, steps_out_of_range);
    tcase_add_test(tc, sigma_to_t);
    tcase_add_test(tc, q_sample_and_v);
    tcase_add_test(tc, noise_augmentation);
    tcase_add_test(tc, generator_noise);
    tcase_add_test(tc, recorded_noise);
    suite_add_tcase(s, tc);
    return s;
}

ARTV_TEST_MAIN(schedule_suite)
