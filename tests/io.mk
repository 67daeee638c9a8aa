# tests of core/io (included by the top-level Makefile.am)

check_PROGRAMS += tests/test_safetensors tests/test_tensor_io
TESTS += tests/test_safetensors tests/test_tensor_io
tests_test_safetensors_SOURCES = tests/test_safetensors.cpp tests/tempdir.h tests/testutil.h
tests_test_safetensors_LDADD = $(ARTV_TEST_CXX_LIBS)
tests_test_tensor_io_SOURCES = tests/test_tensor_io.cpp tests/tempdir.h tests/testutil.h
tests_test_tensor_io_LDADD = $(ARTV_TEST_CXX_LIBS)
