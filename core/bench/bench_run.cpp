#include "bench/bench_run.h"

#include <torch/torch.h>
#include <torch/version.h>

#include <algorithm>
#include <cstdio>
#include <sstream>

#include "artv/artv.h"
#include "bench/process_memory.h"
#include "bench/reference_throughput.h"
#include "io/config.h"
#include "model/artv_networks.h"
#include "model/unet.h"
#include "nn/attention.h"
#include "util/cpu_features.h"
#include "util/device.h"
#include "util/error.h"

namespace artv {

namespace {

using json = nlohmann::ordered_json;

double mib(int64_t bytes) { return static_cast<double>(bytes) / (1024.0 * 1024.0); }

json frame_json(const FrameBenchResult &r) {
    const double gflop = r.flops_per_frame / 1e9;
    return {{"seconds_per_frame", r.seconds_per_frame},
            {"min_seconds_per_frame", r.min_seconds_per_frame},
            {"sampler_calls_per_frame", r.sampler_calls_per_frame},
            {"guidance_conditions", r.guidance_conditions},
            {"network_rows_per_frame", r.network_rows_per_frame},
            {"seconds_per_call", r.seconds_per_call},
            {"gflop_per_frame", gflop},
            {"gflop_conv", r.conv_flops_per_frame / 1e9},
            {"gflop_matmul", r.matmul_flops_per_frame / 1e9},
            {"gflop_attention", r.attention_flops_per_frame / 1e9},
            {"gflops", r.seconds_per_frame > 0 ? gflop / r.seconds_per_frame : 0.0},
            {"rss_mib", mib(r.rss_bytes)},
            {"peak_rss_mib", mib(r.peak_rss_bytes)}};
}

// The session options of one ablation: the default with one switch flipped.
FrameBenchOptions ablated(const FrameBenchOptions &base, const std::string &name) {
    FrameBenchOptions o = base;
    if (name == "batch_cfg") o.engine.batch_cfg = false;
    else if (name == "per_frame_conditions") o.engine.per_frame_conditions = false;
    else if (name == "inference_mode") o.engine.inference_mode = false;
    return o;
}

std::vector<c10::ScalarType> resolve_dtypes(const BenchOptions &o, c10::Device device) {
    std::vector<c10::ScalarType> out;
    if (o.dtypes.empty()) {
        out.push_back(c10::kFloat);
        if (resolve_dtype("auto", device) != c10::kFloat) out.push_back(resolve_dtype("auto", device));
    }
    for (const auto &name : o.dtypes) out.push_back(resolve_dtype(name, device));
    return out;
}

// fp32 networks, from the trained model or random weights for the config.
std::shared_ptr<ArtvNetworks> load_networks(const BenchOptions &o, c10::Device device, json &about) {
    if (!o.config_path.empty()) {
        const ModelConfig config = load_model_config(o.config_path);
        std::string tokenizer = o.tokenizer;
        if (tokenizer.empty()) tokenizer = std::string(artv_default_model_path()) + "/tokenizer.model";
        about["config"] = o.config_path;
        about["weights"] = "random (seed 0)";
        about["tokenizer"] = tokenizer;
        return ArtvNetworks::create_random(config, 0, device, c10::kFloat, tokenizer);
    }
    const std::string dir = o.model_dir.empty() ? artv_default_model_path() : o.model_dir;
    about["model"] = dir;
    return ArtvNetworks::load(dir, device, c10::kFloat);
}

// Channels-last (NHWC) weights for the U-Nets' convolutions: oneDNN then computes them in that
// layout whatever the input's (LibTorch picks channels-last when the weight is).
void set_channels_last(ArtvNetworks &nets, bool on) {
    const auto format = on ? at::MemoryFormat::ChannelsLast : at::MemoryFormat::Contiguous;
    torch::NoGradGuard no_grad;
    for (torch::nn::Module *net : {static_cast<torch::nn::Module *>(&nets.unet()),
                                   static_cast<torch::nn::Module *>(&nets.mask_net())})
        for (auto &p : net->parameters())
            if (p.dim() == 4) p.set_data(p.data().contiguous(format));
}

}  // namespace

const std::vector<std::string> &bench_ablation_names() {
    // fused_attention only where this build has the fused kernel to switch off.
    static const std::vector<std::string> names = [] {
        std::vector<std::string> n{"batch_cfg", "per_frame_conditions", "inference_mode", "onednn_conv",
                                   "onednn_linear"};
        if (fused_attention_available()) n.push_back("fused_attention");
        n.insert(n.end(), {"channels_last", "blas_threads_all"});
        return n;
    }();
    return names;
}

namespace {

// For the error message: the names bench_ablation_names() knows, comma-separated.
std::string known_ablations() {
    std::string out;
    for (const auto &n : bench_ablation_names()) out += (out.empty() ? "" : ", ") + n;
    return out;
}

}  // namespace

json run_bench(const BenchOptions &o) {
    auto log = [&](const std::string &line) {
        if (o.log) o.log(line);
    };
    for (const auto &a : o.ablations)
        if (a == "fused_attention" && !fused_attention_available())
            throw_invalid("ablation fused_attention: LibTorch " TORCH_VERSION
                          " has no fused attention kernel (it needs 2.0 or later)");
        else if (std::find(bench_ablation_names().begin(), bench_ablation_names().end(), a) ==
                 bench_ablation_names().end())
            throw_invalid("unknown ablation '" + a + "' (" + known_ablations() + ")");
    const c10::Device device = resolve_device(o.device);
    set_cpu_threads(o.threads);  // and OpenBLAS to 1 thread, the engine's setting
    const int blas_threads = o.blas_threads > 0 ? o.blas_threads : 1;
    const bool blas_settable = set_blas_threads(blas_threads);
    const std::vector<c10::ScalarType> dtypes = resolve_dtypes(o, device);

    json report;
    json machine;
    machine["cpu"] = cpu_features().summary();
    machine["device"] = device_name(device);
    machine["threads"] = at::get_num_threads();
    machine["blas_threads"] = blas_settable ? json(blas_threads) : json("not settable (not OpenBLAS)");
    machine["libtorch"] = TORCH_VERSION;
    report["machine"] = machine;

    json about;
    log("loading the networks");
    auto nets = load_networks(o, device, about);
    if (o.attention_chunk != 0) nets->set_attention_query_chunk(o.attention_chunk);
    const FrameSize size = o.frame.size.width > 0
                               ? o.frame.size
                               : FrameSize{nets->config().sampling.native_short_side,
                                           nets->config().sampling.native_short_side};
    about["parameters"] = nets->parameter_count();
    about["size"] = std::to_string(size.width) + "x" + std::to_string(size.height);
    about["mode"] = o.frame.mode;
    about["prompt"] = o.frame.prompt;
    about["steps"] = o.frame.steps > 0 ? o.frame.steps : nets->config().sampling.steps;
    about["sampler"] = nets->config().sampling.sampler;
    about["timed_frames"] = o.frame.frames;
    about["warmup_frames"] = o.frame.warmup;
    about["attention_chunk"] = o.attention_chunk;
    report["model"] = about;

    FrameBenchOptions frame = o.frame;
    frame.size = size;
    // Each block of frames gets its own peak RSS (frame_json's peak_rss_mib) where the peak can
    // be reset; the run's peak is the largest of them.
    int64_t run_peak = 0;
    const bool peak_per_block = reset_peak_resident_bytes();
    report["machine"]["peak_rss"] = peak_per_block ? "per block of frames" : "since the start of the run";
    auto new_block = [&] {
        run_peak = std::max(run_peak, peak_resident_bytes());
        reset_peak_resident_bytes();
    };
    json runs = json::array();
    for (const c10::ScalarType dtype : dtypes) {
        const std::string dn = dtype_name(dtype);
        nets->to(device, dtype);
        json run;
        run["dtype"] = dn;
        log(dn + ": reference convolution and matrix product");
        // The machine's peak: BLAS (the fp32 matrix product) on every thread for this.
        set_blas_threads(0);
        const ReferenceThroughput ref = measure_reference_throughput(dtype, device);
        set_blas_threads(blas_threads);
        run["reference"] = {{"conv_gflops", ref.conv_gflops}, {"matmul_gflops", ref.matmul_gflops}};

        log(dn + ": frames, every optimisation on");
        new_block();
        const FrameBenchResult base = bench_frames(nets, frame);
        json base_json = frame_json(base);
        base_json["fraction_of_conv_peak"] = base_json["gflops"].get<double>() / ref.conv_gflops;
        run["frame"] = base_json;

        log(dn + ": the U-Net alone at the generation batch (" +
            std::to_string(base.guidance_conditions) + ")");
        const ForwardBenchResult fwd = bench_unet_forward(*nets, size, base.guidance_conditions,
                                                          o.forward_repeats, o.op_profile > 0);
        const double fwd_gflops = fwd.flops / 1e9 / fwd.seconds;
        run["unet_forward"] = {{"batch", fwd.batch},
                               {"seconds", fwd.seconds},
                               {"gflop", fwd.flops / 1e9},
                               {"gflops", fwd_gflops},
                               {"fraction_of_conv_peak", fwd_gflops / ref.conv_gflops}};
        if (o.op_profile > 0) {
            json ops = json::array();
            int64_t calls = 0;
            double seconds = 0;
            for (const auto &op : fwd.ops) {
                calls += op.calls;
                seconds += op.seconds;
                if (int(ops.size()) < o.op_profile)
                    ops.push_back({{"op", op.name}, {"seconds", op.seconds}, {"calls", op.calls}});
            }
            // Per forward, profiled (slower than the timed forwards): the listed ops and all.
            run["unet_forward"]["op_profile"] = {{"ops", ops}, {"all_ops_seconds", seconds}, {"all_ops_calls", calls}};
        }

        json ablations = json::array();
        for (const auto &name : o.ablations) {
            log(dn + ": frames, ablation " + name);
            FrameBenchOptions fo = ablated(frame, name);
            // Switches that live in the networks or the process, set for this block only.
            struct Restore {
                ArtvNetworks &nets;
                int blas_threads;
                ~Restore() {
                    set_channels_last(nets, false);
                    set_fused_attention(nets.modules(), true);
                    set_onednn_convolution(nets.modules(), true);
                    set_onednn_linear(nets.modules(), true);
                    set_blas_threads(blas_threads);
                }
            } restore{*nets, blas_threads};
            if (name == "channels_last") set_channels_last(*nets, true);
            if (name == "blas_threads_all") set_blas_threads(0);
            if (name == "fused_attention") set_fused_attention(nets->modules(), false);
            if (name == "onednn_conv") set_onednn_convolution(nets->modules(), false);
            if (name == "onednn_linear") set_onednn_linear(nets->modules(), false);
            new_block();
            const FrameBenchResult r = bench_frames(nets, fo);
            json a = frame_json(r);
            a["name"] = name;
            a["switch"] = (name == "channels_last" || name == "blas_threads_all") ? "on" : "off";
            a["default_speedup"] = r.seconds_per_frame / base.seconds_per_frame;
            ablations.push_back(a);
        }
        run["ablations"] = ablations;
        runs.push_back(run);
    }
    report["runs"] = runs;
    if (runs.size() > 1) {
        json ratios = json::object();
        const double first = runs[0]["frame"]["seconds_per_frame"].get<double>();
        for (size_t i = 1; i < runs.size(); ++i)
            ratios[runs[i]["dtype"].get<std::string>() + "_vs_" + runs[0]["dtype"].get<std::string>()] =
                first / runs[i]["frame"]["seconds_per_frame"].get<double>();
        report["dtype_speedup"] = ratios;
    }

    if (o.long_frames > 0) {
        nets->to(device, dtypes.front());
        log(std::string(dtype_name(dtypes.front())) + ": long session of " + std::to_string(o.long_frames) + " frames");
        const LongRunResult lr = bench_long_run(nets, frame, o.long_frames, o.rss_every);
        json lj;
        lj["dtype"] = dtype_name(dtypes.front());
        lj["frames"] = o.long_frames;
        json at = json::array();
        for (int f : {10, 100, 1000, 10000}) {
            if (f > o.long_frames) break;
            // Median of the 11 frames around frame f (1-based): one frame's time is noisy.
            at.push_back({{"frame", f}, {"seconds", median_window(lr.times, std::max(0, f - 6), 11)}});
        }
        lj["seconds_per_frame_at"] = at;
        json series = json::array();
        for (const auto &s : lr.samples)
            series.push_back({{"frame", s.frame}, {"seconds", s.seconds}, {"rss_mib", mib(s.rss_bytes)}});
        lj["rss_series"] = series;
        report["long_run"] = lj;
    }
    report["peak_rss_mib"] = mib(std::max(run_peak, peak_resident_bytes()));
    return report;
}

std::string bench_table(const json &report) {
    std::ostringstream out;
    char line[512];
    const json &m = report["model"];
    out << "machine: " << report["machine"]["cpu"].get<std::string>() << "; "
        << report["machine"]["threads"] << " thread(s), LibTorch " << report["machine"]["libtorch"].get<std::string>()
        << ", " << report["machine"]["device"].get<std::string>() << "\n";
    out << "model: " << (m.contains("model") ? m["model"].get<std::string>() : m["config"].get<std::string>() + " (random weights)")
        << ", " << m["size"].get<std::string>() << ", " << m["mode"].get<std::string>() << ", "
        << m["steps"] << " steps " << m["sampler"].get<std::string>() << "\n\n";
    std::snprintf(line, sizeof line, "%-5s %-26s %9s %6s %5s %9s %9s %8s %7s %9s %8s\n", "dtype", "case",
                  "s/frame", "calls", "rows", "s/call", "GFLOP/fr", "GFLOP/s", "%conv", "RSS MiB", "vs dflt");
    out << line;
    for (const auto &run : report["runs"]) {
        const std::string dn = run["dtype"].get<std::string>();
        const double peak = run["reference"]["conv_gflops"].get<double>();
        auto row = [&](const std::string &name, const json &f, double vs) {
            std::snprintf(line, sizeof line, "%-5s %-26s %9.3f %6d %5d %9.4f %9.2f %8.1f %6.1f%% %9.0f %7.2fx\n",
                          dn.c_str(), name.c_str(), f["seconds_per_frame"].get<double>(),
                          f["sampler_calls_per_frame"].get<int>(), f["guidance_conditions"].get<int>(),
                          f["seconds_per_call"].get<double>(), f["gflop_per_frame"].get<double>(),
                          f["gflops"].get<double>(), 100.0 * f["gflops"].get<double>() / peak,
                          f["peak_rss_mib"].get<double>(), vs);
            out << line;
        };
        row("default (all on)", run["frame"], 1.0);
        for (const auto &a : run["ablations"])
            row(a["name"].get<std::string>() + " " + a["switch"].get<std::string>(), a,
                a["default_speedup"].get<double>());
        const json &u = run["unet_forward"];
        std::snprintf(line, sizeof line,
                      "%-5s U-Net forward, batch %d: %.4f s, %.2f GFLOP, %.1f GFLOP/s = %.1f%% of the "
                      "reference conv (%.1f GFLOP/s; matmul %.1f GFLOP/s)\n",
                      dn.c_str(), u["batch"].get<int>(), u["seconds"].get<double>(), u["gflop"].get<double>(),
                      u["gflops"].get<double>(), 100.0 * u["fraction_of_conv_peak"].get<double>(), peak,
                      run["reference"]["matmul_gflops"].get<double>());
        out << line;
        if (u.contains("op_profile")) {
            const json &p = u["op_profile"];
            std::snprintf(line, sizeof line, "%-5s   its ops, profiled: %lld calls, %.4f s in all; the slowest:\n",
                          dn.c_str(), static_cast<long long>(p["all_ops_calls"].get<int64_t>()),
                          p["all_ops_seconds"].get<double>());
            out << line;
            for (const auto &op : p["ops"]) {
                std::snprintf(line, sizeof line, "%-5s     %-32s %9.5f s %6lld calls\n", dn.c_str(),
                              op["op"].get<std::string>().c_str(), op["seconds"].get<double>(),
                              static_cast<long long>(op["calls"].get<int64_t>()));
                out << line;
            }
        }
        out << "\n";
    }
    if (report.contains("dtype_speedup"))
        for (const auto &[k, v] : report["dtype_speedup"].items()) out << "speed-up per frame " << k << ": " << v.get<double>() << "x\n";
    if (report.contains("long_run")) {
        const json &l = report["long_run"];
        out << "long session (" << l["dtype"].get<std::string>() << ", " << l["frames"] << " frames):";
        for (const auto &p : l["seconds_per_frame_at"])
            out << "  frame " << p["frame"] << ": " << p["seconds"].get<double>() << " s";
        out << "\n  RSS MiB by frame:";
        for (const auto &s : l["rss_series"]) out << " " << s["frame"] << ":" << static_cast<int>(s["rss_mib"].get<double>());
        out << "\n";
    }
    std::snprintf(line, sizeof line, "peak RSS of the run: %.0f MiB\n", report["peak_rss_mib"].get<double>());
    out << line;
    return out.str();
}

}  // namespace artv
