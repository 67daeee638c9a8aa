// Sessions (core/generate/session.cpp) through the C API on the tiny random model
// (models/test-tiny, made by `artv init-random` into the build tree): the generation modes and
// their references/anchors, determinism, guidance call counts, abort, progress, bad input.
#include <atomic>
#include <cmath>
#include <cstring>
#include <string>
#include <thread>
#include <vector>

#include <torch/torch.h>

#include "artv/artv.h"
#include "diffusion/guidance.h"
#include "diffusion/sampler.h"
#include "generate/frame_convert.h"
#include "generate/generation_size.h"
#include "generate/model_loader.h"
#include "generate/session.h"
#include "model/artv_networks.h"
#include "model_testutil.h"
#include "util/error.h"

// Check after the C++ headers: its fail() macro clashes with std::basic_ios::fail.
#include <check.h>

#include "testutil.h"

namespace {

// What a C caller can do and C++ cannot say without undefined behaviour: store any int in an
// enum field of the API's structs.
template <class E> void store_int(E *field, int value) {
    static_assert(sizeof(E) == sizeof(int));
    std::memcpy(field, &value, sizeof value);
}

const int W = 64, H = 64;

std::string tiny_model_dir() {
    return std::string(ARTV_TEST_BUILDDIR()) + "/tests/test-tiny";
}

// One thread: the tiny networks gain nothing from more, and on a loaded 2-core machine an
// OpenMP pool of 2 spinning threads is 40x slower than 1.
artv_model *open_tiny() {
    artv_model_params mp = artv_model_default_params();
    mp.device = "cpu";
    mp.dtype = "fp32";
    mp.threads = 1;
    artv_model *model = nullptr;
    artv_status st = artv_model_open(tiny_model_dir().c_str(), &mp, &model);
    ck_assert_msg(st == ARTV_OK, "open %s: %s", tiny_model_dir().c_str(), artv_last_error());
    return model;
}

// Fast defaults for tests: DDIM, 2 steps, 64x64.
artv_session_params fast_params(uint64_t seed = 1) {
    artv_session_params p = artv_session_default_params();
    p.sampler = ARTV_SAMPLER_DDIM;
    p.steps = 2;
    p.seed = seed;
    return p;
}

artv_session *new_session(artv_model *model, const artv_session_params &p) {
    artv_session *s = nullptr;
    artv_status st = artv_session_new(model, &p, &s);
    ck_assert_msg(st == ARTV_OK, "session_new: %s", artv_last_error());
    return s;
}

std::vector<uint8_t> next(artv_session *s, int w = W, int h = H, int stride = 3 * W) {
    std::vector<uint8_t> rgb(static_cast<size_t>(stride) * h, 0);
    artv_status st = artv_session_next_frame(s, rgb.data(), w, h, stride);
    ck_assert_msg(st == ARTV_OK, "next_frame: %s (%s)", artv_status_string(st), artv_last_error());
    return rgb;
}

// A frame with a diagonal gradient, distinct per `seed`.
std::vector<uint8_t> test_image(int w, int h, int seed) {
    std::vector<uint8_t> rgb(static_cast<size_t>(w) * h * 3);
    for (int y = 0; y < h; ++y)
        for (int x = 0; x < w; ++x)
            for (int c = 0; c < 3; ++c)
                rgb[(static_cast<size_t>(y) * w + x) * 3 + c] =
                    static_cast<uint8_t>((x * 3 + y * 2 + c * 40 + seed * 50) & 0xff);
    return rgb;
}

void feed(artv_session *s, int seed, int w = W, int h = H) {
    auto img = test_image(w, h, seed);
    artv_status st = artv_session_feed_frame(s, img.data(), w, h, 3 * w);
    ck_assert_msg(st == ARTV_OK, "feed_frame: %s", artv_last_error());
}

artv_session_state state_of(artv_session *s) {
    artv_session_state st;
    ck_assert_int_eq(artv_session_get_state(s, &st), ARTV_OK);
    return st;
}

void expect_conditioning(artv_session *s, int anchor, int ref0, int ref1, int segment) {
    artv_session_state st = state_of(s);
    ck_assert_msg(st.anchor_frame == anchor && st.reference_frames[0] == ref0 &&
                      st.reference_frames[1] == ref1 && st.segment == segment,
                  "after %d generated: anchor %d refs [%d, %d] segment %d, expected %d [%d, %d] %d",
                  st.frames_generated, st.anchor_frame, st.reference_frames[0],
                  st.reference_frames[1], st.segment, anchor, ref0, ref1, segment);
}

// Expected network evaluations of one frame: sampler calls x guidance conditions.
int expected_calls(artv::SamplerKind kind, int steps, artv::CfgScales scales, bool refs_blank,
                   bool anchor_blank, bool text_empty) {
    auto terms = artv::cfg_terms(
        artv::effective_cfg_scales(scales, refs_blank, anchor_blank, text_empty));
    return artv::denoiser_calls(kind, steps) * static_cast<int>(terms.size());
}

}  // namespace

START_TEST(test_t2v) {
    artv_model *model = open_tiny();
    artv_session *s = new_session(model, fast_params());
    ck_assert_int_eq(artv_session_set_prompt(s, "a red ball rolls left"), ARTV_OK);
    expect_conditioning(s, -1, -1, -1, 0);  // first frame: blank references and anchor
    next(s);
    artv_session_state st = state_of(s);
    ck_assert_int_eq(st.frames_generated, 1);
    ck_assert_int_eq(st.frames_fed, 0);
    ck_assert_int_eq(st.gen_width, W);
    ck_assert_int_eq(st.gen_height, H);
    ck_assert_str_eq(st.prompt, "a red ball rolls left");
    expect_conditioning(s, 0, 0, 0, 0);  // the first generated frame anchors the segment
    next(s);
    expect_conditioning(s, 0, 0, 1, 0);
    next(s);
    expect_conditioning(s, 0, 1, 2, 0);
    ck_assert_int_eq(state_of(s).frames_generated, 3);
    artv_session_free(s);
    artv_model_close(model);
}
END_TEST

START_TEST(test_ti2v_and_default_size) {
    artv_model *model = open_tiny();
    artv_session *s = new_session(model, fast_params());
    feed(s, 0, 80, 48);  // aspect 5:3 -> short side 64, long side 106.7 -> 112 (multiple 16)
    artv_session_state st = state_of(s);
    ck_assert_int_eq(st.frames_fed, 1);
    ck_assert_int_eq(st.gen_width, 112);
    ck_assert_int_eq(st.gen_height, 64);
    expect_conditioning(s, 0, 0, 0, 0);  // the still is both references and the anchor
    // Output at another size and with a padded stride.
    std::vector<uint8_t> out = next(s, 50, 30, 160);
    (void)out;
    expect_conditioning(s, 0, 0, 1, 0);
    next(s, 50, 30, 150);
    expect_conditioning(s, 0, 1, 2, 0);
    artv_session_free(s);
    artv_model_close(model);
}
END_TEST

START_TEST(test_continue_clip) {
    artv_model *model = open_tiny();
    artv_session *s = new_session(model, fast_params());
    for (int i = 0; i < 4; ++i) feed(s, i);
    expect_conditioning(s, 3, 2, 3, 0);  // last two fed are the references, last the anchor
    next(s);
    expect_conditioning(s, 3, 3, 4, 0);
    next(s);
    expect_conditioning(s, 3, 4, 5, 0);
    // Feeding after generation started is a state error; the session goes on.
    auto img = test_image(W, H, 9);
    ck_assert_int_eq(artv_session_feed_frame(s, img.data(), W, H, 3 * W), ARTV_ERR_STATE);
    // Closing the model first is safe: the session keeps the weights alive.
    artv_model_close(model);
    next(s);
    ck_assert_int_eq(state_of(s).frames_generated, 3);
    artv_session_free(s);
}
END_TEST

START_TEST(test_multi_prompt_t2v) {
    artv_model *model = open_tiny();
    artv_session *s = new_session(model, fast_params());
    ck_assert_int_eq(artv_session_set_schedule(s, "red:2|green:3|blue:1"), ARTV_OK);
    // {anchor, segment, prompt} of the NEXT frame, after n frames were generated.
    struct { int anchor, segment; const char *prompt; } expect[] = {
        {-1, 0, "red"},   // frame 0: T2V start
        {0, 0, "red"},    // frame 1
        {1, 1, "green"},  // frame 2 starts segment 1: anchor = last frame of segment 0
        {1, 1, "green"}, {1, 1, "green"},
        {4, 2, "blue"},   // frame 5 starts segment 2
        {4, 2, "blue"},   // the last prompt holds after its count
    };
    for (int n = 0; n < 7; ++n) {
        artv_session_state st = state_of(s);
        ck_assert_msg(st.anchor_frame == expect[n].anchor && st.segment == expect[n].segment,
                      "before frame %d: anchor %d segment %d", n, st.anchor_frame, st.segment);
        ck_assert_str_eq(st.prompt, expect[n].prompt);
        if (n < 6) next(s);
    }
    artv_session_free(s);
    artv_model_close(model);
}
END_TEST

START_TEST(test_multi_prompt_continue_and_policies) {
    artv_model *model = open_tiny();
    // Paper policy, clip continued with two prompts.
    artv_session *s = new_session(model, fast_params());
    feed(s, 0);
    feed(s, 1);
    ck_assert_int_eq(artv_session_set_schedule(s, "a:1|b:2"), ARTV_OK);
    expect_conditioning(s, 1, 0, 1, 0);
    next(s);                             // frame 2, segment 0
    expect_conditioning(s, 2, 1, 2, 1);  // segment 1 anchored on frame 2
    next(s);
    // A new prompt mid-session starts a new segment, anchored on the latest frame.
    ck_assert_int_eq(artv_session_set_prompt(s, "c"), ARTV_OK);
    expect_conditioning(s, 3, 2, 3, 0);
    artv_session_free(s);

    // "first": frame 0 anchors everything.
    artv_session_params p = fast_params();
    p.anchor = ARTV_ANCHOR_FIRST;
    s = new_session(model, p);
    for (int i = 0; i < 3; ++i) feed(s, i);
    ck_assert_int_eq(artv_session_set_schedule(s, "a:1|b:1"), ARTV_OK);
    expect_conditioning(s, 0, 1, 2, 0);
    next(s);
    expect_conditioning(s, 0, 2, 3, 1);
    artv_session_free(s);

    // "none": no anchor ever; one guidance condition fewer (eps(R,A,0) = eps(R,0,0)).
    p.anchor = ARTV_ANCHOR_NONE;
    p.cfg_ref = 2.0f;
    p.cfg_anchor = 1.5f;
    p.cfg_text = 4.0f;
    s = new_session(model, p);
    feed(s, 0);
    expect_conditioning(s, -1, 0, 0, 0);
    ck_assert_int_eq(artv_session_set_prompt(s, "x"), ARTV_OK);
    next(s);
    expect_conditioning(s, -1, 0, 1, 0);
    ck_assert_int_eq(state_of(s).denoiser_calls_last_frame,
                     expected_calls(artv::SamplerKind::Ddim, 2, {2.0, 1.5, 4.0}, false, true, false));
    ck_assert_int_eq(state_of(s).denoiser_calls_last_frame, 2 * 3);
    artv_session_free(s);
    artv_model_close(model);
}
END_TEST

START_TEST(test_deterministic_by_seed) {
    artv_model *model = open_tiny();
    artv_session_params p = fast_params(42);
    p.sampler = ARTV_SAMPLER_DPMPP_2S_ANCESTRAL;  // draws noise at every step
    std::vector<std::vector<uint8_t>> runs[3];
    for (int run = 0; run < 3; ++run) {
        p.seed = run < 2 ? 42 : 43;
        artv_session *s = new_session(model, p);
        artv_session_set_prompt(s, "a blue circle bounces");
        for (int i = 0; i < 3; ++i) runs[run].push_back(next(s));
        artv_session_free(s);
    }
    for (int i = 0; i < 3; ++i) {
        ck_assert_msg(runs[0][i] == runs[1][i], "frame %d differs between two runs of seed 42", i);
        ck_assert_msg(runs[0][i] != runs[2][i], "frame %d is the same for seeds 42 and 43", i);
    }
    // Not a constant image: the decoder produced structure.
    const auto &f = runs[0][2];
    bool varied = false;
    for (size_t i = 3; i < f.size() && !varied; ++i) varied = f[i] != f[i % 3];
    ck_assert(varied);
    artv_model_close(model);
}
END_TEST

START_TEST(test_denoiser_calls) {
    artv_model *model = open_tiny();
    const artv_sampler samplers[] = {ARTV_SAMPLER_DPMPP_2S_ANCESTRAL, ARTV_SAMPLER_DDIM,
                                     ARTV_SAMPLER_EULER};
    const artv::SamplerKind kinds[] = {artv::SamplerKind::DpmPP2SAncestral,
                                       artv::SamplerKind::Ddim, artv::SamplerKind::Euler};
    for (int k = 0; k < 3; ++k) {
        artv_session_params p = fast_params();
        p.sampler = samplers[k];
        p.steps = 3;
        p.cfg_ref = 2.0f;  // all four conditions of Eq. 8 have non-zero weight
        p.cfg_anchor = 1.5f;
        p.cfg_text = 5.0f;
        artv_session *s = new_session(model, p);
        artv_session_set_prompt(s, "a square");
        next(s);  // T2V first frame: refs and anchor blank -> eps(R,A,0), eps(R,A,T) only
        artv::CfgScales sc{2.0, 1.5, 5.0};
        ck_assert_int_eq(state_of(s).denoiser_calls_last_frame,
                         expected_calls(kinds[k], 3, sc, true, true, false));
        next(s);
        ck_assert_int_eq(state_of(s).denoiser_calls_last_frame,
                         expected_calls(kinds[k], 3, sc, false, false, false));
        ck_assert_int_eq(state_of(s).denoiser_calls_last_frame,
                         artv::denoiser_calls(kinds[k], 3) * 4);
        artv_session_free(s);
    }
    // Hard numbers: DDIM 3 steps with 4 conditions = 12; DPM++ 2S a: (2*3-1)*4 = 20.
    ck_assert_int_eq(artv::denoiser_calls(artv::SamplerKind::Ddim, 3) * 4, 12);
    ck_assert_int_eq(artv::denoiser_calls(artv::SamplerKind::DpmPP2SAncestral, 3) * 4, 20);
    // No guidance at all: one evaluation per sampler call.
    artv_session_params p = fast_params();
    p.cfg_ref = p.cfg_anchor = p.cfg_text = 1.0f;
    artv_session *s = new_session(model, p);
    feed(s, 0);
    next(s);
    ck_assert_int_eq(state_of(s).denoiser_calls_last_frame, 2);
    artv_session_free(s);
    artv_model_close(model);
}
END_TEST

// cfg_text_t2v is the text scale of frames from text alone (blank references) and of no other:
// it changes a T2V first frame and its guidance rows, and leaves an animated still alone. The
// networks get random output layers (the zero-initialised ones would make every eps 0).
START_TEST(test_cfg_text_t2v) {
    artv_model *model = open_tiny();
    artv_model_info info;
    ck_assert_int_eq(artv_model_get_info(model, &info), ARTV_OK);
    // test-tiny's config has no sampling.cfg_text_t2v: the model's cfg_text stands in.
    ck_assert(info.default_cfg_text_t2v == info.default_cfg_text);
    artv_model_close(model);

    std::shared_ptr<artv::ArtvNetworks> nets = artv::ArtvNetworks::create_random(
        artv::test::test_tiny_config(), 1, torch::kCPU, torch::kFloat32,
        artv::test::tiny_tokenizer_path());
    artv::test::randomize(nets->modules(), 17, 0.1);
    const std::vector<uint8_t> still = test_image(W, H, 0);
    at::Tensor t2v[2], animate[2];
    int t2v_calls[2], later_calls[2], animate_calls[2];
    for (int run = 0; run < 2; ++run) {
        artv::SessionOptions o;
        o.sampler = artv::SamplerKind::Ddim;
        o.steps = 2;
        o.seed = 5;
        o.cfg_ref = o.cfg_anchor = o.cfg_text = 1.0;
        o.cfg_text_t2v = run == 0 ? 1.0 : 50.0;  // random text layers move eps little
        artv::Session s(nets, o);
        ck_assert(s.cfg_text_t2v() == *o.cfg_text_t2v);
        s.set_prompt("a red square moving left");
        t2v[run] = s.next_frame_image({W, H});
        t2v_calls[run] = s.state().denoiser_calls_last_frame;
        s.next_frame_image();  // references = the first frame: cfg_text (1) again
        later_calls[run] = s.state().denoiser_calls_last_frame;

        artv::Session a(nets, o);
        a.set_prompt("a red square moving left");
        a.feed_frame(still.data(), W, H, 3 * W);
        animate[run] = a.next_frame_image();
        animate_calls[run] = a.state().denoiser_calls_last_frame;
    }
    ck_assert_msg(artv::test::max_abs_diff(t2v[0], t2v[1]) > 1e-3,
                  "cfg_text_t2v 50 left the T2V first frame unchanged");
    ck_assert_int_eq(t2v_calls[0], 2);      // DDIM 2 steps, one condition
    ck_assert_int_eq(t2v_calls[1], 2 * 2);  // eps(0,0,0) and eps(0,0,T)
    ck_assert_int_eq(later_calls[0], 2);
    ck_assert_int_eq(later_calls[1], 2);
    ck_assert_msg(torch::equal(animate[0], animate[1]), "cfg_text_t2v changed a frame with references");
    ck_assert_int_eq(animate_calls[0], 2);
    ck_assert_int_eq(animate_calls[1], 2);
}
END_TEST

// cfg_sigma_min, the guidance interval, applies to frames with references: above every sigma
// such a frame is the unguided one (one row per step), between the two steps' sigmas
// one step is guided; a frame from text alone stays guided at every sigma.
START_TEST(test_cfg_sigma_min) {
    std::shared_ptr<artv::ArtvNetworks> nets = artv::ArtvNetworks::create_random(
        artv::test::test_tiny_config(), 1, torch::kCPU, torch::kFloat32,
        artv::test::tiny_tokenizer_path());
    artv::test::randomize(nets->modules(), 17, 0.1);
    const std::vector<uint8_t> still = test_image(W, H, 0);
    struct Run {
        double text, sigma_min;
        at::Tensor t2v, animate;
        int t2v_rows, animate_rows;
    } runs[] = {{1, 0}, {50, 0}, {50, 1e6}, {50, 5}};
    for (Run &r : runs) {
        artv::SessionOptions o;
        o.sampler = artv::SamplerKind::Ddim;
        o.steps = 2;  // sigmas 14.6 and about 0.9
        o.seed = 5;
        o.cfg_ref = o.cfg_anchor = 1.0;
        o.cfg_text = o.cfg_text_t2v = r.text;
        o.cfg_sigma_min = r.sigma_min;
        artv::Session s(nets, o);
        ck_assert(s.cfg_sigma_min() == r.sigma_min);
        s.set_prompt("a red square moving left");
        r.t2v = s.next_frame_image({W, H});
        r.t2v_rows = s.state().denoiser_calls_last_frame;
        artv::Session a(nets, o);
        a.set_prompt("a red square moving left");
        a.feed_frame(still.data(), W, H, 3 * W);
        r.animate = a.next_frame_image();
        r.animate_rows = a.state().denoiser_calls_last_frame;
    }
    using artv::test::max_abs_diff;
    ck_assert_msg(max_abs_diff(runs[0].animate, runs[1].animate) > 1e-3, "text scale 50 changed nothing");
    ck_assert_int_eq(runs[1].animate_rows, 2 * 2);
    // The same networks on the same row, up to the rounding of a batch prepared with two rows.
    ck_assert_msg(max_abs_diff(runs[2].animate, runs[0].animate) < 1e-5,
                  "above every sigma the frame with references is not the unguided one: %g",
                  max_abs_diff(runs[2].animate, runs[0].animate));
    ck_assert_int_eq(runs[2].animate_rows, 2);
    ck_assert_int_eq(runs[3].animate_rows, 2 + 1);  // the first step guided, the second not
    ck_assert(max_abs_diff(runs[3].animate, runs[0].animate) > 1e-4 &&
              max_abs_diff(runs[3].animate, runs[1].animate) > 1e-4);
    ck_assert_msg(torch::equal(runs[2].t2v, runs[1].t2v), "the interval reached a frame from text alone");
    ck_assert_int_eq(runs[2].t2v_rows, 2 * 2);

    artv::SessionOptions bad;
    bad.cfg_sigma_min = -1;
    try {
        artv::Session s(nets, bad);
        ck_abort_msg("cfg_sigma_min -1 accepted");
    } catch (const artv::Error &e) {
        ck_assert_int_eq(e.status(), ARTV_ERR_INVALID_ARGUMENT);
        ck_assert_ptr_nonnull(std::strstr(e.what(), "cfg_sigma_min"));
    }
}
END_TEST

// The references' motion (artv.motion_embed / motion_warp): measured between the last two
// fed frames, held through the first prompt segment, zero for a still fed twice, for models
// without it and once a new prompt is set. The networks read it (prepare() refuses conditions
// without it).
START_TEST(test_reference_motion) {
    auto texture = [](int dx) {  // the same picture, its content dx pixels to the right
        std::vector<uint8_t> rgb(size_t(W) * H * 3);
        for (int y = 0; y < H; ++y)
            for (int x = 0; x < W; ++x)
                for (int c = 0; c < 3; ++c)
                    rgb[(size_t(y) * W + x) * 3 + c] = static_cast<uint8_t>(
                        128 + 60 * std::sin(0.31 * (x - dx) + 0.17 * y + c) + 50 * std::cos(0.23 * y - 0.11 * (x - dx)));
        return rgb;
    };
    const std::vector<uint8_t> a = texture(0), b = texture(3);
    artv::ModelConfig c = artv::test::test_tiny_config();
    c.artv.motion_embed = c.artv.motion_warp = true;
    auto nets = artv::ArtvNetworks::create_random(c, 1, torch::kCPU, torch::kFloat32,
                                                  artv::test::tiny_tokenizer_path());
    artv::SessionOptions o;
    o.sampler = artv::SamplerKind::Ddim;
    o.steps = 2;
    o.cfg_ref = o.cfg_anchor = o.cfg_text = 3.0;  // dropped-reference rows too
    auto motion = [](const artv::Session &s) {
        const artv::SessionState st = s.state();
        return std::pair<double, double>(st.reference_motion[0], st.reference_motion[1]);
    };
    artv::Session s(nets, o);
    s.set_schedule("camera pans left:2|camera pans right:1");
    s.feed_frame(a.data(), W, H, 3 * W);
    ck_assert(motion(s).first == 0 && motion(s).second == 0);  // one frame: no motion yet
    s.feed_frame(b.data(), W, H, 3 * W);
    const auto shown = motion(s);
    ck_assert_msg(std::abs(shown.first - 3.0 / 8) < 0.05 && std::abs(shown.second) < 0.05,
                  "a 3 px pan measured as (%g, %g) latent px", shown.first, shown.second);
    for (int i = 0; i < 2; ++i) {  // the first segment: held, whatever the frames generated
        const at::Tensor frame = s.next_frame_image();
        ck_assert(frame.size(2) == H && frame.size(3) == W && torch::isfinite(frame).all().item<bool>());
        if (i == 0) ck_assert(motion(s) == shown);
    }
    ck_assert(motion(s).first == 0 && motion(s).second == 0);  // the second segment
    s.next_frame_image();

    artv::Session again(nets, o);  // a new prompt after the first frame ends it too
    again.feed_frame(a.data(), W, H, 3 * W);
    again.feed_frame(b.data(), W, H, 3 * W);
    again.next_frame_image();
    ck_assert(motion(again) == shown);
    again.set_prompt("camera pans right");
    ck_assert(motion(again).first == 0 && motion(again).second == 0);

    artv::Session still(nets, o);  // one still fed twice: no motion
    still.feed_frame(a.data(), W, H, 3 * W);
    still.feed_frame(a.data(), W, H, 3 * W);
    ck_assert(motion(still).first == 0 && motion(still).second == 0);

    // artv.motion_warp_pixels: the same networks copy the previous frame moved in pixels
    // (ArtvNetworks::warp_reference), so a moving clip goes on differently; a still one, with
    // nothing to move, exactly as before.
    artv::ModelConfig cp = c;
    cp.artv.motion_warp_pixels = true;
    auto pixel_nets = artv::ArtvNetworks::create_random(cp, 1, torch::kCPU, torch::kFloat32,
                                                        artv::test::tiny_tokenizer_path());
    auto first_frame = [&](const std::shared_ptr<artv::ArtvNetworks> &n, const std::vector<uint8_t> &second) {
        artv::Session t(n, o);
        t.set_prompt("camera pans left");
        t.feed_frame(a.data(), W, H, 3 * W);
        t.feed_frame(second.data(), W, H, 3 * W);
        return t.next_frame_image();
    };
    ck_assert(!torch::allclose(first_frame(nets, b), first_frame(pixel_nets, b), 1e-3, 1e-3));
    ck_assert(torch::equal(first_frame(nets, a), first_frame(pixel_nets, a)));

    auto plain = artv::ArtvNetworks::create_random(artv::test::test_tiny_config(), 1, torch::kCPU,
                                                   torch::kFloat32, artv::test::tiny_tokenizer_path());
    artv::Session without(plain, o);  // a model without the additions measures nothing
    without.feed_frame(a.data(), W, H, 3 * W);
    without.feed_frame(b.data(), W, H, 3 * W);
    ck_assert(motion(without).first == 0 && motion(without).second == 0);
}
END_TEST

namespace {
struct AbortAfter {
    std::atomic<int> polls{0};
    int after;
};
int abort_after(void *user) {
    auto *a = static_cast<AbortAfter *>(user);
    return ++a->polls >= a->after;
}
struct ProgressLog {
    std::vector<int> frames, steps;
};
void log_progress(int frame, int total, int step, int steps, double spf, void *user) {
    auto *log = static_cast<ProgressLog *>(user);
    log->frames.push_back(frame);
    log->steps.push_back(step);
    ck_assert_int_eq(total, 5);
    ck_assert_int_eq(steps, 3);
    ck_assert(spf >= 0.0);
}
}  // namespace

START_TEST(test_abort_and_progress) {
    artv_model *model = open_tiny();
    AbortAfter ab;
    ab.after = 2;
    ProgressLog log;
    artv_session_params p = fast_params();
    p.steps = 3;
    p.total_frames = 5;
    p.abort = abort_after;
    p.abort_user = &ab;
    p.progress = log_progress;
    p.progress_user = &log;
    p.progress_steps = 1;
    artv_session *s = new_session(model, p);
    std::vector<uint8_t> rgb(W * H * 3);
    ck_assert_int_eq(artv_session_next_frame(s, rgb.data(), W, H, 3 * W), ARTV_ERR_ABORTED);
    ck_assert_int_eq(ab.polls.load(), 2);  // stopped after the second step
    ck_assert_int_eq(state_of(s).frames_generated, 0);
    expect_conditioning(s, -1, -1, -1, 0);  // nothing moved
    ab.after = 1 << 30;                     // no more aborts
    next(s);
    next(s);
    ck_assert_int_eq(state_of(s).frames_generated, 2);
    // Per step (step < steps) and per frame (step == steps); frame counts generated frames.
    // The aborted attempt reported steps 1 and 2 (the second report precedes the poll that
    // stopped it); then frame 0 again: steps 1, 2, done (frame 1, step 3); frame 1 likewise.
    const std::vector<int> want_frames = {0, 0, 0, 0, 1, 1, 1, 2};
    const std::vector<int> want_steps = {1, 2, 1, 2, 3, 1, 2, 3};
    ck_assert_int_eq(log.frames.size(), want_frames.size());
    for (size_t i = 0; i < want_frames.size(); ++i) {
        ck_assert_int_eq(log.frames[i], want_frames[i]);
        ck_assert_int_eq(log.steps[i], want_steps[i]);
    }
    // The abort flag: set before a call, it stops it at once and stays set until cleared.
    artv_session_abort(s);
    ck_assert_int_eq(artv_session_next_frame(s, rgb.data(), W, H, 3 * W), ARTV_ERR_ABORTED);
    ck_assert_int_eq(artv_session_next_frame(s, rgb.data(), W, H, 3 * W), ARTV_ERR_ABORTED);
    artv_session_clear_abort(s);
    next(s);
    ck_assert_int_eq(state_of(s).frames_generated, 3);
    artv_session_free(s);
    artv_model_close(model);
}
END_TEST

START_TEST(test_bad_session_params) {
    artv_model *model = open_tiny();
    struct Case { const char *what; void (*set)(artv_session_params &); const char *needle; } cases[] = {
        {"zero gen size", [](artv_session_params &p) { p.gen_width = 0; p.gen_height = 64; }, "both"},
        {"negative gen size", [](artv_session_params &p) { p.gen_width = -16; p.gen_height = -16; }, "positive"},
        {"huge gen size", [](artv_session_params &p) { p.gen_width = 4096; p.gen_height = 4096; }, "max_size"},
        {"not a multiple", [](artv_session_params &p) { p.gen_width = 72; p.gen_height = 64; }, "multiples of 16"},
        {"max_size 0", [](artv_session_params &p) { p.max_size = 0; }, "max_size"},
        {"max_size huge", [](artv_session_params &p) { p.max_size = 1 << 20; }, "max_size"},
        {"negative steps", [](artv_session_params &p) { p.steps = -1; }, "steps"},
        {"too many steps", [](artv_session_params &p) { p.steps = 5000; }, "steps"},
        {"unknown sampler", [](artv_session_params &p) { store_int(&p.sampler, 99); }, "sampler"},
        {"inf cfg_text", [](artv_session_params &p) { p.cfg_text = INFINITY; }, "cfg_text"},
        {"-inf cfg_ref", [](artv_session_params &p) { p.cfg_ref = -INFINITY; }, "cfg_ref"},
        {"negative cfg_anchor", [](artv_session_params &p) { p.cfg_anchor = -1.0f; }, "cfg_anchor"},
        {"negative cfg_text_t2v", [](artv_session_params &p) { p.cfg_text_t2v = -2.0f; }, "cfg_text_t2v"},
        {"nan eta", [](artv_session_params &p) { p.eta = NAN; }, "eta"},
        {"noise level", [](artv_session_params &p) { p.noise_aug = 1000; }, "noise_aug"},
        {"negative noise level", [](artv_session_params &p) { p.noise_aug = -5; }, "noise_aug"},
        {"anchor policy", [](artv_session_params &p) { store_int(&p.anchor, 7); }, "anchor"},
        {"total frames", [](artv_session_params &p) { p.total_frames = -1; }, "total_frames"},
    };
    for (const Case &c : cases) {
        artv_session_params p = fast_params();
        c.set(p);
        artv_session *s = reinterpret_cast<artv_session *>(0x1);
        artv_status st = artv_session_new(model, &p, &s);
        ck_assert_msg(st == ARTV_ERR_INVALID_ARGUMENT, "%s: status %d", c.what, st);
        ck_assert_msg(s == nullptr, "%s: out not cleared", c.what);
        ck_assert_msg(std::strstr(artv_last_error(), c.needle), "%s: message \"%s\" lacks \"%s\"",
                      c.what, artv_last_error(), c.needle);
    }
    // C++ callers: NaN guidance is an error (in C, NaN means "model default").
    artv::SessionOptions o;
    o.cfg_text = std::nan("");
    auto nets = artv::open_model(tiny_model_dir(), {"cpu", "fp32", 1});
    try {
        artv::Session bad(nets, o);
        ck_abort_msg("NaN cfg_text accepted");
    } catch (const artv::Error &e) {
        ck_assert_int_eq(e.status(), ARTV_ERR_INVALID_ARGUMENT);
        ck_assert_ptr_nonnull(std::strstr(e.what(), "cfg_text"));
    }
    o = artv::SessionOptions();
    o.steps = 0;
    try {
        artv::Session bad(nets, o);
        ck_abort_msg("steps 0 accepted");
    } catch (const artv::Error &e) {
        ck_assert_int_eq(e.status(), ARTV_ERR_INVALID_ARGUMENT);
    }
    // NULLs.
    artv_session_params p = fast_params();
    ck_assert_int_eq(artv_session_new(model, &p, nullptr), ARTV_ERR_INVALID_ARGUMENT);
    artv_session *s = nullptr;
    ck_assert_int_eq(artv_session_new(nullptr, &p, &s), ARTV_ERR_INVALID_ARGUMENT);
    ck_assert_int_eq(artv_session_get_state(nullptr, nullptr), ARTV_ERR_INVALID_ARGUMENT);
    artv_model_close(model);
}
END_TEST

START_TEST(test_bad_frames_keep_session_usable) {
    artv_model *model = open_tiny();
    artv_session *s = new_session(model, fast_params());
    auto img = test_image(W, H, 0);
    std::vector<uint8_t> out(W * H * 3);
    struct { const uint8_t *rgb; int w, h, stride; const char *needle; } bad[] = {
        {nullptr, W, H, 3 * W, "NULL"},
        {img.data(), 0, H, 3 * W, "size"},
        {img.data(), W, -4, 3 * W, "size"},
        {img.data(), 20000, 10, 60000, "size"},
        {img.data(), W, H, 3 * W - 1, "stride"},
        {img.data(), W, H, -3, "stride"},
    };
    for (const auto &b : bad) {
        ck_assert_int_eq(artv_session_feed_frame(s, b.rgb, b.w, b.h, b.stride), ARTV_ERR_INVALID_ARGUMENT);
        ck_assert_msg(std::strstr(artv_last_error(), b.needle), "feed: \"%s\"", artv_last_error());
        uint8_t *o = b.rgb ? out.data() : nullptr;
        ck_assert_int_eq(artv_session_next_frame(s, o, b.w, b.h, b.stride), ARTV_ERR_INVALID_ARGUMENT);
        ck_assert_msg(std::strstr(artv_last_error(), b.needle), "next: \"%s\"", artv_last_error());
    }
    ck_assert_int_eq(artv_session_set_schedule(s, ""), ARTV_ERR_INVALID_ARGUMENT);
    ck_assert_ptr_nonnull(std::strstr(artv_last_error(), "empty"));
    ck_assert_int_eq(artv_session_set_schedule(s, "a:0"), ARTV_ERR_INVALID_ARGUMENT);
    ck_assert_int_eq(artv_session_set_schedule(s, nullptr), ARTV_ERR_INVALID_ARGUMENT);
    ck_assert_int_eq(artv_session_set_prompt(s, nullptr), ARTV_ERR_INVALID_ARGUMENT);
    ck_assert_int_eq(artv_session_set_prompt(nullptr, "x"), ARTV_ERR_INVALID_ARGUMENT);
    // Still usable, nothing changed.
    artv_session_state st = state_of(s);
    ck_assert_int_eq(st.frames_fed, 0);
    ck_assert_str_eq(st.prompt, "");
    feed(s, 1);
    next(s);
    ck_assert_int_eq(state_of(s).frames_generated, 1);
    ck_assert_str_eq(artv_last_error(), "");  // success clears the message
    artv_session_free(s);
    artv_model_close(model);
}
END_TEST

START_TEST(test_numeric_error_names_frame) {
    // NaN in the noise network's output bias: every frame fails with ARTV_ERR_NUMERIC, the
    // session stays usable, and works again once the weight is repaired.
    auto nets = std::const_pointer_cast<artv::ArtvNetworks>(
        artv::open_model(tiny_model_dir(), {"cpu", "fp32", 1}));
    torch::Tensor bias;
    for (auto &item : nets->modules().named_parameters())
        if (item.key() == "unet.out.2.bias") bias = item.value();
    ck_assert_msg(bias.defined(), "unet.out.2.bias not found");
    torch::Tensor saved = bias.detach().clone();
    {
        torch::NoGradGuard ng;
        bias.fill_(std::nan(""));
    }
    artv::SessionOptions o;
    o.sampler = artv::SamplerKind::Ddim;
    o.steps = 2;
    artv::Session session(nets, o);
    std::vector<uint8_t> rgb(W * H * 3, 128), out(W * H * 3, 7);
    session.feed_frame(rgb.data(), W, H, 3 * W);
    try {
        session.next_frame(out.data(), W, H, 3 * W);
        ck_abort_msg("NaN weights produced a frame");
    } catch (const artv::Error &e) {
        ck_assert_int_eq(e.status(), ARTV_ERR_NUMERIC);
        ck_assert_msg(std::strstr(e.what(), "frame 1"), "message: %s", e.what());
    }
    ck_assert_int_eq(out[0], 7);  // nothing written
    ck_assert_int_eq(session.state().frames_generated, 0);
    {
        torch::NoGradGuard ng;
        bias.copy_(saved);
    }
    session.next_frame(out.data(), W, H, 3 * W);
    ck_assert_int_eq(session.state().frames_generated, 1);
}
END_TEST

START_TEST(test_model_open_errors) {
    artv_model *model = nullptr;
    artv_model_params mp = artv_model_default_params();
    mp.device = "cpu";
    ck_assert_int_eq(artv_model_open("/nonexistent/model", &mp, &model), ARTV_ERR_IO);
    ck_assert_ptr_null(model);
    ck_assert_ptr_nonnull(std::strstr(artv_last_error(), "does not exist"));
    char buf[4096];
    ck_assert_int_eq(artv_model_open(ARTV_TEST_PATH(buf, ARTV_TEST_SRCDIR(), "models/test-tiny"),
                                     &mp, &model),
                     ARTV_ERR_IO);  // config only, no weights
    ck_assert_ptr_nonnull(std::strstr(artv_last_error(), "weights"));
    ck_assert_int_eq(artv_model_open(ARTV_TEST_SRCDIR(), &mp, &model), ARTV_ERR_IO);
    ck_assert_ptr_nonnull(std::strstr(artv_last_error(), "config.json"));
    mp.device = "tpu";
    ck_assert_int_eq(artv_model_open(tiny_model_dir().c_str(), &mp, &model), ARTV_ERR_INVALID_ARGUMENT);
    mp.device = "cpu";
    mp.dtype = "fp16";
    ck_assert_int_eq(artv_model_open(tiny_model_dir().c_str(), &mp, &model), ARTV_ERR_DEVICE);
    mp.dtype = "int8";
    ck_assert_int_eq(artv_model_open(tiny_model_dir().c_str(), &mp, &model), ARTV_ERR_INVALID_ARGUMENT);
    mp.dtype = "fp32";
    mp.threads = -1;
    ck_assert_int_eq(artv_model_open(tiny_model_dir().c_str(), &mp, &model), ARTV_ERR_INVALID_ARGUMENT);
    ck_assert_int_eq(artv_model_open(tiny_model_dir().c_str(), &mp, nullptr), ARTV_ERR_INVALID_ARGUMENT);
    // CUDA on a machine without it: our message, not LibTorch's.
    if (!torch::cuda::is_available()) {
        mp.threads = 1;
        for (const char *dev : {"cuda", "cuda:0", "CUDA:1"}) {
            mp.device = dev;
            ck_assert_int_eq(artv_model_open(tiny_model_dir().c_str(), &mp, &model), ARTV_ERR_DEVICE);
            ck_assert_msg(std::strstr(artv_last_error(), "CUDA requested but no CUDA device is available"),
                          "message: %s", artv_last_error());
        }
    }
    // Model info of a good open.
    mp = artv_model_default_params();
    mp.device = "cpu";
    mp.dtype = "fp32";
    mp.threads = 1;
    ck_assert_int_eq(artv_model_open(tiny_model_dir().c_str(), &mp, &model), ARTV_OK);
    artv_model_info info;
    ck_assert_int_eq(artv_model_get_info(model, &info), ARTV_OK);
    ck_assert_str_eq(info.name, "test-tiny");
    ck_assert_int_eq(info.native_short_side, 64);
    ck_assert_int_eq(info.size_multiple, 16);
    ck_assert_int_eq(info.default_steps, 4);
    ck_assert_str_eq(info.default_sampler, "dpmpp_2s_ancestral");
    ck_assert_str_eq(info.device, "cpu");
    ck_assert_str_eq(info.dtype, "fp32");
    ck_assert(info.parameters > 0);
    ck_assert_int_eq(artv_model_get_info(model, nullptr), ARTV_ERR_INVALID_ARGUMENT);
    artv_model_close(model);
    artv_model_close(nullptr);
}
END_TEST

START_TEST(test_two_threads_one_model) {
    artv_model *model = open_tiny();
    auto run = [model](uint64_t seed, std::vector<std::vector<uint8_t>> *out) {
        artv_session_params p = fast_params(seed);
        p.sampler = ARTV_SAMPLER_DPMPP_2S_ANCESTRAL;
        artv_session *s = nullptr;
        if (artv_session_new(model, &p, &s) != ARTV_OK) return;
        artv_session_set_prompt(s, seed == 5 ? "a red square" : "a green star");
        for (int i = 0; i < 3; ++i) {
            std::vector<uint8_t> rgb(W * H * 3);
            if (artv_session_next_frame(s, rgb.data(), W, H, 3 * W) != ARTV_OK) break;
            out->push_back(rgb);
        }
        artv_session_free(s);
    };
    std::vector<std::vector<uint8_t>> serial_a, serial_b, par_a, par_b;
    run(5, &serial_a);
    run(6, &serial_b);
    std::thread ta(run, 5, &par_a), tb(run, 6, &par_b);
    ta.join();
    tb.join();
    ck_assert_int_eq(serial_a.size(), 3);
    ck_assert_int_eq(par_a.size(), 3);
    ck_assert_int_eq(par_b.size(), 3);
    for (int i = 0; i < 3; ++i) {
        ck_assert_msg(par_a[i] == serial_a[i], "thread A frame %d differs from the serial run", i);
        ck_assert_msg(par_b[i] == serial_b[i], "thread B frame %d differs from the serial run", i);
    }
    artv_model_close(model);
}
END_TEST

START_TEST(test_frame_conversion) {
    // Same size: bytes survive the round trip exactly, stride padding is respected.
    const int w = 7, h = 5, stride = 3 * w + 4;
    std::vector<uint8_t> in(stride * h, 0xEE), out(stride * h, 0xAB);
    for (int y = 0; y < h; ++y)
        for (int x = 0; x < 3 * w; ++x) in[y * stride + x] = static_cast<uint8_t>(y * 31 + x * 7);
    torch::Tensor img = artv::rgb24_to_image(in.data(), w, h, stride, w, h, torch::kCPU, torch::kFloat32);
    ck_assert_int_eq(img.size(1), 3);
    ck_assert_int_eq(img.size(2), h);
    ck_assert_int_eq(img.size(3), w);
    ck_assert_float_eq_tol(img[0][1][2][3].item<float>(), (2 * 31 + (3 * 3 + 1) * 7) / 255.0f, 1e-6f);
    artv::image_to_rgb24(img, out.data(), w, h, stride);
    for (int y = 0; y < h; ++y) {
        ck_assert_int_eq(std::memcmp(&in[y * stride], &out[y * stride], 3 * w), 0);
        ck_assert_int_eq(out[y * stride + 3 * w], 0xAB);  // padding untouched
    }
    // A uniform colour stays uniform through shrinking and growing.
    std::vector<uint8_t> flat(40 * 30 * 3);
    for (size_t i = 0; i < flat.size(); ++i) flat[i] = (i % 3 == 0) ? 200 : (i % 3 == 1) ? 10 : 90;
    torch::Tensor small = artv::rgb24_to_image(flat.data(), 40, 30, 120, 16, 16, torch::kCPU, torch::kFloat32);
    std::vector<uint8_t> big(101 * 77 * 3);
    artv::image_to_rgb24(small, big.data(), 101, 77, 303);
    for (size_t i = 0; i < big.size(); ++i) ck_assert_int_eq(big[i], flat[i % 3]);
}
END_TEST

START_TEST(test_generation_size) {
    using artv::default_generation_size;
    auto s = default_generation_size({1920, 1080}, 512, 64, 2048);
    ck_assert_int_eq(s.width, 896);
    ck_assert_int_eq(s.height, 512);
    s = default_generation_size({480, 640}, 64, 16, 2048);  // portrait
    ck_assert_int_eq(s.width, 64);
    ck_assert_int_eq(s.height, 80);  // 85.3 -> 80
    s = default_generation_size({10000, 100}, 512, 64, 2048);  // bounded by max_size
    ck_assert_int_eq(s.width, 2048);
    ck_assert_int_eq(s.height, 64);
    s = default_generation_size({0, 0}, 64, 16, 2048);  // unknown aspect: square
    ck_assert_int_eq(s.width, 64);
    ck_assert_int_eq(s.height, 64);
}
END_TEST

static Suite *suite(void) {
    Suite *s = suite_create("session");
    TCase *modes = tcase_create("modes");
    tcase_add_test(modes, test_t2v);
    tcase_add_test(modes, test_ti2v_and_default_size);
    tcase_add_test(modes, test_continue_clip);
    tcase_add_test(modes, test_multi_prompt_t2v);
    tcase_add_test(modes, test_multi_prompt_continue_and_policies);
    suite_add_tcase(s, modes);
    TCase *gen = tcase_create("generation");
    tcase_add_test(gen, test_deterministic_by_seed);
    tcase_add_test(gen, test_denoiser_calls);
    tcase_add_test(gen, test_cfg_text_t2v);
    tcase_add_test(gen, test_cfg_sigma_min);
    tcase_add_test(gen, test_reference_motion);
    tcase_add_test(gen, test_abort_and_progress);
    tcase_add_test(gen, test_two_threads_one_model);
    suite_add_tcase(s, gen);
    TCase *errors = tcase_create("errors");
    tcase_add_test(errors, test_bad_session_params);
    tcase_add_test(errors, test_bad_frames_keep_session_usable);
    tcase_add_test(errors, test_numeric_error_names_frame);
    tcase_add_test(errors, test_model_open_errors);
    suite_add_tcase(s, errors);
    TCase *units = tcase_create("units");
    tcase_add_test(units, test_frame_conversion);
    tcase_add_test(units, test_generation_size);
    suite_add_tcase(s, units);
    return s;
}

ARTV_TEST_MAIN(suite)
