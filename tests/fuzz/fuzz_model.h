/* What the fuzz targets that run a model share (fuzz_ffmpeg_options.c, fuzz_gst_properties.c):
 * the model comes from $ARTV_FUZZ_MODEL (`make check` and `make fuzz` set it to the tiny random
 * model of the build tree), and becomes the elements' default model through ARTV_MODEL_PATH, so
 * that an input that names no model uses it. */
#ifndef ARTV_FUZZ_MODEL_H
#define ARTV_FUZZ_MODEL_H

#include <stdio.h>
#include <stdlib.h>

static inline void artv_fuzz_use_model(const char *target)
{
    const char *model = getenv("ARTV_FUZZ_MODEL");
    if (!model || !*model || setenv("ARTV_MODEL_PATH", model, 1) != 0) {
        fprintf(stderr, "%s: set ARTV_FUZZ_MODEL to a tiny model directory\n", target);
        abort();
    }
}

#endif
