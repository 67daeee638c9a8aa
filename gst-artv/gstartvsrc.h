/* gstartvsrc.h — artvsrc: text-to-video source. */
#ifndef GST_ARTV_SRC_H
#define GST_ARTV_SRC_H

#include <gst/gst.h>
#include <gst/base/gstpushsrc.h>
#include <gst/video/video.h>
#include <artv/artv.h>

#include "gstartvgenerator.h"
#include "gstartvsettings.h"

G_BEGIN_DECLS

#define GST_TYPE_ARTV_SRC (gst_artv_src_get_type ())
G_DECLARE_FINAL_TYPE (GstArtvSrc, gst_artv_src, GST, ARTV_SRC, GstPushSrc)

struct _GstArtvSrc
{
  GstPushSrc parent;

  /* properties, under the object lock */
  GstArtvSettings settings;

  /* streaming state, between start and stop */
  GstArtvSettings run;          /* settings snapshot taken at start */
  artv_model *model;
  artv_model_info info;
  GstArtvGenerator gen;
  GstVideoInfo vinfo;
  GstClockTime time_base;       /* running time at the last framerate change */
  guint64 frames_since_base;    /* frames since time_base */
  guint64 n_frames;             /* frames produced (buffer offsets) */
};

GST_ELEMENT_REGISTER_DECLARE (artvsrc);

G_END_DECLS

#endif /* GST_ARTV_SRC_H */
