# gst-artv: the GStreamer plugin `artv` (elements artvsrc and artv) and its tests.
if ENABLE_GSTREAMER

plugin_LTLIBRARIES = gst-artv/libgstartv.la
gst_artv_libgstartv_la_SOURCES = \
	gst-artv/plugin.c \
	gst-artv/gstartvsrc.c gst-artv/gstartvsrc.h \
	gst-artv/gstartv.c gst-artv/gstartv.h \
	gst-artv/gstartvgenerator.c gst-artv/gstartvgenerator.h \
	gst-artv/gstartvsettings.c gst-artv/gstartvsettings.h \
	gst-artv/gstartvmodelcache.c gst-artv/gstartvmodelcache.h
gst_artv_libgstartv_la_CFLAGS = $(AM_CFLAGS) $(GST_CFLAGS)
gst_artv_libgstartv_la_LIBADD = libartv.la $(GST_LIBS) -lm
gst_artv_libgstartv_la_LDFLAGS = -module -avoid-version -no-undefined \
	-export-symbols-regex '^_*gst_plugin_.*'

# GstHarness tests (tests/gst/), run against the plugin in the build tree.
ARTV_GST_TEST_CFLAGS = $(AM_CFLAGS) $(GST_CFLAGS) $(GST_CHECK_CFLAGS)
ARTV_GST_TEST_LIBS = $(GST_CHECK_LIBS) $(GST_LIBS)
check_PROGRAMS += tests/gst/test_artv_properties tests/gst/test_artvsrc tests/gst/test_artv \
	tests/gst/test_modelcache tests/gst/test_schedule_grammar
TESTS += tests/gst/test_artv_properties tests/gst/test_artvsrc tests/gst/test_artv \
	tests/gst/test_modelcache tests/gst/test_schedule_grammar
tests_gst_test_artv_properties_SOURCES = tests/gst/test_artv_properties.c tests/gst/gst_artv_test.h
tests_gst_test_artv_properties_CFLAGS = $(ARTV_GST_TEST_CFLAGS)
tests_gst_test_artv_properties_LDADD = $(ARTV_GST_TEST_LIBS) -lm
tests_gst_test_artvsrc_SOURCES = tests/gst/test_artvsrc.c tests/gst/gst_artv_test.h
tests_gst_test_artvsrc_CFLAGS = $(ARTV_GST_TEST_CFLAGS)
tests_gst_test_artvsrc_LDADD = $(ARTV_GST_TEST_LIBS)
tests_gst_test_artv_SOURCES = tests/gst/test_artv.c tests/gst/gst_artv_test.h
tests_gst_test_artv_CFLAGS = $(ARTV_GST_TEST_CFLAGS)
tests_gst_test_artv_LDADD = $(ARTV_GST_TEST_LIBS)
# The model cache is tested directly, linked with its source and the library.
tests_gst_test_modelcache_SOURCES = tests/gst/test_modelcache.c tests/gst/gst_artv_test.h \
	gst-artv/gstartvmodelcache.c gst-artv/gstartvmodelcache.h
tests_gst_test_modelcache_CFLAGS = $(ARTV_GST_TEST_CFLAGS)
tests_gst_test_modelcache_LDADD = libartv.la $(ARTV_GST_TEST_LIBS)
# The plugin's 'prompts' validator against the engine's schedule parser.
tests_gst_test_schedule_grammar_SOURCES = tests/gst/test_schedule_grammar.cpp \
	gst-artv/gstartvsettings.c gst-artv/gstartvsettings.h
tests_gst_test_schedule_grammar_CFLAGS = $(ARTV_GST_TEST_CFLAGS)
tests_gst_test_schedule_grammar_CXXFLAGS = $(AM_CXXFLAGS) $(GST_CFLAGS)
tests_gst_test_schedule_grammar_LDADD = $(ARTV_TEST_CXX_LIBS) $(GST_LIBS) -lm

# The tests generate with the tiny random model of tests/generate.mk ($(builddir)/tests/test-tiny).
EXTRA_tests_gst_test_artvsrc_DEPENDENCIES = $(ARTV_TEST_TINY_STAMP)
EXTRA_tests_gst_test_artv_DEPENDENCIES = $(ARTV_TEST_TINY_STAMP)
EXTRA_tests_gst_test_modelcache_DEPENDENCIES = $(ARTV_TEST_TINY_STAMP)

# The tests' plugin registry, scanned once before they run. In a sanitizer build the scan would
# run in each test's own process (GST_REGISTRY_FORK=no: Debian's scanner cannot load the
# instrumented plugin), load every installed GStreamer plugin there, and LeakSanitizer would
# report the interned strings GLib keeps for them; scanned here, with the sanitizer runtime
# preloaded and its reports off (the scan is not a test), the tests find it up to date.
ARTV_GST_REGISTRY = tests/gst/registry.bin
check_DATA = $(ARTV_GST_REGISTRY)
$(ARTV_GST_REGISTRY): gst-artv/libgstartv.la
	$(AM_V_GEN)$(MKDIR_P) tests/gst && rm -f $@ && \
	GST_REGISTRY=$@ GST_REGISTRY_FORK=no GST_PLUGIN_PATH=$(abs_top_builddir)/gst-artv/.libs \
	  env $(if $(SANITIZER_RUNTIME),LD_PRELOAD='$(SANITIZER_RUNTIME)') ASAN_OPTIONS=detect_leaks=0 \
	  TSAN_OPTIONS=report_bugs=0 \
	  gst-inspect-1.0 artv >/dev/null

# gst-launch-1.0 end to end, files checked with ffprobe.
TESTS += tests/gst/test_gst_launch_extend.sh tests/gst/test_gst_launch_src.sh

endif

# Outside the conditional: distributed either way, and automake wants these rules defined
# once, unconditionally.
EXTRA_DIST += tests/gst/test_gst_launch_extend.sh tests/gst/test_gst_launch_src.sh \
	tests/gst/e2e_common.sh
clean-local: clean-gst-artv-tests
clean-gst-artv-tests:
	rm -f tests/gst/registry.bin
.PHONY: clean-gst-artv-tests
