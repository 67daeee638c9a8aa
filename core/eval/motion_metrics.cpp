#include "eval/motion_metrics.h"

#include <algorithm>
#include <cmath>

#include "util/error.h"

namespace artv {

const char *axis_direction_name(AxisDirection d) {
    switch (d) {
    case AxisDirection::Left: return "left";
    case AxisDirection::Right: return "right";
    case AxisDirection::Up: return "up";
    case AxisDirection::Down: return "down";
    case AxisDirection::None: break;
    }
    return "none";
}

AxisDirection dominant_direction(double dx, double dy, double min_travel) {
    const double ax = std::fabs(dx), ay = std::fabs(dy);
    if (ax == ay || std::max(ax, ay) < min_travel) return AxisDirection::None;
    if (ax > ay) return dx > 0 ? AxisDirection::Right : AxisDirection::Left;
    return dy > 0 ? AxisDirection::Down : AxisDirection::Up;
}

AxisDirection axis_direction_of(const std::array<float, 2> &unit) {
    if (unit[0] != 0 && unit[1] != 0) return AxisDirection::None;
    return dominant_direction(unit[0], unit[1], 1e-6);
}

Displacement track_displacement(const std::vector<ObjectObservation> &track) {
    Displacement d;
    double n = 0, st = 0, stt = 0, sx = 0, sy = 0, stx = 0, sty = 0;
    for (size_t i = 0; i < track.size(); ++i) {
        if (!track[i].found) continue;
        const double t = double(i);
        n += 1, st += t, stt += t * t;
        sx += track[i].cx, sy += track[i].cy, stx += t * track[i].cx, sty += t * track[i].cy;
    }
    d.frames_used = int(n);
    const double den = n * stt - st * st;
    if (n < 2 || den <= 0) return d;
    const double span = double(track.size() - 1);
    d.dx = (n * stx - st * sx) / den * span;
    d.dy = (n * sty - st * sy) / den * span;
    return d;
}

bool object_track_correct(const std::vector<ObjectObservation> &track, AxisDirection truth, double min_travel) {
    const Displacement d = track_displacement(track);
    return !track.empty() && 2 * d.frames_used >= int(track.size()) &&
           dominant_direction(d.dx, d.dy, min_travel) == truth;
}

std::vector<Shift> consecutive_shifts(const std::vector<Frame> &frames) {
    std::vector<Shift> out;
    for (size_t i = 1; i < frames.size(); ++i) out.push_back(phase_correlation(frames[i - 1], frames[i]));
    return out;
}

Displacement total_shift(const std::vector<Shift> &shifts) {
    Displacement d;
    for (const Shift &s : shifts) d.dx += s.dx, d.dy += s.dy;
    d.frames_used = int(shifts.size()) + (shifts.empty() ? 0 : 1);
    return d;
}

Displacement clip_motion(const std::vector<Frame> &frames, int stride) {
    if (stride < 1) throw_invalid("clip_motion: the stride must be >= 1");
    Displacement d;
    if (frames.size() < 2) return d;
    const size_t s = std::min(size_t(stride), frames.size() - 1);
    double dx = 0, dy = 0;
    size_t pairs = 0;
    for (size_t i = 0; i + s < frames.size(); ++i, ++pairs) {
        const Shift sh = phase_correlation(frames[i], frames[i + s]);
        dx += sh.dx, dy += sh.dy;
    }
    const double per_frame = 1.0 / (double(pairs) * double(s)), span = double(frames.size() - 1);
    d.dx = dx * per_frame * span;
    d.dy = dy * per_frame * span;
    d.frames_used = int(frames.size());
    return d;
}

double pearson_correlation(const std::vector<double> &x, const std::vector<double> &y) {
    if (x.size() != y.size()) throw_invalid("pearson_correlation: series of different lengths");
    const size_t n = x.size();
    if (n < 2) return std::nan("");
    double mx = 0, my = 0;
    for (size_t i = 0; i < n; ++i) mx += x[i], my += y[i];
    mx /= double(n), my /= double(n);
    double sxy = 0, sxx = 0, syy = 0;
    for (size_t i = 0; i < n; ++i) {
        sxy += (x[i] - mx) * (y[i] - my);
        sxx += (x[i] - mx) * (x[i] - mx);
        syy += (y[i] - my) * (y[i] - my);
    }
    if (!(sxx > 0 && syy > 0)) return std::nan("");
    return sxy / std::sqrt(sxx * syy);
}

}  // namespace artv
