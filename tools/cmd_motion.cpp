// `artv motion`: how the picture of a video moves (global translation by phase correlation,
// core/eval/phase_correlation.h, of frames a stride apart: clip_motion()) — what `artv eval`
// measures for camera pans, for any clip: check that "camera pans left" made the content slide
// right.
#include <cmath>
#include <cstdio>
#include <string>
#include <vector>
#include <algorithm>

extern "C" {
#include <libavutil/log.h>
}

#include "cli_args.h"
#include "commands.h"
#include "eval/motion_metrics.h"
#include "eval/phase_correlation.h"
#include "io/video_reader.h"
#include "util/error.h"

namespace artv::cli {

namespace {

const char *const kMotionHelp =
    "usage: artv motion [options] VIDEO\n"
    "\n"
    "Measure the global motion of a video: the shift of the picture's content between frames\n"
    "a stride apart (phase correlation; +x right, +y down), one line per frame pair, then the\n"
    "total from the first to the last frame, the mean shift per frame and the dominant\n"
    "direction. The content sliding right is what \"camera pans left\" looks like.\n"
    "\n"
    "  --stride N             compare frames N apart (default 1: neighbouring frames, as artv\n"
    "                         eval; pans of 1-2 px/frame through a VAE read right from 4 on)\n"
    "  --skip N               leave out the first N frames (e.g. the frames fed to a filter)\n"
    "  --frames N             measure at most N frames (default: all)\n"
    "  --size N               analyse at N pixels on the short side (default 128)\n"
    "  -q, --quiet            only the summary line\n"
    "  -h, --help             this text\n";

const ArgParser args{"motion"};

const char *direction_words(double dx, double dy) {
    if (std::abs(dx) >= std::abs(dy)) return dx > 0 ? "content moves right (camera pans left)" : "content moves left (camera pans right)";
    return dy > 0 ? "content moves down (camera tilts up)" : "content moves up (camera tilts down)";
}

}  // namespace

int cmd_motion(int argc, char **argv) {
    std::string path;
    int skip = 0, max_frames = 100000, size = 128, stride = 1;
    bool quiet = false;
    try {
        for (int i = 1; i < argc; ++i) {
            const std::string a = argv[i];
            auto value = [&] { return args.value(argc, argv, i); };
            if (a == "-h" || a == "--help") {
                std::fputs(kMotionHelp, stdout);
                return 0;
            } else if (a == "--stride") stride = int(args.integer(a, value(), 1, 1000));
            else if (a == "--skip") skip = int(args.integer(a, value(), 0, 1000000));
            else if (a == "--frames") max_frames = int(args.integer(a, value(), 2, 1000000));
            else if (a == "--size") size = int(args.integer(a, value(), 16, 4096));
            else if (a == "-q" || a == "--quiet") quiet = true;
            else if (!a.empty() && a[0] == '-') args.error("unknown option \"" + a + "\"");
            else if (path.empty()) path = a;
            else args.error("one video at a time");
        }
        if (path.empty()) args.error("no video given");
    } catch (const Error &e) {
        std::fprintf(stderr, "artv motion: %s\n", e.what());
        return 2;
    }
    av_log_set_level(AV_LOG_ERROR);
    try {
        VideoReadOptions vo;
        vo.fps = 0;  // every decoded picture
        vo.short_side = size;
        vo.max_frames = skip + max_frames;
        VideoReader reader(path, vo);
        std::vector<Frame> frames;
        Frame cur;
        for (int index = 0; reader.read(&cur); ++index)
            if (index >= skip) frames.push_back(cur);
        if (frames.size() < 2) throw_error(ARTV_ERR_FORMAT, path + ": fewer than 2 frames to compare");
        const size_t s = std::min(size_t(stride), frames.size() - 1);
        if (!quiet)
            for (size_t i = 0; i + s < frames.size(); ++i) {
                const Shift sh = phase_correlation(frames[i], frames[i + s]);
                std::printf("frame %zu -> %zu: dx %+.2f dy %+.2f (peak %.2f)\n", i, i + s, sh.dx, sh.dy, sh.peak);
            }
        const Displacement d = clip_motion(frames, int(s));
        const double pairs = double(frames.size() - 1);
        std::printf("%s: %zu frames at %dx%d (stride %zu), total dx %+.2f dy %+.2f px, mean %+.2f %+.2f px/frame: %s\n",
                    path.c_str(), frames.size(), frames[0].width, frames[0].height, s, d.dx, d.dy, d.dx / pairs,
                    d.dy / pairs, direction_words(d.dx, d.dy));
        return 0;
    } catch (const Error &e) {
        std::fprintf(stderr, "artv motion: %s\n", e.what());
        return e.status() == ARTV_ERR_INVALID_ARGUMENT ? 2 : 1;
    }
}

}  // namespace artv::cli
