// core/io/image, video_reader, video_writer: round trips through PNG, PNG sequences and MP4,
// frame-rate resampling, resizing, and the errors for missing, corrupt, truncated and
// non-video files.
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

// After the standard headers: check.h defines a `fail` macro that breaks <ios>.
#include <check.h>

extern "C" {
#include <libavutil/log.h>
}

#include "io/image.h"
#include "io/video_reader.h"
#include "io/video_writer.h"
#include "data_test_helpers.h"
#include "tempdir.h"
#include "testutil.h"
#include "util/error.h"

using namespace artv;
using artv_test::expect_error;
using artv_test::scratch_dir;

namespace {

bool exists(const std::string &p) {
    struct stat st;
    return ::stat(p.c_str(), &st) == 0;
}

// Frame i of a synthetic clip: a smooth gradient plus a bright 8×8 block whose position
// encodes i, so that a decoded frame can be matched back to its source index.
Frame synthetic_frame(int i, int w = 64, int h = 48) {
    Frame f(w, h);
    for (int y = 0; y < h; ++y)
        for (int x = 0; x < w; ++x) {
            uint8_t *p = f.pixel(x, y);
            p[0] = uint8_t(40 + 2 * x);
            p[1] = uint8_t(60 + 2 * y);
            p[2] = uint8_t(90 + i * 3);
        }
    int bx = (i * 5) % (w - 8), by = ((i * 3) / 2) % (h - 8);
    for (int y = by; y < by + 8; ++y)
        for (int x = bx; x < bx + 8; ++x) {
            uint8_t *p = f.pixel(x, y);
            p[0] = p[1] = p[2] = 250;
        }
    return f;
}

double mean_abs_diff(const Frame &a, const Frame &b) {
    ck_assert_int_eq(a.width, b.width);
    ck_assert_int_eq(a.height, b.height);
    double s = 0;
    for (size_t i = 0; i < a.rgb.size(); ++i) s += std::abs(int(a.rgb[i]) - int(b.rgb[i]));
    return s / double(a.rgb.size());
}

// Index of the source frame closest to f.
int nearest_source(const Frame &f, int count) {
    int best = -1;
    double best_d = 1e9;
    for (int i = 0; i < count; ++i) {
        double d = mean_abs_diff(f, synthetic_frame(i, f.width, f.height));
        if (d < best_d) best_d = d, best = i;
    }
    return best;
}

std::string write_test_mp4(const std::string &name, int count, double fps, const std::string &codec = "") {
    std::string path = scratch_dir() + "/" + name;
    VideoWriterOptions o;
    o.fps = fps;
    o.codec = codec;
    VideoWriter w(path, 64, 48, o);
    for (int i = 0; i < count; ++i) w.write(synthetic_frame(i));
    w.close();
    return path;
}

}  // namespace

START_TEST(frame_basics) {
    std::vector<uint8_t> buf(20 * 7);  // 5×7 pixels with a padded stride of 20 bytes
    for (size_t i = 0; i < buf.size(); ++i) buf[i] = uint8_t(i);
    Frame f = frame_from_rgb24(buf.data(), 5, 7, 20);
    ck_assert_int_eq(int(f.rgb.size()), 5 * 7 * 3);
    ck_assert_int_eq(f.pixel(1, 2)[0], 2 * 20 + 3);
    std::vector<uint8_t> back(20 * 7, 0);
    frame_to_rgb24(f, back.data(), 20);
    for (int y = 0; y < 7; ++y)
        for (int x = 0; x < 15; ++x) ck_assert_int_eq(back[y * 20 + x], buf[y * 20 + x]);

    Frame big = synthetic_frame(0, 64, 48);
    Frame c = center_crop_to_aspect(big, 1, 1);
    ck_assert_int_eq(c.width, 48);
    ck_assert_int_eq(c.height, 48);
    ck_assert_int_eq(c.pixel(0, 0)[0], big.pixel(8, 0)[0]);
    Frame r = resize_cover(big, 32, 32);
    ck_assert_int_eq(r.width, 32);
    ck_assert_int_eq(r.height, 32);
    // Area downscale of a flat colour keeps the colour.
    Frame flat(40, 30, 10, 200, 90);
    Frame small = resize_frame(flat, 13, 7);
    for (size_t i = 0; i < small.rgb.size(); i += 3) {
        ck_assert_int_le(std::abs(small.rgb[i] - 10), 1);
        ck_assert_int_le(std::abs(small.rgb[i + 1] - 200), 1);
        ck_assert_int_le(std::abs(small.rgb[i + 2] - 90), 1);
    }
    Frame sheet = contact_sheet({flat, small, flat}, 2, 3, 0);
    ck_assert_int_eq(sheet.width, 2 * 40 + 3 * 3);
    ck_assert_int_eq(sheet.height, 2 * 30 + 3 * 3);
    ck_assert_int_eq(sheet.pixel(3, 3)[1], 200);
    expect_error([&] { crop_frame(big, 60, 0, 10, 10); }, ARTV_ERR_INVALID_ARGUMENT, "outside");
}
END_TEST

START_TEST(png_round_trip) {
    Frame f = synthetic_frame(7);
    std::string path = scratch_dir() + "/one.png";
    write_png(path, f);
    Frame g = read_image(path);
    ck_assert_msg(f == g, "PNG round trip changed pixels");
    // A JPEG from the system ffmpeg-free path: encode nothing, read opencv-doc's if present.
    const char *jpg = "/usr/share/doc/opencv-doc/examples/data/fruits.jpg";
    if (exists(jpg)) {
        Frame j = read_image(jpg);
        ck_assert_int_gt(j.width, 100);
        ck_assert_int_gt(j.height, 100);
    }
    ImageLimits tight;
    tight.max_width = 32;
    expect_error([&] { read_image(path, tight); }, ARTV_ERR_FORMAT, path);
}
END_TEST

START_TEST(png_sequence_round_trip) {
    std::string pattern = scratch_dir() + "/seq_%05d.png";
    ck_assert(is_image_sequence_pattern(pattern));
    ck_assert(!is_image_sequence_pattern(scratch_dir() + "/x.mp4"));
    {
        VideoWriter w(pattern, 64, 48);
        ck_assert(w.is_png_sequence());
        for (int i = 0; i < 5; ++i) w.write(synthetic_frame(i));
        w.close();
        ck_assert_int_eq(w.frames_written(), 5);
    }
    for (int i = 0; i < 5; ++i) {
        char name[64];
        std::snprintf(name, sizeof name, "/seq_%05d.png", i);
        Frame g = read_image(scratch_dir() + name);
        ck_assert_msg(g == synthetic_frame(i), "PNG sequence frame %d differs", i);
    }
    // Not closed: the frames written are removed.
    std::string pattern2 = scratch_dir() + "/gone_%d.png";
    {
        VideoWriter w(pattern2, 64, 48);
        w.write(synthetic_frame(0));
        w.write(synthetic_frame(1));
        ck_assert(exists(scratch_dir() + "/gone_1.png"));
    }
    ck_assert(!exists(scratch_dir() + "/gone_0.png"));
    ck_assert(!exists(scratch_dir() + "/gone_1.png"));
    expect_error([&] { VideoWriter w(scratch_dir() + "/bad_%s.png", 64, 48); }, ARTV_ERR_INVALID_ARGUMENT, "%d");
}
END_TEST

START_TEST(mp4_round_trip_and_resampling) {
    const int n = 24;
    std::string path = write_test_mp4("clip.mp4", n, 24);
    VideoInfo info = probe_video(path);
    ck_assert_int_eq(info.width, 64);
    ck_assert_int_eq(info.height, 48);
    ck_assert_msg(std::fabs(info.fps - 24) < 0.01, "fps %f", info.fps);

    VideoReadOptions all;
    all.fps = 0;
    std::vector<Frame> frames = read_video(path, all);
    ck_assert_int_eq(int(frames.size()), n);
    for (int i = 0; i < n; ++i) {
        double d = mean_abs_diff(frames[i], synthetic_frame(i));
        ck_assert_msg(d < 4.0, "frame %d differs by %.2f on average after H.264/MPEG-4", i, d);
    }

    // 24 fps → 8 fps: output frame k is source frame 3k.
    VideoReadOptions at8;
    at8.fps = 8;
    frames = read_video(path, at8);
    ck_assert_int_eq(int(frames.size()), 8);
    for (int k = 0; k < 8; ++k) ck_assert_int_eq(nearest_source(frames[k], n), 3 * k);

    // [0.5 s, 1.0 s) at 8 fps: source frames 12, 15, 18, 21.
    VideoReadOptions range = at8;
    range.start = 0.5;
    range.end = 1.0;
    frames = read_video(path, range);
    ck_assert_int_eq(int(frames.size()), 4);
    for (int k = 0; k < 4; ++k) ck_assert_int_eq(nearest_source(frames[k], n), 12 + 3 * k);

    // 48 fps from 24: every source frame twice.
    VideoReadOptions up;
    up.fps = 48;
    frames = read_video(path, up);
    ck_assert_int_eq(int(frames.size()), 2 * n);
    for (int k = 0; k < n; k += 5) ck_assert_int_eq(nearest_source(frames[2 * k], n), k);

    // Resize: cover + crop to 32×32; short side 24 keeps 4:3.
    VideoReadOptions sq = at8;
    sq.width = sq.height = 32;
    frames = read_video(path, sq);
    ck_assert_int_eq(frames[0].width, 32);
    ck_assert_int_eq(frames[0].height, 32);
    VideoReadOptions ss = at8;
    ss.short_side = 24;
    frames = read_video(path, ss);
    ck_assert_int_eq(frames[0].width, 32);
    ck_assert_int_eq(frames[0].height, 24);

    VideoReadOptions capped = all;
    capped.max_frames = 5;
    ck_assert_int_eq(int(read_video(path, capped).size()), 5);
    VideoReadOptions tiny_budget = all;
    tiny_budget.max_total_bytes = 3 * 64 * 48 * 3;
    expect_error([&] { read_video(path, tiny_budget); }, ARTV_ERR_FORMAT, "MiB");
}
END_TEST

START_TEST(mpeg4_codec) {
    std::string path = write_test_mp4("clip_mpeg4.avi", 10, 10, "mpeg4");
    VideoInfo info = probe_video(path);
    ck_assert_str_eq(info.codec.c_str(), "mpeg4");
    VideoReadOptions all;
    all.fps = 0;
    std::vector<Frame> frames = read_video(path, all);
    ck_assert_int_eq(int(frames.size()), 10);
    ck_assert_int_eq(nearest_source(frames[9], 10), 9);
}
END_TEST

START_TEST(writer_abort_and_bad_arguments) {
    std::string path = scratch_dir() + "/aborted.mp4";
    {
        VideoWriter w(path, 64, 48);
        w.write(synthetic_frame(0));
        w.abort();
        expect_error([&] { w.write(synthetic_frame(1)); }, ARTV_ERR_STATE, path);
    }
    ck_assert(!exists(path));
    {
        VideoWriter w(path, 64, 48);
        w.write(synthetic_frame(0));
    }  // destroyed without close()
    ck_assert(!exists(path));
    // No temporary files left behind either.
    std::string cmd = "ls " + scratch_dir() + " | grep -c part > /dev/null";
    ck_assert_int_ne(std::system(cmd.c_str()), 0);
    expect_error([&] { VideoWriter w(scratch_dir() + "/odd.mp4", 63, 48); }, ARTV_ERR_INVALID_ARGUMENT, "even");
    expect_error([&] { VideoWriter w(scratch_dir() + "/x.notacontainer", 64, 48); }, ARTV_ERR_INVALID_ARGUMENT,
                 "container");
    expect_error([&] { VideoWriter w(scratch_dir() + "/no/such/dir/x.mp4", 64, 48); }, ARTV_ERR_IO, "x.mp4");
    {
        VideoWriter w(scratch_dir() + "/size.mp4", 64, 48);
        expect_error([&] { w.write(Frame(32, 32)); }, ARTV_ERR_INVALID_ARGUMENT, "32x32");
    }
}
END_TEST

// Frames of random bytes: nothing compresses them, so a few fill any small size limit.
Frame noise_frame(uint32_t seed, int w = 128, int h = 128) {
    Frame f(w, h);
    for (uint8_t &v : f.rgb) {
        seed = seed * 1664525u + 1013904223u;
        v = uint8_t(seed >> 24);
    }
    return f;
}

// Writes `flat` flat frames (they compress to almost nothing), then up to 200 noise frames, and
// closes; returns the error that stopped it (none: "").
std::string write_until_error(VideoWriter &w, int flat = 0) {
    try {
        for (int i = 0; i < flat; ++i) w.write(Frame(128, 128, 90, 120, 150));
        for (uint32_t i = 0; i < 200; ++i) w.write(noise_frame(i));
        w.close();
    } catch (const artv::Error &e) {
        ck_assert_int_eq(e.status(), ARTV_ERR_IO);
        return e.what();
    }
    return "";
}

// The disk filling up while a video or a PNG sequence is written, made deterministic without
// root by the file size limit (writes then fail with EFBIG): ARTV_ERR_IO with the reason,
// nothing half-written left behind, an earlier file of the same name untouched.
START_TEST(writer_file_too_large) {
    const std::string d = scratch_dir();
    const std::string video = d + "/full.mp4";
    std::ofstream(video) << "the previous video";
    std::filesystem::create_directory(d + "/seq");
    const std::string pngs = d + "/seq/f_%03d.png";
    std::ofstream(d + "/seq/keep.txt") << "not the writer's";

    signal(SIGXFSZ, SIG_IGN); // else the kernel kills the process instead of failing write()
    struct rlimit limit;
    getrlimit(RLIMIT_FSIZE, &limit);
    limit.rlim_cur = 256 * 1024; // the video: a 128x128 noise frame is ~48 KiB in H.264
    ck_assert_int_eq(setrlimit(RLIMIT_FSIZE, &limit), 0);

    std::string error;
    {
        VideoWriter w(video, 128, 128);
        error = write_until_error(w);
    }
    ck_assert_msg(error.find("File too large") != std::string::npos, "%s", error.c_str());
    ck_assert_msg(error.find(video) != std::string::npos, "%s", error.c_str());
    const std::string previous = artv::test::read_file(video);
    ck_assert_str_eq(previous.c_str(), "the previous video");
    // The limit is per file: flat PNGs fit in it, the first noise one (~48 KiB) does not.
    limit.rlim_cur = 16 * 1024;
    ck_assert_int_eq(setrlimit(RLIMIT_FSIZE, &limit), 0);
    {
        VideoWriter w(pngs, 128, 128);
        error = write_until_error(w, 3);
        ck_assert_int_eq(w.frames_written(), 3); // these were complete files before the error
    }
    ck_assert_msg(error.find("File too large") != std::string::npos, "%s", error.c_str());
    std::vector<std::string> left;
    for (const auto &e : std::filesystem::directory_iterator(d)) left.push_back(e.path().filename());
    for (const auto &e : std::filesystem::directory_iterator(d + "/seq")) left.push_back(e.path().filename());
    std::sort(left.begin(), left.end());
    std::string names;
    for (const auto &n : left) names += n + " ";
    ck_assert_str_eq(names.c_str(), "full.mp4 keep.txt seq ");
}
END_TEST

START_TEST(bad_inputs) {
    const std::string d = scratch_dir();
    expect_error([&] { read_video(d + "/missing.mp4"); }, ARTV_ERR_IO, "missing.mp4");
    expect_error([&] { read_video(d); }, ARTV_ERR_IO, "directory");
    expect_error([&] { read_image(d + "/missing.png"); }, ARTV_ERR_IO, "missing.png");

    std::ofstream(d + "/empty.mp4").close();
    expect_error([&] { read_video(d + "/empty.mp4"); }, ARTV_ERR_FORMAT, "empty.mp4");

    std::ofstream(d + "/captions.txt") << "clip.mp4,a caption\nother.mp4,another caption\n";
    expect_error([&] { read_video(d + "/captions.txt"); }, ARTV_ERR_FORMAT, "captions.txt");

    {
        std::ofstream noise(d + "/noise.mp4", std::ios::binary);
        uint32_t s = 12345;
        for (int i = 0; i < 20000; ++i) {
            s = s * 1664525u + 1013904223u;
            noise.put(char(s >> 24));
        }
    }
    expect_error([&] { read_video(d + "/noise.mp4"); }, ARTV_ERR_FORMAT, "noise.mp4");

    // Truncated MP4: cut inside the header → no video; cut inside the data → only the frames
    // that are complete (never more than were written, never a crash).
    std::string path = write_test_mp4("whole.mp4", 24, 24);
    std::ifstream in(path, std::ios::binary);
    std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    std::ofstream(d + "/head.mp4", std::ios::binary) << bytes.substr(0, 100);
    expect_error([&] { read_video(d + "/head.mp4"); }, ARTV_ERR_FORMAT, "head.mp4");
    std::ofstream(d + "/half.mp4", std::ios::binary) << bytes.substr(0, bytes.size() / 2);
    VideoReadOptions all;
    all.fps = 0;
    try {
        std::vector<Frame> part = read_video(d + "/half.mp4", all);
        ck_assert_int_lt(int(part.size()), 24);
    } catch (const Error &e) {
        ck_assert_int_eq(e.status(), ARTV_ERR_FORMAT);
        ck_assert(std::string(e.what()).find("half.mp4") != std::string::npos);
    }
    // A video whose pictures exceed the limits is refused before decoding.
    VideoReadOptions small_limit;
    small_limit.limits.max_width = 32;
    expect_error([&] { read_video(path, small_limit); }, ARTV_ERR_FORMAT, "limit");
    VideoReadOptions backwards;
    backwards.start = 2;
    backwards.end = 1;
    expect_error([&] { read_video(path, backwards); }, ARTV_ERR_INVALID_ARGUMENT, "end");
}
END_TEST

// Real footage from opencv-doc (scripts/setup-deps.sh installs it): 29.6 s of Cinepak at
// 15 fps resampled to 8 fps.
START_TEST(real_footage) {
    const char *tree = "/usr/share/doc/opencv-doc/examples/data/tree.avi";
    if (!exists(tree)) {
        std::printf("real_footage: %s absent (opencv-doc not installed), skipped\n", tree);
        return;
    }
    VideoReadOptions o;
    o.fps = 8;
    o.width = o.height = 64;
    std::vector<Frame> frames = read_video(tree, o);
    VideoInfo info = probe_video(tree);
    int expected = int(std::ceil(info.duration * 8));
    ck_assert_msg(std::abs(int(frames.size()) - expected) <= 1, "%zu frames at 8 fps, expected ~%d",
                  frames.size(), expected);
    ck_assert_int_eq(frames[0].width, 64);
}
END_TEST

static Suite *video_io_suite(void) {
    av_log_set_level(AV_LOG_ERROR);  // x264's statistics are not test output
    Suite *s = suite_create("video_io");
    TCase *tc = tcase_create("core");
    tcase_set_timeout(tc, 120);
    tcase_add_checked_fixture(tc, nullptr, artv_test::remove_scratch_dir);
    tcase_add_test(tc, frame_basics);
    tcase_add_test(tc, png_round_trip);
    tcase_add_test(tc, png_sequence_round_trip);
    tcase_add_test(tc, mp4_round_trip_and_resampling);
    tcase_add_test(tc, mpeg4_codec);
    tcase_add_test(tc, writer_abort_and_bad_arguments);
    tcase_add_test(tc, writer_file_too_large);
    tcase_add_test(tc, bad_inputs);
    tcase_add_test(tc, real_footage);
    suite_add_tcase(s, tc);
    return s;
}

ARTV_TEST_MAIN(video_io_suite)
