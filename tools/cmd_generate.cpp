// `artv generate`: text-to-video, animate a still, continue a clip, or a multi-prompt long video,
// written as MP4 (or any container libavformat knows) or a PNG sequence. A thin front end:
// options in, C API calls (artv.h), frames out (io/video_writer.h).
#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <string>
#include <vector>

extern "C" {
#include <libavutil/log.h>
}

#include "artv/artv.h"
#include "cli_args.h"
#include "commands.h"
#include "diffusion/sampler.h"
#include "generate/prompt_schedule.h"
#include "io/image.h"
#include "io/video_reader.h"
#include "io/video_writer.h"
#include "util/error.h"

namespace artv::cli {

namespace {

const char *const kGenerateHelp =
    "usage: artv generate [options] -o OUTPUT\n"
    "\n"
    "Generate video frame by frame with an ARTV model. With no --input: text-to-video. With an\n"
    "image: animate it (it is the first frame's references and anchor). With a video: continue\n"
    "it from its last two frames.\n"
    "\n"
    "Prompt:\n"
    "  --prompt TEXT          one prompt for every frame (default: \"\", unconditional)\n"
    "  --prompts SCHEDULE     multi-prompt: \"PROMPT:FRAMES|PROMPT:FRAMES|...\"; each prompt holds\n"
    "                         for FRAMES frames, the last one after its count; '\\' escapes ':'\n"
    "                         '|' '\\'. Each new prompt is anchored on the previous one's last\n"
    "                         frame.\n"
    "Input and output:\n"
    "  --input FILE           an image (png, jpg, bmp, webp, ...) to animate, or a video to continue\n"
    "  --include-input        write the input's frames before the generated ones\n"
    "  -o, --output PATH      out.mp4 (any libavformat container) or a PNG sequence out_%05d.png\n"
    "  --frames N             frames to generate (default: the schedule's total, else 16)\n"
    "  --size WxH             output frame size (default: the input's size, else the generation\n"
    "                         size)\n"
    "  --fps F                output frame rate (default: the input video's, else the model's)\n"
    "Generation:\n"
    "  --gen-size WxH         size the model generates at; multiples of the model's size multiple\n"
    "                         (default: the model's native short side with the output's aspect)\n"
    "  --max-size N           upper bound on the generation size (default 2048)\n"
    "  --steps N              denoising steps per frame (default: the model's)\n"
    "  --sampler NAME         dpmpp_2s_ancestral | ddim | euler (default: the model's)\n"
    "  --eta X                ancestral noise of dpmpp_2s_ancestral, 0..1 (default 1)\n"
    "  --seed N               random seed; same seed and options give the same frames (default 0)\n"
    "  --cfg-ref X            guidance scale of the reference frames (default: the model's)\n"
    "  --cfg-anchor X         guidance scale of the anchor frame (default: the model's)\n"
    "  --cfg-text X           guidance scale of the text (default: the model's)\n"
    "  --cfg-text-t2v X       text scale of a frame made from text alone (the first frame of\n"
    "                         text-to-video; default: the model's)\n"
    "  --noise-aug K          noise level of references and anchor, 0..999 (default: the model's)\n"
    "  --anchor POLICY        paper (first frame of each prompt segment; default) | first (the\n"
    "                         session's first frame throughout) | none\n"
    "  --no-mask              plain noise prediction without the masked-diffusion mix (ablation)\n"
    "Model and machine:\n"
    "  --model DIR            model directory (default: $ARTV_MODEL_PATH, else the installed model)\n"
    "  --device DEV           auto | cpu | cuda | cuda:N (default auto)\n"
    "  --dtype T              auto | fp32 | bf16 | fp16 (default auto: bf16 where native)\n"
    "  --threads N            CPU threads (default 0: all online CPUs)\n"
    "  -q, --quiet            no progress output\n"
    "  -h, --help             this text\n"
    "\n"
    "Progress goes to stderr: a bar on a terminal, one line per frame otherwise. SIGINT/SIGTERM\n"
    "stop after the current denoising step; the frames finished so far are kept and the exit\n"
    "status is 130 (143 for SIGTERM).\n";

volatile sig_atomic_t g_signal = 0;

void on_signal(int sig) { g_signal = sig; }

int abort_requested(void *) { return g_signal != 0; }

struct Options {
    std::string model, prompt, prompts, input, output, sampler, device = "auto", dtype = "auto";
    artv_anchor_policy anchor = ARTV_ANCHOR_PAPER;
    bool have_prompt = false, have_prompts = false, include_input = false, no_mask = false;
    bool quiet = false;
    int frames = -1, out_w = 0, out_h = 0, gen_w = 0, gen_h = 0, max_size = 2048;
    int steps = 0, noise_aug = -1, threads = 0;
    double fps = 0, eta = NAN, cfg_ref = NAN, cfg_anchor = NAN, cfg_text = NAN;
    double cfg_text_t2v = NAN;
    uint64_t seed = 0;
};

const ArgParser args{"generate"};

// Returns false for --help (already printed).
bool parse_options(int argc, char **argv, Options &o) {
    for (int i = 1; i < argc; ++i) {
        std::string a = argv[i];
        auto value = [&] { return args.value(argc, argv, i); };
        if (a == "-h" || a == "--help") {
            std::fputs(kGenerateHelp, stdout);
            return false;
        } else if (a == "--model") o.model = value();
        else if (a == "--prompt") { o.prompt = value(); o.have_prompt = true; }
        else if (a == "--prompts") { o.prompts = value(); o.have_prompts = true; }
        else if (a == "--input") o.input = value();
        else if (a == "--include-input") o.include_input = true;
        else if (a == "-o" || a == "--output") o.output = value();
        else if (a == "--frames") o.frames = static_cast<int>(args.integer(a, value(), 1, 10000000));
        else if (a == "--size") args.size(a, value(), &o.out_w, &o.out_h);
        else if (a == "--gen-size") args.size(a, value(), &o.gen_w, &o.gen_h);
        else if (a == "--max-size") o.max_size = static_cast<int>(args.integer(a, value(), 1, 16384));
        else if (a == "--fps") {
            o.fps = args.number(a, value());
            if (o.fps <= 0 || o.fps > 1000) args.error("--fps must be in (0, 1000]");
        } else if (a == "--steps") o.steps = static_cast<int>(args.integer(a, value(), 1, 100000));
        else if (a == "--sampler") o.sampler = value();
        else if (a == "--eta") o.eta = args.number(a, value());
        else if (a == "--seed") o.seed = static_cast<uint64_t>(args.integer(a, value(), 0, INT64_MAX));
        else if (a == "--cfg-ref") o.cfg_ref = args.number(a, value());
        else if (a == "--cfg-anchor") o.cfg_anchor = args.number(a, value());
        else if (a == "--cfg-text") o.cfg_text = args.number(a, value());
        else if (a == "--cfg-text-t2v") o.cfg_text_t2v = args.number(a, value());
        else if (a == "--noise-aug") o.noise_aug = static_cast<int>(args.integer(a, value(), 0, 100000));
        else if (a == "--anchor") o.anchor = args.anchor_policy(a, value());
        else if (a == "--no-mask") o.no_mask = true;
        else if (a == "--device") o.device = value();
        else if (a == "--dtype") o.dtype = value();
        else if (a == "--threads") o.threads = static_cast<int>(args.integer(a, value(), 0, 4096));
        else if (a == "-q" || a == "--quiet") o.quiet = true;
        else args.error("unknown option \"" + a + "\"");
    }
    if (o.output.empty()) args.error("no output: give -o out.mp4 or -o out_%05d.png");
    if (o.have_prompt && o.have_prompts) args.error("give --prompt or --prompts, not both");
    return true;
}

bool is_image_path(const std::string &path) {
    auto dot = path.rfind('.');
    if (dot == std::string::npos) return false;
    std::string ext = path.substr(dot + 1);
    for (char &c : ext) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    for (const char *e : {"png", "jpg", "jpeg", "bmp", "webp", "tif", "tiff", "ppm", "pgm", "pnm"})
        if (ext == e) return true;
    return false;
}

// Calls the C API and turns a failure into an artv::Error with its message.
void check(artv_status status) {
    if (status != ARTV_OK) throw Error(status, artv_last_error());
}

struct ModelHandle {
    artv_model *p = nullptr;
    ~ModelHandle() { artv_model_close(p); }
};
struct SessionHandle {
    artv_session *p = nullptr;
    ~SessionHandle() { artv_session_free(p); }
};

class Progress {
public:
    Progress(int total, bool quiet) : total_(total), quiet_(quiet), tty_(isatty(STDERR_FILENO)) {}
    // seconds_per_frame: of the frame just done; the ETA uses the mean so far.
    void frame_done(int done, double seconds_per_frame) {
        elapsed_ += seconds_per_frame;
        if (quiet_) return;
        const double eta = elapsed_ / done * (total_ - done);
        if (tty_) {
            const int width = 30, filled = total_ > 0 ? width * done / total_ : 0;
            std::fprintf(stderr, "\r[%s%s] %d/%d frames  %.2f s/frame  ETA %s ",
                         std::string(filled, '#').c_str(), std::string(width - filled, ' ').c_str(),
                         done, total_, seconds_per_frame, clock(eta).c_str());
            if (done == total_) std::fputc('\n', stderr);
        } else {
            std::fprintf(stderr, "frame %d/%d  %.2f s/frame  ETA %s\n", done, total_,
                         seconds_per_frame, clock(eta).c_str());
        }
        std::fflush(stderr);
    }
    void interrupted() {
        if (!quiet_ && tty_) std::fputc('\n', stderr);
    }

private:
    static std::string clock(double seconds) {
        long s = std::lround(std::max(0.0, seconds));
        char buf[32];
        std::snprintf(buf, sizeof buf, "%ld:%02ld:%02ld", s / 3600, s / 60 % 60, s % 60);
        return buf;
    }
    int total_;
    bool quiet_, tty_;
    double elapsed_ = 0.0;
};

int run_generate(const Options &o) {
    ModelHandle model;
    artv_model_params mp = artv_model_default_params();
    mp.device = o.device.c_str();
    mp.dtype = o.dtype.c_str();
    mp.threads = o.threads;
    check(artv_model_open(o.model.empty() ? nullptr : o.model.c_str(), &mp, &model.p));
    artv_model_info info;
    check(artv_model_get_info(model.p, &info));

    artv_session_params sp = artv_session_default_params();
    sp.gen_width = o.gen_w;
    sp.gen_height = o.gen_h;
    sp.max_size = o.max_size;
    sp.steps = o.steps;
    if (!o.sampler.empty()) {
        switch (parse_sampler(o.sampler)) {
        case SamplerKind::DpmPP2SAncestral: sp.sampler = ARTV_SAMPLER_DPMPP_2S_ANCESTRAL; break;
        case SamplerKind::Ddim: sp.sampler = ARTV_SAMPLER_DDIM; break;
        case SamplerKind::Euler: sp.sampler = ARTV_SAMPLER_EULER; break;
        }
    }
    if (!std::isnan(o.eta)) sp.eta = static_cast<float>(o.eta);
    sp.seed = o.seed;
    sp.cfg_ref = static_cast<float>(o.cfg_ref);
    sp.cfg_anchor = static_cast<float>(o.cfg_anchor);
    sp.cfg_text = static_cast<float>(o.cfg_text);
    sp.cfg_text_t2v = static_cast<float>(o.cfg_text_t2v);
    sp.noise_aug = o.noise_aug;
    sp.use_mask = o.no_mask ? 0 : 1;
    sp.anchor = o.anchor;
    sp.abort = abort_requested;

    SessionHandle session;
    check(artv_session_new(model.p, &sp, &session.p));
    if (o.have_prompts) check(artv_session_set_schedule(session.p, o.prompts.c_str()));
    else check(artv_session_set_prompt(session.p, o.prompt.c_str()));

    // Frame count: --frames, else the schedule's total (when every segment has a count), else 16.
    int frames = o.frames;
    if (frames < 0 && o.have_prompts) {
        const int64_t total = PromptSchedule::parse(o.prompts).total_frames();
        if (total > 0) frames = static_cast<int>(std::min<int64_t>(total, 10000000));
    }
    if (frames < 0) frames = 16;

    // The writer opens at the first frame to write: its size is --size, else the input's, else
    // the generation size (--gen-size, or the native square in T2V).
    std::unique_ptr<VideoWriter> writer;
    int out_w = o.out_w, out_h = o.out_h;
    double fps = o.fps > 0 ? o.fps : info.fps;
    auto open_writer = [&](int w, int h) {
        if (writer) return;
        if (out_w == 0) {
            out_w = w;
            out_h = h;
        }
        VideoWriterOptions wo;
        wo.fps = fps;
        writer = std::make_unique<VideoWriter>(o.output, out_w, out_h, wo);
    };
    // Input frames stream through: each is fed (the session keeps only what conditions the next
    // frame) and, with --include-input, written; memory stays constant for long clips.
    auto take_input = [&](const Frame &f) {
        check(artv_session_feed_frame(session.p, f.rgb.data(), f.width, f.height,
                                      static_cast<int>(f.stride())));
        if (o.include_input) {
            open_writer(f.width, f.height);
            writer->write(f.width == out_w && f.height == out_h ? f : resize_frame(f, out_w, out_h));
        } else if (out_w == 0) {
            out_w = f.width;
            out_h = f.height;
        }
    };
    if (!o.input.empty()) {
        if (is_image_path(o.input)) {
            take_input(read_image(o.input));
        } else {
            VideoReadOptions ro;
            ro.fps = 0;  // every picture as decoded
            VideoReader reader(o.input, ro);
            if (o.fps <= 0 && reader.info().fps > 0) fps = reader.info().fps;
            Frame f;
            while (!g_signal && reader.read(&f)) take_input(f);  // a signal stops a long input too
        }
    }
    if (o.gen_w > 0) open_writer(o.gen_w, o.gen_h);
    const int native = std::min(info.native_short_side, o.max_size);
    open_writer(native, native);

    Progress progress(frames, o.quiet);
    Frame out(out_w, out_h);
    for (int i = 0; i < frames; ++i) {
        auto start = std::chrono::steady_clock::now();
        artv_status st = g_signal ? ARTV_ERR_ABORTED
                                  : artv_session_next_frame(session.p, out.rgb.data(), out_w, out_h,
                                                            static_cast<int>(out.stride()));
        if (st == ARTV_ERR_ABORTED && g_signal) {
            progress.interrupted();
            const char *sig = g_signal == SIGTERM ? "SIGTERM" : "SIGINT";
            // What was written is kept as a finished file; a video without a frame is removed.
            if (writer->frames_written() == 0) {
                writer->abort();
                std::fprintf(stderr, "artv generate: interrupted by %s before the first frame; "
                             "nothing written\n", sig);
            } else {
                writer->close();
                std::fprintf(stderr, "artv generate: interrupted by %s after %d frame%s; %s keeps "
                             "them\n", sig, i, i == 1 ? "" : "s", o.output.c_str());
            }
            return g_signal == SIGTERM ? 143 : 130;
        }
        check(st);
        writer->write(out);
        double spf = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
        progress.frame_done(i + 1, spf);
    }
    writer->close();
    if (!o.quiet)
        std::fprintf(stderr, "artv generate: wrote %d frames (%dx%d, %.3g fps) to %s\n",
                     writer->frames_written(), out_w, out_h, fps, o.output.c_str());
    return 0;
}

}  // namespace

int cmd_generate(int argc, char **argv) {
    Options o;
    try {
        if (!parse_options(argc, argv, o)) return 0;
    } catch (const Error &e) {
        std::fprintf(stderr, "artv generate: %s\n", e.what());
        return 2;
    }
    // libav's encoder chatter (x264's statistics) is not ours to show; its warnings are.
    av_log_set_level(o.quiet ? AV_LOG_ERROR : AV_LOG_WARNING);
    struct sigaction sa {};
    sa.sa_handler = on_signal;
    sa.sa_flags = SA_RESETHAND;  // a second signal kills at once
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, nullptr);
    sigaction(SIGTERM, &sa, nullptr);
    try {
        return run_generate(o);
    } catch (const Error &e) {
        std::fprintf(stderr, "artv generate: %s\n", e.what());
        return e.status() == ARTV_ERR_INVALID_ARGUMENT ? 2 : 1;
    } catch (const std::exception &e) {
        std::fprintf(stderr, "artv generate: %s\n", e.what());
        return 1;
    }
}

}  // namespace artv::cli
