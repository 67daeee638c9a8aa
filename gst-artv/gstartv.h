/* gstartv.h — artv: pass a video stream through, then continue it with generated frames. */
#ifndef GST_ARTV_H
#define GST_ARTV_H

#include <gst/gst.h>
#include <gst/base/gstbasetransform.h>
#include <gst/video/video.h>
#include <artv/artv.h>

#include "gstartvgenerator.h"
#include "gstartvsettings.h"

G_BEGIN_DECLS

#define GST_TYPE_ARTV (gst_artv_get_type ())
G_DECLARE_FINAL_TYPE (GstArtv, gst_artv, GST, ARTV, GstBaseTransform)

/* A copy of an input frame with the caps it came with. */
typedef struct
{
  GstBuffer *buffer;
  GstVideoInfo info;
} GstArtvKeptFrame;

struct _GstArtv
{
  GstBaseTransform parent;

  /* properties, under the object lock */
  GstArtvSettings settings;
  guint frames;

  /* streaming state, between READY->PAUSED and PAUSED->READY */
  artv_model *model;
  artv_model_info info;
  GstArtvGenerator gen;
  GstVideoInfo vinfo;           /* negotiated caps */
  gboolean have_caps;
  guint64 frames_seen;          /* input frames since the stream (re)started */
  GstArtvKeptFrame first, previous, last; /* the anchor candidate and the two references */
};

GST_ELEMENT_REGISTER_DECLARE (artv);

G_END_DECLS

#endif /* GST_ARTV_H */
