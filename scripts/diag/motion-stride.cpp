// Diagnostic (docs/EVAL.md "Measuring a pan"): how fast does phase correlation say a pan
// moves, measured between frames 1, 2, 3, 4, 8 and 15 apart (clip_motion()), on frames that
// move exactly v px/frame: crops of a photo as they are ("crops"), the same crops through the
// model's VAE ("vae", what a model that continued the pan exactly would draw), and one latent
// moved by the motion warp again and again ("chain", shift_latents()). Prints measured ÷ true
// speed. Not built by make; from the source tree, after the build:
//
//   g++ -std=c++20 -O1 -DHAVE_CONFIG_H -I_build/default -Icore/include -Icore
//       -isystem /usr/include/torch/csrc/api/include scripts/diag/motion-stride.cpp
//       -o motion-stride -L_build/default/.libs -lartv -Wl,--no-as-needed -ltorch -ltorch_cpu -lc10
//   LD_LIBRARY_PATH=_build/default/.libs ./motion-stride models/artv-tiny PHOTO...
#include <climits>
#include <cstdio>
#include <torch/torch.h>
#include "eval/motion_metrics.h"
#include "generate/frame_convert.h"
#include "io/image.h"
#include "model/artv_networks.h"
#include "model/reference_motion.h"
#include "diag_frames.h"
using namespace artv;

static at::Tensor to_image(const Frame &f) {
    return rgb24_to_image(f.rgb.data(), kSize, kSize, int(f.stride()), kSize, kSize, torch::kCPU, torch::kFloat32);
}

static void report(const char *what, double v, const std::vector<Frame> &frames) {
    std::printf("  %-6s %.0f px/frame:", what, v);
    for (int stride : {1, 2, 3, 4, 8, 15})
        std::printf("  %2d apart %5.2f", stride, clip_motion(frames, stride).dx / double(frames.size() - 1) / v);
    std::printf("\n");
}

int main(int argc, char **argv) {
    auto nets = load_diag_model(argc, argv, 3, INT_MAX, "motion-stride MODEL_DIR PHOTO...");
    c10::InferenceMode guard;
    for (int a = 2; a < argc; ++a) {
        std::printf("%s\n", argv[a]);
        const Frame wide = resize_cover(read_image(argv[a]), 2 * kSize, kSize);
        for (int v : {1, 2, 3, 4}) {
            std::vector<Frame> crops, vae, chain;
            for (int k = 0; k < 16; ++k) {  // the window moves left: the content moves right
                Frame c(kSize, kSize);
                for (int y = 0; y < kSize; ++y)
                    for (int x = 0; x < kSize; ++x)
                        for (int ch = 0; ch < 3; ++ch) c.pixel(x, y)[ch] = wide.pixel(120 - v * k + x, y)[ch];
                crops.push_back(c);
                vae.push_back(to_frame(nets->decode_latents(nets->encode_frames(to_image(c)))));
            }
            at::Tensor z = nets->encode_frames(to_image(crops[0]));
            for (int k = 0; k < 16; ++k) {
                if (k) z = shift_latents(z, torch::tensor({{float(v) / 8, 0.f}}));
                chain.push_back(to_frame(nets->decode_latents(z)));
            }
            report("crops", v, crops);
            report("vae", v, vae);
            report("chain", v, chain);
        }
    }
}
