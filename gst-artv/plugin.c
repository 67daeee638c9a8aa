/* plugin.c — the GStreamer plugin `artv`: artvsrc (text to video) and artv (continue a
 * stream). */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <gst/gst.h>

#include "gstartv.h"
#include "gstartvsrc.h"

static gboolean
plugin_init (GstPlugin * plugin)
{
  gboolean ok = FALSE;

  ok |= GST_ELEMENT_REGISTER (artvsrc, plugin);
  ok |= GST_ELEMENT_REGISTER (artv, plugin);
  return ok;
}

GST_PLUGIN_DEFINE (GST_VERSION_MAJOR, GST_VERSION_MINOR, artv,
    "Auto-regressive text-to-video generation with diffusion models (ARTV)",
    plugin_init, PACKAGE_VERSION, "unknown", PACKAGE_NAME, "Unknown package origin")
