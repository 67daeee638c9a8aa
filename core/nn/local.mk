# core/nn: layers shared by the networks (included by the top-level Makefile.am)
libartv_la_SOURCES += \
	core/nn/torch_compat.h \
	core/nn/attention.h core/nn/attention.cpp \
	core/nn/conv2d.h core/nn/conv2d.cpp \
	core/nn/layers.h core/nn/layers.cpp \
	core/nn/linear.h core/nn/linear.cpp \
	core/nn/resblock.h core/nn/resblock.cpp \
	core/nn/spatial_transformer.h core/nn/spatial_transformer.cpp
