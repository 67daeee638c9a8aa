#include "train/stages.h"

#include <torch/torch.h>

#include <filesystem>
#include <iostream>
#include <optional>
#include <set>

#include "io/config.h"
#include "io/safetensors.h"
#include "io/tensor_io.h"
#include "model/artv_networks.h"
#include "model/vae.h"
#include "train/artv_task.h"
#include "train/checkpoint.h"
#include "train/distributed.h"
#include "train/tokenizer_training.h"
#include "train/training_data.h"
#include "train/vae_task.h"
#include "util/device.h"
#include "util/error.h"

namespace artv {

namespace fs = std::filesystem;

namespace {

std::function<void(const std::string &)> reporter(std::ostream *log) {
    return [log](const std::string &line) {
        if (log) *log << "data: " << line << std::endl;
    };
}

// A model directory's config.json, and its weights file as that config names it.
ModelConfig model_dir_config(const std::string &dir) {
    return load_model_config((fs::path(dir) / "config.json").string());
}
SafeTensorsFile open_model_weights(const std::string &dir, const ModelConfig &mc) {
    return SafeTensorsFile::open((fs::path(dir) / mc.files.weights).string());
}

ModelConfig training_model_config(const TrainConfig &c) {
    if (!c.model_config.empty()) return load_model_config(c.model_config);
    if (!c.init_from.empty()) return model_dir_config(c.init_from);
    throw_invalid("stage " + c.stage + " needs --model-config FILE (or --init-from MODEL_DIR)");
}

std::string tokenizer_path(const TrainConfig &c, const ModelConfig &mc) {
    if (!c.tokenizer.empty()) {
        if (!fs::exists(c.tokenizer)) throw_io("tokenizer " + c.tokenizer + " does not exist");
        return c.tokenizer;
    }
    if (!c.init_from.empty()) {
        fs::path p = fs::path(c.init_from) / mc.files.tokenizer;
        if (fs::exists(p)) return p.string();
    }
    return "";
}

// What the model config records about training (inference reads it back).
void record_training(ModelConfig &mc, const TrainConfig &c) {
    mc.training.max_noise_level = static_cast<int>(c.max_noise_level);
    mc.training.drop_ref = c.p_drop_refs;
    mc.training.drop_anchor = c.p_drop_anchor;
    mc.training.drop_text = c.p_drop_text;
    mc.training.anchor_window = static_cast<int>(c.anchor_window);
}

// The model config with the latent scale factor of the model whose VAE a run starts from.
ModelConfig with_scale_factor(ModelConfig mc, const ModelConfig &vae_source) {
    mc.latent.scale_factor = vae_source.latent.scale_factor;
    return mc;
}

}  // namespace

int training_frame_size(const TrainConfig &c, const ModelConfig &mc) {
    const int size = c.frame_size > 0 ? static_cast<int>(c.frame_size) : mc.sampling.native_short_side;
    const int mult = mc.size_multiple();
    if (size <= 0 || size % mult != 0)
        throw_invalid("frame size " + std::to_string(size) + " must be a positive multiple of " +
                      std::to_string(mult) + " for this model");
    return size;
}

std::shared_ptr<ArtvNetworks> build_training_networks(const TrainConfig &c) {
    ModelConfig mc = training_model_config(c);
    record_training(mc, c);
    const std::string tok = tokenizer_path(c, mc);
    if (c.init_from.empty()) {
        if (c.stage == "artv")
            throw_invalid("stage artv trains with a frozen VAE: give --init-from MODEL_DIR (the "
                          "export of an `artv train vae` run)");
        // Initialised on the CPU, so that a seed gives the same weights on every device.
        auto nets = ArtvNetworks::create_random(mc, c.seed, torch::kCPU, torch::kFloat32, tok);
        nets->to(resolve_device(c.device), torch::kFloat32);
        return nets;
    }
    // Stage artv: the frozen VAE of init_from (with init_all, every network); stage vae: going
    // on with init_from's VAE (all of it, or the decoder alone).
    const ModelConfig init_mc = model_dir_config(c.init_from);
    auto nets = ArtvNetworks::create_random(with_scale_factor(mc, init_mc), c.seed, torch::kCPU,
                                            torch::kFloat32, tok);
    SafeTensorsFile weights = open_model_weights(c.init_from, init_mc);
    if (c.stage == "artv" && c.init_all) {
        // An addition the run's config turns on and init_from's lacks starts from its own
        // (zero-output) initialisation: the exported model's outputs are unchanged at step 0.
        LoadOptions lo;
        if (mc.artv.motion_embed && !init_mc.artv.motion_embed)
            lo.optional_prefixes = {"unet.motion_embed.", "mask.motion_embed."};
        load_parameters(nets->modules(), weights, "", lo);
    } else {
        LoadOptions lo;
        lo.allow_unexpected = true;  // the other networks
        load_parameters(nets->vae(), weights, "vae.", lo);
    }
    nets->to(resolve_device(c.device), torch::kFloat32);
    return nets;
}

int64_t run_tokenizer_stage(const TrainConfig &c, const std::string &out_path, std::ostream *log) {
    // Captions do not depend on the frame size; the smallest valid one keeps it cheap. Clips
    // decoded at that size are of no use to the other stages: no cache unless one is named.
    TrainConfig tc = c;
    if (tc.data_cache.empty()) tc.data_cache = "none";
    TrainingData data = make_training_data(tc, 64, 64, reporter(log));
    std::vector<std::string> captions = training_captions(data);
    TokenizerTrainOptions o;
    o.vocab_size = c.vocab_size;
    o.model_type = c.spm_model_type;
    const int64_t n = train_tokenizer(captions, o, out_path);
    if (log)
        *log << "tokenizer: " << n << " pieces from " << captions.size() << " captions -> " << out_path
             << std::endl;
    return n;
}

TrainOutcome run_model_stage(const TrainConfig &c, bool resume, std::ostream *log) {
    Distributed dist(distributed_options_from_environment());
    std::ostream *main_log = dist.is_main() ? log : nullptr;
    auto nets = build_training_networks(c);
    const int size = training_frame_size(c, nets->config());
    TrainingData data = make_training_data(c, size, size, reporter(main_log));
    std::unique_ptr<TrainTask> task;
    if (c.stage == "artv")
        task = std::make_unique<ArtvTask>(c, nets, data.drawer, data.description);
    else
        task = std::make_unique<VaeTask>(c, nets, data.drawer, data.description);
    TrainRunOptions ro;
    ro.resume = resume;
    ro.log = main_log;
    return run_training(c, *task, dist, ro);
}

std::string export_model(const ExportOptions &o) {
    std::string path = o.checkpoint;
    if (fs::is_directory(path)) path = latest_checkpoint_path(path);
    SafeTensorsFile file = SafeTensorsFile::open(path);
    CheckpointInfo info = read_checkpoint_info(file);
    ModelConfig mc = parse_model_config(info.model_config, path + " (model_config)");
    TrainConfig tc;
    apply_train_config_json(tc, info.train_config, path + " (train_config)");
    record_training(mc, tc);
    std::string tok = o.tokenizer.empty() ? tc.tokenizer : o.tokenizer;
    if (tok.empty() && !tc.init_from.empty()) {
        fs::path p = fs::path(tc.init_from) / mc.files.tokenizer;
        if (fs::exists(p)) tok = p.string();
    }
    if (!tok.empty() && !fs::exists(tok)) throw_io("tokenizer " + tok + " does not exist");

    auto nets = ArtvNetworks::create_random(mc, 0, torch::kCPU, torch::kFloat32, tok);
    // Networks the run did not train come from the model it started from (e.g. the U-Net of a
    // model whose VAE decoder a vae run went on with), when that model has them.
    std::optional<SafeTensorsFile> init_weights;
    if (!tc.init_from.empty() && fs::exists(fs::path(tc.init_from) / "config.json"))
        init_weights = open_model_weights(tc.init_from, model_dir_config(tc.init_from));
    torch::NoGradGuard no_grad;
    int64_t from_ema = 0, from_model = 0, from_init = 0, untrained = 0;
    std::set<std::string> untrained_nets, init_nets;
    for (auto &[name, t] : named_tensors(nets->modules())) {
        const TensorView *v = o.ema ? file.find("ema." + name) : nullptr;
        if (v) ++from_ema;
        else if ((v = file.find("model." + name))) ++from_model;
        else if (init_weights && (v = init_weights->find(name)) && v->shape == t.sizes().vec()) {
            ++from_init;
            init_nets.insert(name.substr(0, name.find('.')));
        } else {
            ++untrained;
            untrained_nets.insert(name.substr(0, name.find('.')));
            continue;
        }
        torch::Tensor src = to_tensor(*v, t.scalar_type());
        if (src.sizes() != t.sizes()) throw_model(path + ": tensor " + name + " has the wrong shape");
        t.copy_(src);
    }
    torch::ScalarType dtype = o.dtype == "fp32" ? torch::kFloat32
                              : o.dtype == "bf16" ? torch::kBFloat16
                              : o.dtype == "fp16" ? torch::kFloat16
                                                  : (throw_invalid("export dtype must be fp16, bf16 or fp32"), torch::kFloat32);
    nets->save(o.out_dir, dtype);
    std::string summary = "exported step " + std::to_string(info.step) + " of stage " + info.stage +
                          " to " + o.out_dir + " (" + o.dtype + "): " + std::to_string(from_ema) +
                          " tensors from the EMA, " + std::to_string(from_model) + " from the weights";
    if (from_init) {
        summary += "; " + std::to_string(from_init) + " not trained by this run from " + tc.init_from + ":";
        for (const auto &n : init_nets) summary += " " + n;
    }
    if (untrained) {
        summary += "; not trained by this run, left random:";
        for (const auto &n : untrained_nets) summary += " " + n;
    }
    if (tok.empty()) summary += "; no tokenizer";
    return summary;
}

}  // namespace artv
