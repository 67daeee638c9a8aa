// init_from_sd21 (core/model/sd21_init.h) on a small checkpoint written here in the SD2.1
// original key layout (model.diffusion_model.*, first_stage_model.*, cond_stage_model.model.*,
// schedule buffers, an EMA key, image-tower keys): the SD tensors are copied by name, the rest is
// reported as ignored, and the written model computes the SD networks' outputs exactly.
#include <torch/torch.h>

#include "io/safetensors.h"
#include "io/tensor_io.h"
#include "model/artv_networks.h"
#include "model/sd21_init.h"
#include "model/text_encoder.h"
#include "model/unet.h"
#include "model/vae.h"
#include "model_testutil.h"
// Check defines a macro named `fail`: include it after every C++ and LibTorch header.
#include "tempdir.h"
#include "testutil.h"

using namespace artv;
using artv::test::expect_error;
using artv::test::TempDir;

namespace {

struct SdNets {
    std::shared_ptr<UNetModel> unet;
    std::shared_ptr<AutoencoderKL> vae;
    std::shared_ptr<TextEncoder> text;
};

SdNets make_sd(const ModelConfig &c) {
    SdNets n;
    n.unet = std::make_shared<UNetModel>(c.unet, ArtvAdditions::none());
    n.vae = std::make_shared<AutoencoderKL>(c.vae);
    n.text = std::make_shared<TextEncoder>(c.text);
    artv::test::randomize(*n.unet, 1);
    artv::test::randomize(*n.vae, 2, 0.05);
    artv::test::randomize(*n.text, 3);
    return n;
}

using Tensors = std::vector<std::pair<std::string, torch::Tensor>>;

Tensors checkpoint_tensors(const SdNets &n) {
    Tensors t;
    for (auto &kv : named_tensors(*n.unet, "model.diffusion_model.")) t.push_back(kv);
    for (auto &kv : named_tensors(*n.vae, "first_stage_model.")) t.push_back(kv);
    for (auto &kv : named_tensors(*n.text, "cond_stage_model.model.")) t.push_back(kv);
    t.emplace_back("betas", torch::rand({1000}));
    t.emplace_back("alphas_cumprod", torch::rand({1000}));
    t.emplace_back("model_ema.decay", torch::tensor(0.9999f));
    t.emplace_back("cond_stage_model.model.visual.conv1.weight", torch::zeros({8, 3, 2, 2}));
    t.emplace_back("first_stage_model.loss.logvar", torch::zeros({}));
    return t;
}

} // namespace

START_TEST(test_init_copies_and_reports) {
    TempDir dir;
    const ModelConfig c = artv::test::test_tiny_config();
    SdNets sd = make_sd(c);
    save_safetensors(dir.file("sd21.safetensors"), checkpoint_tensors(sd));

    InitOptions opts;
    opts.seed = 4;
    opts.tokenizer = artv::test::tiny_tokenizer_path();
    InitReport r = init_from_sd21(dir.file("sd21.safetensors"), dir.file("out"), c, opts);
    printf("%s", r.summary().c_str());
    ck_assert_int_eq(r.unet_tensors, (int64_t)named_tensors(*sd.unet).size());
    ck_assert_int_eq(r.vae_tensors, (int64_t)named_tensors(*sd.vae).size());
    ck_assert_int_eq(r.text_tensors, (int64_t)named_tensors(*sd.text).size());
    ck_assert_uint_eq(r.ignored.size(), 5);
    for (const char *k : {"betas", "alphas_cumprod", "model_ema.decay", "cond_stage_model.model.visual.conv1.weight",
                          "first_stage_model.loss.logvar"})
        ck_assert_msg(std::find(r.ignored.begin(), r.ignored.end(), k) != r.ignored.end(), "%s not reported", k);
    ck_assert_int_gt(r.initialised_tensors, 0);
    ck_assert(r.notes.empty());

    auto nets = ArtvNetworks::load(dir.file("out"), torch::kCPU);
    ck_assert_int_eq(r.parameters, nets->parameter_count());
    // The SD tensors arrived unchanged.
    auto unet_params = nets->unet().named_parameters();
    for (const auto &kv : sd.unet->named_parameters())
        ck_assert_msg(torch::equal(unet_params[kv.key()], kv.value()), "unet %s differs", kv.key().c_str());
    auto vae_params = nets->vae().named_parameters();
    for (const auto &kv : sd.vae->named_parameters()) ck_assert(torch::equal(vae_params[kv.key()], kv.value()));
    auto text_params = nets->text_encoder().named_parameters();
    for (const auto &kv : sd.text->named_parameters()) ck_assert(torch::equal(text_params[kv.key()], kv.value()));

    // And the ARTV networks compute SD's outputs: eps for any conditions, text, decode.
    torch::NoGradGuard no_grad;
    torch::manual_seed(0);
    const int64_t C = c.latent.channels;
    auto text = nets->encode_text({"a red ball", ""});
    ck_assert(torch::equal(text, sd.text->forward(nets->tokenize({"a red ball", ""}))));
    FrameConditions fc{torch::randn({2, 2 * C, 8, 8}), torch::randn({2, C, 8, 8}), text, torch::tensor({200.0, 0.0}), {}};
    auto x = torch::randn({2, C, 8, 8});
    auto t = torch::tensor({10.0, 900.0});
    ck_assert(torch::equal(nets->eps(x, t, nets->prepare(fc)), sd.unet->forward(x, t, text)));
    auto z = torch::randn({1, C, 4, 4});
    auto expect = ((sd.vae->decode(z / c.latent.scale_factor) + 1.0) * 0.5).clamp(0.0, 1.0);
    ck_assert(torch::equal(nets->decode_latents(z), expect));
}
END_TEST

// A checkpoint that does not fit: every problem of every network in one error.
START_TEST(test_init_mismatch) {
    TempDir dir;
    const ModelConfig c = artv::test::test_tiny_config();
    Tensors t = checkpoint_tensors(make_sd(c));
    Tensors broken;
    for (auto &kv : t) {
        if (kv.first == "first_stage_model.decoder.conv_out.bias") continue;
        if (kv.first == "model.diffusion_model.out.2.weight") kv.second = torch::zeros({4, 64, 3, 3});
        broken.push_back(kv);
    }
    save_safetensors(dir.file("sd21.safetensors"), broken);
    expect_error([&] { init_from_sd21(dir.file("sd21.safetensors"), dir.file("out"), c); }, ARTV_ERR_MODEL,
                 {"sd21.safetensors", "model.diffusion_model.out.2.weight", "first_stage_model.decoder.conv_out.bias"});
    expect_error([&] { init_from_sd21(dir.file("none.safetensors"), dir.file("out"), c); }, ARTV_ERR_IO,
                 {"none.safetensors"});
}
END_TEST

static Suite *sd21_init_suite(void) {
    Suite *s = suite_create("sd21_init");
    TCase *tc = tcase_create("core");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, test_init_copies_and_reports);
    tcase_add_test(tc, test_init_mismatch);
    suite_add_tcase(s, tc);
    return s;
}

ARTV_TEST_MAIN(sd21_init_suite)
