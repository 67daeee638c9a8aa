/* Tests of the public C API that exists at this stage (core/api/artv.cpp), from C, through
 * artv.h only: version, status strings, the last-error contract, default parameters and the
 * model lookup path. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "artv/artv.h"
#include "testutil.h"

START_TEST(test_version) {
    char expected[32];
    snprintf(expected, sizeof expected, "%d.%d.%d", ARTV_VERSION_MAJOR, ARTV_VERSION_MINOR,
             ARTV_VERSION_PATCH);
    ck_assert_str_eq(artv_version(), expected);
    ck_assert_int_eq(artv_abi_version(), ARTV_ABI_VERSION);
}
END_TEST

START_TEST(test_status_strings) {
    ck_assert_str_eq(artv_status_string(ARTV_OK), "success");
    /* Every status has its own non-empty name; unknown values get a fallback, not NULL. */
    for (int s = ARTV_OK; s <= ARTV_ERR_INTERNAL; s++) {
        const char *name = artv_status_string((artv_status)s);
        ck_assert_ptr_nonnull(name);
        ck_assert_int_gt((int)strlen(name), 0);
        for (int t = ARTV_OK; t < s; t++)
            ck_assert_str_ne(name, artv_status_string((artv_status)t));
    }
    ck_assert_str_eq(artv_status_string((artv_status)999), "unknown status");
    ck_assert_str_eq(artv_status_string(ARTV_ERR_IO), "input/output error");
}
END_TEST

START_TEST(test_last_error_empty_on_success) {
    ck_assert_ptr_nonnull(artv_last_error());
    ck_assert_str_eq(artv_last_error(), "");
    (void)artv_version();
    ck_assert_str_eq(artv_last_error(), "");
}
END_TEST

START_TEST(test_model_defaults) {
    artv_model_params p = artv_model_default_params();
    ck_assert_str_eq(p.device, "auto");
    ck_assert_str_eq(p.dtype, "auto");
    ck_assert_int_eq(p.threads, 0);
}
END_TEST

START_TEST(test_session_defaults) {
    artv_session_params p = artv_session_default_params();
    ck_assert_int_eq(p.gen_width, 0);
    ck_assert_int_eq(p.gen_height, 0);
    ck_assert_int_eq(p.max_size, 2048);
    ck_assert_int_eq(p.steps, 0);
    ck_assert_int_eq(p.sampler, ARTV_SAMPLER_DEFAULT);
    ck_assert_float_eq(p.eta, 1.0f);
    ck_assert(isnan(p.cfg_ref) && isnan(p.cfg_anchor) && isnan(p.cfg_text)); /* model default */
    ck_assert_int_eq(p.noise_aug, -1);
    ck_assert_int_eq(p.use_mask, 1);
    ck_assert_int_eq(p.anchor, ARTV_ANCHOR_PAPER);
    ck_assert_ptr_null(p.progress);
    ck_assert_ptr_null(p.abort);
    ck_assert_ptr_null(p.progress_user);
    ck_assert_ptr_null(p.abort_user);
}
END_TEST

START_TEST(test_default_model_path) {
    setenv("ARTV_MODEL_PATH", "/opt/models/my-artv", 1);
    ck_assert_str_eq(artv_default_model_path(), "/opt/models/my-artv");
    /* Unset or empty: the installed default model, an absolute directory ending in artv-tiny. */
    setenv("ARTV_MODEL_PATH", "", 1);
    const char *empty = artv_default_model_path();
    ck_assert_ptr_nonnull(empty);
    ck_assert_int_eq(empty[0], '/');
    ck_assert_ptr_nonnull(strstr(empty, "models/artv-tiny"));
    char installed[4096];
    snprintf(installed, sizeof installed, "%s", empty);
    unsetenv("ARTV_MODEL_PATH");
    ck_assert_str_eq(artv_default_model_path(), installed);
}
END_TEST

static Suite *api_suite(void) {
    Suite *s = suite_create("api");
    TCase *tc = tcase_create("basics");
    tcase_add_test(tc, test_version);
    tcase_add_test(tc, test_status_strings);
    tcase_add_test(tc, test_last_error_empty_on_success);
    tcase_add_test(tc, test_model_defaults);
    tcase_add_test(tc, test_session_defaults);
    tcase_add_test(tc, test_default_model_path);
    suite_add_tcase(s, tc);
    return s;
}

ARTV_TEST_MAIN(api_suite)
