// Shared by the training tests: the test-tiny model with the tiny tokenizer, a small fixed set
// of rendered clips in memory, and a training config small enough for seconds per test.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include <torch/torch.h>

#include "data/dataset.h"
#include "data/renderer.h"
#include "data/sample_drawer.h"
#include "io/config.h"
#include "io/safetensors.h"
#include "io/tensor_io.h"
#include "model/artv_networks.h"
#include "train/artv_task.h"
#include "train/train_config.h"
#include "train/trainer.h"

namespace artv::test {

inline std::string train_srcdir() {
    const char *v = getenv("ARTV_SRCDIR");
    return (v && *v) ? v : ".";
}

inline std::string tiny_model_config_path() { return train_srcdir() + "/models/test-tiny/config.json"; }
inline ModelConfig tiny_model_config() { return load_model_config(tiny_model_config_path()); }

inline std::string tiny_tokenizer() { return train_srcdir() + "/tests/data/tiny-tokenizer.model"; }

// `clips` rendered 64x64 clips of 6 frames (objects on flat/gradient/texture backgrounds).
inline std::shared_ptr<SampleDrawer> tiny_drawer(int clips, uint64_t seed, double p_continue = 0.4,
                                                 double p_animate = 0.5, double p_t2v = 0.1) {
    RendererOptions ro;
    ro.width = ro.height = 64;
    ro.frames = 6;
    ro.camera_share = 0;
    std::vector<Clip> list;
    for (int i = 0; i < clips; ++i) {
        RenderedClip rc = render_random_clip(seed + uint64_t(i), ro);
        Clip c;
        c.frames = std::move(rc.frames);
        c.caption = rc.caption;
        c.origin = "test clip " + std::to_string(i);
        c.train_end = c.size();
        list.push_back(std::move(c));
    }
    SampleDrawerOptions so;
    so.p_continue = p_continue;
    so.p_animate = p_animate;
    so.p_t2v = p_t2v;
    so.seed = seed;
    return std::make_shared<SampleDrawer>(
        std::vector<std::shared_ptr<ClipSource>>{std::make_shared<MemorySource>(std::move(list))}, so);
}

inline TrainConfig tiny_train_config(const std::string &out_dir) {
    TrainConfig c;
    c.stage = "artv";
    c.out_dir = out_dir;
    c.seed = 7;
    c.steps = 12;
    c.batch_size = 4;
    c.lr = 2e-3;
    c.warmup_steps = 2;
    c.ema_decay = 0.9;
    c.threads = 1;  // 2 threads slow down badly when the machine is oversubscribed (make -j2 check)
    c.precision = "fp32";
    c.log_every = 4;
    c.checkpoint_every = 4;
    c.latent_cache_mb = 16;
    return c;
}

inline std::shared_ptr<ArtvNetworks> tiny_networks(uint64_t seed, const std::string &prediction = "eps") {
    ModelConfig mc = tiny_model_config();
    mc.schedule.prediction = prediction;
    return ArtvNetworks::create_random(mc, seed, torch::kCPU, torch::kFloat32, tiny_tokenizer());
}

// Every tensor of a checkpoint file, by name.
inline std::map<std::string, torch::Tensor> checkpoint_tensors(const std::string &path) {
    SafeTensorsFile f = SafeTensorsFile::open(path);
    std::map<std::string, torch::Tensor> out;
    for (const auto &v : f.tensors()) out[v.name] = to_tensor(v);
    return out;
}

}  // namespace artv::test
