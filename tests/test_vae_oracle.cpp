// AutoencoderKL parity with the reference implementation (SD model.py Encoder/Decoder,
// autoencoder.py AutoencoderKL): the oracle holds a small random-weight VAE under SD names, its
// constructor arguments in the metadata, io.image, io.latent_mean and io.decoded.
// The oracle's metadata has no scale factor: io.latent_mean is the posterior mean as the
// encoder gives it (unscaled) and io.decoded = decode(io.latent_mean); the test checks that
// reading by asserting that the scaled interpretation does NOT match.
// Tolerance 1e-4 (absolute): fp32 on both sides.
#include <torch/torch.h>

#include "io/config.h"
#include "io/safetensors.h"
#include "io/tensor_io.h"
#include "model/vae.h"
// Check defines a macro named `fail`: include it after every C++ and LibTorch header.
#include "tempdir.h"
#include "testutil.h"

using namespace artv;

namespace {

struct Oracle {
    std::shared_ptr<AutoencoderKL> vae;
    torch::Tensor image, latent_mean, decoded;
};

Oracle load_oracle() {
    auto file = SafeTensorsFile::open(std::string(ARTV_TEST_SHARED()) + "/oracles/vae_small.safetensors");
    VaeConfig cfg = vae_config_from_python_dict(file.metadata().at("config"));
    Oracle o;
    o.vae = std::make_shared<AutoencoderKL>(cfg);
    LoadOptions opts;
    opts.ignored_prefixes = {"io."};
    load_parameters(*o.vae, file, "", opts);
    o.image = to_tensor(file.at("io.image"));
    o.latent_mean = to_tensor(file.at("io.latent_mean"));
    o.decoded = to_tensor(file.at("io.decoded"));
    return o;
}

double max_abs_diff(const torch::Tensor &a, const torch::Tensor &b) {
    return (a.to(torch::kFloat) - b.to(torch::kFloat)).abs().max().item<double>();
}

} // namespace

START_TEST(test_config_from_metadata) {
    auto file = SafeTensorsFile::open(std::string(ARTV_TEST_SHARED()) + "/oracles/vae_small.safetensors");
    VaeConfig cfg = vae_config_from_python_dict(file.metadata().at("config"));
    ck_assert_int_eq(cfg.ch, 32);
    ck_assert_int_eq((int)cfg.ch_mult.size(), 2);
    ck_assert_int_eq(cfg.z_channels, 4);
    ck_assert_int_eq(cfg.num_res_blocks, 1);
    AutoencoderKL vae(cfg);
    size_t weights = 0;
    for (const auto &v : file.tensors()) weights += v.name.rfind("io.", 0) != 0;
    ck_assert_uint_eq(vae.named_parameters().size(), weights);
}
END_TEST

START_TEST(test_encode_matches_reference) {
    torch::NoGradGuard no_grad;
    Oracle o = load_oracle();
    auto mean = o.vae->encode(o.image);
    ck_assert(mean.sizes() == o.latent_mean.sizes());
    double err = max_abs_diff(mean, o.latent_mean);
    double err_scaled = max_abs_diff(mean * 0.18215, o.latent_mean);
    printf("vae oracle: encode max error %.3g (as if scaled by 0.18215: %.3g)\n", err, err_scaled);
    ck_assert_msg(err <= 1e-4, "encode: max abs error %g > 1e-4", err);
    ck_assert_msg(err_scaled > 1e-3, "the oracle's latent_mean also matches the scaled mean?");
}
END_TEST

START_TEST(test_decode_matches_reference) {
    torch::NoGradGuard no_grad;
    Oracle o = load_oracle();
    auto decoded = o.vae->decode(o.latent_mean);
    ck_assert(decoded.sizes() == o.decoded.sizes());
    double err = max_abs_diff(decoded, o.decoded);
    printf("vae oracle: decode max error %.3g\n", err);
    ck_assert_msg(err <= 1e-4, "decode: max abs error %g > 1e-4", err);
}
END_TEST

// Sampling the posterior: mean + std * noise, reproducible from the generator's seed and
// different from the mean.
START_TEST(test_sample_with_generator) {
    torch::NoGradGuard no_grad;
    Oracle o = load_oracle();
    auto g1 = at::make_generator<at::CPUGeneratorImpl>(7), g2 = at::make_generator<at::CPUGeneratorImpl>(7);
    auto a = o.vae->encode(o.image, true, g1), b = o.vae->encode(o.image, true, g2);
    ck_assert(torch::equal(a, b));
    auto [mean, logvar] = o.vae->encode_moments(o.image);
    ck_assert(max_abs_diff(a, mean) > 0);
    // The noise is standard normal: (a - mean) / std over 1024 values has mean ~0, std ~1.
    auto n = (a - mean) / torch::exp(0.5 * logvar);
    ck_assert(std::abs(n.mean().item<double>()) < 0.15);
    ck_assert(std::abs(n.std().item<double>() - 1.0) < 0.15);
}
END_TEST

static Suite *vae_oracle_suite(void) {
    Suite *s = suite_create("vae_oracle");
    TCase *tc = tcase_create("core");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, test_config_from_metadata);
    tcase_add_test(tc, test_encode_matches_reference);
    tcase_add_test(tc, test_decode_matches_reference);
    tcase_add_test(tc, test_sample_with_generator);
    suite_add_tcase(s, tc);
    return s;
}

ARTV_TEST_MAIN(vae_oracle_suite)
