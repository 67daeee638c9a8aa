// Helpers shared by the data-part tests (test_video_io, test_renderer, test_dataset): a
// scratch directory per test (removed by the tcase's teardown, also with CK_FORK=no), and a
// check that a call throws artv::Error with a given status and message.
#pragma once

#include <stdlib.h>

#include <cstdio>
#include <string>

#include <check.h>  // after the standard headers (its `fail` macro breaks <ios>)

#include "util/error.h"

namespace artv_test {

inline std::string &scratch_dir_name() {
    static std::string dir;
    return dir;
}

// A fresh directory under /tmp, created on first use in each test.
inline std::string scratch_dir() {
    std::string &dir = scratch_dir_name();
    if (dir.empty()) {
        char t[] = "/tmp/artv-test-data-XXXXXX";
        ck_assert_ptr_nonnull(mkdtemp(t));
        dir = t;
    }
    return dir;
}

// Teardown: tcase_add_checked_fixture(tc, nullptr, artv_test::remove_scratch_dir).
inline void remove_scratch_dir() {
    std::string &dir = scratch_dir_name();
    if (dir.empty()) return;
    std::string cmd = "rm -rf '" + dir + "'";
    if (std::system(cmd.c_str()) != 0) std::fprintf(stderr, "could not remove %s\n", dir.c_str());
    dir.clear();
}

// fn() must throw artv::Error with `status` and a message containing `needle`.
template <class Fn>
void expect_error(Fn fn, artv_status status, const std::string &needle) {
    try {
        fn();
    } catch (const artv::Error &e) {
        ck_assert_msg(e.status() == status, "status %d, expected %d: %s", int(e.status()), int(status), e.what());
        ck_assert_msg(std::string(e.what()).find(needle) != std::string::npos, "message '%s' does not name '%s'",
                      e.what(), needle.c_str());
        return;
    }
    ck_abort_msg("no artv::Error thrown (expected one naming %s)", needle.c_str());
}

}  // namespace artv_test
