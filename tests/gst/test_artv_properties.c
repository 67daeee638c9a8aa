/* test_artv_properties.c — the properties of artvsrc and artv: every documented one exists
 * with a nick, blurb and default; invalid values are rejected with a warning and the old
 * value kept. Needs no model. */
#include "gst_artv_test.h"

#include <math.h>
#include <string.h>

static const gchar *const shared_properties[] = {
  "prompt", "prompts", "steps", "sampler", "seed", "cfg-ref", "cfg-anchor", "cfg-text",
  "cfg-text-t2v", "noise-aug", "model", "device", "threads", "anchor",
};

static const gchar *const element_names[] = { "artvsrc", "artv" };

GST_START_TEST (test_properties_documented)
{
  GstElement *e = gst_element_factory_make (element_names[__i__], NULL);
  GObjectClass *klass;
  guint i;

  fail_unless (e != NULL, "element %s not found", element_names[__i__]);
  klass = G_OBJECT_GET_CLASS (e);
  for (i = 0; i < G_N_ELEMENTS (shared_properties) + 1; i++) {
    const gchar *name = i < G_N_ELEMENTS (shared_properties) ? shared_properties[i] : "frames";
    GParamSpec *p = g_object_class_find_property (klass, name);
    if (strcmp (name, "frames") == 0 && strcmp (element_names[__i__], "artvsrc") == 0) {
      fail_unless (p == NULL, "artvsrc counts frames with num-buffers");
      continue;
    }
    fail_unless (p != NULL, "%s has no property %s", element_names[__i__], name);
    fail_unless (g_param_spec_get_nick (p) && *g_param_spec_get_nick (p));
    fail_unless (g_param_spec_get_blurb (p) && strlen (g_param_spec_get_blurb (p)) > 10,
        "%s:%s has no real blurb", element_names[__i__], name);
    fail_unless (strcmp (g_param_spec_get_nick (p), g_param_spec_get_blurb (p)) != 0);
    fail_unless ((p->flags & G_PARAM_READWRITE) == G_PARAM_READWRITE);
  }
  gst_object_unref (e);
}

GST_END_TEST;

GST_START_TEST (test_defaults)
{
  GstElement *e = gst_element_factory_make (element_names[__i__], NULL);
  gchar *prompt, *prompts, *model, *device;
  gint steps, noise_aug, threads, sampler, anchor;
  guint64 seed;
  gfloat cfg_ref, cfg_anchor, cfg_text;

  g_object_get (e, "prompt", &prompt, "prompts", &prompts, "model", &model, "device",
      &device, "steps", &steps, "noise-aug", &noise_aug, "threads", &threads, "sampler",
      &sampler, "anchor", &anchor, "seed", &seed, "cfg-ref", &cfg_ref, "cfg-anchor",
      &cfg_anchor, "cfg-text", &cfg_text, NULL);
  fail_unless_equals_string (prompt, "");
  fail_unless (prompts == NULL);
  fail_unless (model == NULL);
  fail_unless_equals_string (device, "auto");
  fail_unless_equals_int (steps, 0);
  fail_unless_equals_int (noise_aug, -1);
  fail_unless_equals_int (threads, 0);
  fail_unless_equals_int (sampler, 0);
  fail_unless_equals_int (anchor, 0);
  fail_unless_equals_uint64 (seed, 0);
  fail_unless_equals_float (cfg_ref, -1.0f);
  fail_unless_equals_float (cfg_anchor, -1.0f);
  fail_unless_equals_float (cfg_text, -1.0f);
  if (strcmp (element_names[__i__], "artv") == 0) {
    guint frames;
    g_object_get (e, "frames", &frames, NULL);
    fail_unless_equals_int (frames, 16);
  }
  g_free (prompt);
  g_free (prompts);
  g_free (model);
  g_free (device);
  gst_object_unref (e);
}

GST_END_TEST;

/* Valid values are taken, including the string forms gst-launch uses. */
GST_START_TEST (test_valid_values)
{
  GstElement *e = gst_element_factory_make (element_names[__i__], NULL);
  gchar *s;
  gint i;
  gfloat f;
  guint64 seed;

  g_object_set (e, "prompts", "a cat:12|a dog\\: running\\|fast:4|\\\\end:1", NULL);
  g_object_get (e, "prompts", &s, NULL);
  fail_unless_equals_string (s, "a cat:12|a dog\\: running\\|fast:4|\\\\end:1");
  g_free (s);
  g_object_set (e, "prompts", "", NULL);
  g_object_get (e, "prompts", &s, NULL);
  fail_unless (s == NULL, "\"\" unsets the schedule");
  /* What the engine's parser accepts: a last segment without count, blanks around counts,
   * the largest count. */
  g_object_set (e, "prompts", "sunrise: 12 |a long day", NULL);
  g_object_get (e, "prompts", &s, NULL);
  fail_unless_equals_string (s, "sunrise: 12 |a long day");
  g_free (s);
  g_object_set (e, "prompts", "just one prompt", NULL);
  g_object_set (e, "prompts", "a:10000000", NULL);

  g_object_set (e, "device", "cuda:1", NULL);
  g_object_get (e, "device", &s, NULL);
  fail_unless_equals_string (s, "cuda:1");
  g_free (s);
  g_object_set (e, "device", "cpu", NULL);

  gst_util_set_object_arg (G_OBJECT (e), "sampler", "ddim");
  g_object_get (e, "sampler", &i, NULL);
  fail_unless_equals_int (i, 2);
  gst_util_set_object_arg (G_OBJECT (e), "anchor", "none");
  g_object_get (e, "anchor", &i, NULL);
  fail_unless_equals_int (i, 2);
  gst_util_set_object_arg (G_OBJECT (e), "cfg-text", "7.5");
  g_object_get (e, "cfg-text", &f, NULL);
  fail_unless_equals_float (f, 7.5f);
  gst_util_set_object_arg (G_OBJECT (e), "seed", "18446744073709551615");
  g_object_get (e, "seed", &seed, NULL);
  fail_unless_equals_uint64 (seed, G_MAXUINT64);
  gst_object_unref (e);
}

GST_END_TEST;

static const gchar *const bad_schedules[] = {
  "   ",                        /* blank */
  "a cat|a dog:2",              /* only the last segment may omit its count */
  "a cat:",                     /* ':' without a count */
  ":3",                         /* empty prompt */
  "  :3|b:1",
  "a cat:0",                    /* zero frames */
  "a cat:-3",
  "a cat:3|",                   /* empty last segment */
  "|a cat:3",
  "a:b:3",                      /* unescaped ':' inside the prompt */
  "a cat:3x",
  "a cat:1 2",
  "a \\cat:3",                  /* '\' before an ordinary character */
  "a cat\\",                    /* trailing '\' */
  "a cat:10000001",             /* above the maximum count */
  "a cat:99999999999999999999",
};

GST_START_TEST (test_invalid_values_keep_old)
{
  GstElement *e = gst_element_factory_make (element_names[__i__], NULL);
  gchar *s;
  gint i;
  gfloat f;
  guint k;

  g_object_set (e, "prompts", "sunrise:10|noon:5", "device", "cpu", "steps", 4, "cfg-text",
      5.0f, "sampler", 3, NULL);

  for (k = 0; k < G_N_ELEMENTS (bad_schedules); k++) {
    ASSERT_WARNING (g_object_set (e, "prompts", bad_schedules[k], NULL));
    g_object_get (e, "prompts", &s, NULL);
    fail_unless_equals_string (s, "sunrise:10|noon:5");
    g_free (s);
  }

  ASSERT_WARNING (g_object_set (e, "device", "gpu", NULL));
  ASSERT_WARNING (g_object_set (e, "device", "cuda:", NULL));
  ASSERT_WARNING (g_object_set (e, "device", "cuda:x", NULL));
  ASSERT_WARNING (g_object_set (e, "device", NULL, NULL));
  g_object_get (e, "device", &s, NULL);
  fail_unless_equals_string (s, "cpu");
  g_free (s);

  ASSERT_WARNING (g_object_set (e, "steps", 5000, NULL));
  ASSERT_WARNING (g_object_set (e, "steps", -2, NULL));
  g_object_get (e, "steps", &i, NULL);
  fail_unless_equals_int (i, 4);

  ASSERT_WARNING (g_object_set (e, "cfg-text", -0.5f, NULL));
  ASSERT_WARNING (g_object_set (e, "cfg-text", 1000.0f, NULL));
  ASSERT_WARNING (g_object_set (e, "cfg-text", (gfloat) NAN, NULL));
  g_object_get (e, "cfg-text", &f, NULL);
  fail_unless_equals_float (f, 5.0f);

  ASSERT_WARNING (g_object_set (e, "sampler", 42, NULL));
  g_object_get (e, "sampler", &i, NULL);
  fail_unless_equals_int (i, 3);

  ASSERT_WARNING (g_object_set (e, "noise-aug", 1000, NULL));
  ASSERT_WARNING (g_object_set (e, "threads", -1, NULL));
  if (strcmp (element_names[__i__], "artv") == 0) {
    guint frames;
    g_object_set (e, "frames", 5, NULL);
    ASSERT_WARNING (g_object_set (e, "frames", 2000000, NULL));
    g_object_get (e, "frames", &frames, NULL);
    fail_unless_equals_int (frames, 5);
  }
  gst_object_unref (e);
}

GST_END_TEST;

static Suite *
artv_properties_suite (void)
{
  Suite *s = suite_create ("artv_properties");
  TCase *tc = tcase_create ("general");
  gint n = G_N_ELEMENTS (element_names);

  suite_add_tcase (s, tc);
  tcase_add_loop_test (tc, test_properties_documented, 0, n);
  tcase_add_loop_test (tc, test_defaults, 0, n);
  tcase_add_loop_test (tc, test_valid_values, 0, n);
  tcase_add_loop_test (tc, test_invalid_values_keep_old, 0, n);
  return s;
}

int
main (int argc, char **argv)
{
  artv_test_setup_environment ();
  gst_check_init (&argc, &argv);
  artv_test_load_plugin ();
  return gst_check_run_suite (artv_properties_suite (), "artv_properties", __FILE__);
}
