/* gstartvsettings.h — the generation properties shared by artvsrc and artv.
 *
 * Both elements expose the same properties for the model and the sampler (prompt, prompts,
 * steps, sampler, seed, cfg-*, noise-aug, model, device, threads, anchor). This file installs
 * them on an element class, stores and validates their values, and turns them into
 * artv_session_params, so that the two elements do not repeat one another.
 */
#ifndef GST_ARTV_SETTINGS_H
#define GST_ARTV_SETTINGS_H

#include <gst/gst.h>
#include <artv/artv.h>

G_BEGIN_DECLS

/* The sampler property (artv_sampler). */
#define GST_TYPE_ARTV_SAMPLER (gst_artv_sampler_get_type ())
GType gst_artv_sampler_get_type (void);

/* The anchor property (artv_anchor_policy). */
#define GST_TYPE_ARTV_ANCHOR (gst_artv_anchor_get_type ())
GType gst_artv_anchor_get_type (void);

typedef struct
{
  gchar *prompt;                /* never NULL; "" = unconditional */
  gchar *prompts;               /* schedule, NULL = use prompt */
  gint steps;                   /* 0 = model default */
  artv_sampler sampler;
  guint64 seed;
  gfloat cfg_ref, cfg_anchor, cfg_text; /* < 0 = model default */
  gfloat cfg_text_t2v;          /* < 0 = model default */
  gint noise_aug;               /* -1 = model default */
  gchar *model;                 /* NULL = $ARTV_MODEL_PATH, else the installed model */
  gchar *device;                /* never NULL */
  gint threads;                 /* 0 = all online CPUs */
  artv_anchor_policy anchor;
  guint prompt_serial;          /* bumped when prompt or prompts change */
} GstArtvSettings;

/* Property ids relative to the first id an element gives to install_properties. */
enum
{
  GST_ARTV_PROP_PROMPT,
  GST_ARTV_PROP_PROMPTS,
  GST_ARTV_PROP_STEPS,
  GST_ARTV_PROP_SAMPLER,
  GST_ARTV_PROP_SEED,
  GST_ARTV_PROP_CFG_REF,
  GST_ARTV_PROP_CFG_ANCHOR,
  GST_ARTV_PROP_CFG_TEXT,
  GST_ARTV_PROP_CFG_TEXT_T2V,
  GST_ARTV_PROP_NOISE_AUG,
  GST_ARTV_PROP_MODEL,
  GST_ARTV_PROP_DEVICE,
  GST_ARTV_PROP_THREADS,
  GST_ARTV_PROP_ANCHOR,
  GST_ARTV_N_PROPS
};

void gst_artv_settings_init (GstArtvSettings * settings);
void gst_artv_settings_clear (GstArtvSettings * settings);
/* A deep copy, for the streaming thread to use without holding the object lock. */
void gst_artv_settings_copy (GstArtvSettings * dest, const GstArtvSettings * src);

/* Install the properties with ids first_prop_id .. first_prop_id + GST_ARTV_N_PROPS - 1. */
void gst_artv_settings_install_properties (GObjectClass * klass, guint first_prop_id);

/* Set or get one property (prop_id relative to first_prop_id) under the object's lock.
 * A value that fails validation is rejected with a g_warning and the old value kept.
 * Return FALSE when prop_id is not one of these properties. */
gboolean gst_artv_settings_set_property (GstArtvSettings * settings, GObject * object,
    guint prop_id, const GValue * value);
gboolean gst_artv_settings_get_property (GstArtvSettings * settings, GObject * object,
    guint prop_id, GValue * value);

/* The session parameters these settings describe (generation size left to the session). */
artv_session_params gst_artv_settings_session_params (const GstArtvSettings * settings);

/* Validators for string properties; on failure they return FALSE and say why in *reason
 * (a static string). Public so that tests and fuzz targets can call them directly. */
gboolean gst_artv_schedule_is_valid (const gchar * schedule, const gchar ** reason);
gboolean gst_artv_device_is_valid (const gchar * device, const gchar ** reason);

G_END_DECLS

#endif /* GST_ARTV_SETTINGS_H */
