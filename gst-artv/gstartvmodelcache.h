/* gstartvmodelcache.h — one loaded model per (directory, device) in the process.
 *
 * Loading a model takes time and memory, and artv_model is read-only and thread-safe, so all
 * elements that name the same model directory and device share one artv_model: acquire takes
 * a reference (opening the model on the first), release drops it (closing on the last).
 */
#ifndef GST_ARTV_MODEL_CACHE_H
#define GST_ARTV_MODEL_CACHE_H

#include <gst/gst.h>
#include <artv/artv.h>

G_BEGIN_DECLS

/* path NULL or "" = artv_default_model_path(). threads applies only when this call opens the
 * model. On failure returns NULL and sets *error (GST_RESOURCE_ERROR domain) with a sentence
 * naming the directory and the library's reason. */
artv_model *gst_artv_model_cache_acquire (const gchar * path, const gchar * device,
    gint threads, GError ** error);

/* acquire() on behalf of an element: on failure posts an element error (RESOURCE domain,
 * the reason in words, the directory and device in the debug string) and returns NULL. */
artv_model *gst_artv_model_cache_acquire_for (GstElement * element, const gchar * path,
    const gchar * device, gint threads);

/* Drop one reference taken by acquire. NULL is ignored. */
void gst_artv_model_cache_release (artv_model * model);

/* How many distinct models are open now (for tests). */
guint gst_artv_model_cache_size (void);

G_END_DECLS

#endif /* GST_ARTV_MODEL_CACHE_H */
