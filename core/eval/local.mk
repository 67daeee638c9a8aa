# core/eval: `artv eval`'s measurements and suites (docs/EVAL.md), included by the top-level
# Makefile.am. Measurements (phase correlation, image metrics, object tracking, motion judging)
# need no LibTorch; the suites drive generation sessions.
libartv_la_SOURCES += \
	core/eval/phase_correlation.h core/eval/phase_correlation.cpp \
	core/eval/image_metrics.h core/eval/image_metrics.cpp \
	core/eval/object_tracker.h core/eval/object_tracker.cpp \
	core/eval/motion_metrics.h core/eval/motion_metrics.cpp \
	core/eval/eval_suite.h core/eval/eval_suite.cpp \
	core/eval/eval_report.h core/eval/eval_report.cpp
