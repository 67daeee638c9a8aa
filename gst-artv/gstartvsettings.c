/* gstartvsettings.c — the generation properties shared by artvsrc and artv. */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include "gstartvsettings.h"

#include <math.h>
#include <string.h>

#define DEFAULT_PROMPT ""
#define DEFAULT_STEPS 0
#define DEFAULT_SAMPLER ARTV_SAMPLER_DEFAULT
#define DEFAULT_SEED 0
#define DEFAULT_CFG -1.0f
#define DEFAULT_NOISE_AUG -1
#define DEFAULT_DEVICE "auto"
#define DEFAULT_THREADS 0
#define DEFAULT_ANCHOR ARTV_ANCHOR_PAPER

#define MAX_STEPS 1000
#define MAX_CFG 100.0f
#define MAX_NOISE_AUG 999            /* the training schedule has 1000 timesteps */
#define MAX_THREADS 1024

GType
gst_artv_sampler_get_type (void)
{
  static GType type = 0;
  static const GEnumValue values[] = {
    {ARTV_SAMPLER_DEFAULT, "The model config's sampler", "default"},
    {ARTV_SAMPLER_DPMPP_2S_ANCESTRAL, "DPM++ 2S ancestral (the paper's)",
        "dpmpp-2s-ancestral"},
    {ARTV_SAMPLER_DDIM, "DDIM (deterministic)", "ddim"},
    {ARTV_SAMPLER_EULER, "Euler", "euler"},
    {0, NULL, NULL}
  };
  if (g_once_init_enter (&type)) {
    GType t = g_enum_register_static ("GstArtvSampler", values);
    g_once_init_leave (&type, t);
  }
  return type;
}

GType
gst_artv_anchor_get_type (void)
{
  static GType type = 0;
  static const GEnumValue values[] = {
    {ARTV_ANCHOR_PAPER, "First frame of each segment (the paper's: the last real frame "
          "when continuing a clip, the last frame of the previous segment on a prompt change)",
        "paper"},
    {ARTV_ANCHOR_FIRST, "The very first frame of the stream for the whole stream", "first"},
    {ARTV_ANCHOR_NONE, "No anchor frame (the paper's ablation)", "none"},
    {0, NULL, NULL}
  };
  if (g_once_init_enter (&type)) {
    GType t = g_enum_register_static ("GstArtvAnchor", values);
    g_once_init_leave (&type, t);
  }
  return type;
}

void
gst_artv_settings_init (GstArtvSettings * s)
{
  s->prompt = g_strdup (DEFAULT_PROMPT);
  s->prompts = NULL;
  s->steps = DEFAULT_STEPS;
  s->sampler = DEFAULT_SAMPLER;
  s->seed = DEFAULT_SEED;
  s->cfg_ref = s->cfg_anchor = s->cfg_text = s->cfg_text_t2v = DEFAULT_CFG;
  s->noise_aug = DEFAULT_NOISE_AUG;
  s->model = NULL;
  s->device = g_strdup (DEFAULT_DEVICE);
  s->threads = DEFAULT_THREADS;
  s->anchor = DEFAULT_ANCHOR;
  s->prompt_serial = 0;
}

void
gst_artv_settings_clear (GstArtvSettings * s)
{
  g_clear_pointer (&s->prompt, g_free);
  g_clear_pointer (&s->prompts, g_free);
  g_clear_pointer (&s->model, g_free);
  g_clear_pointer (&s->device, g_free);
}

void
gst_artv_settings_copy (GstArtvSettings * dest, const GstArtvSettings * src)
{
  *dest = *src;
  dest->prompt = g_strdup (src->prompt);
  dest->prompts = g_strdup (src->prompts);
  dest->model = g_strdup (src->model);
  dest->device = g_strdup (src->device);
}

/* Guidance scales: -1 means the model's default; anything else must be a scale >= 0. */
static GParamSpec *
cfg_param (const gchar * name, const gchar * nick, const gchar * blurb)
{
  return g_param_spec_float (name, nick, blurb, -1.0f, MAX_CFG, DEFAULT_CFG,
      G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | GST_PARAM_MUTABLE_READY);
}

void
gst_artv_settings_install_properties (GObjectClass * klass, guint first)
{
  const GParamFlags rw = G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS;

  g_object_class_install_property (klass, first + GST_ARTV_PROP_PROMPT,
      g_param_spec_string ("prompt", "Prompt",
          "Text that describes the video to generate (\"\" = unconditional). Ignored while "
          "'prompts' is set. Takes effect at the next generated frame",
          DEFAULT_PROMPT, rw | GST_PARAM_MUTABLE_PLAYING));
  g_object_class_install_property (klass, first + GST_ARTV_PROP_PROMPTS,
      g_param_spec_string ("prompts", "Prompt schedule",
          "Prompts for successive segments, \"PROMPT:FRAMES|PROMPT:FRAMES|...\": each prompt "
          "holds for FRAMES generated frames, the last one also after its count (which it may "
          "omit); '\\' escapes ':' '|' '\\' inside a prompt. Overrides 'prompt' when set; "
          "NULL or \"\" unsets it",
          NULL, rw | GST_PARAM_MUTABLE_PLAYING));
  g_object_class_install_property (klass, first + GST_ARTV_PROP_STEPS,
      g_param_spec_int ("steps", "Steps",
          "Denoising steps per frame (0 = the model's default)", 0, MAX_STEPS,
          DEFAULT_STEPS, rw | GST_PARAM_MUTABLE_READY));
  g_object_class_install_property (klass, first + GST_ARTV_PROP_SAMPLER,
      g_param_spec_enum ("sampler", "Sampler", "Diffusion sampler",
          GST_TYPE_ARTV_SAMPLER, DEFAULT_SAMPLER, rw | GST_PARAM_MUTABLE_READY));
  g_object_class_install_property (klass, first + GST_ARTV_PROP_SEED,
      g_param_spec_uint64 ("seed", "Seed",
          "Seed of the random noise: equal seeds and inputs give equal frames", 0,
          G_MAXUINT64, DEFAULT_SEED, rw | GST_PARAM_MUTABLE_READY));
  g_object_class_install_property (klass, first + GST_ARTV_PROP_CFG_REF,
      cfg_param ("cfg-ref", "Reference guidance",
          "Guidance scale s_R for the reference frames (-1 = the model's default)"));
  g_object_class_install_property (klass, first + GST_ARTV_PROP_CFG_ANCHOR,
      cfg_param ("cfg-anchor", "Anchor guidance",
          "Guidance scale s_A for the anchor frame (-1 = the model's default)"));
  g_object_class_install_property (klass, first + GST_ARTV_PROP_CFG_TEXT,
      cfg_param ("cfg-text", "Text guidance",
          "Guidance scale s_T for the text prompt (-1 = the model's default)"));
  g_object_class_install_property (klass, first + GST_ARTV_PROP_CFG_TEXT_T2V,
      cfg_param ("cfg-text-t2v", "Text guidance from text alone",
          "Guidance scale s_T of a frame made from text alone, with no reference frames: "
          "the first frame of text-to-video (-1 = the model's default)"));
  g_object_class_install_property (klass, first + GST_ARTV_PROP_NOISE_AUG,
      g_param_spec_int ("noise-aug", "Noise augmentation",
          "Noise level k added to the reference and anchor frames at inference "
          "(-1 = the model's default, 200 in the paper)", -1, MAX_NOISE_AUG,
          DEFAULT_NOISE_AUG, rw | GST_PARAM_MUTABLE_READY));
  g_object_class_install_property (klass, first + GST_ARTV_PROP_MODEL,
      g_param_spec_string ("model", "Model",
          "Model directory (config.json, weights, tokenizer); NULL = $ARTV_MODEL_PATH, else "
          "the installed default model. Elements naming the same model and device share it",
          NULL, rw | GST_PARAM_MUTABLE_READY));
  g_object_class_install_property (klass, first + GST_ARTV_PROP_DEVICE,
      g_param_spec_string ("device", "Device",
          "Where the model runs: \"auto\" (CUDA when present, else CPU), \"cpu\", \"cuda\" "
          "or \"cuda:N\"", DEFAULT_DEVICE, rw | GST_PARAM_MUTABLE_READY));
  g_object_class_install_property (klass, first + GST_ARTV_PROP_THREADS,
      g_param_spec_int ("threads", "Threads",
          "CPU threads for the model (0 = all online CPUs). LibTorch has one thread pool per "
          "process: the model opened last sets it, and elements sharing a model share it", 0,
          MAX_THREADS, DEFAULT_THREADS, rw | GST_PARAM_MUTABLE_READY));
  g_object_class_install_property (klass, first + GST_ARTV_PROP_ANCHOR,
      g_param_spec_enum ("anchor", "Anchor",
          "Which frame is the global anchor frame", GST_TYPE_ARTV_ANCHOR,
          DEFAULT_ANCHOR, rw | GST_PARAM_MUTABLE_READY));

  gst_type_mark_as_plugin_api (GST_TYPE_ARTV_SAMPLER, 0);
  gst_type_mark_as_plugin_api (GST_TYPE_ARTV_ANCHOR, 0);
}

/* The schedule grammar of artv_session_set_schedule (core/generate/prompt_schedule.cpp):
 * segments separated by unescaped '|', each "PROMPT:FRAMES" with a non-blank prompt and one
 * unescaped ':'; FRAMES is a decimal count in 1..10000000, blanks around it allowed; only the
 * last segment may omit ":FRAMES"; '\' escapes ':' '|' '\' and nothing else. Checked here
 * so that a bad value is refused when it is set, not when generation starts. */
#define MAX_SEGMENT_FRAMES 10000000

static gboolean
count_is_valid (const gchar * begin, const gchar * end, const gchar ** why)
{
  gint64 n = 0;

  while (begin < end && g_ascii_isspace (*begin))
    begin++;
  while (end > begin && g_ascii_isspace (end[-1]))
    end--;
  if (begin == end) {
    *why = "a segment has ':' but no frame count after it";
    return FALSE;
  }
  for (; begin < end; begin++) {
    if (!g_ascii_isdigit (*begin)) {
      *why = "a frame count must be a positive whole number (write '\\:' for a colon "
          "in a prompt)";
      return FALSE;
    }
    n = n * 10 + (*begin - '0');
    if (n > MAX_SEGMENT_FRAMES) {
      *why = "a frame count is above the maximum of 10000000";
      return FALSE;
    }
  }
  if (n == 0) {
    *why = "a frame count must be positive";
    return FALSE;
  }
  return TRUE;
}

gboolean
gst_artv_schedule_is_valid (const gchar * schedule, const gchar ** reason)
{
  const gchar *why = NULL;
  const gchar *p, *count_begin = NULL;
  gboolean prompt_blank = TRUE;

  if (schedule == NULL) {
    why = "the schedule is empty";
    goto fail;
  }
  for (p = schedule;; p++) {
    gchar c = *p;
    if (c == '\\') {
      if (p[1] != ':' && p[1] != '|' && p[1] != '\\') {
        why = p[1] ? "'\\' escapes only ':', '|' and '\\'" :
            "'\\' at the end escapes nothing";
        goto fail;
      }
      if (count_begin == NULL)
        prompt_blank = FALSE;
      p++;
    } else if (c == '|' || c == '\0') {
      if (prompt_blank) {
        why = *schedule ? "a segment has an empty prompt" : "the schedule is empty";
        goto fail;
      }
      if (count_begin != NULL && !count_is_valid (count_begin, p, &why))
        goto fail;
      if (count_begin == NULL && c == '|') {
        why = "only the last segment may omit its frame count (PROMPT:FRAMES)";
        goto fail;
      }
      if (c == '\0')
        break;
      count_begin = NULL;
      prompt_blank = TRUE;
    } else if (c == ':') {
      if (count_begin != NULL) {
        why = "a second ':' in one segment (write '\\:' for a colon in a prompt)";
        goto fail;
      }
      count_begin = p + 1;
    } else if (count_begin == NULL && !g_ascii_isspace (c)) {
      prompt_blank = FALSE;
    }
  }
  return TRUE;

fail:
  if (reason)
    *reason = why;
  return FALSE;
}

gboolean
gst_artv_device_is_valid (const gchar * device, const gchar ** reason)
{
  if (device != NULL && (strcmp (device, "auto") == 0 || strcmp (device, "cpu") == 0
          || strcmp (device, "cuda") == 0))
    return TRUE;
  if (device != NULL && g_str_has_prefix (device, "cuda:") && device[5] != '\0'
      && strlen (device + 5) <= 3 && strspn (device + 5, "0123456789") == strlen (device + 5))
    return TRUE;
  if (reason)
    *reason = "expected \"auto\", \"cpu\", \"cuda\" or \"cuda:N\"";
  return FALSE;
}

static void
reject (GObject * object, const gchar * property, const gchar * value, const gchar * reason)
{
  g_warning ("%s: value \"%s\" is invalid for property '%s': %s; keeping the old value",
      G_OBJECT_TYPE_NAME (object), value ? value : "(null)", property, reason);
}

/* -1 (model default) or a scale >= 0; the param spec's range already bounds it. */
static gboolean
set_cfg (GObject * object, const gchar * property, gfloat * field, gfloat v)
{
  if (isnan (v) || (v < 0.0f && v != -1.0f)) {
    gchar buf[G_ASCII_DTOSTR_BUF_SIZE];
    reject (object, property, g_ascii_dtostr (buf, sizeof buf, v),
        "a guidance scale is -1 (the model's default) or >= 0");
    return FALSE;
  }
  *field = v;
  return TRUE;
}

gboolean
gst_artv_settings_set_property (GstArtvSettings * s, GObject * object, guint prop_id,
    const GValue * value)
{
  const gchar *why = NULL;
  const gchar *str;

  if (prop_id >= GST_ARTV_N_PROPS)
    return FALSE;

  GST_OBJECT_LOCK (object);
  switch (prop_id) {
    case GST_ARTV_PROP_PROMPT:
      str = g_value_get_string (value);
      g_free (s->prompt);
      s->prompt = g_strdup (str ? str : "");
      s->prompt_serial++;
      break;
    case GST_ARTV_PROP_PROMPTS:
      str = g_value_get_string (value);
      if (str == NULL || *str == '\0') {
        g_clear_pointer (&s->prompts, g_free);
        s->prompt_serial++;
      } else if (!gst_artv_schedule_is_valid (str, &why)) {
        reject (object, "prompts", str, why);
      } else {
        g_free (s->prompts);
        s->prompts = g_strdup (str);
        s->prompt_serial++;
      }
      break;
    case GST_ARTV_PROP_STEPS:
      s->steps = g_value_get_int (value);
      break;
    case GST_ARTV_PROP_SAMPLER:
      s->sampler = (artv_sampler) g_value_get_enum (value);
      break;
    case GST_ARTV_PROP_SEED:
      s->seed = g_value_get_uint64 (value);
      break;
    case GST_ARTV_PROP_CFG_REF:
      set_cfg (object, "cfg-ref", &s->cfg_ref, g_value_get_float (value));
      break;
    case GST_ARTV_PROP_CFG_ANCHOR:
      set_cfg (object, "cfg-anchor", &s->cfg_anchor, g_value_get_float (value));
      break;
    case GST_ARTV_PROP_CFG_TEXT:
      set_cfg (object, "cfg-text", &s->cfg_text, g_value_get_float (value));
      break;
    case GST_ARTV_PROP_CFG_TEXT_T2V:
      set_cfg (object, "cfg-text-t2v", &s->cfg_text_t2v,
          g_value_get_float (value));
      break;
    case GST_ARTV_PROP_NOISE_AUG:
      s->noise_aug = g_value_get_int (value);
      break;
    case GST_ARTV_PROP_MODEL:
      str = g_value_get_string (value);
      g_free (s->model);
      s->model = (str && *str) ? g_strdup (str) : NULL;
      break;
    case GST_ARTV_PROP_DEVICE:
      str = g_value_get_string (value);
      if (!gst_artv_device_is_valid (str, &why)) {
        reject (object, "device", str, why);
      } else {
        g_free (s->device);
        s->device = g_strdup (str);
      }
      break;
    case GST_ARTV_PROP_THREADS:
      s->threads = g_value_get_int (value);
      break;
    case GST_ARTV_PROP_ANCHOR:
      s->anchor = (artv_anchor_policy) g_value_get_enum (value);
      break;
  }
  GST_OBJECT_UNLOCK (object);
  return TRUE;
}

gboolean
gst_artv_settings_get_property (GstArtvSettings * s, GObject * object, guint prop_id,
    GValue * value)
{
  if (prop_id >= GST_ARTV_N_PROPS)
    return FALSE;

  GST_OBJECT_LOCK (object);
  switch (prop_id) {
    case GST_ARTV_PROP_PROMPT:
      g_value_set_string (value, s->prompt);
      break;
    case GST_ARTV_PROP_PROMPTS:
      g_value_set_string (value, s->prompts);
      break;
    case GST_ARTV_PROP_STEPS:
      g_value_set_int (value, s->steps);
      break;
    case GST_ARTV_PROP_SAMPLER:
      g_value_set_enum (value, s->sampler);
      break;
    case GST_ARTV_PROP_SEED:
      g_value_set_uint64 (value, s->seed);
      break;
    case GST_ARTV_PROP_CFG_REF:
      g_value_set_float (value, s->cfg_ref);
      break;
    case GST_ARTV_PROP_CFG_ANCHOR:
      g_value_set_float (value, s->cfg_anchor);
      break;
    case GST_ARTV_PROP_CFG_TEXT:
      g_value_set_float (value, s->cfg_text);
      break;
    case GST_ARTV_PROP_CFG_TEXT_T2V:
      g_value_set_float (value, s->cfg_text_t2v);
      break;
    case GST_ARTV_PROP_NOISE_AUG:
      g_value_set_int (value, s->noise_aug);
      break;
    case GST_ARTV_PROP_MODEL:
      g_value_set_string (value, s->model);
      break;
    case GST_ARTV_PROP_DEVICE:
      g_value_set_string (value, s->device);
      break;
    case GST_ARTV_PROP_THREADS:
      g_value_set_int (value, s->threads);
      break;
    case GST_ARTV_PROP_ANCHOR:
      g_value_set_enum (value, s->anchor);
      break;
  }
  GST_OBJECT_UNLOCK (object);
  return TRUE;
}

artv_session_params
gst_artv_settings_session_params (const GstArtvSettings * s)
{
  artv_session_params p = artv_session_default_params ();

  if (s->steps > 0)
    p.steps = s->steps;
  p.sampler = s->sampler;
  p.seed = s->seed;
  if (s->cfg_ref >= 0.0f)
    p.cfg_ref = s->cfg_ref;
  if (s->cfg_anchor >= 0.0f)
    p.cfg_anchor = s->cfg_anchor;
  if (s->cfg_text >= 0.0f)
    p.cfg_text = s->cfg_text;
  if (s->cfg_text_t2v >= 0.0f)
    p.cfg_text_t2v = s->cfg_text_t2v;
  if (s->noise_aug >= 0)
    p.noise_aug = s->noise_aug;
  p.anchor = s->anchor;
  return p;
}
