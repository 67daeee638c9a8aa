// Diagnostic (docs/EVAL.md "Where the speed goes"): does a sub-latent-pixel shift of a latent
// (shift_latents, the motion warp's bilinear move) come out of the VAE decoder as the same
// shift in pixels? Prints decode(z) against decode(shift(z, d)) by phase correlation, for one
// shift and for a shift applied again and again (as frame after frame). Not built by make;
// from the source tree, after the build:
//
//   g++ -std=c++20 -O1 -DHAVE_CONFIG_H -I_build/default -Icore/include -Icore
//       -isystem /usr/include/torch/csrc/api/include scripts/diag/latent-shift.cpp
//       -o latent-shift -L_build/default/.libs -lartv -Wl,--no-as-needed -ltorch -ltorch_cpu -lc10
//   LD_LIBRARY_PATH=_build/default/.libs ./latent-shift models/artv-tiny PHOTO
#include <cstdio>
#include <torch/torch.h>
#include "model/artv_networks.h"
#include "model/reference_motion.h"
#include "eval/motion_metrics.h"
#include "eval/phase_correlation.h"
#include "generate/frame_convert.h"
#include "io/image.h"
#include "diag_frames.h"
using namespace artv;

int main(int argc, char **argv) {
    auto nets = load_diag_model(argc, argv, 3, 3, "latent-shift MODEL_DIR PHOTO");
    c10::InferenceMode guard;
    Frame photo = resize_cover(read_image(argv[2]), kSize, kSize);
    at::Tensor x = rgb24_to_image(photo.rgb.data(), kSize, kSize, int(photo.stride()), kSize, kSize,
                                  torch::kCPU, torch::kFloat32);
    at::Tensor z = nets->encode_frames(x);
    Frame d0 = to_frame(nets->decode_latents(z));
    Shift s0 = phase_correlation(photo, d0);
    printf("photo -> decode(encode): dx %.3f dy %.3f peak %.2f\n", s0.dx, s0.dy, s0.peak);
    // The shift from decode(z) to the decoded latent zs.
    auto decoded_shift = [&](const at::Tensor &zs) { return phase_correlation(d0, to_frame(nets->decode_latents(zs))); };
    for (double d : {0.125, 0.25, 0.375, 0.5, 0.75, 1.0}) {
        Shift s = decoded_shift(shift_latents(z, torch::tensor({{float(d), 0.f}})));
        printf("latent shift %.3f (= %.1f px): decoded shift dx %.3f dy %.3f peak %.2f  ratio %.2f\n", d, 8 * d, s.dx, s.dy, s.peak, s.dx / (8 * d));
    }
    // repeated: the warp applied to its own output, as frame after frame
    at::Tensor zk = z;
    for (int k = 1; k <= 8; ++k) {
        zk = shift_latents(zk, torch::tensor({{0.375f, 0.f}}));
        Shift s = decoded_shift(zk);
        printf("%d x 0.375 (= %.1f px): decoded dx %.3f peak %.2f ratio %.2f\n", k, 3.0 * k, s.dx, s.peak, s.dx / (3.0 * k));
    }
    // 8 frames at each pan speed: how far the picture moved, as the continuation suite sums it
    // (consecutive shifts), against how far the latent moved.
    for (double px : {1.0, 2.0, 3.0, 4.0, 5.0}) {
        at::Tensor zp = z;
        std::vector<Frame> frames = {d0};
        for (int k = 1; k <= 8; ++k) {
            zp = shift_latents(zp, torch::tensor({{float(px / 8), 0.f}}));
            frames.push_back(to_frame(nets->decode_latents(zp)));
        }
        const double sum = total_shift(consecutive_shifts(frames)).dx;
        printf("8 frames at %.0f px/frame: decoded %.2f px, speed ratio %.2f\n", px, sum, sum / (8 * px));
    }
}
