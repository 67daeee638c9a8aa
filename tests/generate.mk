# tests of core/generate (included by the top-level Makefile.am)

check_PROGRAMS += tests/test_prompt_schedule
TESTS += tests/test_prompt_schedule
tests_test_prompt_schedule_SOURCES = tests/test_prompt_schedule.cpp
tests_test_prompt_schedule_LDADD = $(ARTV_TEST_CXX_LIBS)

# The tiny random model the session tests open ($(builddir)/tests/test-tiny): models/test-tiny's
# config with random weights (seed 1) and the committed tiny tokenizer, written by
# `artv init-random`. The FFmpeg and GStreamer tests may depend on the same stamp.
ARTV_TEST_TINY_STAMP = tests/test-tiny.stamp
$(ARTV_TEST_TINY_STAMP): tools/artv$(EXEEXT) $(srcdir)/models/test-tiny/config.json \
		$(srcdir)/tests/data/tiny-tokenizer.model
	$(AM_V_GEN)rm -rf tests/test-tiny $@ && \
	tools/artv$(EXEEXT) init-random --config $(srcdir)/models/test-tiny/config.json \
		--tokenizer $(srcdir)/tests/data/tiny-tokenizer.model --seed 1 \
		--out tests/test-tiny >/dev/null && touch $@
clean-local: clean-test-tiny
clean-test-tiny:
	rm -rf tests/test-tiny $(ARTV_TEST_TINY_STAMP)
.PHONY: clean-test-tiny
EXTRA_DIST += tests/data/tiny-tokenizer.model tests/data/captions.txt

# Sessions through the C API: modes, anchors, determinism, guidance call counts, abort,
# progress, bad input, two threads on one model.
check_PROGRAMS += tests/test_session
TESTS += tests/test_session
tests_test_session_SOURCES = tests/test_session.cpp
tests_test_session_LDADD = $(ARTV_TEST_CXX_LIBS)
EXTRA_tests_test_session_DEPENDENCIES = $(ARTV_TEST_TINY_STAMP)

# Constant memory: RSS after frame 1,000 within 5% of RSS after frame 50.
check_PROGRAMS += tests/test_session_memory
TESTS += tests/test_session_memory
tests_test_session_memory_SOURCES = tests/test_session_memory.cpp
tests_test_session_memory_LDADD = $(ARTV_TEST_CXX_LIBS)
EXTRA_tests_test_session_memory_DEPENDENCIES = $(ARTV_TEST_TINY_STAMP)

# The public API from plain C.
check_PROGRAMS += tests/test_session_api
TESTS += tests/test_session_api
tests_test_session_api_SOURCES = tests/test_session_api.c
tests_test_session_api_LDADD = $(ARTV_TEST_C_LIBS)
EXTRA_tests_test_session_api_DEPENDENCIES = $(ARTV_TEST_TINY_STAMP)

# `artv generate` end to end: T2V to MP4 and PNGs, continue a clip, errors, SIGINT.
TESTS += tests/test_generate_cli.sh
EXTRA_DIST += tests/test_generate_cli.sh
