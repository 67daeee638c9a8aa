// Training checkpoints: one safetensors file holds everything a run needs to continue exactly
// where it stopped (docs/TRAINING.md "Checkpoints"):
//   model.<name>   every tensor of the trained networks (trainable, frozen and buffers), fp32
//   ema.<name>     the EMA of each trainable parameter
//   optim.<name>.exp_avg / .exp_avg_sq / .step    AdamW's state per parameter
//   rng.torch      LibTorch's default CPU generator state (U8)
// and metadata: format "artv-train-1", stage, step (optimizer steps done), the training config
// and model config JSON, the data drawer's state, the CPU it ran on.
//
// Files in the run directory: latest.safetensors (replaced atomically at every checkpoint: the
// previous one survives any failure while writing) and, with keep_every, step-NNNNNNN.safetensors.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>

#include "train/parameters.h"

namespace artv {

class AdamW;
class Ema;
class SafeTensorsFile;

inline constexpr const char *kCheckpointFormat = "artv-train-1";

struct CheckpointInfo {
    int64_t step = 0;             // optimizer steps done
    std::string stage;            // "artv", "vae"
    std::string train_config;     // TrainConfig JSON
    std::string model_config;     // ModelConfig JSON
    std::string data_state;       // JSON written by the task's data drawer
    std::map<std::string, std::string> extra;  // anything else (cpu, world_size, ...)
};

// Paths in a run directory.
std::string latest_checkpoint_path(const std::string &run_dir);
std::string kept_checkpoint_path(const std::string &run_dir, int64_t step);

// Writes a checkpoint atomically (temp file, fsync, rename: h1's save_safetensors). With
// keep = true the same file is also kept as step-NNNNNNN.safetensors (a hard link when possible).
// Failures throw ARTV_ERR_IO and leave the previous file at `path` intact.
void write_checkpoint(const std::string &run_dir, const CheckpointInfo &info,
                      const NamedTensors &model, const Ema *ema, const AdamW &optimizer,
                      bool keep);

// Reads the metadata of a checkpoint; ARTV_ERR_FORMAT when the file is not a training checkpoint.
CheckpointInfo read_checkpoint_info(const SafeTensorsFile &file);

// Copies the checkpoint's "model." tensors into `model` (by name, shapes checked; every missing
// tensor is an ARTV_ERR_MODEL). ema / optimizer may be null.
void restore_checkpoint(const SafeTensorsFile &file, const NamedTensors &model, Ema *ema,
                        AdamW *optimizer);

// The RNG state entries.
NamedTensors rng_state_tensors();
void restore_rng_state(const SafeTensorsFile &file);

}  // namespace artv
