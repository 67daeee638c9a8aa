# Fuzz targets of the parsers that read untrusted bytes (included by the top-level Makefile.am).
# Each tests/fuzz/fuzz_TARGET.cpp defines LLVMFuzzerTestOneInput; the parsers' own errors
# (artv::Error) are expected outcomes, anything else is a finding (tests/fuzz/fuzz_check.h).

# make check: every target replays its committed seeds and crash regressions with any compiler
# (tests/fuzz/replay_main.cpp; libFuzzer is not needed).
ARTV_FUZZ_REPLAY_SOURCES = tests/fuzz/replay_main.cpp tests/fuzz/fuzz_check.h tests/fuzz/fuzz_model.h
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
ARTV_FUZZ_CFLAGS = -g -O1 -fno-omit-frame-pointer -fsanitize=address,undefined \
	-fno-sanitize-recover=undefined
ARTV_FUZZ_CXXFLAGS = -std=c++20 $(ARTV_FUZZ_CFLAGS) -fsanitize=fuzzer
ARTV_FUZZ_NEED_CLANG = if test -z '$(CLANGXX)'; then \
	  echo "make fuzz: needs clang++ with libFuzzer (Debian: apt-get install clang" \
	    "libclang-rt-14-dev), which configure did not find; or run make CLANGXX=..." >&2; \
	  exit 1; fi
ARTV_FUZZ_BUILD = $(AM_V_GEN)$(ARTV_FUZZ_NEED_CLANG); \
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

if ENABLE_FFMPEG
# The FFmpeg filters' option string (tests/fuzz/fuzz_ffmpeg_options.c) runs inside the patched
# static FFmpeg of ffmpeg-build/ (libavfilter-artv/local.mk) with libartv and the tiny random
# model. The libraries in link order and the external ones build-ffmpeg.sh configures (x264,
# zlib); their symbols stay out of the program's dynamic table, as in ffmpeg itself, so that
# libartv keeps the system's libav* it was linked with.
ARTV_FFMPEG_FUZZ_LIBS = avfilter avformat avcodec swresample swscale postproc avutil
ARTV_FFMPEG_FUZZ_ARCHIVES = $(foreach l,$(ARTV_FFMPEG_FUZZ_LIBS),ffmpeg-build/obj/lib$(l)/lib$(l).a)
ARTV_FFMPEG_HIDE_STATIC = -Wl,--exclude-libs,libavfilter.a:libavformat.a:libavcodec.a:$\
libswresample.a:libswscale.a:libpostproc.a:libavutil.a
ARTV_FFMPEG_FUZZ_EXTRA_LIBS = -lx264 -lz -lm -latomic
ARTV_FFMPEG_FUZZ_CPPFLAGS = -Iffmpeg-build/obj -Iffmpeg-build/tree
$(ARTV_FFMPEG_FUZZ_ARCHIVES): $(ARTV_FFMPEG_STAMP) ;

# make check: the committed seeds through the gcc-built FFmpeg.
check_PROGRAMS += tests/fuzz/replay_ffmpeg_options
TESTS += tests/fuzz/replay_ffmpeg_options
tests_fuzz_replay_ffmpeg_options_SOURCES = tests/fuzz/fuzz_ffmpeg_options.c $(ARTV_FUZZ_REPLAY_SOURCES)
tests_fuzz_replay_ffmpeg_options_CPPFLAGS = $(ARTV_FFMPEG_FUZZ_CPPFLAGS) $(AM_CPPFLAGS) \
	-DARTV_FUZZ_TARGET=\"ffmpeg_options\"
tests_fuzz_replay_ffmpeg_options_LDFLAGS = $(ARTV_FFMPEG_HIDE_STATIC) -pthread
tests_fuzz_replay_ffmpeg_options_LDADD = $(ARTV_FFMPEG_FUZZ_ARCHIVES) libartv.la \
	$(ARTV_FFMPEG_FUZZ_EXTRA_LIBS)
EXTRA_tests_fuzz_replay_ffmpeg_options_DEPENDENCIES = $(ARTV_TEST_TINY_STAMP)

# make fuzz: the harness and the filters' own sources (as build-ffmpeg.sh copied them into
# FFmpeg's tree) instrumented by clang, the rest of FFmpeg as built; FFmpeg's internal
# preprocessor flags come from its configure.
FUZZ_TARGETS += ffmpeg_options
$(ARTV_FUZZ_DIR)/bin/fuzz_ffmpeg_options: tests/fuzz/fuzz_ffmpeg_options.c $(ARTV_FFMPEG_FUZZ_ARCHIVES) \
		libartv.la $(ARTV_TEST_TINY_STAMP)
	$(AM_V_GEN)$(ARTV_FUZZ_NEED_CLANG); \
	$(MKDIR_P) $(@D)/ffmpeg_options.o && \
	internal="-DHAVE_AV_CONFIG_H $$(sed -n 's/^CPPFLAGS=//p' ffmpeg-build/obj/ffbuild/config.mak)" && \
	for f in artv_filter_common vf_artv vsrc_artvsrc; do \
	  $(CLANGXX) -x c -std=c11 $(ARTV_FUZZ_CFLAGS) -fsanitize=fuzzer-no-link $$internal \
	    -Wno-implicit-const-int-float-conversion $(ARTV_FFMPEG_FUZZ_CPPFLAGS) \
	    -I$(top_srcdir)/core/include -c ffmpeg-build/tree/libavfilter/$$f.c \
	    -o $(@D)/ffmpeg_options.o/$$f.o || exit 1; \
	done && \
	$(CLANGXX) -x c -std=gnu11 $(ARTV_FUZZ_CFLAGS) -fsanitize=fuzzer-no-link $(ARTV_FFMPEG_FUZZ_CPPFLAGS) \
	  -c $(srcdir)/tests/fuzz/fuzz_ffmpeg_options.c -o $(@D)/ffmpeg_options.o/harness.o && \
	$(CLANGXX) -fsanitize=fuzzer,address,undefined -o $@ $(@D)/ffmpeg_options.o/*.o \
	  $(ARTV_FFMPEG_FUZZ_ARCHIVES) $(ARTV_FFMPEG_HIDE_STATIC) -L.libs -lartv \
	  -Wl,-rpath,$(abs_top_builddir)/.libs $(ARTV_FFMPEG_FUZZ_EXTRA_LIBS) -pthread
endif
EXTRA_DIST += tests/fuzz/ffmpeg_options.dict

if ENABLE_GSTREAMER
# The GStreamer elements' property strings (tests/fuzz/fuzz_gst_properties.c): the elements'
# sources compiled into the program (registered without the plugin file), with libartv and the
# tiny random model.
ARTV_GST_FUZZ_ELEMENTS = gst-artv/gstartvsrc.c gst-artv/gstartv.c gst-artv/gstartvgenerator.c \
	gst-artv/gstartvsettings.c gst-artv/gstartvmodelcache.c
check_PROGRAMS += tests/fuzz/replay_gst_properties
TESTS += tests/fuzz/replay_gst_properties
tests_fuzz_replay_gst_properties_SOURCES = tests/fuzz/fuzz_gst_properties.c \
	$(ARTV_GST_FUZZ_ELEMENTS) $(ARTV_FUZZ_REPLAY_SOURCES)
tests_fuzz_replay_gst_properties_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/gst-artv \
	-DARTV_FUZZ_TARGET=\"gst_properties\"
tests_fuzz_replay_gst_properties_CFLAGS = $(AM_CFLAGS) $(GST_CFLAGS)
tests_fuzz_replay_gst_properties_LDADD = libartv.la $(GST_LIBS) -lm
EXTRA_tests_fuzz_replay_gst_properties_DEPENDENCIES = $(ARTV_TEST_TINY_STAMP)

FUZZ_TARGETS += gst_properties
$(ARTV_FUZZ_DIR)/bin/fuzz_gst_properties: tests/fuzz/fuzz_gst_properties.c $(ARTV_GST_FUZZ_ELEMENTS) \
		libartv.la $(ARTV_TEST_TINY_STAMP)
	$(AM_V_GEN)$(ARTV_FUZZ_NEED_CLANG); \
	$(MKDIR_P) $(@D) && \
	$(CLANGXX) -x c -std=gnu11 $(ARTV_FUZZ_CFLAGS) -fsanitize=fuzzer -DHAVE_CONFIG_H -I. \
	  -I$(top_srcdir)/core/include -I$(top_srcdir)/gst-artv $(GST_CFLAGS) \
	  $(filter %.c,$^) -x none -o $@ -L.libs -lartv -Wl,-rpath,$(abs_top_builddir)/.libs \
	  $(GST_LIBS) -lm
endif
EXTRA_DIST += tests/fuzz/gst_properties.dict

# The targets that run a model use the tiny random one (tests/fuzz/fuzz_model.h), with the
# OpenMP settings of make check: libgomp's spinning threads would crawl on a busy machine.
fuzz: $(FUZZ_TARGETS:%=$(ARTV_FUZZ_DIR)/bin/fuzz_%)
	ARTV_FUZZ_MODEL='$(abs_top_builddir)/tests/test-tiny' OMP_WAIT_POLICY=passive OMP_NUM_THREADS=2 \
	  $(SHELL) $(srcdir)/scripts/fuzz.sh '$(srcdir)' $(ARTV_FUZZ_DIR) $(FUZZ_SECONDS) $(FUZZ_TARGETS)
clean-local: clean-fuzz
clean-fuzz:
	rm -rf $(ARTV_FUZZ_DIR)
.PHONY: fuzz clean-fuzz
