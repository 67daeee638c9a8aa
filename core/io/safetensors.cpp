// Reading safetensors files: read into owned memory + strict validation (see safetensors.h for
// the format and the rules; they follow safetensors/src/tensor.rs, `SafeTensors::deserialize` /
// `validate`).
#include "io/safetensors.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <limits>
#include <sstream>
#include <unordered_set>

#include <nlohmann/json.hpp>

#include "util/error.h"

namespace artv {

namespace {

// The format's own bound on the header (safetensors: MAX_HEADER_SIZE).
constexpr uint64_t kMaxHeaderSize = 100'000'000;

struct DTypeInfo {
    DType dtype;
    const char *name;
    size_t size;
};

constexpr DTypeInfo kDTypes[] = {
    {DType::BOOL, "BOOL", 1}, {DType::U8, "U8", 1},     {DType::I8, "I8", 1},
    {DType::I16, "I16", 2},   {DType::U16, "U16", 2},   {DType::I32, "I32", 4},
    {DType::U32, "U32", 4},   {DType::I64, "I64", 8},   {DType::U64, "U64", 8},
    {DType::F16, "F16", 2},   {DType::BF16, "BF16", 2}, {DType::F32, "F32", 4},
    {DType::F64, "F64", 8},
};

const DTypeInfo &info(DType dtype) {
    for (const auto &i : kDTypes)
        if (i.dtype == dtype) return i;
    throw_error(ARTV_ERR_INTERNAL, "unknown DType value " + std::to_string(static_cast<int>(dtype)));
}

std::string shape_string(const std::vector<int64_t> &shape) {
    std::string s = "[";
    for (size_t i = 0; i < shape.size(); i++) s += (i ? ", " : "") + std::to_string(shape[i]);
    return s + "]";
}

// Closes a file descriptor on every path out of open().
struct Fd {
    int fd;
    ~Fd() {
        if (fd >= 0) ::close(fd);
    }
};

// nlohmann::json merges duplicate object keys silently (the last one wins); the format forbids
// duplicate tensor names, so the parser callback records the first duplicate key at any depth.
class DuplicateKeyFinder {
public:
    bool operator()(int depth, nlohmann::json::parse_event_t event, nlohmann::json &parsed) {
        using E = nlohmann::json::parse_event_t;
        switch (event) {
        case E::object_start:
            keys_.emplace_back();
            break;
        case E::object_end:
            if (!keys_.empty()) keys_.pop_back();
            break;
        case E::key:
            if (!keys_.empty() && !keys_.back().insert(parsed.get<std::string>()).second &&
                duplicate_.empty()) {
                duplicate_ = parsed.get<std::string>();
                duplicate_depth_ = depth;
            }
            break;
        default:
            break;
        }
        return true;
    }
    const std::string &duplicate() const { return duplicate_; }
    int duplicate_depth() const { return duplicate_depth_; }

private:
    std::vector<std::unordered_set<std::string>> keys_;
    std::string duplicate_;
    int duplicate_depth_ = 0;
};

// A JSON number that is a non-negative integer (not a float, not negative), as uint64.
bool as_u64(const nlohmann::json &j, uint64_t &out) {
    if (j.is_number_unsigned()) {
        out = j.get<uint64_t>();
        return true;
    }
    if (j.is_number_integer() && j.get<int64_t>() >= 0) {
        out = static_cast<uint64_t>(j.get<int64_t>());
        return true;
    }
    return false;
}

struct Entry {
    TensorView view;
    uint64_t begin, end;
};

} // namespace

const char *dtype_name(DType dtype) { return info(dtype).name; }
size_t dtype_size(DType dtype) { return info(dtype).size; }

DType parse_dtype(const std::string &name) {
    for (const auto &i : kDTypes)
        if (name == i.name) return i.dtype;
    std::string known;
    for (const auto &i : kDTypes) known += std::string(known.empty() ? "" : ", ") + i.name;
    throw_format("unknown dtype '" + name + "' (supported: " + known + ")");
}

int64_t TensorView::numel() const {
    int64_t n = 1;
    for (int64_t d : shape) n *= d; // every partial product checked on open: cannot overflow
    return n;
}

SafeTensorsContents parse_safetensors(const uint8_t *bytes, size_t size,
                                      const std::string &origin) {
    const auto fail = [&](const std::string &what) { throw_format(origin + ": " + what); };

    const uint64_t file_size = size;
    if (file_size < 8)
        fail("truncated: " + std::to_string(file_size) +
             " bytes, shorter than the 8-byte header length that starts the format");

    uint64_t header_size = 0;
    for (int i = 7; i >= 0; i--) header_size = (header_size << 8) | bytes[i]; // little-endian
    if (header_size > kMaxHeaderSize)
        fail("header length " + std::to_string(header_size) + " exceeds the format's limit of " +
             std::to_string(kMaxHeaderSize) + " bytes (not a safetensors file?)");
    if (header_size > file_size - 8)
        fail("header length " + std::to_string(header_size) + " runs past the end of the file (" +
             std::to_string(file_size) + " bytes): truncated or not a safetensors file");

    const char *header_begin = reinterpret_cast<const char *>(bytes + 8);
    DuplicateKeyFinder duplicates;
    nlohmann::json header;
    try {
        header = nlohmann::json::parse(header_begin, header_begin + header_size, std::ref(duplicates));
    } catch (const nlohmann::json::exception &e) {
        fail(std::string("header is not valid JSON: ") + e.what());
    }
    if (!duplicates.duplicate().empty()) {
        if (duplicates.duplicate_depth() <= 1)
            fail("duplicate tensor name '" + duplicates.duplicate() + "' in the header");
        fail("duplicate key '" + duplicates.duplicate() + "' in the header");
    }
    if (!header.is_object()) fail("header is not a JSON object");

    SafeTensorsContents contents;
    const uint64_t data_size = file_size - 8 - header_size;
    const uint8_t *data = bytes + 8 + header_size;
    std::vector<Entry> entries;
    entries.reserve(header.size());
    for (auto it = header.begin(); it != header.end(); ++it) {
        const std::string &name = it.key();
        const nlohmann::json &value = it.value();
        if (name == "__metadata__") {
            if (value.is_null()) continue;
            if (!value.is_object()) fail("__metadata__ must be an object of strings");
            for (auto m = value.begin(); m != value.end(); ++m) {
                if (!m.value().is_string())
                    fail("__metadata__ entry '" + m.key() + "' is not a string (" +
                         m.value().type_name() + ")");
                contents.metadata[m.key()] = m.value().get<std::string>();
            }
            continue;
        }
        const auto bad = [&](const std::string &what) { fail("tensor '" + name + "': " + what); };
        if (!value.is_object()) bad("entry must be an object with dtype, shape and data_offsets");
        for (auto field = value.begin(); field != value.end(); ++field)
            if (field.key() != "dtype" && field.key() != "shape" && field.key() != "data_offsets")
                bad("unknown field '" + field.key() + "'");

        Entry e{};
        e.view.name = name;
        const auto dtype = value.find("dtype");
        if (dtype == value.end()) bad("missing field 'dtype'");
        if (!dtype->is_string()) bad("'dtype' must be a string");
        try {
            e.view.dtype = parse_dtype(dtype->get<std::string>());
        } catch (const Error &err) {
            bad(err.what());
        }

        const auto shape = value.find("shape");
        if (shape == value.end()) bad("missing field 'shape'");
        if (!shape->is_array()) bad("'shape' must be an array of non-negative integers");
        // The element count must fit int64 at every step of the product, as TensorView::numel
        // and LibTorch compute it (a later 0 does not undo an overflow), and the byte count must
        // fit 64 bits; whether the bytes are there is checked against data_offsets below.
        int64_t numel = 1;
        bool too_big = false;
        for (const auto &d : *shape) {
            uint64_t dim;
            if (!as_u64(d, dim) || dim > static_cast<uint64_t>(std::numeric_limits<int64_t>::max()))
                bad("'shape' must be an array of non-negative integers, got " + shape->dump());
            e.view.shape.push_back(static_cast<int64_t>(dim));
            if (__builtin_mul_overflow(numel, static_cast<int64_t>(dim), &numel)) too_big = true;
        }
        uint64_t nbytes = 0;
        if (too_big ||
            __builtin_mul_overflow(static_cast<uint64_t>(numel), dtype_size(e.view.dtype), &nbytes))
            bad("shape " + shape_string(e.view.shape) + " of " + dtype_name(e.view.dtype) +
                " has too many elements: its element or byte count overflows 64 bits");

        const auto offsets = value.find("data_offsets");
        if (offsets == value.end()) bad("missing field 'data_offsets'");
        if (!offsets->is_array() || offsets->size() != 2 || !as_u64((*offsets)[0], e.begin) ||
            !as_u64((*offsets)[1], e.end))
            bad("'data_offsets' must be [BEGIN, END], two non-negative integers, got " +
                offsets->dump());
        if (e.end < e.begin)
            bad("data_offsets " + offsets->dump() + " end before they begin");
        if (e.end > data_size)
            bad("data_offsets " + offsets->dump() + " run past the end of the data buffer (" +
                std::to_string(data_size) + " bytes): file truncated?");
        if (e.end - e.begin != nbytes)
            bad("data_offsets " + offsets->dump() + " hold " + std::to_string(e.end - e.begin) +
                " bytes, but shape " + shape_string(e.view.shape) + " of " +
                dtype_name(e.view.dtype) + " needs " + std::to_string(nbytes));
        e.view.nbytes = static_cast<size_t>(nbytes);
        e.view.data = data + e.begin;
        entries.push_back(std::move(e));
    }

    // Tensors must tile the data buffer exactly: sorted by offset, contiguous from 0, no holes,
    // no overlap, and the last one ends at the end of the file.
    std::stable_sort(entries.begin(), entries.end(), [](const Entry &a, const Entry &b) {
        return a.begin != b.begin ? a.begin < b.begin : a.end < b.end;
    });
    uint64_t expected = 0;
    const Entry *previous = nullptr;
    for (const Entry &e : entries) {
        const std::string range =
            "[" + std::to_string(e.begin) + ", " + std::to_string(e.end) + ")";
        if (e.begin < expected)
            fail("tensor '" + e.view.name + "' at " + range + " overlaps tensor '" +
                 previous->view.name + "' ending at " + std::to_string(expected));
        if (e.begin > expected)
            fail("tensor '" + e.view.name + "' at " + range + " leaves a hole of " +
                 std::to_string(e.begin - expected) + " bytes after " +
                 (previous ? "tensor '" + previous->view.name + "'" : std::string("the header")) +
                 ": data offsets must be contiguous");
        expected = e.end;
        previous = &e;
    }
    if (expected != data_size)
        fail(std::to_string(data_size - expected) + " bytes after the last tensor" +
             (previous ? " '" + previous->view.name + "'" : std::string()) +
             ": the data buffer must end with the last tensor (file size " +
             std::to_string(file_size) + ")");

    contents.tensors.reserve(entries.size());
    for (Entry &e : entries) contents.tensors.push_back(std::move(e.view));
    return contents;
}

SafeTensorsFile SafeTensorsFile::open(const std::string &path) {
    const auto fail_io = [&](const std::string &what, int err) {
        throw_io("cannot read weights file '" + path + "': " + what +
                 (err ? std::string(": ") + std::strerror(err) : std::string()));
    };

    // O_NONBLOCK: opening a FIFO must not hang; it is rejected below as not a regular file.
    Fd fd{::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK)};
    if (fd.fd < 0) fail_io("open", errno);
    struct stat st;
    if (::fstat(fd.fd, &st) != 0) fail_io("stat", errno);
    if (S_ISDIR(st.st_mode)) fail_io("it is a directory, not a .safetensors file", 0);
    if (!S_ISREG(st.st_mode)) fail_io("not a regular file", 0);

    // The whole file is read into memory (below): one larger than this machine's memory can only
    // end in std::bad_alloc or the OOM killer, so it is refused first, by name.
    const long pages = ::sysconf(_SC_PHYS_PAGES), page_size = ::sysconf(_SC_PAGESIZE);
    if (pages > 0 && page_size > 0 && st.st_size / page_size >= pages)
        throw_error(ARTV_ERR_OUT_OF_MEMORY,
                    path + ": " + std::to_string(st.st_size) + " bytes, more than this machine's " +
                        std::to_string(static_cast<long long>(pages) * page_size) + " bytes of memory");

    // Read into process memory rather than mmap: a mapped file truncated by someone else makes
    // reads fault (SIGBUS); a file that changes under read() gives a short read, an error.
    SafeTensorsFile f;
    f.path_ = path;
    const size_t file_size = static_cast<size_t>(st.st_size);
    f.bytes_ = std::make_unique_for_overwrite<uint8_t[]>(file_size);
    for (size_t done = 0; done < file_size;) {
        const ssize_t n = ::read(fd.fd, f.bytes_.get() + done, file_size - done);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) fail_io("read", errno);
        if (n == 0)
            fail_io("it shrank while being read (" + std::to_string(done) + " of " +
                        std::to_string(file_size) + " bytes)", 0);
        done += static_cast<size_t>(n);
    }
    SafeTensorsContents contents = parse_safetensors(f.bytes_.get(), file_size, path);
    f.tensors_ = std::move(contents.tensors);
    f.metadata_ = std::move(contents.metadata);
    for (size_t i = 0; i < f.tensors_.size(); i++) f.index_.emplace(f.tensors_[i].name, i);
    return f;
}

const TensorView *SafeTensorsFile::find(const std::string &name) const {
    const auto it = index_.find(name);
    return it == index_.end() ? nullptr : &tensors_[it->second];
}

const TensorView &SafeTensorsFile::at(const std::string &name) const {
    if (const TensorView *v = find(name)) return *v;
    throw_model("tensor '" + name + "' not in " + path_);
}

} // namespace artv
