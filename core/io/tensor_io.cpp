// Between safetensors files and LibTorch (see tensor_io.h).
#include "io/tensor_io.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <bit>
#include <cerrno>
#include <cstring>
#include <limits>
#include <set>
#include <unordered_set>

#include <nlohmann/json.hpp>
#include <torch/types.h>

#include "util/error.h"

// The format is little-endian; tensors are copied byte for byte.
static_assert(std::endian::native == std::endian::little, "big-endian hosts are not supported");

namespace artv {

namespace {

std::string shape_string(c10::IntArrayRef shape) {
    std::string s = "[";
    for (size_t i = 0; i < shape.size(); i++) s += (i ? ", " : "") + std::to_string(shape[i]);
    return s + "]";
}

// The LibTorch type a file dtype is read into (unsigned types LibTorch 1.13 lacks are widened).
torch::ScalarType scalar_type_of(DType d) {
    switch (d) {
    case DType::BOOL: return torch::kBool;
    case DType::U8: return torch::kByte;
    case DType::I8: return torch::kChar;
    case DType::I16: return torch::kShort;
    case DType::U16: return torch::kInt;
    case DType::I32: return torch::kInt;
    case DType::U32: return torch::kLong;
    case DType::I64: return torch::kLong;
    case DType::U64: return torch::kLong;
    case DType::F16: return torch::kHalf;
    case DType::BF16: return torch::kBFloat16;
    case DType::F32: return torch::kFloat;
    case DType::F64: return torch::kDouble;
    }
    throw_error(ARTV_ERR_INTERNAL, "unhandled DType");
}

// The file dtype a tensor is written as.
DType dtype_of(const std::string &name, torch::ScalarType s) {
    switch (s) {
    case torch::kBool: return DType::BOOL;
    case torch::kByte: return DType::U8;
    case torch::kChar: return DType::I8;
    case torch::kShort: return DType::I16;
    case torch::kInt: return DType::I32;
    case torch::kLong: return DType::I64;
    case torch::kHalf: return DType::F16;
    case torch::kBFloat16: return DType::BF16;
    case torch::kFloat: return DType::F32;
    case torch::kDouble: return DType::F64;
    default:
        throw_invalid("tensor '" + name + "' has type " + std::string(c10::toString(s)) +
                      ", which cannot be stored in a safetensors file");
    }
}

// Widens an unsigned file type element by element (memcpy: the data is not aligned).
template <class From, class To>
void widen(const TensorView &v, torch::Tensor &t) {
    To *out = t.data_ptr<To>();
    for (int64_t i = 0; i < v.numel(); i++) {
        From x;
        std::memcpy(&x, v.data + i * sizeof(From), sizeof(From));
        if constexpr (sizeof(From) == sizeof(To))
            if (x > static_cast<From>(std::numeric_limits<To>::max()))
                throw_format("tensor '" + v.name + "': U64 value " + std::to_string(x) +
                             " does not fit the int64 it is read into");
        out[i] = static_cast<To>(x);
    }
}

bool starts_with_any(const std::string &s, const std::vector<std::string> &prefixes) {
    return std::any_of(prefixes.begin(), prefixes.end(),
                       [&](const std::string &p) { return s.rfind(p, 0) == 0; });
}

std::string sys_error(const std::string &path, const char *step, int err) {
    return "cannot write weights file '" + path + "': " + step + ": " + std::strerror(err);
}

void write_all(int fd, const void *data, size_t n, const std::string &path) {
    const auto *p = static_cast<const uint8_t *>(data);
    while (n > 0) {
        const ssize_t w = ::write(fd, p, std::min<size_t>(n, size_t(1) << 30));
        if (w < 0) {
            if (errno == EINTR) continue;
            throw_io(sys_error(path, "write", errno));
        }
        p += w;
        n -= static_cast<size_t>(w);
    }
}

// A temporary file next to the target that is removed unless commit() renamed it into place.
class AtomicFile {
public:
    explicit AtomicFile(const std::string &path) : path_(path) {
        static std::atomic<unsigned> counter{0};
        const size_t slash = path.rfind('/');
        dir_ = slash == std::string::npos ? "." : slash == 0 ? "/" : path.substr(0, slash);
        const std::string base = slash == std::string::npos ? path : path.substr(slash + 1);
        for (int attempt = 0; fd_ < 0; attempt++) {
            tmp_ = dir_ + "/." + base + ".tmp-" + std::to_string(::getpid()) + "-" +
                   std::to_string(counter++);
            // 0666 & ~umask, like any file the user creates (mkstemp would force 0600).
            fd_ = ::open(tmp_.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
            if (fd_ < 0 && (errno != EEXIST || attempt > 100))
                throw_io(sys_error(path, "create a temporary file in its directory", errno));
        }
    }
    ~AtomicFile() {
        if (fd_ >= 0) ::close(fd_);
        if (!committed_) ::unlink(tmp_.c_str());
    }
    int fd() const { return fd_; }

    void commit() {
        if (::fsync(fd_) != 0) throw_io(sys_error(path_, "fsync", errno));
        const int fd = fd_;
        fd_ = -1;
        if (::close(fd) != 0) throw_io(sys_error(path_, "close", errno));
        if (::rename(tmp_.c_str(), path_.c_str()) != 0) throw_io(sys_error(path_, "rename", errno));
        committed_ = true;
        // Make the rename itself durable. Best effort: the new file is already in place, and
        // some file systems refuse fsync on directories.
        const int dfd = ::open(dir_.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (dfd >= 0) {
            (void)::fsync(dfd);
            ::close(dfd);
        }
    }

private:
    std::string path_, dir_, tmp_;
    int fd_ = -1;
    bool committed_ = false;
};

} // namespace

torch::Tensor to_tensor(const TensorView &view, c10::optional<torch::ScalarType> dtype) {
    torch::Tensor t = torch::empty(view.shape, torch::dtype(scalar_type_of(view.dtype)));
    switch (view.dtype) {
    case DType::U16: widen<uint16_t, int32_t>(view, t); break;
    case DType::U32: widen<uint32_t, int64_t>(view, t); break;
    case DType::U64: widen<uint64_t, int64_t>(view, t); break;
    case DType::BOOL:
        // A bool byte other than 0/1 is undefined behaviour in LibTorch's kernels.
        for (size_t i = 0; i < view.nbytes; i++)
            if (view.data[i] > 1)
                throw_format("tensor '" + view.name + "': BOOL byte " + std::to_string(i) +
                             " is " + std::to_string(view.data[i]) + ", not 0 or 1");
        [[fallthrough]];
    default:
        if (view.nbytes > 0) std::memcpy(t.data_ptr(), view.data, view.nbytes);
    }
    if (dtype && *dtype != t.scalar_type()) t = t.to(*dtype);
    return t;
}

void save_safetensors(const std::string &path,
                      const std::vector<std::pair<std::string, torch::Tensor>> &tensors,
                      const std::map<std::string, std::string> &metadata) {
    struct Item {
        const std::string *name;
        DType dtype;
        torch::Tensor data; // CPU, contiguous
    };
    std::vector<Item> items;
    items.reserve(tensors.size());
    std::unordered_set<std::string> names;
    for (const auto &[name, t] : tensors) {
        if (name == "__metadata__") throw_invalid("'__metadata__' is reserved, not a tensor name");
        if (!t.defined()) throw_invalid("tensor '" + name + "' is undefined");
        if (!names.insert(name).second) throw_invalid("duplicate tensor name '" + name + "'");
        items.push_back({&name, dtype_of(name, t.scalar_type()), t.detach().cpu().contiguous()});
    }
    // The reference writer's order (safetensors `prepare`): larger elements first, then by name.
    std::sort(items.begin(), items.end(), [](const Item &a, const Item &b) {
        const size_t sa = dtype_size(a.dtype), sb = dtype_size(b.dtype);
        return sa != sb ? sa > sb : *a.name < *b.name;
    });

    nlohmann::ordered_json header = nlohmann::ordered_json::object();
    if (!metadata.empty()) header["__metadata__"] = metadata;
    uint64_t offset = 0;
    for (const Item &it : items) {
        const uint64_t nbytes = it.data.numel() * dtype_size(it.dtype);
        header[*it.name] = {{"dtype", dtype_name(it.dtype)},
                            {"shape", it.data.sizes().vec()},
                            {"data_offsets", {offset, offset + nbytes}}};
        offset += nbytes;
    }
    std::string json = header.dump();
    json.append((8 - json.size() % 8) % 8, ' '); // data starts 8-byte aligned
    uint8_t length[8];
    for (int i = 0; i < 8; i++) length[i] = static_cast<uint8_t>(uint64_t(json.size()) >> (8 * i));

    AtomicFile out(path);
    write_all(out.fd(), length, sizeof length, path);
    write_all(out.fd(), json.data(), json.size(), path);
    for (const Item &it : items)
        if (it.data.numel() > 0)
            write_all(out.fd(), it.data.data_ptr(), it.data.numel() * dtype_size(it.dtype), path);
    out.commit();
}

void load_parameters(torch::nn::Module &module, const SafeTensorsFile &file,
                     const std::string &prefix, const LoadOptions &opts) {
    struct Match {
        torch::Tensor target;
        const TensorView *view;
    };
    std::vector<Match> matches;
    std::vector<std::string> problems;
    size_t missing = 0, unexpected = 0, wrong_shape = 0;
    std::set<std::string> consumed;

    const auto visit = [&](const std::string &name, const torch::Tensor &t) {
        if (!t.defined()) return;
        const std::string key = prefix + name;
        const TensorView *v = file.find(key);
        consumed.insert(key);
        if (!v) {
            if (starts_with_any(name, opts.optional_prefixes)) return;
            problems.push_back("missing: " + key + " " + shape_string(t.sizes()));
            missing++;
        } else if (c10::IntArrayRef(v->shape) != t.sizes()) {
            problems.push_back("wrong shape: " + key + ": file " + shape_string(v->shape) +
                               ", module " + shape_string(t.sizes()));
            wrong_shape++;
        } else {
            matches.push_back({t, v});
        }
    };
    for (const auto &p : module.named_parameters(/*recurse=*/true)) visit(p.key(), p.value());
    for (const auto &b : module.named_buffers(/*recurse=*/true)) visit(b.key(), b.value());

    if (!opts.allow_unexpected) {
        for (const TensorView &v : file.tensors()) {
            if (v.name.rfind(prefix, 0) != 0 || consumed.count(v.name)) continue;
            if (starts_with_any(v.name.substr(prefix.size()), opts.ignored_prefixes)) continue;
            problems.push_back("unexpected: " + v.name + " " + shape_string(v.shape) + " " +
                               dtype_name(v.dtype));
            unexpected++;
        }
    }

    if (!problems.empty()) {
        constexpr size_t kMaxLines = 50;
        std::string msg = file.path() + " does not match " + module.name() +
                          (prefix.empty() ? std::string() : " (keys under '" + prefix + "')") +
                          ": " + std::to_string(missing) + " missing, " +
                          std::to_string(unexpected) + " unexpected, " +
                          std::to_string(wrong_shape) + " wrong shape";
        for (size_t i = 0; i < problems.size() && i < kMaxLines; i++) msg += "\n  " + problems[i];
        if (problems.size() > kMaxLines)
            msg += "\n  … and " + std::to_string(problems.size() - kMaxLines) + " more";
        throw_model(msg);
    }

    torch::NoGradGuard no_grad;
    for (Match &m : matches) m.target.copy_(to_tensor(*m.view, m.target.scalar_type()));
}

std::vector<std::pair<std::string, torch::Tensor>> named_tensors(const torch::nn::Module &module,
                                                                 const std::string &prefix) {
    std::vector<std::pair<std::string, torch::Tensor>> out;
    for (const auto &p : module.named_parameters(/*recurse=*/true))
        if (p.value().defined()) out.emplace_back(prefix + p.key(), p.value().detach());
    for (const auto &b : module.named_buffers(/*recurse=*/true))
        if (b.value().defined()) out.emplace_back(prefix + b.key(), b.value().detach());
    return out;
}

} // namespace artv
