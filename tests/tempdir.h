// A temporary directory for one C++ test, removed with everything in it when the test ends,
// and a helper that checks a call throws artv::Error with the expected status and message.
#pragma once

#include <stdlib.h>

#include <filesystem>
#include <fstream>
#include <initializer_list>
#include <string>

#include "util/error.h"

// Last: Check defines a macro named `fail` that breaks C++ standard headers included after it.
#include <check.h>

// ck_assert_str_eq for std::string values. Check's macro keeps only the c_str() pointers, which
// dangle once a temporary std::string is destroyed (ASan: stack-use-after-scope).
#define ck_assert_string_eq(a, b)                                 \
    do {                                                          \
        const std::string ck_string_a_ = (a), ck_string_b_ = (b); \
        ck_assert_str_eq(ck_string_a_.c_str(), ck_string_b_.c_str()); \
    } while (0)

namespace artv::test {

class TempDir {
public:
    TempDir() {
        std::string tmpl = (std::filesystem::temp_directory_path() / "artv-test-XXXXXX").string();
        ck_assert_msg(mkdtemp(tmpl.data()) != nullptr, "mkdtemp failed");
        path_ = tmpl;
    }
    ~TempDir() {
        std::error_code ignored;
        std::filesystem::remove_all(path_, ignored);
    }
    TempDir(const TempDir &) = delete;
    TempDir &operator=(const TempDir &) = delete;

    const std::string &path() const { return path_; }
    std::string file(const std::string &name) const { return path_ + "/" + name; }

private:
    std::string path_;
};

inline void write_file(const std::string &path, const std::string &bytes) {
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
    ck_assert_msg(out.good(), "cannot write %s", path.c_str());
}

inline std::string read_file(const std::string &path) {
    std::ifstream in(path, std::ios::binary);
    return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

// Runs f, which must throw artv::Error with `status` and a message containing every needle.
// Returns the message, for further checks.
template <class F>
std::string expect_error(F &&f, artv_status status, std::initializer_list<std::string> needles) {
    try {
        f();
    } catch (const Error &e) {
        const std::string msg = e.what();
        ck_assert_msg(e.status() == status, "status %s (%d) instead of %s for: %s",
                      artv_status_string(e.status()), (int)e.status(), artv_status_string(status),
                      msg.c_str());
        for (const std::string &n : needles)
            ck_assert_msg(msg.find(n) != std::string::npos, "message lacks '%s': %s", n.c_str(),
                          msg.c_str());
        return msg;
    } catch (const std::exception &e) {
        ck_abort_msg("expected artv::Error, got another exception: %s", e.what());
    }
    ck_abort_msg("expected an artv::Error (%s) but nothing was thrown", artv_status_string(status));
    return {};
}

} // namespace artv::test
