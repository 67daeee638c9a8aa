#include "data/renderer.h"

#include <algorithm>
#include <cmath>
#include <numbers>

#include "data/photo_library.h"
#include "data/rng.h"
#include "util/error.h"

namespace artv {

namespace {

// Shape geometry, r = size/2. Squares and diamonds have the circle's area; the triangle
// (circumradius 1.35 r) a bit less, so that no shape reaches beyond 1.35 r from its centre
// (random_clip_spec keeps that much room to the frame's edges).
constexpr float kSquareHalf = 0.886f;   // half side / r
constexpr float kDiamondHalf = 1.253f;  // half diagonal / r
constexpr float kTriangleR = 1.35f;     // circumradius / r
constexpr float kExtent = 1.35f;

bool inside_shape(Shape shape, float lx, float ly, float r) {
    switch (shape) {
    case Shape::Circle: return lx * lx + ly * ly <= r * r;
    case Shape::Square: return std::fabs(lx) <= kSquareHalf * r && std::fabs(ly) <= kSquareHalf * r;
    case Shape::Diamond: return std::fabs(lx) + std::fabs(ly) <= kDiamondHalf * r;
    case Shape::Triangle: {
        // Equilateral, apex up (−y), centroid at the origin: inside when the distance along
        // each edge's outward normal is at most the inradius R/2.
        const float h = 0.5f * kTriangleR * r, c = 0.8660254f;
        return ly <= h && (-c * lx - 0.5f * ly) <= h && (c * lx - 0.5f * ly) <= h;
    }
    }
    return false;
}

// Bilinear sample of `img` at continuous pixel coordinates (pixel centres at integers),
// clamped at the edges.
void sample_bilinear(const Frame &img, float x, float y, uint8_t *out) {
    x = std::clamp(x, 0.0f, float(img.width - 1));
    y = std::clamp(y, 0.0f, float(img.height - 1));
    int x0 = int(x), y0 = int(y);
    int x1 = std::min(x0 + 1, img.width - 1), y1 = std::min(y0 + 1, img.height - 1);
    float fx = x - x0, fy = y - y0;
    const uint8_t *a = img.pixel(x0, y0), *b = img.pixel(x1, y0), *c = img.pixel(x0, y1),
                  *d = img.pixel(x1, y1);
    for (int k = 0; k < 3; ++k) {
        float top = a[k] + (b[k] - a[k]) * fx, bottom = c[k] + (d[k] - c[k]) * fx;
        out[k] = uint8_t(std::lround(top + (bottom - top) * fy));
    }
}

// The photo scaled by spec.photo_scale (area filter when shrinking, bicubic when enlarging),
// then mirrored and its channels reordered as the spec says.
Frame scaled_photo(const BackgroundSpec &b, const PhotoLibrary *photos) {
    if (!photos || b.photo < 0 || size_t(b.photo) >= photos->size())
        throw_invalid("renderer: the clip needs photo " + std::to_string(b.photo) + " and no such photo is loaded");
    if (b.photo_channels < 0 || b.photo_channels >= 6)
        throw_invalid("renderer: photo_channels " + std::to_string(b.photo_channels) + " is not in 0..5");
    const Frame &img = photos->image(size_t(b.photo));
    int w = std::max(1, int(std::ceil(img.width * b.photo_scale)));
    int h = std::max(1, int(std::ceil(img.height * b.photo_scale)));
    Frame scaled = resize_frame(img, w, h, b.photo_scale < 1 ? ResizeFilter::Area : ResizeFilter::Bicubic);
    if (!b.photo_mirror && b.photo_channels == 0) return scaled;
    Frame out(w, h);
    const int *order = kChannelOrders[b.photo_channels];
    for (int y = 0; y < h; ++y)
        for (int x = 0; x < w; ++x) {
            const uint8_t *p = scaled.pixel(b.photo_mirror ? w - 1 - x : x, y);
            uint8_t *q = out.pixel(x, y);
            for (int c = 0; c < 3; ++c) q[c] = p[order[c]];
        }
    return out;
}

// Smooth value noise in [-1, 1]: three octaves of bilinearly interpolated random lattices.
std::vector<float> value_noise(int w, int h, uint64_t seed) {
    std::vector<float> out(size_t(w) * size_t(h), 0.0f);
    Rng rng(seed);
    float amplitude = 0.55f, total = 0;
    for (int cell : {24, 10, 4}) {
        int gw = w / cell + 2, gh = h / cell + 2;
        std::vector<float> grid(size_t(gw) * size_t(gh));
        for (float &g : grid) g = float(rng.uniform(-1, 1));
        for (int y = 0; y < h; ++y)
            for (int x = 0; x < w; ++x) {
                float gx = float(x) / cell, gy = float(y) / cell;
                int x0 = int(gx), y0 = int(gy);
                float fx = gx - x0, fy = gy - y0;
                fx = fx * fx * (3 - 2 * fx);  // smoothstep: no lattice creases
                fy = fy * fy * (3 - 2 * fy);
                auto at = [&](int i, int j) { return grid[size_t(j) * size_t(gw) + size_t(i)]; };
                float top = at(x0, y0) + (at(x0 + 1, y0) - at(x0, y0)) * fx;
                float bot = at(x0, y0 + 1) + (at(x0 + 1, y0 + 1) - at(x0, y0 + 1)) * fx;
                out[size_t(y) * size_t(w) + size_t(x)] += amplitude * (top + (bot - top) * fy);
            }
        total += amplitude;
        amplitude *= 0.5f;
    }
    for (float &v : out) v /= total;
    return out;
}

Frame render_background(const ClipSpec &s, const PhotoLibrary *photos) {
    const BackgroundSpec &b = s.background;
    const int W = s.width, H = s.height;
    Rgb c1 = colour_rgb(b.colour), c2 = colour_rgb(b.colour2);
    switch (b.kind) {
    case BackgroundKind::Flat: return Frame(W, H, c1[0], c1[1], c1[2]);
    case BackgroundKind::Gradient: {
        Frame f(W, H);
        float ca = std::cos(b.angle), sa = std::sin(b.angle);
        float half = 0.5f * (std::fabs(W * ca) + std::fabs(H * sa));
        for (int y = 0; y < H; ++y)
            for (int x = 0; x < W; ++x) {
                float t = 0.5f + ((x + 0.5f - W / 2.0f) * ca + (y + 0.5f - H / 2.0f) * sa) / (2 * half);
                uint8_t *p = f.pixel(x, y);
                for (int k = 0; k < 3; ++k) p[k] = uint8_t(std::lround(c1[k] + (c2[k] - c1[k]) * t));
            }
        return f;
    }
    case BackgroundKind::Texture: {
        Frame f(W, H);
        std::vector<float> lum = value_noise(W, H, b.seed), tint = value_noise(W, H, b.seed ^ 0x5bd1e995u);
        for (int y = 0; y < H; ++y)
            for (int x = 0; x < W; ++x) {
                size_t i = size_t(y) * size_t(W) + size_t(x);
                uint8_t *p = f.pixel(x, y);
                for (int k = 0; k < 3; ++k) {
                    // Luminance noise of ±45 levels and a little chroma noise around the tint.
                    float v = c1[k] + 45 * lum[i] + 12 * tint[i] * (k == 1 ? -1 : 1);
                    p[k] = uint8_t(std::clamp(std::lround(v), 0L, 255L));
                }
            }
        return f;
    }
    case BackgroundKind::Photo: {
        Frame scaled = scaled_photo(b, photos);
        int x = std::clamp(int(std::lround(b.photo_x)), 0, std::max(0, scaled.width - W));
        int y = std::clamp(int(std::lround(b.photo_y)), 0, std::max(0, scaled.height - H));
        if (scaled.width < W || scaled.height < H) scaled = resize_cover(scaled, W, H), x = y = 0;
        return crop_frame(scaled, x, y, W, H);
    }
    }
    throw_invalid("renderer: unknown background kind");
}

// Draws the shape with 4×4 supersampled coverage (sub-pixel motion stays smooth).
void draw_object(Frame &f, Shape shape, const Rgb &rgb, const ObjectState &o) {
    const float r = 0.5f * o.size, ext = kExtent * r + 1;
    const float a = -o.angle * std::numbers::pi_v<float> / 180, ca = std::cos(a), sa = std::sin(a);
    int x0 = std::max(0, int(std::floor(o.cx - ext))), x1 = std::min(f.width - 1, int(std::ceil(o.cx + ext)));
    int y0 = std::max(0, int(std::floor(o.cy - ext))), y1 = std::min(f.height - 1, int(std::ceil(o.cy + ext)));
    for (int y = y0; y <= y1; ++y)
        for (int x = x0; x <= x1; ++x) {
            int hits = 0;
            for (int sy = 0; sy < 4; ++sy)
                for (int sx = 0; sx < 4; ++sx) {
                    float px = x + (sx + 0.5f) / 4 - o.cx, py = y + (sy + 0.5f) / 4 - o.cy;
                    float lx = ca * px - sa * py, ly = sa * px + ca * py;  // into the shape's frame
                    hits += inside_shape(shape, lx, ly, r);
                }
            if (!hits) continue;
            uint8_t *p = f.pixel(x, y);
            for (int k = 0; k < 3; ++k) p[k] = uint8_t((p[k] * (16 - hits) + rgb[k] * hits + 8) / 16);
        }
}

void check_spec(const ClipSpec &s) {
    if (s.width < 1 || s.height < 1 || s.frames < 1 || s.width > 8192 || s.height > 8192 || s.frames > 100000)
        throw_invalid("renderer: clip size " + std::to_string(s.width) + "x" + std::to_string(s.height) + "x" +
                      std::to_string(s.frames) + " out of range");
    if (!(s.size > 0) || !(s.size_rate > 0) || !(s.zoom_rate > 0) || !(s.zoom0 > 0))
        throw_invalid("renderer: size, size_rate, zoom0 and zoom_rate must be positive");
}

}  // namespace

ClipTruth clip_truth(const ClipSpec &s) {
    check_spec(s);
    ClipTruth t;
    t.object_rgb = colour_rgb(s.colour);
    if (s.kind == ClipKind::Camera) {
        auto dir = camera_content_direction(s.camera);
        for (int i = 0; i < s.frames; ++i) {
            CameraState c;
            c.offset_x = dir[0] * s.camera_speed * i;
            c.offset_y = dir[1] * s.camera_speed * i;
            if (s.camera == CameraMotion::ZoomIn || s.camera == CameraMotion::ZoomOut)
                c.zoom = std::pow(s.zoom_rate, float(i));
            t.camera.push_back(c);
        }
        return t;
    }
    auto dir = object_motion_direction(s.motion);
    float px = s.start_x, py = s.start_y;
    float vx = s.speed * s.bounce_dx, vy = s.speed * s.bounce_dy;
    for (int i = 0; i < s.frames; ++i) {
        ObjectState o;
        o.size = s.size * std::pow(s.size_rate, float(i));
        o.angle = s.angle0 + s.angle_rate * i;
        if (s.motion == ObjectMotion::Bouncing) {
            if (i > 0) {  // one step, reflecting off the walls the shape's extent touches
                const float e = kExtent * 0.5f * s.size;
                px += vx;
                py += vy;
                float lo_x = e, hi_x = s.width - e, lo_y = e, hi_y = s.height - e;
                if (hi_x > lo_x) {
                    if (px < lo_x) px = 2 * lo_x - px, vx = -vx;
                    if (px > hi_x) px = 2 * hi_x - px, vx = -vx;
                }
                if (hi_y > lo_y) {
                    if (py < lo_y) py = 2 * lo_y - py, vy = -vy;
                    if (py > hi_y) py = 2 * hi_y - py, vy = -vy;
                }
            }
            o.cx = px;
            o.cy = py;
        } else {
            o.cx = s.start_x + dir[0] * s.speed * i;
            o.cy = s.start_y + dir[1] * s.speed * i;
        }
        t.object.push_back(o);
    }
    return t;
}

RenderedClip render_clip(const ClipSpec &s, const PhotoLibrary *photos) {
    RenderedClip clip;
    clip.spec = s;
    clip.truth = clip_truth(s);
    clip.caption = caption_of(s, photos);
    clip.frames.reserve(size_t(s.frames));
    if (s.kind == ClipKind::Object) {
        Frame background = render_background(s, photos);
        for (const ObjectState &o : clip.truth.object) {
            Frame f = background;
            draw_object(f, s.shape, clip.truth.object_rgb, o);
            clip.frames.push_back(std::move(f));
        }
        return clip;
    }
    // Camera: the view's top-left at frame 0 is (photo_x, photo_y) in the scaled photo; a pan
    // moves it against the content's displacement; a zoom magnifies about the view's centre.
    Frame photo = scaled_photo(s.background, photos);
    const float cx = s.background.photo_x + s.width / 2.0f, cy = s.background.photo_y + s.height / 2.0f;
    for (const CameraState &c : clip.truth.camera) {
        const float z = s.zoom0 * c.zoom;
        const float vx = s.background.photo_x - c.offset_x, vy = s.background.photo_y - c.offset_y;
        Frame f(s.width, s.height);
        for (int y = 0; y < s.height; ++y)
            for (int x = 0; x < s.width; ++x) {
                float px, py;
                if (z == 1.0f) {
                    px = vx + x;
                    py = vy + y;
                } else {
                    px = cx + (x + 0.5f - s.width / 2.0f) / z - 0.5f;
                    py = cy + (y + 0.5f - s.height / 2.0f) / z - 0.5f;
                }
                sample_bilinear(photo, px, py, f.pixel(x, y));
            }
        clip.frames.push_back(std::move(f));
    }
    return clip;
}

RenderedClip render_random_clip(uint64_t seed, const RendererOptions &options) {
    return render_clip(random_clip_spec(seed, options), options.photos.get());
}

}  // namespace artv
