// `artv render`: writes the training data for people to look at — procedural renderer clips
// (core/data/renderer.h) or real footage decoded as training sees it (core/data/dataset.h) —
// as MP4 files or PNG sequences, with a captions.jsonl (itself a captions file that
// VideoSource reads back) and optionally a contact sheet, one row per clip.
#include <sys/stat.h>

#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <memory>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

extern "C" {
#include <libavutil/log.h>
}

#include "cli_args.h"
#include "commands.h"
#include "data/dataset.h"
#include "data/photo_library.h"
#include "data/renderer.h"
#include "io/image.h"
#include "io/video_writer.h"
#include "util/error.h"

namespace artv::cli {

namespace {

const char *const kRenderHelp =
    "usage: artv render [options] -o DIR\n"
    "\n"
    "Write procedural training clips (or real footage, decoded as training sees it) to DIR as\n"
    "clip_NNNN.mp4 (or clip_NNNN/frame_NNNNN.png with --png), their captions to DIR/captions.jsonl,\n"
    "and print one line per clip. Conventions and vocabulary: docs/DATA.md.\n"
    "\n"
    "  -o, --output DIR       output directory (created if missing)\n"
    "  --count N              clips to render (default 8)\n"
    "  --seed N               first seed; clip i is seed N+i (default 0)\n"
    "  --size WxH             frame size (default 128x128)\n"
    "  --frames N             frames per clip (default 16)\n"
    "  --fps F                frame rate of the written files (default 8)\n"
    "  --object-motion NAME   only these object motions (repeatable): still left right up down\n"
    "                         up_left up_right down_left down_right bouncing growing shrinking\n"
    "                         rotating\n"
    "  --camera-motion NAME   only these camera motions (repeatable): still pan_left pan_right\n"
    "                         tilt_up tilt_down zoom_in zoom_out\n"
    "  --camera-share P       share of camera clips, 0..1 (default 0.3; 0 or 1 when only object\n"
    "                         or only camera motions are given)\n"
    "  --photos FILE          photo list (default: data/photos.jsonl of $ARTV_SRCDIR or of .)\n"
    "  --split train|eval     which photos (default train)\n"
    "  --footage FILE         instead of rendering: decode the clips of a captions file\n"
    "                         (e.g. data/real_footage.jsonl) at --size and --fps\n"
    "  --png                  PNG sequences instead of MP4\n"
    "  --sheet FILE.png       also a contact sheet: one row per clip\n"
    "  --sheet-frames N       frames per row of the sheet, evenly spaced (default 8)\n"
    "  --no-clips             write only the sheet and captions.jsonl\n";

struct Options {
    std::string output, photos, footage, sheet;
    int count = 8, width = 128, height = 128, frames = 16, sheet_frames = 8;
    uint64_t seed = 0;
    double fps = 8, camera_share = -1;
    PhotoSplit split = PhotoSplit::Train;
    std::vector<ObjectMotion> object_motions;
    std::vector<CameraMotion> camera_motions;
    bool png = false, clips = true;
};

const ArgParser args{"render"};

bool parse_options(int argc, char **argv, Options &o) {
    for (int i = 1; i < argc; ++i) {
        std::string a = argv[i];
        auto value = [&] { return args.value(argc, argv, i); };
        if (a == "-h" || a == "--help") {
            std::fputs(kRenderHelp, stdout);
            return false;
        } else if (a == "-o" || a == "--output") o.output = value();
        else if (a == "--count") o.count = int(args.integer(a, value(), 1, 1000000));
        else if (a == "--seed") o.seed = uint64_t(args.integer(a, value(), 0, INT64_MAX));
        else if (a == "--size") args.size(a, value(), &o.width, &o.height, 16, 4096); else if (a == "--frames") o.frames = int(args.integer(a, value(), 1, 100000));
        else if (a == "--fps") o.fps = args.number(a, value(), 0.01, 1000);
        else if (a == "--object-motion")
            o.object_motions.push_back(object_motion_named(value()));
        else if (a == "--camera-motion")
            o.camera_motions.push_back(camera_motion_named(value()));
        else if (a == "--camera-share") o.camera_share = args.number(a, value(), 0, 1);
        else if (a == "--photos") o.photos = value();
        else if (a == "--split") o.split = photo_split_named(value());
        else if (a == "--footage") o.footage = value();
        else if (a == "--png") o.png = true;
        else if (a == "--sheet") o.sheet = value();
        else if (a == "--sheet-frames") o.sheet_frames = int(args.integer(a, value(), 1, 1000));
        else if (a == "--no-clips") o.clips = false;
        else args.error("unknown option \"" + a + "\"");
    }
    if (o.output.empty()) args.error("no output directory: give -o DIR");
    if (!o.png && (o.width % 2 || o.height % 2)) args.error("MP4 needs an even --size; use --png for odd sizes");
    return true;
}

void make_dir(const std::string &dir) {
    if (::mkdir(dir.c_str(), 0777) != 0 && errno != EEXIST) throw_io(dir + ": cannot create: " + std::strerror(errno));
}

// Writes one clip as DIR/NAME.mp4 or DIR/NAME/frame_%05d.png; returns the path relative to DIR.
std::string write_clip(const Options &o, const std::string &name, const std::vector<Frame> &frames) {
    std::string rel = o.png ? name + "/frame_%05d.png" : name + ".mp4";
    if (o.png) make_dir(o.output + "/" + name);
    VideoWriterOptions wo;
    wo.fps = o.fps;
    VideoWriter w(o.output + "/" + rel, frames[0].width, frames[0].height, wo);
    for (const Frame &f : frames) w.write(f);
    w.close();
    return rel;
}

// `count` frames of a clip, evenly spaced from its first to its last.
void add_sheet_row(std::vector<Frame> &cells, const std::vector<Frame> &frames, int count) {
    for (int k = 0; k < count; ++k) {
        size_t i = count == 1 ? 0 : size_t(k) * (frames.size() - 1) / size_t(count - 1);
        cells.push_back(frames[i]);
    }
}

int run(const Options &o) {
    make_dir(o.output);
    std::ofstream captions(o.output + "/captions.jsonl");
    if (!captions) throw_io(o.output + "/captions.jsonl: cannot write");
    std::vector<Frame> cells;
    auto emit = [&](const std::string &name, const std::vector<Frame> &frames, const std::string &caption,
                    nlohmann::ordered_json extra) {
        nlohmann::ordered_json line;
        if (o.clips) line["path"] = write_clip(o, name, frames);
        line["caption"] = caption;
        for (auto &[k, v] : extra.items()) line[k] = v;
        captions << line.dump() << "\n";
        std::printf("%s  %s\n", name.c_str(), caption.c_str());
        if (!o.sheet.empty()) add_sheet_row(cells, frames, o.sheet_frames);
    };

    if (!o.footage.empty()) {
        VideoSourceOptions vo;
        vo.fps = o.fps;
        vo.width = o.width;
        vo.height = o.height;
        VideoSource src(o.footage, vo);  // reports skipped lines on stderr
        for (size_t i = 0; i < src.size(); ++i) {
            auto c = src.clip(i);
            char name[32];
            std::snprintf(name, sizeof name, "clip_%04zu", i);
            emit(name, c->frames, c->caption,
                 {{"origin", c->origin}, {"frames", c->size()}, {"train_frames", c->train_end}});
        }
    } else {
        RendererOptions ro;
        ro.width = o.width;
        ro.height = o.height;
        ro.frames = o.frames;
        ro.fps = o.fps;
        ro.object_motions = o.object_motions;
        ro.camera_motions = o.camera_motions;
        ro.photo_split = o.split;
        if (o.camera_share >= 0) ro.camera_share = float(o.camera_share);
        else if (!o.camera_motions.empty() && o.object_motions.empty()) ro.camera_share = 1;
        else if (o.camera_motions.empty() && !o.object_motions.empty()) ro.camera_share = 0;
        std::string list = o.photos.empty() ? PhotoLibrary::default_list_path(".") : o.photos;
        struct stat st;
        if (!o.photos.empty() || ::stat(list.c_str(), &st) == 0) {
            ro.photos = PhotoLibrary::from_list(list);
            for (const std::string &w : ro.photos->warnings()) std::fprintf(stderr, "artv render: %s\n", w.c_str());
        } else {
            std::fprintf(stderr, "artv render: no photo list at %s: object clips on plain backgrounds only\n",
                         list.c_str());
        }
        for (int i = 0; i < o.count; ++i) {
            uint64_t seed = o.seed + uint64_t(i);
            RenderedClip c = render_random_clip(seed, ro);
            char name[32];
            std::snprintf(name, sizeof name, "clip_%04d", i);
            const ClipSpec &s = c.spec;
            nlohmann::ordered_json extra = {{"seed", seed}};
            if (s.kind == ClipKind::Camera) extra["camera_motion"] = camera_motion_name(s.camera);
            else extra["object_motion"] = object_motion_name(s.motion);
            emit(name, c.frames, c.caption, extra);
        }
    }
    captions.close();
    if (!captions) throw_io(o.output + "/captions.jsonl: write failed");
    if (!o.sheet.empty()) {
        write_png(o.sheet, contact_sheet(cells, o.sheet_frames));
        std::printf("contact sheet: %s\n", o.sheet.c_str());
    }
    return 0;
}

} // namespace

int cmd_render(int argc, char **argv) {
    av_log_set_level(AV_LOG_ERROR);  // x264's statistics are noise here
    Options o;
    try {
        if (!parse_options(argc, argv, o)) return 0;
    } catch (const Error &e) {
        std::fprintf(stderr, "artv render: %s\n", e.what());
        return 2;
    }
    try {
        return run(o);
    } catch (const Error &e) {
        std::fprintf(stderr, "artv render: %s\n", e.what());
        return 1;
    }
}

} // namespace artv::cli
