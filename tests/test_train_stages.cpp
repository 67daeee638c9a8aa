// core/train stages end to end on the procedural renderer (docs/TRAINING.md): the tokenizer
// trained on the captions, the VAE stage (loss falls, scale factor measured), export of a run as
// a model directory that ArtvNetworks::load opens, the artv stage from that export; and the
// data checks before training: bad caption lines and unreadable videos reported and skipped,
// a captions file that yields nothing (or does not exist) an error before any step; a VAE
// decoder trained on for a model, its encoder and other networks kept.
#include <cmath>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "io/tokenizer.h"
#include "io/video_writer.h"
#include "model/unet.h"
#include "model/vae.h"
#include "train/checkpoint.h"
#include "train/distributed.h"
#include "train/stages.h"
#include "train/vae_task.h"
#include "train/training_data.h"
#include "test_train_util.h"
#include "tempdir.h"
#include "testutil.h"

using namespace artv;
using namespace artv::test;

namespace {

TrainConfig renderer_config(const std::string &dir) {
    TrainConfig c = tiny_train_config(dir);
    c.data = "renderer";
    c.photos = "none";
    c.renderer_clips = 64;
    c.model_config = tiny_model_config_path();
    return c;
}

}  // namespace

START_TEST(test_tokenizer_stage) {
    TempDir dir;
    TrainConfig c = renderer_config(dir.path());
    c.vocab_size = 60;
    std::ostringstream log;
    const int64_t n = run_tokenizer_stage(c, dir.file("tok.model"), &log);
    ck_assert_int_gt(n, 20);
    ck_assert_int_le(n, 60);
    Tokenizer tok = Tokenizer::load(dir.file("tok.model"), 16);
    TrainingData data = make_training_data(c, 64, 64, nullptr);
    const std::vector<std::string> captions = training_captions(data);
    ck_assert_int_eq(captions.size(), 64);
    // Every caption of the data round-trips (full character coverage, identity normalisation).
    for (size_t i = 0; i < 10; ++i) {
        std::vector<int> ids = tok.pieces(captions[i]);
        ck_assert(!ids.empty());
        const std::string back = tok.decode(std::vector<int64_t>(ids.begin(), ids.end()));
        ck_assert_str_eq(back.c_str(), captions[i].c_str());
    }
    ck_assert(log.str().find("pieces from 64 captions") != std::string::npos);
}
END_TEST

START_TEST(test_vae_stage_export_and_artv_stage) {
    TempDir dir;
    // VAE: 40 steps on a tiny fixed set of rendered frames; the loss falls clearly.
    TrainConfig v = renderer_config(dir.file("vae-run"));
    v.stage = "vae";
    v.steps = 40;
    v.log_every = 20;
    v.checkpoint_every = 40;
    std::ostringstream log;
    {
        TrainingData data = make_training_data(v, 64, 64, nullptr);  // checks the renderer path
        ck_assert_int_eq(data.sources[0]->size(), 64);
        VaeTask task(v, build_training_networks(v), tiny_drawer(2, 3), data.description);
        auto fixed_loss = [&] {
            torch::NoGradGuard no_grad;
            double sum = 0;
            for (int s = 0; s < 3; ++s) sum += task.loss(s, 0, 4).loss.item<double>();
            return sum / 3;
        };
        const double before = fixed_loss(), rec_before = task.mean_reconstruction_l1(0, 0, 8);
        Distributed single(DistributedOptions{});
        TrainRunOptions ro;
        ro.log = &log;
        TrainOutcome r = run_training(v, task, single, ro);
        ck_assert_int_eq(r.step, 40);
        const double after = fixed_loss(), rec_after = task.mean_reconstruction_l1(0, 0, 8);
        std::fprintf(stderr, "vae stage: fixed-draw loss %.4f -> %.4f, |x - D(E(x))| %.4f -> %.4f\n", before,
                     after, rec_before, rec_after);
        ck_assert_msg(after < 0.6 * before, "VAE loss did not fall clearly: %.4f -> %.4f", before, after);
        ck_assert_msg(rec_after < 0.6 * rec_before, "VAE reconstruction did not improve: %.4f -> %.4f",
                      rec_before, rec_after);
    }
    std::ifstream csv(dir.file("vae-run/loss.csv"));
    std::string header, row;
    std::getline(csv, header);
    ck_assert_str_eq(header.c_str(), "step,loss,rec_l1,kl,lr,grad_norm,samples_per_s");
    ck_assert(log.str().find("cpu: ") != std::string::npos);

    // Its checkpoint records the measured latent scale factor; the export opens as a model.
    SafeTensorsFile ck = SafeTensorsFile::open(latest_checkpoint_path(dir.file("vae-run")));
    ModelConfig mc = parse_model_config(read_checkpoint_info(ck).model_config, "ckpt");
    ck_assert(std::isfinite(mc.latent.scale_factor) && mc.latent.scale_factor > 0);
    ck_assert(mc.latent.scale_factor != tiny_model_config().latent.scale_factor);
    ExportOptions eo;
    eo.checkpoint = dir.file("vae-run");
    eo.out_dir = dir.file("vae-model");
    eo.dtype = "bf16";
    eo.tokenizer = tiny_tokenizer();
    const std::string summary = export_model(eo);
    ck_assert_msg(summary.find("left random: mask text unet") != std::string::npos, "%s", summary.c_str());
    auto loaded = ArtvNetworks::load(dir.file("vae-model"), torch::kCPU, torch::kFloat32);
    ck_assert(loaded->has_tokenizer());

    // artv stage from that export: VAE frozen (bit-identical after training), the rest trains.
    TrainConfig a = renderer_config(dir.file("artv-run"));
    a.stage = "artv";
    a.init_from = dir.file("vae-model");
    a.tokenizer = tiny_tokenizer();
    a.steps = 3;
    a.checkpoint_every = 3;
    TrainOutcome r = run_model_stage(a, false, nullptr);
    ck_assert_int_eq(r.step, 3);
    SafeTensorsFile ak = SafeTensorsFile::open(latest_checkpoint_path(dir.file("artv-run")));
    int vae_tensors = 0;
    for (const auto &[name, t] : named_tensors(loaded->vae(), "vae.")) {
        torch::Tensor trained = to_tensor(ak.at("model." + name));
        ck_assert_msg(torch::equal(trained, t), "frozen VAE tensor %s changed", name.c_str());
        ++vae_tensors;
    }
    ck_assert_int_gt(vae_tensors, 20);
    ck_assert(ak.find("ema.unet.out.2.weight") != nullptr);
    ck_assert(ak.find("ema.vae.decoder.conv_out.weight") == nullptr);
    eo.checkpoint = dir.file("artv-run");
    eo.out_dir = dir.file("artv-model");
    eo.dtype = "fp16";
    eo.tokenizer = "";
    const std::string s2 = export_model(eo);
    ck_assert_msg(s2.find("left random") == std::string::npos, "%s", s2.c_str());
    auto model = ArtvNetworks::load(dir.file("artv-model"), torch::kCPU, torch::kFloat32);
    ck_assert(std::abs(model->config().latent.scale_factor - mc.latent.scale_factor) < 1e-9);

    // init_all from that export, with a config that adds the motion embedding: every network
    // starts from the export's weights, the new addition from its zero output layer.
    ModelConfig with_motion = model->config();
    with_motion.artv.motion_embed = true;
    {
        std::ofstream out(dir.file("motion.json"));
        out << with_motion.to_json();
    }
    TrainConfig g = renderer_config(dir.file("motion-run"));
    g.model_config = dir.file("motion.json");
    g.init_from = dir.file("artv-model");
    g.init_all = true;
    auto grown = build_training_networks(g);
    auto grown_unet = grown->unet().named_parameters(), model_unet = model->unet().named_parameters();
    ck_assert(torch::equal(grown_unet["input_blocks.0.0.weight"],
                           model_unet["input_blocks.0.0.weight"]));
    ck_assert(grown_unet["motion_embed.2.weight"].abs().max().item<double>() == 0);
    ck_assert(grown->mask_net().named_parameters()["motion_embed.2.weight"].abs().max().item<double>() == 0);
}
END_TEST

// vae_train = decoder on a model's VAE: the encoder (so every latent, the scale factor and the
// diffusion networks trained on them) stays the model's, the decoder trains, and the export
// is the whole model again: the networks the run did not train come from init_from.
START_TEST(test_vae_decoder_stage_keeps_the_latent_space) {
    TempDir dir;
    auto base = tiny_networks(5);
    base->save(dir.file("base"));
    TrainConfig v = renderer_config(dir.file("dec-run"));
    v.stage = "vae";
    v.model_config = "";
    v.init_from = dir.file("base");
    v.vae_train = "decoder";
    v.steps = 4;
    TrainOutcome r = run_model_stage(v, false, nullptr);
    ck_assert_int_eq(r.step, 4);

    SafeTensorsFile ck = SafeTensorsFile::open(latest_checkpoint_path(dir.file("dec-run")));
    const ModelConfig mc = parse_model_config(read_checkpoint_info(ck).model_config, "ckpt");
    ck_assert_double_eq(mc.latent.scale_factor, base->config().latent.scale_factor);
    int encoder = 0, decoder_changed = 0;
    for (const auto &[name, t] : named_tensors(base->vae(), "vae.")) {
        const torch::Tensor trained = to_tensor(ck.at("model." + name));
        if (name.starts_with("vae.encoder.") || name.starts_with("vae.quant_conv.")) {
            ck_assert_msg(torch::equal(trained, t), "frozen encoder tensor %s changed", name.c_str());
            ++encoder;
        } else if (!torch::equal(trained, t)) {
            ++decoder_changed;
        }
    }
    ck_assert_int_gt(encoder, 10);
    ck_assert_int_gt(decoder_changed, 10);

    ExportOptions eo;
    eo.checkpoint = dir.file("dec-run");
    eo.out_dir = dir.file("model");
    eo.dtype = "fp32";
    const std::string summary = export_model(eo);
    ck_assert_msg(summary.find("from " + dir.file("base") + ": mask text unet") != std::string::npos, "%s",
                  summary.c_str());
    ck_assert_msg(summary.find("left random") == std::string::npos, "%s", summary.c_str());
    auto model = ArtvNetworks::load(dir.file("model"), torch::kCPU, torch::kFloat32);
    const NamedTensors want = named_tensors(base->unet(), "unet."), got = named_tensors(model->unet(), "unet.");
    ck_assert_int_eq(got.size(), want.size());
    for (size_t i = 0; i < want.size(); ++i)
        ck_assert_msg(got[i].first == want[i].first && torch::equal(got[i].second, want[i].second), "%s",
                      want[i].first.c_str());

    // The decoder alone needs a trained encoder to keep.
    v.init_from = "";
    expect_error([&] { validate_train_config(v, 1); }, ARTV_ERR_INVALID_ARGUMENT, {"--init-from"});
}
END_TEST

// The decoder's shift augmentation: whole-pixel moves within the bound, drawn for about the
// asked share of samples with 1..vae_shift_repeats moves each, the same however a batch is
// split; applied, the latent moves that many times and the frame once as far in all; and the
// loss then compares the decoded moved latent with the moved frame (a different loss).
START_TEST(test_vae_decoder_shift_augmentation) {
    TrainConfig c;
    c.vae_shift_share = 0.5;
    c.vae_shift_max = 3;
    c.vae_shift_repeats = 2;
    const DecoderShifts d = draw_decoder_shifts(c, 7, 0, 400);
    ck_assert(torch::equal(d.moves, d.moves.round()));
    ck_assert_float_le(d.moves.abs().max().item<float>(), 3.0f);
    const torch::Tensor moved = (d.moves != 0).any(1);
    ck_assert_msg(moved.sum().item<int64_t>() > 150 && moved.sum().item<int64_t>() < 250, "%lld of 400 moved at share 0.5",
                  (long long)moved.sum().item<int64_t>());
    ck_assert(torch::equal(moved, d.repeats > 0));
    ck_assert_int_eq(d.repeats.max().item<int64_t>(), 2);
    ck_assert_int_gt((d.repeats == 1).sum().item<int64_t>(), 50);
    ck_assert(torch::equal(draw_decoder_shifts(c, 7, 100, 50).moves, d.moves.narrow(0, 100, 50)));
    ck_assert(!torch::equal(draw_decoder_shifts(c, 8, 0, 400).moves, d.moves));
    c.vae_shift_share = 1.0;
    ck_assert_int_eq((draw_decoder_shifts(c, 7, 0, 100).moves != 0).any(1).sum().item<int64_t>(), 100);
    c.vae_shift_share = 0.0;
    ck_assert(torch::equal(draw_decoder_shifts(c, 7, 0, 100).moves, torch::zeros({100, 2})));

    // Applied: row 0 unmoved (bit for bit), row 1 two moves of (8, 0) px = 2 latent pixels,
    // its frame 16 px; a whole-pixel latent move is exact away from the repeated edge.
    DecoderShifts two{torch::tensor({{0.f, 0.f}, {8.f, 0.f}}), torch::tensor({0, 2}, torch::kInt64)};
    const torch::Tensor z = torch::randn({2, 4, 6, 6}), x = torch::randn({2, 3, 48, 48});
    auto [zs, xs] = apply_decoder_shifts(two, z, x, 8);
    ck_assert(torch::equal(zs[0], z[0]) && torch::equal(xs[0], x[0]));
    ck_assert(torch::allclose(zs[1].narrow(2, 2, 4), z[1].narrow(2, 0, 4), 1e-5, 1e-5));
    ck_assert(torch::allclose(xs[1].narrow(2, 16, 32), x[1].narrow(2, 0, 32), 1e-5, 1e-5));

    TempDir dir;
    TrainConfig v = renderer_config(dir.file("shift-run"));
    v.stage = "vae";
    v.vae_sample = false;
    auto nets = build_training_networks(v);
    auto loss_at = [&](double share) {
        v.vae_shift_share = share;
        VaeTask task(v, nets, tiny_drawer(2, 3), "tiny");
        torch::NoGradGuard no_grad;
        return task.loss(0, 0, 4).loss.item<double>();
    };
    const double plain = loss_at(0.0), again = loss_at(0.0), shifted = loss_at(1.0);
    ck_assert_double_eq(plain, again);
    ck_assert_msg(shifted != plain, "shifted loss %.6f equals the plain one", shifted);

    v.vae_shift_share = 1.5;
    expect_error([&] { validate_train_config(v, 1); }, ARTV_ERR_INVALID_ARGUMENT, {"vae_shift_share"});
}
END_TEST

START_TEST(test_bad_data_reported_and_skipped) {
    TempDir dir;
    // One good video, one corrupt file, one missing file, one line without a caption.
    {
        VideoWriterOptions wo;
        wo.codec = "mpeg4";
        VideoWriter w(dir.file("good.avi"), 64, 64, wo);
        for (int i = 0; i < 12; ++i) w.write(Frame(64, 64, uint8_t(20 * i), 100, 50));
        w.close();
    }
    write_file(dir.file("corrupt.mp4"), std::string(4096, 'x'));
    write_file(dir.file("captions.csv"),
               "path,caption\n"
               "good.avi,a colour ramp\n"
               "corrupt.mp4,broken file\n"
               "missing.mp4,not there\n"
               "good.avi,\n");
    TrainConfig c = tiny_train_config(dir.file("run"));
    c.data = dir.file("captions.csv");
    std::vector<std::string> lines;
    TrainingData data = make_training_data(c, 64, 64, [&](const std::string &l) { lines.push_back(l); });
    ck_assert_int_eq(data.sources.size(), 1);
    ck_assert_int_eq(data.sources[0]->size(), 1);
    ck_assert_int_eq(data.skipped, 3);
    std::string all;
    for (const auto &l : lines) all += l + "\n";
    for (const char *needle : {"captions.csv:3", "captions.csv:4", "captions.csv:5", "3 line(s) or video(s) skipped"})
        ck_assert_msg(all.find(needle) != std::string::npos, "report lacks '%s':\n%s", needle, all.c_str());
    ck_assert(data.drawer->sample(0).caption == "a colour ramp");

    // Nothing usable: an error before training starts, and no checkpoint appears.
    write_file(dir.file("nothing.csv"), "path,caption\nmissing.mp4,not there\nalso-missing.avi,no\n");
    TrainConfig n = renderer_config(dir.file("run2"));
    n.stage = "vae";
    n.data = dir.file("nothing.csv");
    expect_error([&] { run_model_stage(n, false, nullptr); }, ARTV_ERR_FORMAT, {"nothing.csv"});
    ck_assert(!std::filesystem::exists(latest_checkpoint_path(dir.file("run2"))));
    n.data = dir.file("no-such-file.csv");
    expect_error([&] { run_model_stage(n, false, nullptr); }, ARTV_ERR_IO, {"no-such-file.csv"});
}
END_TEST

static Suite *stages_suite(void) {
    Suite *s = suite_create("train_stages");
    TCase *tc = tcase_create("stages");
    tcase_set_timeout(tc, 300);
    tcase_add_test(tc, test_tokenizer_stage);
    tcase_add_test(tc, test_vae_stage_export_and_artv_stage);
    tcase_add_test(tc, test_vae_decoder_stage_keeps_the_latent_space);
    tcase_add_test(tc, test_vae_decoder_shift_augmentation);
    tcase_add_test(tc, test_bad_data_reported_and_skipped);
    suite_add_tcase(s, tc);
    return s;
}

ARTV_TEST_MAIN(stages_suite)
