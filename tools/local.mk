# tools: the `artv` command-line tool (included by the top-level Makefile.am)

bin_PROGRAMS += tools/artv
tools_artv_LDADD = libartv.la $(TORCH_LIBS) $(LIBAV_LIBS)
# One line per command (see tools/commands.h): the dispatcher first, then tools/cmd_NAME.cpp.
tools_artv_SOURCES = tools/artv.cpp tools/commands.h
tools_artv_SOURCES += tools/cmd_inspect.cpp
tools_artv_SOURCES += tools/cli_args.h tools/cli_args.cpp
tools_artv_SOURCES += tools/cmd_generate.cpp
tools_artv_SOURCES += tools/cmd_init_random.cpp
tools_artv_SOURCES += tools/cmd_render.cpp
tools_artv_SOURCES += tools/cmd_init_sd21.cpp
tools_artv_SOURCES += tools/cmd_train.cpp
tools_artv_SOURCES += tools/cmd_eval.cpp
tools_artv_SOURCES += tools/cmd_bench.cpp
tools_artv_SOURCES += tools/cmd_motion.cpp

# The tool's own test: dispatch and `artv inspect` on an oracle file.
TESTS += tests/test_cli.sh
EXTRA_DIST += tests/test_cli.sh
