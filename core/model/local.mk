# core/model: the ARTV networks (included by the top-level Makefile.am)

# The model config and the tokenizer live in core/io but belong to this part.
libartv_la_SOURCES += \
	core/io/config.h core/io/config.cpp \
	core/io/tokenizer.h core/io/tokenizer.cpp

libartv_la_SOURCES += \
	core/model/adapter.h core/model/adapter.cpp \
	core/model/anchor.h core/model/anchor.cpp \
	core/model/unet.h core/model/unet.cpp \
	core/model/vae.h core/model/vae.cpp \
	core/model/text_encoder.h core/model/text_encoder.cpp \
	core/model/artv_networks.h core/model/artv_networks.cpp \
	core/model/reference_motion.h core/model/reference_motion.cpp \
	core/model/sd21_init.h core/model/sd21_init.cpp
