// `artv train`: the training pipeline's front end (docs/TRAINING.md). Stages: tokenizer, vae,
// artv, export; `artv train options` lists every training option. Options come from the
// defaults, then a training config JSON (--config, or the run's saved train_config.json with
// --resume), then the command line, in that order.
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <string>
#include <vector>

#include "commands.h"
#include "train/distributed.h"
#include "train/stages.h"
#include "train/train_config.h"
#include "train/trainer.h"
#include "util/error.h"

namespace artv::cli {

namespace {

const char *const kTrainHelp =
    "usage: artv train tokenizer --out FILE.model [--data SOURCES] [--vocab-size N] [options]\n"
    "       artv train vae  --model-config CONFIG.json [--out-dir DIR] [options]\n"
    "       artv train artv --model-config CONFIG.json --init-from VAE_MODEL_DIR\n"
    "                       --tokenizer FILE.model [--out-dir DIR] [options]\n"
    "       artv train export --run DIR|CHECKPOINT --out MODEL_DIR [--dtype fp16|bf16|fp32]\n"
    "                       [--no-ema] [--tokenizer FILE.model]\n"
    "       artv train options      (every training option with its default and meaning)\n"
    "\n"
    "Stages for a small model: train the tokenizer on the captions, then the VAE, export it,\n"
    "then the ARTV networks with that VAE frozen, and export the result (docs/TRAINING.md).\n"
    "\n"
    "  --config FILE          training config JSON (keys = option names)\n"
    "  --resume               continue OUT_DIR/latest.safetensors (its train_config.json\n"
    "                         replaces --config; command-line options still apply)\n"
    "  --nproc N              data-parallel: start N local ranks (torch.distributed, Gloo)\n"
    "  --nnodes N --node-rank R --master HOST:PORT\n"
    "                         the same across machines: run on every machine, R = 0..N-1;\n"
    "                         HOST:PORT of rank 0's machine (default 127.0.0.1, a free port)\n"
    "  --NAME VALUE           any training option (artv train options), '-' or '_' alike,\n"
    "                         e.g. --lr 1e-4 --batch-size 16 --use-mask false; a bool option\n"
    "                         alone means true (--init-all = --init-all true)\n"
    "  -h, --help             this text\n"
    "\n"
    "SIGINT/SIGTERM write a checkpoint at the next step boundary and exit; --resume goes on\n"
    "exactly where the run stopped.\n";

std::string option_name(std::string a) {
    a = a.substr(2);
    for (char &ch : a)
        if (ch == '-') ch = '_';
    return a;
}

bool is_bool_option(const std::string &name) {
    for (const auto &o : train_options())
        if (o.name == name) return o.type == "bool";
    return false;
}

void print_options() {
    TrainConfig defaults;
    std::printf("%-18s %-7s %-12s %s\n", "option", "type", "default", "meaning");
    for (const auto &o : train_options()) {
        std::string d = get_train_option(defaults, o.name);
        if (d.empty()) d = "\"\"";
        std::printf("%-18s %-7s %-12s %s\n", o.name.c_str(), o.type.c_str(), d.c_str(), o.help.c_str());
    }
}

const char *const kExportHelp =
    "usage: artv train export --run DIR|CHECKPOINT --out MODEL_DIR [--dtype fp16|bf16|fp32]\n"
    "                         [--no-ema] [--tokenizer FILE.model]\n"
    "\n"
    "Write a run's checkpoint as a model directory (config.json, model.safetensors,\n"
    "tokenizer.model) that `artv generate --model` opens.\n"
    "\n"
    "  --run DIR|CHECKPOINT   the run's latest checkpoint, or a given checkpoint file\n"
    "                         (--checkpoint is the same)\n"
    "  --out MODEL_DIR        the model directory to write\n"
    "  --dtype T              weight type: fp16 (default), bf16 or fp32\n"
    "  --no-ema               the raw weights instead of the EMA\n"
    "  --tokenizer FILE       the tokenizer to ship (default: the run's, else its --init-from's)\n"
    "  -h, --help             this text\n"
    "\n"
    "Networks the run did not train come from its --init-from model when that has them (e.g.\n"
    "the U-Net of a model whose VAE decoder a vae run went on with), else stay random; the\n"
    "summary line says which.\n";

int run_export(int argc, char **argv) {
    ExportOptions o;
    for (int i = 2; i < argc; ++i) {
        std::string a = argv[i];
        if (a == "-h" || a == "--help") {
            std::fputs(kExportHelp, stdout);
            return 0;
        }
        if (a == "--no-ema") {
            o.ema = false;
            continue;
        }
        if (i + 1 >= argc) {
            std::fprintf(stderr, "artv train export: %s needs a value\n", a.c_str());
            return 2;
        }
        std::string v = argv[++i];
        if (a == "--run" || a == "--checkpoint") o.checkpoint = v;
        else if (a == "--out") o.out_dir = v;
        else if (a == "--dtype") o.dtype = v;
        else if (a == "--tokenizer") o.tokenizer = v;
        else {
            std::fprintf(stderr, "artv train export: unknown option %s\n", a.c_str());
            return 2;
        }
    }
    if (o.checkpoint.empty() || o.out_dir.empty()) {
        std::fprintf(stderr, "artv train export: needs --run DIR and --out MODEL_DIR\n");
        return 2;
    }
    std::cout << export_model(o) << std::endl;
    return 0;
}

}  // namespace

int cmd_train(int argc, char **argv) {
    if (argc < 2) {
        std::fputs(kTrainHelp, stderr);
        return 2;
    }
    const std::string stage = argv[1];
    if (stage == "-h" || stage == "--help") {
        std::fputs(kTrainHelp, stdout);
        return 0;
    }
    try {
        if (stage == "options") {
            print_options();
            return 0;
        }
        if (stage == "export") return run_export(argc, argv);
        if (stage != "tokenizer" && stage != "vae" && stage != "artv") {
            std::fprintf(stderr, "artv train: unknown stage '%s' (tokenizer, vae, artv, export, options)\n",
                         stage.c_str());
            return 2;
        }

        // Pass 1: the options that decide where the configuration comes from.
        std::string config_file, out_dir, token_out, master;
        bool resume = false;
        int nproc = 0, nnodes = 1, node_rank = 0;
        std::vector<std::pair<std::string, std::string>> overrides;
        for (int i = 2; i < argc; ++i) {
            std::string a = argv[i];
            if (a == "-h" || a == "--help") {
                std::fputs(kTrainHelp, stdout);
                return 0;
            }
            if (a == "--resume") {
                resume = true;
                continue;
            }
            if (a.rfind("--", 0) != 0) {
                std::fprintf(stderr, "artv train: expected --NAME VALUE, got '%s' (see --help)\n", a.c_str());
                return 2;
            }
            std::string name = option_name(a);
            // A bool option may stand alone: "--init-all" = "--init-all true".
            if (is_bool_option(name) && (i + 1 >= argc || std::string(argv[i + 1]).rfind("--", 0) == 0)) {
                overrides.emplace_back(name, "true");
                continue;
            }
            if (i + 1 >= argc) {
                std::fprintf(stderr, "artv train: %s needs a value (see --help)\n", a.c_str());
                return 2;
            }
            std::string v = argv[++i];
            if (name == "config") config_file = v;
            else if (name == "nproc") nproc = std::atoi(v.c_str());
            else if (name == "nnodes") nnodes = std::atoi(v.c_str());
            else if (name == "node_rank") node_rank = std::atoi(v.c_str());
            else if (name == "master") master = v;
            else if (stage == "tokenizer" && name == "out") token_out = v;
            else {
                if (name == "out_dir") out_dir = v;
                overrides.emplace_back(name, v);
            }
        }

        TrainConfig config;
        if (resume) {
            TrainConfig probe;
            for (const auto &[n, v] : overrides) set_train_option(probe, n, v);
            load_train_config_file(config, train_config_path(probe.out_dir));
        } else if (!config_file.empty()) {
            load_train_config_file(config, config_file);
        }
        for (const auto &[n, v] : overrides) set_train_option(config, n, v);
        if (stage != "tokenizer") config.stage = stage;

        if (stage == "tokenizer") {
            if (token_out.empty()) {
                std::fprintf(stderr, "artv train tokenizer: needs --out FILE.model\n");
                return 2;
            }
            run_tokenizer_stage(config, token_out, &std::cerr);
            return 0;
        }

        // The launcher: start the ranks of this machine and wait for them.
        if ((nproc > 1 || nnodes > 1) && !std::getenv("WORLD_SIZE")) {
            if (nproc < 1) nproc = 1;
            std::string addr = "127.0.0.1";
            int port = 0;
            if (!master.empty()) {
                auto colon = master.rfind(':');
                if (colon == std::string::npos) {
                    std::fprintf(stderr, "artv train: --master must be HOST:PORT\n");
                    return 2;
                }
                addr = master.substr(0, colon);
                port = std::atoi(master.c_str() + colon + 1);
            } else if (nnodes > 1) {
                std::fprintf(stderr, "artv train: --nnodes > 1 needs --master HOST:PORT\n");
                return 2;
            }
            if (port <= 0) port = free_local_port();
            validate_train_config(config, nproc * nnodes);
            std::vector<std::string> args{"artv"};
            for (int i = 0; i < argc; ++i) {
                std::string a = argv[i];
                if (a == "--nproc" || a == "--nnodes" || a == "--node-rank" || a == "--node_rank" ||
                    a == "--master") {
                    ++i;
                    continue;
                }
                args.push_back(a);
            }
            std::cerr << "artv train: starting " << nproc << " rank(s) on this machine, world size "
                      << nproc * nnodes << ", rendezvous " << addr << ":" << port << std::endl;
            return launch_ranks(args, nproc, nnodes, node_rank, addr, port) == 0 ? 0 : 1;
        }

        TrainOutcome r = run_model_stage(config, resume, &std::cerr);
        if (!r.interrupted) return 0;
        std::cerr << "artv train: stopped after step " << r.step << " (checkpoint written)" << std::endl;
        // As artv generate and the shell: 128 + the signal, so that `artv train && next` stops.
        return r.signal ? 128 + r.signal : 0;
    } catch (const Error &e) {
        std::fprintf(stderr, "artv train: %s\n", e.what());
        return e.status() == ARTV_ERR_INVALID_ARGUMENT ? 2 : 1;
    } catch (const std::exception &e) {
        std::fprintf(stderr, "artv train: %s\n", e.what());
        return 1;
    }
}

}  // namespace artv::cli
