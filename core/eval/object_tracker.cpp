#include "eval/object_tracker.h"

#include <algorithm>
#include <cmath>
#include <string>

#include "util/error.h"

namespace artv {

namespace {

double pixel_distance(const uint8_t *a, const uint8_t *b) {
    double d = 0;
    for (int c = 0; c < 3; ++c) d += double(int(a[c]) - int(b[c])) * double(int(a[c]) - int(b[c]));
    return std::sqrt(d);
}

Colour nearest_palette_colour_u8(const uint8_t *p) {
    return nearest_palette_colour({double(p[0]), double(p[1]), double(p[2])});
}

// The largest 8-connected component of `mask` measured in `frame`; found per the area bounds.
ObjectObservation largest_component(const Frame &frame, const std::vector<uint8_t> &mask,
                                    double expected_area, const TrackerOptions &o) {
    const int w = frame.width, h = frame.height;
    std::vector<int> label(mask.size(), -1), stack, best;
    std::vector<int> members;
    for (size_t start = 0; start < mask.size(); ++start) {
        if (!mask[start] || label[start] >= 0) continue;
        members.clear();
        stack.assign(1, int(start));
        label[start] = int(start);
        while (!stack.empty()) {
            const int i = stack.back();
            stack.pop_back();
            members.push_back(i);
            const int x = i % w, y = i / w;
            for (int dy = -1; dy <= 1; ++dy)
                for (int dx = -1; dx <= 1; ++dx) {
                    const int nx = x + dx, ny = y + dy;
                    if (nx < 0 || ny < 0 || nx >= w || ny >= h) continue;
                    const size_t j = size_t(ny) * size_t(w) + size_t(nx);
                    if (mask[j] && label[j] < 0) label[j] = int(start), stack.push_back(int(j));
                }
        }
        if (members.size() > best.size()) best = members;
    }
    ObjectObservation obs;
    obs.area = double(best.size());
    if (best.empty()) return obs;
    std::array<std::vector<uint8_t>, 3> channels;
    for (int i : best) {
        obs.cx += i % w + 0.5;
        obs.cy += i / w + 0.5;
        const uint8_t *p = frame.rgb.data() + 3 * size_t(i);
        for (size_t c = 0; c < 3; ++c) channels[c].push_back(p[c]);
    }
    obs.cx /= obs.area;
    obs.cy /= obs.area;
    for (size_t c = 0; c < 3; ++c) {
        auto mid = channels[c].begin() + ptrdiff_t(channels[c].size() / 2);
        std::nth_element(channels[c].begin(), mid, channels[c].end());
        obs.colour[c] = *mid;
    }
    obs.found = obs.area >= o.min_area_ratio * expected_area && obs.area <= o.max_area_ratio * expected_area;
    return obs;
}

void check_background(const Frame &frame, const Frame &background) {
    if (background.width != frame.width || background.height != frame.height)
        throw_invalid("object tracker: the background is " + std::to_string(background.width) + "x" +
                      std::to_string(background.height) + ", the frame " + std::to_string(frame.width) +
                      "x" + std::to_string(frame.height));
}

}  // namespace

Colour nearest_palette_colour(const MeanRgb &rgb) {
    Colour best = Colour::Red;
    double best_d = 1e300;
    for (int i = 0; i < kColourCount; ++i) {
        const Rgb p = colour_rgb(Colour(i));
        const double d = colour_distance(rgb, {double(p[0]), double(p[1]), double(p[2])});
        if (d < best_d) best_d = d, best = Colour(i);
    }
    return best;
}

ObjectObservation find_object_by_colour(const Frame &frame, Colour colour, double expected_area,
                                        const Frame *background, const TrackerOptions &o) {
    if (background) check_background(frame, *background);
    const size_t n = size_t(frame.width) * size_t(frame.height);
    std::vector<uint8_t> mask(n, 0);
    for (size_t i = 0; i < n; ++i) {
        const uint8_t *p = frame.rgb.data() + 3 * i;
        if (nearest_palette_colour_u8(p) != colour) continue;
        if (background && pixel_distance(p, background->rgb.data() + 3 * i) <= o.background_margin) continue;
        mask[i] = 1;
    }
    return largest_component(frame, mask, expected_area, o);
}

ObjectObservation find_object_by_difference(const Frame &frame, const Frame &background,
                                            double expected_area, const TrackerOptions &o) {
    check_background(frame, background);
    const size_t n = size_t(frame.width) * size_t(frame.height);
    std::vector<uint8_t> mask(n, 0);
    for (size_t i = 0; i < n; ++i)
        mask[i] = pixel_distance(frame.rgb.data() + 3 * i, background.rgb.data() + 3 * i) > o.background_margin;
    return largest_component(frame, mask, expected_area, o);
}

Frame object_background(const ClipSpec &spec, const PhotoLibrary *photos) {
    ClipSpec s = spec;
    s.kind = ClipKind::Object;
    s.frames = 1;
    s.motion = ObjectMotion::Still;
    s.size = 1e-3f;
    s.size_rate = 1;
    return render_clip(s, photos).frames.front();
}

Frame temporal_median(const std::vector<Frame> &frames) {
    if (frames.empty()) throw_invalid("temporal median of no frames");
    Frame out(frames[0].width, frames[0].height);
    std::vector<uint8_t> values(frames.size());
    for (const Frame &f : frames) check_background(f, out);
    for (size_t i = 0; i < out.rgb.size(); ++i) {
        for (size_t k = 0; k < frames.size(); ++k) values[k] = frames[k].rgb[i];
        auto mid = values.begin() + ptrdiff_t(values.size() / 2);
        std::nth_element(values.begin(), mid, values.end());
        out.rgb[i] = *mid;
    }
    return out;
}

}  // namespace artv
