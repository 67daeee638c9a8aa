// core/train data side (docs/TRAINING.md "Data threads"): a step's samples drawn on several
// threads are bit-identical to the sequential draw, for both tasks, on the renderer with photos
// (clip cache and photo decoding shared by the threads) and on real videos; training with data
// threads ends on the same weights and loss; the latent cache encoding several frames per VAE
// call gives the latents of one-at-a-time encoding to float rounding.
#include <cmath>
#include <map>
#include <string>
#include <tuple>
#include <vector>

#include "data/dataset.h"
#include "io/video_writer.h"
#include "train/distributed.h"
#include "train/latent_cache.h"
#include "train/train_config.h"
#include "train/training_data.h"
#include "train/vae_task.h"
#include "train/worker_pool.h"
#include "test_train_util.h"
#include "tempdir.h"
#include "testutil.h"
#include "util/error.h"

using namespace artv;
using namespace artv::test;

namespace {

// A 64x64 RGB frame with structure everywhere: a gradient plus a moving square.
Frame pattern_frame(int w, int h, int phase) {
    Frame f(w, h);
    for (int y = 0; y < h; ++y)
        for (int x = 0; x < w; ++x) {
            uint8_t *p = f.pixel(x, y);
            const bool square = std::abs(x - 10 - 3 * phase) < 8 && std::abs(y - h / 2) < 8;
            p[0] = uint8_t(square ? 240 : 2 * x + phase);
            p[1] = uint8_t(square ? 30 : 3 * y);
            p[2] = uint8_t((x * y + 7 * phase) & 255);
        }
    return f;
}

// Data options over files in `dir`: "photos" = the renderer with a 2-photo library and a
// small clip pool (so threads often want the same clip at once); "videos" = two short videos.
void use_data(TrainConfig &c, const TempDir &dir, const std::string &kind) {
    if (kind == "photos") {
        write_png(dir.file("photo.png"), pattern_frame(200, 150, 0));
        write_png(dir.file("photo2.png"), pattern_frame(160, 160, 5));
        write_file(dir.file("photos.jsonl"),
                   "{\"path\": \"photo.png\", \"subject\": \"a pattern\", \"split\": \"train\"}\n"
                   "{\"path\": \"photo2.png\", \"subject\": \"a square\", \"split\": \"train\"}\n");
        c.data = "renderer";
        c.photos = dir.file("photos.jsonl");
        c.renderer_clips = 6;
    } else {
        for (const char *name : {"a.avi", "b.avi"}) {
            VideoWriterOptions wo;
            wo.codec = "mpeg4";
            VideoWriter w(dir.file(name), 64, 64, wo);
            for (int i = 0; i < 12; ++i) w.write(pattern_frame(64, 64, i + (name[0] == 'b' ? 3 : 0)));
            w.close();
        }
        write_file(dir.file("captions.csv"), "path,caption\na.avi,a red square moves right\nb.avi,another one\n");
        c.data = dir.file("captions.csv");
        c.data_cache = dir.file("clip-cache");
    }
}

TrainConfig data_config(const TempDir &dir, const std::string &kind, int threads) {
    TrainConfig c = tiny_train_config(dir.file("run-" + std::to_string(threads)));
    use_data(c, dir, kind);
    c.data_threads = threads;
    c.batch_size = 16;
    return c;
}

void expect_equal(const torch::Tensor &a, const torch::Tensor &b, const char *what, const std::string &kind) {
    ck_assert_msg(torch::equal(a, b), "%s: %s differs between 4 data threads and 1", kind.c_str(), what);
}

}  // namespace

// --renderer-min/max-camera-speed reach the renderer: pans and tilts at their own speed, the
// range recorded in the data description; a speed beyond 64 px/frame is refused.
START_TEST(test_camera_speed_options) {
    TempDir dir;
    TrainConfig c = data_config(dir, "photos", 1);
    c.renderer_camera_share = 1;
    c.renderer_camera_motions = "pan_left,tilt_up";
    c.renderer_min_camera_speed = 5;
    c.renderer_max_camera_speed = 6;
    TrainingData data = make_training_data(c, 64, 64, nullptr);
    auto *renderer = dynamic_cast<RendererSource *>(data.sources.at(0).get());
    ck_assert(renderer != nullptr);
    for (size_t i = 0; i < renderer->size(); ++i) {
        const ClipSpec s = renderer->spec(i);
        ck_assert_msg(s.camera_speed >= 5 && s.camera_speed <= 6, "clip %zu: %.2f px/frame", i, s.camera_speed);
    }
    ck_assert_msg(data.description.find("\"camera_speed\":[5.0,6.0]") != std::string::npos, "%s",
                  data.description.c_str());
    c.renderer_max_camera_speed = 65;
    try {
        validate_train_config(c);
        ck_abort_msg("a camera speed of 65 px/frame accepted");
    } catch (const Error &e) {
        ck_assert(std::string(e.what()).find("renderer_max_camera_speed") != std::string::npos);
    }
}
END_TEST

// --renderer-colours reaches the renderer: objects only in the named colours, in the
// repetitions' proportions where the background allows; an unknown name is refused by name.
START_TEST(test_renderer_colours_option) {
    TempDir dir;
    TrainConfig c = data_config(dir, "photos", 1);
    c.renderer_camera_share = 0;
    c.renderer_colours = "green,green,green,purple";
    TrainingData data = make_training_data(c, 64, 64, nullptr);
    auto *renderer = dynamic_cast<RendererSource *>(data.sources.at(0).get());
    ck_assert(renderer != nullptr);
    int green = 0, purple = 0;
    for (size_t i = 0; i < renderer->size(); ++i) {
        const Colour colour = renderer->spec(i).colour;
        ck_assert_msg(colour == Colour::Green || colour == Colour::Purple, "clip %zu: %s", i, colour_name(colour));
        (colour == Colour::Green ? green : purple)++;
    }
    ck_assert_msg(green > purple, "green %d, purple %d", green, purple);
    ck_assert_msg(data.description.find("\"colours\":\"green,green,green,purple\"") != std::string::npos, "%s",
                  data.description.c_str());
    c.renderer_colours = "green,teal";
    try {
        make_training_data(c, 64, 64, nullptr);
        ck_abort_msg("an unknown colour accepted");
    } catch (const Error &e) {
        ck_assert_msg(std::string(e.what()).find("\"teal\" is not one of: red, green") != std::string::npos, "%s", e.what());
    }
}
END_TEST

START_TEST(test_artv_batch_same_for_any_thread_count) {
    TempDir dir;
    auto nets = tiny_networks(1);
    for (const std::string kind : {"photos", "videos"}) {
        // Fresh data and cache per thread count: the threaded draw renders and decodes anew.
        std::vector<ArtvBatch> batches;
        for (int threads : {1, 4}) {
            const TrainConfig c = data_config(dir, kind, threads);
            TrainingData data = make_training_data(c, 64, 64, nullptr);
            if (kind == "photos") {
                // The pool draws on the photos (camera clips or photo backgrounds).
                const auto &r = dynamic_cast<const RendererSource &>(*data.sources[0]);
                int photo_clips = 0;
                for (size_t i = 0; i < r.size(); ++i)
                    photo_clips += r.spec(i).kind == ClipKind::Camera ||
                                   r.spec(i).background.kind == BackgroundKind::Photo;
                ck_assert_int_gt(photo_clips, 1);
            }
            ArtvTask task(c, nets, data.drawer, data.description);
            // Steps 0 and 3, the second micro-batch of 8 (as grad_accum 2 or rank 1 draws it).
            for (int64_t step : {0, 3}) batches.push_back(task.make_batch(step, 8, 8));
        }
        for (size_t i = 0; i < 2; ++i) {
            const ArtvBatch &a = batches[i], &b = batches[i + 2];
            const std::vector<std::tuple<const char *, torch::Tensor, torch::Tensor>> fields = {
                {"x0", a.x0, b.x0},          {"eps", a.eps, b.eps}, {"t", a.t, b.t}, {"x_t", a.x_t, b.x_t},
                {"refs", a.refs, b.refs},    {"anchor", a.anchor, b.anchor},        {"k", a.k, b.k},
                {"x_ref", a.x_ref, b.x_ref}};
            for (const auto &[what, x, y] : fields) expect_equal(x, y, what, kind);
            ck_assert(a.captions == b.captions);
            ck_assert(a.modes == b.modes);
        }
        // The draw covered the modes that need previous frames (so refs and anchors were real).
        int with_refs = 0;
        for (int m : batches[0].modes) with_refs += m != int(SampleMode::T2V);
        ck_assert_int_gt(with_refs, 2);
    }
}
END_TEST

START_TEST(test_vae_batch_same_for_any_thread_count) {
    TempDir dir;
    for (const std::string kind : {"photos", "videos"}) {
        std::vector<torch::Tensor> frames;
        std::vector<double> losses;
        for (int threads : {1, 4}) {
            TrainConfig c = data_config(dir, kind, threads);
            c.stage = "vae";
            TrainingData data = make_training_data(c, 64, 64, nullptr);
            VaeTask task(c, tiny_networks(2), data.drawer, data.description);
            frames.push_back(task.target_frames(16, 16));
            torch::NoGradGuard no_grad;
            losses.push_back(task.loss(1, 0, 16).loss.item<double>());
        }
        expect_equal(frames[0], frames[1], "VAE input frames", kind);
        ck_assert_msg(losses[0] == losses[1], "%s: VAE loss %.9g vs %.9g", kind.c_str(), losses[0], losses[1]);
    }
}
END_TEST

START_TEST(test_training_same_for_any_thread_count) {
    TempDir dir;
    std::vector<std::map<std::string, torch::Tensor>> weights;
    std::vector<double> losses;
    for (int threads : {1, 3}) {
        TrainConfig c = data_config(dir, "photos", threads);
        c.batch_size = 8;
        c.grad_accum = 2;
        c.steps = 4;
        c.log_every = 4;
        c.checkpoint_every = 4;
        TrainingData data = make_training_data(c, 64, 64, nullptr);
        ArtvTask task(c, tiny_networks(1), data.drawer, data.description);
        Distributed single(DistributedOptions{});
        TrainOutcome r = run_training(c, task, single, {});
        ck_assert_int_eq(r.step, 4);
        losses.push_back(r.last_loss);
        weights.push_back(checkpoint_tensors(c.out_dir + "/latest.safetensors"));
    }
    ck_assert_msg(losses[0] == losses[1], "loss %.9g (1 data thread) vs %.9g (3)", losses[0], losses[1]);
    ck_assert(!weights[0].empty() && weights[0].size() == weights[1].size());
    for (const auto &[name, t] : weights[0])
        if (name.rfind("model.", 0) == 0 || name.rfind("optim.", 0) == 0)
            ck_assert_msg(torch::equal(t, weights[1].at(name)), "%s differs", name.c_str());
}
END_TEST

START_TEST(test_encode_batch_matches_single_frames) {
    auto nets = tiny_networks(3);
    std::vector<Frame> owned;
    for (int i = 0; i < 9; ++i) owned.push_back(pattern_frame(64, 64, i));
    const Frame blank;
    // Nine distinct frames, a repeat of frame 2 and an empty frame: 3 VAE calls of 4, 4, 1.
    std::vector<const Frame *> frames;
    for (const Frame &f : owned) frames.push_back(&f);
    frames.insert(frames.begin() + 4, &owned[2]);
    frames.push_back(&blank);

    LatentCache single(1 << 24, 1), batched(1 << 24, 4);
    WorkerPool pool(3);
    const torch::Tensor a = single.encode(*nets, frames), b = batched.encode(*nets, frames, &pool);
    ck_assert(a.sizes() == b.sizes());
    ck_assert_int_eq(a.size(0), 11);
    const double diff = (a - b).abs().max().item<double>();
    std::fprintf(stderr, "encode_batch 4 vs 1: max |diff| %.3g\n", diff);
    ck_assert_msg(diff < 1e-5, "batched latents differ by %g", diff);
    ck_assert(torch::equal(b[4], b[2]));
    ck_assert(b[10].abs().max().item<double>() == 0);
    ck_assert_int_eq(batched.misses(), 9);
    ck_assert_int_eq(batched.hits(), 1);
    ck_assert_int_eq(batched.entries(), 9);
    // Cached now: the same latents without another VAE call.
    ck_assert(torch::equal(batched.encode(*nets, frames), b));
    ck_assert_int_eq(batched.misses(), 9);
    // One at a time, a frame's latent does not depend on what else the call encodes.
    LatentCache fresh(1 << 24, 1);
    ck_assert(torch::equal(fresh.encode(*nets, {&owned[7]})[0], a[8]));
}
END_TEST

static Suite *data_suite(void) {
    Suite *s = suite_create("train_data");
    TCase *tc = tcase_create("data");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, test_camera_speed_options);
    tcase_add_test(tc, test_renderer_colours_option);
    tcase_add_test(tc, test_artv_batch_same_for_any_thread_count);
    tcase_add_test(tc, test_vae_batch_same_for_any_thread_count);
    tcase_add_test(tc, test_training_same_for_any_thread_count);
    tcase_add_test(tc, test_encode_batch_matches_single_frames);
    suite_add_tcase(s, tc);
    return s;
}

ARTV_TEST_MAIN(data_suite)
