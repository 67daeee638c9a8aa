/* gstartvgenerator.c — one ARTV session driven from a streaming thread, interruptible from
 * any other thread. */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include "gstartvgenerator.h"

GST_DEBUG_CATEGORY_STATIC (gst_artv_generator_debug);
#define GST_CAT_DEFAULT gst_artv_generator_debug

void
gst_artv_generator_init (GstArtvGenerator * gen, GstElement * element)
{
  static gsize debug_done = 0;
  if (g_once_init_enter (&debug_done)) {
    GST_DEBUG_CATEGORY_INIT (gst_artv_generator_debug, "artvgenerator", 0,
        "ARTV session driver");
    g_once_init_leave (&debug_done, 1);
  }
  gen->element = element;
  g_mutex_init (&gen->lock);
  gen->session = NULL;
  gen->interrupted = FALSE;
  gen->prompt_serial = 0;
  gen->frames_done = 0;
  gen->total = 0;
}

void
gst_artv_generator_clear (GstArtvGenerator * gen)
{
  gst_artv_generator_end (gen);
  g_mutex_clear (&gen->lock);
}

/* The library's error as an element error: the message says what failed and why in words,
 * the debug string names the call and the status. */
static void
post_error (GstArtvGenerator * gen, artv_status status, const gchar * what,
    const gchar * call, const gchar * func, gint line)
{
  GQuark domain = GST_LIBRARY_ERROR;
  gint code = GST_LIBRARY_ERROR_FAILED;
  const gchar *why = artv_last_error ();
  gchar *text, *debug;

  switch (status) {
    case ARTV_ERR_INVALID_ARGUMENT:
      code = GST_LIBRARY_ERROR_SETTINGS;
      break;
    case ARTV_ERR_OUT_OF_MEMORY:
      domain = GST_RESOURCE_ERROR;
      code = GST_RESOURCE_ERROR_NO_SPACE_LEFT;
      break;
    case ARTV_ERR_NUMERIC:
      domain = GST_STREAM_ERROR;
      code = GST_STREAM_ERROR_FAILED;
      break;
    default:
      break;
  }
  text = g_strdup_printf ("%s: %s", what, (why && *why) ? why : artv_status_string (status));
  debug = g_strdup_printf ("%s returned %s (%d)", call, artv_status_string (status),
      (gint) status);
  gst_element_message_full (gen->element, GST_MESSAGE_ERROR, domain, code, text, debug,
      __FILE__, func, line);
}

#define POST_ERROR(gen, status, what, call) \
  post_error ((gen), (status), (what), (call), GST_FUNCTION, __LINE__)

static artv_status
apply_prompt (artv_session * session, const gchar * prompt, const gchar * prompts)
{
  if (prompts && *prompts)
    return artv_session_set_schedule (session, prompts);
  return artv_session_set_prompt (session, prompt ? prompt : "");
}

gboolean
gst_artv_generator_begin (GstArtvGenerator * gen, artv_model * model,
    const GstArtvSettings * settings, gint total_frames)
{
  artv_session_params params = gst_artv_settings_session_params (settings);
  artv_session *session = NULL;
  artv_status st;

  gst_artv_generator_end (gen);
  params.total_frames = MAX (total_frames, 0);
  st = artv_session_new (model, &params, &session);
  if (st != ARTV_OK) {
    POST_ERROR (gen, st, "Could not start a generation session", "artv_session_new");
    return FALSE;
  }
  st = apply_prompt (session, settings->prompt, settings->prompts);
  if (st != ARTV_OK) {
    POST_ERROR (gen, st, "The prompt was not accepted",
        settings->prompts ? "artv_session_set_schedule" : "artv_session_set_prompt");
    artv_session_free (session);
    return FALSE;
  }
  gen->prompt_serial = settings->prompt_serial;
  gen->frames_done = 0;
  gen->total = MAX (total_frames, 0);

  g_mutex_lock (&gen->lock);
  gen->session = session;
  /* An interrupt that came before the session existed still applies to it. */
  if (gen->interrupted)
    artv_session_abort (session);
  g_mutex_unlock (&gen->lock);
  GST_DEBUG_OBJECT (gen->element, "session started, %d frames", total_frames);
  return TRUE;
}

gboolean
gst_artv_generator_has_session (GstArtvGenerator * gen)
{
  return gen->session != NULL;  /* only the streaming thread changes it */
}

gboolean
gst_artv_generator_feed (GstArtvGenerator * gen, const GstVideoFrame * frame)
{
  artv_status st;

  g_return_val_if_fail (gen->session != NULL, FALSE);
  g_return_val_if_fail (GST_VIDEO_FRAME_FORMAT (frame) == GST_VIDEO_FORMAT_RGB, FALSE);
  st = artv_session_feed_frame (gen->session, GST_VIDEO_FRAME_PLANE_DATA (frame, 0),
      GST_VIDEO_FRAME_WIDTH (frame), GST_VIDEO_FRAME_HEIGHT (frame),
      GST_VIDEO_FRAME_PLANE_STRIDE (frame, 0));
  if (st == ARTV_ERR_ABORTED)
    return FALSE;
  if (st != ARTV_OK) {
    POST_ERROR (gen, st, "Could not use an input frame", "artv_session_feed_frame");
    return FALSE;
  }
  return TRUE;
}

gboolean
gst_artv_generator_sync_prompt (GstArtvGenerator * gen, GObject * object,
    const GstArtvSettings * live)
{
  gchar *prompt, *prompts;
  guint serial;
  artv_status st;

  g_return_val_if_fail (gen->session != NULL, FALSE);
  GST_OBJECT_LOCK (object);
  serial = live->prompt_serial;
  if (serial == gen->prompt_serial) {
    GST_OBJECT_UNLOCK (object);
    return TRUE;
  }
  prompt = g_strdup (live->prompt);
  prompts = g_strdup (live->prompts);
  GST_OBJECT_UNLOCK (object);

  GST_INFO_OBJECT (gen->element, "prompt changed to %s", prompts ? prompts : prompt);
  st = apply_prompt (gen->session, prompt, prompts);
  if (st != ARTV_OK)
    POST_ERROR (gen, st, "The new prompt was not accepted",
        prompts ? "artv_session_set_schedule" : "artv_session_set_prompt");
  else
    gen->prompt_serial = serial;
  g_free (prompt);
  g_free (prompts);
  return st == ARTV_OK;
}

GstFlowReturn
gst_artv_generator_next (GstArtvGenerator * gen, GstVideoFrame * out)
{
  gint64 t0;
  artv_status st;
  gboolean interrupted;
  GstStructure *s;

  g_return_val_if_fail (gen->session != NULL, GST_FLOW_ERROR);
  g_return_val_if_fail (GST_VIDEO_FRAME_FORMAT (out) == GST_VIDEO_FORMAT_RGB, GST_FLOW_ERROR);

  g_mutex_lock (&gen->lock);
  interrupted = gen->interrupted;
  g_mutex_unlock (&gen->lock);
  if (interrupted)
    return GST_FLOW_FLUSHING;

  t0 = g_get_monotonic_time ();
  st = artv_session_next_frame (gen->session, GST_VIDEO_FRAME_PLANE_DATA (out, 0),
      GST_VIDEO_FRAME_WIDTH (out), GST_VIDEO_FRAME_HEIGHT (out),
      GST_VIDEO_FRAME_PLANE_STRIDE (out, 0));
  if (st == ARTV_ERR_ABORTED) {
    GST_DEBUG_OBJECT (gen->element, "generation interrupted");
    return GST_FLOW_FLUSHING;
  }
  if (st != ARTV_OK) {
    gchar *what = g_strdup_printf ("Generating frame %d failed", gen->frames_done + 1);
    POST_ERROR (gen, st, what, "artv_session_next_frame");
    g_free (what);
    return GST_FLOW_ERROR;
  }
  gen->frames_done++;

  s = gst_structure_new ("artv-progress",
      "frame", G_TYPE_INT, gen->frames_done,
      "total", G_TYPE_INT, gen->total,
      "seconds-per-frame", G_TYPE_DOUBLE, (g_get_monotonic_time () - t0) / 1e6, NULL);
  gst_element_post_message (gen->element,
      gst_message_new_element (GST_OBJECT (gen->element), s));
  return GST_FLOW_OK;
}

void
gst_artv_generator_end (GstArtvGenerator * gen)
{
  artv_session *session;

  g_mutex_lock (&gen->lock);
  session = gen->session;
  gen->session = NULL;
  g_mutex_unlock (&gen->lock);
  if (session)
    artv_session_free (session);
}

void
gst_artv_generator_interrupt (GstArtvGenerator * gen)
{
  g_mutex_lock (&gen->lock);
  gen->interrupted = TRUE;
  if (gen->session)
    artv_session_abort (gen->session);
  g_mutex_unlock (&gen->lock);
}

void
gst_artv_generator_resume (GstArtvGenerator * gen)
{
  g_mutex_lock (&gen->lock);
  gen->interrupted = FALSE;
  if (gen->session)
    artv_session_clear_abort (gen->session);
  g_mutex_unlock (&gen->lock);
}
