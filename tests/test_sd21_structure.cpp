// The sd21 config builds networks with exactly SD2.1's structure: the U-Net 865,910,724
// parameters in 686 tensors under SD2 names, the VAE 83,653,863 (encoder 34,163,592, decoder
// 49,490,179), the OpenCLIP-H text tower 354,032,641 (340,387,840 of them on the penultimate
// path) — the figures of reference/sd-architecture.md. Each network is built once, counted and
// freed before the next, so memory stays under the U-Net's 3.5 GB.
#include <chrono>

#include <torch/torch.h>

#include "io/config.h"
#include "model/text_encoder.h"
#include "model/unet.h"
#include "model/vae.h"
#include "model_testutil.h"
// Check defines a macro named `fail`: include it after every C++ and LibTorch header.
#include "tempdir.h"
#include "testutil.h"

using namespace artv;

namespace {

ModelConfig sd21() { return load_model_config(artv::test::srcdir() + "/models/sd21/config.json"); }

int64_t count(const torch::nn::Module &m, const std::string &prefix = "") {
    int64_t n = 0;
    for (const auto &kv : m.named_parameters())
        if (kv.key().rfind(prefix, 0) == 0) n += kv.value().numel();
    return n;
}

void expect_shape(const torch::nn::Module &m, const std::string &name, std::vector<int64_t> shape) {
    const auto params = m.named_parameters(); // find() points into it: keep it alive
    const auto *p = params.find(name);
    ck_assert_msg(p != nullptr, "no parameter %s", name.c_str());
    ck_assert_msg(p->sizes() == torch::IntArrayRef(shape), "%s has shape %s", name.c_str(),
                  c10::str(p->sizes()).c_str());
}

void expect_absent(const torch::nn::Module &m, const std::string &prefix) {
    for (const auto &kv : m.named_parameters())
        ck_assert_msg(kv.key().rfind(prefix, 0) != 0, "unexpected parameter %s", kv.key().c_str());
}

double seconds_since(std::chrono::steady_clock::time_point t0) {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

} // namespace

START_TEST(test_unet) {
    torch::NoGradGuard no_grad;
    auto t0 = std::chrono::steady_clock::now();
    const ModelConfig c = sd21();
    {
        UNetModel unet(c.unet, ArtvAdditions::none());
        ck_assert_int_eq(count(unet), 865910724);
        ck_assert_uint_eq(unet.named_parameters().size(), 686);
        expect_shape(unet, "time_embed.0.weight", {1280, 320});
        expect_shape(unet, "input_blocks.0.0.weight", {320, 4, 3, 3});
        expect_shape(unet, "input_blocks.1.1.transformer_blocks.0.attn1.to_q.weight", {320, 320});
        expect_shape(unet, "input_blocks.1.1.transformer_blocks.0.attn2.to_k.weight", {320, 1024});
        expect_shape(unet, "input_blocks.1.1.transformer_blocks.0.ff.net.0.proj.weight", {2560, 320});
        expect_shape(unet, "input_blocks.3.0.op.weight", {320, 320, 3, 3});
        expect_shape(unet, "input_blocks.4.0.skip_connection.weight", {640, 320, 1, 1});
        expect_shape(unet, "input_blocks.11.0.out_layers.3.weight", {1280, 1280, 3, 3});
        expect_absent(unet, "input_blocks.10.1."); // no attention at the coarsest level
        expect_shape(unet, "middle_block.1.proj_in.weight", {1280, 1280});
        expect_shape(unet, "output_blocks.0.0.in_layers.0.weight", {2560});
        expect_shape(unet, "output_blocks.2.1.conv.weight", {1280, 1280, 3, 3});
        expect_shape(unet, "output_blocks.5.2.conv.weight", {1280, 1280, 3, 3});
        expect_shape(unet, "output_blocks.8.2.conv.weight", {640, 640, 3, 3});
        expect_shape(unet, "output_blocks.9.0.in_layers.0.weight", {960});
        expect_shape(unet, "out.2.bias", {4});
    }
    printf("sd21 U-Net built, counted and freed in %.1f s\n", seconds_since(t0));
}
END_TEST

// The ARTV U-Net = the SD2 U-Net + parameters under the additions' prefixes only.
START_TEST(test_unet_additions_and_mask) {
    torch::NoGradGuard no_grad;
    const ModelConfig c = sd21();
    {
        UNetModel unet(c.unet, c.artv);
        int64_t additions = 0;
        for (const auto &p : UNetModel::addition_prefixes()) additions += count(unet, p);
        ck_assert_int_eq(count(unet) - additions, 865910724);
        expect_shape(unet, "adapter.conv_in.weight", {320, 8, 3, 3});
        expect_shape(unet, "adapter.out.3.weight", {1280, 1280, 1, 1});
        expect_shape(unet, "anchor.proj.weight", {1024, 16});
        expect_shape(unet, "noise_level_embed.2.weight", {1280, 1280});
        printf("sd21 additions: %lld parameters\n", (long long)additions);
    }
    UNetModel mask(c.mask, c.artv);
    expect_shape(mask, "out.2.weight", {1, 64, 3, 3});
    printf("sd21 mask network: %lld parameters\n", (long long)count(mask));
}
END_TEST

START_TEST(test_vae) {
    torch::NoGradGuard no_grad;
    AutoencoderKL vae(sd21().vae);
    ck_assert_int_eq(count(vae), 83653863);
    ck_assert_int_eq(count(vae, "encoder."), 34163592);
    ck_assert_int_eq(count(vae, "decoder."), 49490179);
    ck_assert_int_eq(count(vae, "quant_conv."), 72);
    ck_assert_int_eq(count(vae, "post_quant_conv."), 20);
    expect_shape(vae, "encoder.down.3.block.1.conv2.weight", {512, 512, 3, 3});
    expect_shape(vae, "encoder.down.2.downsample.conv.weight", {512, 512, 3, 3});
    expect_absent(vae, "encoder.down.3.downsample.");
    expect_shape(vae, "decoder.up.0.block.2.conv1.weight", {128, 128, 3, 3});
    expect_shape(vae, "decoder.up.1.block.0.nin_shortcut.weight", {256, 512, 1, 1});
    expect_shape(vae, "decoder.up.0.block.0.nin_shortcut.weight", {128, 256, 1, 1});
    expect_shape(vae, "decoder.up.3.upsample.conv.weight", {512, 512, 3, 3});
    expect_absent(vae, "decoder.up.0.upsample.");
    expect_shape(vae, "encoder.mid.attn_1.q.weight", {512, 512, 1, 1});
}
END_TEST

START_TEST(test_text_tower) {
    torch::NoGradGuard no_grad;
    TextEncoder text(sd21().text);
    ck_assert_int_eq(count(text), 354032641);
    ck_assert_int_eq(count(text, "token_embedding."), 50593792);
    ck_assert_int_eq(count(text, "transformer.resblocks.0."), 12596224);
    ck_assert_int_eq(count(text) - count(text, "transformer.resblocks.23.") - count(text, "text_projection") -
                         count(text, "logit_scale"),
                     340387840);
    expect_shape(text, "positional_embedding", {77, 1024});
    expect_shape(text, "transformer.resblocks.23.attn.in_proj_weight", {3072, 1024});
    expect_shape(text, "transformer.resblocks.23.attn.out_proj.weight", {1024, 1024});
    expect_shape(text, "transformer.resblocks.0.mlp.c_fc.weight", {4096, 1024});
    expect_shape(text, "ln_final.weight", {1024});
    expect_shape(text, "text_projection", {1024, 1024});
    expect_shape(text, "logit_scale", {});
    ck_assert_int_eq(text.config().blocks_used(), 23);
}
END_TEST

static Suite *sd21_structure_suite(void) {
    Suite *s = suite_create("sd21_structure");
    TCase *tc = tcase_create("core");
    tcase_set_timeout(tc, 300);
    tcase_add_test(tc, test_unet);
    tcase_add_test(tc, test_unet_additions_and_mask);
    tcase_add_test(tc, test_vae);
    tcase_add_test(tc, test_text_tower);
    suite_add_tcase(s, tc);
    return s;
}

ARTV_TEST_MAIN(sd21_structure_suite)
