/* gstartvsrc.c — artvsrc: text-to-video source (a GstPushSrc modelled on videotestsrc). */

/**
 * SECTION:element-artvsrc
 * @title: artvsrc
 *
 * Generates video from a text prompt with an ARTV model, one frame at a time: the first frame
 * from the prompt alone, each next one conditioned on the previous two and an anchor frame.
 * Output is RGB at any negotiated size and frame rate (fixated to the model's native size and
 * frame rate); use videoconvert for other formats. Without num-buffers the stream never ends.
 *
 * ## Example pipelines
 * |[
 * gst-launch-1.0 artvsrc prompt="a red ball rolls to the right" num-buffers=48 ! \
 *     videoconvert ! x264enc ! mp4mux ! filesink location=ball.mp4
 * gst-launch-1.0 artvsrc prompts="sunrise:24|noon:24" num-buffers=48 ! \
 *     video/x-raw,width=256,height=256,framerate=12/1 ! videoconvert ! autovideosink
 * ]|
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include "gstartvsrc.h"
#include "gstartvmodelcache.h"

GST_DEBUG_CATEGORY_STATIC (gst_artv_src_debug);
#define GST_CAT_DEFAULT gst_artv_src_debug

enum
{
  PROP_0,
  PROP_SETTINGS_FIRST           /* then GST_ARTV_N_PROPS shared properties */
};

static GstStaticPadTemplate src_template = GST_STATIC_PAD_TEMPLATE ("src",
    GST_PAD_SRC, GST_PAD_ALWAYS,
    GST_STATIC_CAPS ("video/x-raw, format = (string) RGB, "
        "width = (int) [ 1, " G_STRINGIFY (ARTV_MAX_FRAME_SIDE) " ], "
        "height = (int) [ 1, " G_STRINGIFY (ARTV_MAX_FRAME_SIDE) " ], "
        "framerate = (fraction) [ 1/2147483647, 2147483647/1 ]"));

#define gst_artv_src_parent_class parent_class
G_DEFINE_TYPE (GstArtvSrc, gst_artv_src, GST_TYPE_PUSH_SRC);
GST_ELEMENT_REGISTER_DEFINE (artvsrc, "artvsrc", GST_RANK_NONE, GST_TYPE_ARTV_SRC);

static void
gst_artv_src_set_property (GObject * object, guint prop_id, const GValue * value,
    GParamSpec * pspec)
{
  GstArtvSrc *self = GST_ARTV_SRC (object);
  if (!gst_artv_settings_set_property (&self->settings, object,
          prop_id - PROP_SETTINGS_FIRST, value))
    G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
}

static void
gst_artv_src_get_property (GObject * object, guint prop_id, GValue * value,
    GParamSpec * pspec)
{
  GstArtvSrc *self = GST_ARTV_SRC (object);
  if (!gst_artv_settings_get_property (&self->settings, object,
          prop_id - PROP_SETTINGS_FIRST, value))
    G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
}

/* Open (or share) the model before the base class starts: a missing model is an error at
 * READY->PAUSED, reported once, in words. */
static gboolean
gst_artv_src_open_model (GstArtvSrc * self)
{
  GST_OBJECT_LOCK (self);
  gst_artv_settings_clear (&self->run);
  gst_artv_settings_copy (&self->run, &self->settings);
  GST_OBJECT_UNLOCK (self);

  self->model = gst_artv_model_cache_acquire_for (GST_ELEMENT (self), self->run.model,
      self->run.device, self->run.threads);
  if (self->model == NULL)
    return FALSE;
  artv_model_get_info (self->model, &self->info);
  return TRUE;
}

static void
gst_artv_src_close_model (GstArtvSrc * self)
{
  gst_artv_model_cache_release (self->model);
  self->model = NULL;
}

static GstStateChangeReturn
gst_artv_src_change_state (GstElement * element, GstStateChange transition)
{
  GstArtvSrc *self = GST_ARTV_SRC (element);
  GstStateChangeReturn ret;

  if (transition == GST_STATE_CHANGE_READY_TO_PAUSED && !gst_artv_src_open_model (self))
    return GST_STATE_CHANGE_FAILURE;
  ret = GST_ELEMENT_CLASS (parent_class)->change_state (element, transition);
  if (transition == GST_STATE_CHANGE_PAUSED_TO_READY
      || (transition == GST_STATE_CHANGE_READY_TO_PAUSED && ret == GST_STATE_CHANGE_FAILURE))
    gst_artv_src_close_model (self);
  return ret;
}

static gboolean
gst_artv_src_start (GstBaseSrc * bsrc)
{
  GstArtvSrc *self = GST_ARTV_SRC (bsrc);

  gst_video_info_init (&self->vinfo);
  self->time_base = 0;
  self->frames_since_base = 0;
  self->n_frames = 0;
  gst_artv_generator_resume (&self->gen);
  return TRUE;
}

static gboolean
gst_artv_src_stop (GstBaseSrc * bsrc)
{
  gst_artv_generator_end (&GST_ARTV_SRC (bsrc)->gen);
  return TRUE;
}

/* Native size and frame rate unless downstream asks otherwise; with one side fixed, the
 * other follows it (the model's native frames are square). */
static GstCaps *
gst_artv_src_fixate (GstBaseSrc * bsrc, GstCaps * caps)
{
  GstArtvSrc *self = GST_ARTV_SRC (bsrc);
  gint side = self->info.native_short_side > 0 ? self->info.native_short_side : 256;
  gint fps = self->info.fps > 0 ? self->info.fps : 8;
  GstStructure *s;
  gint w, h;

  caps = gst_caps_make_writable (caps);
  s = gst_caps_get_structure (caps, 0);
  if (gst_structure_get_int (s, "width", &w) && !gst_structure_get_int (s, "height", &h))
    gst_structure_fixate_field_nearest_int (s, "height", w);
  else if (gst_structure_get_int (s, "height", &h) && !gst_structure_get_int (s, "width", &w))
    gst_structure_fixate_field_nearest_int (s, "width", h);
  gst_structure_fixate_field_nearest_int (s, "width", side);
  gst_structure_fixate_field_nearest_int (s, "height", side);
  gst_structure_fixate_field_nearest_fraction (s, "framerate", fps, 1);
  return GST_BASE_SRC_CLASS (parent_class)->fixate (bsrc, caps);
}

static gboolean
gst_artv_src_set_caps (GstBaseSrc * bsrc, GstCaps * caps)
{
  GstArtvSrc *self = GST_ARTV_SRC (bsrc);
  GstVideoInfo info;

  if (!gst_video_info_from_caps (&info, caps) || GST_VIDEO_INFO_FPS_N (&info) <= 0) {
    GST_ERROR_OBJECT (self, "unusable caps %" GST_PTR_FORMAT, caps);
    return FALSE;
  }
  /* A new frame rate continues the timestamps from where the old one stopped. */
  if (GST_VIDEO_INFO_FPS_N (&self->vinfo) > 0) {
    self->time_base += gst_util_uint64_scale (self->frames_since_base,
        GST_VIDEO_INFO_FPS_D (&self->vinfo) * GST_SECOND, GST_VIDEO_INFO_FPS_N (&self->vinfo));
    self->frames_since_base = 0;
  }
  self->vinfo = info;
  GST_INFO_OBJECT (self, "output %dx%d at %d/%d", info.width, info.height, info.fps_n,
      info.fps_d);
  return TRUE;
}

/* A video buffer pool of the negotiated frame size (as videotestsrc). */
static gboolean
gst_artv_src_decide_allocation (GstBaseSrc * bsrc, GstQuery * query)
{
  GstArtvSrc *self = GST_ARTV_SRC (bsrc);
  GstBufferPool *pool = NULL;
  guint size, min = 0, max = 0;
  GstStructure *config;
  GstCaps *caps = NULL;
  gboolean update = gst_query_get_n_allocation_pools (query) > 0;

  gst_query_parse_allocation (query, &caps, NULL);
  size = self->vinfo.size;
  if (update) {
    guint proposed;
    gst_query_parse_nth_allocation_pool (query, 0, &pool, &proposed, &min, &max);
    size = MAX (size, proposed);
  }
  if (pool == NULL)
    pool = gst_video_buffer_pool_new ();
  config = gst_buffer_pool_get_config (pool);
  gst_buffer_pool_config_set_params (config, caps, size, min, max);
  if (gst_query_find_allocation_meta (query, GST_VIDEO_META_API_TYPE, NULL))
    gst_buffer_pool_config_add_option (config, GST_BUFFER_POOL_OPTION_VIDEO_META);
  gst_buffer_pool_set_config (pool, config);
  if (update)
    gst_query_set_nth_allocation_pool (query, 0, pool, size, min, max);
  else
    gst_query_add_allocation_pool (query, pool, size, min, max);
  gst_object_unref (pool);
  return GST_BASE_SRC_CLASS (parent_class)->decide_allocation (bsrc, query);
}

/* Generating frame N means generating frames 0..N-1 first: no seeking. */
static gboolean
gst_artv_src_is_seekable (GstBaseSrc * bsrc)
{
  return FALSE;
}

/* Flush or state change: stop the frame in progress within one denoising step. */
static gboolean
gst_artv_src_unlock (GstBaseSrc * bsrc)
{
  gst_artv_generator_interrupt (&GST_ARTV_SRC (bsrc)->gen);
  return TRUE;
}

static gboolean
gst_artv_src_unlock_stop (GstBaseSrc * bsrc)
{
  gst_artv_generator_resume (&GST_ARTV_SRC (bsrc)->gen);
  return TRUE;
}

static GstFlowReturn
gst_artv_src_fill (GstPushSrc * psrc, GstBuffer * buffer)
{
  GstArtvSrc *self = GST_ARTV_SRC (psrc);
  GstVideoFrame frame;
  GstFlowReturn ret;
  GstClockTime pts, next;
  gint fps_n = GST_VIDEO_INFO_FPS_N (&self->vinfo), fps_d = GST_VIDEO_INFO_FPS_D (&self->vinfo);

  if (G_UNLIKELY (GST_VIDEO_INFO_FORMAT (&self->vinfo) != GST_VIDEO_FORMAT_RGB))
    return GST_FLOW_NOT_NEGOTIATED;

  if (!gst_artv_generator_has_session (&self->gen)) {
    gint total = GST_BASE_SRC (self)->num_buffers;
    if (!gst_artv_generator_begin (&self->gen, self->model, &self->run, MAX (total, 0)))
      return GST_FLOW_ERROR;
  }
  if (!gst_artv_generator_sync_prompt (&self->gen, G_OBJECT (self), &self->settings))
    return GST_FLOW_ERROR;

  if (!gst_video_frame_map (&frame, &self->vinfo, buffer, GST_MAP_WRITE)) {
    GST_ELEMENT_ERROR (self, RESOURCE, WRITE, ("Could not map an output buffer"), (NULL));
    return GST_FLOW_ERROR;
  }
  ret = gst_artv_generator_next (&self->gen, &frame);
  gst_video_frame_unmap (&frame);
  if (ret != GST_FLOW_OK)
    return ret;

  /* Timestamps from the frame counter, so that they never drift (as videotestsrc). */
  pts = self->time_base + gst_util_uint64_scale (self->frames_since_base,
      fps_d * GST_SECOND, fps_n);
  next = self->time_base + gst_util_uint64_scale (self->frames_since_base + 1,
      fps_d * GST_SECOND, fps_n);
  GST_BUFFER_PTS (buffer) = pts;
  GST_BUFFER_DTS (buffer) = GST_CLOCK_TIME_NONE;
  GST_BUFFER_DURATION (buffer) = next - pts;
  GST_BUFFER_OFFSET (buffer) = self->n_frames;
  GST_BUFFER_OFFSET_END (buffer) = self->n_frames + 1;
  if (self->n_frames == 0)
    GST_BUFFER_FLAG_SET (buffer, GST_BUFFER_FLAG_DISCONT);
  self->frames_since_base++;
  self->n_frames++;
  return GST_FLOW_OK;
}

static void
gst_artv_src_finalize (GObject * object)
{
  GstArtvSrc *self = GST_ARTV_SRC (object);

  gst_artv_generator_clear (&self->gen);
  gst_artv_settings_clear (&self->settings);
  gst_artv_settings_clear (&self->run);
  G_OBJECT_CLASS (parent_class)->finalize (object);
}

static void
gst_artv_src_class_init (GstArtvSrcClass * klass)
{
  GObjectClass *gobject_class = G_OBJECT_CLASS (klass);
  GstElementClass *element_class = GST_ELEMENT_CLASS (klass);
  GstBaseSrcClass *basesrc_class = GST_BASE_SRC_CLASS (klass);
  GstPushSrcClass *pushsrc_class = GST_PUSH_SRC_CLASS (klass);

  GST_DEBUG_CATEGORY_INIT (gst_artv_src_debug, "artvsrc", 0, "ARTV text-to-video source");

  gobject_class->set_property = gst_artv_src_set_property;
  gobject_class->get_property = gst_artv_src_get_property;
  gobject_class->finalize = gst_artv_src_finalize;
  gst_artv_settings_install_properties (gobject_class, PROP_SETTINGS_FIRST);

  gst_element_class_set_static_metadata (element_class, "ARTV text-to-video source",
      "Source/Video", "Generates video from a text prompt with an auto-regressive "
      "diffusion model (ARTV)", "ARTV project");
  gst_element_class_add_static_pad_template (element_class, &src_template);

  element_class->change_state = GST_DEBUG_FUNCPTR (gst_artv_src_change_state);

  basesrc_class->start = GST_DEBUG_FUNCPTR (gst_artv_src_start);
  basesrc_class->stop = GST_DEBUG_FUNCPTR (gst_artv_src_stop);
  basesrc_class->fixate = GST_DEBUG_FUNCPTR (gst_artv_src_fixate);
  basesrc_class->set_caps = GST_DEBUG_FUNCPTR (gst_artv_src_set_caps);
  basesrc_class->decide_allocation = GST_DEBUG_FUNCPTR (gst_artv_src_decide_allocation);
  basesrc_class->is_seekable = GST_DEBUG_FUNCPTR (gst_artv_src_is_seekable);
  basesrc_class->unlock = GST_DEBUG_FUNCPTR (gst_artv_src_unlock);
  basesrc_class->unlock_stop = GST_DEBUG_FUNCPTR (gst_artv_src_unlock_stop);
  pushsrc_class->fill = GST_DEBUG_FUNCPTR (gst_artv_src_fill);
}

static void
gst_artv_src_init (GstArtvSrc * self)
{
  gst_artv_settings_init (&self->settings);
  gst_artv_settings_init (&self->run);
  gst_artv_generator_init (&self->gen, GST_ELEMENT (self));
  gst_video_info_init (&self->vinfo);
  gst_base_src_set_format (GST_BASE_SRC (self), GST_FORMAT_TIME);
  gst_base_src_set_live (GST_BASE_SRC (self), FALSE);
}
