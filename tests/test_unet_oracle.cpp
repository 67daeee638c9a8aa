// U-Net parity with the reference implementation (SD openaimodel.py UNetModel): the oracle file
// holds a small random-weight SD2-layout U-Net under SD names, its constructor arguments in the
// metadata, inputs io.x / io.t / io.context and the reference output io.eps.
// Tolerance 1e-4 (absolute): fp32 on both sides, differences come only from summation order.
#include <torch/torch.h>

#include "io/config.h"
#include "io/safetensors.h"
#include "io/tensor_io.h"
#include "model/unet.h"
#include "nn/attention.h"
// Check defines a macro named `fail`: include it after every C++ and LibTorch header.
#include "tempdir.h"
#include "testutil.h"

using namespace artv;

namespace {

std::string oracle_path() { return std::string(ARTV_TEST_SHARED()) + "/oracles/unet_small.safetensors"; }

struct Oracle {
    std::shared_ptr<UNetModel> unet;
    torch::Tensor x, t, context, eps;
};

Oracle load_oracle() {
    auto file = SafeTensorsFile::open(oracle_path());
    auto it = file.metadata().find("config");
    ck_assert_msg(it != file.metadata().end(), "oracle has no config metadata");
    UNetConfig cfg = unet_config_from_python_dict(it->second);
    Oracle o;
    o.unet = std::make_shared<UNetModel>(cfg, ArtvAdditions::none());
    LoadOptions opts;
    opts.ignored_prefixes = {"io."};
    load_parameters(*o.unet, file, "", opts); // throws on any missing/unexpected/misshaped tensor
    o.x = to_tensor(file.at("io.x"));
    o.t = to_tensor(file.at("io.t"));
    o.context = to_tensor(file.at("io.context"));
    o.eps = to_tensor(file.at("io.eps"));
    return o;
}

double max_abs_diff(const torch::Tensor &a, const torch::Tensor &b) {
    return (a.to(torch::kFloat) - b.to(torch::kFloat)).abs().max().item<double>();
}

} // namespace

START_TEST(test_config_from_metadata) {
    auto file = SafeTensorsFile::open(oracle_path());
    UNetConfig cfg = unet_config_from_python_dict(file.metadata().at("config"));
    ck_assert_int_eq(cfg.model_channels, 32);
    ck_assert_int_eq(cfg.levels(), 2);
    ck_assert_int_eq(cfg.context_dim, 64);
    ck_assert_int_eq(cfg.num_head_channels, 16);
    // Every weight of the file is a parameter of the module and vice versa, same shapes.
    UNetModel unet(cfg, ArtvAdditions::none());
    size_t weights = 0;
    for (const auto &v : file.tensors()) weights += v.name.rfind("io.", 0) != 0;
    ck_assert_uint_eq(unet.named_parameters().size(), weights);
}
END_TEST

START_TEST(test_eps_matches_reference) {
    torch::NoGradGuard no_grad;
    Oracle o = load_oracle();
    auto eps = o.unet->forward(o.x, o.t, o.context);
    ck_assert(eps.sizes() == o.eps.sizes());
    double err = max_abs_diff(eps, o.eps);
    printf("unet oracle: max |eps - reference| = %.3g (max |reference| %.3g)\n", err,
           o.eps.abs().max().item<double>());
    ck_assert_msg(err <= 1e-4, "max abs error %g > 1e-4", err);
}
END_TEST

// The non-fused attention path computes queries in chunks; the chunk size must not change the
// result (beyond summation order). Where the fused kernel exists (LibTorch 2.x) it is the
// default, and both paths must give the reference's result.
START_TEST(test_attention_chunks) {
    torch::NoGradGuard no_grad;
    Oracle o = load_oracle();
    set_fused_attention(*o.unet, false);
    set_attention_query_chunk(*o.unet, 5);
    auto eps = o.unet->forward(o.x, o.t, o.context);
    double err = max_abs_diff(eps, o.eps);
    ck_assert_msg(err <= 1e-4, "chunked attention: max abs error %g > 1e-4", err);

    auto q = torch::randn({2, 3, 37, 8}), k = torch::randn({2, 3, 37, 8}), v = torch::randn({2, 3, 37, 8});
    AttentionSettings whole, chunks, fused;
    whole.fused = chunks.fused = false;
    whole.query_chunk = 1000;
    chunks.query_chunk = 4;
    auto full = attention(q, k, v, true, whole);
    auto chunked = attention(q, k, v, true, chunks);
    auto with_default = attention(q, k, v, true, fused);
    // Reference: explicit causal softmax attention.
    auto s = torch::matmul(q, k.transpose(-1, -2)) / std::sqrt(8.0);
    s = s.masked_fill(torch::ones({37, 37}, torch::kBool).triu(1), -INFINITY);
    auto ref = torch::matmul(torch::softmax(s, -1), v);
    ck_assert(max_abs_diff(full, ref) < 1e-5);
    ck_assert(max_abs_diff(chunked, ref) < 1e-5);
    ck_assert(max_abs_diff(with_default, ref) < 1e-5);
    printf("attention: fused kernel %s in this LibTorch\n", fused_attention_available() ? "used" : "not available");
}
END_TEST

// The same network in bf16 (norms still in fp32) stays close to the fp32 reference: a check that
// dtype is a parameter throughout, not a parity claim (bf16 keeps ~3 significant digits).
START_TEST(test_bf16_runs) {
    torch::NoGradGuard no_grad;
    Oracle o = load_oracle();
    o.unet->to(torch::kBFloat16);
    auto eps = o.unet->forward(o.x, o.t, o.context);
    ck_assert(eps.scalar_type() == torch::kBFloat16);
    double rel = max_abs_diff(eps, o.eps) / o.eps.abs().max().item<double>();
    printf("unet oracle bf16: max error / max |reference| = %.3g\n", rel);
    ck_assert_msg(rel < 0.05, "bf16 relative error %g", rel);
}
END_TEST

static Suite *unet_oracle_suite(void) {
    Suite *s = suite_create("unet_oracle");
    TCase *tc = tcase_create("core");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, test_config_from_metadata);
    tcase_add_test(tc, test_eps_matches_reference);
    tcase_add_test(tc, test_attention_chunks);
    tcase_add_test(tc, test_bf16_runs);
    suite_add_tcase(s, tc);
    return s;
}

ARTV_TEST_MAIN(unet_oracle_suite)
