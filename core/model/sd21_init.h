// Building ARTV weights from a Stable Diffusion 2.1 original checkpoint (.safetensors):
// "model.diffusion_model.*" -> the eps U-Net, "first_stage_model.*" -> the VAE,
// "cond_stage_model.model.*" (the text tower's keys only) -> the text encoder, by name, with no
// renaming (the networks mirror SD's names). The ARTV additions start with zero output layers
// (so the result computes SD2.1's output exactly) and the mask network is random.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <c10/core/ScalarType.h>
#include <c10/util/Optional.h>

#include "io/config.h"

namespace artv {

struct InitOptions {
    uint64_t seed = 0;          // initialisation of the additions and the mask network
    std::string tokenizer;      // sentencepiece model to write next to the weights ("" = none)
    c10::optional<c10::ScalarType> dtype; // of the written weights (default fp32)
};

struct InitReport {
    int64_t unet_tensors = 0, vae_tensors = 0, text_tensors = 0; // copied from the checkpoint
    int64_t initialised_tensors = 0; // additions + mask network (+ text tensors the file lacks)
    int64_t parameters = 0;          // in the written model
    std::vector<std::string> ignored; // checkpoint keys not used (schedule buffers, EMA, visual tower...)
    std::vector<std::string> notes;   // e.g. "no tokenizer written"
    std::string summary() const;      // a few lines for people
};

// Reads `sd_checkpoint`, checks that it fits `config` (every missing and wrong-shaped tensor in
// one ARTV_ERR_MODEL error), writes out_dir/config.json and the weights file. 
InitReport init_from_sd21(const std::string &sd_checkpoint, const std::string &out_dir,
                          const ModelConfig &config, const InitOptions &options = {});

} // namespace artv
