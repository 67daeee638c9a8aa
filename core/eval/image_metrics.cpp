#include "eval/image_metrics.h"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <string>

#include "eval/motion_metrics.h"
#include "util/error.h"

namespace artv {

namespace {

void check_same_size(const Frame &a, const Frame &b, const char *what) {
    if (a.width != b.width || a.height != b.height || a.empty())
        throw_invalid(std::string(what) + ": frames must be non-empty and of one size (" +
                      std::to_string(a.width) + "x" + std::to_string(a.height) + " and " +
                      std::to_string(b.width) + "x" + std::to_string(b.height) + ")");
}

std::vector<double> luma(const Frame &f) {
    std::vector<double> out(size_t(f.width) * size_t(f.height));
    for (size_t i = 0; i < out.size(); ++i) {
        const uint8_t *p = f.rgb.data() + 3 * i;
        out[i] = 0.299 * p[0] + 0.587 * p[1] + 0.114 * p[2];
    }
    return out;
}

// Separable 11-tap Gaussian (sigma 1.5) over the valid region: (w−10)×(h−10) outputs.
std::vector<double> gaussian_valid(const std::vector<double> &img, int w, int h) {
    constexpr int kTaps = 11;
    double k[kTaps], sum = 0;
    for (int i = 0; i < kTaps; ++i) sum += k[i] = std::exp(-0.5 * (i - 5) * (i - 5) / (1.5 * 1.5));
    for (double &v : k) v /= sum;
    const int ow = w - kTaps + 1, oh = h - kTaps + 1;
    std::vector<double> rows(size_t(ow) * size_t(h)), out(size_t(ow) * size_t(oh));
    for (int y = 0; y < h; ++y)
        for (int x = 0; x < ow; ++x) {
            double s = 0;
            for (int i = 0; i < kTaps; ++i) s += k[i] * img[size_t(y) * size_t(w) + size_t(x + i)];
            rows[size_t(y) * size_t(ow) + size_t(x)] = s;
        }
    for (int y = 0; y < oh; ++y)
        for (int x = 0; x < ow; ++x) {
            double s = 0;
            for (int i = 0; i < kTaps; ++i) s += k[i] * rows[size_t(y + i) * size_t(ow) + size_t(x)];
            out[size_t(y) * size_t(ow) + size_t(x)] = s;
        }
    return out;
}

}  // namespace

double psnr(const Frame &a, const Frame &b) {
    check_same_size(a, b, "psnr");
    double se = 0;
    for (size_t i = 0; i < a.rgb.size(); ++i) {
        const double d = double(a.rgb[i]) - double(b.rgb[i]);
        se += d * d;
    }
    const double mse = se / double(a.rgb.size());
    if (mse <= 0) return kPsnrIdentical;
    return std::min(kPsnrIdentical, 10 * std::log10(255.0 * 255.0 / mse));
}

double ssim(const Frame &a, const Frame &b) {
    check_same_size(a, b, "ssim");
    if (a.width < 11 || a.height < 11) throw_invalid("ssim: frames must be at least 11x11");
    const int w = a.width, h = a.height;
    std::vector<double> x = luma(a), y = luma(b), xx(x.size()), yy(x.size()), xy(x.size());
    for (size_t i = 0; i < x.size(); ++i) xx[i] = x[i] * x[i], yy[i] = y[i] * y[i], xy[i] = x[i] * y[i];
    const auto mx = gaussian_valid(x, w, h), my = gaussian_valid(y, w, h);
    const auto sxx = gaussian_valid(xx, w, h), syy = gaussian_valid(yy, w, h), sxy = gaussian_valid(xy, w, h);
    const double c1 = (0.01 * 255) * (0.01 * 255), c2 = (0.03 * 255) * (0.03 * 255);
    double total = 0;
    for (size_t i = 0; i < mx.size(); ++i) {
        const double vx = sxx[i] - mx[i] * mx[i], vy = syy[i] - my[i] * my[i], cov = sxy[i] - mx[i] * my[i];
        total += (2 * mx[i] * my[i] + c1) * (2 * cov + c2) /
                 ((mx[i] * mx[i] + my[i] * my[i] + c1) * (vx + vy + c2));
    }
    return total / double(mx.size());
}

MeanRgb mean_rgb(const Frame &f) {
    MeanRgb m{0, 0, 0};
    const size_t n = size_t(f.width) * size_t(f.height);
    for (size_t i = 0; i < n; ++i)
        for (int c = 0; c < 3; ++c) m[size_t(c)] += f.rgb[3 * i + size_t(c)];
    for (double &v : m) v /= double(std::max<size_t>(1, n));
    return m;
}

double colour_distance(const MeanRgb &a, const MeanRgb &b) {
    double d = 0;
    for (size_t c = 0; c < 3; ++c) d += (a[c] - b[c]) * (a[c] - b[c]);
    return std::sqrt(d);
}

namespace {

// |grad luma| with central differences over the interior pixels: (width − 2) × (height − 2).
std::vector<double> gradient_magnitudes(const Frame &f) {
    const std::vector<double> l = luma(f);
    const size_t w = size_t(f.width);
    std::vector<double> out;
    out.reserve(size_t(f.width - 2) * size_t(f.height - 2));
    for (int y = 1; y + 1 < f.height; ++y)
        for (int x = 1; x + 1 < f.width; ++x) {
            const size_t i = size_t(y) * w + size_t(x);
            const double gx = 0.5 * (l[i + 1] - l[i - 1]), gy = 0.5 * (l[i + w] - l[i - w]);
            out.push_back(std::sqrt(gx * gx + gy * gy));
        }
    return out;
}

}  // namespace

double sharpness(const Frame &f) {
    if (f.width < 3 || f.height < 3) return 0;
    const std::vector<double> g = gradient_magnitudes(f);
    double total = 0;
    for (double v : g) total += v;
    return total / double(g.size());
}

double edge_match(const Frame &a, const Frame &b, int max_shift) {
    check_same_size(a, b, "edge_match");
    if (max_shift < 0 || a.width <= 2 + 2 * max_shift || a.height <= 2 + 2 * max_shift)
        throw_invalid("edge_match: frames must be larger than 2 + 2 * max_shift");
    const std::vector<double> ga = gradient_magnitudes(a), gb = gradient_magnitudes(b);
    const int w = a.width - 2, h = a.height - 2;
    double best = 0;
    std::vector<double> u, v;
    for (int dy = -max_shift; dy <= max_shift; ++dy)
        for (int dx = -max_shift; dx <= max_shift; ++dx) {  // a(x, y) against b(x − dx, y − dy)
            u.clear(), v.clear();
            for (int y = std::max(0, dy); y < std::min(h, h + dy); ++y)
                for (int x = std::max(0, dx); x < std::min(w, w + dx); ++x) {
                    u.push_back(ga[size_t(y) * size_t(w) + size_t(x)]);
                    v.push_back(gb[size_t(y - dy) * size_t(w) + size_t(x - dx)]);
                }
            const double r = pearson_correlation(u, v);
            if (std::isfinite(r)) best = std::max(best, r);
        }
    return best;
}

double mean_abs_difference(const Frame &a, const Frame &b, const std::vector<uint8_t> *mask) {
    check_same_size(a, b, "mean_abs_difference");
    const size_t n = size_t(a.width) * size_t(a.height);
    if (mask && mask->size() != n) throw_invalid("mean_abs_difference: mask size differs from the frame's");
    double total = 0;
    size_t count = 0;
    for (size_t i = 0; i < n; ++i) {
        if (mask && !(*mask)[i]) continue;
        for (size_t c = 0; c < 3; ++c) total += std::abs(int(a.rgb[3 * i + c]) - int(b.rgb[3 * i + c]));
        count += 3;
    }
    return count ? total / double(count) : 0.0;
}

}  // namespace artv
