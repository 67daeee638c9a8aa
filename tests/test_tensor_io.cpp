// Tests of core/io/tensor_io.{h,cpp}: loading module parameters by name, and the atomic writer.
#include <signal.h>
#include <sched.h>
#include <sys/mount.h>
#include <sys/resource.h>
#include <unistd.h>

#include <filesystem>

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

struct BlockImpl : torch::nn::Module {
    BlockImpl() {
        fc1 = register_module("fc1", torch::nn::Linear(4, 8));
        fc2 = register_module("fc2", torch::nn::Linear(8, 2));
        scale = register_buffer("scale", torch::ones({3}));
        steps = register_buffer("steps", torch::zeros({}, torch::kLong));
    }
    torch::nn::Linear fc1{nullptr}, fc2{nullptr};
    torch::Tensor scale, steps;
};
TORCH_MODULE(Block);

// A module whose tensors all differ from Block's initial values.
Block trained_block() {
    Block b;
    torch::NoGradGuard no_grad;
    for (auto &p : b->named_parameters()) p.value().uniform_(-3, 3);
    b->scale.fill_(0.5);
    b->steps.fill_(42);
    return b;
}

using State = std::vector<std::pair<std::string, torch::Tensor>>;

// A copy of a module's tensors, to compare with later.
State snapshot(const torch::nn::Module &m) {
    State s = named_tensors(m);
    for (auto &[name, t] : s) t = t.clone();
    return s;
}

bool same_state(const State &ta, const State &tb) {
    if (ta.size() != tb.size()) return false;
    for (size_t i = 0; i < ta.size(); i++)
        if (ta[i].first != tb[i].first || !torch::equal(ta[i].second, tb[i].second)) return false;
    return true;
}

std::vector<std::string> directory_listing(const std::string &dir) {
    std::vector<std::string> names;
    for (const auto &e : std::filesystem::directory_iterator(dir))
        names.push_back(e.path().filename().string());
    std::sort(names.begin(), names.end());
    return names;
}

} // namespace

START_TEST(test_named_tensors) {
    Block b;
    const auto t = named_tensors(*b, "model.");
    std::vector<std::string> names;
    for (const auto &[name, tensor] : t) names.push_back(name);
    const std::vector<std::string> expected = {"model.fc1.weight", "model.fc1.bias",
                                               "model.fc2.weight", "model.fc2.bias",
                                               "model.scale",      "model.steps"};
    ck_assert(names == expected);
}
END_TEST

START_TEST(test_load_round_trip) {
    TempDir dir;
    Block saved = trained_block();
    // Stored as float64 under a prefix, next to unrelated keys: loading converts to the module's
    // float32 and ignores keys outside the prefix.
    auto tensors = named_tensors(*saved, "model.diffusion_model.");
    for (auto &[name, t] : tensors)
        if (t.is_floating_point()) t = t.to(torch::kDouble);
    tensors.emplace_back("first_stage_model.x", torch::ones({2}));
    save_safetensors(dir.file("w.safetensors"), tensors);

    Block loaded;
    ck_assert(!same_state(snapshot(*saved), snapshot(*loaded)));
    load_parameters(*loaded, SafeTensorsFile::open(dir.file("w.safetensors")), "model.diffusion_model.");
    ck_assert(same_state(snapshot(*saved), snapshot(*loaded)));
    ck_assert(loaded->fc1->weight.scalar_type() == torch::kFloat);
    ck_assert(loaded->steps.scalar_type() == torch::kLong);
    ck_assert_int_eq(loaded->steps.item<int64_t>(), 42);
    // The parameters are still parameters (no autograd history from the copy).
    ck_assert(loaded->fc1->weight.requires_grad());
    ck_assert(loaded->fc1->weight.grad_fn() == nullptr);
}
END_TEST

// Every problem in one error: the user fixes a checkpoint once, not one tensor per attempt.
START_TEST(test_load_reports_every_problem) {
    TempDir dir;
    Block saved = trained_block();
    std::vector<std::pair<std::string, torch::Tensor>> tensors;
    for (auto &[name, t] : named_tensors(*saved, "m.")) {
        if (name == "m.fc2.bias") continue;                                       // missing
        if (name == "m.fc1.weight") t = torch::zeros({8, 5});                     // wrong shape
        tensors.emplace_back(name, t);
    }
    tensors.emplace_back("m.fc3.weight", torch::zeros({1}));                      // unexpected
    tensors.emplace_back("m.io.x", torch::zeros({2, 2}, torch::kHalf));           // unexpected
    tensors.emplace_back("other.fc2.bias", torch::zeros({2}));                    // not under m.
    const std::string path = dir.file("bad.safetensors");
    save_safetensors(path, tensors);
    const SafeTensorsFile f = SafeTensorsFile::open(path);

    Block target;
    const State before = snapshot(*target);
    const std::string msg = expect_error(
        [&] { load_parameters(*target, f, "m."); }, ARTV_ERR_MODEL,
        {path, "keys under 'm.'", "1 missing, 2 unexpected, 1 wrong shape",
         "missing: m.fc2.bias [2]", "wrong shape: m.fc1.weight: file [8, 5], module [8, 4]",
         "unexpected: m.fc3.weight [1] F32", "unexpected: m.io.x [2, 2] F16"});
    ck_assert_msg(msg.find("other.") == std::string::npos, "reported a key outside the prefix");
    ck_assert_msg(same_state(before, snapshot(*target)), "a failed load changed the module");

    // The same file with the problems allowed away.
    LoadOptions lenient;
    lenient.optional_prefixes = {"fc2.b"};
    lenient.ignored_prefixes = {"io.", "fc3."};
    expect_error([&] { load_parameters(*target, f, "m.", lenient); }, ARTV_ERR_MODEL,
                 {"0 missing, 0 unexpected, 1 wrong shape"});
    LoadOptions any_extra;
    any_extra.allow_unexpected = true;
    expect_error([&] { load_parameters(*target, f, "m.", any_extra); }, ARTV_ERR_MODEL,
                 {"1 missing, 0 unexpected, 1 wrong shape"});
}
END_TEST

START_TEST(test_load_error_is_capped) {
    TempDir dir;
    torch::nn::ModuleList many;
    for (int i = 0; i < 30; i++) many->push_back(torch::nn::Linear(2, 2)); // 60 tensors
    save_safetensors(dir.file("empty.safetensors"), {});
    const std::string msg = expect_error(
        [&] { load_parameters(*many, SafeTensorsFile::open(dir.file("empty.safetensors"))); },
        ARTV_ERR_MODEL, {"60 missing", "missing: 0.weight [2, 2]", "… and 10 more"});
    ck_assert_int_eq(std::count(msg.begin(), msg.end(), '\n'), 51); // 50 problems + the tail
}
END_TEST

START_TEST(test_save_rejects_bad_input) {
    TempDir dir;
    const std::string path = dir.file("x.safetensors");
    expect_error([&] { save_safetensors(path, {{"a", torch::ones({1})}, {"a", torch::ones({2})}}); },
                 ARTV_ERR_INVALID_ARGUMENT, {"duplicate tensor name 'a'"});
    expect_error([&] { save_safetensors(path, {{"__metadata__", torch::ones({1})}}); },
                 ARTV_ERR_INVALID_ARGUMENT, {"reserved"});
    expect_error([&] { save_safetensors(path, {{"c", torch::ones({2}, torch::kComplexFloat)}}); },
                 ARTV_ERR_INVALID_ARGUMENT, {"tensor 'c'", "ComplexFloat"});
    ck_assert(!std::filesystem::exists(path));
    ck_assert(directory_listing(dir.path()).empty());
}
END_TEST

// --------------------------------------------------------------------- atomic replacement

namespace {
const std::vector<std::pair<std::string, torch::Tensor>> kOld = {{"old", torch::arange(4.0)}};
const std::vector<std::pair<std::string, torch::Tensor>> kBig = {{"big", torch::ones({1 << 16})}};

// The previous file is still there, byte for byte, and no temporary is left next to it.
void expect_old_file_intact(const std::string &dir, const std::string &path,
                            const std::string &old_bytes) {
    ck_assert(artv::test::read_file(path) == old_bytes);
    ck_assert(torch::equal(to_tensor(SafeTensorsFile::open(path).at("old")), torch::arange(4.0)));
    const auto names = directory_listing(dir);
    ck_assert_msg(names.size() == 1, "%zu files left in %s (temporary not removed?)", names.size(),
                  dir.c_str());
}
} // namespace

START_TEST(test_atomic_save_replaces) {
    TempDir dir;
    const std::string path = dir.file("w.safetensors");
    save_safetensors(path, kOld);
    save_safetensors(path, kBig, {{"step", "2"}});
    const SafeTensorsFile f = SafeTensorsFile::open(path);
    ck_assert_ptr_null(f.find("old"));
    ck_assert_str_eq(f.metadata().at("step").c_str(), "2");
    ck_assert_uint_eq(directory_listing(dir.path()).size(), 1);
}
END_TEST

// A write that fails midway (the file size limit gives EFBIG deterministically, without root).
START_TEST(test_atomic_save_write_fails) {
    TempDir dir;
    const std::string path = dir.file("w.safetensors");
    save_safetensors(path, kOld);
    const std::string old_bytes = artv::test::read_file(path);
    signal(SIGXFSZ, SIG_IGN); // else the kernel kills the process instead of failing write()
    struct rlimit saved, limit;
    getrlimit(RLIMIT_FSIZE, &saved);
    limit = saved;
    limit.rlim_cur = 16384;
    ck_assert_int_eq(setrlimit(RLIMIT_FSIZE, &limit), 0);
    expect_error([&] { save_safetensors(path, kBig); }, ARTV_ERR_IO,
                 {path, "write", "File too large"});
    setrlimit(RLIMIT_FSIZE, &saved);
    expect_old_file_intact(dir.path(), path, old_bytes);
}
END_TEST

// A full disk: a 256 KiB tmpfs in a private mount namespace (needs CAP_SYS_ADMIN; said so and
// skipped where the test runs without it).
START_TEST(test_atomic_save_disk_full) {
    TempDir dir;
    const std::string mnt = dir.file("small");
    std::filesystem::create_directory(mnt);
    if (unshare(CLONE_NEWNS) != 0 || mount(nullptr, "/", nullptr, MS_REC | MS_PRIVATE, nullptr) != 0 ||
        mount("tmpfs", mnt.c_str(), "tmpfs", 0, "size=256k") != 0) {
        fprintf(stderr, "test_atomic_save_disk_full: skipped, cannot mount a tmpfs here (%s)\n",
                strerror(errno));
        return;
    }
    const std::string path = mnt + "/w.safetensors";
    save_safetensors(path, kOld);
    const std::string old_bytes = artv::test::read_file(path);
    expect_error([&] { save_safetensors(path, kBig); }, ARTV_ERR_IO,
                 {path, "No space left on device"});
    expect_old_file_intact(mnt, path, old_bytes);
    umount(mnt.c_str());
}
END_TEST

START_TEST(test_atomic_save_rename_fails) {
    TempDir dir;
    // The target is a directory: everything is written, then rename() fails; the temporary goes.
    const std::string target = dir.file("w.safetensors");
    std::filesystem::create_directory(target);
    expect_error([&] { save_safetensors(target, kOld); }, ARTV_ERR_IO, {target, "rename"});
    ck_assert(std::filesystem::is_directory(target));
    ck_assert_uint_eq(directory_listing(dir.path()).size(), 1);
    // The directory does not exist (or vanished): nothing is created anywhere.
    const std::string orphan = dir.file("gone/w.safetensors");
    expect_error([&] { save_safetensors(orphan, kOld); }, ARTV_ERR_IO,
                 {orphan, "No such file or directory"});
    ck_assert_uint_eq(directory_listing(dir.path()).size(), 1);
}
END_TEST

static Suite *tensor_io_suite(void) {
    Suite *s = suite_create("tensor_io");
    TCase *load = tcase_create("load");
    tcase_add_test(load, test_named_tensors);
    tcase_add_test(load, test_load_round_trip);
    tcase_add_test(load, test_load_reports_every_problem);
    tcase_add_test(load, test_load_error_is_capped);
    suite_add_tcase(s, load);
    TCase *save = tcase_create("save");
    tcase_add_test(save, test_save_rejects_bad_input);
    tcase_add_test(save, test_atomic_save_replaces);
    tcase_add_test(save, test_atomic_save_write_fails);
    tcase_add_test(save, test_atomic_save_disk_full);
    tcase_add_test(save, test_atomic_save_rename_fails);
    suite_add_tcase(s, save);
    return s;
}

ARTV_TEST_MAIN(tensor_io_suite)
