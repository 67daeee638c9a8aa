/* test_artvsrc.c — GstHarness tests of artvsrc on the tiny random test model: caps
 * negotiation, buffer count and timestamps, seeds, interruption, bad properties, a missing
 * model. */
#include "gst_artv_test.h"

#include <gst/video/video.h>
#include <string.h>

#define TEST_STEPS 2

/* One CPU thread: generation runs on the thread that opened the model, where LibTorch's
 * OpenMP team spins at barriers; two spinning threads crawl on a loaded two-core machine
 * (`make -j2 check`). */
static GstHarness *
new_src (guint64 seed, gint num_buffers)
{
  GstElement *e = gst_element_factory_make ("artvsrc", NULL);
  GstHarness *h;

  fail_unless (e != NULL);
  g_object_set (e, "model", artv_test_model (), "steps", TEST_STEPS, "seed", seed,
      "num-buffers", num_buffers, "prompt", "a red square moves right", "threads", 1, NULL);
  h = gst_harness_new_with_element (e, NULL, "src");
  gst_object_unref (e);
  return h;
}

static GstCaps *
src_caps (GstHarness * h)
{
  GstPad *pad = gst_element_get_static_pad (h->element, "src");
  GstCaps *caps = gst_pad_get_current_caps (pad);
  gst_object_unref (pad);
  return caps;
}

/* Pull every buffer up to EOS (num-buffers set). */
static GPtrArray *
pull_all (GstHarness * h)
{
  GPtrArray *bufs = g_ptr_array_new_with_free_func ((GDestroyNotify) gst_buffer_unref);
  GstEvent *ev;
  gboolean eos = FALSE;

  while (!eos) {
    GstBuffer *b = gst_harness_try_pull (h);
    if (b) {
      g_ptr_array_add (bufs, b);
      continue;
    }
    while ((ev = gst_harness_try_pull_event (h))) {
      eos |= GST_EVENT_TYPE (ev) == GST_EVENT_EOS;
      gst_event_unref (ev);
    }
    if (!eos)
      g_usleep (2000);
  }
  /* Buffers queued before the EOS event was noticed. */
  {
    GstBuffer *b;
    while ((b = gst_harness_try_pull (h)))
      g_ptr_array_add (bufs, b);
  }
  return bufs;
}

/* With no constraint, the caps fixate to the model's native square size and frame rate. */
GST_START_TEST (test_caps_fixate_to_model)
{
  GstHarness *h = new_src (1, 1);
  GstCaps *caps;
  GstVideoInfo info;
  GstBuffer *b;

  gst_harness_set_sink_caps_str (h, "video/x-raw, format=RGB");
  gst_harness_play (h);
  b = gst_harness_pull (h);
  fail_unless (b != NULL);
  caps = src_caps (h);
  fail_unless (gst_video_info_from_caps (&info, caps));
  GST_INFO ("fixated to %" GST_PTR_FORMAT, caps);
  fail_unless_equals_int (info.width, info.height);
  fail_unless (info.width >= 8);
  fail_unless (info.fps_n > 0);
  fail_unless_equals_int (info.fps_d, 1);
  fail_unless_equals_int (gst_buffer_get_size (b), info.size);
  gst_caps_unref (caps);
  gst_buffer_unref (b);
  gst_harness_teardown (h);
}

GST_END_TEST;

static const struct
{
  gint width, height, fps_n, fps_d;
} sizes[] = {
  {64, 64, 8, 1},
  {80, 48, 25, 1},
  {48, 32, 30000, 1001},
  {33, 17, 12, 1},              /* odd width: rows are padded to 4 bytes */
};

/* Downstream's size and frame rate are honoured; timestamps follow the frame rate. */
GST_START_TEST (test_caps_negotiation_sizes)
{
  const gint n = 3;
  GstHarness *h = new_src (2, n);
  gchar *want = g_strdup_printf ("video/x-raw, format=RGB, width=%d, height=%d, "
      "framerate=%d/%d", sizes[__i__].width, sizes[__i__].height, sizes[__i__].fps_n,
      sizes[__i__].fps_d);
  GstCaps *caps;
  GstVideoInfo info;
  GPtrArray *bufs;
  guint i;

  gst_harness_set_sink_caps_str (h, want);
  gst_harness_play (h);
  bufs = pull_all (h);
  fail_unless_equals_int (bufs->len, n);

  caps = src_caps (h);
  fail_unless (gst_video_info_from_caps (&info, caps));
  fail_unless_equals_int (info.width, sizes[__i__].width);
  fail_unless_equals_int (info.height, sizes[__i__].height);
  fail_unless_equals_int (info.fps_n, sizes[__i__].fps_n);
  fail_unless_equals_int (info.fps_d, sizes[__i__].fps_d);
  fail_unless_equals_string (gst_video_format_to_string (info.finfo->format), "RGB");

  for (i = 0; i < bufs->len; i++) {
    GstBuffer *b = g_ptr_array_index (bufs, i);
    GstClockTime t0 = gst_util_uint64_scale (i, info.fps_d * GST_SECOND, info.fps_n);
    GstClockTime t1 = gst_util_uint64_scale (i + 1, info.fps_d * GST_SECOND, info.fps_n);
    fail_unless (gst_buffer_get_size (b) >= info.size);
    fail_unless_equals_uint64 (GST_BUFFER_PTS (b), t0);
    fail_unless_equals_uint64 (GST_BUFFER_DURATION (b), t1 - t0);
    fail_unless_equals_uint64 (GST_BUFFER_OFFSET (b), i);
    fail_unless_equals_uint64 (GST_BUFFER_OFFSET_END (b), i + 1);
  }
  g_ptr_array_unref (bufs);
  gst_caps_unref (caps);
  g_free (want);
  gst_harness_teardown (h);
}

GST_END_TEST;

/* Only RGB up to ARTV_MAX_FRAME_SIDE is produced: asking for another format or a larger
 * frame fails negotiation (before any frame buffer is allocated). */
static const gchar *refused_caps[] = {
  "video/x-raw, format=I420",
  "video/x-raw, format=RGB, width=16400, height=64",
};

GST_START_TEST (test_caps_refused)
{
  GstHarness *h = new_src (1, 2);
  GstBus *bus = gst_bus_new ();
  GstMessage *msg;
  GError *err = NULL;

  gst_element_set_bus (h->element, bus);
  gst_harness_set_sink_caps_str (h, refused_caps[__i__]);
  gst_harness_play (h);
  msg = gst_bus_timed_pop_filtered (bus, 30 * GST_SECOND, GST_MESSAGE_ERROR);
  fail_unless (msg != NULL, "no error when downstream wants %s", refused_caps[__i__]);
  gst_message_parse_error (msg, &err, NULL);
  GST_INFO ("negotiation error: %s", err->message);
  fail_unless (err->domain == GST_STREAM_ERROR || err->domain == GST_CORE_ERROR);
  g_error_free (err);
  gst_message_unref (msg);
  gst_element_set_bus (h->element, NULL);
  gst_object_unref (bus);
  gst_harness_teardown (h);
}

GST_END_TEST;

static GPtrArray *
generate (guint64 seed, gint n)
{
  GstHarness *h = new_src (seed, n);
  GPtrArray *bufs;

  gst_harness_set_sink_caps_str (h, "video/x-raw, format=RGB, width=64, height=64, "
      "framerate=8/1");
  gst_harness_play (h);
  bufs = pull_all (h);
  gst_harness_teardown (h);
  return bufs;
}

static gboolean
buffers_equal (GstBuffer * a, GstBuffer * b)
{
  GstMapInfo ma, mb;
  gboolean eq;

  fail_unless (gst_buffer_map (a, &ma, GST_MAP_READ));
  fail_unless (gst_buffer_map (b, &mb, GST_MAP_READ));
  eq = ma.size == mb.size && memcmp (ma.data, mb.data, ma.size) == 0;
  gst_buffer_unmap (a, &ma);
  gst_buffer_unmap (b, &mb);
  return eq;
}

/* Equal seeds give equal frames; another seed gives other frames. */
GST_START_TEST (test_seed_determinism)
{
  GPtrArray *a = generate (7, 2), *b = generate (7, 2), *c = generate (8, 2);
  guint i;

  fail_unless_equals_int (a->len, 2);
  fail_unless_equals_int (b->len, 2);
  fail_unless_equals_int (c->len, 2);
  for (i = 0; i < a->len; i++) {
    fail_unless (buffers_equal (g_ptr_array_index (a, i), g_ptr_array_index (b, i)),
        "frame %u differs between two runs with seed 7", i);
    fail_if (buffers_equal (g_ptr_array_index (a, i), g_ptr_array_index (c, i)),
        "frame %u is the same with seeds 7 and 8", i);
  }
  g_ptr_array_unref (a);
  g_ptr_array_unref (b);
  g_ptr_array_unref (c);
}

GST_END_TEST;

/* A new prompt set while the source runs reaches the session before the next frame: the
 * stream is held after its first frame (a blocking probe), the prompt changes, the stream
 * goes on. The random test model ignores text (its attention outputs start at zero, as
 * after SD2.1 init), so the proof is the generator's log line, counted per frame. */
typedef struct
{
  GMutex lock;
  GCond cond;
  gboolean blocked;
  gint frames_pushed;
  gint change_seen_at;          /* frames pushed when the new prompt was applied, -1 never */
} PromptWatch;

static PromptWatch *watch;

static GstPadProbeReturn
hold_probe (GstPad * pad, GstPadProbeInfo * info, gpointer user)
{
  g_mutex_lock (&watch->lock);
  watch->blocked = TRUE;
  g_cond_signal (&watch->cond);
  g_mutex_unlock (&watch->lock);
  return GST_PAD_PROBE_OK;      /* stays blocked until the probe is removed */
}

static GstPadProbeReturn
count_probe (GstPad * pad, GstPadProbeInfo * info, gpointer user)
{
  g_mutex_lock (&watch->lock);
  watch->frames_pushed++;
  g_mutex_unlock (&watch->lock);
  return GST_PAD_PROBE_OK;
}

static void
log_hook (GstDebugCategory * category, GstDebugLevel level, const gchar * file,
    const gchar * function, gint line, GObject * object, GstDebugMessage * message,
    gpointer user)
{
  const gchar *text = gst_debug_message_get (message);
  if (strcmp (gst_debug_category_get_name (category), "artvgenerator") == 0 && text
      && strstr (text, "prompt changed to a blue circle")) {
    g_mutex_lock (&watch->lock);
    watch->change_seen_at = watch->frames_pushed;
    g_mutex_unlock (&watch->lock);
  }
}

GST_START_TEST (test_prompt_change_while_running)
{
  GstHarness *h = new_src (5, 3);
  GstPad *pad = gst_element_get_static_pad (h->element, "src");
  PromptWatch w = { 0 };
  GPtrArray *bufs;
  gulong hold_id;

  watch = &w;
  w.change_seen_at = -1;
  g_mutex_init (&w.lock);
  g_cond_init (&w.cond);
  gst_debug_set_threshold_for_name ("artvgenerator", GST_LEVEL_INFO);
  gst_debug_add_log_function (log_hook, NULL, NULL);
  gst_pad_add_probe (pad, GST_PAD_PROBE_TYPE_BUFFER, count_probe, NULL, NULL);
  hold_id = gst_pad_add_probe (pad, GST_PAD_PROBE_TYPE_BLOCK | GST_PAD_PROBE_TYPE_BUFFER,
      hold_probe, NULL, NULL);
  gst_harness_set_sink_caps_str (h, "video/x-raw, format=RGB, width=64, height=64");
  gst_harness_play (h);
  g_mutex_lock (&w.lock);
  while (!w.blocked)
    g_cond_wait (&w.cond, &w.lock);
  g_mutex_unlock (&w.lock);
  g_object_set (h->element, "prompt", "a blue circle moves left", NULL);
  gst_pad_remove_probe (pad, hold_id);
  bufs = pull_all (h);
  gst_debug_remove_log_function (log_hook);

  fail_unless_equals_int (bufs->len, 3);
  /* Applied once, after frame 1 went out and before frame 2 was generated. */
  fail_unless_equals_int (w.change_seen_at, 1);
  g_ptr_array_unref (bufs);
  gst_object_unref (pad);
  gst_harness_teardown (h);
  g_mutex_clear (&w.lock);
  g_cond_clear (&w.cond);
}

GST_END_TEST;

/* One frame element message per generated frame. */
GST_START_TEST (test_progress_messages)
{
  const gint n = 3;
  GstHarness *h = new_src (3, n);
  GstBus *bus = gst_bus_new ();
  GPtrArray *bufs;
  GstMessage *msg;
  gint seen = 0;

  gst_element_set_bus (h->element, bus);
  gst_harness_set_sink_caps_str (h, "video/x-raw, format=RGB, width=64, height=64");
  gst_harness_play (h);
  bufs = pull_all (h);
  fail_unless_equals_int (bufs->len, n);
  while ((msg = gst_bus_pop_filtered (bus, GST_MESSAGE_ELEMENT))) {
    const GstStructure *s = gst_message_get_structure (msg);
    gint frame, total;
    gdouble spf;
    if (gst_structure_has_name (s, "artv-progress")) {
      fail_unless (gst_structure_get_int (s, "frame", &frame));
      fail_unless (gst_structure_get_int (s, "total", &total));
      fail_unless (gst_structure_get_double (s, "seconds-per-frame", &spf));
      seen++;
      fail_unless_equals_int (frame, seen);
      fail_unless_equals_int (total, n);
      fail_unless (spf > 0.0);
    }
    gst_message_unref (msg);
  }
  fail_unless_equals_int (seen, n);
  g_ptr_array_unref (bufs);
  gst_element_set_bus (h->element, NULL);
  gst_object_unref (bus);
  gst_harness_teardown (h);
}

GST_END_TEST;

/* A source busy with a frame that takes minutes (1000 steps): a flush and a state change to
 * NULL return within a bounded time, because unlock aborts the session. */
#define INTERRUPT_BOUND_S 3.0

static GstHarness *
start_slow_generation (void)
{
  GstHarness *h = new_src (4, 10);
  g_object_set (h->element, "steps", 1000, NULL);
  gst_harness_set_sink_caps_str (h, "video/x-raw, format=RGB, width=64, height=64");
  gst_harness_play (h);
  /* Let the first frame start. */
  g_usleep (artv_test_time_bound (0.5) * G_USEC_PER_SEC);
  fail_unless (gst_harness_try_pull (h) == NULL, "a 1000-step frame finished in 0.5 s");
  return h;
}

GST_START_TEST (test_flush_interrupts_generation)
{
  GstHarness *h = start_slow_generation ();
  gint64 t0 = g_get_monotonic_time ();
  gdouble waited;

  fail_unless (gst_element_send_event (h->element, gst_event_new_flush_start ()));
  /* The state change waits for the streaming thread to leave fill(). */
  fail_unless_equals_int (gst_element_set_state (h->element, GST_STATE_READY),
      GST_STATE_CHANGE_SUCCESS);
  waited = (g_get_monotonic_time () - t0) / 1e6;
  GST_INFO ("flush + stop took %.3f s", waited);
  fail_unless (waited < artv_test_time_bound (INTERRUPT_BOUND_S), "flush took %.1f s",
      waited);
  gst_harness_teardown (h);
}

GST_END_TEST;

GST_START_TEST (test_null_during_generation)
{
  GstHarness *h = start_slow_generation ();
  gint64 t0 = g_get_monotonic_time ();
  gdouble waited;

  fail_unless_equals_int (gst_element_set_state (h->element, GST_STATE_NULL),
      GST_STATE_CHANGE_SUCCESS);
  waited = (g_get_monotonic_time () - t0) / 1e6;
  GST_INFO ("PLAYING -> NULL took %.3f s", waited);
  fail_unless (waited < artv_test_time_bound (INTERRUPT_BOUND_S),
      "PLAYING -> NULL took %.1f s", waited);
  /* It can start again after the interruption. */
  g_object_set (h->element, "steps", TEST_STEPS, "num-buffers", 1, NULL);
  gst_harness_play (h);
  gst_buffer_unref (gst_harness_pull (h));
  gst_harness_teardown (h);
}

GST_END_TEST;

/* A model that is not there: an error naming it at READY->PAUSED, no crash. */
GST_START_TEST (test_missing_model)
{
  GstElement *src = gst_element_factory_make ("artvsrc", NULL);
  GstBus *bus = gst_bus_new ();
  GstMessage *msg;
  GError *err = NULL;
  gchar *debug = NULL;

  g_object_set (src, "model", "/nonexistent/artv-model", NULL);
  gst_element_set_bus (src, bus);
  fail_unless_equals_int (gst_element_set_state (src, GST_STATE_READY),
      GST_STATE_CHANGE_SUCCESS);
  fail_unless_equals_int (gst_element_set_state (src, GST_STATE_PAUSED),
      GST_STATE_CHANGE_FAILURE);
  msg = gst_bus_pop_filtered (bus, GST_MESSAGE_ERROR);
  fail_unless (msg != NULL);
  gst_message_parse_error (msg, &err, &debug);
  GST_INFO ("error: %s (%s)", err->message, debug);
  fail_unless (err->domain == GST_RESOURCE_ERROR);
  fail_unless (strstr (err->message, "/nonexistent/artv-model") != NULL);
  fail_unless (strstr (debug, "ARTV_MODEL_PATH") != NULL);
  /* Exactly one error: the base class's generic one is not posted. */
  gst_message_unref (msg);
  fail_unless (gst_bus_pop_filtered (bus, GST_MESSAGE_ERROR) == NULL);
  fail_unless_equals_int (gst_element_set_state (src, GST_STATE_NULL),
      GST_STATE_CHANGE_SUCCESS);
  g_error_free (err);
  g_free (debug);
  gst_element_set_bus (src, NULL);
  gst_object_unref (bus);
  gst_object_unref (src);
}

GST_END_TEST;

static Suite *
artvsrc_suite (void)
{
  Suite *s = suite_create ("artvsrc");
  TCase *tc = tcase_create ("general");

  tcase_set_timeout (tc, 120);
  suite_add_tcase (s, tc);
  tcase_add_test (tc, test_caps_fixate_to_model);
  tcase_add_loop_test (tc, test_caps_negotiation_sizes, 0, G_N_ELEMENTS (sizes));
  tcase_add_loop_test (tc, test_caps_refused, 0, G_N_ELEMENTS (refused_caps));
  tcase_add_test (tc, test_seed_determinism);
  tcase_add_test (tc, test_prompt_change_while_running);
  tcase_add_test (tc, test_progress_messages);
  tcase_add_test (tc, test_flush_interrupts_generation);
  tcase_add_test (tc, test_null_during_generation);
  tcase_add_test (tc, test_missing_model);
  return s;
}

ARTV_GST_TEST_MAIN (artvsrc);
