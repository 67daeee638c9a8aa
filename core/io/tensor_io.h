// Between safetensors files and LibTorch: tensors out of a file, modules' parameters in by name,
// and an atomic writer. (core/io/safetensors.h reads files without LibTorch.)
#pragma once

#include <map>
#include <string>
#include <utility>
#include <vector>

#include <torch/nn/module.h>

#include "io/safetensors.h"

namespace artv {

// A tensor that owns a copy of the view's bytes (so it outlives the file), converted to `dtype`
// when given (else the file's type; U16/U32 widen to int32/int64, U64 to int64 when it fits).
torch::Tensor to_tensor(const TensorView &view, c10::optional<torch::ScalarType> dtype = {});

// Writes tensors and metadata as a safetensors file: tensors packed contiguously in the order
// of the reference writer (descending dtype size, then name), the header padded with spaces to a
// multiple of 8 so the data is 8-byte aligned. Tensors may be on any device and non-contiguous.
// Atomic: the bytes go to a temporary file in the same directory, which is fsync'ed and renamed
// over `path` (then the directory is fsync'ed). On any failure (ENOSPC, EFBIG, permissions, the
// directory vanishing) the temporary is removed, the previous file at `path` is left intact, and
// ARTV_ERR_IO is thrown with the system's reason. Duplicate or reserved names and unsupported
// tensor types are ARTV_ERR_INVALID_ARGUMENT.
void save_safetensors(const std::string &path,
                      const std::vector<std::pair<std::string, torch::Tensor>> &tensors,
                      const std::map<std::string, std::string> &metadata = {});

struct LoadOptions {
    // Keys under the prefix that the module does not have are ignored instead of reported.
    bool allow_unexpected = false;
    // Module tensors whose name (without the prefix) starts with one of these may be absent
    // from the file; they keep their initial values.
    std::vector<std::string> optional_prefixes;
    // File keys (without the prefix) starting with one of these are neither loaded nor reported
    // as unexpected (e.g. "io." for the oracle files' inputs and outputs).
    std::vector<std::string> ignored_prefixes;
};

// Copies the file's tensors into module.named_parameters() and named_buffers(), matched by
// dotted name: the file key is prefix + name (prefix "model.diffusion_model." for an SD
// checkpoint's U-Net). Each is converted to its parameter's dtype and device. Every missing,
// unexpected and wrong-shaped tensor is collected into one ARTV_ERR_MODEL error that lists them
// all (first 50 lines). Everything is checked before the first tensor is copied, so a mismatch
// leaves the module unchanged.
void load_parameters(torch::nn::Module &module, const SafeTensorsFile &file,
                     const std::string &prefix = "", const LoadOptions &opts = {});

// The module's parameters and buffers as (prefix + dotted name, tensor), for save_safetensors.
std::vector<std::pair<std::string, torch::Tensor>> named_tensors(const torch::nn::Module &module,
                                                                 const std::string &prefix = "");

} // namespace artv
