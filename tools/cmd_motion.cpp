// `artv motion`: how the picture of a video moves, frame to frame (global translation by phase
// correlation, core/eval/phase_correlation.h) — what `artv eval` measures for camera pans, for
// any clip: check that "camera pans left" made the content slide right.
#include <cmath>
#include <cstdio>
#include <string>

extern "C" {
#include <libavutil/log.h>
}

#include "cli_args.h"
#include "commands.h"
#include "eval/phase_correlation.h"
#include "io/video_reader.h"
#include "util/error.h"

namespace artv::cli {

namespace {

const char *const kMotionHelp =
    "usage: artv motion [options] VIDEO\n"
    "\n"
    "Measure the global motion of a video: the shift of the picture's content between\n"
    "consecutive frames (phase correlation; +x right, +y down), one line per frame pair, then\n"
    "the total, the mean shift per frame and the dominant direction. The content sliding right\n"
    "is what \"camera pans left\" looks like.\n"
    "\n"
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
    int skip = 0, max_frames = 100000, size = 128;
    bool quiet = false;
    try {
        for (int i = 1; i < argc; ++i) {
            const std::string a = argv[i];
            auto value = [&] { return args.value(argc, argv, i); };
            if (a == "-h" || a == "--help") {
                std::fputs(kMotionHelp, stdout);
                return 0;
            } else if (a == "--skip") skip = int(args.integer(a, value(), 0, 1000000));
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
        Frame prev, cur;
        int index = 0, pairs = 0;
        double sx = 0, sy = 0;
        while (reader.read(&cur)) {
            if (index++ < skip) continue;
            if (!prev.empty()) {
                const Shift s = phase_correlation(prev, cur);
                sx += s.dx;
                sy += s.dy;
                ++pairs;
                if (!quiet)
                    std::printf("frame %d -> %d: dx %+.2f dy %+.2f (peak %.2f)\n", index - 2, index - 1, s.dx, s.dy, s.peak);
            }
            prev = cur;
        }
        if (pairs == 0) throw_error(ARTV_ERR_FORMAT, path + ": fewer than 2 frames to compare");
        std::printf("%s: %d frame pairs at %dx%d, total dx %+.2f dy %+.2f px, mean %+.2f %+.2f px/frame: %s\n",
                    path.c_str(), pairs, prev.width, prev.height, sx, sy, sx / pairs, sy / pairs,
                    direction_words(sx, sy));
        return 0;
    } catch (const Error &e) {
        std::fprintf(stderr, "artv motion: %s\n", e.what());
        return e.status() == ARTV_ERR_INVALID_ARGUMENT ? 2 : 1;
    }
}

}  // namespace artv::cli
