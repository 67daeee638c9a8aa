// Tests of the samplers (core/diffusion/sampler.cpp, dpmpp_2s_ancestral.cpp, ddim.cpp, euler.cpp):
// parity with k-diffusion on recorded noise, the data distribution on Gaussian data, call counts,
// progress/abort, and argument errors.
#include <ATen/ATen.h>
#include <ATen/Parallel.h>

#include <cmath>

#include "diffusion/sampler.h"
#include "diffusion/schedule.h"
#include "diffusion_testutil.h"
#include "io/safetensors.h"
#include "io/tensor_io.h"
#include "tempdir.h"
#include "testutil.h"

using namespace artv;
using artv::test::expect_error;
using artv::test::gaussian_denoiser;
using artv::test::max_abs_diff;

namespace {

at::Tensor oracle_tensor(const SafeTensorsFile &f, const std::string &name) {
    return to_tensor(f.at(name), at::kDouble);
}

// Runs one k-diffusion reference case of oracles/sampler_kdiffusion.safetensors: the analytic
// denoiser D = mu + s^2/(s^2+sigma^2)(x - mu) with s = 0.5, 20 steps from io.x_init, the recorded
// draws io.noise[i] added after step i.
void check_oracle(SamplerKind kind, double eta, const char *output, size_t draws_used) {
    char buf[1024];
    const SafeTensorsFile f = SafeTensorsFile::open(
        ARTV_TEST_PATH(buf, ARTV_TEST_SHARED(), "oracles/sampler_kdiffusion.safetensors"));
    ck_assert_str_eq(f.metadata().at("s").c_str(), "0.5");
    ck_assert_str_eq(f.metadata().at("steps").c_str(), "20");
    const at::Tensor mu = oracle_tensor(f, "io.mu"), x_init = oracle_tensor(f, "io.x_init");
    const at::Tensor draws = oracle_tensor(f, "io.noise"), expect = oracle_tensor(f, output);

    // Our float64 sigmas; the file stores the reference's float64 sigmas rounded to float32.
    const std::vector<double> sigmas = Schedule().sigmas(20);
    const at::Tensor stored = oracle_tensor(f, "io.sigmas");
    ck_assert_int_eq(stored.numel(), 21);
    for (int i = 0; i < 21; ++i) {
        const double d = std::abs(stored[i].item<double>() - sigmas[i]);
        ck_assert_msg(d <= 6e-8 * sigmas[i], "sigma %d: %.9g vs stored %.9g", i, sigmas[i],
                      stored[i].item<double>());
    }

    RecordedNoise noise(draws.unbind(0));
    SamplerOptions opt;
    opt.eta = eta;
    const at::Tensor out = sample(kind, gaussian_denoiser(mu, 0.5), sigmas, x_init, noise, opt);
    ck_assert_int_eq(noise.used(), draws_used);
    // The reference ran in float64 and stored float32: its outputs carry a rounding error of at
    // most half a float32 ulp (6e-8 relative); our float64 run differs from its float64 run only
    // by float64 rounding. So allow 1.5e-7 relative to the largest output.
    const double scale = expect.abs().max().item<double>();
    const double err = max_abs_diff(out, expect);
    ck_assert_msg(err <= 1.5e-7 * scale, "%s: max |diff| %.3g (scale %.3g)", output, err, scale);
}

}  // namespace

START_TEST(kdiffusion_dpmpp_2s_ancestral_eta1) {
    // Noise after every step but the last: 19 draws.
    check_oracle(SamplerKind::DpmPP2SAncestral, 1.0, "io.out_dpmpp_2s_ancestral_eta1", 19);
}
END_TEST

START_TEST(kdiffusion_dpmpp_2s_ancestral_eta0) {
    // eta = 0 adds no noise (k-diffusion draws and multiplies by sigma_up = 0; we skip the draw).
    check_oracle(SamplerKind::DpmPP2SAncestral, 0.0, "io.out_dpmpp_2s_ancestral_eta0", 0);
}
END_TEST

START_TEST(kdiffusion_euler) {
    check_oracle(SamplerKind::Euler, 0.0, "io.out_euler", 0);
}
END_TEST

START_TEST(initial_latent_sgm) {
    char buf[1024];
    const SafeTensorsFile f = SafeTensorsFile::open(
        ARTV_TEST_PATH(buf, ARTV_TEST_SHARED(), "oracles/sampler_kdiffusion.safetensors"));
    const at::Tensor randn = oracle_tensor(f, "io.randn_init"),
                     x_init = oracle_tensor(f, "io.x_init");
    RecordedNoise noise({randn});
    const double sigma_max = Schedule().sigmas(20)[0];
    const at::Tensor x =
        initial_latent(randn.sizes(), at::TensorOptions().dtype(at::kDouble), sigma_max, noise);
    // io.x_init = randn * sqrt(1 + sigma_0^2), stored as float32.
    ck_assert(max_abs_diff(x, x_init) <= 6e-8 * x_init.abs().max().item<double>());
}
END_TEST

namespace {

// Sampling Gaussian data N(mu, s^2) with its exact denoiser. An exact sampler run down to the
// last non-zero sigma_1 has x ~ N(mu, s^2 + sigma_1^2); the final step returns D(x, sigma_1), whose
// variance is s^4/(s^2 + sigma_1^2) (-> s^2 as sigma_1 -> 0). The sampler's own discretization
// error comes on top; `bias` bounds it (relative). The bounds were set from the closed-form
// variance recursion of each update on this data (linear in x), with about 2x margin:
//   DDIM/Euler eta=0, 1000 steps: -0.55%;  DDIM eta=1, 1000 steps: -1.6%;
//   DPM++ 2S a eta=1, 100 steps: -0.7%;   DPM++ 2S a eta=0, 50 steps: -0.25%.
// Start: the exact marginal at sigma_max, mu + sqrt(s^2 + sigma_max^2) z.
void check_gaussian(SamplerKind kind, std::optional<double> eta, int steps, int64_t n,
                    double bias) {
    // Element-wise ops on these long vectors would run on OpenMP threads; on a busy machine the
    // barriers of thousands of small steps cost far more than they save.
    at::set_num_threads(1);
    const double mu = 0.7, s = 0.5;
    const std::vector<double> sigmas = Schedule().sigmas(steps);
    const double sigma_1 = sigmas[steps - 1], sigma_max = sigmas[0];
    const double target = std::pow(s, 4) / (s * s + sigma_1 * sigma_1);
    const auto opt = at::TensorOptions().dtype(at::kDouble);

    GeneratorNoise noise(20240601);
    const at::Tensor x = mu + std::sqrt(s * s + sigma_max * sigma_max) * noise.randn({n}, opt);
    SamplerOptions so;
    so.eta = eta;
    const at::Tensor out =
        sample(kind, gaussian_denoiser(at::scalar_tensor(mu, opt), s), sigmas, x, noise, so);

    const double mean = out.mean().item<double>(), var = out.var().item<double>();
    const double mean_tol = 5 * std::sqrt(target / n);
    ck_assert_msg(std::abs(mean - mu) < mean_tol, "%s: mean %.5f, data mean %.5f (tol %.5f)",
                  sampler_name(kind), mean, mu, mean_tol);
    const bool deterministic = !eta.value_or(default_eta(kind)) || kind == SamplerKind::Euler;
    if (deterministic) {
        // A deterministic sampler maps x linearly here: the variance ratio out/in has no sampling
        // error, compare it with the exact one.
        const double ratio = var / x.var().item<double>();
        const double exact = target / (s * s + sigma_max * sigma_max);
        ck_assert_msg(std::abs(ratio / exact - 1) < bias, "%s: variance ratio %.6g vs %.6g",
                      sampler_name(kind), ratio, exact);
    } else {
        // Five standard errors of a sample variance, sqrt(2/n), plus the discretization bias.
        const double tol = 5 * std::sqrt(2.0 / n) + bias;
        ck_assert_msg(std::abs(var / target - 1) < tol,
                      "%s eta %.2f: variance %.5f, expected %.5f (data %.5f), tol %.3f",
                      sampler_name(kind), eta.value_or(default_eta(kind)), var, target, s * s, tol);
    }
    if (steps == 1000) {
        // sigma_1 = sigma_0 = 0.029: the data variance itself, within 3%.
        ck_assert_msg(std::abs(var / (s * s) - 1) < 0.03, "%s: variance %.5f vs data %.5f",
                      sampler_name(kind), var, s * s);
    }
}

}  // namespace

START_TEST(gaussian_ddim) {
    check_gaussian(SamplerKind::Ddim, std::nullopt, 1000, 65536, 0.011);
}
END_TEST

START_TEST(gaussian_ddim_eta1) {
    check_gaussian(SamplerKind::Ddim, 1.0, 1000, 262144, 0.03);
}
END_TEST

START_TEST(gaussian_euler) {
    check_gaussian(SamplerKind::Euler, std::nullopt, 1000, 65536, 0.011);
}
END_TEST

START_TEST(gaussian_dpmpp_2s_ancestral) {
    check_gaussian(SamplerKind::DpmPP2SAncestral, std::nullopt, 100, 262144, 0.014);
    check_gaussian(SamplerKind::DpmPP2SAncestral, 0.0, 50, 65536, 0.005);
}
END_TEST

START_TEST(ddim_eta0_is_euler) {
    // DDIM with eta = 0 in sigma form is x' = D + sigma'/sigma (x - D): an Euler step.
    const at::Tensor mu = at::randn({2, 4, 8, 8}, at::kDouble),
                     x = at::randn({2, 4, 8, 8}, at::kDouble) * 14.6;
    const std::vector<double> sigmas = Schedule().sigmas(25);
    GeneratorNoise n1(1), n2(1);
    const at::Tensor a = sample(SamplerKind::Ddim, gaussian_denoiser(mu, 0.5), sigmas, x, n1);
    const at::Tensor b = sample(SamplerKind::Euler, gaussian_denoiser(mu, 0.5), sigmas, x, n2);
    ck_assert(max_abs_diff(a, b) < 1e-12);
}
END_TEST

START_TEST(names) {
    ck_assert(parse_sampler("dpmpp_2s_ancestral") == SamplerKind::DpmPP2SAncestral);
    ck_assert(parse_sampler("dpmpp_2s_a") == SamplerKind::DpmPP2SAncestral);
    ck_assert(parse_sampler("ddim") == SamplerKind::Ddim);
    ck_assert(parse_sampler("euler") == SamplerKind::Euler);
    for (const std::string &name : sampler_names())
        ck_assert_str_eq(sampler_name(parse_sampler(name)), name.c_str());
    expect_error([] { parse_sampler("heun"); }, ARTV_ERR_INVALID_ARGUMENT,
                 {"unknown sampler 'heun'", "dpmpp_2s_ancestral", "dpmpp_2s_a", "ddim", "euler"});
    expect_error([] { parse_sampler(""); }, ARTV_ERR_INVALID_ARGUMENT, {"unknown sampler"});
    ck_assert(default_eta(SamplerKind::DpmPP2SAncestral) == 1.0);
    ck_assert(default_eta(SamplerKind::Ddim) == 0.0);
}
END_TEST

START_TEST(call_counts_and_progress) {
    const at::Tensor mu = at::zeros({1, 4, 4, 4}), x = at::randn({1, 4, 4, 4});
    for (const std::string &name : sampler_names()) {
        const SamplerKind kind = parse_sampler(name);
        for (double eta : {0.0, 1.0}) {
            for (int steps : {1, 2, 20}) {
                int calls = 0;
                const Denoiser inner = gaussian_denoiser(mu, 0.5);
                Denoiser counted = [&](const at::Tensor &xx, double sigma) {
                    ++calls;
                    return inner(xx, sigma);
                };
                std::vector<int> seen;
                SamplerOptions opt;
                opt.eta = eta;
                opt.on_step = [&](int step, int total) {
                    ck_assert_int_eq(total, steps);
                    seen.push_back(step);
                    return true;
                };
                GeneratorNoise noise(3);
                const at::Tensor before = x.clone();
                sample(kind, counted, Schedule().sigmas(steps), x, noise, opt);
                ck_assert_msg(calls == denoiser_calls(kind, steps), "%s eta %g, %d steps: %d calls",
                              name.c_str(), eta, steps, calls);
                ck_assert_int_eq(seen.size(), steps);
                for (int i = 0; i < steps; ++i) ck_assert_int_eq(seen[i], i + 1);
                ck_assert_msg(at::equal(x, before), "the sampler modified its start latent");
            }
        }
    }
    ck_assert_int_eq(denoiser_calls(SamplerKind::DpmPP2SAncestral, 20), 39);
    ck_assert_int_eq(denoiser_calls(SamplerKind::Ddim, 20), 20);
    expect_error([] { denoiser_calls(SamplerKind::Euler, 0); }, ARTV_ERR_INVALID_ARGUMENT,
                 {"steps"});
}
END_TEST

START_TEST(abort_between_steps) {
    const at::Tensor mu = at::zeros({1, 2, 2, 2});
    int calls = 0;
    const Denoiser inner = gaussian_denoiser(mu, 0.5);
    Denoiser counted = [&](const at::Tensor &x, double sigma) {
        ++calls;
        return inner(x, sigma);
    };
    SamplerOptions opt;
    opt.on_step = [](int step, int) { return step < 3; };
    GeneratorNoise noise(5);
    expect_error(
        [&] {
            sample(SamplerKind::Euler, counted, Schedule().sigmas(10), at::randn({1, 2, 2, 2}),
                   noise, opt);
        },
        ARTV_ERR_ABORTED, {"aborted", "3 of 10"});
    ck_assert_int_eq(calls, 3);
}
END_TEST

START_TEST(bad_arguments) {
    const at::Tensor mu = at::zeros({1, 2, 2, 2}), x = at::randn({1, 2, 2, 2});
    const Denoiser d = gaussian_denoiser(mu, 0.5);
    GeneratorNoise noise(5);
    const auto run = [&](std::vector<double> sigmas, SamplerOptions opt = {}) {
        sample(SamplerKind::DpmPP2SAncestral, d, sigmas, x, noise, opt);
    };
    expect_error([&] { run({}); }, ARTV_ERR_INVALID_ARGUMENT, {"at least 2 sigmas"});
    expect_error([&] { run({1.0}); }, ARTV_ERR_INVALID_ARGUMENT, {"at least 2 sigmas"});
    expect_error([&] { run({1.0, 2.0, 0.0}); }, ARTV_ERR_INVALID_ARGUMENT, {"strictly decreasing"});
    expect_error([&] { run({1.0, 1.0, 0.0}); }, ARTV_ERR_INVALID_ARGUMENT, {"strictly decreasing"});
    expect_error([&] { run({1.0, -0.5}); }, ARTV_ERR_INVALID_ARGUMENT, {"sigma 1"});
    expect_error([&] { run({NAN, 0.0}); }, ARTV_ERR_INVALID_ARGUMENT, {"sigma 0"});
    expect_error([&] { run({INFINITY, 0.0}); }, ARTV_ERR_INVALID_ARGUMENT, {"sigma 0"});
    SamplerOptions bad;
    bad.eta = 1.5;
    expect_error([&] { run({1.0, 0.0}, bad); }, ARTV_ERR_INVALID_ARGUMENT, {"eta", "[0, 1]"});
    bad.eta = NAN;
    expect_error([&] { run({1.0, 0.0}, bad); }, ARTV_ERR_INVALID_ARGUMENT, {"eta"});
    bad.eta.reset();
    bad.s_noise = -1;
    expect_error([&] { run({1.0, 0.0}, bad); }, ARTV_ERR_INVALID_ARGUMENT, {"s_noise"});
    expect_error(
        [&] {
            sample(SamplerKind::Euler, d, {1.0, 0.0}, at::Tensor(), noise);
        },
        ARTV_ERR_INVALID_ARGUMENT, {"start latent"});
    expect_error(
        [&] {
            sample(SamplerKind::Euler, Denoiser(), {1.0, 0.0}, x, noise);
        },
        ARTV_ERR_INVALID_ARGUMENT, {"denoiser"});
    const Denoiser wrong = [](const at::Tensor &xx, double) { return xx.sum(); };
    expect_error(
        [&] {
            sample(SamplerKind::Euler, wrong, {1.0, 0.0}, x, noise);
        },
        ARTV_ERR_INTERNAL, {"wrong shape"});
}
END_TEST

static Suite *samplers_suite(void) {
    Suite *s = suite_create("samplers");
    TCase *oracle = tcase_create("kdiffusion");
    tcase_add_test(oracle, kdiffusion_dpmpp_2s_ancestral_eta1);
    tcase_add_test(oracle, kdiffusion_dpmpp_2s_ancestral_eta0);
    tcase_add_test(oracle, kdiffusion_euler);
    tcase_add_test(oracle, initial_latent_sgm);
    suite_add_tcase(s, oracle);
    TCase *gauss = tcase_create("gaussian");
    tcase_add_test(gauss, gaussian_ddim);
    tcase_add_test(gauss, gaussian_ddim_eta1);
    tcase_add_test(gauss, gaussian_euler);
    tcase_add_test(gauss, gaussian_dpmpp_2s_ancestral);
    tcase_add_test(gauss, ddim_eta0_is_euler);
    suite_add_tcase(s, gauss);
    TCase *api = tcase_create("interface");
    tcase_add_test(api, names);
    tcase_add_test(api, call_counts_and_progress);
    tcase_add_test(api, abort_between_steps);
    tcase_add_test(api, bad_arguments);
    suite_add_tcase(s, api);
    return s;
}

ARTV_TEST_MAIN(samplers_suite)
