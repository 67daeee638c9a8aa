#include "bench/frame_bench.h"

#include <torch/torch.h>

#include <algorithm>
#include <chrono>
#include <limits>

#include "bench/flop_counter.h"
#include "bench/process_memory.h"
#include "data/renderer.h"
#include "diffusion/guidance.h"
#include "model/artv_networks.h"
#include "util/error.h"

namespace artv {

namespace {

double seconds_since(std::chrono::steady_clock::time_point t0) {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

FrameSize resolved_size(const ArtvNetworks &nets, FrameSize size) {
    if (size.width > 0) return size;
    const int side = nets.config().sampling.native_short_side;
    return {side, side};
}

// A session in the options' mode, its fed frames drawn by the renderer.
std::unique_ptr<Session> start_session(const std::shared_ptr<const ArtvNetworks> &nets,
                                       const FrameBenchOptions &o) {
    if (o.mode != "continue" && o.mode != "animate" && o.mode != "t2v")
        throw_invalid("bench mode must be continue, animate or t2v, got '" + o.mode + "'");
    SessionOptions so;
    so.gen_size = resolved_size(*nets, o.size);
    so.seed = o.seed;
    if (o.steps > 0) so.steps = o.steps;
    so.cfg_ref = o.cfg_ref;
    so.cfg_anchor = o.cfg_anchor;
    so.cfg_text = o.cfg_text;
    so.engine = o.engine;
    auto session = std::make_unique<Session>(nets, so);
    session->set_prompt(o.prompt);
    const int fed = o.mode == "continue" ? 2 : o.mode == "animate" ? 1 : 0;
    if (fed > 0) {
        RendererOptions ro;
        ro.width = so.gen_size.width;
        ro.height = so.gen_size.height;
        ro.frames = fed;
        ro.camera_share = 0;  // no photos needed
        const RenderedClip clip = render_random_clip(o.seed, ro);
        for (const Frame &f : clip.frames)
            session->feed_frame(f.rgb.data(), f.width, f.height, f.width * 3);
    }
    return session;
}

double generate_one(Session &session) {
    const auto t0 = std::chrono::steady_clock::now();
    session.next_frame_image();
    return seconds_since(t0);
}

}  // namespace

FrameBenchResult bench_frames(const std::shared_ptr<const ArtvNetworks> &nets,
                              const FrameBenchOptions &o) {
    if (o.frames < 1 || o.warmup < 0) throw_invalid("bench needs frames >= 1 and warmup >= 0");
    auto session = start_session(nets, o);
    FrameBenchResult r;
    // FLOPs are counted over an untimed frame: the first warm-up frame, where it has the
    // conditions of the later ones (not in t2v, whose first frame has blank references), else
    // the last timed frame (counting costs a little time per op: noticeable on small models).
    const bool count_in_warmup = o.warmup > 0 && o.mode != "t2v";
    auto counted = [&](auto &&generate) {
        FlopCount count;
        const double seconds = generate();
        r.flops_per_frame = count.flops();
        r.conv_flops_per_frame = count.conv_flops();
        r.matmul_flops_per_frame = count.matmul_flops();
        r.attention_flops_per_frame = count.attention_flops();
        return seconds;
    };
    for (int i = 0; i < o.warmup; ++i) {
        if (i == 0 && count_in_warmup) counted([&] { return generate_one(*session); });
        else generate_one(*session);
    }
    std::vector<double> times;
    for (int i = 0; i < o.frames; ++i) {
        if (i + 1 == o.frames && !count_in_warmup) times.push_back(counted([&] { return generate_one(*session); }));
        else times.push_back(generate_one(*session));
    }
    r.seconds_per_frame = median_window(times, 0, static_cast<int>(times.size()));
    r.min_seconds_per_frame = *std::min_element(times.begin(), times.end());
    const SessionState st = session->state();
    r.network_rows_per_frame = st.denoiser_calls_last_frame;
    // The conditions of one call, from the resolved scales (references and anchor are set from
    // the second frame on in every mode; the prompt is not empty).
    r.guidance_conditions = static_cast<int>(cfg_terms(session->cfg_scales()).size());
    r.sampler_calls_per_frame = r.network_rows_per_frame / std::max(1, r.guidance_conditions);
    r.seconds_per_call = r.seconds_per_frame / std::max(1, r.sampler_calls_per_frame);
    r.rss_bytes = resident_bytes();
    r.peak_rss_bytes = peak_resident_bytes();
    return r;
}

ForwardBenchResult bench_unet_forward(const ArtvNetworks &nets, FrameSize size, int batch,
                                      int repeats, bool profile_ops) {
    c10::InferenceMode inference;
    const ModelConfig &c = nets.config();
    const int ds = c.latent.downsample;
    const int64_t ch = c.latent.channels, h = size.height / ds, w = size.width / ds;
    torch::manual_seed(0);
    const auto opts = torch::TensorOptions().device(nets.device()).dtype(nets.dtype());
    FrameConditions fc;
    fc.refs = torch::randn({batch, 2 * ch, h, w}, opts);
    fc.anchor = torch::randn({batch, ch, h, w}, opts);
    fc.text = nets.encode_tokens(torch::zeros({batch, c.text.context_length},
                                              torch::TensorOptions().device(nets.device()).dtype(torch::kLong)));
    fc.noise_level = torch::full({batch}, 200.0, torch::TensorOptions().device(nets.device()));
    fc.motion = torch::zeros({batch, 2}, torch::TensorOptions().device(nets.device()));
    const PreparedConditions prepared = nets.prepare(fc);
    const at::Tensor x = torch::randn({batch, ch, h, w}, opts);
    const at::Tensor t = torch::full({batch}, 500.0, torch::TensorOptions().device(nets.device()));
    auto forward = [&] {
        at::Tensor e = nets.eps(x, t, prepared);
        if (nets.device().is_cuda()) e.sum().item<double>();  // waits for the kernels
    };
    ForwardBenchResult r;
    r.batch = batch;
    forward();  // warm-up (and oneDNN's kernel choice)
    {
        FlopCount count;
        forward();
        r.flops = count.flops();
    }
    r.seconds = std::numeric_limits<double>::infinity();
    for (int i = 0; i < std::max(1, repeats); ++i) {
        const auto t0 = std::chrono::steady_clock::now();
        forward();
        r.seconds = std::min(r.seconds, seconds_since(t0));
    }
    if (profile_ops) {
        const int n = std::max(1, repeats);
        OpProfile profile;
        for (int i = 0; i < n; ++i) forward();
        r.ops = profile.ops();
        for (auto &op : r.ops) {
            op.seconds /= n;
            op.calls /= n;
        }
    }
    return r;
}

LongRunResult bench_long_run(const std::shared_ptr<const ArtvNetworks> &nets,
                             const FrameBenchOptions &o, int frames, int rss_every) {
    if (frames < 1 || rss_every < 1) throw_invalid("long run needs frames >= 1 and rss_every >= 1");
    auto session = start_session(nets, o);
    LongRunResult r;
    for (int i = 1; i <= frames; ++i) {
        r.times.push_back(generate_one(*session));
        if (i == 1 || i % rss_every == 0) r.samples.push_back({i, r.times.back(), resident_bytes()});
    }
    return r;
}

double median_window(const std::vector<double> &times, int first, int count) {
    const int begin = std::clamp(first, 0, static_cast<int>(times.size()));
    const int end = std::clamp(first + count, begin, static_cast<int>(times.size()));
    if (begin == end) return 0;
    std::vector<double> w(times.begin() + begin, times.begin() + end);
    std::nth_element(w.begin(), w.begin() + w.size() / 2, w.end());
    return w[w.size() / 2];
}

}  // namespace artv
