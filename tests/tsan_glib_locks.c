/* tsan_glib_locks.c — for the concurrency tests of the ThreadSanitizer build (configure
 * --enable-sanitizers=thread, make check-concurrency): linked into the GStreamer C tests, and
 * preloaded after the ThreadSanitizer runtime into gst-launch-1.0 (tests/gst/e2e_common.sh).
 *
 * On Linux GLib's GMutex and GCond are built on futexes, which ThreadSanitizer does not see:
 * every access made under GST_OBJECT_LOCK or G_LOCK looks like a race to it. (GRecMutex, a
 * pad's stream lock, is a pthread mutex, which it sees.) These wrappers call GLib's own functions and tell ThreadSanitizer what they do
 * with its mutex annotations, so that it sees the happens-before the real locks give. Calls
 * GLib makes to itself are not interposed; its own (uninstrumented) accesses are not checked.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>

#include <glib.h>
#include <sanitizer/tsan_interface.h>

/* GLib's functions and ThreadSanitizer's annotations, looked up when the library is loaded
 * (before any thread runs), not linked: in a process without the ThreadSanitizer runtime (a
 * tool the tests run) the wrappers only call GLib. */
static void (*real_g_mutex_lock)(GMutex *);
static gboolean (*real_g_mutex_trylock)(GMutex *);
static void (*real_g_mutex_unlock)(GMutex *);
static void (*real_g_cond_wait)(GCond *, GMutex *);
static gboolean (*real_g_cond_wait_until)(GCond *, GMutex *, gint64);
static void (*pre_lock)(void *, unsigned);
static void (*post_lock)(void *, unsigned, int);
static void (*pre_unlock)(void *, unsigned);
static void (*post_unlock)(void *, unsigned);

static void *find(const char *name)
{
    void *f = dlsym(RTLD_NEXT, name);
    if (!f) {
        fprintf(stderr, "tsan_glib_locks: %s not found\n", name);
        abort();
    }
    return f;
}

__attribute__((constructor)) static void resolve(void)
{
    if (real_g_mutex_lock || !dlsym(RTLD_NEXT, "g_mutex_lock"))
        return; /* done, or a process without GLib (yet) */
    real_g_mutex_trylock = find("g_mutex_trylock");
    real_g_mutex_unlock = find("g_mutex_unlock");
    real_g_cond_wait = find("g_cond_wait");
    real_g_cond_wait_until = find("g_cond_wait_until");
    pre_lock = dlsym(RTLD_DEFAULT, "__tsan_mutex_pre_lock");
    post_lock = dlsym(RTLD_DEFAULT, "__tsan_mutex_post_lock");
    pre_unlock = dlsym(RTLD_DEFAULT, "__tsan_mutex_pre_unlock");
    post_unlock = dlsym(RTLD_DEFAULT, "__tsan_mutex_post_unlock");
    if (!pre_lock || !post_lock || !pre_unlock || !post_unlock)
        pre_lock = NULL;
    real_g_mutex_lock = find("g_mutex_lock");
}

/* Called by every wrapper: GLib may be loaded only after this library (dlopen), and then the
 * constructor found nothing. */
static inline int tsan(void)
{
    if (!real_g_mutex_lock) {
        if (!dlsym(RTLD_NEXT, "g_mutex_lock")) {
            fprintf(stderr, "tsan_glib_locks: GLib is not loaded\n");
            abort();
        }
        resolve();
    }
    return pre_lock != NULL;
}

#define ANNOTATE(call) do { if (tsan()) call; } while (0)

void g_mutex_lock(GMutex *m)
{
    ANNOTATE(pre_lock(m, 0));
    real_g_mutex_lock(m);
    ANNOTATE(post_lock(m, 0, 0));
}

gboolean g_mutex_trylock(GMutex *m)
{
    gboolean locked;
    ANNOTATE(pre_lock(m, __tsan_mutex_try_lock));
    locked = real_g_mutex_trylock(m);
    ANNOTATE(post_lock(m, __tsan_mutex_try_lock | (locked ? 0 : __tsan_mutex_try_lock_failed), 0));
    return locked;
}

void g_mutex_unlock(GMutex *m)
{
    ANNOTATE(pre_unlock(m, 0));
    real_g_mutex_unlock(m);
    ANNOTATE(post_unlock(m, 0));
}

/* A wait releases the mutex and takes it again before it returns. */
void g_cond_wait(GCond *c, GMutex *m)
{
    ANNOTATE(pre_unlock(m, 0));
    ANNOTATE(post_unlock(m, 0));
    real_g_cond_wait(c, m);
    ANNOTATE(pre_lock(m, 0));
    ANNOTATE(post_lock(m, 0, 0));
}

gboolean g_cond_wait_until(GCond *c, GMutex *m, gint64 end_time)
{
    gboolean signalled;
    ANNOTATE(pre_unlock(m, 0));
    ANNOTATE(post_unlock(m, 0));
    signalled = real_g_cond_wait_until(c, m, end_time);
    ANNOTATE(pre_lock(m, 0));
    ANNOTATE(post_lock(m, 0, 0));
    return signalled;
}
