// Reading safetensors files: the weights format of ARTV models (docs/MODEL_FORMAT.md; spec in
// the safetensors README and safetensors/src/tensor.rs).
//
// A file is: an 8-byte little-endian header length N, N bytes of UTF-8 JSON
//   {"name": {"dtype": "F32", "shape": [..], "data_offsets": [BEGIN, END]}, ..., "__metadata__": {..}}
// then the data buffer, which the offsets index (END exclusive). The reader validates every rule of
// the format before handing out a single byte, so that a malformed or hostile file yields an
// artv::Error naming the file and the offending tensor or field, never a crash.
//
// This header does not include LibTorch: turning a TensorView into a tensor is core/io/tensor_io.h.
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

namespace artv {

// The element types of the format that ARTV reads (F8 variants are not supported).
enum class DType { BOOL, U8, I8, I16, U16, I32, U32, I64, U64, F16, BF16, F32, F64 };

// "F32", "BF16", ... as spelled in the header.
const char *dtype_name(DType dtype);
// Bytes per element.
size_t dtype_size(DType dtype);
// The inverse of dtype_name; an unknown name throws ARTV_ERR_FORMAT naming it.
DType parse_dtype(const std::string &name);

// One tensor of a file: a view of bytes inside the file's contents (row-major, little-endian).
struct TensorView {
    std::string name;
    DType dtype;
    std::vector<int64_t> shape; // [] = rank 0 (one element); a 0 anywhere = zero elements
    const uint8_t *data;        // inside the file's bytes; not aligned for dtype: memcpy, never cast
    size_t nbytes;              // = numel() * dtype_size(dtype), checked on open
    int64_t numel() const;
};

// The validated contents of a whole safetensors file held in memory.
struct SafeTensorsContents {
    std::vector<TensorView> tensors; // in file order (ascending data offset)
    std::map<std::string, std::string> metadata;
};

// Validates `size` bytes of a whole file (every rule of the format) and returns views into
// `bytes`, which the caller keeps alive as long as the views. Any violation: ARTV_ERR_FORMAT, the
// message starting with `origin` (the file's path). SafeTensorsFile::open parses the bytes it read with
// this; the fuzz target (tests/fuzz/fuzz_safetensors.cpp) calls it directly.
SafeTensorsContents parse_safetensors(const uint8_t *bytes, size_t size, const std::string &origin);

// An opened, fully validated safetensors file.
//
// Lifetime: the whole file is read into memory this object owns (not mmap'd: a mapped file that
// someone truncates makes reads fault with SIGBUS), and every TensorView::data points into it, so
// the views are valid exactly as long as this object (moving it keeps them valid: the buffer
// does not move). Model loading copies tensors into LibTorch's memory (to_tensor,
// load_parameters) and drops the SafeTensorsFile right after.
class SafeTensorsFile {
public:
    // Reads and validates `path`. Missing, unreadable, a directory or not a regular file:
    // ARTV_ERR_IO. Any violation of the format: ARTV_ERR_FORMAT. Messages name the file and the
    // tensor or field at fault.
    static SafeTensorsFile open(const std::string &path);

    SafeTensorsFile(SafeTensorsFile &&other) noexcept = default;
    SafeTensorsFile &operator=(SafeTensorsFile &&other) noexcept = default;
    SafeTensorsFile(const SafeTensorsFile &) = delete;
    SafeTensorsFile &operator=(const SafeTensorsFile &) = delete;

    // All tensors, in file order (ascending data offset).
    const std::vector<TensorView> &tensors() const { return tensors_; }
    // nullptr when absent.
    const TensorView *find(const std::string &name) const;
    // Throws ARTV_ERR_MODEL "tensor 'x' not in file.safetensors" when absent.
    const TensorView &at(const std::string &name) const;
    // The "__metadata__" map (empty when the file has none).
    const std::map<std::string, std::string> &metadata() const { return metadata_; }
    const std::string &path() const { return path_; }

private:
    SafeTensorsFile() = default;

    std::string path_;
    std::unique_ptr<uint8_t[]> bytes_; // the whole file
    std::vector<TensorView> tensors_;
    std::unordered_map<std::string, size_t> index_;
    std::map<std::string, std::string> metadata_;
};

} // namespace artv
