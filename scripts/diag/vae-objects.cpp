// Diagnostic (docs/EVAL.md "Objects through the VAE"): can the object suite's tracker find
// each held-out object after the VAE round trip alone, no diffusion? For the object suite's
// clips (the suite's 16 and the two fresh sets of 16), one rendered frame and its round trip
// through MODEL's VAE, tracked by colour against the true background; found per colour. Not
// built by make; from the source tree, after the build:
//
//   g++ -std=c++20 -O1 -DHAVE_CONFIG_H -I_build/default -Icore/include -Icore
//       -isystem /usr/include/torch/csrc/api/include scripts/diag/vae-objects.cpp
//       -o vae-objects -L_build/default/.libs -lartv -Wl,--no-as-needed -ltorch -ltorch_cpu -lc10
//   LD_LIBRARY_PATH=_build/default/.libs ./vae-objects models/artv-tiny data/photos.jsonl
#include <cstdio>
#include <map>
#include <numbers>
#include <torch/torch.h>
#include "model/artv_networks.h"
#include "data/dataset.h"
#include "data/photo_library.h"
#include "eval/object_tracker.h"
#include "diag_frames.h"
using namespace artv;
int main(int argc, char **argv) {
    auto nets = load_diag_model(argc, argv, 3, 3, "vae-objects MODEL_DIR PHOTO_LIST");
    c10::InferenceMode guard;
    auto photos = PhotoLibrary::from_list(argv[2]);
    std::map<std::string, std::array<int, 3>> tally;  // clips, found raw, found vae
    for (uint64_t first : {1099511627776ull, 1099511628776ull, 1099511629776ull}) {
        RendererOptions ro; ro.width = ro.height = kSize; ro.frames = 4; ro.fps = nets->config().sampling.fps;
        ro.photos = photos; ro.photo_split = PhotoSplit::Eval; ro.camera_share = 0;
        ro.object_motions = {ObjectMotion::Left, ObjectMotion::Right, ObjectMotion::Up, ObjectMotion::Down};
        RendererSource src(ro, first, 16);
        for (size_t i = 0; i < 16; ++i) {
            auto clip = src.clip(i); ClipSpec spec = src.spec(i);
            Frame bg = object_background(spec, photos.get());
            double area = std::numbers::pi * 0.25 * spec.size * spec.size;
            const Frame &f = clip->frames[1];
            at::Tensor x = rgb24_to_image(f.rgb.data(), kSize, kSize, int(f.stride()), kSize, kSize, torch::kCPU, torch::kFloat32);
            Frame r = to_frame(nets->decode_latents(nets->encode_frames(x)));
            auto a = find_object_by_colour(f, spec.colour, area, &bg);
            auto b = find_object_by_colour(r, spec.colour, area, &bg);
            auto bn = find_object_by_colour(r, spec.colour, area, nullptr);
            auto d = find_object_by_difference(r, bg, area);
            auto &t = tally[colour_name(spec.colour)]; t[0]++; t[1] += a.found; t[2] += b.found;
            printf("%-60s size %.0f raw %d(area %.0f) vae %d(area %.0f) nobg %d  diff-colour %.0f %.0f %.0f\n", clip->caption.c_str(), double(spec.size), a.found, a.area, b.found, b.area, bn.found, d.colour[0], d.colour[1], d.colour[2]);
        }
    }
    for (auto &[k, t] : tally) printf("%s: %d clips, raw found %d, vae found %d\n", k.c_str(), t[0], t[1], t[2]);
}
