# core/io: sources and tests of this part (included by the top-level Makefile.am)

# safetensors: reading (no LibTorch) and LibTorch tensors/modules in and out.
libartv_la_SOURCES += \
	core/io/safetensors.h core/io/safetensors.cpp \
	core/io/tensor_io.h core/io/tensor_io.cpp
