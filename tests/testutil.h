/* Helpers shared by the Check tests: where the source tree, the build tree and ../shared are
 * (set by the Makefile's AM_TESTS_ENVIRONMENT), and a main() for a single suite. */
#ifndef ARTV_TESTS_TESTUTIL_H
#define ARTV_TESTS_TESTUTIL_H

#include <check.h>
#include <stdio.h>
#include <stdlib.h>

static inline const char *artv_test_env(const char *name, const char *fallback) {
    const char *v = getenv(name);
    return (v && *v) ? v : fallback;
}
/* ../shared (oracles, reference) */
#define ARTV_TEST_SHARED() artv_test_env("ARTV_SHARED", "../shared")
#define ARTV_TEST_SRCDIR() artv_test_env("ARTV_SRCDIR", ".")
#define ARTV_TEST_BUILDDIR() artv_test_env("ARTV_BUILDDIR", ".")

/* A path under a directory, in a static buffer per call site. */
#define ARTV_TEST_PATH(buf, dir, rel) (snprintf((buf), sizeof(buf), "%s/%s", (dir), (rel)), (buf))

/* main() running one suite; returns non-zero when a test failed. */
#define ARTV_TEST_MAIN(suite_fn)                                                   \
    int main(void) {                                                               \
        SRunner *sr = srunner_create(suite_fn());                                  \
        srunner_run_all(sr, CK_NORMAL);                                            \
        int failed = srunner_ntests_failed(sr);                                    \
        srunner_free(sr);                                                          \
        return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;                          \
    }

#endif
