# tests of core/diffusion (included by the top-level Makefile.am)

diffusion_test_headers = tests/diffusion_testutil.h tests/tempdir.h tests/testutil.h
check_PROGRAMS += tests/test_schedule tests/test_samplers tests/test_guidance tests/test_mdm
TESTS += tests/test_schedule tests/test_samplers tests/test_guidance tests/test_mdm
tests_test_schedule_SOURCES = tests/test_schedule.cpp $(diffusion_test_headers)
tests_test_schedule_LDADD = $(ARTV_TEST_CXX_LIBS)
tests_test_samplers_SOURCES = tests/test_samplers.cpp $(diffusion_test_headers)
tests_test_samplers_LDADD = $(ARTV_TEST_CXX_LIBS)
tests_test_guidance_SOURCES = tests/test_guidance.cpp $(diffusion_test_headers)
tests_test_guidance_LDADD = $(ARTV_TEST_CXX_LIBS)
tests_test_mdm_SOURCES = tests/test_mdm.cpp $(diffusion_test_headers)
tests_test_mdm_LDADD = $(ARTV_TEST_CXX_LIBS)
