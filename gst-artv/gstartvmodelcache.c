/* gstartvmodelcache.c — one loaded model per (directory, device) in the process. */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include "gstartvmodelcache.h"

#include <stdlib.h>
#include <string.h>

GST_DEBUG_CATEGORY_STATIC (gst_artv_model_cache_debug);
#define GST_CAT_DEFAULT gst_artv_model_cache_debug

typedef struct
{
  gchar *path;                  /* canonical directory */
  gchar *device;
  artv_model *model;
  guint refs;
} CacheEntry;

/* Guards entries; held while a model opens so that a second element naming the same model
 * waits for it instead of loading it twice. */
static GMutex cache_lock;
static GList *entries;          /* of CacheEntry* */

static void
ensure_debug_category (void)
{
  static gsize done = 0;
  if (g_once_init_enter (&done)) {
    GST_DEBUG_CATEGORY_INIT (gst_artv_model_cache_debug, "artvmodelcache", 0,
        "ARTV shared model cache");
    g_once_init_leave (&done, 1);
  }
}

/* Symlinks and "dir/../dir" name the same model. */
static gchar *
canonical_path (const gchar * path)
{
  char *real = realpath (path, NULL);
  gchar *out = g_strdup (real ? real : path);
  free (real);
  return out;
}

static GstResourceError
resource_error_for (artv_status status)
{
  switch (status) {
    case ARTV_ERR_IO:
      return GST_RESOURCE_ERROR_NOT_FOUND;
    case ARTV_ERR_OUT_OF_MEMORY:
      return GST_RESOURCE_ERROR_NO_SPACE_LEFT;
    case ARTV_ERR_DEVICE:
      return GST_RESOURCE_ERROR_BUSY;
    default:
      return GST_RESOURCE_ERROR_OPEN_READ;
  }
}

artv_model *
gst_artv_model_cache_acquire (const gchar * path, const gchar * device, gint threads,
    GError ** error)
{
  const gchar *dir = (path && *path) ? path : artv_default_model_path ();
  const gchar *dev = (device && *device) ? device : "auto";
  gchar *key = canonical_path (dir);
  artv_model *model = NULL;
  GList *l;

  ensure_debug_category ();
  g_mutex_lock (&cache_lock);
  for (l = entries; l != NULL; l = l->next) {
    CacheEntry *e = l->data;
    if (strcmp (e->path, key) == 0 && strcmp (e->device, dev) == 0) {
      e->refs++;
      model = e->model;
      GST_DEBUG ("sharing model %s on %s (%u users)", key, dev, e->refs);
      break;
    }
  }
  if (model == NULL) {
    artv_model_params params = artv_model_default_params ();
    artv_status st;

    params.device = dev;
    params.threads = threads;
    GST_INFO ("opening model %s on %s", key, dev);
    st = artv_model_open (dir, &params, &model);
    if (st != ARTV_OK) {
      g_set_error (error, GST_RESOURCE_ERROR, resource_error_for (st),
          "Could not open the ARTV model in '%s' on device '%s': %s", dir, dev,
          *artv_last_error () ? artv_last_error () : artv_status_string (st));
      model = NULL;
    } else {
      CacheEntry *e = g_new0 (CacheEntry, 1);
      e->path = key;
      key = NULL;
      e->device = g_strdup (dev);
      e->model = model;
      e->refs = 1;
      entries = g_list_prepend (entries, e);
    }
  }
  g_mutex_unlock (&cache_lock);
  g_free (key);
  return model;
}

artv_model *
gst_artv_model_cache_acquire_for (GstElement * element, const gchar * path,
    const gchar * device, gint threads)
{
  GError *err = NULL;
  artv_model *model = gst_artv_model_cache_acquire (path, device, threads, &err);

  if (model == NULL) {
    gst_element_message_full (element, GST_MESSAGE_ERROR, err->domain, err->code,
        g_strdup (err->message), g_strdup_printf ("model=%s device=%s threads=%d (set the "
            "'model' property or ARTV_MODEL_PATH)", (path && *path) ? path :
            artv_default_model_path (), (device && *device) ? device : "auto", threads),
        __FILE__, GST_FUNCTION, __LINE__);
    g_error_free (err);
  }
  return model;
}

void
gst_artv_model_cache_release (artv_model * model)
{
  GList *l;
  CacheEntry *closing = NULL;

  if (model == NULL)
    return;
  g_mutex_lock (&cache_lock);
  for (l = entries; l != NULL; l = l->next) {
    CacheEntry *e = l->data;
    if (e->model == model) {
      if (--e->refs == 0) {
        closing = e;
        entries = g_list_delete_link (entries, l);
      }
      break;
    }
  }
  g_mutex_unlock (&cache_lock);
  g_return_if_fail (l != NULL);

  if (closing) {
    GST_INFO ("closing model %s on %s", closing->path, closing->device);
    artv_model_close (closing->model);
    g_free (closing->path);
    g_free (closing->device);
    g_free (closing);
  }
}

guint
gst_artv_model_cache_size (void)
{
  guint n;
  g_mutex_lock (&cache_lock);
  n = g_list_length (entries);
  g_mutex_unlock (&cache_lock);
  return n;
}
