// `artv eval`: measures a trained model (docs/EVAL.md) and writes a JSON report and a markdown
// table next to it. A thin front end: options in, core/eval's suites, the report out.
#include <cerrno>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

extern "C" {
#include <libavutil/log.h>
}

#include "cli_args.h"
#include "commands.h"
#include "eval/eval_report.h"
#include "eval/eval_suite.h"
#include "util/error.h"

namespace artv::cli {

namespace {

const char *const kEvalHelp =
    "usage: artv eval [options]\n"
    "\n"
    "Measure a model on held-out data: generated clips scored against ground truth, every\n"
    "motion figure separately for the modes continue (two real frames shown), animate (one\n"
    "still frame: both references are it) and t2v (nothing shown). Writes a JSON report and a\n"
    "markdown table next to it. docs/EVAL.md defines every metric.\n"
    "\n"
    "What:\n"
    "  --suites LIST          comma-separated: object, camera, continuation, conflict, drift,\n"
    "                         real, text_scale (default: all but text_scale)\n"
    "  --modes LIST           continue,animate,t2v (default: all three)\n"
    "  --clips N              clips per suite and mode (default 16)\n"
    "  --frames N             generated frames per clip in the motion suites (default 16)\n"
    "  --drift-frames N       generated frames per drift clip (default 256)\n"
    "  --drift-clips N        drift clips per mode (default 2)\n"
    "  --real-clips N         real clips (default 0: all)\n"
    "  --horizons LIST        real-tail horizons (default 1,4,8,16)\n"
    "  --text-scales LIST     text guidance scales of the text_scale suite (default 1,3,7.5)\n"
    "Sampling (ablations):\n"
    "  --sampler NAME         dpmpp_2s_ancestral | ddim | euler (default: the model's)\n"
    "  --steps N              denoising steps per frame (default: the model's)\n"
    "  --cfg-ref X            reference guidance scale (default: the model's)\n"
    "  --cfg-anchor X         anchor guidance scale (default: the model's)\n"
    "  --cfg-text X           text guidance scale (default: the model's)\n"
    "  --cfg-text-t2v X       text scale of the t2v mode's first frame (default: the model's)\n"
    "  --cfg-sigma-min S      guidance interval: frames with references are guided only at\n"
    "                         sigma >= S (default: the model's; 0 = at every sigma)\n"
    "  --cfg-rescale PHI      guidance rescale of frames with references, 0..1 (default: the\n"
    "                         model's; 0 = none)\n"
    "  --noise-aug K          noise level of references and anchor, 0..999 (default: the model's)\n"
    "  --anchor POLICY        paper (default) | first | none (no anchor: the inference ablation)\n"
    "  --no-mask              sample without the masked-diffusion mix\n"
    "  --continuation-prompt P  caption (default) | none: the continuation suite's prompt;\n"
    "                         none leaves the fed frames as the only cue to the motion\n"
    "  --seed N               sampling seed; clip i uses N + i in every mode (default 0)\n"
    "  --motion-stride N      camera and continuation suites: measure the shift between frames N\n"
    "                         apart (default 1; docs/EVAL.md \"Measuring a pan\")\n"
    "Data and output:\n"
    "  --photos FILE          photo list (default: data/photos.jsonl of $ARTV_SRCDIR or of .)\n"
    "  --real-footage FILE    captions file of real clips (default: real_footage.jsonl next to\n"
    "                         the photo list)\n"
    "  --cache-dir DIR        keep decoded real clips here between runs\n"
    "  --first-seed N         renderer seed of the first evaluation clip (default 2^40)\n"
    "  --photo-split S        eval (default: held-out photos) or train (the training photos: a\n"
    "                         memorisation check)\n"
    "  --out FILE             the JSON report (default eval-report.json); the markdown goes next\n"
    "                         to it (FILE with .md)\n"
    "Model and machine:\n"
    "  --model DIR            model directory (default: $ARTV_MODEL_PATH, else the installed model)\n"
    "  --device DEV           auto | cpu | cuda | cuda:N (default auto)\n"
    "  --dtype T              auto | fp32 | bf16 | fp16 (default auto)\n"
    "  --threads N            CPU threads (default 0: all online CPUs)\n"
    "  -q, --quiet            no progress output\n"
    "  -h, --help             this text\n"
    "\n"
    "Progress goes to stderr, one line per clip and mode.\n";

const ArgParser args{"eval"};

// Returns false for --help (already printed).
bool parse_options(int argc, char **argv, EvalOptions &o, std::string &out, bool &quiet) {
    for (int i = 1; i < argc; ++i) {
        const std::string a = argv[i];
        auto value = [&] { return args.value(argc, argv, i); };
        if (a == "-h" || a == "--help") {
            std::fputs(kEvalHelp, stdout);
            return false;
        } else if (a == "--suites") o.suites = args.list(a, value());
        else if (a == "--modes") {
            o.modes.clear();
            for (const auto &m : args.list(a, value())) o.modes.push_back(parse_eval_mode(m));
        } else if (a == "--clips") o.clips = int(args.integer(a, value(), 1, 100000));
        else if (a == "--frames") o.frames = int(args.integer(a, value(), 2, 100000));
        else if (a == "--drift-frames") o.drift_frames = int(args.integer(a, value(), 2, 10000000));
        else if (a == "--drift-clips") o.drift_clips = int(args.integer(a, value(), 1, 100000));
        else if (a == "--real-clips") o.real_clips = int(args.integer(a, value(), 0, 100000));
        else if (a == "--horizons") {
            o.horizons.clear();
            for (const auto &h : args.list(a, value())) o.horizons.push_back(int(args.integer(a, h.c_str(), 1, 100000)));
        } else if (a == "--text-scales") {
            o.text_scales.clear();
            for (const auto &s : args.list(a, value())) o.text_scales.push_back(args.number(a, s));
        } else if (a == "--sampler") o.sampler = value();
        else if (a == "--steps") o.steps = int(args.integer(a, value(), 1, 100000));
        else if (a == "--cfg-ref") o.cfg_ref = args.number(a, value());
        else if (a == "--cfg-anchor") o.cfg_anchor = args.number(a, value());
        else if (a == "--cfg-text") o.cfg_text = args.number(a, value());
        else if (a == "--cfg-text-t2v") o.cfg_text_t2v = args.number(a, value());
        else if (a == "--cfg-sigma-min") o.cfg_sigma_min = args.number(a, value());
        else if (a == "--cfg-rescale") o.cfg_rescale = args.number(a, value());
        else if (a == "--noise-aug") o.noise_aug = int(args.integer(a, value(), 0, 100000));
        else if (a == "--anchor") o.anchor = args.anchor_policy(a, value());
        else if (a == "--no-mask") o.use_mask = false;
        else if (a == "--continuation-prompt") {
            const std::string v = value();
            if (v != "caption" && v != "none")
                args.error(a + " must be caption or none, got \"" + v + "\"");
            o.continuation_caption = v == "caption";
        }
        else if (a == "--seed") o.seed = uint64_t(args.integer(a, value(), 0, INT64_MAX));
        else if (a == "--photos") o.photos = value();
        else if (a == "--real-footage") o.real_footage = value();
        else if (a == "--cache-dir") o.cache_dir = value();
        else if (a == "--photo-split") o.photo_split = photo_split_named(value());
        else if (a == "--motion-stride") o.motion_stride = int(args.integer(a, value(), 1, 1000));
        else if (a == "--first-seed") o.first_seed = uint64_t(args.integer(a, value(), 0, INT64_MAX));
        else if (a == "--out" || a == "-o") out = value();
        else if (a == "--model") o.model_dir = value();
        else if (a == "--device") o.device = value();
        else if (a == "--dtype") o.dtype = value();
        else if (a == "--threads") o.threads = int(args.integer(a, value(), 0, 4096));
        else if (a == "-q" || a == "--quiet") quiet = true;
        else args.error("unknown option \"" + a + "\"");
    }
    return true;
}

}  // namespace

int cmd_eval(int argc, char **argv) {
    EvalOptions o;
    std::string out = "eval-report.json";
    bool quiet = false;
    try {
        if (!parse_options(argc, argv, o, out, quiet)) return 0;
    } catch (const Error &e) {
        std::fprintf(stderr, "artv eval: %s\n", e.what());
        return 2;
    }
    av_log_set_level(AV_LOG_ERROR);
    if (!quiet)
        o.log = [](const std::string &line) {
            std::fprintf(stderr, "%s\n", line.c_str());
            std::fflush(stderr);
        };
    try {
        const auto report = run_eval(o);
        const std::string md = write_report(report, out);
        if (!quiet) std::fprintf(stderr, "artv eval: wrote %s and %s\n", out.c_str(), md.c_str());
        return 0;
    } catch (const Error &e) {
        std::fprintf(stderr, "artv eval: %s\n", e.what());
        return e.status() == ARTV_ERR_INVALID_ARGUMENT ? 2 : 1;
    } catch (const std::exception &e) {
        std::fprintf(stderr, "artv eval: %s\n", e.what());
        return 1;
    }
}

}  // namespace artv::cli
