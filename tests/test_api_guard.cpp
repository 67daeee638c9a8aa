// Tests of core/api/guard.h: how exceptions become C API statuses and artv_last_error() text.
#include <new>
#include <stdexcept>
#include <thread>

#include <c10/util/Exception.h>

#include "api/guard.h"
#include "artv/artv.h"
// Check defines a macro named `fail`: include it after every C++ header.
#include "testutil.h"

using artv::api_guard;

START_TEST(test_success_clears) {
    artv::set_last_error("stale");
    ck_assert_int_eq(api_guard([] {}), ARTV_OK);
    ck_assert_str_eq(artv_last_error(), "");
}
END_TEST

START_TEST(test_artv_error_keeps_status) {
    ck_assert_int_eq(api_guard([] { artv::throw_format("weights.safetensors: bad header"); }),
                     ARTV_ERR_FORMAT);
    ck_assert_str_eq(artv_last_error(), "weights.safetensors: bad header");
    ck_assert_int_eq(api_guard([] { artv::throw_error(ARTV_ERR_ABORTED, "stopped"); }),
                     ARTV_ERR_ABORTED);
    ck_assert_str_eq(artv_last_error(), "stopped");
}
END_TEST

START_TEST(test_other_exceptions) {
    ck_assert_int_eq(api_guard([] { throw std::bad_alloc(); }), ARTV_ERR_OUT_OF_MEMORY);
    ck_assert_str_eq(artv_last_error(), "out of memory");
    ck_assert_int_eq(api_guard([] { throw std::runtime_error("boom"); }), ARTV_ERR_INTERNAL);
    ck_assert_str_eq(artv_last_error(), "internal error: boom");
    ck_assert_int_eq(api_guard([] { throw 42; }), ARTV_ERR_INTERNAL);
    ck_assert_str_eq(artv_last_error(), "internal error: unknown exception");
}
END_TEST

START_TEST(test_c10_error_without_backtrace) {
    ck_assert_int_eq(api_guard([] { TORCH_CHECK(1 == 2, "shapes differ: 3 vs 4"); }),
                     ARTV_ERR_INTERNAL);
    const std::string msg = artv_last_error();
    ck_assert_msg(msg.find("shapes differ: 3 vs 4") != std::string::npos, "%s", msg.c_str());
    ck_assert_msg(msg.find("frame #") == std::string::npos, "backtrace leaked: %s", msg.c_str());
}
END_TEST

START_TEST(test_status_passthrough) {
    ck_assert_int_eq(api_guard([] { return ARTV_OK; }), ARTV_OK);
    artv::set_last_error("kept");
    ck_assert_int_eq(api_guard([] { return ARTV_ERR_STATE; }), ARTV_ERR_STATE);
    ck_assert_str_eq(artv_last_error(), "kept");
}
END_TEST

// The message is per thread: a failure on one thread does not show on another.
START_TEST(test_thread_local) {
    api_guard([] { artv::throw_io("main thread failure"); });
    std::string other;
    std::thread t([&] {
        other = artv_last_error();
        api_guard([] { artv::throw_io("worker failure"); });
    });
    t.join();
    ck_assert_str_eq(other.c_str(), "");
    ck_assert_str_eq(artv_last_error(), "main thread failure");
}
END_TEST

static Suite *guard_suite(void) {
    Suite *s = suite_create("api_guard");
    TCase *tc = tcase_create("guard");
    tcase_add_test(tc, test_success_clears);
    tcase_add_test(tc, test_artv_error_keeps_status);
    tcase_add_test(tc, test_other_exceptions);
    tcase_add_test(tc, test_c10_error_without_backtrace);
    tcase_add_test(tc, test_status_passthrough);
    tcase_add_test(tc, test_thread_local);
    suite_add_tcase(s, tc);
    return s;
}

ARTV_TEST_MAIN(guard_suite)
