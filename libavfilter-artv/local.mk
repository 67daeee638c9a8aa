# libavfilter-artv: the FFmpeg filters artv (extend a clip / animate an image) and artvsrc
# (text-to-video source). libavfilter has no run-time plugins, so build-ffmpeg.sh compiles them
# into an FFmpeg 5.1 (static, linked to the shared libartv) under ffmpeg-build/:
#   ffmpeg-build/ffmpeg, ffmpeg-build/ffprobe      usable from the build tree (tests use them)
#   $(bindir)/ffmpeg-artv, $(bindir)/ffprobe-artv   installed, never over the system's ffmpeg
# See docs/FFMPEG.md.

ARTV_FFMPEG_INPUTS = \
	libavfilter-artv/vf_artv.c \
	libavfilter-artv/vsrc_artvsrc.c \
	libavfilter-artv/artv_filter_common.c \
	libavfilter-artv/artv_filter_common.h \
	libavfilter-artv/ffmpeg-5.1-artv.patch \
	libavfilter-artv/build-ffmpeg.sh

# End-to-end tests with the built ffmpeg/ffprobe; each exits 77 (skip) without --enable-ffmpeg.
ARTV_FFMPEG_TESTS = \
	tests/ffmpeg/extend_clip.sh \
	tests/ffmpeg/animate_image.sh \
	tests/ffmpeg/artvsrc.sh \
	tests/ffmpeg/prompts_schedule.sh \
	tests/ffmpeg/seed.sh \
	tests/ffmpeg/formats_sizes.sh \
	tests/ffmpeg/short_inputs.sh \
	tests/ffmpeg/bad_input.sh \
	tests/ffmpeg/shared_model.sh \
	tests/ffmpeg/help.sh
# FFmpeg's own FATE tests that need no samples, run against the patched build: make check-fate
ARTV_FATE_TESTS = \
	fate-filter-tpad-add fate-filter-tpad-clone \
	fate-filter-fps-up fate-filter-fps-down fate-filter-fps-start-drop \
	fate-filter-framerate-up fate-filter-minterpolate-up fate-filter-minterpolate-down \
	fate-filter-testsrc2-yuv420p fate-filter-testsrc2-rgb24 fate-filter-lavd-testsrc \
	fate-filter-lavd-life fate-filter-smptebars fate-filter-allyuv fate-filter-pal75bars \
	fate-filter-yuvtestsrc-yuv444p fate-filter-decimate fate-filter-mpdecimate \
	fate-filter-chromashift-smear fate-filter-untile \
	fate-filter-null fate-filter-crop fate-filter-pad fate-filter-vflip \
	fate-filter-pixfmts-copy fate-filter-pixfmts-hflip fate-filter-pixfmts-scale \
	fate-lavf-mkv fate-lavf-mp4 fate-lavf-nut

EXTRA_DIST += $(ARTV_FFMPEG_INPUTS) tests/ffmpeg/lib.sh $(ARTV_FFMPEG_TESTS)
TESTS += $(ARTV_FFMPEG_TESTS)

# Hooks into automake's targets, unconditional (other parts hook the same targets); what they
# do depends on --enable-ffmpeg.
all-local: all-ffmpeg-artv
install-exec-local: install-ffmpeg-artv
uninstall-local: uninstall-ffmpeg-artv
clean-local: clean-ffmpeg-artv
distclean-local: distclean-ffmpeg-artv
.PHONY: all-ffmpeg-artv install-ffmpeg-artv uninstall-ffmpeg-artv clean-ffmpeg-artv \
	distclean-ffmpeg-artv check-fate

if ENABLE_FFMPEG
ARTV_FFMPEG_STAMP = ffmpeg-build/stamps/built

# build-ffmpeg.sh decides what is out of date (source, patch, configure, compile); this rule
# only runs it when a filter source, the patch, the script or the C header changed. libartv is
# linked dynamically, so it only has to exist (order-only). $(MAKE) in the recipe lends FFmpeg's
# make our jobserver. While libartv lacks the session API the script links no program and the
# stamp is not made, so that the next make tries again.
$(ARTV_FFMPEG_STAMP): $(ARTV_FFMPEG_INPUTS) core/include/artv/artv.h | libartv.la
	$(AM_V_GEN)MAKE='$(MAKE)' PATCHELF='$(PATCHELF)' $(SHELL) $(srcdir)/libavfilter-artv/build-ffmpeg.sh \
	  --srcdir='$(abs_top_srcdir)' --builddir='$(abs_top_builddir)/ffmpeg-build' \
	  --libartv-dir='$(abs_top_builddir)/.libs' --cc='$(CC)' \
	  --ffmpeg-source='$(FFMPEG_SOURCE)' --sanitize='$(filter -fsanitize=%,$(CFLAGS))'
	@if test -x ffmpeg-build/obj/ffmpeg; then touch $@; fi

ffmpeg-build/ffmpeg ffmpeg-build/ffprobe: $(ARTV_FFMPEG_STAMP)

all-ffmpeg-artv: $(ARTV_FFMPEG_STAMP)

# The build-tree binaries find libartv in .libs; the installed ones in $(libdir).
install-ffmpeg-artv: $(ARTV_FFMPEG_STAMP)
	@if test ! -x ffmpeg-build/obj/ffmpeg; then \
	  echo "warning: ffmpeg-artv not installed: not linked (libartv lacks the session API)"; exit 0; fi; \
	$(MKDIR_P) '$(DESTDIR)$(bindir)' && \
	for p in ffmpeg ffprobe; do \
	  echo " $(INSTALL_PROGRAM) ffmpeg-build/obj/$$p '$(DESTDIR)$(bindir)/'$$p-artv"; \
	  $(INSTALL_PROGRAM) ffmpeg-build/obj/$$p '$(DESTDIR)$(bindir)/'$$p-artv && \
	  $(PATCHELF) --set-rpath '$(libdir)' '$(DESTDIR)$(bindir)/'$$p-artv || exit 1; \
	done

# FATE needs no samples for these; SAMPLES= makes sure none is looked for. FATE's own test
# programs link libavfilter, hence libartv, without our rpath.
check-fate: $(ARTV_FFMPEG_STAMP)
	LD_LIBRARY_PATH='$(abs_top_builddir)/.libs'$${LD_LIBRARY_PATH:+:$$LD_LIBRARY_PATH} \
	  $(MAKE) -C ffmpeg-build/obj SAMPLES= $(ARTV_FATE_TESTS)
else
all-ffmpeg-artv:
install-ffmpeg-artv:
check-fate:
	@echo "check-fate: configured without --enable-ffmpeg"
endif

uninstall-ffmpeg-artv:
	rm -f '$(DESTDIR)$(bindir)/ffmpeg-artv' '$(DESTDIR)$(bindir)/ffprobe-artv'

# clean keeps the downloaded source (ffmpeg-build/src); distclean removes everything.
clean-ffmpeg-artv:
	rm -rf ffmpeg-build/obj ffmpeg-build/tree ffmpeg-build/tree.tmp ffmpeg-build/ffmpeg \
	  ffmpeg-build/ffprobe ffmpeg-build/stamps/built ffmpeg-build/stamps/tree \
	  ffmpeg-build/stamps/configure ffmpeg-build/test-tiny-model

distclean-ffmpeg-artv:
	rm -rf ffmpeg-build
