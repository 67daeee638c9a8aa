// Opening a model directory for generation (what artv_model_open does): checks the directory
// and its files first, so that a wrong path gets a sentence about the path rather than a
// parser's complaint, resolves device / dtype / threads (util/device.h), then loads the
// networks read-only. One loaded model serves any number of sessions on any threads.
#pragma once

#include <memory>
#include <string>

namespace artv {

class ArtvNetworks;

struct ModelOpenOptions {
    std::string device = "auto";  // "auto", "cpu", "cuda", "cuda:N"
    std::string dtype = "auto";   // "auto", "fp32", "bf16", "fp16"
    int threads = 0;              // LibTorch CPU threads, 0 = online CPUs (process-wide!)
};

// ARTV_ERR_IO: the directory, config.json, the weights file or the tokenizer file (as named by
// config.json "files") is missing; ARTV_ERR_FORMAT / ARTV_ERR_MODEL from the config and the
// weights; ARTV_ERR_DEVICE for an unusable device or dtype; ARTV_ERR_INVALID_ARGUMENT for
// malformed options. Sets LibTorch's thread count (process-wide: the last model opened wins).
std::shared_ptr<const ArtvNetworks> open_model(const std::string &dir,
                                               const ModelOpenOptions &options);

// The file checks alone.
void check_model_dir(const std::string &dir);

}  // namespace artv
