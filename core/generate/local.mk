# core/generate: sources and tests of this part (included by the top-level Makefile.am)

# Sessions: prompt schedules, the reference/anchor rule, frame conversion, generation size,
# opening a model, and the auto-regressive Session the C API wraps.
libartv_la_SOURCES += \
	core/generate/prompt_schedule.cpp core/generate/prompt_schedule.h \
	core/generate/conditioning_frames.cpp core/generate/conditioning_frames.h \
	core/generate/frame_convert.cpp core/generate/frame_convert.h \
	core/generate/generation_size.cpp core/generate/generation_size.h \
	core/generate/model_loader.cpp core/generate/model_loader.h \
	core/generate/session.cpp core/generate/session.h

# Run-time facts about the CPU and device/dtype/thread choices, shared with the benchmarks and
# the trainer (no other part builds core/util yet).
libartv_la_SOURCES += \
	core/util/cpu_features.cpp core/util/cpu_features.h \
	core/util/device.cpp core/util/device.h
