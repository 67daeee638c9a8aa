# tests of core/api (included by the top-level Makefile.am)

# The C API from C, through artv.h only.
check_PROGRAMS += tests/test_api
TESTS += tests/test_api
tests_test_api_SOURCES = tests/test_api.c tests/testutil.h
tests_test_api_LDADD = $(ARTV_TEST_C_LIBS)

# The exception-to-status mapping behind every exported function.
check_PROGRAMS += tests/test_api_guard
TESTS += tests/test_api_guard
tests_test_api_guard_SOURCES = tests/test_api_guard.cpp tests/testutil.h
tests_test_api_guard_LDADD = $(ARTV_TEST_CXX_LIBS)
