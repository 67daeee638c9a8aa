// `artv init-sd21 SD21.safetensors OUT_DIR`: ARTV weights from a Stable Diffusion 2.1 original
// checkpoint (core/model/sd21_init.h): U-Net, VAE and text tower copied by name, the additions
// (zero output layers) and the mask network initialised; prints what it did.
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "commands.h"
#include "io/config.h"
#include "model/sd21_init.h"
#include "util/error.h"


namespace artv::cli {

namespace {

const char *const kInitSd21Help =
    "usage: artv init-sd21 SD21.safetensors OUT_DIR [--config CONFIG.json] [--seed N]\n"
    "                      [--tokenizer FILE.model] [--dtype fp32|bf16|fp16]\n"
    "\n"
    "Build an ARTV model directory from a Stable Diffusion 2.1 original checkpoint\n"
    "(v2-1_512-ema-pruned.safetensors layout: model.diffusion_model.*, first_stage_model.*,\n"
    "cond_stage_model.model.*). U-Net, VAE and text-tower tensors are copied by name; the ARTV\n"
    "additions start with zero output layers, so the new model computes SD2.1's output until\n"
    "trained; the mask network is random. Prints the counts and the ignored keys.\n"
    "\n"
    "  --config FILE      model config (default models/sd21/config.json)\n"
    "  --seed N           initialisation seed of the additions and the mask network (default 0)\n"
    "  --tokenizer FILE   sentencepiece model to copy next to the weights\n"
    "  --dtype T          dtype of the written weights (default fp32)\n"
    "  -h, --help         this text\n";

} // namespace

int cmd_init_sd21(int argc, char **argv) {
    std::string config_path = "models/sd21/config.json";
    std::string positional[2];
    int npos = 0;
    InitOptions options;
    for (int i = 1; i < argc; ++i) {
        std::string a = argv[i];
        if (a == "-h" || a == "--help") {
            std::fputs(kInitSd21Help, stdout);
            return 0;
        }
        if (a.size() > 1 && a[0] == '-') {
            if (i + 1 >= argc) {
                std::fprintf(stderr, "artv init-sd21: %s needs a value (see --help)\n", a.c_str());
                return 2;
            }
            std::string v = argv[++i];
            if (a == "--config") config_path = v;
            else if (a == "--tokenizer") options.tokenizer = v;
            else if (a == "--dtype") {
                if (v == "fp32") options.dtype = c10::ScalarType::Float;
                else if (v == "bf16") options.dtype = c10::ScalarType::BFloat16;
                else if (v == "fp16") options.dtype = c10::ScalarType::Half;
                else {
                    std::fprintf(stderr, "artv init-sd21: --dtype must be fp32, bf16 or fp16, got \"%s\"\n", v.c_str());
                    return 2;
                }
            } else if (a == "--seed") {
                char *end = nullptr;
                errno = 0;
                unsigned long long n = std::strtoull(v.c_str(), &end, 10);
                if (errno || end == v.c_str() || *end || v[0] == '-') {
                    std::fprintf(stderr, "artv init-sd21: --seed needs a whole number >= 0, got \"%s\"\n", v.c_str());
                    return 2;
                }
                options.seed = n;
            } else {
                std::fprintf(stderr, "artv init-sd21: unknown option \"%s\" (see --help)\n", a.c_str());
                return 2;
            }
        } else if (npos < 2) {
            positional[npos++] = a;
        } else {
            std::fprintf(stderr, "artv init-sd21: unexpected argument \"%s\" (see --help)\n", a.c_str());
            return 2;
        }
    }
    if (npos != 2) {
        std::fprintf(stderr, "artv init-sd21: needs SD21.safetensors and OUT_DIR (see --help)\n");
        return 2;
    }
    try {
        const ModelConfig config = load_model_config(config_path);
        InitReport report = init_from_sd21(positional[0], positional[1], config, options);
        std::printf("wrote %s (%s)\n%s", positional[1].c_str(), config.name.c_str(), report.summary().c_str());
        return 0;
    } catch (const std::exception &e) {
        std::fprintf(stderr, "artv init-sd21: %s\n", e.what());
        return 1;
    }
}

} // namespace artv::cli
