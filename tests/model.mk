# tests of core/nn and core/model (included by the top-level Makefile.am)

MODEL_TESTS = tests/test_unet_oracle tests/test_vae_oracle tests/test_zero_init \
	tests/test_model_errors tests/test_tokenizer tests/test_sd21_structure tests/test_sd21_init
check_PROGRAMS += $(MODEL_TESTS)
TESTS += $(MODEL_TESTS)
model_test_headers = tests/model_testutil.h tests/tempdir.h tests/testutil.h

tests_test_unet_oracle_SOURCES = tests/test_unet_oracle.cpp $(model_test_headers)
tests_test_unet_oracle_LDADD = $(ARTV_TEST_CXX_LIBS)
tests_test_vae_oracle_SOURCES = tests/test_vae_oracle.cpp $(model_test_headers)
tests_test_vae_oracle_LDADD = $(ARTV_TEST_CXX_LIBS)
tests_test_zero_init_SOURCES = tests/test_zero_init.cpp $(model_test_headers)
tests_test_zero_init_LDADD = $(ARTV_TEST_CXX_LIBS)
tests_test_model_errors_SOURCES = tests/test_model_errors.cpp $(model_test_headers)
tests_test_model_errors_LDADD = $(ARTV_TEST_CXX_LIBS)
# The tokenizer test compares with Debian's spm_encode and trains models with spm_train.
tests_test_tokenizer_SOURCES = tests/test_tokenizer.cpp $(model_test_headers)
tests_test_tokenizer_LDADD = $(ARTV_TEST_CXX_LIBS)
tests_test_sd21_structure_SOURCES = tests/test_sd21_structure.cpp $(model_test_headers)
tests_test_sd21_structure_LDADD = $(ARTV_TEST_CXX_LIBS)
tests_test_sd21_init_SOURCES = tests/test_sd21_init.cpp $(model_test_headers)
tests_test_sd21_init_LDADD = $(ARTV_TEST_CXX_LIBS)
