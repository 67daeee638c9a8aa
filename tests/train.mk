# tests of core/train (included by the top-level Makefile.am). Each trains the test-tiny model
# for a few steps; test_train_distributed forks two ranks that rendezvous on loopback;
# test_train_data checks that data threads and batched latent encoding change nothing.
TRAIN_TESTS = tests/test_train_units tests/test_train tests/test_train_stages \
	tests/test_train_distributed tests/test_train_data
check_PROGRAMS += $(TRAIN_TESTS)
TESTS += $(TRAIN_TESTS)
TRAIN_TEST_HDRS = tests/test_train_util.h tests/model_testutil.h tests/tempdir.h tests/testutil.h

tests_test_train_units_SOURCES = tests/test_train_units.cpp $(TRAIN_TEST_HDRS)
tests_test_train_units_LDADD = $(ARTV_TEST_CXX_LIBS)
tests_test_train_SOURCES = tests/test_train.cpp $(TRAIN_TEST_HDRS)
tests_test_train_LDADD = $(ARTV_TEST_CXX_LIBS)
tests_test_train_stages_SOURCES = tests/test_train_stages.cpp $(TRAIN_TEST_HDRS)
tests_test_train_stages_LDADD = $(ARTV_TEST_CXX_LIBS)
tests_test_train_distributed_SOURCES = tests/test_train_distributed.cpp $(TRAIN_TEST_HDRS)
tests_test_train_distributed_LDADD = $(ARTV_TEST_CXX_LIBS)
tests_test_train_data_SOURCES = tests/test_train_data.cpp $(TRAIN_TEST_HDRS)
tests_test_train_data_LDADD = $(ARTV_TEST_CXX_LIBS)

# `artv train` from the command line: option table, bare bool options, usage errors.
TESTS += tests/test_train_cli.sh
EXTRA_DIST += tests/test_train_cli.sh
