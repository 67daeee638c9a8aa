# models: the model configs and the embedded default model (included by the top-level Makefile.am)
#
# $(artvmodeldir) (Makefile.am) is where the library looks for the default model when
# ARTV_MODEL_PATH is unset: the artv-tiny directory is installed there. Its weights and tokenizer
# come from training (docs/TRAINING.md); they are installed when present in the source tree.
dist_artvmodel_DATA += models/artv-tiny/config.json

ARTV_TINY_MODEL_FILES = model.safetensors tokenizer.model
install-data-local: install-artv-tiny-files
install-artv-tiny-files:
	@for f in $(ARTV_TINY_MODEL_FILES); do \
	  if test -f "$(srcdir)/models/artv-tiny/$$f"; then \
	    $(MKDIR_P) "$(DESTDIR)$(artvmodeldir)" && \
	    echo " $(INSTALL_DATA) models/artv-tiny/$$f '$(DESTDIR)$(artvmodeldir)'" && \
	    $(INSTALL_DATA) "$(srcdir)/models/artv-tiny/$$f" "$(DESTDIR)$(artvmodeldir)/$$f" || exit 1; \
	  fi; \
	done
uninstall-local: uninstall-artv-tiny-files
uninstall-artv-tiny-files:
	for f in $(ARTV_TINY_MODEL_FILES); do rm -f "$(DESTDIR)$(artvmodeldir)/$$f"; done
.PHONY: install-artv-tiny-files uninstall-artv-tiny-files

# The full-size configuration (weights are built with `artv init-sd21`, not shipped).
sd21modeldir = $(pkgdatadir)/models/sd21
dist_sd21model_DATA = models/sd21/config.json
