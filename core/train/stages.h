// The stages of `artv train` (docs/TRAINING.md), each built from a TrainConfig:
//   tokenizer  sentencepiece on the captions of the training data
//   vae        the AutoencoderKL on frames of the training data
//   artv       U-Net, mask network and text encoder, with the VAE of --init-from frozen
//   export     a run's EMA weights as a model directory (config.json, model.safetensors,
//              tokenizer.model) in fp16 / bf16 / fp32
#pragma once

#include <cstdint>
#include <memory>
#include <ostream>
#include <string>

#include "train/trainer.h"

namespace artv {

class ArtvNetworks;
struct ModelConfig;

// Trains the tokenizer on the captions of config's data and writes it to out_path. Returns the
// vocabulary size.
int64_t run_tokenizer_stage(const TrainConfig &config, const std::string &out_path, std::ostream *log);

// Stage vae or artv (config.stage): builds data, networks and task, joins the process group of
// the environment (RANK, WORLD_SIZE, ...; one rank without them) and trains.
TrainOutcome run_model_stage(const TrainConfig &config, bool resume, std::ostream *log);

// The networks a fresh run of config.stage starts from: model config from config.model_config
// (else init_from's config.json), tokenizer from config.tokenizer (else init_from's), random
// weights from config.seed; for stage artv, the VAE weights and latent scale factor of
// init_from (required: the VAE is frozen, and a random one would teach nothing).
std::shared_ptr<ArtvNetworks> build_training_networks(const TrainConfig &config);

// The training frame size: config.frame_size, else the model's native short side; checked
// against the model's size multiple.
int training_frame_size(const TrainConfig &config, const ModelConfig &model);

struct ExportOptions {
    std::string checkpoint;     // a checkpoint file, or a run directory (its latest)
    std::string out_dir;        // the model directory to write
    std::string dtype = "fp16"; // fp16, bf16, fp32
    bool ema = true;            // the EMA weights (else the raw weights)
    std::string tokenizer;      // "" = the run's tokenizer
};

// Writes the model directory; returns a one-line summary. Networks the run did not train (a
// vae run's U-Net) come from the run's init_from model when it has them (same names and
// shapes), else keep random weights; the summary says which.
std::string export_model(const ExportOptions &options);

}  // namespace artv
