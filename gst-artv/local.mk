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
	tests/gst/test_modelcache
TESTS += tests/gst/test_artv_properties tests/gst/test_artvsrc tests/gst/test_artv \
	tests/gst/test_modelcache
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

# gst-launch-1.0 end to end, files checked with ffprobe.
TESTS += tests/gst/test_gst_launch_extend.sh tests/gst/test_gst_launch_src.sh
EXTRA_DIST += tests/gst/test_gst_launch_extend.sh tests/gst/test_gst_launch_src.sh \
	tests/gst/e2e_common.sh

endif
