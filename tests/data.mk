# tests of core/data (included by the top-level Makefile.am); test_video_io covers the
# frame and video files of core/io that the data part owns.
check_PROGRAMS += tests/test_video_io tests/test_renderer tests/test_dataset
TESTS += tests/test_video_io tests/test_renderer tests/test_dataset
tests_test_video_io_SOURCES = tests/test_video_io.cpp tests/data_test_helpers.h
tests_test_video_io_LDADD = $(ARTV_TEST_CXX_LIBS)
tests_test_renderer_SOURCES = tests/test_renderer.cpp tests/data_test_helpers.h
tests_test_renderer_LDADD = $(ARTV_TEST_CXX_LIBS)
tests_test_dataset_SOURCES = tests/test_dataset.cpp tests/data_test_helpers.h
tests_test_dataset_LDADD = $(ARTV_TEST_CXX_LIBS)

# `artv render` (tools/cmd_render.cpp) end to end.
TESTS += tests/test_render_cli.sh
EXTRA_DIST += tests/test_render_cli.sh
