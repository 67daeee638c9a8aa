#include "eval/eval_suite.h"

#include <torch/torch.h>

#include <sys/stat.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <map>
#include <memory>
#include <numbers>

#include "artv/artv.h"
#include "data/clip_spec.h"
#include "data/dataset.h"
#include "data/photo_library.h"
#include "data/renderer.h"
#include "diffusion/sampler.h"
#include "eval/image_metrics.h"
#include "eval/motion_metrics.h"
#include "eval/object_tracker.h"
#include "generate/frame_convert.h"
#include "generate/model_loader.h"
#include "generate/session.h"
#include "model/artv_networks.h"
#include "util/error.h"

namespace artv {

namespace {

using json = nlohmann::ordered_json;

// Suites' seed ranges, so that no two suites share a clip: kEvalSeedBase + offset + i.
constexpr uint64_t kObjectSeeds = 0, kCameraSeeds = 1 << 20, kContinuationSeeds = 2 << 20,
                   kDriftSeeds = 3 << 20, kConflictSeeds = 4 << 20;
constexpr int kContinuationShown = 4;

struct Context {
    const EvalOptions &o;
    std::shared_ptr<const ArtvNetworks> nets;
    int size = 0;                          // square generation size: the model's native short side
    std::shared_ptr<PhotoLibrary> photos;  // null when the list does not exist
    bool have_photos = false;  // of the split the suites use (EvalOptions::photo_split)
    double min_travel = 0;  // pixels

    void log(const std::string &line) const {
        if (o.log) o.log(line);
    }
};

double seconds_since(std::chrono::steady_clock::time_point t) {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - t).count();
}

std::string fixed(double v, int digits = 2) {
    char buf[64];
    std::snprintf(buf, sizeof buf, "%.*f", digits, v);
    return buf;
}

const char *anchor_policy_name(artv_anchor_policy p) {
    switch (p) {
    case ARTV_ANCHOR_FIRST: return "first";
    case ARTV_ANCHOR_NONE: return "none";
    default: return "paper";
    }
}

// A ratio that stays null in JSON when there is nothing to divide.
json ratio(double num, double den) { return den > 0 ? json(num / den) : json(nullptr); }
json finite_or_null(double v) { return std::isfinite(v) ? json(v) : json(nullptr); }

SessionOptions session_options(const Context &c, uint64_t seed, std::optional<double> cfg_text) {
    SessionOptions so;
    so.gen_size = {c.size, c.size};
    if (!c.o.sampler.empty()) so.sampler = parse_sampler(c.o.sampler);
    so.steps = c.o.steps;
    so.cfg_ref = c.o.cfg_ref;
    so.cfg_anchor = c.o.cfg_anchor;
    so.cfg_text = cfg_text ? cfg_text : c.o.cfg_text;
    so.cfg_text_t2v = c.o.cfg_text_t2v;
    so.cfg_sigma_min = c.o.cfg_sigma_min;
    so.cfg_rescale = c.o.cfg_rescale;
    so.noise_aug = c.o.noise_aug;
    so.use_mask = c.o.use_mask;
    so.anchor = c.o.anchor;
    so.seed = seed;
    return so;
}

// Feeds `fed`, then generates `count` frames at the generation size, each passed to `sink`.
// `prompt` may be a prompt schedule ("A:8|B", prompt_schedule.h) when `schedule` is set.
void generate(const Context &c, const std::vector<Frame> &fed, const std::string &prompt, int count,
              uint64_t seed, std::optional<double> cfg_text,
              const std::function<void(int, const Frame &)> &sink, bool schedule = false) {
    Session session(c.nets, session_options(c, seed, cfg_text));
    if (schedule) session.set_schedule(prompt);
    else session.set_prompt(prompt);
    for (const Frame &f : fed) session.feed_frame(f.rgb.data(), f.width, f.height, int(f.stride()));
    Frame out(c.size, c.size);
    for (int i = 0; i < count; ++i) {
        session.next_frame(out.rgb.data(), out.width, out.height, int(out.stride()));
        sink(i, out);
    }
}

std::vector<Frame> generate_frames(const Context &c, const std::vector<Frame> &fed, const std::string &prompt,
                                   int count, uint64_t seed, std::optional<double> cfg_text,
                                   bool schedule = false) {
    std::vector<Frame> frames;
    generate(c, fed, prompt, count, seed, cfg_text, [&](int, const Frame &f) { frames.push_back(f); }, schedule);
    return frames;
}

// What a mode feeds from a rendered clip: continue the first `shown` frames, animate the first
// frame alone (it becomes both references and the anchor), t2v nothing.
std::vector<Frame> fed_frames(EvalMode m, const std::vector<Frame> &clip, int shown) {
    switch (m) {
    case EvalMode::Continue: return {clip.begin(), clip.begin() + std::min<ptrdiff_t>(shown, ptrdiff_t(clip.size()))};
    case EvalMode::Animate: return {clip.front()};
    case EvalMode::T2V: break;
    }
    return {};
}

// A frame through the model's VAE (posterior mean, then decode): what the model could at best
// draw of it.
Frame vae_round_trip(const Context &c, const Frame &f) {
    c10::InferenceMode guard;
    const at::Tensor x = rgb24_to_image(f.rgb.data(), f.width, f.height, int(f.stride()), f.width, f.height,
                                        c.nets->device(), c.nets->dtype());
    const at::Tensor y = c.nets->decode_latents(c.nets->encode_frames(x)).to(torch::kFloat32);
    Frame out(f.width, f.height);
    image_to_rgb24(y, out.rgb.data(), out.width, out.height, int(out.stride()));
    return out;
}

// PICTURE KEPT: edge_match() of the first generated frame with the clip's own frame at that
// time (`truth`), next to the VAE round trip's of that frame (what a frame through the VAE can
// keep) and the last fed frame's (the picture itself, moved). Not SSIM: a flat table whose pen
// and lighter were painted over kept SSIM 0.73 (EVAL.md). Sums over the clips.
struct PictureKept {
    double generated = 0, vae = 0, frozen = 0;
    int clips = 0;

    // The clip's own figure, or none where there is no picture to keep (nothing fed: t2v),
    // nothing generated, or no frame of the clip after the fed ones.
    std::optional<double> add(const Context &c, const std::vector<Frame> &gen, const std::vector<Frame> &fed,
                              const std::vector<Frame> &clip) {
        if (fed.empty() || gen.empty() || fed.size() >= clip.size()) return std::nullopt;
        const Frame &truth = clip[fed.size()];
        const int max_shift = std::min(8, c.size / 4);
        const double e = edge_match(gen.front(), truth, max_shift);
        generated += e;
        vae += edge_match(vae_round_trip(c, truth), truth, max_shift);
        frozen += edge_match(fed.back(), truth, max_shift);
        ++clips;
        return e;
    }
    // The means into a suite's row; nothing when no clip had a picture to keep.
    void report(json &row) const {
        if (clips == 0) return;
        row["picture_kept"] = ratio(generated, clips);
        row["picture_kept_vae"] = ratio(vae, clips);
        row["picture_kept_frozen"] = ratio(frozen, clips);
    }
};

// The report of a suite that needs photos of the chosen split and has none.
json skipped_without_photos(const Context &c) {
    return {{"skipped", "no photos of the " + std::string(photo_split_name(c.o.photo_split)) +
                            " split (data/photos.jsonl)"}};
}

RendererOptions renderer_options(const Context &c, int frames) {
    RendererOptions ro;
    ro.width = ro.height = c.size;
    ro.frames = frames;
    ro.fps = c.nets->config().sampling.fps;
    // Held-out photos (unless --photo-split train): backgrounds and camera clips never show a
    // training photo.
    ro.photos = c.have_photos ? c.photos : nullptr;
    ro.photo_split = c.o.photo_split;
    if (!ro.photos) ro.camera_share = 0;
    return ro;
}

std::vector<EvalMode> modes_without(const std::vector<EvalMode> &modes, EvalMode drop) {
    std::vector<EvalMode> out;
    for (EvalMode m : modes)
        if (m != drop) out.push_back(m);
    return out;
}

// ----------------------------------------------------------------------------- object suite

struct ObjectTally {
    int clips = 0, correct = 0;
    double persistence = 0;            // sum over clips of found / frames
    int colour_frames = 0, colour_ok = 0;  // frames with a foreground object / of the named colour
    double colour_error = 0;           // sum over those frames
    int foreground_frames = 0, frames = 0;
    int vae_correct = 0;               // the same tracking on the clip's true frames through the VAE
    double vae_persistence = 0;
};

// Object motion direction, persistence and colour fidelity (docs/EVAL.md "object").
//
// A clip counts as CORRECT in a mode iff (1) the colour tracker (find_object_by_colour: the
// named colour, minus pixels that already look so in the clip's background in continue/animate)
// finds the object in at least half of the generated frames, and (2) the dominant axis and sign
// of its displacement — a least-squares line through the found centroids, over all generated
// frames — equal the ground truth's (left/right/up/down, chance 25%), with that component at
// least min_travel × the short side long. Persistence: found frames / generated frames. Colour
// fidelity: over the frames where find_object_by_difference finds an object (against the true
// background in continue/animate; the per-pixel median of the generated frames in t2v, where
// the background is the model's own), the share whose median colour is nearest to the named
// palette colour; colour error: the mean distance of that median colour to the named one.
// Beside each mode, the same tracking of the clip's own frames at the generated frames' times
// through the VAE ("vae_"): what a model that drew the truth would score through this VAE.
json object_suite(const Context &c, const std::vector<EvalMode> &modes, std::optional<double> cfg_text,
                  bool details) {
    const EvalOptions &o = c.o;
    RendererOptions ro = renderer_options(c, o.shown + o.frames);
    ro.camera_share = 0;
    ro.object_motions = {ObjectMotion::Left, ObjectMotion::Right, ObjectMotion::Up, ObjectMotion::Down};
    RendererSource source(ro, o.first_seed + kObjectSeeds, size_t(o.clips));
    std::map<EvalMode, ObjectTally> tally;
    json clips = json::array();
    for (int i = 0; i < o.clips; ++i) {
        const auto clip = source.clip(size_t(i));
        const ClipSpec spec = source.spec(size_t(i));
        const AxisDirection truth = axis_direction_of(object_motion_direction(spec.motion));
        const Frame background = object_background(spec, ro.photos.get());
        const double expected_area = std::numbers::pi * 0.25 * double(spec.size) * double(spec.size);
        json entry = {{"seed", source.seed_of(size_t(i))}, {"caption", clip->caption},
                      {"truth", axis_direction_name(truth)}, {"colour", colour_name(spec.colour)}};
        std::vector<ObjectObservation> vae_track;
        int vae_found = 0;
        for (size_t k = size_t(o.shown); k < clip->frames.size(); ++k) {
            vae_track.push_back(
                find_object_by_colour(vae_round_trip(c, clip->frames[k]), spec.colour, expected_area, &background));
            vae_found += vae_track.back().found;
        }
        const bool vae_correct = object_track_correct(vae_track, truth, c.min_travel);
        entry["vae"] = {{"found_frames", vae_found}, {"correct", vae_correct}};
        for (EvalMode m : modes) {
            const auto start = std::chrono::steady_clock::now();
            const std::vector<Frame> gen = generate_frames(c, fed_frames(m, clip->frames, o.shown), clip->caption,
                                                           o.frames, o.seed + uint64_t(i), cfg_text);
            const bool t2v = m == EvalMode::T2V;
            const Frame colour_bg = t2v ? temporal_median(gen) : background;
            std::vector<ObjectObservation> track;
            ObjectTally &t = tally[m];
            int found = 0;
            for (const Frame &f : gen) {
                track.push_back(find_object_by_colour(f, spec.colour, expected_area, t2v ? nullptr : &background));
                found += track.back().found;
                const ObjectObservation fg = find_object_by_difference(f, colour_bg, expected_area);
                ++t.frames;
                if (!fg.found) continue;
                ++t.foreground_frames;
                ++t.colour_frames;
                t.colour_ok += nearest_palette_colour(fg.colour) == spec.colour;
                const Rgb named = colour_rgb(spec.colour);
                t.colour_error += colour_distance(fg.colour, {double(named[0]), double(named[1]), double(named[2])});
            }
            const Displacement d = track_displacement(track);
            const AxisDirection seen = dominant_direction(d.dx, d.dy, c.min_travel);
            const bool correct = object_track_correct(track, truth, c.min_travel);
            ++t.clips;
            t.correct += correct;
            t.persistence += double(found) / double(gen.size());
            t.vae_correct += vae_correct;
            t.vae_persistence += vae_track.empty() ? 0.0 : double(vae_found) / double(vae_track.size());
            entry[eval_mode_name(m)] = {{"direction", axis_direction_name(seen)}, {"dx", d.dx}, {"dy", d.dy},
                                        {"found_frames", found}, {"correct", correct}};
            c.log("eval object " + std::string(eval_mode_name(m)) + " clip " + std::to_string(i + 1) + "/" +
                  std::to_string(o.clips) + ": " + axis_direction_name(truth) + " -> " + axis_direction_name(seen) +
                  (correct ? " ok" : " wrong") + ", found " + std::to_string(found) + "/" +
                  std::to_string(gen.size()) + " (" + fixed(seconds_since(start), 1) + " s)");
        }
        clips.push_back(entry);
    }
    json out;
    for (EvalMode m : modes) {
        const ObjectTally &t = tally[m];
        out[eval_mode_name(m)] = {{"clips", t.clips},
                                  {"direction_accuracy", ratio(t.correct, t.clips)},
                                  {"persistence", ratio(t.persistence, t.clips)},
                                  {"colour_fidelity", ratio(t.colour_ok, t.colour_frames)},
                                  {"colour_error", ratio(t.colour_error, t.colour_frames)},
                                  {"foreground_frames", ratio(t.foreground_frames, t.frames)},
                                  {"vae_direction_accuracy", ratio(t.vae_correct, t.clips)},
                                  {"vae_persistence", ratio(t.vae_persistence, t.clips)}};
    }
    if (details) out["clips"] = clips;
    return out;
}

// ---------------------------------------------------------------------- conflict and switch suite

ObjectMotion opposite_motion(ObjectMotion m) {
    switch (m) {
    case ObjectMotion::Left: return ObjectMotion::Right;
    case ObjectMotion::Right: return ObjectMotion::Left;
    case ObjectMotion::Up: return ObjectMotion::Down;
    case ObjectMotion::Down: return ObjectMotion::Up;
    default: return m;
    }
}

// The frames the text needs to win: the smallest k such that the object's track over generated
// frames [from + k, end) moves in `want` (object_track_correct: found in half of them, dominant
// axis and sign, min_travel); at least kMinTail frames must remain. -1: the text never wins.
constexpr int kMinTail = 4;
int frames_until(const std::vector<ObjectObservation> &track, size_t from, AxisDirection want, double min_travel) {
    for (size_t k = from; k + kMinTail <= track.size(); ++k)
        if (object_track_correct({track.begin() + ptrdiff_t(k), track.end()}, want, min_travel))
            return int(k - from);
    return -1;
}

// Text against shown motion (docs/EVAL.md "conflict"), on object clips moving left, right, up or
// down:
//   conflict  continue mode: the clip's first `shown` frames move one way, the prompt names
//             the opposite motion. The text wins when, from some frame k on, the object moves
//             the prompt's way (frames_until); k is how many frames it took.
//   switch    animate mode: a prompt schedule names the clip's motion for the first half of the
//             generated frames, then the opposite one. Reported: the first half's direction
//             accuracy, how often the second prompt wins after the change and in how many frames.
json conflict_suite(const Context &c) {
    const EvalOptions &o = c.o;
    RendererOptions ro = renderer_options(c, o.shown + o.frames);
    ro.camera_share = 0;
    ro.object_motions = {ObjectMotion::Left, ObjectMotion::Right, ObjectMotion::Up, ObjectMotion::Down};
    RendererSource source(ro, o.first_seed + kConflictSeeds, size_t(o.clips));
    const size_t half = size_t(o.frames) / 2;
    int conflict_wins = 0, switch_first = 0, switch_wins = 0;
    double conflict_frames = 0, switch_frames = 0;
    json clips = json::array();
    for (int i = 0; i < o.clips; ++i) {
        const auto clip = source.clip(size_t(i));
        ClipSpec spec = source.spec(size_t(i));
        const AxisDirection shown_dir = axis_direction_of(object_motion_direction(spec.motion));
        ClipSpec flipped = spec;
        flipped.motion = opposite_motion(spec.motion);
        const std::string opposite = caption_of(flipped, ro.photos.get());
        const AxisDirection text_dir = axis_direction_of(object_motion_direction(flipped.motion));
        const Frame background = object_background(spec, ro.photos.get());
        const double area = std::numbers::pi * 0.25 * double(spec.size) * double(spec.size);
        auto track_of = [&](const std::vector<Frame> &gen) {
            std::vector<ObjectObservation> track;
            for (const Frame &f : gen) track.push_back(find_object_by_colour(f, spec.colour, area, &background));
            return track;
        };
        const auto start = std::chrono::steady_clock::now();
        const auto conflict = track_of(generate_frames(c, fed_frames(EvalMode::Continue, clip->frames, o.shown),
                                                       opposite, o.frames, o.seed + uint64_t(i), std::nullopt));
        const int k_conflict = frames_until(conflict, 0, text_dir, c.min_travel);
        // The schedule: the clip's own caption for `half` frames, then the opposite caption.
        const std::string schedule = clip->caption + ":" + std::to_string(half) + "|" + opposite;
        const auto switched = track_of(generate_frames(c, fed_frames(EvalMode::Animate, clip->frames, o.shown),
                                                       schedule, o.frames, o.seed + uint64_t(i), std::nullopt, true));
        const bool first_ok = object_track_correct({switched.begin(), switched.begin() + ptrdiff_t(half)},
                                                   shown_dir, c.min_travel);
        const int k_switch = frames_until(switched, half, text_dir, c.min_travel);
        conflict_wins += k_conflict >= 0;
        conflict_frames += std::max(k_conflict, 0);
        switch_first += first_ok;
        switch_wins += k_switch >= 0;
        switch_frames += std::max(k_switch, 0);
        clips.push_back({{"seed", source.seed_of(size_t(i))}, {"shown", axis_direction_name(shown_dir)},
                         {"prompt", opposite}, {"conflict_frames_to_win", k_conflict},
                         {"switch_first_half_correct", first_ok}, {"switch_frames_to_win", k_switch}});
        c.log("eval conflict clip " + std::to_string(i + 1) + "/" + std::to_string(o.clips) + ": shown " +
              axis_direction_name(shown_dir) + ", text " + axis_direction_name(text_dir) + ": conflict " +
              (k_conflict >= 0 ? "won after " + std::to_string(k_conflict) : std::string("lost")) + ", switch " +
              (k_switch >= 0 ? "won after " + std::to_string(k_switch) : std::string("lost")) + " (" +
              fixed(seconds_since(start), 1) + " s)");
    }
    json out;
    out["conflict"] = {{"clips", o.clips},
                       {"text_wins", ratio(conflict_wins, o.clips)},
                       {"mean_frames_to_win", ratio(conflict_frames, conflict_wins)}};
    out["switch"] = {{"clips", o.clips},
                     {"change_after_frames", half},
                     {"first_prompt_direction_accuracy", ratio(switch_first, o.clips)},
                     {"text_wins", ratio(switch_wins, o.clips)},
                     {"mean_frames_to_win", ratio(switch_frames, switch_wins)}};
    out["clips"] = clips;
    return out;
}

// ----------------------------------------------------------------------------- camera suite

// Camera direction (docs/EVAL.md "camera"): pans and tilts over held-out photos. The content's
// displacement is clip_motion() of the generated frames (phase correlation of frames
// motion_stride apart); a clip is CORRECT iff its dominant axis and sign equal the content direction of the
// ground truth (pans left → content right, clip_spec.h) with at least min_travel × the short
// side of travel. PICTURE KEPT (modes that feed frames; PictureKept above).
json camera_suite(const Context &c, const std::vector<EvalMode> &modes, std::optional<double> cfg_text,
                  bool details) {
    const EvalOptions &o = c.o;
    if (!c.have_photos) return skipped_without_photos(c);
    RendererOptions ro = renderer_options(c, o.shown + o.frames);
    ro.camera_share = 1;
    ro.camera_motions = {CameraMotion::PanLeft, CameraMotion::PanRight, CameraMotion::TiltUp, CameraMotion::TiltDown};
    RendererSource source(ro, o.first_seed + kCameraSeeds, size_t(o.clips));
    std::map<EvalMode, std::pair<int, int>> tally;  // correct, clips
    std::map<EvalMode, double> speed;               // sum of |mean shift| per frame
    std::map<EvalMode, PictureKept> kept;
    json clips = json::array();
    for (int i = 0; i < o.clips; ++i) {
        const auto clip = source.clip(size_t(i));
        const ClipSpec spec = source.spec(size_t(i));
        const AxisDirection truth = axis_direction_of(camera_content_direction(spec.camera));
        json entry = {{"seed", source.seed_of(size_t(i))}, {"caption", clip->caption},
                      {"truth", axis_direction_name(truth)}};
        for (EvalMode m : modes) {
            const auto start = std::chrono::steady_clock::now();
            const std::vector<Frame> fed = fed_frames(m, clip->frames, o.shown);
            const std::vector<Frame> gen =
                generate_frames(c, fed, clip->caption, o.frames, o.seed + uint64_t(i), cfg_text);
            const Displacement d = clip_motion(gen, o.motion_stride);
            const AxisDirection seen = dominant_direction(d.dx, d.dy, c.min_travel);
            const bool correct = seen == truth;
            tally[m].first += correct;
            tally[m].second += 1;
            speed[m] += std::hypot(d.dx, d.dy) / std::max(1, int(gen.size()) - 1);
            entry[eval_mode_name(m)] = {{"direction", axis_direction_name(seen)}, {"dx", d.dx}, {"dy", d.dy},
                                        {"correct", correct}};
            if (const auto e = kept[m].add(c, gen, fed, clip->frames))
                entry[eval_mode_name(m)]["picture_kept"] = *e;
            c.log("eval camera " + std::string(eval_mode_name(m)) + " clip " + std::to_string(i + 1) + "/" +
                  std::to_string(o.clips) + ": " + axis_direction_name(truth) + " -> " + axis_direction_name(seen) +
                  (correct ? " ok" : " wrong") + " (" + fixed(seconds_since(start), 1) + " s)");
        }
        clips.push_back(entry);
    }
    json out;
    for (EvalMode m : modes)
        out[eval_mode_name(m)] = {{"clips", tally[m].second},
                                  {"direction_accuracy", ratio(tally[m].first, tally[m].second)},
                                  {"mean_shift_per_frame", ratio(speed[m], tally[m].second)}};
    for (EvalMode m : modes) kept[m].report(out[eval_mode_name(m)]);
    if (details) out["clips"] = clips;
    return out;
}

// ----------------------------------------------------------------------------- continuation

// The continuation suite's figures over its clips for one measurement of the speed.
struct ContinuationTally {
    int clips = 0, direction_ok = 0, speed_ok = 0, kept = 0;
    double ratio_sum = 0;
    std::vector<double> shown, speeds;

    // The clip's speed along the shown direction `unit` (content px/frame) from its displacement
    // `d` over `frames` frames; whether it was kept (direction and speed within ±50%).
    std::pair<double, bool> add(const Context &c, const Displacement &d, int frames, const std::array<float, 2> &unit,
                                AxisDirection truth, double shown_speed) {
        const double speed = (d.dx * unit[0] + d.dy * unit[1]) / double(std::max(1, frames - 1));
        const double r = speed / shown_speed;
        const bool dir = dominant_direction(d.dx, d.dy, c.min_travel) == truth, spd = r >= 0.5 && r <= 1.5;
        ++clips;
        direction_ok += dir;
        speed_ok += spd;
        kept += dir && spd;
        ratio_sum += r;
        shown.push_back(shown_speed);
        speeds.push_back(speed);
        return {speed, dir && spd};
    }
    // The figures into a suite's row; prefix "" for the generated frames' own.
    void report(json &row, const std::string &prefix = "") const {
        if (prefix.empty()) row["clips"] = clips;
        row[prefix + "kept"] = ratio(kept, clips);
        row[prefix + "keeps_direction"] = ratio(direction_ok, clips);
        row[prefix + "keeps_speed"] = ratio(speed_ok, clips);
        row[prefix + "mean_speed_ratio"] = ratio(ratio_sum, clips);
        row[prefix + "speed_correlation"] = finite_or_null(pearson_correlation(shown, speeds));
    }
};

// Motion continuation (docs/EVAL.md "continuation"): held-out photos panned or tilted at the
// renderer's speed v (pixels per frame); the first 4 frames are fed (continue mode, with the
// clip's caption) and `frames` generated. Speed = clip_motion() of the generated frames (phase
// correlation of frames motion_stride apart) per frame along the shown axis, signed positive in
// the shown direction. A clip KEEPS THE DIRECTION iff the dominant direction of that
// displacement is the shown one; KEEPS THE SPEED iff speed / v is in [0.5, 1.5]; "kept" = both.
// speed_correlation: Pearson's correlation of speed with v over the clips (about 0 when the
// speed is not read off the frames). The same figures for the clip's own next frames through
// the VAE ("vae_": what a model that continued the pan exactly would score, so the
// measurement's own error) and, with a motion_stride other than 1, both measured between
// neighbouring frames as well ("consecutive_", "vae_consecutive_"). continuation_caption
// false: no prompt, so the frames are the only cue. PICTURE KEPT as in the camera suite
// (PictureKept): whether the clips that slow down are those whose picture is lost.
json continuation_suite(const Context &c, bool details) {
    const EvalOptions &o = c.o;
    if (!c.have_photos) return skipped_without_photos(c);
    RendererOptions ro = renderer_options(c, kContinuationShown + o.frames);
    ro.camera_share = 1;
    ro.camera_motions = {CameraMotion::PanLeft, CameraMotion::PanRight, CameraMotion::TiltUp, CameraMotion::TiltDown};
    RendererSource source(ro, o.first_seed + kContinuationSeeds, size_t(o.clips));
    ContinuationTally generated, vae, consecutive, vae_consecutive;
    PictureKept picture;
    json clips = json::array();
    for (int i = 0; i < o.clips; ++i) {
        const auto start = std::chrono::steady_clock::now();
        const auto clip = source.clip(size_t(i));
        const ClipSpec spec = source.spec(size_t(i));
        const auto unit = camera_content_direction(spec.camera);
        const AxisDirection truth = axis_direction_of(unit);
        const std::vector<Frame> fed = fed_frames(EvalMode::Continue, clip->frames, kContinuationShown);
        const std::vector<Frame> gen =
            generate_frames(c, fed, o.continuation_caption ? clip->caption : std::string(), o.frames,
                            o.seed + uint64_t(i), std::nullopt);
        std::vector<Frame> truth_vae;  // the pan's own next frames through the VAE
        for (size_t k = fed.size(); k < clip->frames.size() && truth_vae.size() < gen.size(); ++k)
            truth_vae.push_back(vae_round_trip(c, clip->frames[k]));
        const Displacement d = clip_motion(gen, o.motion_stride);
        const auto [speed, ok] = generated.add(c, d, int(gen.size()), unit, truth, spec.camera_speed);
        const double vae_speed =
            vae.add(c, clip_motion(truth_vae, o.motion_stride), int(truth_vae.size()), unit, truth, spec.camera_speed).first;
        const double speed1 = consecutive.add(c, clip_motion(gen, 1), int(gen.size()), unit, truth, spec.camera_speed).first;
        vae_consecutive.add(c, clip_motion(truth_vae, 1), int(truth_vae.size()), unit, truth, spec.camera_speed);
        clips.push_back({{"seed", source.seed_of(size_t(i))}, {"caption", clip->caption},
                         {"truth", axis_direction_name(truth)}, {"shown_speed", spec.camera_speed},
                         {"speed", speed}, {"dx", d.dx}, {"dy", d.dy}, {"kept", ok},
                         {"vae_speed", vae_speed}});
        if (o.motion_stride != 1) clips.back()["consecutive_speed"] = speed1;
        if (const auto e = picture.add(c, gen, fed, clip->frames)) clips.back()["picture_kept"] = *e;
        c.log("eval continuation clip " + std::to_string(i + 1) + "/" + std::to_string(o.clips) + ": " +
              axis_direction_name(truth) + " at " + fixed(spec.camera_speed) + " px/frame -> " + fixed(speed) +
              (ok ? " ok" : " lost") + " (VAE " + fixed(vae_speed) +
              (o.motion_stride != 1 ? ", neighbouring frames " + fixed(speed1) : std::string()) + "; " +
              fixed(seconds_since(start), 1) + " s)");
    }
    json row = json::object();
    generated.report(row);
    picture.report(row);
    vae.report(row, "vae_");
    if (o.motion_stride != 1) {
        consecutive.report(row, "consecutive_");
        vae_consecutive.report(row, "vae_consecutive_");
    }
    json out = {{"continue", row}};
    if (details) out["clips"] = clips;
    return out;
}

// ----------------------------------------------------------------------------- drift

// Drift over drift_frames generated frames (docs/EVAL.md "drift") on still scenes (renderer
// object clips with a still object; prompt = the caption, "... standing still ..."), so every
// pixel is a still region. Reference: the anchor (the fed still frame in animate, the first
// generated frame in t2v). colour_shift(t): Euclidean distance of frame t's mean RGB from the
// reference's; sharpness_ratio(t): sharpness(frame t) / sharpness(first generated frame);
// flicker: mean absolute difference between consecutive generated frames (0..255), averaged
// over all pairs. The continue mode is not run: fed two frames of a still scene it is the
// animate mode exactly (same references and anchor).
json drift_suite(const Context &c) {
    const EvalOptions &o = c.o;
    RendererOptions ro = renderer_options(c, o.shown);
    ro.camera_share = 0;
    ro.object_motions = {ObjectMotion::Still};
    RendererSource source(ro, o.first_seed + kDriftSeeds, size_t(o.drift_clips));
    std::vector<int> checkpoints;
    for (int t : {16, 64, 128, 256, o.drift_frames})
        if (t <= o.drift_frames && (checkpoints.empty() || checkpoints.back() < t)) checkpoints.push_back(t);
    json out;
    for (EvalMode m : modes_without(c.o.modes, EvalMode::Continue)) {
        std::map<int, std::pair<double, double>> at;  // frame -> (colour shift, sharpness ratio) sums
        double flicker = 0;
        for (int i = 0; i < o.drift_clips; ++i) {
            const auto start = std::chrono::steady_clock::now();
            const auto clip = source.clip(size_t(i));
            Frame reference = m == EvalMode::T2V ? Frame() : clip->frames.front(), previous;
            double sharp0 = 0, flicker_sum = 0;
            generate(c, fed_frames(m, clip->frames, o.shown), clip->caption, o.drift_frames, o.seed + uint64_t(i),
                     std::nullopt, [&](int k, const Frame &f) {
                         if (k == 0) {
                             if (reference.empty()) reference = f;
                             sharp0 = sharpness(f);
                         } else {
                             flicker_sum += mean_abs_difference(previous, f);
                         }
                         previous = f;
                         if (std::find(checkpoints.begin(), checkpoints.end(), k + 1) != checkpoints.end()) {
                             at[k + 1].first += colour_distance(mean_rgb(f), mean_rgb(reference));
                             at[k + 1].second += sharp0 > 0 ? sharpness(f) / sharp0 : 0;
                         }
                         if ((k + 1) % 64 == 0 && k + 1 < o.drift_frames)
                             c.log("eval drift " + std::string(eval_mode_name(m)) + " clip " + std::to_string(i + 1) +
                                   ": frame " + std::to_string(k + 1) + "/" + std::to_string(o.drift_frames));
                     });
            flicker += o.drift_frames > 1 ? flicker_sum / (o.drift_frames - 1) : 0;
            c.log("eval drift " + std::string(eval_mode_name(m)) + " clip " + std::to_string(i + 1) + "/" +
                  std::to_string(o.drift_clips) + " done (" + fixed(seconds_since(start), 1) + " s)");
        }
        const double n = o.drift_clips;
        json curve = json::object();
        for (int t : checkpoints)
            curve[std::to_string(t)] = {{"colour_shift", at[t].first / n}, {"sharpness_ratio", at[t].second / n}};
        out[eval_mode_name(m)] = {{"clips", o.drift_clips},
                                  {"frames", o.drift_frames},
                                  {"colour_shift", at[o.drift_frames].first / n},
                                  {"sharpness_ratio", at[o.drift_frames].second / n},
                                  {"flicker", flicker / n},
                                  {"at_frame", curve}};
    }
    return out;
}

// ----------------------------------------------------------------------------- real tails

// Real held-out tails (docs/EVAL.md "real"): for each clip of the captions file (decoded at the
// model's fps, square at the generation size), the last two frames before the held-out tail
// are fed with the clip's caption (continue mode) and min(max horizon, tail length) frames
// generated; generated frame h is compared with tail frame h (PSNR over RGB, SSIM on luma), as
// are the two baselines: the last fed frame (freeze-last-frame) and that frame through the VAE.
// Horizons longer than a clip's tail skip that clip; "clips" counts the clips per horizon.
json real_suite(const Context &c) {
    const EvalOptions &o = c.o;
    std::string list = o.real_footage;
    if (list.empty()) {
        const std::string photos = o.photos.empty() ? PhotoLibrary::default_list_path(".") : o.photos;
        list = photos.substr(0, photos.find_last_of('/') + 1) + "real_footage.jsonl";
    }
    struct stat st {};
    if (::stat(list.c_str(), &st) != 0) return {{"skipped", "no captions file " + list}};
    VideoSourceOptions vo;
    vo.fps = c.nets->config().sampling.fps;
    vo.width = vo.height = c.size;
    vo.cache_dir = o.cache_dir;
    vo.log = [&c](const std::string &line) { c.log("eval real: " + line); };
    std::unique_ptr<VideoSource> source;
    try {
        source = std::make_unique<VideoSource>(list, vo);
    } catch (const Error &e) {
        return {{"skipped", e.what()}};
    }
    const int max_h = *std::max_element(o.horizons.begin(), o.horizons.end());
    struct Sums {
        double psnr = 0, ssim = 0;
    };
    std::map<int, Sums> model, freeze, freeze_vae;
    std::map<int, int> count;
    const size_t n = o.real_clips > 0 ? std::min(source->size(), size_t(o.real_clips)) : source->size();
    json clips = json::array();
    for (size_t i = 0; i < n; ++i) {
        const auto start = std::chrono::steady_clock::now();
        const auto clip = source->clip(i);
        const int tail = clip->heldout_size();
        if (clip->train_end < 2 || tail < 1) continue;
        const std::vector<Frame> fed(clip->frames.begin() + clip->train_end - 2,
                                     clip->frames.begin() + clip->train_end);
        const int count_gen = std::min(max_h, tail);
        const std::vector<Frame> gen = generate_frames(c, fed, clip->caption, count_gen, o.seed + i, std::nullopt);
        const Frame &last = fed.back();
        const Frame last_vae = vae_round_trip(c, last);
        json per = json::object();
        for (int h : o.horizons) {
            if (h > count_gen) continue;
            const Frame &truth = clip->frames[size_t(clip->train_end + h - 1)];
            const double p = psnr(gen[size_t(h - 1)], truth), s = ssim(gen[size_t(h - 1)], truth);
            model[h].psnr += p, model[h].ssim += s;
            freeze[h].psnr += psnr(last, truth), freeze[h].ssim += ssim(last, truth);
            freeze_vae[h].psnr += psnr(last_vae, truth), freeze_vae[h].ssim += ssim(last_vae, truth);
            ++count[h];
            per[std::to_string(h)] = {{"psnr", p}, {"ssim", s}};
        }
        clips.push_back({{"origin", clip->origin}, {"tail_frames", tail}, {"horizons", per}});
        c.log("eval real clip " + std::to_string(i + 1) + "/" + std::to_string(n) + ": " + clip->origin + " (" +
              fixed(seconds_since(start), 1) + " s)");
    }
    json rows = json::object();
    for (int h : o.horizons) {
        const double k = count[h];
        auto pair = [&](std::map<int, Sums> &m) {
            return json{{"psnr", ratio(m[h].psnr, k)}, {"ssim", ratio(m[h].ssim, k)}};
        };
        rows[std::to_string(h)] = {{"clips", count[h]}, {"model", pair(model)}, {"freeze_last", pair(freeze)},
                                   {"freeze_last_vae", pair(freeze_vae)}};
    }
    // Lines and videos the source could not use (e.g. footage not fetched): the report says so,
    // so a figure over fewer clips is not read as the whole set's.
    return {{"captions", list},
            {"problems", source->problems()},
            {"continue", {{"clips", clips.size()}, {"horizons", rows}}},
            {"clips", clips}};
}

// ----------------------------------------------------------------------------- text scale

json text_scale_suite(const Context &c) {
    json out = json::object();
    for (double s : c.o.text_scales) {
        c.log("eval text_scale " + fixed(s, 2) + ": object and camera suites in the animate mode");
        const json obj = object_suite(c, {EvalMode::Animate}, s, false);
        const json cam = camera_suite(c, {EvalMode::Animate}, s, false);
        json row = {{"object_direction_accuracy", obj["animate"]["direction_accuracy"]}};
        row["camera_direction_accuracy"] = cam.contains("animate") ? cam["animate"]["direction_accuracy"] : json(nullptr);
        char key[32];
        std::snprintf(key, sizeof key, "%g", s);
        out[key] = row;
    }
    return out;
}

}  // namespace

const char *eval_mode_name(EvalMode m) {
    switch (m) {
    case EvalMode::Continue: return "continue";
    case EvalMode::Animate: return "animate";
    case EvalMode::T2V: return "t2v";
    }
    return "?";
}

EvalMode parse_eval_mode(const std::string &name) {
    for (EvalMode m : {EvalMode::Continue, EvalMode::Animate, EvalMode::T2V})
        if (name == eval_mode_name(m)) return m;
    throw_invalid("unknown mode \"" + name + "\" (continue, animate, t2v)");
}

const std::vector<std::string> &eval_suite_names() {
    static const std::vector<std::string> names = {"object", "camera", "continuation", "conflict", "drift", "real",
                                                   "text_scale"};
    return names;
}

json run_eval(const EvalOptions &o) {
    for (const std::string &s : o.suites)
        if (std::find(eval_suite_names().begin(), eval_suite_names().end(), s) == eval_suite_names().end())
            throw_invalid("unknown suite \"" + s + "\" (object, camera, continuation, conflict, drift, real, text_scale)");
    if (o.clips < 1 || o.frames < 2 || o.shown < 2 || o.drift_clips < 1 || o.drift_frames < 2)
        throw_invalid("eval: clips and drift clips must be >= 1; frames, shown and drift frames >= 2");
    if (o.motion_stride < 1) throw_invalid("eval: motion_stride must be >= 1");
    if (o.modes.empty()) throw_invalid("eval: no mode to run");
    if (o.horizons.empty()) throw_invalid("eval: no horizon");
    for (int h : o.horizons)
        if (h < 1) throw_invalid("eval: horizons must be >= 1");

    const std::string dir = o.model_dir.empty() ? artv_default_model_path() : o.model_dir;
    ModelOpenOptions mo;
    mo.device = o.device;
    mo.dtype = o.dtype;
    mo.threads = o.threads;
    Context c{o, open_model(dir, mo), 0, nullptr, false, 0.0};
    c.size = c.nets->config().sampling.native_short_side;
    c.min_travel = o.min_travel * c.size;
    const std::string photo_list = o.photos.empty() ? PhotoLibrary::default_list_path(".") : o.photos;
    struct stat st {};
    if (!o.photos.empty() || ::stat(photo_list.c_str(), &st) == 0) {
        c.photos = PhotoLibrary::from_list(photo_list);
        for (const std::string &w : c.photos->warnings()) c.log("eval: " + w);
        c.have_photos = !c.photos->indices(o.photo_split).empty();
    }

    // The settings the sessions resolve (model defaults filled in), from a session never run.
    Session probe(c.nets, session_options(c, o.seed, std::nullopt));
    const CfgScales cfg = probe.cfg_scales();
    json modes = json::array();
    for (EvalMode m : o.modes) modes.push_back(eval_mode_name(m));
    json report;
    report["model"] = dir;
    report["settings"] = {{"size", c.size},
                          {"sampler", sampler_name(probe.sampler())},
                          {"steps", probe.steps()},
                          {"cfg_ref", cfg.ref},
                          {"cfg_anchor", cfg.anchor},
                          {"cfg_text", cfg.text},
                          {"cfg_text_t2v", probe.cfg_text_t2v()},
                          {"cfg_sigma_min", probe.cfg_sigma_min()},
                          {"cfg_rescale", probe.cfg_rescale()},
                          {"noise_aug", probe.noise_aug()},
                          {"use_mask", o.use_mask},
                          {"anchor", anchor_policy_name(o.anchor)},
                          {"continuation_prompt", o.continuation_caption ? "caption" : "none"},
                          {"seed", o.seed},
                          {"clips", o.clips},
                          {"frames", o.frames},
                          {"shown", o.shown},
                          {"drift_frames", o.drift_frames},
                          {"drift_clips", o.drift_clips},
                          {"first_clip_seed", o.first_seed},
                          {"photo_split", photo_split_name(o.photo_split)},
                          {"min_travel_px", c.min_travel},
                          {"motion_stride", o.motion_stride},
                          {"modes", modes},
                          {"photos", c.photos ? json(photo_list) : json(nullptr)}};
    json suites = json::object();
    const auto start = std::chrono::steady_clock::now();
    for (const std::string &name : eval_suite_names()) {
        if (std::find(o.suites.begin(), o.suites.end(), name) == o.suites.end()) continue;
        const auto t0 = std::chrono::steady_clock::now();
        c.log("eval: suite " + name);
        if (name == "object") suites[name] = object_suite(c, o.modes, std::nullopt, true);
        else if (name == "camera") suites[name] = camera_suite(c, o.modes, std::nullopt, true);
        else if (name == "continuation") suites[name] = continuation_suite(c, true);
        else if (name == "conflict") suites[name] = conflict_suite(c);
        else if (name == "drift") suites[name] = drift_suite(c);
        else if (name == "real") suites[name] = real_suite(c);
        else if (name == "text_scale") suites[name] = text_scale_suite(c);
        suites[name]["seconds"] = seconds_since(t0);
    }
    report["suites"] = suites;
    report["seconds"] = seconds_since(start);
    return report;
}

}  // namespace artv
