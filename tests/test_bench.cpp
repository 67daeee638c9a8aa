// `artv bench`'s measurements (core/bench): the FLOP counter against hand-counted convolutions,
// linear layers and batched products; the reference kernels; the engine's optimisations compute
// what the plain path computes (oneDNN convolutions, cross-attention keys and values once per
// frame) and its switches (batched guidance, per-frame conditions, InferenceMode, oneDNN
// convolutions) give the same frames as the default, so the benchmark compares equal work;
// and a frame benchmark on the tiny random model.
#include <torch/torch.h>

#include <cmath>
#include <map>
#include <string>

#include "bench/bench_run.h"
#include "bench/flop_counter.h"
#include "bench/frame_bench.h"
#include "bench/op_profile.h"
#include "bench/process_memory.h"
#include "bench/reference_throughput.h"
#include "generate/model_loader.h"
#include "generate/session.h"
#include "model/artv_networks.h"
#include "model/unet.h"
#include "nn/conv2d.h"
#include "nn/linear.h"
#include "util/error.h"

#include <check.h>

#include "testutil.h"

namespace {

std::string tiny_model_dir() { return std::string(ARTV_TEST_BUILDDIR()) + "/tests/test-tiny"; }

std::shared_ptr<const artv::ArtvNetworks> tiny() {
    static auto nets = artv::open_model(tiny_model_dir(), {"cpu", "fp32", 1});
    return nets;
}

}  // namespace

START_TEST(test_flops_convolution) {
    c10::InferenceMode im;
    const auto x = torch::randn({2, 3, 10, 12});
    const auto w = torch::randn({5, 3, 3, 3});
    const std::vector<int64_t> one{1, 1}, two{2, 2}, zero{0, 0};
    artv::FlopCount count;
    at::conv2d(x, w, at::Tensor(), one, one);                        // 2*5*10*12 outputs x 27 MACs
    at::conv2d(x, w, at::Tensor(), two, zero);                        // 2*5*4*5 outputs (stride 2, no padding)
    at::conv2d(x, torch::randn({6, 1, 3, 3}), at::Tensor(), one, one, one, 3);  // groups 3: 2*6*10*12 x 9
    const double expect = 2.0 * (2 * 5 * 10 * 12 * 27 + 2 * 5 * 4 * 5 * 27 + 2 * 6 * 10 * 12 * 9);
    ck_assert_double_eq_tol(count.conv_flops(), expect, 0.5);
    ck_assert_double_eq_tol(count.matmul_flops(), 0, 0.5);
}
END_TEST

START_TEST(test_flops_matmul) {
    c10::InferenceMode im;
    torch::nn::Linear lin(torch::nn::LinearOptions(8, 16));
    const auto x2 = torch::randn({4, 8}), x3 = torch::randn({2, 5, 8});
    const auto a = torch::randn({3, 4, 6}), b = torch::randn({3, 6, 7});
    artv::FlopCount count;
    lin(x2);             // 4 rows x 8 x 16
    lin(x3);             // 10 rows x 8 x 16
    torch::bmm(a, b);    // 3 x 4 x 6 x 7
    torch::mm(x2, torch::randn({8, 2}));  // 4 x 8 x 2
    const double expect = 2.0 * (4 * 8 * 16 + 10 * 8 * 16 + 3 * 4 * 6 * 7 + 4 * 8 * 2);
    ck_assert_double_eq_tol(count.matmul_flops(), expect, 0.5);
    ck_assert_double_eq_tol(count.flops(), expect, 0.5);
}
END_TEST

START_TEST(test_flops_stop_counting) {
    c10::InferenceMode im;
    const auto a = torch::randn({4, 4});
    { artv::FlopCount count; }
    artv::FlopCount count;
    ck_assert_double_eq_tol(count.flops(), 0, 0.5);  // a fresh count starts at 0
    torch::mm(a, a);
    ck_assert_double_eq_tol(count.flops(), 128, 0.5);
    try {
        artv::FlopCount second;
        ck_abort_msg("two FlopCounts at once");
    } catch (const artv::Error &e) {
        ck_assert_int_eq(e.status(), ARTV_ERR_STATE);
    }
}
END_TEST

// The op profile counts the ops called, not the ops they call, and only one runs at a time.
START_TEST(test_op_profile) {
    c10::InferenceMode im;
    const auto a = torch::randn({8, 8});
    const auto x = torch::randn({1, 3, 8, 8}), w = torch::randn({4, 3, 3, 3});
    artv::OpProfile profile;
    for (int i = 0; i < 3; ++i) torch::mm(a, a);
    for (int i = 0; i < 2; ++i) at::conv2d(x, w);
    std::map<std::string, int64_t> calls;
    for (const auto &op : profile.ops()) {
        calls[op.name] = op.calls;
        ck_assert(op.seconds >= 0);
    }
    ck_assert_int_eq(calls["aten::mm"], 3);
    ck_assert_int_eq(calls["aten::conv2d"], 2);
    ck_assert(!calls.count("aten::convolution"));  // inside conv2d
    try {
        artv::OpProfile second;
        ck_abort_msg("two OpProfiles at once");
    } catch (const artv::Error &e) {
        ck_assert_int_eq(e.status(), ARTV_ERR_STATE);
    }
}
END_TEST

START_TEST(test_reference_and_memory) {
    const auto r = artv::measure_reference_throughput(torch::kFloat32, torch::kCPU, 1);
    ck_assert(r.conv_gflops > 0 && std::isfinite(r.conv_gflops));
    ck_assert(r.matmul_gflops > 0 && std::isfinite(r.matmul_gflops));
    // The current size first: the process may grow between the two reads, never the peak shrink.
    const auto now = artv::resident_bytes();
    ck_assert_int_gt(now, 0);
    ck_assert_int_ge(artv::peak_resident_bytes(), now);
}
END_TEST

// nn/conv2d.h: the oneDNN path computes ATen's convolution (and the FLOP counter sees it), in
// the shapes that ATen itself would not send to oneDNN (batch 1, small maps); with gradients
// on it is not taken, and gradients are ATen's.
START_TEST(test_onednn_convolution) {
    ck_assert(artv::onednn_convolution_available());
    struct Shape {
        int64_t in, out, size, kernel, stride;
    };
    for (const Shape s : {Shape{4, 64, 16, 3, 1}, Shape{64, 64, 16, 3, 2}, Shape{128, 128, 4, 3, 1},
                          Shape{64, 128, 8, 1, 1}, Shape{3, 5, 7, 3, 2}}) {
        torch::manual_seed(s.in + s.out);
        artv::Conv2d conv(torch::nn::Conv2dOptions(s.in, s.out, s.kernel).stride(s.stride).padding(s.kernel / 2));
        const auto x = torch::randn({1, s.in, s.size, s.size});
        torch::Tensor onednn, aten;
        double flops[2];
        for (int on = 0; on < 2; ++on) {
            c10::InferenceMode im;
            conv->onednn = on;
            artv::FlopCount count;
            (on ? onednn : aten) = conv(x);
            flops[on] = count.conv_flops();
        }
        const int64_t out_size = (s.size + 2 * (s.kernel / 2) - s.kernel) / s.stride + 1;
        const double expect = 2.0 * s.out * out_size * out_size * s.in * s.kernel * s.kernel;
        ck_assert_double_eq_tol(flops[0], expect, 0.5);
        ck_assert_double_eq_tol(flops[1], expect, 0.5);
        const double scale = aten.abs().max().item<double>();
        const double diff = (onednn - aten).abs().max().item<double>();
        ck_assert_msg(diff <= 1e-5 * scale, "conv %lld->%lld: oneDNN differs by %g (scale %g)",
                      (long long)s.in, (long long)s.out, diff, scale);
        // Training: the same gradients with the switch on and off.
        torch::Tensor grads[2];
        for (int on = 0; on < 2; ++on) {
            conv->onednn = on;
            conv->zero_grad();
            conv(x).square().sum().backward();
            grads[on] = conv->weight.grad().clone();
        }
        ck_assert(torch::equal(grads[0], grads[1]));
    }
}
END_TEST

// nn/linear.h: with two threads, a product above the threshold goes through oneDNN and gives
// ATen's result, booked by the FLOP counter as a matrix product; below it, or on one thread,
// ATen computes it (the same numbers exactly); gradients are ATen's.
START_TEST(test_onednn_linear) {
    const int threads = at::get_num_threads();
    at::set_num_threads(2);
    torch::manual_seed(5);
    artv::Linear big(128, 1024), small(32, 16);
    const auto x = torch::randn({2, 64, 128}), xs = torch::randn({3, 32});
    ck_assert(2.0 * 64 * 128 * 1024 >= artv::kOneDnnLinearMinMacs && 3.0 * 32 * 16 < artv::kOneDnnLinearMinMacs);
    torch::Tensor onednn, aten;
    double flops[2], conv_flops[2];
    for (int on = 0; on < 2; ++on) {
        c10::InferenceMode im;
        big->onednn = on;
        artv::FlopCount count;
        (on ? onednn : aten) = big(x);
        flops[on] = count.matmul_flops();
        conv_flops[on] = count.conv_flops();
    }
    const double expect = 2.0 * 2 * 64 * 128 * 1024;
    for (int on = 0; on < 2; ++on) {
        ck_assert_double_eq_tol(flops[on], expect, 0.5);
        ck_assert_double_eq_tol(conv_flops[on], 0, 0.5);
    }
    ck_assert(onednn.sizes() == aten.sizes());
    const double diff = (onednn - aten).abs().max().item<double>();
    ck_assert_msg(diff <= 1e-5 * aten.abs().max().item<double>(), "oneDNN linear differs by %g", diff);
    {
        c10::InferenceMode im;
        ck_assert(torch::equal(small(xs), torch::nn::functional::linear(xs, small->weight, small->bias)));
        at::set_num_threads(1);
        ck_assert(torch::equal(big(x), torch::nn::functional::linear(x, big->weight, big->bias)));
        at::set_num_threads(2);
    }
    big->zero_grad();
    big(x).square().sum().backward();
    const auto grad = big->weight.grad().clone();
    big->onednn = false;
    big->zero_grad();
    big(x).square().sum().backward();
    ck_assert(torch::equal(grad, big->weight.grad()));
    at::set_num_threads(threads);
}
END_TEST

// The U-Net's cross-attention keys and values computed beforehand (once per frame) give the
// output of computing them in the forward; a list of the wrong length is refused.
START_TEST(test_context_kv_once_per_frame) {
    c10::InferenceMode im;
    artv::UNetModel &unet = tiny()->unet();
    const auto &c = tiny()->config();
    torch::manual_seed(3);
    const int64_t C = c.latent.channels;
    const auto x = torch::randn({2, C, 8, 8}), t = torch::tensor({900.0, 20.0});
    const auto text = torch::randn({2, c.text.context_length, c.unet.context_dim});
    artv::UNetExtras extras;
    extras.anchor_tokens = unet.anchor_tokens(torch::randn({2, C, 8, 8}));
    const auto direct = unet.forward(x, t, text, extras);
    auto kv = unet.context_kv(text, extras.anchor_tokens);
    ck_assert(!kv.empty() && kv[0].anchor_k.defined());
    extras.context_kv = &kv;
    const auto once = unet.forward(x, t, {}, extras);
    ck_assert(torch::equal(direct, once));
    kv.pop_back();
    try {
        unet.forward(x, t, {}, extras);
        ck_abort_msg("a short list of keys and values was accepted");
    } catch (const artv::Error &e) {
        ck_assert_int_eq(e.status(), ARTV_ERR_INVALID_ARGUMENT);
    }
}
END_TEST

// Frames of one session (animate: one still fed), 4 guidance conditions.
std::vector<torch::Tensor> frames_with(const artv::EngineSwitches &engine, int count) {
    artv::SessionOptions o;
    o.gen_size = {32, 32};
    o.seed = 7;
    o.steps = 3;
    o.cfg_ref = 1.5;
    o.cfg_anchor = 2.0;
    o.cfg_text = 3.0;
    o.engine = engine;
    artv::Session s(tiny(), o);
    s.set_prompt("a red ball moving left");
    std::vector<uint8_t> rgb(32 * 32 * 3);
    for (size_t i = 0; i < rgb.size(); ++i) rgb[i] = uint8_t(i * 7 % 251);
    s.feed_frame(rgb.data(), 32, 32, 96);
    std::vector<torch::Tensor> out;
    for (int i = 0; i < count; ++i) out.push_back(s.next_frame_image());
    ck_assert_int_eq(s.state().denoiser_calls_last_frame % 4, 0);
    return out;
}

START_TEST(test_engine_switches_same_frames) {
    const auto reference = frames_with({}, 2);
    for (int which = 0; which < 5; ++which) {
        artv::EngineSwitches e;
        if (which == 0) e.batch_cfg = false;
        if (which == 1) e.per_frame_conditions = false;
        if (which == 2) e.inference_mode = false;
        artv::set_onednn_convolution(tiny()->modules(), which != 3);
        artv::set_onednn_linear(tiny()->modules(), which != 4);
        const auto frames = frames_with(e, 2);
        artv::set_onednn_convolution(tiny()->modules(), true);
        artv::set_onednn_linear(tiny()->modules(), true);
        for (size_t i = 0; i < frames.size(); ++i) {
            const double diff = (frames[i] - reference[i]).abs().max().item<double>();
            ck_assert_msg(diff < 1e-4, "switch %d, frame %zu: max difference %g", which, i, diff);
        }
    }
}
END_TEST

START_TEST(test_frame_bench_tiny) {
    artv::FrameBenchOptions o;
    o.size = {32, 32};
    o.steps = 2;
    o.frames = 2;
    o.cfg_ref = 1.5;
    o.cfg_anchor = 2.0;
    o.cfg_text = 3.0;
    const artv::FrameBenchResult r = artv::bench_frames(tiny(), o);
    ck_assert_int_eq(r.guidance_conditions, 4);
    // DPM++ 2S a: 2 denoiser calls per step but the last (1): 3 for 2 steps.
    ck_assert_int_eq(r.sampler_calls_per_frame, 3);
    ck_assert_int_eq(r.network_rows_per_frame, 12);
    ck_assert(r.seconds_per_frame > 0);
    ck_assert(r.conv_flops_per_frame > 0 && r.matmul_flops_per_frame > 0);
    // The U-Net alone: one call's FLOPs are a fraction of the frame's.
    const artv::ForwardBenchResult f = artv::bench_unet_forward(*tiny(), {32, 32}, 4, 1);
    ck_assert(f.flops > 0 && f.flops * 3 < r.flops_per_frame);
    const std::vector<double> times{5, 1, 3, 100, 2};
    ck_assert_double_eq(artv::median_window(times, 0, 5), 3);
    ck_assert_double_eq(artv::median_window(times, 3, 10), 100);  // clipped: {100, 2} -> upper
}
END_TEST

Suite *bench_suite() {
    Suite *s = suite_create("bench");
    TCase *flops = tcase_create("flops");
    tcase_add_test(flops, test_flops_convolution);
    tcase_add_test(flops, test_flops_matmul);
    tcase_add_test(flops, test_flops_stop_counting);
    tcase_add_test(flops, test_op_profile);
    tcase_add_test(flops, test_reference_and_memory);
    suite_add_tcase(s, flops);
    TCase *engine = tcase_create("engine");
    tcase_set_timeout(engine, 300);
    tcase_add_test(engine, test_onednn_convolution);
    tcase_add_test(engine, test_onednn_linear);
    tcase_add_test(engine, test_context_kv_once_per_frame);
    tcase_add_test(engine, test_engine_switches_same_frames);
    tcase_add_test(engine, test_frame_bench_tiny);
    suite_add_tcase(s, engine);
    return s;
}

ARTV_TEST_MAIN(bench_suite)
