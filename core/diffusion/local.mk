# core/diffusion: sources and tests of this part (included by the top-level Makefile.am)

# Schedule, noise sources, samplers (one file each, table in sampler.cpp), guidance, masked
# diffusion and the ARTV denoiser callback (docs/SAMPLING.md).
libartv_la_SOURCES += \
	core/diffusion/schedule.h core/diffusion/schedule.cpp \
	core/diffusion/noise.h core/diffusion/noise.cpp \
	core/diffusion/sampler.h core/diffusion/sampler_impl.h core/diffusion/sampler.cpp \
	core/diffusion/dpmpp_2s_ancestral.cpp \
	core/diffusion/ddim.cpp \
	core/diffusion/euler.cpp \
	core/diffusion/guidance.h core/diffusion/guidance.cpp \
	core/diffusion/mdm.h core/diffusion/mdm.cpp \
	core/diffusion/artv_denoiser.h core/diffusion/artv_denoiser.cpp
