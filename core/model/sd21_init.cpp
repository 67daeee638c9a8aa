#include "model/sd21_init.h"

#include <algorithm>
#include <set>
#include <sstream>

#include <torch/nn/module.h>

#include "io/safetensors.h"
#include "io/tensor_io.h"
#include "model/artv_networks.h"
#include "model/text_encoder.h"
#include "model/unet.h"
#include "model/vae.h"
#include "util/error.h"

namespace artv {

namespace {


// One network's share of the checkpoint.
struct Part {
    torch::nn::Module *module;
    std::string prefix;               // in the SD checkpoint
    LoadOptions options;
    int64_t *count;
};

} // namespace

std::string InitReport::summary() const {
    std::ostringstream s;
    s << "copied from the SD2.1 checkpoint: " << unet_tensors << " U-Net, " << vae_tensors
      << " VAE, " << text_tensors << " text-encoder tensors\n"
      << "initialised: " << initialised_tensors << " tensors (ARTV additions, mask network)\n"
      << "parameters in the written model: " << parameters << "\n"
      << "ignored checkpoint keys: " << ignored.size();
    for (size_t i = 0; i < ignored.size() && i < 8; ++i) s << (i ? ", " : " (") << ignored[i];
    if (!ignored.empty()) s << (ignored.size() > 8 ? ", ...)" : ")");
    s << "\n";
    for (const auto &n : notes) s << "note: " << n << "\n";
    return s.str();
}

InitReport init_from_sd21(const std::string &sd_checkpoint, const std::string &out_dir,
                          const ModelConfig &config, const InitOptions &options) {
    InitReport report;
    auto file = SafeTensorsFile::open(sd_checkpoint);
    auto nets = ArtvNetworks::create_random(config, options.seed, torch::kCPU, torch::kFloat32,
                                            options.tokenizer);

    std::vector<Part> parts;
    {
        LoadOptions o;
        o.optional_prefixes = UNetModel::addition_prefixes();
        parts.push_back({&nets->unet(), "model.diffusion_model.", o, &report.unet_tensors});
    }
    {
        LoadOptions o;
        o.ignored_prefixes = {"loss."}; // training-only discriminator of some checkpoints
        parts.push_back({&nets->vae(), "first_stage_model.", o, &report.vae_tensors});
    }
    {
        LoadOptions o;
        // The image tower and the causal mask (a buffer in older open_clip) are not ours;
        // text_projection / logit_scale are unused by diffusion and may be absent.
        o.ignored_prefixes = {"visual.", "attn_mask"};
        o.optional_prefixes = {"text_projection", "logit_scale"};
        parts.push_back({&nets->text_encoder(), "cond_stage_model.model.", o, &report.text_tensors});
    }
    {
        // Every network's problems in one error, so one run shows everything that does not fit.
        torch::NoGradGuard no_grad;
        std::string problems;
        for (auto &p : parts) {
            try {
                load_parameters(*p.module, file, p.prefix, p.options);
            } catch (const Error &e) {
                if (e.status() != ARTV_ERR_MODEL) throw;
                problems += std::string(problems.empty() ? "" : "\n") + e.what();
            }
        }
        if (!problems.empty())
            throw_model(sd_checkpoint + " does not fit the model config " + config.name + ":\n" + problems);
    }

    // What was copied, what the checkpoint had that we do not use.
    std::set<std::string> used;
    for (auto &p : parts) {
        for (const auto &kv : named_tensors(*p.module, p.prefix))
            if (file.find(kv.first)) {
                used.insert(kv.first);
                ++*p.count;
            }
    }
    for (const auto &t : file.tensors())
        if (!used.count(t.name)) report.ignored.push_back(t.name);
    const int64_t total_tensors = static_cast<int64_t>(named_tensors(nets->modules()).size());
    report.initialised_tensors = total_tensors - static_cast<int64_t>(used.size());
    report.parameters = nets->parameter_count();

    if (!nets->has_tokenizer())
        report.notes.push_back("no tokenizer written: put a sentencepiece model at " + out_dir + "/" +
                               config.files.tokenizer + " before loading (SD2.1's OpenCLIP BPE "
                               "vocabulary is not a sentencepiece model)");
    nets->save(out_dir, options.dtype);
    return report;
}

} // namespace artv
