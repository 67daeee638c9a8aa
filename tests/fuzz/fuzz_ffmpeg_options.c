/*
 * Fuzz target: the option string of the FFmpeg filters artv and artvsrc, as a filtergraph gives
 * it ("artv=<options>"). The first byte picks the filter, the rest is the option string. The
 * string goes through FFmpeg's own option parsing into the filter's init(), then the graph is
 * configured (the model opened and the session started, with the tiny model of
 * $ARTV_FUZZ_MODEL) and, when the options make it cheap, a few frames are pulled so that the
 * prompts schedule and the generator run too. Refusing the options (an AVERROR) is an expected
 * outcome; a crash, a sanitizer report, a leak or a hang is a finding.
 *
 * Built by `make fuzz` (tests/fuzz.mk) with clang and libFuzzer, this file and the filters'
 * sources instrumented, linked with the patched static FFmpeg of ffmpeg-build/ and libartv; and
 * with any compiler and tests/fuzz/replay_main.cpp for the replay test of `make check`.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_model.h"

#include "libavfilter/avfilter.h"
#include "libavfilter/buffersink.h"
#include "libavutil/frame.h"
#include "libavutil/log.h"
#include "libavutil/mem.h"
#include "libavutil/opt.h"

/* Longer option strings add nothing the parser has not seen (the prompts are capped elsewhere). */
#define MAX_OPTIONS_BYTES 4096
/* Frames are generated only when they are cheap: the work per input stays well under the
 * fuzzer's hang timeout whatever size and steps the options ask for. */
#define MAX_GEN_PIXELS (64 * 64)
#define MAX_STEPS 2
#define MAX_PULLED_FRAMES 4 /* artv: its two input frames, then two generated ones */

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int create(AVFilterGraph *graph, AVFilterContext **ctx, const char *filter,
                  const char *name, const char *args)
{
    return avfilter_graph_create_filter(ctx, avfilter_get_by_name(filter), name, args, NULL, graph);
}

/* A graph that stays open for the whole run, as another filter instance in the same process
 * would: the filters' model cache then shares its model with every input that uses the default
 * model, instead of loading it again for each (which would make the run ten times slower). */
static AVFilterGraph *resident;

static void setup(void)
{
    AVFilterContext *src = NULL, *sink = NULL;
    if (resident)
        return;
    artv_fuzz_use_model("fuzz_ffmpeg_options");
    if (!getenv("ARTV_FUZZ_VERBOSE"))
        av_log_set_level(AV_LOG_QUIET);
    if (!(resident = avfilter_graph_alloc()) ||
        create(resident, &src, "artvsrc", "resident", "prompt=still:steps=1") < 0 ||
        create(resident, &sink, "buffersink", "sink", NULL) < 0 ||
        avfilter_link(src, 0, sink, 0) < 0 || avfilter_graph_config(resident, NULL) < 0) {
        fprintf(stderr, "fuzz_ffmpeg_options: cannot open artvsrc with the model of "
                "ARTV_FUZZ_MODEL=%s\n", getenv("ARTV_FUZZ_MODEL"));
        abort();
    }
}

/* Whether generating with the options the filter accepted stays cheap. */
static int cheap_to_generate(AVFilterContext *artv, const AVFilterLink *out)
{
    int64_t steps = 0;
    int gen_w = 0, gen_h = 0;
    if (av_opt_get_int(artv, "steps", AV_OPT_SEARCH_CHILDREN, &steps) < 0 ||
        av_opt_get_image_size(artv, "gen_size", AV_OPT_SEARCH_CHILDREN, &gen_w, &gen_h) < 0)
        return 0;
    if (steps < 1 || steps > MAX_STEPS)  /* 0, the model's default, is not cheap with every model */
        return 0;
    if ((int64_t)gen_w * gen_h > MAX_GEN_PIXELS || (int64_t)out->w * out->h > MAX_GEN_PIXELS)
        return 0;
    return 1;
}

static void run(int source, const char *options)
{
    AVFilterGraph *graph = avfilter_graph_alloc();
    AVFilterContext *input = NULL, *artv = NULL, *sink = NULL;
    AVFrame *frame = av_frame_alloc();
    int i;

    if (!graph || !frame)
        abort();
    if (create(graph, &artv, source ? "artvsrc" : "artv", "fuzzed", options) < 0)
        goto done;
    /* vf_artv continues two 32x32 frames of a flat colour (8 fps, 0.25 s). */
    if (!source && (create(graph, &input, "color", "input", "c=gray:s=32x32:r=8:d=0.25") < 0 ||
                    avfilter_link(input, 0, artv, 0) < 0))
        abort();
    if (create(graph, &sink, "buffersink", "sink", NULL) < 0 || avfilter_link(artv, 0, sink, 0) < 0)
        abort();
    if (avfilter_graph_config(graph, NULL) < 0)
        goto done;
    if (!cheap_to_generate(artv, sink->inputs[0]))
        goto done;
    for (i = 0; i < MAX_PULLED_FRAMES; i++) {
        if (av_buffersink_get_frame(sink, frame) < 0)
            break;
        if (frame->width != sink->inputs[0]->w || frame->height != sink->inputs[0]->h) {
            fprintf(stderr, "frame %dx%d on a %dx%d link\n", frame->width, frame->height,
                    sink->inputs[0]->w, sink->inputs[0]->h);
            abort();
        }
        av_frame_unref(frame);
    }
    if (getenv("ARTV_FUZZ_VERBOSE"))
        fprintf(stderr, "fuzz_ffmpeg_options: %d frames pulled\n", i);
done:
    av_frame_free(&frame);
    avfilter_graph_free(&graph);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *options;

    setup();
    if (size < 1 || size - 1 > MAX_OPTIONS_BYTES)
        return 0;
    /* An option string is a C string: it ends at the first NUL, as it would on a command line. */
    options = av_strndup((const char *)data + 1, size - 1);
    if (!options)
        abort();
    run(data[0] & 1, options);
    av_free(options);
    return 0;
}
