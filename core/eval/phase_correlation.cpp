#include "eval/phase_correlation.h"

#include <algorithm>
#include <cmath>
#include <complex>
#include <numbers>
#include <vector>

#include "util/error.h"

namespace artv {

namespace {

using Complex = std::complex<double>;

int next_pow2(int n) {
    int p = 1;
    while (p < n) p <<= 1;
    return p;
}

// In-place iterative radix-2 FFT of a.size() (a power of two) points; inverse unscaled.
void fft(std::vector<Complex> &a, bool inverse) {
    const size_t n = a.size();
    for (size_t i = 1, j = 0; i < n; ++i) {
        size_t bit = n >> 1;
        for (; j & bit; bit >>= 1) j ^= bit;
        j ^= bit;
        if (i < j) std::swap(a[i], a[j]);
    }
    for (size_t len = 2; len <= n; len <<= 1) {
        const double angle = 2 * std::numbers::pi / double(len) * (inverse ? 1 : -1);
        const Complex wlen(std::cos(angle), std::sin(angle));
        for (size_t i = 0; i < n; i += len) {
            Complex w(1);
            for (size_t k = 0; k < len / 2; ++k) {
                const Complex u = a[i + k], v = a[i + k + len / 2] * w;
                a[i + k] = u + v;
                a[i + k + len / 2] = u - v;
                w *= wlen;
            }
        }
    }
}

// 2-D FFT of a row-major w×h grid (both powers of two): rows, then columns.
void fft2(std::vector<Complex> &a, int w, int h, bool inverse) {
    std::vector<Complex> line(size_t(std::max(w, h)));
    line.resize(size_t(w));
    for (int y = 0; y < h; ++y) {
        std::copy_n(a.begin() + ptrdiff_t(y) * w, w, line.begin());
        fft(line, inverse);
        std::copy(line.begin(), line.end(), a.begin() + ptrdiff_t(y) * w);
    }
    line.resize(size_t(h));
    for (int x = 0; x < w; ++x) {
        for (int y = 0; y < h; ++y) line[size_t(y)] = a[size_t(y) * size_t(w) + size_t(x)];
        fft(line, inverse);
        for (int y = 0; y < h; ++y) a[size_t(y) * size_t(w) + size_t(x)] = line[size_t(y)];
    }
}

// Luma, mean removed, Hann-windowed, zero-padded into a pw×ph complex grid.
std::vector<Complex> windowed_luma(const Frame &f, int pw, int ph) {
    std::vector<double> lum(size_t(f.width) * size_t(f.height));
    double mean = 0;
    for (int y = 0; y < f.height; ++y)
        for (int x = 0; x < f.width; ++x) {
            const uint8_t *p = f.pixel(x, y);
            double v = 0.299 * p[0] + 0.587 * p[1] + 0.114 * p[2];
            lum[size_t(y) * size_t(f.width) + size_t(x)] = v;
            mean += v;
        }
    mean /= double(lum.size());
    std::vector<Complex> out(size_t(pw) * size_t(ph));
    auto hann = [](int i, int n) { return 0.5 - 0.5 * std::cos(2 * std::numbers::pi * (i + 0.5) / n); };
    for (int y = 0; y < f.height; ++y) {
        const double wy = hann(y, f.height);
        for (int x = 0; x < f.width; ++x)
            out[size_t(y) * size_t(pw) + size_t(x)] =
                (lum[size_t(y) * size_t(f.width) + size_t(x)] - mean) * wy * hann(x, f.width);
    }
    return out;
}

// Sub-pixel offset of a peak from its value and its two neighbours: a Gaussian fit (exact for
// the Gaussian-weighted surface), or a parabola when a neighbour is not positive.
double refine(double left, double centre, double right) {
    if (left > 0 && right > 0 && centre > 0) {
        const double l = std::log(left), c = std::log(centre), r = std::log(right);
        const double d = l - 2 * c + r;
        if (d < 0) return std::clamp(0.5 * (l - r) / d, -0.5, 0.5);
    }
    const double d = left - 2 * centre + right;
    return d < 0 ? std::clamp(0.5 * (left - right) / d, -0.5, 0.5) : 0.0;
}

}  // namespace

Shift phase_correlation(const Frame &from, const Frame &to) {
    if (from.width != to.width || from.height != to.height)
        throw_invalid("phase correlation: frames of different sizes (" + std::to_string(from.width) + "x" +
                      std::to_string(from.height) + " and " + std::to_string(to.width) + "x" +
                      std::to_string(to.height) + ")");
    if (from.width < 8 || from.height < 8) throw_invalid("phase correlation: frames must be at least 8x8");
    const int pw = next_pow2(from.width), ph = next_pow2(from.height);
    std::vector<Complex> a = windowed_luma(from, pw, ph), b = windowed_luma(to, pw, ph);
    fft2(a, pw, ph, false);
    fft2(b, pw, ph, false);

    // Phase-only cross-power, Gaussian-weighted: G(u, v) = exp(−2π²σ²(u² + v²)), u, v in cycles
    // per pixel, whose inverse transform is a unit-sigma Gaussian of height gain/N.
    constexpr double kSigma = 1.0;
    const double g = 2 * std::numbers::pi * std::numbers::pi * kSigma * kSigma;
    double gain = 0, energy = 0;
    for (const Complex &c : a) energy += std::norm(c);
    const double eps = 1e-9 * energy / double(a.size()) + 1e-30;
    for (int y = 0; y < ph; ++y) {
        const double v = double(y < ph / 2 ? y : y - ph) / ph;
        for (int x = 0; x < pw; ++x) {
            const double u = double(x < pw / 2 ? x : x - pw) / pw;
            const size_t i = size_t(y) * size_t(pw) + size_t(x);
            const double weight = std::exp(-g * (u * u + v * v));
            const Complex c = b[i] * std::conj(a[i]);
            a[i] = c / (std::abs(c) + eps) * weight;
            gain += weight;
        }
    }
    fft2(a, pw, ph, true);
    const double n = double(pw) * double(ph);
    auto at = [&](int x, int y) {
        x = (x % pw + pw) % pw;
        y = (y % ph + ph) % ph;
        return a[size_t(y) * size_t(pw) + size_t(x)].real() / n;
    };
    int bx = 0, by = 0;
    double best = -1e300;
    for (int y = 0; y < ph; ++y)
        for (int x = 0; x < pw; ++x)
            if (at(x, y) > best) best = at(x, y), bx = x, by = y;
    Shift s;
    s.dx = (bx < pw / 2 ? bx : bx - pw) + refine(at(bx - 1, by), best, at(bx + 1, by));
    s.dy = (by < ph / 2 ? by : by - ph) + refine(at(bx, by - 1), best, at(bx, by + 1));
    s.peak = best / (gain / n);
    return s;
}

}  // namespace artv
