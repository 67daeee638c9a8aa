# core/bench: `artv bench`'s measurements (docs/PERFORMANCE.md), included by the top-level
# Makefile.am: FLOPs counted from the ops that run, this machine's reference throughput, the
# process's memory, and the frame / forward / long-session runs with their report.
libartv_la_SOURCES += \
	core/bench/flop_counter.h core/bench/flop_counter.cpp \
	core/bench/op_profile.h core/bench/op_profile.cpp \
	core/bench/process_memory.h core/bench/process_memory.cpp \
	core/bench/reference_throughput.h core/bench/reference_throughput.cpp \
	core/bench/frame_bench.h core/bench/frame_bench.cpp \
	core/bench/bench_run.h core/bench/bench_run.cpp
