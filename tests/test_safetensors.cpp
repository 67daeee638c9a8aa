// Tests of core/io/safetensors.{h,cpp} (reading and validation) and of the writer's round trip.
#include <sys/stat.h>
#include <unistd.h>

#include <cmath>
#include <cstring>
#include <limits>
#include <numeric>

#include <torch/torch.h>

#include "io/safetensors.h"
#include "io/tensor_io.h"
// Check defines a macro named `fail`: include it after every C++ and LibTorch header.
#include "tempdir.h"
#include "testutil.h"

using namespace artv;
using artv::test::expect_error;
using artv::test::TempDir;

namespace {

// A file of the given header text and data size; header_len overrides the length field.
std::string raw_file(const std::string &header, size_t data_bytes, uint64_t header_len) {
    std::string bytes(8, '\0');
    for (int i = 0; i < 8; i++) bytes[i] = static_cast<char>(header_len >> (8 * i));
    bytes += header;
    for (size_t i = 0; i < data_bytes; i++) bytes += static_cast<char>(i * 7 + 1);
    return bytes;
}
std::string raw_file(const std::string &header, size_t data_bytes) {
    return raw_file(header, data_bytes, header.size());
}

bool same_bytes(const torch::Tensor &a, const torch::Tensor &b) {
    if (a.scalar_type() != b.scalar_type() || a.sizes() != b.sizes()) return false;
    const torch::Tensor ca = a.contiguous(), cb = b.contiguous();
    return ca.nbytes() == 0 || std::memcmp(ca.data_ptr(), cb.data_ptr(), ca.nbytes()) == 0;
}

std::string oracle(const char *name) {
    return std::string(ARTV_TEST_SHARED()) + "/oracles/" + name;
}

} // namespace

START_TEST(test_dtype_names) {
    const DType all[] = {DType::BOOL, DType::U8,  DType::I8,   DType::I16, DType::U16,
                         DType::I32,  DType::U32, DType::I64,  DType::U64, DType::F16,
                         DType::BF16, DType::F32, DType::F64};
    const size_t sizes[] = {1, 1, 1, 2, 2, 4, 4, 8, 8, 2, 2, 4, 8};
    for (size_t i = 0; i < std::size(all); i++) {
        ck_assert(parse_dtype(dtype_name(all[i])) == all[i]);
        ck_assert_uint_eq(dtype_size(all[i]), sizes[i]);
    }
    expect_error([] { parse_dtype("F8_E4M3"); }, ARTV_ERR_FORMAT, {"unknown dtype 'F8_E4M3'"});
    expect_error([] { parse_dtype("f32"); }, ARTV_ERR_FORMAT, {"'f32'", "F32"});
}
END_TEST

// Every dtype LibTorch can hold, with extreme values, written and read back bit for bit.
START_TEST(test_round_trip_every_dtype) {
    TempDir dir;
    torch::manual_seed(1);
    const auto f32 = torch::randn({3, 5});
    auto specials = torch::tensor({0.0f, -0.0f, INFINITY, -INFINITY, NAN, 1e-40f /* subnormal */,
                                   std::numeric_limits<float>::max()});
    std::vector<std::pair<std::string, torch::Tensor>> tensors = {
        {"f64", torch::randn({2, 3}, torch::kDouble)},
        {"f32", f32},
        {"f32.specials", specials},
        {"f32.transposed", f32.t()}, // not contiguous: written in row-major order of its shape
        {"f16", torch::randn({4, 2}).to(torch::kHalf)},
        {"bf16", torch::randn({7}).to(torch::kBFloat16)},
        {"i64", torch::tensor({std::numeric_limits<int64_t>::min(), int64_t(-1), int64_t(0),
                               std::numeric_limits<int64_t>::max()}, torch::kLong)},
        {"i32", torch::tensor({std::numeric_limits<int32_t>::min(), -7, 0,
                               std::numeric_limits<int32_t>::max()}, torch::kInt)},
        {"i16", torch::tensor({-32768, -1, 0, 32767}).to(torch::kShort)},
        {"i8", torch::tensor({-128, -1, 0, 127}).to(torch::kChar)},
        {"u8", torch::arange(256).to(torch::kByte).reshape({16, 16})},
        {"bool", torch::tensor({true, false, true})},
        {"rank0", torch::tensor(3.25f)},       // shape []
        {"empty", torch::zeros({0, 3})},       // zero elements
        {"empty.i8", torch::zeros({2, 0}, torch::kChar)},
    };
    const std::map<std::string, std::string> metadata = {
        {"format", "pt"}, {"empty", ""}, {"unicode", "π ≈ 3.14, \"quoted\"\n\\"}};
    const std::string path = dir.file("all.safetensors");
    save_safetensors(path, tensors, metadata);

    const std::string bytes = artv::test::read_file(path);
    uint64_t n = 0;
    std::memcpy(&n, bytes.data(), 8);
    ck_assert_uint_eq(n % 8, 0); // data 8-byte aligned
    ck_assert_int_eq(bytes[8], '{');

    SafeTensorsFile f = SafeTensorsFile::open(path);
    ck_assert_uint_eq(f.tensors().size(), tensors.size());
    ck_assert(f.metadata() == metadata);
    for (const auto &[name, t] : tensors) {
        const TensorView &v = f.at(name);
        ck_assert_msg(int64_t(dtype_size(v.dtype)) == t.element_size(), "%s stored as %s", name.c_str(),
                      dtype_name(v.dtype));
        ck_assert_str_eq(v.name.c_str(), name.c_str());
        ck_assert(c10::IntArrayRef(v.shape) == t.sizes());
        ck_assert_int_eq(v.numel(), t.numel());
        ck_assert_uint_eq(v.nbytes, t.nbytes());
        ck_assert_msg(same_bytes(to_tensor(v), t), "%s differs after the round trip", name.c_str());
    }
    ck_assert_uint_eq(f.at("rank0").shape.size(), 0);
    const std::map<std::string, std::string> stored_as = {
        {"f64", "F64"}, {"f32", "F32"}, {"f16", "F16"}, {"bf16", "BF16"}, {"i64", "I64"},
        {"i32", "I32"}, {"i16", "I16"},  {"i8", "I8"},   {"u8", "U8"},     {"bool", "BOOL"}};
    for (const auto &[name, dtype] : stored_as)
        ck_assert_str_eq(dtype_name(f.at(name).dtype), dtype.c_str());

    // File order is the reference writer's: descending dtype size, then name.
    std::vector<std::string> order;
    for (const TensorView &v : f.tensors()) order.push_back(v.name);
    const std::vector<std::string> expected = {
        "f64", "i64", "empty", "f32", "f32.specials", "f32.transposed", "i32", "rank0",
        "bf16", "f16", "i16", "bool", "empty.i8", "i8", "u8"};
    std::string got;
    for (const std::string &name : order) got += name + " ";
    ck_assert_msg(order == expected, "file order: %s", got.c_str());

    // Moving the file keeps the views valid (they point into the mapping, not into the object).
    SafeTensorsFile moved = std::move(f);
    ck_assert(same_bytes(to_tensor(moved.at("u8")), tensors[10].second));
    ck_assert_ptr_null(moved.find("nope"));
    expect_error([&] { moved.at("nope"); }, ARTV_ERR_MODEL, {"tensor 'nope' not in", path});
}
END_TEST

START_TEST(test_conversion_on_read) {
    TempDir dir;
    const auto h = torch::randn({5}).to(torch::kHalf);
    const auto b = torch::randn({5}).to(torch::kBFloat16);
    const std::string path = dir.file("c.safetensors");
    save_safetensors(path, {{"h", h}, {"b", b}, {"l", torch::tensor({int64_t(3), int64_t(-4)})}});
    const SafeTensorsFile f = SafeTensorsFile::open(path);
    ck_assert(torch::equal(to_tensor(f.at("h"), torch::kFloat), h.to(torch::kFloat)));
    ck_assert(torch::equal(to_tensor(f.at("b"), torch::kFloat), b.to(torch::kFloat)));
    ck_assert(torch::equal(to_tensor(f.at("b"), torch::kHalf), b.to(torch::kHalf)));
    ck_assert(torch::equal(to_tensor(f.at("l"), torch::kFloat), torch::tensor({3.0f, -4.0f})));
    ck_assert(to_tensor(f.at("h"), torch::kDouble).scalar_type() == torch::kDouble);
}
END_TEST

// Unsigned types LibTorch 1.13 lacks are widened; a U64 that does not fit int64 is an error.
START_TEST(test_unsigned_widening) {
    TempDir dir;
    std::string data;
    const uint16_t u16[] = {0, 65535};
    const uint32_t u32[] = {7, 4294967295u};
    const uint64_t u64[] = {1, uint64_t(1) << 62};
    data.append(reinterpret_cast<const char *>(u64), 16);
    data.append(reinterpret_cast<const char *>(u32), 8);
    data.append(reinterpret_cast<const char *>(u16), 4);
    const std::string header =
        R"({"c":{"dtype":"U64","shape":[2],"data_offsets":[0,16]},)"
        R"("b":{"dtype":"U32","shape":[2],"data_offsets":[16,24]},)"
        R"("a":{"dtype":"U16","shape":[2],"data_offsets":[24,28]}})";
    std::string bytes = raw_file(header, 0) + data;
    artv::test::write_file(dir.file("u.safetensors"), bytes);
    const SafeTensorsFile f = SafeTensorsFile::open(dir.file("u.safetensors"));
    ck_assert(torch::equal(to_tensor(f.at("a")), torch::tensor({0, 65535}, torch::kInt)));
    ck_assert(torch::equal(to_tensor(f.at("b")), torch::tensor({int64_t(7), int64_t(4294967295)})));
    ck_assert(torch::equal(to_tensor(f.at("c")), torch::tensor({int64_t(1), int64_t(1) << 62})));

    const uint64_t big[] = {uint64_t(1) << 63};
    bytes = raw_file(R"({"c":{"dtype":"U64","shape":[1],"data_offsets":[0,8]}})", 0) +
            std::string(reinterpret_cast<const char *>(big), 8);
    artv::test::write_file(dir.file("big.safetensors"), bytes);
    const SafeTensorsFile g = SafeTensorsFile::open(dir.file("big.safetensors"));
    expect_error([&] { to_tensor(g.at("c")); }, ARTV_ERR_FORMAT, {"'c'", "9223372036854775808"});
}
END_TEST

// The oracle U-Net: 286 SD-layout tensors plus 4 io.* inputs/outputs (counted with Python's
// json module on the header).
START_TEST(test_read_unet_oracle) {
    const std::string path = oracle("unet_small.safetensors");
    const SafeTensorsFile f = SafeTensorsFile::open(path);
    size_t io = 0, model = 0;
    int64_t params = 0;
    uint64_t bytes = 0;
    for (const TensorView &v : f.tensors()) {
        bytes += v.nbytes;
        if (v.name.rfind("io.", 0) == 0) {
            io++;
        } else {
            model++;
            params += v.numel();
            ck_assert_msg(v.dtype == DType::F32, "%s is %s", v.name.c_str(), dtype_name(v.dtype));
        }
    }
    ck_assert_uint_eq(f.tensors().size(), 290);
    ck_assert_uint_eq(io, 4);
    ck_assert_uint_eq(model, 286);
    ck_assert_int_eq(params, 1077572);
    struct stat st;
    ck_assert_int_eq(stat(path.c_str(), &st), 0);
    ck_assert_uint_eq(bytes, uint64_t(st.st_size) - 8 - 31776); // header is 31,776 bytes

    const auto shape = [&](const char *name) { return f.at(name).shape; };
    ck_assert(shape("input_blocks.0.0.weight") == (std::vector<int64_t>{32, 4, 3, 3}));
    ck_assert(shape("time_embed.0.weight") == (std::vector<int64_t>{128, 32}));
    ck_assert(shape("out.2.weight") == (std::vector<int64_t>{4, 32, 3, 3}));
    ck_assert(shape("middle_block.1.proj_in.weight") == (std::vector<int64_t>{64, 64}));
    ck_assert(shape("input_blocks.1.1.transformer_blocks.0.attn2.to_k.weight") ==
              (std::vector<int64_t>{32, 64}));
    ck_assert(shape("io.x") == (std::vector<int64_t>{2, 4, 16, 16}));
    ck_assert(shape("io.context") == (std::vector<int64_t>{2, 7, 64}));
    ck_assert(f.at("io.t").dtype == DType::I64);
    ck_assert_str_eq(f.tensors().front().name.c_str(), "input_blocks.0.0.bias");
    ck_assert_str_eq(f.tensors().back().name.c_str(), "time_embed.2.weight");
    ck_assert_uint_eq(f.metadata().size(), 1);
    ck_assert(f.metadata().at("config").find("'model_channels': 32") != std::string::npos);

    // Values survive the copy out of the mapping.
    const torch::Tensor w = to_tensor(f.at("input_blocks.0.0.weight"));
    float first;
    std::memcpy(&first, f.at("input_blocks.0.0.weight").data, 4);
    ck_assert(w.flatten()[0].item<float>() == first);
}
END_TEST

START_TEST(test_read_other_oracles) {
    const SafeTensorsFile vae = SafeTensorsFile::open(oracle("vae_small.safetensors"));
    ck_assert_uint_eq(vae.tensors().size(), 127);
    ck_assert(vae.at("io.image").shape == (std::vector<int64_t>{1, 3, 32, 32}));
    const SafeTensorsFile s = SafeTensorsFile::open(oracle("sampler_kdiffusion.safetensors"));
    ck_assert_uint_eq(s.tensors().size(), 8);
    ck_assert(s.at("io.noise").shape == (std::vector<int64_t>{20, 2, 4, 8, 8}));
    ck_assert_uint_eq(s.metadata().count("sigmas"), 1);
}
END_TEST

// ------------------------------------------------------------------------------ bad input

namespace {
const char *kGood = R"({"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},)"
                    R"("b":{"dtype":"I8","shape":[4],"data_offsets":[8,12]}})";

// Writes `bytes` as a file and expects opening it to fail with `status`, the path and needles.
void expect_bad(const TempDir &dir, const std::string &bytes, artv_status status,
                std::initializer_list<std::string> needles) {
    const std::string path = dir.file("bad.safetensors");
    artv::test::write_file(path, bytes);
    const std::string msg =
        expect_error([&] { SafeTensorsFile::open(path); }, status, needles);
    ck_assert_msg(msg.find(path) != std::string::npos, "message lacks the path: %s", msg.c_str());
}
void expect_bad_header(const TempDir &dir, const std::string &header, size_t data_bytes,
                       std::initializer_list<std::string> needles) {
    expect_bad(dir, raw_file(header, data_bytes), ARTV_ERR_FORMAT, needles);
}
} // namespace

START_TEST(test_good_raw_file_opens) {
    // The baseline the bad cases below deviate from, and an empty file that is still valid.
    TempDir dir;
    artv::test::write_file(dir.file("g.safetensors"), raw_file(kGood, 12));
    ck_assert_uint_eq(SafeTensorsFile::open(dir.file("g.safetensors")).tensors().size(), 2);
    artv::test::write_file(dir.file("e.safetensors"), raw_file("{}", 0));
    ck_assert_uint_eq(SafeTensorsFile::open(dir.file("e.safetensors")).tensors().size(), 0);
    // Leading/trailing JSON whitespace (the writer's padding) is accepted.
    artv::test::write_file(dir.file("w.safetensors"), raw_file(std::string(" ") + kGood + "   ", 12));
    ck_assert_uint_eq(SafeTensorsFile::open(dir.file("w.safetensors")).tensors().size(), 2);
}
END_TEST

// A weights file larger than the machine's memory (a sparse file: no disk used) is refused by
// name before anything is allocated.
START_TEST(test_file_larger_than_memory) {
    TempDir dir;
    const std::string path = dir.file("huge.safetensors");
    const long long memory = static_cast<long long>(sysconf(_SC_PHYS_PAGES)) * sysconf(_SC_PAGESIZE);
    FILE *f = fopen(path.c_str(), "wb");
    ck_assert(f != nullptr);
    ck_assert_int_eq(ftruncate(fileno(f), static_cast<off_t>(memory) + 4096), 0);
    fclose(f);
    expect_error([&] { SafeTensorsFile::open(path); }, ARTV_ERR_OUT_OF_MEMORY,
                 {path, "more than this machine's"});
}
END_TEST

START_TEST(test_file_changed_after_open) {
    // The views live in memory the object owns: truncating the file (which makes a mapped file's
    // pages fault with SIGBUS) or overwriting it after open changes nothing, moved or not.
    TempDir dir;
    const std::string path = dir.file("t.safetensors");
    const std::string good = raw_file(kGood, 12);
    const char *data = good.data() + good.size() - 12; // a: bytes 0..8, b: bytes 8..12
    artv::test::write_file(path, good);
    SafeTensorsFile opened = SafeTensorsFile::open(path);
    ck_assert_int_eq(::truncate(path.c_str(), 9), 0);
    SafeTensorsFile f = std::move(opened);
    ck_assert_int_eq(std::memcmp(f.at("a").data, data, 8), 0);
    ck_assert_int_eq(std::memcmp(f.at("b").data, data + 8, 4), 0);
    artv::test::write_file(path, std::string(good.size(), 'x'));
    ck_assert_int_eq(std::memcmp(f.at("a").data, data, 8), 0);
    ck_assert_int_eq(std::memcmp(f.at("b").data, data + 8, 4), 0);
}
END_TEST

START_TEST(test_bad_truncated) {
    TempDir dir;
    expect_bad(dir, "", ARTV_ERR_FORMAT, {"truncated", "0 bytes"});
    expect_bad(dir, std::string("\x10\0\0", 3), ARTV_ERR_FORMAT, {"truncated", "3 bytes"});
    const std::string good = raw_file(kGood, 12);
    // Cut inside the data buffer: the last tensor runs past the end.
    expect_bad(dir, good.substr(0, good.size() - 3), ARTV_ERR_FORMAT,
               {"tensor 'b'", "past the end of the data buffer"});
    // Cut inside the header: the length field points past the end of the file.
    expect_bad(dir, good.substr(0, 20), ARTV_ERR_FORMAT,
               {"header length " + std::to_string(std::strlen(kGood)), "past the end of the file"});
    // A valid file with extra bytes at the end.
    expect_bad(dir, good + "xyz", ARTV_ERR_FORMAT, {"3 bytes after the last tensor 'b'"});
}
END_TEST

START_TEST(test_bad_header_length) {
    TempDir dir;
    expect_bad(dir, raw_file(kGood, 12, 100'000'001), ARTV_ERR_FORMAT,
               {"header length 100000001", "limit of 100000000"});
    expect_bad(dir, raw_file(kGood, 12, ~uint64_t(0)), ARTV_ERR_FORMAT,
               {"header length 18446744073709551615"});
    expect_bad(dir, raw_file(kGood, 12, 5000), ARTV_ERR_FORMAT, {"header length 5000", "past the end"});
    // Shorter than the JSON: what is left is not valid JSON.
    expect_bad(dir, raw_file(kGood, 12, 10), ARTV_ERR_FORMAT, {"not valid JSON"});
}
END_TEST

START_TEST(test_bad_json) {
    TempDir dir;
    expect_bad_header(dir, R"({"a":{"dtype":"F32","shape":[2],)", 8, {"not valid JSON"});
    expect_bad_header(dir, "", 0, {"not valid JSON"});
    expect_bad_header(dir, "{} {}", 0, {"not valid JSON"});
    expect_bad_header(dir, "[1, 2]", 0, {"not a JSON object"});
    expect_bad_header(dir, "\"text\"", 0, {"not a JSON object"});
    // Ill-formed UTF-8 in a tensor name.
    expect_bad_header(dir, "{\"a\xff\":{\"dtype\":\"U8\",\"shape\":[],\"data_offsets\":[0,1]}}", 1,
                      {"not valid JSON"});
}
END_TEST

START_TEST(test_bad_offsets) {
    TempDir dir;
    // Overlap: b starts inside a.
    expect_bad_header(dir,
                      R"({"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},)"
                      R"("b":{"dtype":"F32","shape":[2],"data_offsets":[4,12]}})",
                      12, {"tensor 'b'", "overlaps tensor 'a'"});
    // Out of range: past the data buffer.
    expect_bad_header(dir, R"({"a":{"dtype":"F32","shape":[256],"data_offsets":[0,1024]}})", 8,
                      {"tensor 'a'", "past the end of the data buffer (8 bytes)"});
    // Hole between tensors.
    expect_bad_header(dir,
                      R"({"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},)"
                      R"("b":{"dtype":"F32","shape":[2],"data_offsets":[16,24]}})",
                      24, {"tensor 'b'", "hole of 8 bytes after tensor 'a'", "contiguous"});
    // The first tensor does not start at 0.
    expect_bad_header(dir, R"({"a":{"dtype":"F32","shape":[2],"data_offsets":[4,12]}})", 12,
                      {"tensor 'a'", "hole of 4 bytes after the header"});
    // Reversed.
    expect_bad_header(dir, R"({"a":{"dtype":"F32","shape":[0],"data_offsets":[8,0]}})", 8,
                      {"tensor 'a'", "end before they begin"});
    // Wrong arity and types.
    expect_bad_header(dir, R"({"a":{"dtype":"F32","shape":[2],"data_offsets":[0]}})", 8,
                      {"tensor 'a'", "'data_offsets' must be [BEGIN, END]"});
    expect_bad_header(dir, R"({"a":{"dtype":"F32","shape":[2],"data_offsets":[-8,0]}})", 8,
                      {"tensor 'a'", "'data_offsets'"});
    expect_bad_header(dir, R"({"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8.0]}})", 8,
                      {"tensor 'a'", "'data_offsets'"});
    expect_bad_header(dir, R"({"a":{"dtype":"F32","shape":[2],"data_offsets":"0,8"}})", 8,
                      {"tensor 'a'", "'data_offsets'"});
    expect_bad_header(dir,
                      R"({"a":{"dtype":"F32","shape":[2],"data_offsets":[0,18446744073709551615]}})",
                      8, {"tensor 'a'", "past the end"});
}
END_TEST

START_TEST(test_bad_byte_count) {
    TempDir dir;
    expect_bad_header(dir, R"({"a":{"dtype":"F32","shape":[4],"data_offsets":[0,8]}})", 8,
                      {"tensor 'a'", "hold 8 bytes", "shape [4] of F32 needs 16"});
    expect_bad_header(dir, R"({"a":{"dtype":"BF16","shape":[],"data_offsets":[0,4]}})", 4,
                      {"tensor 'a'", "hold 4 bytes", "needs 2"});
    // Shapes whose element count overflows 64 bits or exceeds the file.
    expect_bad_header(dir,
                      R"({"a":{"dtype":"F64","shape":[4294967296,4294967296,16],"data_offsets":[0,8]}})",
                      8, {"tensor 'a'", "too many elements", "overflows 64 bits"});
    expect_bad_header(dir,
                      R"({"a":{"dtype":"F64","shape":[2305843009213693952],"data_offsets":[0,8]}})",
                      8, {"tensor 'a'", "too many elements"});
    // The element count overflows int64 before a 0 makes it 0: TensorView::numel would too
    // (found by fuzzing, tests/fuzz/regressions/safetensors/numel_overflow_before_zero).
    expect_bad_header(dir,
                      R"({"a":{"dtype":"U8","shape":[4294967296,4294967295,0],"data_offsets":[0,0]}})",
                      0, {"tensor 'a'", "too many elements", "overflows 64 bits"});
    expect_bad_header(dir, R"({"a":{"dtype":"U8","shape":[9223372036854775808],"data_offsets":[0,8]}})",
                      8, {"tensor 'a'", "non-negative integers"});
}
END_TEST

START_TEST(test_bad_entries) {
    TempDir dir;
    expect_bad_header(dir, R"({"a":{"dtype":"F7","shape":[2],"data_offsets":[0,8]}})", 8,
                      {"tensor 'a'", "unknown dtype 'F7'"});
    expect_bad_header(dir, R"({"a":{"dtype":"F8_E4M3","shape":[8],"data_offsets":[0,8]}})", 8,
                      {"tensor 'a'", "unknown dtype 'F8_E4M3'"});
    expect_bad_header(dir, R"({"a":{"dtype":32,"shape":[2],"data_offsets":[0,8]}})", 8,
                      {"tensor 'a'", "'dtype' must be a string"});
    expect_bad_header(dir, R"({"a":{"shape":[2],"data_offsets":[0,8]}})", 8,
                      {"tensor 'a'", "missing field 'dtype'"});
    expect_bad_header(dir, R"({"a":{"dtype":"F32","data_offsets":[0,8]}})", 8,
                      {"tensor 'a'", "missing field 'shape'"});
    expect_bad_header(dir, R"({"a":{"dtype":"F32","shape":[2]}})", 8,
                      {"tensor 'a'", "missing field 'data_offsets'"});
    expect_bad_header(dir, R"({"a":{"dtype":"F32","shape":[-2],"data_offsets":[0,8]}})", 8,
                      {"tensor 'a'", "'shape' must be an array of non-negative integers, got [-2]"});
    expect_bad_header(dir, R"({"a":{"dtype":"F32","shape":[1.5],"data_offsets":[0,8]}})", 8,
                      {"tensor 'a'", "'shape'"});
    expect_bad_header(dir, R"({"a":{"dtype":"F32","shape":2,"data_offsets":[0,8]}})", 8,
                      {"tensor 'a'", "'shape'"});
    expect_bad_header(dir, R"({"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8],"offsets":[0,8]}})",
                      8, {"tensor 'a'", "unknown field 'offsets'"});
    expect_bad_header(dir, R"({"a":[0,8]})", 8, {"tensor 'a'", "entry must be an object"});
}
END_TEST

START_TEST(test_bad_duplicates) {
    TempDir dir;
    // nlohmann::json alone would keep the second 'a' silently.
    expect_bad_header(dir,
                      R"({"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},)"
                      R"("a":{"dtype":"F32","shape":[2],"data_offsets":[8,16]}})",
                      16, {"duplicate tensor name 'a'"});
    expect_bad_header(dir, R"({"a":{"dtype":"F32","dtype":"I32","shape":[2],"data_offsets":[0,8]}})",
                      8, {"duplicate key 'dtype'"});
    expect_bad_header(dir, R"({"__metadata__":{"k":"1","k":"2"}})", 0, {"duplicate key 'k'"});
}
END_TEST

START_TEST(test_bad_metadata) {
    TempDir dir;
    expect_bad_header(dir, R"({"__metadata__":{"steps":20}})", 0,
                      {"__metadata__ entry 'steps' is not a string"});
    expect_bad_header(dir, R"({"__metadata__":["a"]})", 0, {"__metadata__ must be an object"});
    artv::test::write_file(dir.file("null.safetensors"), raw_file(R"({"__metadata__":null})", 0));
    ck_assert(SafeTensorsFile::open(dir.file("null.safetensors")).metadata().empty());
}
END_TEST

START_TEST(test_bad_bool_bytes) {
    TempDir dir;
    std::string bytes = raw_file(R"({"m":{"dtype":"BOOL","shape":[3],"data_offsets":[0,3]}})", 0);
    bytes += std::string("\x01\x00\x02", 3);
    artv::test::write_file(dir.file("b.safetensors"), bytes);
    const SafeTensorsFile f = SafeTensorsFile::open(dir.file("b.safetensors"));
    expect_error([&] { to_tensor(f.at("m")); }, ARTV_ERR_FORMAT, {"tensor 'm'", "BOOL byte 2 is 2"});
}
END_TEST

START_TEST(test_bad_paths) {
    TempDir dir;
    const std::string missing = dir.file("missing.safetensors");
    expect_error([&] { SafeTensorsFile::open(missing); }, ARTV_ERR_IO,
                 {missing, "No such file or directory"});
    expect_error([&] { SafeTensorsFile::open(dir.path()); }, ARTV_ERR_IO, {dir.path(), "directory"});
    // A FIFO must be refused at once, not block the caller.
    const std::string fifo = dir.file("fifo.safetensors");
    ck_assert_int_eq(mkfifo(fifo.c_str(), 0600), 0);
    expect_error([&] { SafeTensorsFile::open(fifo); }, ARTV_ERR_IO, {fifo, "not a regular file"});
    // Unreadable file (permissions do not stop root, so only when not root).
    if (geteuid() != 0) {
        const std::string locked = dir.file("locked.safetensors");
        artv::test::write_file(locked, raw_file(kGood, 12));
        chmod(locked.c_str(), 0);
        expect_error([&] { SafeTensorsFile::open(locked); }, ARTV_ERR_IO, {locked, "Permission denied"});
    }
}
END_TEST

static Suite *safetensors_suite(void) {
    Suite *s = suite_create("safetensors");
    TCase *tc = tcase_create("read-write");
    tcase_add_test(tc, test_dtype_names);
    tcase_add_test(tc, test_round_trip_every_dtype);
    tcase_add_test(tc, test_conversion_on_read);
    tcase_add_test(tc, test_unsigned_widening);
    tcase_add_test(tc, test_read_unet_oracle);
    tcase_add_test(tc, test_read_other_oracles);
    suite_add_tcase(s, tc);
    TCase *bad = tcase_create("bad-input");
    tcase_add_test(bad, test_good_raw_file_opens);
    tcase_add_test(bad, test_file_changed_after_open);
    tcase_add_test(bad, test_file_larger_than_memory);
    tcase_add_test(bad, test_bad_truncated);
    tcase_add_test(bad, test_bad_header_length);
    tcase_add_test(bad, test_bad_json);
    tcase_add_test(bad, test_bad_offsets);
    tcase_add_test(bad, test_bad_byte_count);
    tcase_add_test(bad, test_bad_entries);
    tcase_add_test(bad, test_bad_duplicates);
    tcase_add_test(bad, test_bad_metadata);
    tcase_add_test(bad, test_bad_bool_bytes);
    tcase_add_test(bad, test_bad_paths);
    suite_add_tcase(s, bad);
    return s;
}

ARTV_TEST_MAIN(safetensors_suite)
