/* gst_artv_test.h — shared setup of the GStreamer tests: load the plugin from the build tree,
 * find the tiny test model, and a main() for one suite. */
#ifndef GST_ARTV_TEST_H
#define GST_ARTV_TEST_H

#include <gst/check/gstcheck.h>
#include <gst/check/gstharness.h>
#include <stdlib.h>

/* The tiny random model the tests generate with: $ARTV_TEST_MODEL, else the build tree's
 * tests/test-tiny (made by `artv init-random`, see tests/generate.mk). */
static inline const gchar *
artv_test_model (void)
{
  static gchar *path = NULL;
  const gchar *env = g_getenv ("ARTV_TEST_MODEL");

  if (env && *env)
    return env;
  if (path == NULL) {
    const gchar *builddir = g_getenv ("ARTV_BUILDDIR");
    path = g_build_filename (builddir ? builddir : ".", "tests", "test-tiny", NULL);
  }
  return path;
}

/* The plugin under test is the build tree's; GST_REGISTRY keeps its registry out of $HOME. */
static inline void
artv_test_setup_environment (void)
{
  const gchar *builddir = g_getenv ("ARTV_BUILDDIR");
  gchar *plugins = g_build_filename (builddir ? builddir : ".", "gst-artv", ".libs", NULL);
  gchar *registry = g_build_filename (builddir ? builddir : ".", "tests", "gst",
      "registry.bin", NULL);

  g_setenv ("GST_PLUGIN_PATH", plugins, TRUE);
  if (!g_getenv ("GST_REGISTRY"))
    g_setenv ("GST_REGISTRY", registry, TRUE);
  g_free (plugins);
  g_free (registry);
}

/* Load the plugin (and with it libartv and LibTorch, seconds) once in the parent, so that
 * the forked test cases do not each load it again. Exit 1 with the reason if it cannot. */
static inline void
artv_test_load_plugin (void)
{
  GstPlugin *plugin = gst_plugin_load_by_name ("artv");
  if (plugin == NULL) {
    g_printerr ("FAIL: the plugin 'artv' did not load from %s (GST_DEBUG=2 says why)\n",
        g_getenv ("GST_PLUGIN_PATH"));
    exit (1);
  }
  gst_object_unref (plugin);
}

/* A time limit in seconds, scaled by $ARTV_TEST_TIME_SCALE for slow runs (valgrind, ASan). */
static inline gdouble
artv_test_time_bound (gdouble seconds)
{
  const gchar *scale = g_getenv ("ARTV_TEST_TIME_SCALE");
  gdouble k = scale ? g_ascii_strtod (scale, NULL) : 1.0;
  return seconds * (k > 0.0 ? k : 1.0);
}

/* Exit 77 (automake's SKIP) when the test model is missing. */
static inline void
artv_test_require_model (void)
{
  gchar *config = g_build_filename (artv_test_model (), "config.json", NULL);
  if (!g_file_test (config, G_FILE_TEST_EXISTS)) {
    g_printerr ("SKIP: no test model at %s (make tests/test-tiny.stamp or set "
        "ARTV_TEST_MODEL)\n", artv_test_model ());
    exit (77);
  }
  g_free (config);
}

#define ARTV_GST_TEST_MAIN(name)                                               \
  int main (int argc, char **argv)                                             \
  {                                                                            \
    artv_test_setup_environment ();                                            \
    gst_check_init (&argc, &argv);                                             \
    artv_test_load_plugin ();                                                  \
    artv_test_require_model ();                                                \
    return gst_check_run_suite (name##_suite (), #name, __FILE__);             \
  }

#endif /* GST_ARTV_TEST_H */
