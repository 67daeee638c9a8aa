#include "data/clip_spec.h"

#include <algorithm>
#include <cmath>
#include <numbers>
#include <cstring>
#include <set>
#include <sstream>

#include "data/photo_library.h"
#include "data/rng.h"
#include "util/error.h"

namespace artv {

namespace {

constexpr float kSqrtHalf = 0.70710678f;

struct MotionWords {
    const char *name, *phrase;
    float dx, dy;
};
const MotionWords kObjectMotions[kObjectMotionCount] = {
    {"still", "standing still", 0, 0},
    {"left", "moving left", -1, 0},
    {"right", "moving right", 1, 0},
    {"up", "moving up", 0, -1},
    {"down", "moving down", 0, 1},
    {"up_left", "moving up and left", -kSqrtHalf, -kSqrtHalf},
    {"up_right", "moving up and right", kSqrtHalf, -kSqrtHalf},
    {"down_left", "moving down and left", -kSqrtHalf, kSqrtHalf},
    {"down_right", "moving down and right", kSqrtHalf, kSqrtHalf},
    {"bouncing", "bouncing around", 0, 0},
    {"growing", "growing", 0, 0},
    {"shrinking", "shrinking", 0, 0},
    {"rotating", "rotating", 0, 0},
};
// Content direction: pan left → the content slides right (see clip_spec.h).
const MotionWords kCameraMotions[kCameraMotionCount] = {
    {"still", "a still photo", 0, 0},
    {"pan_left", "camera pans left over a photo", 1, 0},
    {"pan_right", "camera pans right over a photo", -1, 0},
    {"tilt_up", "camera tilts up over a photo", 0, 1},
    {"tilt_down", "camera tilts down over a photo", 0, -1},
    {"zoom_in", "camera zooms in on a photo", 0, 0},
    {"zoom_out", "camera zooms out from a photo", 0, 0},
};
const char *const kShapeNames[kShapeCount] = {"square", "circle", "triangle", "diamond"};
const char *const kColourNames[kColourCount] = {"red", "green", "blue", "yellow", "orange",
                                                "purple", "white", "black", "gray"};
const Rgb kPalette[kColourCount] = {{220, 30, 30},  {30, 170, 50},   {40, 70, 220},
                                    {240, 220, 40}, {245, 140, 20},  {140, 50, 180},
                                    {245, 245, 245}, {15, 15, 15},   {128, 128, 128}};
const char *const kBackgroundNames[kBackgroundKindCount] = {"flat", "gradient", "texture", "photo"};

// Object colours closer than this (Euclidean RGB) to the background are not drawn on it.
constexpr double kMinColourDistance = 150;

template <class E>
size_t index_of(E e, size_t count) {
    size_t i = size_t(e);
    if (i >= count) throw_invalid("enum value out of range");
    return i;
}

template <class E>
std::vector<E> all_of(int count) {
    std::vector<E> v;
    for (int i = 0; i < count; ++i) v.push_back(E(i));
    return v;
}

template <class T>
const T &pick(Rng &rng, const std::vector<T> &v) {
    return v[rng.below(v.size())];
}

double colour_distance(const Rgb &a, const Rgb &b) {
    double d = 0;
    for (int i = 0; i < 3; ++i) d += double(int(a[i]) - int(b[i])) * double(int(a[i]) - int(b[i]));
    return std::sqrt(d);
}

// An object colour far from every background colour in `refs`: drawn uniformly among those at
// least kMinColourDistance away, else the farthest one.
Colour distinct_colour(Rng &rng, const std::vector<Colour> &allowed, const std::vector<Rgb> &refs) {
    std::vector<Colour> ok;
    Colour best = allowed.front();
    double best_d = -1;
    for (Colour c : allowed) {
        double d = 1e9;
        for (const Rgb &r : refs) d = std::min(d, colour_distance(colour_rgb(c), r));
        if (d >= kMinColourDistance) ok.push_back(c);
        if (d > best_d) best_d = d, best = c;
    }
    return ok.empty() ? best : pick(rng, ok);
}

// Mean colour of the part of a photo a crop shows (sampled on a grid).
// RendererOptions::photo_augment's draws for a photo background.
void draw_photo_augment(Rng &rng, const RendererOptions &o, BackgroundSpec &b) {
    if (!o.photo_augment) return;
    b.photo_mirror = rng.chance(0.5);
    b.photo_channels = int(rng.below(6));
}

Rgb photo_region_mean(const Frame &img, float scale, float x0, float y0, int w, int h) {
    double sum[3] = {0, 0, 0};
    int n = 0;
    for (int gy = 0; gy < 16; ++gy)
        for (int gx = 0; gx < 16; ++gx) {
            int x = std::clamp(int((x0 + (gx + 0.5f) * w / 16) / scale), 0, img.width - 1);
            int y = std::clamp(int((y0 + (gy + 0.5f) * h / 16) / scale), 0, img.height - 1);
            const uint8_t *p = img.pixel(x, y);
            for (int c = 0; c < 3; ++c) sum[c] += p[c];
            ++n;
        }
    return Rgb{uint8_t(sum[0] / n), uint8_t(sum[1] / n), uint8_t(sum[2] / n)};
}

// "an orange", "a red".
const char *article_for(const char *word) {
    return std::strchr("aeiou", word[0]) ? "an" : "a";
}

}  // namespace

const char *shape_name(Shape s) { return kShapeNames[index_of(s, kShapeCount)]; }
const char *colour_name(Colour c) { return kColourNames[index_of(c, kColourCount)]; }
Rgb colour_rgb(Colour c) { return kPalette[index_of(c, kColourCount)]; }
const char *object_motion_phrase(ObjectMotion m) { return kObjectMotions[index_of(m, kObjectMotionCount)].phrase; }
const char *camera_motion_phrase(CameraMotion m) { return kCameraMotions[index_of(m, kCameraMotionCount)].phrase; }
const char *object_motion_name(ObjectMotion m) { return kObjectMotions[index_of(m, kObjectMotionCount)].name; }
const char *camera_motion_name(CameraMotion m) { return kCameraMotions[index_of(m, kCameraMotionCount)].name; }
const char *background_kind_name(BackgroundKind b) { return kBackgroundNames[index_of(b, kBackgroundKindCount)]; }

namespace {

template <class E>
E motion_named(const char *what, const std::string &name, int count, const char *(*name_of)(E)) {
    std::string known;
    for (int i = 0; i < count; ++i) {
        if (name == name_of(E(i))) return E(i);
        known += std::string(i ? ", " : "") + name_of(E(i));
    }
    throw_invalid(std::string(what) + " \"" + name + "\" is not one of: " + known);
}

}  // namespace

ObjectMotion object_motion_named(const std::string &name) {
    return motion_named("object motion", name, kObjectMotionCount, object_motion_name);
}
CameraMotion camera_motion_named(const std::string &name) {
    return motion_named("camera motion", name, kCameraMotionCount, camera_motion_name);
}
Colour colour_named(const std::string &name) { return motion_named("colour", name, kColourCount, colour_name); }

const char *photo_split_name(PhotoSplit s) {
    return s == PhotoSplit::Train ? "train" : s == PhotoSplit::Eval ? "eval" : "all";
}

PhotoSplit photo_split_named(const std::string &name) {
    return motion_named("photo split", name, 2, photo_split_name);  // Train, Eval
}

std::array<float, 2> object_motion_direction(ObjectMotion m) {
    const MotionWords &w = kObjectMotions[index_of(m, kObjectMotionCount)];
    return {w.dx, w.dy};
}

std::array<float, 2> camera_content_direction(CameraMotion m) {
    const MotionWords &w = kCameraMotions[index_of(m, kCameraMotionCount)];
    return {w.dx, w.dy};
}

std::string caption_of(const ClipSpec &spec, const PhotoLibrary *photos) {
    auto photo_subject = [&](int photo) -> std::string {
        if (!photos || photo < 0 || size_t(photo) >= photos->size()) return "";
        return photos->entry(size_t(photo)).subject;
    };
    std::string c;
    if (spec.kind == ClipKind::Camera) {
        c = camera_motion_phrase(spec.camera);
        std::string subject = photo_subject(spec.background.photo);
        if (spec.mention_subject && !subject.empty()) c += " of " + subject;
        return c;
    }
    c = std::string(article_for(colour_name(spec.colour))) + " " + colour_name(spec.colour) + " " +
        shape_name(spec.shape) + " " + object_motion_phrase(spec.motion);
    if (!spec.mention_background) return c;
    const BackgroundSpec &b = spec.background;
    switch (b.kind) {
    case BackgroundKind::Flat:
        c += std::string(" on ") + article_for(colour_name(b.colour)) + " " + colour_name(b.colour) + " background";
        break;
    case BackgroundKind::Gradient: c += " on a gradient background"; break;
    case BackgroundKind::Texture: c += " on a textured background"; break;
    case BackgroundKind::Photo: {
        c += " on a photo";
        std::string subject = photo_subject(b.photo);
        if (spec.mention_subject && !subject.empty()) c += " of " + subject;
        break;
    }
    }
    return c;
}

std::vector<std::string> caption_vocabulary(const PhotoLibrary *photos) {
    std::set<std::string> words;
    auto add = [&](const std::string &text) {
        std::istringstream in(text);
        std::string w;
        while (in >> w) words.insert(w);
    };
    for (const char *n : kShapeNames) add(n);
    for (const char *n : kColourNames) add(n);
    for (const auto &m : kObjectMotions) add(m.phrase);
    for (const auto &m : kCameraMotions) add(m.phrase);
    add("a an on of background gradient textured photo");
    if (photos)
        for (size_t i = 0; i < photos->size(); ++i) add(photos->entry(i).subject);
    return {words.begin(), words.end()};
}

ClipSpec random_clip_spec(uint64_t seed, const RendererOptions &o) {
    if (o.width < 16 || o.height < 16 || o.frames < 1)
        throw_invalid("renderer: size must be at least 16x16 and frames at least 1");
    if (!(o.min_speed >= 0 && o.max_speed >= o.min_speed))
        throw_invalid("renderer: need 0 <= min_speed <= max_speed");
    if (o.has_camera_speed_range() && !(o.min_camera_speed > 0 && o.max_camera_speed >= o.min_camera_speed))
        throw_invalid("renderer: need 0 < min_camera_speed <= max_camera_speed (or both 0)");
    if (!(o.min_object_size > 0 && o.max_object_size >= o.min_object_size && o.max_object_size < 0.8f))
        throw_invalid("renderer: need 0 < min_object_size <= max_object_size < 0.8");
    Rng rng(seed);
    ClipSpec s;
    s.width = o.width;
    s.height = o.height;
    s.frames = o.frames;
    s.fps = o.fps;
    const float W = float(o.width), H = float(o.height), short_side = float(std::min(o.width, o.height));
    const float steps = float(std::max(1, o.frames - 1));

    std::vector<int> photo_ids = o.photos ? o.photos->indices(o.photo_split) : std::vector<int>{};
    bool have_photos = !photo_ids.empty();
    auto shapes = o.shapes.empty() ? all_of<Shape>(kShapeCount) : o.shapes;
    auto colours = o.colours.empty() ? all_of<Colour>(kColourCount) : o.colours;
    auto bg_colours = o.background_colours.empty() ? all_of<Colour>(kColourCount) : o.background_colours;
    auto object_motions = o.object_motions.empty() ? all_of<ObjectMotion>(kObjectMotionCount) : o.object_motions;
    auto camera_motions = o.camera_motions.empty() ? all_of<CameraMotion>(kCameraMotionCount) : o.camera_motions;
    auto backgrounds = o.backgrounds.empty() ? all_of<BackgroundKind>(kBackgroundKindCount) : o.backgrounds;
    if (!have_photos) {
        std::erase(backgrounds, BackgroundKind::Photo);
        if (backgrounds.empty()) {
            if (!o.backgrounds.empty())
                throw_invalid("renderer: only photo backgrounds were asked for, and there are no photos");
            backgrounds.push_back(BackgroundKind::Flat);
        }
        if (o.camera_share >= 1)
            throw_invalid("renderer: camera clips need photos (data/photos.jsonl; scripts/fetch-data.sh)");
    }

    bool camera = have_photos && rng.chance(o.camera_share);
    s.mention_background = rng.chance(o.mention_background_prob);
    s.mention_subject = rng.chance(o.mention_subject_prob);
    // One draw places the clip in whichever speed range applies (rng.uniform(lo, hi) is
    // lo + (hi - lo) * u, so clips without a camera range are the same as before it existed).
    const double speed_u = rng.uniform();
    s.speed = float(o.min_speed + (o.max_speed - o.min_speed) * speed_u);

    if (camera) {
        s.kind = ClipKind::Camera;
        s.camera = pick(rng, camera_motions);
        BackgroundSpec &b = s.background;
        b.kind = BackgroundKind::Photo;
        b.photo = pick(rng, photo_ids);
        const Frame &img = o.photos->image(size_t(b.photo));
        const float pw = float(img.width), ph = float(img.height);
        const auto [lo, hi] = o.camera_speed_range();
        s.speed = float(lo + (hi - lo) * speed_u);
        s.camera_speed = s.speed;
        float travel = s.camera_speed * steps;
        bool pan = s.camera == CameraMotion::PanLeft || s.camera == CameraMotion::PanRight;
        bool tilt = s.camera == CameraMotion::TiltUp || s.camera == CameraMotion::TiltDown;
        // The scaled photo shows more than the frame (1.25× its long side on the photo's short
        // side), and always leaves room for the whole pan or tilt.
        float scale = 1.25f * std::max(W, H) / std::min(pw, ph);
        scale = std::max({scale, (W + (pan ? travel : 0)) / pw, (H + (tilt ? travel : 0)) / ph});
        b.photo_scale = scale;
        const float sw = pw * scale, sh = ph * scale;
        float x_lo = 0, x_hi = sw - W, y_lo = 0, y_hi = sh - H;
        if (s.camera == CameraMotion::PanLeft) x_lo += travel;   // the view moves left
        if (s.camera == CameraMotion::PanRight) x_hi -= travel;
        if (s.camera == CameraMotion::TiltUp) y_lo += travel;
        if (s.camera == CameraMotion::TiltDown) y_hi -= travel;
        b.photo_x = float(rng.uniform(x_lo, std::max(x_lo, x_hi)));
        b.photo_y = float(rng.uniform(y_lo, std::max(y_lo, y_hi)));
        draw_photo_augment(rng, o, b);
        float rate = float(rng.uniform(o.min_zoom_rate, o.max_zoom_rate));
        if (s.camera == CameraMotion::ZoomIn) {
            s.zoom0 = 1;
            s.zoom_rate = rate;
        } else if (s.camera == CameraMotion::ZoomOut) {
            s.zoom0 = std::pow(rate, steps);
            s.zoom_rate = 1 / rate;
        }
        return s;
    }

    s.kind = ClipKind::Object;
    s.motion = pick(rng, object_motions);
    std::vector<Shape> shape_choices = shapes;
    if (s.motion == ObjectMotion::Rotating) {  // a rotating circle looks still
        std::erase(shape_choices, Shape::Circle);
        if (shape_choices.empty()) shape_choices = shapes;
    }
    s.shape = pick(rng, shape_choices);

    // Background, then an object colour that stands out from it.
    BackgroundSpec &b = s.background;
    b.kind = pick(rng, backgrounds);
    b.seed = rng.next();
    b.colour = pick(rng, bg_colours);
    std::vector<Colour> second = bg_colours;
    if (second.size() > 1) std::erase(second, b.colour);
    b.colour2 = pick(rng, second);
    b.angle = float(rng.uniform(0, 2 * std::numbers::pi));
    std::vector<Rgb> refs;
    if (b.kind == BackgroundKind::Photo) {
        b.photo = pick(rng, photo_ids);
        const Frame &img = o.photos->image(size_t(b.photo));
        b.photo_scale = std::max(W / img.width, H / img.height) * float(rng.uniform(1.0, 1.6));
        b.photo_x = float(rng.uniform(0, std::max(0.0f, img.width * b.photo_scale - W)));
        b.photo_y = float(rng.uniform(0, std::max(0.0f, img.height * b.photo_scale - H)));
        draw_photo_augment(rng, o, b);
        // The region's mean in the photo as drawn: mirrored back, channels reordered.
        const float x = b.photo_mirror ? img.width * b.photo_scale - W - b.photo_x : b.photo_x;
        const Rgb in = photo_region_mean(img, b.photo_scale, std::max(0.0f, x), b.photo_y, o.width, o.height);
        const int *order = kChannelOrders[b.photo_channels];
        refs.push_back(Rgb{in[order[0]], in[order[1]], in[order[2]]});
    } else {
        refs.push_back(colour_rgb(b.colour));
        if (b.kind == BackgroundKind::Gradient) refs.push_back(colour_rgb(b.colour2));
    }
    s.colour = distinct_colour(rng, colours, refs);

    // Size and path: the whole object stays inside the frame for the whole clip.
    s.size = float(rng.uniform(o.min_object_size, o.max_object_size)) * short_side;
    float end_size = s.size;
    if (s.motion == ObjectMotion::Growing || s.motion == ObjectMotion::Shrinking) {
        float small = float(rng.uniform(0.10, 0.16)) * short_side;
        float large = float(rng.uniform(0.40, 0.55)) * short_side;
        bool grow = s.motion == ObjectMotion::Growing;
        s.size = grow ? small : large;
        end_size = grow ? large : small;
        s.size_rate = std::pow(end_size / s.size, 1.0f / steps);
    }
    if (s.motion == ObjectMotion::Rotating) {
        s.angle_rate = float(rng.uniform(6, 12)) * (rng.chance(0.5) ? 1.0f : -1.0f);
        s.angle0 = float(rng.uniform(0, 90));
    }
    // Largest distance of the shape from its centre, over any rotation (renderer.cpp's
    // shape geometry: circumradius factors up to 1.35).
    const float extent = 0.5f * std::max(s.size, end_size) * 1.35f;
    const float x_room = std::max(0.0f, W - 2 * extent), y_room = std::max(0.0f, H - 2 * extent);
    auto dir = object_motion_direction(s.motion);
    if (dir[0] != 0 || dir[1] != 0) {
        if (dir[0] != 0) s.speed = std::min(s.speed, x_room / (std::fabs(dir[0]) * steps));
        if (dir[1] != 0) s.speed = std::min(s.speed, y_room / (std::fabs(dir[1]) * steps));
        float lx = dir[0] * s.speed * steps, ly = dir[1] * s.speed * steps;
        float x_lo = extent + std::max(0.0f, -lx), x_hi = W - extent - std::max(0.0f, lx);
        float y_lo = extent + std::max(0.0f, -ly), y_hi = H - extent - std::max(0.0f, ly);
        s.start_x = x_hi >= x_lo ? float(rng.uniform(x_lo, x_hi)) : W / 2;
        s.start_y = y_hi >= y_lo ? float(rng.uniform(y_lo, y_hi)) : H / 2;
    } else {
        s.start_x = x_room > 0 ? float(rng.uniform(extent, W - extent)) : W / 2;
        s.start_y = y_room > 0 ? float(rng.uniform(extent, H - extent)) : H / 2;
    }
    if (s.motion == ObjectMotion::Bouncing) {
        // A direction 20°..70° off the axes, in any quadrant, so that it bounces visibly.
        double a = rng.uniform(20, 70) * std::numbers::pi / 180 + double(rng.below(4)) * std::numbers::pi / 2;
        s.bounce_dx = float(std::cos(a));
        s.bounce_dy = float(std::sin(a));
    }
    if (s.motion != ObjectMotion::Bouncing && (dir[0] == 0 && dir[1] == 0)) s.speed = 0;
    return s;
}

}  // namespace artv
