/* test_modelcache.c — the plugin's shared model cache: one artv_model per (directory, device)
 * in the process, however the directory is spelt and from however many threads. */
#include "gst_artv_test.h"

#include <glib/gstdio.h>
#include <string.h>

#include "gst-artv/gstartvmodelcache.h"

GST_START_TEST (test_same_model_shared)
{
  gchar *spelt = g_build_filename (artv_test_model (), ".", NULL);
  GError *err = NULL;
  artv_model *a = gst_artv_model_cache_acquire (artv_test_model (), "cpu", 2, &err);
  artv_model *b, *c;

  fail_unless (a != NULL, "%s", err ? err->message : "");
  b = gst_artv_model_cache_acquire (spelt, "cpu", 2, &err);
  fail_unless (b == a, "the same directory spelt differently opened a second model");
  fail_unless_equals_int (gst_artv_model_cache_size (), 1);
  /* Another device is another model ("auto" is CPU here, but the key is what was asked). */
  c = gst_artv_model_cache_acquire (artv_test_model (), "auto", 2, &err);
  fail_unless (c != NULL && c != a);
  fail_unless_equals_int (gst_artv_model_cache_size (), 2);

  gst_artv_model_cache_release (c);
  gst_artv_model_cache_release (b);
  fail_unless_equals_int (gst_artv_model_cache_size (), 1);
  gst_artv_model_cache_release (a);
  fail_unless_equals_int (gst_artv_model_cache_size (), 0);
  g_free (spelt);
}

GST_END_TEST;

GST_START_TEST (test_missing_model_error)
{
  GError *err = NULL;
  artv_model *m = gst_artv_model_cache_acquire ("/nonexistent/artv", "cpu", 1, &err);

  fail_unless (m == NULL);
  fail_unless (err != NULL);
  fail_unless (err->domain == GST_RESOURCE_ERROR);
  fail_unless (strstr (err->message, "/nonexistent/artv") != NULL);
  fail_unless_equals_int (gst_artv_model_cache_size (), 0);
  g_error_free (err);
}

GST_END_TEST;

#define N_THREADS 6

static gpointer
acquire_thread (gpointer data)
{
  return gst_artv_model_cache_acquire (artv_test_model (), "cpu", 2, NULL);
}

/* Elements starting at the same time in different pipelines load the model once. */
GST_START_TEST (test_concurrent_acquire)
{
  GThread *threads[N_THREADS];
  artv_model *models[N_THREADS];
  gint i;

  for (i = 0; i < N_THREADS; i++)
    threads[i] = g_thread_new ("acquire", acquire_thread, NULL);
  for (i = 0; i < N_THREADS; i++)
    models[i] = g_thread_join (threads[i]);
  for (i = 0; i < N_THREADS; i++)
    fail_unless (models[i] != NULL && models[i] == models[0]);
  fail_unless_equals_int (gst_artv_model_cache_size (), 1);
  for (i = 0; i < N_THREADS; i++)
    gst_artv_model_cache_release (models[i]);
  fail_unless_equals_int (gst_artv_model_cache_size (), 0);
}

GST_END_TEST;

static Suite *
modelcache_suite (void)
{
  Suite *s = suite_create ("artv_modelcache");
  TCase *tc = tcase_create ("general");

  tcase_set_timeout (tc, 120);
  suite_add_tcase (s, tc);
  tcase_add_test (tc, test_same_model_shared);
  tcase_add_test (tc, test_missing_model_error);
  tcase_add_test (tc, test_concurrent_acquire);
  return s;
}

ARTV_GST_TEST_MAIN (modelcache);
