# Fuzz targets of the parsers that read untrusted bytes (included by the top-level Makefile.am).
# Each tests/fuzz/fuzz_TARGET.cpp defines LLVMFuzzerTestOneInput; the parsers' own errors
# (artv::Error) are expected outcomes, anything else is a finding (tests/fuzz/fuzz_check.h).

# make check: every target replays its committed seeds and crash regressions with any compiler
# (tests/fuzz/replay_main.cpp; libFuzzer is not needed).
ARTV_FUZZ_REPLAY_SOURCES = tests/fuzz/replay_main.cpp tests/fuzz/fuzz_check.h
check_PROGRAMS += tests/fuzz/replay_safetensors tests/fuzz/replay_model_config \
	tests/fuzz/replay_prompt_schedule
TESTS += tests/fuzz/replay_safetensors tests/fuzz/replay_model_config \
	tests/fuzz/replay_prompt_schedule
tests_fuzz_replay_safetensors_SOURCES = tests/fuzz/fuzz_safetensors.cpp $(ARTV_FUZZ_REPLAY_SOURCES)
tests_fuzz_replay_safetensors_CPPFLAGS = $(AM_CPPFLAGS) -DARTV_FUZZ_TARGET=\"safetensors\"
tests_fuzz_replay_safetensors_LDADD = $(ARTV_TEST_CXX_LIBS)
tests_fuzz_replay_model_config_SOURCES = tests/fuzz/fuzz_model_config.cpp $(ARTV_FUZZ_REPLAY_SOURCES)
tests_fuzz_replay_model_config_CPPFLAGS = $(AM_CPPFLAGS) -DARTV_FUZZ_TARGET=\"model_config\"
tests_fuzz_replay_model_config_LDADD = $(ARTV_TEST_CXX_LIBS)
tests_fuzz_replay_prompt_schedule_SOURCES = tests/fuzz/fuzz_prompt_schedule.cpp $(ARTV_FUZZ_REPLAY_SOURCES)
tests_fuzz_replay_prompt_schedule_CPPFLAGS = $(AM_CPPFLAGS) -DARTV_FUZZ_TARGET=\"prompt_schedule\"
tests_fuzz_replay_prompt_schedule_LDADD = $(ARTV_TEST_CXX_LIBS)
EXTRA_DIST += tests/fuzz/corpus tests/fuzz/regressions tests/fuzz/make_seeds.py \
	tests/fuzz/safetensors.dict tests/fuzz/model_config.dict tests/fuzz/prompt_schedule.dict

# make fuzz [FUZZ_SECONDS=600] [FUZZ_TARGETS="safetensors ..."] [FUZZ_FLAGS="-jobs=..."]:
# libFuzzer binaries (clang++, AddressSanitizer and UBSan) of the target and the parser's sources
# alone, no libartv and no LibTorch; scripts/fuzz.sh runs each for FUZZ_SECONDS and prints its
# executions, exec/s and coverage. Work files (grown corpora, findings, logs): tests/fuzz/run/.
FUZZ_SECONDS = 600
FUZZ_TARGETS = safetensors model_config prompt_schedule
ARTV_FUZZ_DIR = tests/fuzz/run
ARTV_FUZZ_CXXFLAGS = -std=c++20 -g -O1 -fno-omit-frame-pointer \
	-fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined
ARTV_FUZZ_BUILD = $(AM_V_GEN)if test -z '$(CLANGXX)'; then \
	  echo "make fuzz: needs clang++ with libFuzzer (Debian: apt-get install clang" \
	    "libclang-rt-14-dev), which configure did not find; or run make CLANGXX=..." >&2; \
	  exit 1; fi; \
	$(MKDIR_P) $(@D) && \
	$(CLANGXX) $(ARTV_FUZZ_CXXFLAGS) $(WARN_CXXFLAGS) -I$(top_srcdir)/core/include \
	  -I$(top_srcdir)/core $(JSON_CFLAGS) -o $@ $(filter %.cpp,$^)
ARTV_FUZZ_DEPS = tests/fuzz/fuzz_check.h core/util/error.h core/include/artv/artv.h
$(ARTV_FUZZ_DIR)/bin/fuzz_safetensors: tests/fuzz/fuzz_safetensors.cpp core/io/safetensors.cpp \
		core/io/safetensors.h $(ARTV_FUZZ_DEPS)
	$(ARTV_FUZZ_BUILD)
$(ARTV_FUZZ_DIR)/bin/fuzz_model_config: tests/fuzz/fuzz_model_config.cpp core/io/config.cpp \
		core/io/config.h $(ARTV_FUZZ_DEPS)
	$(ARTV_FUZZ_BUILD)
$(ARTV_FUZZ_DIR)/bin/fuzz_prompt_schedule: tests/fuzz/fuzz_prompt_schedule.cpp \
		core/generate/prompt_schedule.cpp core/generate/prompt_schedule.h $(ARTV_FUZZ_DEPS)
	$(ARTV_FUZZ_BUILD)
fuzz: $(FUZZ_TARGETS:%=$(ARTV_FUZZ_DIR)/bin/fuzz_%)
	$(SHELL) $(srcdir)/scripts/fuzz.sh '$(srcdir)' $(ARTV_FUZZ_DIR) $(FUZZ_SECONDS) $(FUZZ_TARGETS)
clean-local: clean-fuzz
clean-fuzz:
	rm -rf $(ARTV_FUZZ_DIR)
.PHONY: fuzz clean-fuzz
