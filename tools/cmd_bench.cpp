// `artv bench`: what a frame costs on this machine, as ratios measured in one run
// (docs/PERFORMANCE.md). A thin front end: options in, core/bench's run, the table and the
// JSON report out.
#include <cstdint>
#include <cstdio>
#include <fstream>
#include <string>

#include "bench/bench_run.h"
#include "cli_args.h"
#include "commands.h"
#include "util/error.h"

namespace artv::cli {

namespace {

const char *const kBenchHelp =
    "usage: artv bench [options]\n"
    "\n"
    "Measure what generating a frame costs here: per dtype, this machine's reference throughput\n"
    "(a large convolution and matrix product), the U-Net alone at the generation batch, whole\n"
    "frames with every engine optimisation on, then with each one switched (ablations), and\n"
    "optionally one long session. All in one run: read the figures as ratios to each other.\n"
    "Prints a table; the JSON report goes to --out.\n"
    "\n"
    "Model:\n"
    "  --model DIR            a trained model (default: $ARTV_MODEL_PATH, else the installed model)\n"
    "  --config FILE          instead, random weights for this config (e.g. models/sd21/config.json)\n"
    "  --tokenizer FILE       tokenizer for --config (default: the default model's)\n"
    "  --size WxH             generation size (default: the model's native size, square)\n"
    "Machine:\n"
    "  --device DEV           auto | cpu | cuda | cuda:N (default auto)\n"
    "  --dtypes LIST          e.g. fp32,bf16 (default: fp32, plus bf16 where the device has it\n"
    "                         natively)\n"
    "  --threads N            LibTorch threads (default 0: all online CPUs)\n"
    "  --blas-threads N       OpenBLAS threads (default 0: the engine's 1; LibTorch's threads\n"
    "                         run around the BLAS calls)\n"
    "  --attention-chunk N    query rows per chunk of the non-fused attention (default 0:\n"
    "                         automatic, under 2^26 scores per chunk); ignored with fused attention\n"
    "What:\n"
    "  --mode M               continue | animate | t2v (default animate)\n"
    "  --prompt TEXT          (default \"camera pans left over a photo of a town\")\n"
    "  --steps N              denoising steps per frame (default: the model's)\n"
    "  --frames N             timed frames per case (default 3)\n"
    "  --warmup N             untimed frames first (default 1; FLOPs are counted in the first)\n"
    "  --forward-repeats N    timed U-Net forwards, the best reported (default 20)\n"
    "  --op-profile N         also the U-Net forward's N slowest ATen ops (wall time and calls\n"
    "                         per forward, profiled over as many more forwards; default 0)\n"
    "  --ablations LIST       switches measured against the default, one at a time:\n"
    "                         batch_cfg, per_frame_conditions, inference_mode, onednn_conv,\n"
    "                         onednn_linear, fused_attention (LibTorch 2.x only) (turned\n"
    "                         off), channels_last, blas_threads_all (turned on); all | none\n"
    "                         (default all). Each block of frames reports its own peak RSS.\n"
    "  --cfg-ref X, --cfg-anchor X, --cfg-text X   guidance scales (default: the model's)\n"
    "  --long-frames N        also one session of N frames in the first dtype: time per frame at\n"
    "                         frames 10/100/1000, RSS every --rss-every frames (default 100)\n"
    "  --seed N               sampling and renderer seed (default 0)\n"
    "  --out FILE             the JSON report (default: none)\n"
    "  -q, --quiet            no progress lines\n"
    "  -h, --help             this text\n";

const ArgParser args{"bench"};

bool parse_options(int argc, char **argv, BenchOptions &o, std::string &out, bool &quiet) {
    o.ablations = bench_ablation_names();
    for (int i = 1; i < argc; ++i) {
        const std::string a = argv[i];
        auto value = [&] { return args.value(argc, argv, i); };
        if (a == "-h" || a == "--help") {
            std::fputs(kBenchHelp, stdout);
            return false;
        } else if (a == "--model") o.model_dir = value();
        else if (a == "--config") o.config_path = value();
        else if (a == "--tokenizer") o.tokenizer = value();
        else if (a == "--size") args.size(a, value(), &o.frame.size.width, &o.frame.size.height);
        else if (a == "--device") o.device = value();
        else if (a == "--dtypes") o.dtypes = args.list(a, value());
        else if (a == "--threads") o.threads = int(args.integer(a, value(), 0, 4096));
        else if (a == "--blas-threads") o.blas_threads = int(args.integer(a, value(), 0, 4096));
        else if (a == "--attention-chunk") o.attention_chunk = args.integer(a, value(), 0, INT64_MAX);
        else if (a == "--mode") o.frame.mode = value();
        else if (a == "--prompt") o.frame.prompt = value();
        else if (a == "--steps") o.frame.steps = int(args.integer(a, value(), 1, 1000));
        else if (a == "--frames") o.frame.frames = int(args.integer(a, value(), 1, 1000000));
        else if (a == "--warmup") o.frame.warmup = int(args.integer(a, value(), 0, 1000000));
        else if (a == "--forward-repeats") o.forward_repeats = int(args.integer(a, value(), 1, 1000000));
        else if (a == "--op-profile") o.op_profile = int(args.integer(a, value(), 0, 1000));
        else if (a == "--ablations") {
            const std::string v = value();
            if (v == "none") o.ablations.clear();
            else if (v == "all") o.ablations = bench_ablation_names();
            else o.ablations = args.list(a, v);
        } else if (a == "--cfg-ref") o.frame.cfg_ref = args.number(a, value());
        else if (a == "--cfg-anchor") o.frame.cfg_anchor = args.number(a, value());
        else if (a == "--cfg-text") o.frame.cfg_text = args.number(a, value());
        else if (a == "--long-frames") o.long_frames = int(args.integer(a, value(), 0, 10000000));
        else if (a == "--rss-every") o.rss_every = int(args.integer(a, value(), 1, 10000000));
        else if (a == "--seed") o.frame.seed = uint64_t(args.integer(a, value(), 0, INT64_MAX));
        else if (a == "--out" || a == "-o") out = value();
        else if (a == "-q" || a == "--quiet") quiet = true;
        else args.error("unknown option \"" + a + "\"");
    }
    if (!o.model_dir.empty() && !o.config_path.empty()) args.error("give --model or --config, not both");
    return true;
}

}  // namespace

int cmd_bench(int argc, char **argv) {
    BenchOptions o;
    std::string out;
    bool quiet = false;
    try {
        if (!parse_options(argc, argv, o, out, quiet)) return 0;
    } catch (const Error &e) {
        std::fprintf(stderr, "artv bench: %s\n", e.what());
        return 2;
    }
    if (!quiet)
        o.log = [](const std::string &line) {
            std::fprintf(stderr, "artv bench: %s\n", line.c_str());
            std::fflush(stderr);
        };
    try {
        const auto report = run_bench(o);
        std::fputs(bench_table(report).c_str(), stdout);
        if (!out.empty()) {
            std::ofstream f(out);
            f << report.dump(2) << "\n";
            if (!f.flush()) throw_error(ARTV_ERR_IO, "cannot write " + out);
        }
        return 0;
    } catch (const Error &e) {
        std::fprintf(stderr, "artv bench: %s\n", e.what());
        return e.status() == ARTV_ERR_INVALID_ARGUMENT ? 2 : 1;
    } catch (const std::exception &e) {
        std::fprintf(stderr, "artv bench: %s\n", e.what());
        return 1;
    }
}

}  // namespace artv::cli
