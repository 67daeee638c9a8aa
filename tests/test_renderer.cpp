// core/data renderer: determinism by seed, ground truth against the pixels (object colour at
// the reported centre, motion direction by centroid, camera pans/tilts/zooms by brute-force
// shift and scale search), the caption vocabulary, and the options that restrict choices.
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include <check.h>  // after the standard headers (its `fail` macro breaks <ios>)

#include "data/clip_spec.h"
#include "data/photo_library.h"
#include "data/renderer.h"
#include "data/rng.h"
#include "io/image.h"
#include "data_test_helpers.h"
#include "testutil.h"
#include "util/error.h"

using namespace artv;
using artv_test::expect_error;
using artv_test::scratch_dir;

namespace {

// A synthetic "photograph" with structure at all scales (so shift searches are unambiguous):
// sums of sinusoids plus random bright blobs. Written as PNG, listed as one train photo and
// one eval photo.
std::shared_ptr<PhotoLibrary> test_photos() {
    Frame f(300, 220);
    Rng rng(7);
    std::vector<std::array<float, 4>> blobs;
    for (int i = 0; i < 40; ++i)
        blobs.push_back({float(rng.uniform(0, 300)), float(rng.uniform(0, 220)), float(rng.uniform(3, 12)),
                         float(rng.uniform(0, 3))});
    for (int y = 0; y < 220; ++y)
        for (int x = 0; x < 300; ++x) {
            float v[3] = {110 + 50 * std::sin(x * 0.07f + y * 0.02f), 100 + 45 * std::sin(y * 0.09f - x * 0.03f),
                          90 + 40 * std::cos((x + y) * 0.05f)};
            for (const auto &b : blobs) {
                float d2 = (x - b[0]) * (x - b[0]) + (y - b[1]) * (y - b[1]);
                if (d2 < b[2] * b[2]) v[int(b[3])] = 250;
            }
            uint8_t *p = f.pixel(x, y);
            for (int k = 0; k < 3; ++k) p[k] = uint8_t(std::clamp(v[k], 0.0f, 255.0f));
        }
    std::string path = scratch_dir() + "/pattern.png";
    write_png(path, f);
    return std::make_shared<PhotoLibrary>(std::vector<PhotoEntry>{{path, "a pattern", PhotoSplit::Train},
                                                                  {path, "a test card", PhotoSplit::Eval}});
}

RendererOptions test_options() {
    RendererOptions o;
    o.width = o.height = 64;
    o.frames = 12;
    o.min_speed = 1.5f;
    o.max_speed = 2.5f;
    return o;
}

bool near_colour(const uint8_t *p, const Rgb &c, int tol) {
    return std::abs(p[0] - c[0]) <= tol && std::abs(p[1] - c[1]) <= tol && std::abs(p[2] - c[2]) <= tol;
}

// Where an object is, from the pixels of a clip on a flat background: each pixel's coverage
// is its projection onto the background→object colour line (anti-aliased edges count
// partly), so the centroid is sub-pixel exact and the area does not flicker with position.
struct Blob {
    double x = 0, y = 0;
    double area = 0;
};
Blob object_blob(const Frame &f, const Rgb &obj, const Rgb &bg) {
    Blob b;
    double len2 = 0;
    for (int k = 0; k < 3; ++k) len2 += double(obj[k] - bg[k]) * double(obj[k] - bg[k]);
    for (int y = 0; y < f.height; ++y)
        for (int x = 0; x < f.width; ++x) {
            const uint8_t *p = f.pixel(x, y);
            double a = 0;
            for (int k = 0; k < 3; ++k) a += double(p[k] - bg[k]) * double(obj[k] - bg[k]);
            a = std::clamp(a / len2, 0.0, 1.0);
            b.x += a * (x + 0.5), b.y += a * (y + 0.5), b.area += a;
        }
    if (b.area > 0) b.x /= b.area, b.y /= b.area;
    return b;
}
Blob object_blob(const RenderedClip &c, int frame) {
    return object_blob(c.frames[size_t(frame)], c.truth.object_rgb, colour_rgb(c.spec.background.colour));
}

// The integer shift (dx, dy) that best maps frame a onto frame b (b(x+dx, y+dy) ≈ a(x, y)):
// mean absolute difference over the overlap, searched in [-r, r]².
std::pair<int, int> best_shift(const Frame &a, const Frame &b, int r) {
    double best = 1e18;
    std::pair<int, int> arg{0, 0};
    for (int dy = -r; dy <= r; ++dy)
        for (int dx = -r; dx <= r; ++dx) {
            double s = 0;
            int n = 0;
            for (int y = r; y < a.height - r; ++y)
                for (int x = r; x < a.width - r; ++x) {
                    const uint8_t *p = a.pixel(x, y), *q = b.pixel(x + dx, y + dy);
                    s += std::abs(p[0] - q[0]) + std::abs(p[1] - q[1]) + std::abs(p[2] - q[2]);
                    ++n;
                }
            if (s / n < best) best = s / n, arg = {dx, dy};
        }
    return arg;
}

// Mean absolute difference between b and a magnified by z about the frame centre (central
// region only, away from clamped borders).
double zoom_error(const Frame &a, const Frame &b, float z) {
    double s = 0;
    int n = 0;
    const float cx = a.width / 2.0f, cy = a.height / 2.0f;
    for (int y = a.height / 4; y < 3 * a.height / 4; ++y)
        for (int x = a.width / 4; x < 3 * a.width / 4; ++x) {
            int sx = int(std::lround(cx + (x + 0.5f - cx) / z - 0.5f));
            int sy = int(std::lround(cy + (y + 0.5f - cy) / z - 0.5f));
            const uint8_t *p = a.pixel(sx, sy), *q = b.pixel(x, y);
            s += std::abs(p[0] - q[0]) + std::abs(p[1] - q[1]) + std::abs(p[2] - q[2]);
            ++n;
        }
    return s / n;
}

}  // namespace

START_TEST(deterministic_by_seed) {
    RendererOptions o = test_options();
    o.photos = test_photos();
    o.camera_share = 0.4f;
    for (uint64_t seed : {0ull, 1ull, 42ull, 123456789ull}) {
        RenderedClip a = render_random_clip(seed, o), b = render_random_clip(seed, o);
        ck_assert_str_eq(a.caption.c_str(), b.caption.c_str());
        ck_assert_int_eq(int(a.frames.size()), o.frames);
        for (int i = 0; i < o.frames; ++i) ck_assert_msg(a.frames[i] == b.frames[i], "seed %llu frame %d differs",
                                                         (unsigned long long)seed, i);
        ck_assert_int_eq(a.frames[0].width, 64);
    }
    // Different seeds give different clips.
    std::set<std::string> captions;
    int differing = 0;
    RenderedClip first = render_random_clip(1000, o);
    for (uint64_t seed = 1001; seed < 1021; ++seed) {
        RenderedClip c = render_random_clip(seed, o);
        captions.insert(c.caption);
        differing += !(c.frames[0] == first.frames[0]);
    }
    ck_assert_int_ge(int(captions.size()), 15);
    ck_assert_int_eq(differing, 20);
}
END_TEST

START_TEST(object_colour_at_centre) {
    RendererOptions o = test_options();
    o.photos = test_photos();
    o.camera_share = 0;
    int checked = 0;
    for (uint64_t seed = 0; seed < 150; ++seed) {
        RenderedClip c = render_random_clip(seed, o);
        ck_assert_int_eq(int(c.truth.object.size()), o.frames);
        ck_assert(c.truth.camera.empty());
        for (int i = 0; i < o.frames; i += 3) {
            const ObjectState &s = c.truth.object[i];
            int x = int(std::floor(s.cx)), y = int(std::floor(s.cy));
            ck_assert_msg(near_colour(c.frames[i].pixel(x, y), c.truth.object_rgb, 1),
                          "seed %llu frame %d: not the object colour at its centre (%s)",
                          (unsigned long long)seed, i, c.caption.c_str());
            // The whole object stays in the frame: its extent (1.35 size/2) fits.
            float e = 0.5f * s.size * 1.35f;
            ck_assert_msg(s.cx - e >= -0.01f && s.cx + e <= 64.01f && s.cy - e >= -0.01f && s.cy + e <= 64.01f,
                          "seed %llu frame %d: object leaves the frame", (unsigned long long)seed, i);
            ++checked;
        }
        // The caption names the object's colour and shape.
        std::string want = std::string(colour_name(c.spec.colour)) + " " + shape_name(c.spec.shape);
        ck_assert_msg(c.caption.find(want) != std::string::npos, "'%s' lacks '%s'", c.caption.c_str(), want.c_str());
    }
    ck_assert_int_eq(checked, 150 * 4);
}
END_TEST

START_TEST(straight_motion_by_centroid) {
    RendererOptions o = test_options();
    o.backgrounds = {BackgroundKind::Flat};
    o.shapes = {Shape::Square, Shape::Circle, Shape::Triangle, Shape::Diamond};
    const ObjectMotion motions[] = {ObjectMotion::Left,   ObjectMotion::Right,   ObjectMotion::Up,
                                    ObjectMotion::Down,   ObjectMotion::UpLeft,  ObjectMotion::UpRight,
                                    ObjectMotion::DownLeft, ObjectMotion::DownRight};
    for (ObjectMotion m : motions) {
        o.object_motions = {m};
        auto dir = object_motion_direction(m);
        for (uint64_t seed = 0; seed < 8; ++seed) {
            RenderedClip c = render_random_clip(seed * 31 + uint64_t(m), o);
            ck_assert_int_eq(int(c.spec.motion), int(m));
            Blob a = object_blob(c, 0), b = object_blob(c, o.frames - 1);
            ck_assert_double_gt(a.area, 20);
            double dx = b.x - a.x, dy = b.y - a.y, len = std::hypot(dx, dy);
            double cosine = (dx * dir[0] + dy * dir[1]) / len;
            ck_assert_msg(cosine > 0.97, "%s: centroid moved (%.1f, %.1f)", c.caption.c_str(), dx, dy);
            double expected = c.spec.speed * (o.frames - 1);
            ck_assert_msg(std::fabs(len - expected) < 1.0, "%s: moved %.2f px, truth %.2f", c.caption.c_str(), len,
                          expected);
            ck_assert_msg(expected >= 1.5 * (o.frames - 1) - 1e-3, "speed %.2f below the minimum", c.spec.speed);
            const ObjectState &t0 = c.truth.object.front(), &t1 = c.truth.object.back();
            ck_assert_msg(std::fabs(a.x - t0.cx) < 0.3 && std::fabs(a.y - t0.cy) < 0.3 &&
                              std::fabs(b.x - t1.cx) < 0.3 && std::fabs(b.y - t1.cy) < 0.3,
                          "%s: truth and pixels disagree", c.caption.c_str());
        }
    }
}
END_TEST

START_TEST(other_object_motions) {
    RendererOptions o = test_options();
    o.backgrounds = {BackgroundKind::Flat};
    for (uint64_t seed = 0; seed < 6; ++seed) {
        o.object_motions = {ObjectMotion::Growing};
        RenderedClip g = render_random_clip(seed, o);
        ck_assert_double_gt(object_blob(g, o.frames - 1).area, 3 * object_blob(g, 0).area);
        o.object_motions = {ObjectMotion::Shrinking};
        RenderedClip s = render_random_clip(seed, o);
        ck_assert_double_lt(3 * object_blob(s, o.frames - 1).area, object_blob(s, 0).area);
        o.object_motions = {ObjectMotion::Still};
        RenderedClip st = render_random_clip(seed, o);
        ck_assert(st.frames.front() == st.frames.back());
        ck_assert(st.caption.find("standing still") != std::string::npos);
        o.object_motions = {ObjectMotion::Rotating};
        RenderedClip r = render_random_clip(seed, o);
        ck_assert_int_ne(int(r.spec.shape), int(Shape::Circle));
        ck_assert(!(r.frames[0] == r.frames[2]));
        Blob r0 = object_blob(r, 0), r2 = object_blob(r, 2);
        ck_assert_msg(std::hypot(r0.x - r2.x, r0.y - r2.y) < 0.3, "rotation moved the centroid");
        ck_assert_msg(std::fabs(r0.area - r2.area) < 0.03 * r0.area, "rotation changed the area");
        o.object_motions = {ObjectMotion::Bouncing};
        o.frames = 40;  // long enough to hit a wall
        RenderedClip b = render_random_clip(seed, o);
        o.frames = 12;
        double area = object_blob(b, 0).area;
        bool reversed = false;
        for (int i = 0; i < 40; ++i) {
            Blob bi = object_blob(b, i);
            ck_assert_msg(std::fabs(bi.area - area) < 0.05 * area, "bouncing object cut off at frame %d", i);
            ck_assert_msg(std::hypot(bi.x - b.truth.object[i].cx, bi.y - b.truth.object[i].cy) < 0.3,
                          "bouncing: truth and pixels disagree at frame %d", i);
            if (i >= 2) {
                const auto &p = b.truth.object;
                float vx0 = p[i - 1].cx - p[i - 2].cx, vx1 = p[i].cx - p[i - 1].cx;
                float vy0 = p[i - 1].cy - p[i - 2].cy, vy1 = p[i].cy - p[i - 1].cy;
                reversed = reversed || vx0 * vx1 < 0 || vy0 * vy1 < 0;
            }
        }
        ck_assert_msg(reversed, "no bounce in 40 frames (%s)", b.caption.c_str());
    }
}
END_TEST

START_TEST(camera_pans_and_tilts) {
    // Convention: pans left → content slides right (dx > 0); tilts up → content slides down.
    RendererOptions o = test_options();
    o.photos = test_photos();
    o.camera_share = 1;
    const std::pair<CameraMotion, std::pair<int, int>> cases[] = {
        {CameraMotion::PanLeft, {1, 0}}, {CameraMotion::PanRight, {-1, 0}},
        {CameraMotion::TiltUp, {0, 1}},  {CameraMotion::TiltDown, {0, -1}}};
    for (const auto &[motion, sign] : cases) {
        o.camera_motions = {motion};
        for (uint64_t seed = 0; seed < 3; ++seed) {
            RenderedClip c = render_random_clip(seed, o);
            ck_assert_int_eq(int(c.spec.kind), int(ClipKind::Camera));
            ck_assert(c.truth.object.empty());
            const int k = 5;
            auto [dx, dy] = best_shift(c.frames[0], c.frames[k], 16);
            const CameraState &t = c.truth.camera[k];
            ck_assert_msg(std::abs(dx - t.offset_x) <= 1 && std::abs(dy - t.offset_y) <= 1,
                          "%s: content shifted (%d, %d), truth (%.1f, %.1f)", c.caption.c_str(), dx, dy,
                          t.offset_x, t.offset_y);
            ck_assert_msg(dx * sign.first + dy * sign.second >= 7, "%s: shift (%d, %d) in the wrong direction",
                          c.caption.c_str(), dx, dy);
            auto dir = camera_content_direction(motion);
            ck_assert(dir[0] == float(sign.first) && dir[1] == float(sign.second));
        }
    }
}
END_TEST

// photo_augment: off, every photo as it is; on, about half the clips mirrored and every channel
// order drawn. A spec renders its photo mirrored (the view at photo_x of the mirrored photo is
// the unmirrored view at the mirrored place, mirrored) and with its channels reordered, exactly.
START_TEST(photo_augment) {
    RendererOptions o = test_options();
    o.photos = test_photos();
    o.camera_share = 1;
    o.camera_motions = {CameraMotion::PanLeft};
    for (uint64_t seed = 0; seed < 20; ++seed) {
        const ClipSpec s = random_clip_spec(seed, o);
        ck_assert(!s.background.photo_mirror && s.background.photo_channels == 0);
    }
    o.photo_augment = true;
    int mirrored = 0, orders[6] = {0, 0, 0, 0, 0, 0};
    for (uint64_t seed = 0; seed < 240; ++seed) {
        const ClipSpec s = random_clip_spec(seed, o);
        mirrored += s.background.photo_mirror;
        orders[s.background.photo_channels] += 1;
    }
    ck_assert_msg(mirrored > 80 && mirrored < 160, "%d of 240 mirrored", mirrored);
    for (int n : orders) ck_assert_int_gt(n, 15);

    ClipSpec a = random_clip_spec(1, o);
    a.background.photo_scale = 1;  // whole photo pixels: the mirrored view samples the same ones
    a.background.photo_x = 40, a.background.photo_y = 30;
    a.background.photo_mirror = false, a.background.photo_channels = 0;
    ClipSpec b = a;
    b.background.photo_mirror = true;
    b.background.photo_x = float(300 - a.width - 40);  // the test photo is 300 wide
    b.background.photo_channels = 5;                   // B, G, R
    const Frame fa = render_clip(a, o.photos.get()).frames[0], fb = render_clip(b, o.photos.get()).frames[0];
    for (int y = 0; y < fa.height; ++y)
        for (int x = 0; x < fa.width; ++x) {
            const uint8_t *p = fa.pixel(fa.width - 1 - x, y), *q = fb.pixel(x, y);
            ck_assert_msg(q[0] == p[2] && q[1] == p[1] && q[2] == p[0], "pixel (%d, %d) differs", x, y);
        }
}
END_TEST

// A camera speed range moves the pans and tilts alone: object clips are the same clips as
// without it, camera clips keep their photo and place and take their speed from the range.
START_TEST(camera_speed_range) {
    RendererOptions o = test_options();
    o.photos = test_photos();
    o.camera_share = 0.5f;
    o.camera_motions = {CameraMotion::PanLeft, CameraMotion::TiltDown};
    RendererOptions fast = o;
    fast.min_camera_speed = 4;
    fast.max_camera_speed = 6;
    int objects = 0, cameras = 0;
    for (uint64_t seed = 0; seed < 40; ++seed) {
        ClipSpec a = random_clip_spec(seed, o), b = random_clip_spec(seed, fast);
        ck_assert_int_eq(int(a.kind), int(b.kind));
        if (a.kind == ClipKind::Object) {
            ++objects;
            ck_assert(caption_of(a, nullptr) == caption_of(b, nullptr));
            ck_assert_float_eq(a.speed, b.speed);
            ck_assert(a.start_x == b.start_x && a.start_y == b.start_y);
            continue;
        }
        ++cameras;
        ck_assert_int_eq(int(a.camera), int(b.camera));
        ck_assert_int_eq(a.background.photo, b.background.photo);
        ck_assert(a.camera_speed >= 1.5f && a.camera_speed <= 2.5f);
        ck_assert_msg(b.camera_speed >= 4 && b.camera_speed <= 6, "camera speed %.2f", b.camera_speed);
        // The same draw: the same place in each range.
        ck_assert_double_eq_tol((a.camera_speed - 1.5) / 1.0, (b.camera_speed - 4) / 2.0, 1e-5);
        RenderedClip c = render_random_clip(seed, fast);
        auto [dx, dy] = best_shift(c.frames[0], c.frames[3], 24);
        const CameraState &t = c.truth.camera[3];
        ck_assert_msg(std::abs(dx - t.offset_x) <= 1 && std::abs(dy - t.offset_y) <= 1,
                      "%s: content shifted (%d, %d), truth (%.1f, %.1f)", c.caption.c_str(), dx, dy, t.offset_x,
                      t.offset_y);
        ck_assert_double_ge(std::hypot(t.offset_x, t.offset_y), 3 * 4 - 1e-3);
    }
    ck_assert_int_gt(objects, 5);
    ck_assert_int_gt(cameras, 5);
    // A range with only its top, or upside down, is an error.
    for (auto [lo, hi] : {std::pair{0.f, 5.f}, std::pair{5.f, 4.f}}) {
        fast.min_camera_speed = lo;
        fast.max_camera_speed = hi;
        expect_error([&] { random_clip_spec(1, fast); }, ARTV_ERR_INVALID_ARGUMENT, "min_camera_speed");
    }
}
END_TEST

START_TEST(camera_zooms) {
    RendererOptions o = test_options();
    o.photos = test_photos();
    o.camera_share = 1;
    for (CameraMotion m : {CameraMotion::ZoomIn, CameraMotion::ZoomOut}) {
        o.camera_motions = {m};
        RenderedClip c = render_random_clip(3, o);
        const int k = o.frames - 1;
        float z = c.truth.camera[k].zoom;
        ck_assert_msg(m == CameraMotion::ZoomIn ? z > 1.25f : z < 0.8f, "zoom %.3f after %d frames", z, k);
        double right = zoom_error(c.frames[0], c.frames[k], z), wrong = zoom_error(c.frames[0], c.frames[k], 1 / z);
        ck_assert_msg(right < 0.5 * wrong, "%s: error %.1f for the true zoom, %.1f for its inverse",
                      c.caption.c_str(), right, wrong);
    }
    o.camera_motions = {CameraMotion::Still};
    RenderedClip s = render_random_clip(4, o);
    ck_assert(s.frames.front() == s.frames.back());
    ck_assert(s.caption.rfind("a still photo", 0) == 0);
}
END_TEST

START_TEST(caption_vocabulary_is_closed) {
    RendererOptions o = test_options();
    o.photos = test_photos();
    o.camera_share = 0.3f;
    std::vector<std::string> vocab = caption_vocabulary(o.photos.get());
    std::set<std::string> words(vocab.begin(), vocab.end());
    ck_assert_int_lt(int(words.size()), 70);  // the text encoder is tiny
    int camera = 0, short_captions = 0;
    for (uint64_t seed = 0; seed < 400; ++seed) {
        ClipSpec s = random_clip_spec(seed, o);
        std::string cap = caption_of(s, o.photos.get());
        std::istringstream in(cap);
        std::string w;
        while (in >> w) ck_assert_msg(words.count(w), "'%s' in '%s' is not in the vocabulary", w.c_str(), cap.c_str());
        if (s.kind == ClipKind::Camera) {
            ++camera;
            ck_assert(cap.find(camera_motion_phrase(s.camera)) == 0);
            ck_assert_int_eq(s.background.photo, 0);  // the train photo only
        } else {
            ck_assert(cap.find(object_motion_phrase(s.motion)) != std::string::npos);
            short_captions += cap.find(" on ") == std::string::npos;
        }
    }
    ck_assert_int_gt(camera, 80);
    ck_assert_int_lt(camera, 160);
    ck_assert_int_gt(short_captions, 30);  // background left unsaid ~30% of the time
    // The article follows the colour.
    ClipSpec s;
    s.colour = Colour::Orange;
    s.mention_background = false;
    std::string cap = caption_of(s, nullptr);
    ck_assert_str_eq(cap.c_str(), "an orange circle standing still");
    s.kind = ClipKind::Camera;
    s.camera = CameraMotion::PanLeft;
    s.background.photo = 1;
    cap = caption_of(s, o.photos.get());
    ck_assert_str_eq(cap.c_str(), "camera pans left over a photo of a test card");
}
END_TEST

START_TEST(options_and_errors) {
    RendererOptions o = test_options();
    // Object colours stand out from flat backgrounds.
    o.backgrounds = {BackgroundKind::Flat};
    for (uint64_t seed = 0; seed < 100; ++seed) {
        ClipSpec s = random_clip_spec(seed, o);
        Rgb a = colour_rgb(s.colour), b = colour_rgb(s.background.colour);
        double d = std::sqrt(double((a[0] - b[0]) * (a[0] - b[0]) + (a[1] - b[1]) * (a[1] - b[1]) +
                                    (a[2] - b[2]) * (a[2] - b[2])));
        ck_assert_msg(d >= 150, "%s on %s", colour_name(s.colour), colour_name(s.background.colour));
    }
    // Without photos: no camera clips, no photo backgrounds; asking only for them is an error.
    o.backgrounds.clear();
    o.camera_share = 0.5f;
    for (uint64_t seed = 0; seed < 50; ++seed) {
        ClipSpec s = random_clip_spec(seed, o);
        ck_assert_int_eq(int(s.kind), int(ClipKind::Object));
        ck_assert_int_ne(int(s.background.kind), int(BackgroundKind::Photo));
    }
    o.camera_share = 1;
    try {
        random_clip_spec(1, o);
        ck_abort_msg("camera clips without photos accepted");
    } catch (const Error &e) {
        ck_assert_int_eq(e.status(), ARTV_ERR_INVALID_ARGUMENT);
    }
    // The eval split draws only eval photos.
    o.photos = test_photos();
    o.photo_split = PhotoSplit::Eval;
    for (uint64_t seed = 0; seed < 10; ++seed) ck_assert_int_eq(random_clip_spec(seed, o).background.photo, 1);
    // A photo list with a missing file warns and skips it.
    std::string list = scratch_dir() + "/photos.jsonl";
    FILE *f = std::fopen(list.c_str(), "w");
    std::fprintf(f, "# comment\n{\"path\": \"pattern.png\", \"subject\": \"a pattern\"}\n"
                    "{\"path\": \"missing.jpg\", \"subject\": \"nothing\", \"split\": \"eval\"}\n");
    std::fclose(f);
    auto lib = PhotoLibrary::from_list(list);
    ck_assert_int_eq(int(lib->size()), 1);
    ck_assert_int_eq(int(lib->warnings().size()), 1);
    ck_assert(lib->warnings()[0].find("photos.jsonl:3") != std::string::npos);
    ck_assert_int_eq(lib->image(0).width, 300);
    f = std::fopen(list.c_str(), "w");
    std::fprintf(f, "{\"path\": \"pattern.png\"}\n");
    std::fclose(f);
    try {
        PhotoLibrary::from_list(list);
        ck_abort_msg("photo list line without subject accepted");
    } catch (const Error &e) {
        ck_assert_int_eq(e.status(), ARTV_ERR_FORMAT);
        ck_assert(std::string(e.what()).find("photos.jsonl:1") != std::string::npos);
    }
    // A number beyond double's range and a split that is not a string: errors naming the line.
    for (const char *line : {"{\"path\": \"pattern.png\", \"subject\": \"p\", \"x\": 1e999}\n",
                             "{\"path\": \"pattern.png\", \"subject\": \"p\", \"split\": 5}\n"}) {
        f = std::fopen(list.c_str(), "w");
        std::fputs(line, f);
        std::fclose(f);
        try {
            PhotoLibrary::from_list(list);
            ck_abort_msg("photo list line accepted: %s", line);
        } catch (const Error &e) {
            ck_assert_int_eq(e.status(), ARTV_ERR_FORMAT);
            ck_assert(std::string(e.what()).find("photos.jsonl:1") != std::string::npos);
        }
    }
}
END_TEST

// The shipped photo list (data/photos.jsonl) with the photos of opencv-doc/python3-imageio.
START_TEST(shipped_photo_list) {
    std::string list = PhotoLibrary::default_list_path(ARTV_TEST_SRCDIR());
    ck_assert_msg(access(list.c_str(), R_OK) == 0, "%s missing (ARTV_SRCDIR?)", list.c_str());
    auto lib = PhotoLibrary::from_list(list);
    if (lib->size() == 0) {
        std::printf("shipped_photo_list: no photo of data/photos.jsonl installed, skipped\n");
        return;
    }
    ck_assert_int_gt(int(lib->indices(PhotoSplit::Train).size()), 0);
    RendererOptions o;  // the defaults: 128×128×16
    o.photos = lib;
    o.camera_share = 1;
    RenderedClip c = render_random_clip(5, o);
    ck_assert_int_eq(int(c.frames.size()), 16);
    ck_assert_int_eq(c.frames[0].width, 128);
}
END_TEST

static Suite *renderer_suite(void) {
    Suite *s = suite_create("renderer");
    TCase *tc = tcase_create("core");
    tcase_set_timeout(tc, 120);
    tcase_add_checked_fixture(tc, nullptr, artv_test::remove_scratch_dir);
    tcase_add_test(tc, deterministic_by_seed);
    tcase_add_test(tc, object_colour_at_centre);
    tcase_add_test(tc, straight_motion_by_centroid);
    tcase_add_test(tc, other_object_motions);
    tcase_add_test(tc, camera_pans_and_tilts);
    tcase_add_test(tc, camera_speed_range);
    tcase_add_test(tc, camera_zooms);
    tcase_add_test(tc, caption_vocabulary_is_closed);
    tcase_add_test(tc, options_and_errors);
    tcase_add_test(tc, shipped_photo_list);
    tcase_add_test(tc, photo_augment);
    suite_add_tcase(s, tc);
    return s;
}

ARTV_TEST_MAIN(renderer_suite)
