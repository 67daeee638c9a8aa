// core/train: the ARTV training step and loop on the test-tiny model (issue 5 "What it must
// show"): the loss falls on a tiny fixed data set; a run stopped mid-way and resumed ends with
// bit-identical weights, EMA and optimizer state; a checkpoint that cannot be written leaves
// the previous one intact; the training form of the networks' noise estimate equals the
// sampler's denoiser on the same noisy latent; bf16 autocast trains.
#include <sys/resource.h>

#include <csignal>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <map>
#include <string>

#include <ATen/autocast_mode.h>

#include "diffusion/artv_denoiser.h"
#include "diffusion/schedule.h"
#include "train/checkpoint.h"
#include "train/distributed.h"
#include "train/mdm_loss.h"
#include "model/reference_motion.h"
#include "model_testutil.h"
#include "test_train_util.h"
#include "tempdir.h"
#include "testutil.h"

using namespace artv;
using namespace artv::test;

namespace {

TrainOutcome train(const TrainConfig &c, std::shared_ptr<ArtvNetworks> nets,
                   std::shared_ptr<SampleDrawer> drawer, bool resume) {
    ArtvTask task(c, nets, drawer, "{\"test\": 1}");
    Distributed single(DistributedOptions{});
    TrainRunOptions o;
    o.resume = resume;
    return run_training(c, task, single, o);
}

// The mean loss of steps [0, steps) of the fixed draws, without gradients.
double fixed_loss(ArtvTask &task, int steps, int64_t batch) {
    torch::NoGradGuard no_grad;
    task.set_training(false);
    double sum = 0;
    for (int s = 0; s < steps; ++s) sum += task.loss(s, 0, batch).loss.item<double>();
    task.set_training(true);
    return sum / steps;
}

}  // namespace

START_TEST(test_loss_falls) {
    TempDir dir;
    TrainConfig c = tiny_train_config(dir.path());
    c.steps = 40;
    c.checkpoint_every = 40;
    c.log_every = 40;
    auto nets = tiny_networks(1);
    auto drawer = tiny_drawer(2, 11);
    ArtvTask task(c, nets, drawer, "{}");
    const double before = fixed_loss(task, 4, 8);
    Distributed single(DistributedOptions{});
    TrainOutcome r = run_training(c, task, single, {});
    ck_assert_int_eq(r.step, 40);
    ck_assert(!r.interrupted);
    const double after = fixed_loss(task, 4, 8);
    std::fprintf(stderr, "test_loss_falls: fixed-draw loss %.4f -> %.4f after 40 steps\n", before, after);
    ck_assert_msg(std::isfinite(after) && after < 0.6 * before,
                  "loss did not fall clearly: %.4f -> %.4f", before, after);
    // The CSV holds one row per logged step.
    std::ifstream csv(loss_csv_path(dir.path()));
    std::string header, row;
    std::getline(csv, header);
    ck_assert_str_eq(header.c_str(), "step,loss,mask_mean,lr,grad_norm,samples_per_s");
    ck_assert(std::getline(csv, row) && row.rfind("40,", 0) == 0);
}
END_TEST

START_TEST(test_resume_is_bit_identical) {
    TempDir a, b;
    TrainConfig ca = tiny_train_config(a.path());
    TrainConfig cb = tiny_train_config(b.path());
    cb.stop_at_step = 6;  // as if interrupted after step 6 (not a checkpoint multiple)
    auto drawer = tiny_drawer(3, 5);

    train(ca, tiny_networks(3), drawer, false);
    TrainOutcome first = train(cb, tiny_networks(3), drawer, false);
    ck_assert(first.interrupted);
    ck_assert_int_eq(first.step, 6);
    // A new process: fresh networks (other random init), fresh latent cache, resumed.
    TrainOutcome second = train(cb, tiny_networks(99), tiny_drawer(3, 5), true);
    ck_assert(!second.interrupted);
    ck_assert_int_eq(second.step, 12);

    auto ta = checkpoint_tensors(latest_checkpoint_path(a.path()));
    auto tb = checkpoint_tensors(latest_checkpoint_path(b.path()));
    ck_assert_int_eq(ta.size(), tb.size());
    int compared = 0;
    for (const auto &[name, t] : ta) {
        ck_assert_msg(tb.count(name), "resumed checkpoint lacks %s", name.c_str());
        if (name == "rng.torch") continue;
        ck_assert_msg(torch::equal(t, tb.at(name)), "%s differs after resume", name.c_str());
        ++compared;
    }
    ck_assert_int_gt(compared, 100);
    // Also the same as a run that trained in one go: the loss log reads as one run.
    std::ifstream la(loss_csv_path(a.path())), lb(loss_csv_path(b.path()));
    std::string line_a, line_b;
    int rows = 0;
    while (std::getline(la, line_a)) {
        ck_assert(std::getline(lb, line_b));
        ck_assert_string_eq(line_a.substr(0, line_a.find(',', line_a.find(',') + 1)),
                            line_b.substr(0, line_b.find(',', line_b.find(',') + 1)));
        ++rows;
    }
    ck_assert_int_eq(rows, 1 + 3);
}
END_TEST

START_TEST(test_existing_checkpoint_needs_resume) {
    TempDir dir;
    TrainConfig c = tiny_train_config(dir.path());
    c.steps = 2;
    auto drawer = tiny_drawer(2, 1);
    train(c, tiny_networks(1), drawer, false);
    expect_error([&] { train(c, tiny_networks(1), drawer, false); }, ARTV_ERR_STATE, {"--resume"});
    TempDir empty;
    TrainConfig ce = tiny_train_config(empty.path());
    expect_error([&] { train(ce, tiny_networks(1), drawer, true); }, ARTV_ERR_IO, {"no checkpoint"});
}
END_TEST

START_TEST(test_failed_checkpoint_keeps_previous) {
    TempDir dir;
    TrainConfig c = tiny_train_config(dir.path());
    c.steps = 2;
    c.checkpoint_every = 2;
    auto drawer = tiny_drawer(2, 3);
    train(c, tiny_networks(2), drawer, false);
    const std::string latest = latest_checkpoint_path(dir.path());
    const std::string before = read_file(latest);
    ck_assert_int_gt(before.size(), 100000);

    // Out of disk while writing: a file-size limit makes the write fail (EFBIG) even as root.
    std::signal(SIGXFSZ, SIG_IGN);
    struct rlimit old_limit;
    getrlimit(RLIMIT_FSIZE, &old_limit);
    struct rlimit small = old_limit;
    small.rlim_cur = 64 * 1024;
    ck_assert_int_eq(setrlimit(RLIMIT_FSIZE, &small), 0);
    c.steps = 4;
    std::string msg;
    try {
        train(c, tiny_networks(2), drawer, true);
    } catch (const Error &e) {
        msg = e.what();
        ck_assert_int_eq(e.status(), ARTV_ERR_IO);
    }
    setrlimit(RLIMIT_FSIZE, &old_limit);
    ck_assert_msg(msg.find("previous checkpoint is kept") != std::string::npos, "message: %s", msg.c_str());
    ck_assert(read_file(latest) == before);
    SafeTensorsFile f = SafeTensorsFile::open(latest);
    ck_assert_int_eq(read_checkpoint_info(f).step, 2);
    for (const auto &e : std::filesystem::directory_iterator(dir.path())) {
        const std::string name = e.path().filename().string();
        ck_assert_msg(name == "latest.safetensors" || name == "loss.csv" || name == "train_config.json",
                      "stray file %s after a failed checkpoint", name.c_str());
    }
}
END_TEST

// A gradient that turns NaN at one step (the loss stays finite): the run stops with
// ARTV_ERR_NUMERIC naming the step, before the update, so the weights stay finite and the last
// checkpoint is the one before (never one of NaN weights).
START_TEST(test_nonfinite_gradient_stops_before_update) {
    class PoisonedStep : public TrainTask {
    public:
        PoisonedStep(ArtvTask &inner, int64_t bad_step) : inner_(inner), bad_step_(bad_step) {}
        NamedTensors trainable() override { return inner_.trainable(); }
        NamedTensors model_state() override { return inner_.model_state(); }
        std::string model_config_json() const override { return inner_.model_config_json(); }
        std::vector<std::string> metric_names() const override { return inner_.metric_names(); }
        TaskLoss loss(int64_t step, int64_t first, int64_t count) override {
            TaskLoss l = inner_.loss(step, first, count);
            if (step == bad_step_) {
                // sqrt(0 * w): value 0, gradient inf * 0 = NaN.
                const torch::Tensor w = inner_.trainable().front().second;
                l.loss = l.loss + torch::sqrt(w.flatten()[0] * 0.0);
            }
            return l;
        }
    private:
        ArtvTask &inner_;
        int64_t bad_step_;
    };
    TempDir dir;
    TrainConfig c = tiny_train_config(dir.path());
    c.steps = 6;
    c.checkpoint_every = 2;
    c.log_every = 1;
    ArtvTask inner(c, tiny_networks(4), tiny_drawer(2, 7), "{}");
    PoisonedStep task(inner, 3); // the 4th step
    Distributed single(DistributedOptions{});
    expect_error([&] { run_training(c, task, single, {}); }, ARTV_ERR_NUMERIC,
                 {"gradient is not finite at step 4", "not updated"});
    for (const auto &[name, t] : inner.trainable())
        ck_assert_msg(torch::isfinite(t).all().item<bool>(), "%s not finite", name.c_str());
    SafeTensorsFile f = SafeTensorsFile::open(latest_checkpoint_path(dir.path()));
    ck_assert_int_eq(read_checkpoint_info(f).step, 2);
}
END_TEST

// The networks see the same input in training (x_t at integer t, VP form) and in sampling
// (c_in * x at sigma_t, sigma form), and the masked-diffusion mix is the same: the denoiser's
// D(x, sigma) = x - sigma * eps_hat with eps_hat from predict_eps_train.
static void check_training_form_matches_sampler(const std::string &prediction) {
    auto nets = tiny_networks(4, prediction);
    randomize(nets->modules(), 17, 0.1);  // non-zero output layers: a real eps and mask
    TempDir dir;
    TrainConfig c = tiny_train_config(dir.path());
    c.p_drop_refs = c.p_drop_anchor = c.p_drop_text = 0;
    c.p_mode_continue = 1;
    c.p_mode_animate = c.p_mode_t2v = 0;
    ArtvTask task(c, nets, tiny_drawer(2, 9, 1, 0, 0), "{}");
    torch::NoGradGuard no_grad;
    ArtvBatch b = task.make_batch(0, 0, 1);
    const Schedule &sched = task.schedule();
    for (int t : {37, 500, 930}) {
        torch::Tensor tt = torch::full({1}, t, torch::kInt64);
        torch::Tensor x_t = sched.q_sample(b.x0, tt, b.eps);
        FrameConditions fc{b.refs, b.anchor, nets->encode_text(b.captions), b.k.to(torch::kFloat32), b.motion};
        PreparedConditions prep = nets->prepare(fc);
        TrainPrediction pred = predict_eps_train(*nets, sched, x_t, tt, prep, b.x_ref, true);

        EpsFn eps_fn = [&](const at::Tensor &x_in, const at::Tensor &tf, size_t) {
            EpsEval ev;
            ev.eps = nets->eps(x_in, tf, prep);
            ev.mask = nets->mask(x_in, tf, prep);
            return ev;
        };
        Denoiser d = make_artv_denoiser(sched, eps_fn, {{Cond::RAT, 1.0}}, b.x_ref, true, true);
        const double sigma = sched.sigma_at(t);
        const torch::Tensor x = x_t / std::sqrt(sched.alphas_cumprod()[t]);
        const torch::Tensor expected = x - sigma * pred.eps_hat;
        const torch::Tensor got = d(x, sigma);
        const double scale = expected.abs().max().item<double>();
        const double err = (got - expected).abs().max().item<double>();
        std::fprintf(stderr, "%s t=%d: |D_sampler - D_train| = %.3g (scale %.3g)\n", prediction.c_str(), t,
                     err, scale);
        // float32 rounding of x_t <-> c_in * x (one multiply and divide): a few ulps of the scale.
        ck_assert_msg(err <= 2e-5 * std::max(1.0, scale), "%s t=%d: training and sampling forms differ by %g",
                      prediction.c_str(), t, err);
    }
}

START_TEST(test_training_form_equals_sampler_form) {
    check_training_form_matches_sampler("eps");
    check_training_form_matches_sampler("v");
}
END_TEST

START_TEST(test_condition_dropout_and_modes) {
    TempDir dir;
    TrainConfig c = tiny_train_config(dir.path());
    c.p_drop_refs = 1;  // every reference dropped: zero refs and zero x_ref
    c.p_drop_text = 1;
    c.use_anchor = false;
    auto nets = tiny_networks(5);
    ArtvTask task(c, nets, tiny_drawer(2, 4), "{}");
    torch::NoGradGuard no_grad;
    ArtvBatch b = task.make_batch(3, 0, 8);
    ck_assert(b.refs.abs().max().item<double>() == 0);
    ck_assert(b.x_ref.abs().max().item<double>() == 0);
    ck_assert(b.anchor.abs().max().item<double>() == 0);
    for (const auto &cap : b.captions) ck_assert(cap.empty());

    TrainConfig k = tiny_train_config(dir.path());
    k.p_drop_refs = k.p_drop_anchor = k.p_drop_text = 0;
    ArtvTask keep(k, nets, tiny_drawer(2, 4), "{}");
    ArtvBatch kb = keep.make_batch(3, 0, 8);
    int t2v = 0;
    for (int i = 0; i < 8; ++i) {
        const bool blank = kb.modes[size_t(i)] == int(SampleMode::T2V);
        t2v += blank;
        // T2V: blank references and anchor are the zero latent; otherwise they carry a frame.
        ck_assert((kb.refs[i].abs().max().item<double>() == 0) == blank);
        ck_assert((kb.x_ref[i].abs().max().item<double>() == 0) == blank);
        ck_assert(kb.t[i].item<int64_t>() >= 0 && kb.t[i].item<int64_t>() < 1000);
        ck_assert(kb.k[i].item<int64_t>() >= 0 && kb.k[i].item<int64_t>() <= k.max_noise_level);
        ck_assert(!kb.captions[size_t(i)].empty());
    }
    // Draws are a pure function of (seed, step, index): the same batch again, and sample 5
    // alone equals row 5 of the batch.
    ArtvBatch again = keep.make_batch(3, 0, 8);
    ck_assert(torch::equal(again.x_t, kb.x_t) && torch::equal(again.refs, kb.refs));
    ArtvBatch row = keep.make_batch(3, 5, 1);
    ck_assert(torch::equal(row.x_t[0], kb.x_t[5]) && torch::equal(row.anchor[0], kb.anchor[5]));

    // p_drop_text_continue drops the caption of continue samples alone; every other draw is
    // the one of the run without it.
    TrainConfig ct = k;
    ct.p_drop_text_continue = 1;
    ArtvTask cont(ct, nets, tiny_drawer(2, 4), "{}");
    ArtvBatch cb = cont.make_batch(3, 0, 16);
    ArtvBatch base = keep.make_batch(3, 0, 16);
    int continues = 0, others = 0;
    for (size_t i = 0; i < 16; ++i) {
        const bool is_continue = cb.modes[i] == int(SampleMode::Continue);
        continues += is_continue;
        others += !is_continue;
        ck_assert(cb.captions[i].empty() == is_continue);
        ck_assert(cb.modes[i] == base.modes[i]);
    }
    ck_assert(continues > 0 && others > 0);
    ck_assert(torch::equal(cb.x_t, base.x_t) && torch::equal(cb.refs, base.refs));
}
END_TEST

// The motion embedding's input (artv.motion_embed): each row is reference_motion() of the
// sample's x_{t-2}, x_{t-1}; zero where the references are one still frame (animate), blank
// (T2V) or dropped; undefined for networks without the addition. reference_motion() itself
// finds a known shift.
START_TEST(test_reference_motion_rows) {
    TempDir dir;
    TrainConfig k = tiny_train_config(dir.path());
    k.p_drop_refs = k.p_drop_anchor = k.p_drop_text = 0;
    ModelConfig mc = tiny_model_config();
    mc.artv.motion_embed = true;
    auto nets = ArtvNetworks::create_random(mc, 5, torch::kCPU, torch::kFloat32, tiny_tokenizer());
    auto drawer = tiny_drawer(2, 4);
    ArtvTask task(k, nets, drawer, "{}");
    torch::NoGradGuard no_grad;
    const int64_t step = 3, n = 8;
    ArtvBatch b = task.make_batch(step, 0, n);
    ck_assert(b.motion.dim() == 2 && b.motion.size(0) == n && b.motion.size(1) == 2);
    int continues = 0;
    for (int64_t i = 0; i < n; ++i) {
        const TrainSample s = drawer->sample(uint64_t(step * k.batch_size + i));
        ck_assert_int_eq(int(s.mode), b.modes[size_t(i)]);
        ck_assert(torch::equal(b.motion[i], reference_motion(s.ref1, s.ref2, mc.latent.downsample)));
        if (s.mode == SampleMode::Continue) ++continues;
        else ck_assert(b.motion[i].abs().max().item<double>() == 0);
    }
    ck_assert(continues > 0);
    TrainConfig d = k;
    d.p_drop_refs = 1;
    ck_assert(ArtvTask(d, nets, drawer, "{}").make_batch(step, 0, n).motion.abs().max().item<double>() == 0);
    ck_assert(!ArtvTask(k, tiny_networks(5), drawer, "{}").make_batch(step, 0, n).motion.defined());
    ck_assert(std::isfinite(task.loss(step, 0, 4).loss.item<double>()));  // the networks read it

    // A crop moved 3 px left in the frame: the content moved 3 px right, 3/8 of a latent pixel.
    const Frame big = drawer->sample(0).target;
    const at::Tensor m = reference_motion(crop_frame(big, 8, 8, 48, 48), crop_frame(big, 5, 8, 48, 48), 8);
    std::fprintf(stderr, "reference_motion of a 3 px shift: %.4f, %.4f latent px\n", m[0].item<double>(),
                 m[1].item<double>());
    ck_assert(std::abs(m[0].item<double>() - 3.0 / 8) < 0.03 && std::abs(m[1].item<double>()) < 0.03);
    expect_error([&] { reference_motion(big, crop_frame(big, 0, 0, 48, 48), 8); }, ARTV_ERR_INVALID_ARGUMENT,
                 {"differ in size"});

    // shift_latents: a whole-pixel move is exact, the uncovered edge repeats, zero motion is
    // the identity bit for bit.
    const torch::Tensor z = torch::randn({2, 4, 8, 8});
    const torch::Tensor moved = shift_latents(z, torch::tensor({2.0f, -1.0f, 0.0f, 0.0f}).view({2, 2}));
    ck_assert(torch::allclose(moved[0].slice(2, 2).slice(1, 0, 7), z[0].slice(2, 0, 6).slice(1, 1), 1e-5, 1e-6));
    ck_assert(torch::allclose(moved[0].select(2, 0), moved[0].select(2, 2), 1e-5, 1e-6));
    ck_assert(torch::equal(moved[1], z[1]));

    // artv.motion_warp: the static reference x_ref is x_{t-1} moved on by the row's motion.
    ModelConfig wc = mc;
    wc.artv.motion_warp = true;
    ArtvTask warp(k, ArtvNetworks::create_random(wc, 5, torch::kCPU, torch::kFloat32, tiny_tokenizer()), drawer, "{}");
    ArtvBatch wb = warp.make_batch(step, 0, n);
    ck_assert(torch::equal(wb.motion, b.motion));
    ck_assert(torch::allclose(wb.x_ref, shift_latents(b.x_ref, b.motion), 1e-5, 1e-6));
    ck_assert(!torch::equal(wb.x_ref, b.x_ref));

    // artv.motion_warp_pixels: x_{t-1} decoded, moved by motion × downsample pixels, encoded
    // again; rows that do not move stay as they are, bit for bit; the networks' own latents.
    ModelConfig pc = wc;
    pc.artv.motion_warp_pixels = true;
    auto pixel_nets = ArtvNetworks::create_random(pc, 5, torch::kCPU, torch::kFloat32, tiny_tokenizer());
    ArtvTask pixels(k, pixel_nets, drawer, "{}");
    ArtvBatch pb = pixels.make_batch(step, 0, n);
    ck_assert(torch::equal(pb.motion, b.motion));
    const torch::Tensor by_hand = pixel_nets->encode_frames(
        shift_latents(pixel_nets->decode_latents(b.x_ref), b.motion * double(pc.latent.downsample)));
    int moved_rows = 0;
    for (int64_t i = 0; i < n; ++i) {
        if (b.motion[i].abs().max().item<double>() == 0) {
            ck_assert(torch::equal(pb.x_ref[i], b.x_ref[i]));
        } else {
            ++moved_rows;
            ck_assert(torch::allclose(pb.x_ref[i], by_hand[i], 1e-4, 1e-5));
            ck_assert(!torch::allclose(pb.x_ref[i], wb.x_ref[i], 1e-3, 1e-4));  // not the latent move
        }
    }
    ck_assert(moved_rows > 0);
    ck_assert(torch::equal(pixel_nets->warp_reference(b.x_ref, torch::zeros({n, 2})), b.x_ref));
}
END_TEST

START_TEST(test_bf16_autocast_step) {
    TempDir dir;
    TrainConfig c = tiny_train_config(dir.path());
    auto nets = tiny_networks(6);
    ArtvTask task(c, nets, tiny_drawer(2, 2), "{}");
    TaskLoss l;
    {
        CpuAutocast autocast(true);
        l = task.loss(0, 0, 2);
    }
    ck_assert(!at::autocast::is_cpu_enabled());
    ck_assert(l.loss.scalar_type() == torch::kFloat32);
    ck_assert(std::isfinite(l.loss.item<double>()));
    l.loss.backward();
    int with_grad = 0;
    for (auto &[name, p] : task.trainable()) {
        if (!p.grad().defined()) continue;
        ck_assert_msg(p.grad().scalar_type() == torch::kFloat32, "%s: grad not fp32", name.c_str());
        ck_assert_msg(torch::isfinite(p.grad()).all().item<bool>(), "%s: grad not finite", name.c_str());
        ++with_grad;
    }
    ck_assert_int_gt(with_grad, 50);
}
END_TEST

static Suite *train_suite(void) {
    Suite *s = suite_create("train");
    TCase *tc = tcase_create("artv");
    tcase_set_timeout(tc, 300);
    tcase_add_test(tc, test_loss_falls);
    tcase_add_test(tc, test_resume_is_bit_identical);
    tcase_add_test(tc, test_existing_checkpoint_needs_resume);
    tcase_add_test(tc, test_failed_checkpoint_keeps_previous);
    tcase_add_test(tc, test_nonfinite_gradient_stops_before_update);
    tcase_add_test(tc, test_training_form_equals_sampler_form);
    tcase_add_test(tc, test_condition_dropout_and_modes);
    tcase_add_test(tc, test_reference_motion_rows);
    tcase_add_test(tc, test_bf16_autocast_step);
    suite_add_tcase(s, tc);
    return s;
}

ARTV_TEST_MAIN(train_suite)
