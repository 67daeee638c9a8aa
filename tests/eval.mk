# tests of core/eval (included by the top-level Makefile.am)

# The measurements on known inputs: phase correlation on shifted photo crops, PSNR/SSIM, and
# the object tracker and camera measurement on the renderer's own ground-truth clips.
check_PROGRAMS += tests/test_eval
TESTS += tests/test_eval
tests_test_eval_SOURCES = tests/test_eval.cpp tests/data_test_helpers.h
tests_test_eval_LDADD = $(ARTV_TEST_CXX_LIBS)
# The tiny model test_eval_cli.sh evaluates: check_PROGRAMS are built before any test runs.
EXTRA_tests_test_eval_DEPENDENCIES = $(ARTV_TEST_TINY_STAMP)

# `artv eval` end to end on the tiny random model: every suite, every mode's fields.
TESTS += tests/test_eval_cli.sh
EXTRA_DIST += tests/test_eval_cli.sh
