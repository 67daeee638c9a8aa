// core/data dataset and sample drawer: captions files (CSV, JSON lines, bad lines reported
// with file:line and skipped), video sources (corrupt/missing videos skipped and counted,
// nothing usable → error, held-out tails, the on-disk cache), renderer sources, and the three
// sample modes with their anchor window.
#include <sys/stat.h>
#include <unistd.h>

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <map>
#include <set>
#include <string>
#include <vector>

#include <check.h>  // after the standard headers (its `fail` macro breaks <ios>)

extern "C" {
#include <libavutil/log.h>
}

#include "data/caption_file.h"
#include "data/dataset.h"
#include "data/sample_drawer.h"
#include "io/video_writer.h"
#include "data_test_helpers.h"
#include "testutil.h"
#include "util/error.h"

using namespace artv;
using artv_test::expect_error;
using artv_test::scratch_dir;

namespace {

void write_text(const std::string &path, const std::string &text) { std::ofstream(path) << text; }

bool contains(const std::string &s, const std::string &needle) { return s.find(needle) != std::string::npos; }

// A 64×48 video of `count` frames at `fps`; frame i is a flat grey of level 10 + 9 i (so a
// decoded frame's index can be read back from its mean).
std::string write_grey_video(const std::string &name, int count, double fps) {
    std::string path = scratch_dir() + "/" + name;
    VideoWriterOptions o;
    o.fps = fps;
    VideoWriter w(path, 64, 48, o);
    for (int i = 0; i < count; ++i) w.write(Frame(64, 48, uint8_t(10 + 9 * i), uint8_t(10 + 9 * i), uint8_t(10 + 9 * i)));
    w.close();
    return path;
}

int grey_index(const Frame &f) {
    double s = 0;
    for (uint8_t v : f.rgb) s += v;
    return int(std::lround((s / double(f.rgb.size()) - 10) / 9));
}

// Clip `c` of `n` frames: frame i is the flat colour (i, c, 7), so samples can be traced.
Clip traced_clip(int c, int n, int train_end) {
    Clip clip;
    for (int i = 0; i < n; ++i) clip.frames.emplace_back(8, 8, uint8_t(i), uint8_t(c), 7);
    clip.caption = "clip " + std::to_string(c);
    clip.origin = "test";
    clip.train_end = train_end;
    return clip;
}

}  // namespace

START_TEST(caption_files) {
    const std::string d = scratch_dir();
    write_text(d + "/c.csv",
               "path,caption,start,end\n"
               "# a comment\n"
               "a.mp4,a red ball\n"
               "\n"
               "sub/b.mp4,\"a ball, bouncing \"\"high\"\"\",1.5,3\n"
               "/abs/c.mp4,third,,2\n"
               "d.mp4,\n"                  // line 7: empty caption
               "e.mp4,x,abc\n"             // line 8: bad start
               "f.mp4,x,3,2\n"             // line 9: end before start
               "g.mp4,\"unterminated\n"    // line 10
               "h.mp4,x,1,2,3\n");         // line 11: too many fields
    CaptionFile f = read_caption_file(d + "/c.csv");
    ck_assert_int_eq(int(f.records.size()), 3);
    ck_assert(f.records[0].path == d + "/a.mp4");
    ck_assert_str_eq(f.records[1].caption.c_str(), "a ball, bouncing \"high\"");
    ck_assert(f.records[1].path == d + "/sub/b.mp4");
    ck_assert_double_eq(f.records[1].start, 1.5);
    ck_assert_double_eq(f.records[1].end, 3);
    ck_assert_str_eq(f.records[2].path.c_str(), "/abs/c.mp4");
    ck_assert_double_eq(f.records[2].end, 2);
    ck_assert_int_eq(f.records[1].line, 5);
    ck_assert_int_eq(int(f.problems.size()), 5);
    const char *lines[] = {"c.csv:7: caption is empty", "c.csv:8: start", "c.csv:9: end", "c.csv:10: unterminated",
                           "c.csv:11: expected"};
    for (int i = 0; i < 5; ++i)
        ck_assert_msg(contains(f.problems[i], lines[i]), "problem '%s' lacks '%s'", f.problems[i].c_str(), lines[i]);

    write_text(d + "/c.jsonl",
               "{\"path\": \"a.mp4\", \"caption\": \"a red ball\", \"start\": 0.5}\n"
               "{\"path\": \"b.mp4\"}\n"
               "not json\n"
               "{\"path\": \"c.mp4\", \"caption\": \"x\", \"end\": \"soon\"}\n"
               "[1, 2]\n"
               "{\"path\": \"d.mp4\", \"caption\": \"x\", \"start\": 1e999}\n");
    f = read_caption_file(d + "/c.jsonl");
    ck_assert_int_eq(int(f.records.size()), 1);
    ck_assert_double_eq(f.records[0].start, 0.5);
    ck_assert_int_eq(int(f.problems.size()), 5);
    ck_assert(contains(f.problems[0], "c.jsonl:2: missing \"caption\""));
    ck_assert(contains(f.problems[1], "c.jsonl:3: not valid JSON"));
    ck_assert(contains(f.problems[2], "c.jsonl:4: \"end\""));
    ck_assert(contains(f.problems[3], "c.jsonl:5:"));
    ck_assert(contains(f.problems[4], "c.jsonl:6: not valid JSON")); // 1e999: out of range
    expect_error([&] { read_caption_file(d + "/none.csv"); }, ARTV_ERR_IO, "none.csv");
}
END_TEST

START_TEST(video_source_skips_and_reports) {
    const std::string d = scratch_dir();
    write_grey_video("one.mp4", 24, 24);   // 1 s → 8 frames at 8 fps
    write_grey_video("two.mp4", 16, 8);    // 2 s → 16 frames
    write_grey_video("short.mp4", 2, 8);   // 2 frames: too short for training
    write_text(d + "/corrupt.mp4", std::string(3000, 'x'));
    write_text(d + "/captions.csv",
               "one.mp4,first clip\n"
               "missing.mp4,nothing here\n"         // line 2
               "corrupt.mp4,garbage\n"              // line 3
               "two.mp4,second clip,0.5,1.75\n"     // 0.5..1.75 s → 10 frames
               "short.mp4,too short\n"              // line 5
               "two.mp4\n"                          // line 6: no caption
               "captions.csv,not a video\n");       // line 7
    std::vector<std::string> logged;
    VideoSourceOptions o;
    o.width = o.height = 32;
    o.log = [&](const std::string &m) { logged.push_back(m); };
    VideoSource src(d + "/captions.csv", o);
    ck_assert_int_eq(int(src.size()), 2);
    ck_assert_int_eq(int(src.skipped()), 5);
    std::set<int> bad_lines;
    for (const std::string &p : src.problems()) {
        size_t at = p.find("captions.csv:");
        ck_assert_msg(at != std::string::npos, "problem without file:line: %s", p.c_str());
        bad_lines.insert(std::atoi(p.c_str() + at + 13));
    }
    ck_assert(bad_lines == (std::set<int>{2, 3, 5, 6, 7}));
    ck_assert(contains(src.problems()[1], "missing.mp4") || contains(src.problems()[0], "missing.mp4"));
    ck_assert_int_eq(int(logged.size()), 6);  // five problems and the summary
    ck_assert(contains(logged.back(), "2 clips loaded, 5 skipped"));

    auto a = src.clip(0), b = src.clip(1);
    ck_assert_str_eq(a->caption.c_str(), "first clip");
    ck_assert_int_eq(a->size(), 8);
    ck_assert_int_eq(a->frames[0].width, 32);
    ck_assert_int_eq(a->frames[0].height, 32);
    for (int k = 0; k < 8; ++k) ck_assert_int_eq(grey_index(a->frames[k]), 3 * k);  // 24 → 8 fps
    ck_assert_int_eq(a->train_end, 6);  // 25% of 8 held out
    ck_assert_int_eq(b->size(), 10);
    ck_assert_int_eq(grey_index(b->frames[0]), 4);  // starts at 0.5 s
    ck_assert_int_eq(b->train_end, 7);              // ceil(2.5) = 3 held out
    Clip tail = heldout_part(*b);
    ck_assert_int_eq(tail.size(), 3);
    ck_assert_int_eq(grey_index(tail.frames[0]), 4 + 7);
    ck_assert(contains(b->origin, "captions.csv:4"));
}
END_TEST

START_TEST(video_source_errors_and_cache) {
    const std::string d = scratch_dir();
    write_text(d + "/nothing.jsonl", "{\"path\": \"missing1.mp4\", \"caption\": \"a\"}\n"
                                     "{\"path\": \"missing2.mp4\", \"caption\": \"b\"}\n");
    VideoSourceOptions quiet;
    quiet.log = [](const std::string &) {};
    expect_error([&] { VideoSource s(d + "/nothing.jsonl", quiet); }, ARTV_ERR_FORMAT, "no usable clip");
    write_text(d + "/empty.csv", "# nothing\n");
    expect_error([&] { VideoSource s(d + "/empty.csv", quiet); }, ARTV_ERR_FORMAT, "lists no videos");
    expect_error([&] { VideoSource s(d + "/absent.csv", quiet); }, ARTV_ERR_IO, "absent.csv");

    write_grey_video("c.mp4", 24, 8);
    write_text(d + "/c.csv", "c.mp4,cached clip\n");
    VideoSourceOptions o = quiet;
    o.width = o.height = 16;
    o.cache_dir = d + "/cache";
    VideoSource first(d + "/c.csv", o);
    ck_assert_int_eq(int(first.cache_hits()), 0);
    VideoSource second(d + "/c.csv", o);
    ck_assert_int_eq(int(second.cache_hits()), 1);
    ck_assert(first.clip(0)->frames == second.clip(0)->frames);
    // Other decoding options → another cache entry, not a wrong hit.
    o.width = 24;
    VideoSource third(d + "/c.csv", o);
    ck_assert_int_eq(int(third.cache_hits()), 0);
    ck_assert_int_eq(third.clip(0)->frames[0].width, 24);
    // A cache directory under a directory that does not exist yet (a fresh training run's
    // OUT_DIR/clip-cache, set up before the run creates OUT_DIR) is created, not skipped.
    o.cache_dir = d + "/fresh-run/clip-cache";
    VideoSource fresh(d + "/c.csv", o);
    VideoSource again(d + "/c.csv", o);
    ck_assert_int_eq(int(again.cache_hits()), 1);
}
END_TEST

START_TEST(sample_modes_and_anchor_window) {
    std::vector<Clip> clips;
    for (int c = 0; c < 4; ++c) clips.push_back(traced_clip(c, 30, 24));
    auto src = std::make_shared<MemorySource>(std::move(clips));
    SampleDrawerOptions o;
    o.seed = 11;
    o.anchor_window = 10;
    SampleDrawer drawer({src}, o);
    std::map<SampleMode, int> counts;
    std::set<int> anchor_offsets;
    const int n = 3000;
    for (uint64_t k = 0; k < uint64_t(n); ++k) {
        TrainSample s = drawer.sample(k);
        ++counts[s.mode];
        const int t = s.target_index, c = int(s.clip);
        ck_assert(s.caption == "clip " + std::to_string(c));
        ck_assert_int_lt(t, 24);  // never from the held-out tail
        ck_assert_int_eq(s.target.pixel(0, 0)[0], t);
        ck_assert_int_eq(s.target.pixel(0, 0)[1], c);
        switch (s.mode) {
        case SampleMode::Continue:
            ck_assert_int_ge(t, 2);
            ck_assert_int_eq(s.ref1.pixel(0, 0)[0], t - 2);
            ck_assert_int_eq(s.ref2.pixel(0, 0)[0], t - 1);
            ck_assert_int_ge(s.anchor_index, std::max(0, t - 10));
            ck_assert_int_le(s.anchor_index, t - 1);
            ck_assert_int_eq(s.anchor.pixel(0, 0)[0], s.anchor_index);
            if (t >= 10) anchor_offsets.insert(t - s.anchor_index);
            break;
        case SampleMode::Animate:
            ck_assert_int_ge(t, 1);
            ck_assert(s.ref1 == s.ref2 && s.ref1 == s.anchor);
            ck_assert_int_eq(s.ref1.pixel(0, 0)[0], t - 1);
            ck_assert(s.has_refs() && s.has_anchor());
            break;
        case SampleMode::T2V:
            ck_assert_int_eq(t, 0);
            ck_assert(!s.has_refs() && !s.has_anchor());
            ck_assert_int_eq(s.anchor_index, -1);
            break;
        }
    }
    // Shares 0.4 / 0.5 / 0.1 within 3 standard deviations (σ ≤ 0.0091 at n = 3000).
    ck_assert_msg(std::fabs(counts[SampleMode::Continue] / double(n) - 0.4) < 0.03, "continue %d", counts[SampleMode::Continue]);
    ck_assert_msg(std::fabs(counts[SampleMode::Animate] / double(n) - 0.5) < 0.03, "animate %d", counts[SampleMode::Animate]);
    ck_assert_msg(std::fabs(counts[SampleMode::T2V] / double(n) - 0.1) < 0.02, "t2v %d", counts[SampleMode::T2V]);
    ck_assert_int_eq(int(anchor_offsets.size()), 10);  // offsets 1..10, all of them
    ck_assert_int_eq(*anchor_offsets.begin(), 1);
    ck_assert_int_eq(*anchor_offsets.rbegin(), 10);

    // Deterministic by (seed, index); another seed gives other samples; batches with a stride
    // are the samples at those indices (data-parallel ranks).
    SampleDrawer again({src}, o);
    for (uint64_t k : {0ull, 5ull, 999ull}) {
        TrainSample a = drawer.sample(k), b = again.sample(k);
        ck_assert(a.target == b.target && a.anchor == b.anchor && a.mode == b.mode);
    }
    o.seed = 12;
    SampleDrawer other({src}, o);
    int same = 0;
    for (uint64_t k = 0; k < 50; ++k) {
        TrainSample a = drawer.sample(k), b = other.sample(k);
        same += a.mode == b.mode && a.clip == b.clip && a.target_index == b.target_index;
    }
    ck_assert_int_lt(same, 20);
    auto batch = drawer.batch(3, 4, 2);
    ck_assert_int_eq(int(batch.size()), 4);
    ck_assert(batch[2].target == drawer.sample(7).target && batch[2].mode == drawer.sample(7).mode);
}
END_TEST

START_TEST(anchor_clipped_at_clip_start_and_short_clips) {
    std::vector<Clip> clips;
    clips.push_back(traced_clip(0, 3, 3));  // continue only with t = 2
    auto src = std::make_shared<MemorySource>(std::move(clips));
    SampleDrawerOptions o;
    o.p_continue = 1;
    o.p_animate = o.p_t2v = 0;
    SampleDrawer d({src}, o);
    std::set<int> anchors;
    for (uint64_t k = 0; k < 200; ++k) {
        TrainSample s = d.sample(k);
        ck_assert_int_eq(s.target_index, 2);
        anchors.insert(s.anchor_index);
    }
    ck_assert(anchors == (std::set<int>{0, 1}));

    std::vector<Clip> two;
    two.push_back(traced_clip(0, 2, 2));
    auto short_src = std::make_shared<MemorySource>(std::move(two));
    SampleDrawer cannot({short_src}, o);
    expect_error([&] { cannot.sample(0); }, ARTV_ERR_INVALID_ARGUMENT, "continue");
    o.p_continue = 0;
    o.p_animate = 1;
    SampleDrawer can({short_src}, o);
    ck_assert_int_eq(can.sample(0).target_index, 1);
    // Source weights: all weight on the second source.
    o.source_weights = {0, 1};
    SampleDrawer weighted({src, short_src}, o);
    for (uint64_t k = 0; k < 50; ++k) ck_assert_int_eq(weighted.sample(k).source, 1);
    o.source_weights = {1};
    expect_error([&] { SampleDrawer bad({src, short_src}, o); }, ARTV_ERR_INVALID_ARGUMENT, "weights");
    // Per-mode weights: continue samples from the first source only, the other modes from the
    // second (as training draws continue samples from unaugmented photos); a mode's weights
    // replace source_weights for that mode alone, and a mode never drawn may have none.
    o.p_continue = o.p_animate = 1;
    o.source_weights = {0, 1};
    o.mode_source_weights[size_t(SampleMode::Continue)] = {1, 0};
    SampleDrawer by_mode({src, short_src}, o);
    std::set<std::pair<int, int>> mode_source;
    for (uint64_t k = 0; k < 100; ++k) {
        TrainSample s = by_mode.sample(k);
        mode_source.insert({int(s.mode), s.source});
    }
    ck_assert(mode_source == (std::set<std::pair<int, int>>{{int(SampleMode::Continue), 0},
                                                             {int(SampleMode::Animate), 1}}));
    o.mode_source_weights[size_t(SampleMode::T2V)] = {0, 0};  // t2v never drawn: allowed
    SampleDrawer no_t2v({src, short_src}, o);
    o.p_t2v = 0.5;
    expect_error([&] { SampleDrawer bad({src, short_src}, o); }, ARTV_ERR_INVALID_ARGUMENT, "t2v source weights");
    o.mode_source_weights[size_t(SampleMode::T2V)] = {1};
    expect_error([&] { SampleDrawer bad({src, short_src}, o); }, ARTV_ERR_INVALID_ARGUMENT, "t2v source weights");
}
END_TEST

START_TEST(renderer_source) {
    RendererOptions ro;
    ro.width = ro.height = 32;
    ro.frames = 6;
    RendererSource src(ro, 100, 50, 4);
    ck_assert_int_eq(int(src.size()), 50);
    auto c7 = src.clip(7);
    RenderedClip direct = render_random_clip(107, ro);
    ck_assert_str_eq(c7->caption.c_str(), direct.caption.c_str());
    ck_assert(c7->frames == direct.frames);
    ck_assert_int_eq(c7->train_end, 6);
    for (size_t i = 0; i < 10; ++i) src.clip(i);  // evicts clip 7 from the 4-clip cache
    ck_assert(src.clip(7)->frames == c7->frames);
    ck_assert_int_eq(int(src.spec(7).motion), int(direct.spec.motion));
    SampleDrawer d({std::make_shared<RendererSource>(ro, 0, 20)});
    TrainSample s = d.sample(1);
    ck_assert_int_eq(s.target.width, 32);
}
END_TEST

// The shipped real-footage list parses cleanly, and the clips whose packages are installed
// decode (one short clip only, to stay fast).
START_TEST(shipped_footage_list) {
    std::string list = std::string(ARTV_TEST_SRCDIR()) + "/data/real_footage.jsonl";
    ck_assert_msg(access(list.c_str(), R_OK) == 0, "%s missing (ARTV_SRCDIR?)", list.c_str());
    CaptionFile f = read_caption_file(list);
    ck_assert_msg(f.problems.empty(), "%s", f.problems.empty() ? "" : f.problems[0].c_str());
    ck_assert_int_ge(int(f.records.size()), 4);
    const char *tree = "/usr/share/doc/opencv-doc/examples/data/tree.avi";
    if (access(tree, R_OK) != 0) {
        std::printf("shipped_footage_list: %s absent, decoding skipped\n", tree);
        return;
    }
    std::string one = scratch_dir() + "/tree.jsonl";
    for (const CaptionRecord &r : f.records)
        if (r.path == tree) write_text(one, "{\"path\": \"" + r.path + "\", \"caption\": \"" + r.caption + "\"}\n");
    VideoSourceOptions o;
    o.width = o.height = 64;
    VideoSource src(one, o);
    ck_assert_int_eq(int(src.size()), 1);
    ck_assert_int_gt(src.clip(0)->size(), 200);  // 29.6 s at 8 fps
    ck_assert_int_gt(src.clip(0)->heldout_size(), 50);
}
END_TEST

static Suite *dataset_suite(void) {
    av_log_set_level(AV_LOG_ERROR);
    Suite *s = suite_create("dataset");
    TCase *tc = tcase_create("core");
    tcase_set_timeout(tc, 120);
    tcase_add_checked_fixture(tc, nullptr, artv_test::remove_scratch_dir);
    tcase_add_test(tc, caption_files);
    tcase_add_test(tc, video_source_skips_and_reports);
    tcase_add_test(tc, video_source_errors_and_cache);
    tcase_add_test(tc, sample_modes_and_anchor_window);
    tcase_add_test(tc, anchor_clipped_at_clip_start_and_short_clips);
    tcase_add_test(tc, renderer_source);
    tcase_add_test(tc, shipped_footage_list);
    suite_add_tcase(s, tc);
    return s;
}

ARTV_TEST_MAIN(dataset_suite)
