/* gstartvgenerator.h — one ARTV session driven from a streaming thread, interruptible from
 * any other thread.
 *
 * Both elements generate on their streaming thread (artvsrc in fill, artv in its EOS handler);
 * a flush or a state change arrives on another thread and must stop a generation within one
 * denoising step. The generator publishes the session pointer under a lock, so that
 * interrupt() can call artv_session_abort() on it (or refuse a session about to start) while
 * the streaming thread is inside artv_session_next_frame(), as tcpclientsrc's unlock does with
 * its cancellable. It also posts the `artv-progress` element messages and turns library errors
 * into GST_ELEMENT_ERROR.
 */
#ifndef GST_ARTV_GENERATOR_H
#define GST_ARTV_GENERATOR_H

#include <gst/gst.h>
#include <gst/video/video.h>
#include <artv/artv.h>

#include "gstartvsettings.h"

G_BEGIN_DECLS

typedef struct
{
  GstElement *element;          /* owner, for messages; not reffed */
  GMutex lock;                  /* guards session (pointer) and interrupted */
  artv_session *session;        /* used outside the lock only by the streaming thread */
  gboolean interrupted;
  guint prompt_serial;          /* GstArtvSettings.prompt_serial of the applied prompt */
  gint frames_done;
  gint total;                   /* for progress; 0 = unknown */
} GstArtvGenerator;

void gst_artv_generator_init (GstArtvGenerator * gen, GstElement * element);
/* Ends any session. */
void gst_artv_generator_clear (GstArtvGenerator * gen);

/* Streaming thread. Each posts GST_ELEMENT_ERROR itself on failure. */
gboolean gst_artv_generator_begin (GstArtvGenerator * gen, artv_model * model,
    const GstArtvSettings * settings, gint total_frames);
gboolean gst_artv_generator_has_session (GstArtvGenerator * gen);
gboolean gst_artv_generator_feed (GstArtvGenerator * gen, const GstVideoFrame * frame);
/* Apply prompt/prompts when they changed since the last call (live is the element's settings,
 * read under object's lock). */
gboolean gst_artv_generator_sync_prompt (GstArtvGenerator * gen, GObject * object,
    const GstArtvSettings * live);
/* Generate one frame into out (RGB). GST_FLOW_OK, GST_FLOW_FLUSHING when interrupted, or
 * GST_FLOW_ERROR after posting the error. Posts `artv-progress` after each frame. */
GstFlowReturn gst_artv_generator_next (GstArtvGenerator * gen, GstVideoFrame * out);
void gst_artv_generator_end (GstArtvGenerator * gen);

/* Any thread: stop a running or upcoming generation within one denoising step; and undo it. */
void gst_artv_generator_interrupt (GstArtvGenerator * gen);
void gst_artv_generator_resume (GstArtvGenerator * gen);

G_END_DECLS

#endif /* GST_ARTV_GENERATOR_H */
