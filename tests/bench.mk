# tests of core/bench (included by the top-level Makefile.am)

# The FLOP counter on hand-counted ops, the reference kernels, the engine switches' equal
# frames, a frame benchmark of the tiny random model.
check_PROGRAMS += tests/test_bench
TESTS += tests/test_bench
tests_test_bench_SOURCES = tests/test_bench.cpp
tests_test_bench_LDADD = $(ARTV_TEST_CXX_LIBS)
EXTRA_tests_test_bench_DEPENDENCIES = $(ARTV_TEST_TINY_STAMP)

# `artv bench` end to end on the tiny random model: table, JSON fields, long session.
TESTS += tests/test_bench_cli.sh
EXTRA_DIST += tests/test_bench_cli.sh
