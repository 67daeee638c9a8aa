// Bad input to the model loader gives one clear artv::Error naming the problem: config
// mistakes (key path in the message), weights that do not fit the config (every missing,
// unexpected and wrong-shaped tensor), a missing or corrupt tokenizer, an unusable device.
#include <filesystem>

#include <torch/torch.h>

#include "io/config.h"
#include "io/safetensors.h"
#include "io/tensor_io.h"
#include "io/tokenizer.h"
#include "model/artv_networks.h"
#include "model_testutil.h"
// Check defines a macro named `fail`: include it after every C++ and LibTorch header.
#include "tempdir.h"
#include "testutil.h"

using namespace artv;
using artv::test::expect_error;
using artv::test::TempDir;

namespace {

std::string tiny_json() { return artv::test::read_file(artv::test::test_tiny_config_path()); }

// The test-tiny config text with one substring replaced (which must occur).
std::string edited(const std::string &from, const std::string &to) {
    std::string s = tiny_json();
    auto pos = s.find(from);
    ck_assert_msg(pos != std::string::npos, "test-tiny config lacks '%s'", from.c_str());
    return s.replace(pos, from.size(), to);
}

// A complete model directory from the test-tiny config with random weights.
void write_model(const std::string &dir) {
    auto nets = ArtvNetworks::create_random(artv::test::test_tiny_config(), 1, torch::kCPU,
                                            torch::kFloat32, artv::test::tiny_tokenizer_path());
    nets->save(dir);
}

} // namespace

START_TEST(test_config_errors) {
    ModelConfig ok = parse_model_config(tiny_json(), "tiny");
    ck_assert_int_eq(ok.unet.model_channels, 32);
    ck_assert_int_eq(ok.size_multiple(), 16);
    // sampling.cfg_text_t2v is optional (unset: cfg_text), read when given, range-checked.
    ck_assert(!ok.sampling.cfg_text_t2v.has_value());
    ModelConfig t2v = parse_model_config(edited("\"steps\": 4", "\"steps\": 4, \"cfg_text_t2v\": 2.5"), "c.json");
    ck_assert(t2v.sampling.cfg_text_t2v.has_value() && *t2v.sampling.cfg_text_t2v == 2.5);
    ck_assert(parse_model_config(t2v.to_json(), "c.json").sampling.cfg_text_t2v == 2.5);
    expect_error([] { parse_model_config(edited("\"steps\": 4", "\"steps\": 4, \"cfg_text_t2v\": -1"), "c.json"); },
                 ARTV_ERR_FORMAT, {"sampling.cfg_text_t2v", "got -1"});
    // sampling.cfg_sigma_min and cfg_rescale (guidance interval and rescale): 0 unless given.
    ck_assert(ok.sampling.cfg_sigma_min == 0 && ok.sampling.cfg_rescale == 0);
    ModelConfig gi = parse_model_config(
        edited("\"steps\": 4", "\"steps\": 4, \"cfg_sigma_min\": 0.3, \"cfg_rescale\": 0.7"), "c.json");
    ck_assert(gi.sampling.cfg_sigma_min == 0.3 && gi.sampling.cfg_rescale == 0.7);
    const ModelConfig gi2 = parse_model_config(gi.to_json(), "c.json");
    ck_assert(gi2.sampling.cfg_sigma_min == 0.3 && gi2.sampling.cfg_rescale == 0.7);
    expect_error([] { parse_model_config(edited("\"steps\": 4", "\"steps\": 4, \"cfg_sigma_min\": -1"), "c.json"); },
                 ARTV_ERR_FORMAT, {"sampling.cfg_sigma_min"});
    expect_error([] { parse_model_config(edited("\"steps\": 4", "\"steps\": 4, \"cfg_rescale\": 1.5"), "c.json"); },
                 ARTV_ERR_FORMAT, {"sampling.cfg_rescale"});

    // artv.motion_warp_pixels: read, round-tripped, and only with motion_warp.
    const std::string warp = "\"pooled_text_embed\": false, \"motion_warp\": true, \"motion_warp_pixels\": true";
    ModelConfig pixels = parse_model_config(edited("\"pooled_text_embed\": false", warp), "c.json");
    ck_assert(pixels.artv.motion_warp && pixels.artv.motion_warp_pixels && !ok.artv.motion_warp_pixels);
    ck_assert(parse_model_config(pixels.to_json(), "c.json").artv.motion_warp_pixels);
    expect_error([] { parse_model_config(edited("\"pooled_text_embed\": false", "\"pooled_text_embed\": false, \"motion_warp_pixels\": true"), "c.json"); },
                 ARTV_ERR_FORMAT, {"artv.motion_warp_pixels", "needs motion_warp"});

    expect_error([] { parse_model_config("{", "c.json"); }, ARTV_ERR_FORMAT, {"c.json", "JSON"});
    expect_error([] { parse_model_config(edited("\"name\"", "\"nmae\""), "c.json"); }, ARTV_ERR_FORMAT,
                 {"c.json", "name", "required"});
    expect_error([] { parse_model_config(edited("\"ksize\": 1", "\"ksize\": 1, \"kernel\": 3"), "c.json"); },
                 ARTV_ERR_FORMAT, {"artv.adapter.kernel", "not a known key"});
    expect_error([] { parse_model_config(edited("\"channel_mult\": [1, 2]", "\"channel_mult\": [1, \"2\"]"), "c.json"); },
                 ARTV_ERR_FORMAT, {"unet.channel_mult[1]", "integer"});
    expect_error([] { parse_model_config(edited("\"steps\": 4", "\"steps\": 0"), "c.json"); },
                 ARTV_ERR_FORMAT, {"sampling.steps", "[1, 1000]", "got 0"});
    expect_error([] { parse_model_config(edited("\"prediction\": \"eps\"", "\"prediction\": \"x0\""), "c.json"); },
                 ARTV_ERR_FORMAT, {"schedule.prediction", "\"v\"", "x0"});
    expect_error([] { parse_model_config(edited("\"weights\": \"model.safetensors\"", "\"weights\": \"../w.safetensors\""), "c.json"); },
                 ARTV_ERR_FORMAT, {"files.weights", ".."});
    expect_error([] { parse_model_config(edited("\"weights\": \"model.safetensors\"", "\"weights\": \"/etc/w\""), "c.json"); },
                 ARTV_ERR_FORMAT, {"files.weights", "relative"});
    expect_error([] { parse_model_config(edited("\"layer\": \"penultimate\"", "\"layer\": 11"), "c.json"); },
                 ARTV_ERR_FORMAT, {"text.layer", "string"});
    expect_error([] { parse_model_config(edited("\"num_head_channels\": 16", "\"num_head_channels\": 24"), "c.json"); },
                 ARTV_ERR_FORMAT, {"unet.num_head_channels", "does not divide"});
    expect_error([] { parse_model_config(edited("\"context_dim\": 32", "\"context_dim\": 48"), "c.json"); },
                 ARTV_ERR_FORMAT, {"unet.context_dim", "text.width"});
    expect_error([] { load_model_config("/nonexistent/config.json"); }, ARTV_ERR_IO, {"/nonexistent/config.json"});
    // Found by fuzzing (tests/fuzz/regressions/model_config/): a NUL cuts a file name short
    // ("..\u0000" would open the parent directory); a number beyond double's range is a JSON
    // error like any other; the oracles' Python dicts are dicts, with ranges checked.
    expect_error([] { parse_model_config(edited("\"weights\": \"model.safetensors\"", "\"weights\": \"..\\u0000\""), "c.json"); },
                 ARTV_ERR_FORMAT, {"files.weights", "NUL"});
    expect_error([] { parse_model_config("{\"name\": 1e999}", "c.json"); }, ARTV_ERR_FORMAT,
                 {"c.json", "not valid JSON", "1e999"});
    expect_error([] { unet_config_from_python_dict("2"); }, ARTV_ERR_FORMAT, {"U-Net", "not a Python dict"});
    expect_error([] { vae_config_from_python_dict("{'ch': 32, 'ch_mult': 5}"); }, ARTV_ERR_FORMAT,
                 {"VAE config", "ch_mult", "list of integers"});
    expect_error([] { vae_config_from_python_dict("{'ch': 2147483647, 'ch_mult': [1]}"); },
                 ARTV_ERR_FORMAT, {"VAE config", "ch must be in [32, 4096]"});

    // to_json() round-trips.
    ModelConfig again = parse_model_config(ok.to_json(), "round trip");
    ck_assert(again.to_json() == ok.to_json());
}
END_TEST

START_TEST(test_weights_errors) {
    TempDir dir;
    write_model(dir.path());
    { // the good directory loads; the lower bound of its parameters is one
        auto nets = ArtvNetworks::load(dir.path(), torch::kCPU);
        ck_assert(minimum_parameters(nets->config()) <= double(nets->parameter_count()));
    }

    auto good_config = artv::test::read_file(dir.file("config.json"));
    // A config of a few bytes more that asks for far more than the weights hold (a 2^24 x 16384
    // text embedding: 1 TiB in fp32) is refused before anything is built.
    {
        auto huge = parse_model_config(good_config, "saved");
        huge.text.vocab_size = 1 << 24;
        huge.text.width = huge.unet.context_dim = huge.mask.context_dim = 16384;
        artv::test::write_file(dir.file("config.json"), huge.to_json());
        expect_error([&] { ArtvNetworks::load(dir.path(), torch::kCPU); }, ARTV_ERR_MODEL,
                     {"config.json", "at least 2.", "e+11 parameters", "model.safetensors", "not built"});
        artv::test::write_file(dir.file("config.json"), good_config);
    }

    // Config and weights disagree: the U-Net's channel count changed in config.json.
    auto cfg = parse_model_config(good_config, "saved");
    cfg.unet.model_channels = 64;
    artv::test::write_file(dir.file("config.json"), cfg.to_json());
    expect_error([&] { ArtvNetworks::load(dir.path(), torch::kCPU); }, ARTV_ERR_MODEL,
                 {"unet.input_blocks.0.0.weight", "shape"});
    artv::test::write_file(dir.file("config.json"), good_config);

    // A missing and an unexpected tensor, reported together.
    {
        auto file = SafeTensorsFile::open(dir.file("model.safetensors"));
        std::vector<std::pair<std::string, torch::Tensor>> tensors;
        for (const auto &v : file.tensors())
            if (v.name != "vae.decoder.conv_out.bias") tensors.emplace_back(v.name, to_tensor(v));
        tensors.emplace_back("unet.extra.weight", torch::zeros({2}));
        save_safetensors(dir.file("broken.safetensors"), tensors);
    }
    auto broken_cfg = parse_model_config(good_config, "saved");
    broken_cfg.files.weights = "broken.safetensors";
    artv::test::write_file(dir.file("config.json"), broken_cfg.to_json());
    expect_error([&] { ArtvNetworks::load(dir.path(), torch::kCPU); }, ARTV_ERR_MODEL,
                 {"vae.decoder.conv_out.bias", "unet.extra.weight"});
    artv::test::write_file(dir.file("config.json"), good_config);

    // Weights file missing / not safetensors.
    std::filesystem::rename(dir.file("model.safetensors"), dir.file("moved.safetensors"));
    expect_error([&] { ArtvNetworks::load(dir.path(), torch::kCPU); }, ARTV_ERR_IO, {"model.safetensors"});
    artv::test::write_file(dir.file("model.safetensors"), "not a safetensors file at all");
    expect_error([&] { ArtvNetworks::load(dir.path(), torch::kCPU); }, ARTV_ERR_FORMAT, {"model.safetensors"});
    std::filesystem::rename(dir.file("moved.safetensors"), dir.file("model.safetensors"));

    // No model directory at all.
    expect_error([&] { ArtvNetworks::load(dir.file("nothing-here"), torch::kCPU); }, ARTV_ERR_IO, {"nothing-here"});
}
END_TEST

START_TEST(test_tokenizer_errors) {
    TempDir dir;
    write_model(dir.path());
    std::filesystem::remove(dir.file("tokenizer.model"));
    expect_error([&] { ArtvNetworks::load(dir.path(), torch::kCPU); }, ARTV_ERR_IO, {"tokenizer.model"});
    artv::test::write_file(dir.file("tokenizer.model"), std::string("\x0a\x05garbage\xff\xfe", 11));
    expect_error([&] { ArtvNetworks::load(dir.path(), torch::kCPU); }, ARTV_ERR_FORMAT,
                 {"tokenizer.model", "sentencepiece"});
    artv::test::write_file(dir.file("tokenizer.model"), "");
    expect_error([&] { ArtvNetworks::load(dir.path(), torch::kCPU); }, ARTV_ERR_FORMAT, {"tokenizer.model", "empty"});

    // A tokenizer with more pieces than the text encoder's vocabulary.
    std::filesystem::copy_file(artv::test::tiny_tokenizer_path(), dir.file("tokenizer.model"),
                               std::filesystem::copy_options::overwrite_existing);
    auto cfg = load_model_config(dir.file("config.json"));
    cfg.text.vocab_size = 32; // the tiny tokenizer has 64 pieces
    auto nets = ArtvNetworks::create_random(cfg, 1);
    nets->save(dir.path()); // writes a matching config and weights, keeps the tokenizer file
    expect_error([&] { ArtvNetworks::load(dir.path(), torch::kCPU); }, ARTV_ERR_MODEL,
                 {"tokenizer.model", "vocab_size"});

    // Networks without a tokenizer say so.
    expect_error([&] { nets->encode_text({"a"}); }, ARTV_ERR_STATE, {"tokenizer"});
}
END_TEST

START_TEST(test_device_and_input_errors) {
    if (!torch::cuda::is_available())
        expect_error([] { ArtvNetworks::create_random(artv::test::test_tiny_config(), 1, torch::Device("cuda")); },
                     ARTV_ERR_DEVICE, {"cuda", "CUDA"});
    expect_error([] { ArtvNetworks::create_random(artv::test::test_tiny_config(), 1, torch::kCPU, torch::kFloat16); },
                 ARTV_ERR_DEVICE, {"fp16"});
    auto nets = ArtvNetworks::create_random(artv::test::test_tiny_config(), 1);
    torch::NoGradGuard no_grad;
    const auto &c = nets->config();
    FrameConditions fc{torch::zeros({2, 8, 8, 8}), torch::zeros({2, 4, 8, 8}),
                       torch::zeros({2, c.text.context_length, c.text.width}), torch::zeros({2}), {}};
    auto bad = fc;
    bad.refs = torch::zeros({2, 4, 8, 8});
    expect_error([&] { nets->prepare(bad); }, ARTV_ERR_INVALID_ARGUMENT, {"reference latents"});
    bad = fc;
    bad.anchor = torch::zeros({2, 4, 7, 8});
    expect_error([&] { nets->prepare(bad); }, ARTV_ERR_INVALID_ARGUMENT, {"anchor"});
    bad = fc;
    bad.noise_level = torch::Tensor();
    expect_error([&] { nets->prepare(bad); }, ARTV_ERR_INVALID_ARGUMENT, {"noise_level"});
    auto p = nets->prepare(fc);
    expect_error([&] { nets->eps(torch::zeros({3, 4, 8, 8}), torch::zeros({3}), p); }, ARTV_ERR_INVALID_ARGUMENT, {"batch"});
    expect_error([&] { nets->eps(torch::zeros({2, 4, 7, 8}), torch::zeros({2}), p); }, ARTV_ERR_INVALID_ARGUMENT, {"multiples"});
    expect_error([&] { nets->encode_frames(torch::zeros({1, 3, 60, 64})); }, ARTV_ERR_INVALID_ARGUMENT, {"multiples of 8"});
    expect_error([&] { nets->encode_tokens(torch::full({1, c.text.context_length}, 999, torch::kLong)); },
                 ARTV_ERR_INVALID_ARGUMENT, {"vocab_size"});
}
END_TEST

// The configs in models/ parse, and the embedded tiny model fits its budget: at most 40 MB of
// fp16 weights for all networks together.
START_TEST(test_shipped_configs) {
    const std::string models = artv::test::srcdir() + "/models/";
    ModelConfig sd21 = load_model_config(models + "sd21/config.json");
    ck_assert_int_eq(sd21.size_multiple(), 64);
    ck_assert_int_eq(sd21.unet.level_end_blocks()[3], 11);
    ModelConfig tiny = load_model_config(models + "artv-tiny/config.json");
    ck_assert_int_eq(tiny.size_multiple(), 32);
    ck_assert_int_eq(tiny.sampling.native_short_side % tiny.size_multiple(), 0);
    auto nets = ArtvNetworks::create_random(tiny, 1);
    const int64_t params = nets->parameter_count();
    ck_assert(minimum_parameters(tiny) <= double(params));
    // sd21 is too large to build here: its bound against its known size (over 1.3 G parameters:
    // U-Net 866 M, text 354 M, VAE 84 M, and the mask network).
    printf("sd21: at least %.3g parameters by the config\n", minimum_parameters(sd21));
    ck_assert(minimum_parameters(sd21) <= 1.30e9);
    printf("artv-tiny: %lld parameters (%.1f MB in fp16)\n", (long long)params, params * 2 / 1e6);
    ck_assert_int_le(params * 2, 40000000);
    // A 128x224 frame runs through every network.
    torch::NoGradGuard no_grad;
    auto z = nets->encode_frames(torch::rand({1, 3, 128, 224}));
    ck_assert(z.sizes() == torch::IntArrayRef({1, 4, 16, 28}));
    FrameConditions fc{torch::cat({z, z}, 1), z, torch::zeros({1, 16, 128}), torch::full({1}, 200.0), torch::zeros({1, 2})};
    auto p = nets->prepare(fc);
    ck_assert(nets->eps(z, torch::full({1}, 500.0), p).sizes() == z.sizes());
    ck_assert(nets->decode_latents(z).sizes() == torch::IntArrayRef({1, 3, 128, 224}));
}
END_TEST

static Suite *model_errors_suite(void) {
    Suite *s = suite_create("model_errors");
    TCase *tc = tcase_create("core");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, test_config_errors);
    tcase_add_test(tc, test_weights_errors);
    tcase_add_test(tc, test_tokenizer_errors);
    tcase_add_test(tc, test_device_and_input_errors);
    tcase_add_test(tc, test_shipped_configs);
    suite_add_tcase(s, tc);
    return s;
}

ARTV_TEST_MAIN(model_errors_suite)
