/* test_artv.c — GstHarness tests of the artv element on the tiny random test model:
 * pass-through, caps, the frames generated on EOS (count, timestamps, order before the one
 * EOS), seeds, interruption by flush and by state change, a missing model. */
#include "gst_artv_test.h"

#include <gst/video/video.h>
#include <string.h>

#define TEST_STEPS 2
#define INTERRUPT_BOUND_S 3.0

/* One CPU thread: generation runs on the thread that opened the model, where LibTorch's
 * OpenMP team spins at barriers; two spinning threads crawl on a loaded two-core machine
 * (`make -j2 check`). */
static GstHarness *
new_artv (guint frames, guint64 seed)
{
  /* Properties first: the harness starts the element, which opens the model. */
  GstElement *e = gst_element_factory_make ("artv", NULL);
  GstHarness *h;

  fail_unless (e != NULL);
  g_object_set (e, "model", artv_test_model (), "steps", TEST_STEPS, "seed", seed,
      "frames", frames, "prompt", "a red square moves right", "threads", 1, NULL);
  h = gst_harness_new_with_element (e, "sink", "src");
  gst_object_unref (e);
  return h;
}

static void
set_caps (GstHarness * h, gint w, gint ht, gint fps_n, gint fps_d)
{
  gchar *caps = g_strdup_printf ("video/x-raw, format=RGB, width=%d, height=%d, "
      "framerate=%d/%d", w, ht, fps_n, fps_d);
  gst_harness_set_src_caps_str (h, caps);
  gst_harness_set_sink_caps_str (h, caps);
  g_free (caps);
}

/* An input frame: a diagonal gradient that moves with i, timestamps at the frame rate. */
static GstBuffer *
input_frame (const GstVideoInfo * info, guint i)
{
  GstBuffer *b = gst_buffer_new_allocate (NULL, info->size, NULL);
  GstVideoFrame f;
  gint x, y;

  gst_buffer_memset (b, 0, 0, info->size);      /* row padding too */
  fail_unless (gst_video_frame_map (&f, info, b, GST_MAP_WRITE));
  for (y = 0; y < info->height; y++) {
    guint8 *row = (guint8 *) GST_VIDEO_FRAME_PLANE_DATA (&f, 0) +
        y * GST_VIDEO_FRAME_PLANE_STRIDE (&f, 0);
    for (x = 0; x < info->width; x++) {
      row[3 * x + 0] = (guint8) (4 * (x + (gint) i));
      row[3 * x + 1] = (guint8) (4 * y);
      row[3 * x + 2] = (guint8) (128 + 2 * (x + y));
    }
  }
  gst_video_frame_unmap (&f);
  GST_BUFFER_PTS (b) = gst_util_uint64_scale (i, info->fps_d * GST_SECOND, info->fps_n);
  GST_BUFFER_DURATION (b) = gst_util_uint64_scale (i + 1, info->fps_d * GST_SECOND,
      info->fps_n) - GST_BUFFER_PTS (b);
  GST_BUFFER_OFFSET (b) = i;
  GST_BUFFER_OFFSET_END (b) = i + 1;
  return b;
}

static GstVideoInfo
video_info (gint w, gint h, gint fps_n, gint fps_d)
{
  GstVideoInfo info;
  gst_video_info_set_format (&info, GST_VIDEO_FORMAT_RGB, w, h);
  info.fps_n = fps_n;
  info.fps_d = fps_d;
  return info;
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

/* What reaches the element's src pad, in order: buffers and serialized events. */
typedef struct
{
  GMutex lock;
  GString *log;                 /* "B" per buffer, "E" per EOS */
} FlowLog;

static GstPadProbeReturn
log_probe (GstPad * pad, GstPadProbeInfo * info, gpointer user)
{
  FlowLog *fl = user;
  g_mutex_lock (&fl->lock);
  if (info->type & GST_PAD_PROBE_TYPE_BUFFER)
    g_string_append_c (fl->log, 'B');
  else if (GST_EVENT_TYPE (GST_PAD_PROBE_INFO_EVENT (info)) == GST_EVENT_EOS)
    g_string_append_c (fl->log, 'E');
  g_mutex_unlock (&fl->lock);
  return GST_PAD_PROBE_OK;
}

static void
watch_flow (GstHarness * h, FlowLog * fl)
{
  GstPad *src = gst_element_get_static_pad (h->element, "src");
  g_mutex_init (&fl->lock);
  fl->log = g_string_new (NULL);
  gst_pad_add_probe (src, GST_PAD_PROBE_TYPE_BUFFER | GST_PAD_PROBE_TYPE_EVENT_DOWNSTREAM,
      log_probe, fl, NULL);
  gst_object_unref (src);
}

static gint
count_eos_events (GstHarness * h)
{
  GstEvent *ev;
  gint n = 0;
  while ((ev = gst_harness_try_pull_event (h))) {
    n += GST_EVENT_TYPE (ev) == GST_EVENT_EOS;
    gst_event_unref (ev);
  }
  return n;
}

static const struct
{
  gint width, height, fps_n, fps_d;
} formats[] = {
  {64, 64, 8, 1},
  {80, 48, 25, 1},
  {48, 32, 30000, 1001},
  {33, 17, 12, 1},
};

/* Input buffers come out as they went in (the same buffers, bytes untouched), then `frames`
 * generated buffers continue the timestamps at the stream's frame rate, then one EOS. */
GST_START_TEST (test_passthrough_then_generate)
{
  const guint n_in = 4, n_gen = 3;
  GstVideoInfo info = video_info (formats[__i__].width, formats[__i__].height,
      formats[__i__].fps_n, formats[__i__].fps_d);
  GstHarness *h = new_artv (n_gen, 1);
  FlowLog fl;
  guint i;

  set_caps (h, info.width, info.height, info.fps_n, info.fps_d);
  watch_flow (h, &fl);
  gst_harness_play (h);
  for (i = 0; i < n_in; i++) {
    GstBuffer *in = input_frame (&info, i);
    GstBuffer *reference = gst_buffer_copy_deep (in);
    GstBuffer *out;

    fail_unless_equals_int (gst_harness_push (h, gst_buffer_ref (in)), GST_FLOW_OK);
    out = gst_harness_pull (h);
    fail_unless (out == in, "passthrough gave another buffer");
    fail_unless (buffers_equal (out, reference), "passthrough changed the pixels");
    fail_unless_equals_uint64 (GST_BUFFER_PTS (out), GST_BUFFER_PTS (reference));
    gst_buffer_unref (out);
    gst_buffer_unref (in);
    gst_buffer_unref (reference);
  }
  fail_unless_equals_int (gst_harness_buffers_received (h), n_in);

  /* Generation happens inside the EOS push. */
  fail_unless (gst_harness_push_event (h, gst_event_new_eos ()));
  fail_unless_equals_int (gst_harness_buffers_in_queue (h), n_gen);
  for (i = n_in; i < n_in + n_gen; i++) {
    GstBuffer *out = gst_harness_pull (h);
    GstClockTime t0 = gst_util_uint64_scale (i, info.fps_d * GST_SECOND, info.fps_n);
    GstClockTime t1 = gst_util_uint64_scale (i + 1, info.fps_d * GST_SECOND, info.fps_n);
    fail_unless_equals_int (gst_buffer_get_size (out), info.size);
    /* Continuing from the last input's pts + duration, counted from there. */
    fail_unless (GST_BUFFER_PTS (out) >= t0 - 1 && GST_BUFFER_PTS (out) <= t0 + 1,
        "frame %u at %" GST_TIME_FORMAT ", expected %" GST_TIME_FORMAT, i,
        GST_TIME_ARGS (GST_BUFFER_PTS (out)), GST_TIME_ARGS (t0));
    fail_unless (GST_BUFFER_DURATION (out) >= t1 - t0 - 1
        && GST_BUFFER_DURATION (out) <= t1 - t0 + 1);
    fail_unless_equals_uint64 (GST_BUFFER_OFFSET (out), i);
    gst_buffer_unref (out);
  }
  fail_unless_equals_int (count_eos_events (h), 1);
  g_mutex_lock (&fl.lock);
  {
    gchar *want = g_strnfill (n_in + n_gen, 'B');
    gchar *want_log = g_strconcat (want, "E", NULL);
    fail_unless_equals_string (fl.log->str, want_log);
    g_free (want);
    g_free (want_log);
  }
  g_mutex_unlock (&fl.lock);
  gst_harness_teardown (h);
  g_string_free (fl.log, TRUE);
  g_mutex_clear (&fl.lock);
}

GST_END_TEST;

/* Anything but RGB is refused: the element does not convert. */
GST_START_TEST (test_other_format_refused)
{
  GstHarness *h = new_artv (2, 1);
  GstVideoInfo info;

  gst_harness_set_src_caps_str (h, "video/x-raw, format=I420, width=64, height=64, "
      "framerate=8/1");
  gst_video_info_set_format (&info, GST_VIDEO_FORMAT_I420, 64, 64);
  fail_unless_equals_int (gst_harness_push (h, gst_buffer_new_allocate (NULL, info.size,
              NULL)), GST_FLOW_NOT_NEGOTIATED);
  gst_harness_teardown (h);
}

GST_END_TEST;

/* frames=0: a pure pass-through, EOS forwarded once. */
GST_START_TEST (test_zero_frames)
{
  GstVideoInfo info = video_info (64, 64, 8, 1);
  GstHarness *h = new_artv (0, 1);
  guint i;

  set_caps (h, 64, 64, 8, 1);
  for (i = 0; i < 2; i++)
    fail_unless_equals_int (gst_harness_push (h, input_frame (&info, i)), GST_FLOW_OK);
  fail_unless (gst_harness_push_event (h, gst_event_new_eos ()));
  fail_unless_equals_int (gst_harness_buffers_received (h), 2);
  fail_unless_equals_int (count_eos_events (h), 1);
  gst_harness_teardown (h);
}

GST_END_TEST;

/* A stream with frame rate 0/1 (variable) continues at the model's frame rate. */
GST_START_TEST (test_variable_framerate_uses_model_fps)
{
  GstVideoInfo info = video_info (64, 64, 8, 1);
  GstHarness *h = new_artv (2, 1);
  GstBuffer *in, *a, *b;
  GstClockTime end;

  set_caps (h, 64, 64, 0, 1);
  in = input_frame (&info, 0);
  GST_BUFFER_PTS (in) = 5 * GST_SECOND;
  GST_BUFFER_DURATION (in) = GST_CLOCK_TIME_NONE;
  fail_unless_equals_int (gst_harness_push (h, in), GST_FLOW_OK);
  gst_buffer_unref (gst_harness_pull (h));
  fail_unless (gst_harness_push_event (h, gst_event_new_eos ()));
  a = gst_harness_pull (h);
  b = gst_harness_pull (h);
  /* One model frame interval after the input, and one between the generated frames. */
  fail_unless (GST_BUFFER_PTS (a) > 5 * GST_SECOND);
  fail_unless (GST_CLOCK_TIME_IS_VALID (GST_BUFFER_DURATION (a)));
  fail_unless_equals_uint64 (GST_BUFFER_PTS (a) - 5 * GST_SECOND, GST_BUFFER_DURATION (a));
  end = GST_BUFFER_PTS (a) + GST_BUFFER_DURATION (a);
  fail_unless_equals_uint64 (GST_BUFFER_PTS (b), end);
  gst_buffer_unref (a);
  gst_buffer_unref (b);
  gst_harness_teardown (h);
}

GST_END_TEST;

/* The generated frames for the same input and seed are identical; another seed differs. */
static GPtrArray *
extend_clip (guint64 seed, guint n_gen)
{
  GstVideoInfo info = video_info (64, 64, 8, 1);
  GstHarness *h = new_artv (n_gen, seed);
  GPtrArray *out = g_ptr_array_new_with_free_func ((GDestroyNotify) gst_buffer_unref);
  guint i;

  set_caps (h, 64, 64, 8, 1);
  for (i = 0; i < 3; i++) {
    fail_unless_equals_int (gst_harness_push (h, input_frame (&info, i)), GST_FLOW_OK);
    gst_buffer_unref (gst_harness_pull (h));
  }
  fail_unless (gst_harness_push_event (h, gst_event_new_eos ()));
  for (i = 0; i < n_gen; i++)
    g_ptr_array_add (out, gst_harness_pull (h));
  gst_harness_teardown (h);
  return out;
}

GST_START_TEST (test_seed_determinism)
{
  GPtrArray *a = extend_clip (11, 2), *b = extend_clip (11, 2), *c = extend_clip (12, 2);
  guint i;

  for (i = 0; i < a->len; i++) {
    fail_unless (buffers_equal (g_ptr_array_index (a, i), g_ptr_array_index (b, i)),
        "generated frame %u differs between two runs with seed 11", i);
    fail_if (buffers_equal (g_ptr_array_index (a, i), g_ptr_array_index (c, i)),
        "generated frame %u is the same with seeds 11 and 12", i);
  }
  g_ptr_array_unref (a);
  g_ptr_array_unref (b);
  g_ptr_array_unref (c);
}

GST_END_TEST;

/* An empty stream with known caps becomes text-to-video at that size. */
GST_START_TEST (test_empty_stream_generates)
{
  GstHarness *h = new_artv (2, 1);
  GstBuffer *b;

  set_caps (h, 48, 32, 10, 1);
  gst_harness_play (h);
  fail_unless (gst_harness_push_event (h, gst_event_new_eos ()));
  fail_unless_equals_int (gst_harness_buffers_in_queue (h), 2);
  b = gst_harness_pull (h);
  fail_unless_equals_uint64 (GST_BUFFER_PTS (b), 0);
  fail_unless_equals_uint64 (GST_BUFFER_DURATION (b), GST_SECOND / 10);
  gst_buffer_unref (b);
  fail_unless_equals_int (count_eos_events (h), 1);
  gst_harness_teardown (h);
}

GST_END_TEST;

/* One artv-progress message per generated frame. */
GST_START_TEST (test_progress_messages)
{
  GstVideoInfo info = video_info (64, 64, 8, 1);
  GstHarness *h = new_artv (3, 1);
  GstBus *bus = gst_bus_new ();
  GstMessage *msg;
  gint seen = 0;

  gst_element_set_bus (h->element, bus);
  set_caps (h, 64, 64, 8, 1);
  fail_unless_equals_int (gst_harness_push (h, input_frame (&info, 0)), GST_FLOW_OK);
  fail_unless (gst_harness_push_event (h, gst_event_new_eos ()));
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
      fail_unless_equals_int (total, 3);
      fail_unless (spf > 0.0);
    }
    gst_message_unref (msg);
  }
  fail_unless_equals_int (seen, 3);
  gst_element_set_bus (h->element, NULL);
  gst_object_unref (bus);
  gst_harness_teardown (h);
}

GST_END_TEST;

/* Interruption: the EOS push runs a generation of 1000 frames x 1000 steps (hours) in
 * another thread; a flush or a state change stops it within a bounded time. */
typedef struct
{
  GstHarness *h;
  gboolean result;
} EosPush;

static gpointer
push_eos_thread (gpointer data)
{
  EosPush *p = data;
  p->result = gst_harness_push_event (p->h, gst_event_new_eos ());
  return NULL;
}

static GThread *
start_long_generation (GstHarness * h, EosPush * p)
{
  GstVideoInfo info = video_info (64, 64, 8, 1);
  guint i;

  g_object_set (h->element, "steps", 1000, "frames", 1000, NULL);
  set_caps (h, 64, 64, 8, 1);
  for (i = 0; i < 2; i++)
    fail_unless_equals_int (gst_harness_push (h, input_frame (&info, i)), GST_FLOW_OK);
  p->h = h;
  return g_thread_new ("push-eos", push_eos_thread, p);
}

GST_START_TEST (test_flush_interrupts_generation)
{
  GstHarness *h = new_artv (1, 1);
  GstVideoInfo info = video_info (64, 64, 8, 1);
  EosPush p;
  GThread *t = start_long_generation (h, &p);
  gint64 t0;
  gdouble waited;

  g_usleep (artv_test_time_bound (0.5) * G_USEC_PER_SEC);
  t0 = g_get_monotonic_time ();
  fail_unless (gst_harness_push_event (h, gst_event_new_flush_start ()));
  g_thread_join (t);
  waited = (g_get_monotonic_time () - t0) / 1e6;
  GST_INFO ("flush stopped the generation after %.3f s", waited);
  fail_unless (waited < artv_test_time_bound (INTERRUPT_BOUND_S), "flush took %.1f s",
      waited);
  fail_unless (gst_harness_push_event (h, gst_event_new_flush_stop (TRUE)));

  /* The element works again after the flush: a short generation completes. */
  count_eos_events (h);
  {
    GstBuffer *b;
    GstSegment segment;
    while ((b = gst_harness_try_pull (h)))
      gst_buffer_unref (b);
    gst_segment_init (&segment, GST_FORMAT_TIME);
    fail_unless (gst_harness_push_event (h, gst_event_new_segment (&segment)));
  }
  g_object_set (h->element, "steps", TEST_STEPS, "frames", 2, NULL);
  fail_unless_equals_int (gst_harness_push (h, input_frame (&info, 0)), GST_FLOW_OK);
  gst_buffer_unref (gst_harness_pull (h));
  fail_unless (gst_harness_push_event (h, gst_event_new_eos ()));
  fail_unless_equals_int (gst_harness_buffers_in_queue (h), 2);
  gst_harness_teardown (h);
}

GST_END_TEST;

GST_START_TEST (test_null_during_generation)
{
  GstHarness *h = new_artv (1, 1);
  EosPush p;
  GThread *t = start_long_generation (h, &p);
  gint64 t0;
  gdouble waited;

  g_usleep (artv_test_time_bound (0.5) * G_USEC_PER_SEC);
  t0 = g_get_monotonic_time ();
  fail_unless_equals_int (gst_element_set_state (h->element, GST_STATE_NULL),
      GST_STATE_CHANGE_SUCCESS);
  g_thread_join (t);
  waited = (g_get_monotonic_time () - t0) / 1e6;
  GST_INFO ("PLAYING -> NULL took %.3f s", waited);
  fail_unless (waited < artv_test_time_bound (INTERRUPT_BOUND_S),
      "PLAYING -> NULL took %.1f s", waited);
  gst_harness_teardown (h);
}

GST_END_TEST;

GST_START_TEST (test_missing_model)
{
  GstElement *e = gst_element_factory_make ("artv", NULL);
  GstBus *bus = gst_bus_new ();
  GstMessage *msg;
  GError *err = NULL;

  g_object_set (e, "model", "/nonexistent/artv-model", NULL);
  gst_element_set_bus (e, bus);
  fail_unless_equals_int (gst_element_set_state (e, GST_STATE_PAUSED),
      GST_STATE_CHANGE_FAILURE);
  msg = gst_bus_pop_filtered (bus, GST_MESSAGE_ERROR);
  fail_unless (msg != NULL);
  gst_message_parse_error (msg, &err, NULL);
  fail_unless (err->domain == GST_RESOURCE_ERROR);
  fail_unless (strstr (err->message, "/nonexistent/artv-model") != NULL);
  gst_message_unref (msg);
  fail_unless (gst_bus_pop_filtered (bus, GST_MESSAGE_ERROR) == NULL);
  fail_unless_equals_int (gst_element_set_state (e, GST_STATE_NULL),
      GST_STATE_CHANGE_SUCCESS);
  g_error_free (err);
  gst_element_set_bus (e, NULL);
  gst_object_unref (bus);
  gst_object_unref (e);
}

GST_END_TEST;

static Suite *
artv_suite (void)
{
  Suite *s = suite_create ("artv");
  TCase *tc = tcase_create ("general");

  tcase_set_timeout (tc, 120);
  suite_add_tcase (s, tc);
  tcase_add_loop_test (tc, test_passthrough_then_generate, 0, G_N_ELEMENTS (formats));
  tcase_add_test (tc, test_other_format_refused);
  tcase_add_test (tc, test_zero_frames);
  tcase_add_test (tc, test_variable_framerate_uses_model_fps);
  tcase_add_test (tc, test_seed_determinism);
  tcase_add_test (tc, test_empty_stream_generates);
  tcase_add_test (tc, test_progress_messages);
  tcase_add_test (tc, test_flush_interrupts_generation);
  tcase_add_test (tc, test_null_during_generation);
  tcase_add_test (tc, test_missing_model);
  return s;
}

ARTV_GST_TEST_MAIN (artv);
