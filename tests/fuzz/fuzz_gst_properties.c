/*
 * Fuzz target: the property strings of the GStreamer elements artvsrc and artv, as gst-launch
 * gives them ("artvsrc prompts=... steps=..."). The first byte picks the element; the rest is
 * lines "name=value", each set from its string the way gst-launch does (GStreamer deserialises
 * it for the property's type, GLib checks the range, the elements' own validators check the
 * strings). Then the element runs in a pipeline at 32x32 with the tiny model of
 * $ARTV_FUZZ_MODEL until it has pushed a few buffers, posted an error or reached EOS, and the
 * pipeline is shut down. A property refused with a warning and an element error are expected
 * outcomes; a crash, a sanitizer report, a leak, a GLib critical or a hang is a finding.
 *
 * Built by `make fuzz` (tests/fuzz.mk) with clang and libFuzzer, this file and the elements'
 * sources instrumented; and with any compiler and tests/fuzz/replay_main.cpp for the replay test
 * of `make check`.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gst/gst.h>

#include "fuzz_model.h"

#include "gstartv.h"
#include "gstartvsrc.h"

/* Longer inputs add nothing the parsers have not seen (prompts are capped elsewhere). */
#define MAX_INPUT_BYTES 4096
/* Frames are generated only when they are cheap, so that the work per input stays well under
 * the fuzzer's hang timeout whatever the properties ask for. */
#define MAX_STEPS 2
#define MAX_GENERATED 2
#define MAX_RUN_SECONDS 5

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Warnings (a refused property value) are expected; a critical is a broken precondition. */
static void on_log(const gchar *domain, GLogLevelFlags level, const gchar *message, gpointer data)
{
    if (level & (G_LOG_LEVEL_CRITICAL | G_LOG_LEVEL_ERROR)) {
        fprintf(stderr, "fuzz_gst_properties: %s: %s\n", domain ? domain : "", message);
        abort();
    }
    if (g_getenv("ARTV_FUZZ_VERBOSE"))
        fprintf(stderr, "%s: %s\n", domain ? domain : "", message);
}

/* An element that stays open for the whole run, as another artvsrc in the same process would:
 * the model cache then shares its model with every input that keeps the default model. */
static GstElement *resident;

static void setup(void)
{
    if (resident)
        return;
    artv_fuzz_use_model("fuzz_gst_properties");
    gst_init(NULL, NULL);
    g_log_set_default_handler(on_log, NULL);
    if (!GST_ELEMENT_REGISTER(artvsrc, NULL) || !GST_ELEMENT_REGISTER(artv, NULL))
        abort();
    resident = gst_element_factory_make("artvsrc", "resident");
    if (!resident || gst_element_set_state(resident, GST_STATE_READY) != GST_STATE_CHANGE_SUCCESS) {
        fprintf(stderr, "fuzz_gst_properties: cannot open artvsrc with the model of "
                "ARTV_FUZZ_MODEL=%s\n", getenv("ARTV_FUZZ_MODEL"));
        abort();
    }
}

/* Set each "name=value" line that names a property of the element, from its string. */
static void set_properties(GstElement *element, char *text)
{
    char *line, *next;
    for (line = text; line; line = next) {
        char *eq;
        next = strchr(line, '\n');
        if (next)
            *next++ = '\0';
        eq = strchr(line, '=');
        if (!eq)
            continue;
        *eq = '\0';
        /* Names a property (gst-launch refuses an unknown name before setting anything). */
        if (g_object_class_find_property(G_OBJECT_GET_CLASS(element), line) &&
            strcmp(line, "name") != 0 && strcmp(line, "parent") != 0)
            gst_util_set_object_arg(G_OBJECT(element), line, eq + 1);
    }
}

static void count_buffer(GstElement *sink, GstBuffer *buffer, GstPad *pad, gpointer count)
{
    g_atomic_int_inc((gint *)count);
}

static GstElement *make(GstElement *pipeline, const char *factory)
{
    GstElement *e = gst_element_factory_make(factory, NULL);
    if (!e || !gst_bin_add(GST_BIN(pipeline), e))
        abort();
    return e;
}

static void run(int source, char *text)
{
    GstElement *pipeline = gst_pipeline_new(NULL);
    GstElement *artv = make(pipeline, source ? "artvsrc" : "artv");
    GstElement *caps = make(pipeline, "capsfilter");
    GstElement *sink = make(pipeline, "fakesink");
    GstCaps *rgb = gst_caps_from_string("video/x-raw,format=RGB,width=32,height=32,framerate=8/1");
    GstBus *bus = gst_element_get_bus(pipeline);
    gint buffers = 0, steps = 0;
    /* artv passes its two input frames through first. */
    const gint max_buffers = MAX_GENERATED + (source ? 0 : 2);
    gint64 deadline;

    set_properties(artv, text);
    g_object_get(artv, "steps", &steps, NULL);
    g_object_set(caps, "caps", rgb, NULL);
    g_object_set(sink, "sync", FALSE, "signal-handoffs", TRUE, NULL);
    g_signal_connect(sink, "handoff", G_CALLBACK(count_buffer), &buffers);
    if (source) {
        if (!gst_element_link_many(artv, caps, sink, NULL))
            abort();
    } else {
        /* artv continues two frames of a test pattern. */
        GstElement *input = make(pipeline, "videotestsrc");
        g_object_set(input, "num-buffers", 2, NULL);
        if (!gst_element_link_many(input, caps, artv, sink, NULL))
            abort();
    }
    gst_caps_unref(rgb);

    /* steps 0 (the model's default) is not cheap with every model: only explicit small counts. */
    if (steps >= 1 && steps <= MAX_STEPS &&
        gst_element_set_state(pipeline, GST_STATE_PLAYING) != GST_STATE_CHANGE_FAILURE) {
        deadline = g_get_monotonic_time() + MAX_RUN_SECONDS * G_USEC_PER_SEC;
        while (g_atomic_int_get(&buffers) < max_buffers && g_get_monotonic_time() < deadline) {
            GstMessage *msg = gst_bus_timed_pop_filtered(bus, 20 * GST_MSECOND,
                                                         GST_MESSAGE_ERROR | GST_MESSAGE_EOS);
            if (msg) {
                gst_message_unref(msg);
                break;
            }
        }
    }
    if (g_getenv("ARTV_FUZZ_VERBOSE"))
        fprintf(stderr, "fuzz_gst_properties: %d buffers\n", g_atomic_int_get(&buffers));
    if (gst_element_set_state(pipeline, GST_STATE_NULL) == GST_STATE_CHANGE_FAILURE)
        abort();
    gst_object_unref(bus);
    gst_object_unref(pipeline);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text;

    setup();
    if (size < 1 || size - 1 > MAX_INPUT_BYTES)
        return 0;
    /* Property strings are C strings: each ends at the first NUL, as on a command line. */
    text = g_strndup((const char *)data + 1, size - 1);
    run(data[0] & 1, text);
    g_free(text);
    return 0;
}
