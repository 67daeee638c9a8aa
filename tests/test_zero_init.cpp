// The zero-init property of the ARTV additions (DESIGN.md "The model"): a U-Net with the
// additions whose SD-named weights equal a plain SD-layout U-Net's computes exactly the plain
// U-Net's output, whatever the references, anchor, noise level and text; and each addition is
// wired in (its output changes the result once its zero layer is not zero) and trainable
// (gradients reach the zero layers).
#include <torch/torch.h>

#include "io/tensor_io.h"
#include "model/artv_networks.h"
#include "model/unet.h"
#include "model_testutil.h"
// Check defines a macro named `fail`: include it after every C++ and LibTorch header.
#include "tempdir.h"
#include "testutil.h"

using namespace artv;
using artv::test::max_abs_diff;

namespace {

struct Pair {
    std::shared_ptr<UNetModel> base, artv;
};

// A plain U-Net with random weights everywhere, and an ARTV U-Net (fresh additions) that has the
// same values under the SD names.
Pair make_pair(const ModelConfig &c) {
    Pair p;
    p.base = std::make_shared<UNetModel>(c.unet, ArtvAdditions::none());
    artv::test::randomize(*p.base, 1);
    p.artv = std::make_shared<UNetModel>(c.unet, c.artv);
    torch::NoGradGuard no_grad;
    auto params = p.artv->named_parameters();
    for (const auto &kv : p.base->named_parameters()) params[kv.key()].copy_(kv.value());
    return p;
}

struct Inputs {
    torch::Tensor x, t, text, refs, anchor, k, motion;
};

Inputs random_inputs(const ModelConfig &c, uint64_t seed) {
    torch::manual_seed(seed);
    Inputs in;
    const int64_t C = c.latent.channels, h = 8, w = 16;
    in.x = torch::randn({3, C, h, w});
    in.t = torch::tensor({999.0, 500.5, 3.0});
    in.text = torch::randn({3, c.text.context_length, c.text.width});
    in.refs = torch::randn({3, 2 * C, h, w});
    in.anchor = torch::randn({3, C, h, w});
    in.k = torch::tensor({0.0, 200.0, 400.0});
    in.motion = torch::tensor({0.0f, 0.0f, 0.4f, -0.25f, -1.5f, 0.1f}).view({3, 2});
    return in;
}

torch::Tensor artv_forward(UNetModel &u, const Inputs &in) {
    auto features = u.adapter_features(in.refs);
    UNetExtras e;
    e.adapter_features = &features;
    e.anchor_tokens = u.anchor_tokens(in.anchor);
    e.extra_emb = u.extra_embedding(in.k, in.text, in.motion);
    return u.forward(in.x, in.t, in.text, e);
}

ModelConfig config_with_everything() {
    ModelConfig c = artv::test::test_tiny_config();
    c.artv.pooled_text_embed = true; // exercise recipe A too
    c.artv.motion_embed = true;
    return c;
}

} // namespace

START_TEST(test_fresh_additions_change_nothing) {
    torch::NoGradGuard no_grad;
    ModelConfig c = config_with_everything();
    Pair p = make_pair(c);
    for (uint64_t seed = 0; seed < 3; ++seed) {
        Inputs in = random_inputs(c, seed);
        auto ref = p.base->forward(in.x, in.t, in.text);
        auto out = artv_forward(*p.artv, in);
        ck_assert_msg(ref.abs().max().item<double>() > 1e-3, "degenerate reference output");
        ck_assert_msg(torch::equal(out, ref), "seed %d: ARTV U-Net differs from the base by %g",
                      (int)seed, max_abs_diff(out, ref));
    }
}
END_TEST

// Each addition, once its zero output layer is changed, changes the output: it is connected.
START_TEST(test_each_addition_is_wired) {
    torch::NoGradGuard no_grad;
    ModelConfig c = config_with_everything();
    Inputs in = random_inputs(c, 7);
    for (const std::string prefix :
         {"adapter.out.", "anchor.out.", "noise_level_embed.2.", "text_pool_embed.", "motion_embed.2."}) {
        Pair p = make_pair(c);
        auto ref = p.base->forward(in.x, in.t, in.text);
        int changed = 0;
        for (auto &kv : p.artv->named_parameters())
            if (kv.key().rfind(prefix, 0) == 0) {
                kv.value().normal_(0.0, 0.5);
                ++changed;
            }
        ck_assert_msg(changed > 0, "no parameters under %s", prefix.c_str());
        auto out = artv_forward(*p.artv, in);
        ck_assert_msg(max_abs_diff(out, ref) > 1e-6, "%s does not reach the output", prefix.c_str());
    }
}
END_TEST

// Trainable from the zero start: the loss's gradient reaches every addition's zero layer.
START_TEST(test_gradients_reach_zero_layers) {
    ModelConfig c = config_with_everything();
    Pair p = make_pair(c);
    Inputs in = random_inputs(c, 3);
    auto out = artv_forward(*p.artv, in);
    out.pow(2).mean().backward();
    const auto params = p.artv->named_parameters(); // find() points into it: keep it alive
    for (const std::string name : {"adapter.out.0.weight", "anchor.out.weight", "noise_level_embed.2.weight",
                                   "text_pool_embed.weight", "motion_embed.2.weight"}) {
        auto *g = params.find(name);
        ck_assert_msg(g != nullptr, "no parameter %s", name.c_str());
        ck_assert_msg(g->grad().defined() && g->grad().abs().sum().item<double>() > 0,
                      "no gradient at %s", name.c_str());
    }
}
END_TEST

// The same through the bundle: ArtvNetworks::prepare + eps on fresh additions equals the plain
// U-Net, for conditions that include dropped ones (zeros) and real ones.
START_TEST(test_bundle_eps_equals_base) {
    torch::NoGradGuard no_grad;
    ModelConfig c = config_with_everything();
    auto nets = ArtvNetworks::create_random(c, 5);
    UNetModel base(c.unet, ArtvAdditions::none());
    {
        auto params = nets->unet().named_parameters();
        for (auto &kv : base.named_parameters()) kv.value().copy_(params[kv.key()]);
    }
    Inputs in = random_inputs(c, 11);
    in.refs[0].zero_();
    in.anchor[1].zero_();
    FrameConditions fc{in.refs, in.anchor, in.text, in.k, in.motion};
    auto prepared = nets->prepare(fc);
    FrameConditions no_motion = fc;
    no_motion.motion = torch::Tensor();
    artv::test::expect_error([&] { nets->prepare(no_motion); }, ARTV_ERR_INVALID_ARGUMENT, {"motion is missing"});
    ck_assert_int_eq(prepared.batch, 3);
    ck_assert_uint_eq(prepared.eps.adapter_features.size(), c.unet.channel_mult.size());
    ck_assert_uint_eq(prepared.mask.adapter_features.size(), c.mask.channel_mult.size());
    auto eps = nets->eps(in.x, in.t, prepared);
    ck_assert(torch::equal(eps, base.forward(in.x, in.t, in.text)));
    auto m = nets->mask(in.x, in.t, prepared);
    ck_assert(m.size(1) == 1 && m.size(0) == 3);
    ck_assert(m.min().item<double>() >= 0.0 && m.max().item<double>() <= 1.0);
    // select(): rows of the prepared conditions give the rows of the output.
    auto idx = torch::tensor({2, 0}, torch::kLong);
    auto sub = nets->eps(in.x.index_select(0, idx), in.t.index_select(0, idx), prepared.select(idx));
    ck_assert(max_abs_diff(sub, eps.index_select(0, idx)) < 1e-6);
}
END_TEST

static Suite *zero_init_suite(void) {
    Suite *s = suite_create("zero_init");
    TCase *tc = tcase_create("core");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, test_fresh_additions_change_nothing);
    tcase_add_test(tc, test_each_addition_is_wired);
    tcase_add_test(tc, test_gradients_reach_zero_layers);
    tcase_add_test(tc, test_bundle_eps_equals_base);
    suite_add_tcase(s, tc);
    return s;
}

ARTV_TEST_MAIN(zero_init_suite)
