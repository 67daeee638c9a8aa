// `artv init-random`: a model directory with random weights for a config (config.json,
// model.safetensors, tokenizer). What tests, the FFmpeg filter's and the GStreamer plugin's
// checks use when a trained model would be too slow or is not there (models/test-tiny).
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>

#include "commands.h"
#include "io/config.h"
#include "model/artv_networks.h"
#include "util/error.h"

namespace artv::cli {

namespace {

const char *const kInitRandomHelp =
    "usage: artv init-random --config CONFIG.json --out DIR [--seed N] [--tokenizer FILE.model]\n"
    "\n"
    "Write a model directory with random weights: DIR/config.json, the weights file and the\n"
    "tokenizer named in the config's \"files\". The additions' output layers start at zero, as\n"
    "after initialising from SD2.1. Same config and seed give the same weights.\n"
    "\n"
    "  --config FILE       the model config (e.g. models/test-tiny/config.json)\n"
    "  --out DIR           the directory to write (created; files in it are replaced)\n"
    "  --seed N            weight initialisation seed (default 0)\n"
    "  --tokenizer FILE    sentencepiece model to ship (default: the config's files.tokenizer\n"
    "                      next to the config, e.g. models/test-tiny/tokenizer.model)\n"
    "  --dtype fp32|bf16   dtype of the saved weights (default fp32)\n"
    "  -h, --help          this text\n"
    "\n"
    "example: artv init-random --config models/test-tiny/config.json \\\n"
    "             --tokenizer tests/data/tiny-tokenizer.model --seed 1 --out /tmp/test-tiny\n";

}  // namespace

int cmd_init_random(int argc, char **argv) {
    std::string config_path, out_dir, tokenizer, dtype = "fp32";
    uint64_t seed = 0;
    for (int i = 1; i < argc; ++i) {
        std::string a = argv[i];
        if (a == "-h" || a == "--help") {
            std::fputs(kInitRandomHelp, stdout);
            return 0;
        }
        if (i + 1 >= argc) {
            std::fprintf(stderr, "artv init-random: %s needs a value (see --help)\n", a.c_str());
            return 2;
        }
        const char *v = argv[++i];
        if (a == "--config") config_path = v;
        else if (a == "--out") out_dir = v;
        else if (a == "--tokenizer") tokenizer = v;
        else if (a == "--dtype") dtype = v;
        else if (a == "--seed") {
            char *end = nullptr;
            errno = 0;
            unsigned long long n = std::strtoull(v, &end, 10);
            if (errno || end == v || *end || v[0] == '-') {
                std::fprintf(stderr, "artv init-random: --seed needs a whole number >= 0, got \"%s\"\n", v);
                return 2;
            }
            seed = n;
        } else {
            std::fprintf(stderr, "artv init-random: unknown option \"%s\" (see --help)\n", a.c_str());
            return 2;
        }
    }
    if (config_path.empty() || out_dir.empty()) {
        std::fprintf(stderr, "artv init-random: --config and --out are required (see --help)\n");
        return 2;
    }
    if (dtype != "fp32" && dtype != "bf16") {
        std::fprintf(stderr, "artv init-random: --dtype must be fp32 or bf16, got \"%s\"\n", dtype.c_str());
        return 2;
    }
    try {
        const ModelConfig config = load_model_config(config_path);
        if (tokenizer.empty()) {
            auto beside = std::filesystem::path(config_path).parent_path() / config.files.tokenizer;
            if (!std::filesystem::is_regular_file(beside))
                throw_io("no tokenizer: give --tokenizer FILE.model (" + beside.string() +
                         " does not exist)");
            tokenizer = beside.string();
        }
        auto nets = ArtvNetworks::create_random(config, seed, torch::kCPU, torch::kFloat32, tokenizer);
        nets->save(out_dir, dtype == "bf16" ? c10::optional<torch::ScalarType>(torch::kBFloat16)
                                            : c10::optional<torch::ScalarType>(torch::kFloat32));
        std::printf("wrote %s: %s, %lld parameters, seed %llu\n", out_dir.c_str(), config.name.c_str(),
                    static_cast<long long>(nets->parameter_count()),
                    static_cast<unsigned long long>(seed));
        return 0;
    } catch (const Error &e) {
        std::fprintf(stderr, "artv init-random: %s\n", e.what());
        return 1;
    } catch (const std::exception &e) {
        std::fprintf(stderr, "artv init-random: %s\n", e.what());
        return 1;
    }
}

}  // namespace artv::cli
