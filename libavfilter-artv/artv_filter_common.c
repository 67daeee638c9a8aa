/*
 * Glue between the artv filters and libartv (see artv_filter_common.h).
 *
 * This file is part of ARTV; it is compiled inside FFmpeg's libavfilter (LGPL 2.1 or later, as
 * FFmpeg).
 */

#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "libavutil/avstring.h"
#include "libavutil/bprint.h"
#include "libavutil/mem.h"
#include "libavutil/random_seed.h"
#include "libavutil/thread.h"
#include "libavutil/time.h"
#include "artv_filter_common.h"

/* ------------------------------------------------------------------------------------------ */
/* Errors                                                                                       */

int ff_artv_averror(artv_status status)
{
    switch (status) {
    case ARTV_OK:                   return 0;
    case ARTV_ERR_INVALID_ARGUMENT: return AVERROR(EINVAL);
    case ARTV_ERR_IO:               return AVERROR(ENOENT);
    case ARTV_ERR_FORMAT:
    case ARTV_ERR_MODEL:            return AVERROR_INVALIDDATA;
    case ARTV_ERR_DEVICE:           return AVERROR(ENODEV);
    case ARTV_ERR_OUT_OF_MEMORY:    return AVERROR(ENOMEM);
    case ARTV_ERR_ABORTED:          return AVERROR_EXIT;
    case ARTV_ERR_STATE:            return AVERROR(EINVAL);
    case ARTV_ERR_NUMERIC:
    case ARTV_ERR_INTERNAL:
    default:                        return AVERROR_EXTERNAL;
    }
}

/* Log a failed libartv call with the library's own message and return its AVERROR. */
static int log_artv_error(void *log_ctx, artv_status status, const char *what)
{
    const char *message = artv_last_error();
    av_log(log_ctx, AV_LOG_ERROR, "%s: %s\n", what,
           message && *message ? message : artv_status_string(status));
    return ff_artv_averror(status);
}

/* ------------------------------------------------------------------------------------------ */
/* Models shared between filter instances                                                       */

/* libartv's models are read-only and thread-safe to share (artv.h), and loading one takes
 * seconds and memory: instances that ask for the same directory, device, dtype and threads
 * share one, refcounted. The lock is held while loading so that a model loads once. */
typedef struct ArtvModelRef {
    struct ArtvModelRef *next;
    char *key;
    artv_model *model;
    int refs;
} ArtvModelRef;

static AVMutex model_cache_lock = AV_MUTEX_INITIALIZER;
static ArtvModelRef *model_cache;

static int model_acquire(void *log_ctx, const ArtvGenOptions *opt, ArtvModelRef **out)
{
    const char *path = opt->model && *opt->model ? opt->model : artv_default_model_path();
    artv_model_params params = artv_model_default_params();
    ArtvModelRef *ref;
    artv_status status;
    char *key;
    int ret = 0;

    params.device  = opt->device && *opt->device ? opt->device : "auto";
    params.dtype   = opt->dtype && *opt->dtype ? opt->dtype : "auto";
    params.threads = opt->threads;
    key = av_asprintf("%s\n%s\n%s\n%d", path, params.device, params.dtype, params.threads);
    if (!key)
        return AVERROR(ENOMEM);

    ff_mutex_lock(&model_cache_lock);
    for (ref = model_cache; ref; ref = ref->next)
        if (!strcmp(ref->key, key))
            break;
    if (ref) {
        ref->refs++;
        av_log(log_ctx, AV_LOG_VERBOSE, "sharing the already open model %s\n", path);
    } else {
        artv_model *model = NULL;
        av_log(log_ctx, AV_LOG_VERBOSE, "opening model %s (device %s, dtype %s)\n",
               path, params.device, params.dtype);
        status = artv_model_open(path, &params, &model);
        if (status != ARTV_OK) {
            char *what = av_asprintf("cannot open the model '%s' (option model)", path);
            ret = log_artv_error(log_ctx, status, what ? what : "cannot open the model");
            av_free(what);
        } else if (!(ref = av_mallocz(sizeof(*ref)))) {
            artv_model_close(model);
            ret = AVERROR(ENOMEM);
        } else {
            ref->key   = key;
            key        = NULL;
            ref->model = model;
            ref->refs  = 1;
            ref->next  = model_cache;
            model_cache = ref;
        }
    }
    ff_mutex_unlock(&model_cache_lock);
    av_free(key);
    *out = ref;
    return ret;
}

static void model_release(ArtvModelRef *ref)
{
    ArtvModelRef **p;

    if (!ref)
        return;
    ff_mutex_lock(&model_cache_lock);
    if (--ref->refs == 0) {
        for (p = &model_cache; *p; p = &(*p)->next) {
            if (*p == ref) {
                *p = ref->next;
                break;
            }
        }
        artv_model_close(ref->model);
        av_free(ref->key);
        av_free(ref);
    }
    ff_mutex_unlock(&model_cache_lock);
}

/* ------------------------------------------------------------------------------------------ */
/* Prompt schedule                                                                              */

/* [begin, end) without surrounding white space. */
static void trim(const char **begin, const char **end)
{
    while (*begin < *end && av_isspace(**begin))
        (*begin)++;
    while (*end > *begin && av_isspace((*end)[-1]))
        (*end)--;
}

/* Whether [begin, end) is an optionally signed decimal number: what the user meant as a count. */
static int looks_like_count(const char *begin, const char *end)
{
    if (begin < end && (*begin == '+' || *begin == '-'))
        begin++;
    if (begin == end)
        return 0;
    for (; begin < end; begin++)
        if (!av_isdigit(*begin))
            return 0;
    return 1;
}

int ff_artv_schedule_to_api(void *log_ctx, const char *prompts, char **api_schedule,
                            int64_t *total)
{
    AVBPrint bp;
    const char *seg = prompts;
    int64_t sum = 0;
    int index = 0, ret = 0;

    *api_schedule = NULL;
    *total = -1;
    av_bprint_init(&bp, 0, AV_BPRINT_SIZE_UNLIMITED);
    for (;;) {
        const char *seg_end = strchr(seg, '|');
        const char *text_begin = seg, *text_end, *slash = NULL, *p;
        int last = !seg_end;
        int64_t count = 0;

        if (last)
            seg_end = seg + strlen(seg);
        for (p = seg; p < seg_end; p++)
            if (*p == '/')
                slash = p;
        text_end = seg_end;
        if (slash) {
            const char *num_begin = slash + 1, *num_end = seg_end;
            trim(&num_begin, &num_end);
            if (looks_like_count(num_begin, num_end)) {
                char *parse_end;
                errno = 0;
                count = strtoll(num_begin, &parse_end, 10);
                if (errno || count < 1 || count > ARTV_FRAMES_MAX) {
                    av_log(log_ctx, AV_LOG_ERROR,
                           "prompts: segment %d: frame count '%.*s' out of range [1 - %d]\n",
                           index + 1, (int)(num_end - num_begin), num_begin, ARTV_FRAMES_MAX);
                    ret = AVERROR(EINVAL);
                    break;
                }
                text_end = slash;
            }
        }
        trim(&text_begin, &text_end);
        if (text_begin == text_end) {
            av_log(log_ctx, AV_LOG_ERROR,
                   "prompts: segment %d has an empty prompt; the syntax is "
                   "'PROMPT/FRAMES|PROMPT/FRAMES|PROMPT'\n", index + 1);
            ret = AVERROR(EINVAL);
            break;
        }
        if (!count && !last) {
            av_log(log_ctx, AV_LOG_ERROR,
                   "prompts: segment %d ('%.*s') has no frame count: write PROMPT/FRAMES "
                   "(only the last segment may omit its count)\n",
                   index + 1, (int)(text_end - text_begin), text_begin);
            ret = AVERROR(EINVAL);
            break;
        }

        if (index)
            av_bprint_chars(&bp, '|', 1);
        for (p = text_begin; p < text_end; p++) {
            if (*p == ':' || *p == '|' || *p == '\\')
                av_bprint_chars(&bp, '\\', 1);
            av_bprint_chars(&bp, *p, 1);
        }
        if (count)
            av_bprintf(&bp, ":%" PRId64, count);
        sum = count ? sum + count : -1;
        index++;
        if (last)
            break;
        seg = seg_end + 1;
    }

    if (!ret && !av_bprint_is_complete(&bp))
        ret = AVERROR(ENOMEM);
    if (ret < 0) {
        av_bprint_finalize(&bp, NULL);
        return ret;
    }
    *total = sum;
    return av_bprint_finalize(&bp, api_schedule);
}

/* ------------------------------------------------------------------------------------------ */
/* Generator                                                                                    */

int ff_artv_model_fps(const ArtvGenerator *gen)
{
    return gen->info.fps > 0 ? gen->info.fps : ARTV_FPS_DEFAULT;
}

int ff_artv_check_options(AVFilterContext *ctx, const ArtvGenOptions *opt)
{
    if (opt->prompt && opt->prompts) {
        av_log(ctx, AV_LOG_ERROR, "set either prompt or prompts, not both\n");
        return AVERROR(EINVAL);
    }
    if (opt->prompts) {
        char *schedule;
        int64_t total;
        int ret = ff_artv_schedule_to_api(ctx, opt->prompts, &schedule, &total);
        if (ret < 0)
            return ret;
        av_free(schedule);
    }
    return 0;
}

int ff_artv_generator_open(AVFilterContext *ctx, const ArtvGenOptions *opt, ArtvGenerator *gen)
{
    artv_status status;
    int ret;

    gen->segment = -1;
    if ((ret = model_acquire(ctx, opt, &gen->model_ref)) < 0)
        return ret;
    gen->model = gen->model_ref->model;
    status = artv_model_get_info(gen->model, &gen->info);
    if (status != ARTV_OK)
        return log_artv_error(ctx, status, "cannot read the model's information");
    av_log(ctx, AV_LOG_VERBOSE, "model %s: %"PRId64" parameters, %d fps, native %d px, %s %s\n",
           gen->info.name, gen->info.parameters, ff_artv_model_fps(gen),
           gen->info.native_short_side, gen->info.device, gen->info.dtype);
    return 0;
}

int ff_artv_generator_start(AVFilterContext *ctx, const ArtvGenOptions *opt, int frames_hint,
                            ArtvGenerator *gen)
{
    artv_session_params params;
    artv_status status;
    char *schedule = NULL;
    int64_t schedule_total = -1;
    int ret;

    if (opt->prompts &&
        (ret = ff_artv_schedule_to_api(ctx, opt->prompts, &schedule, &schedule_total)) < 0)
        return ret;

    /* frames option, else the caller's count (artvsrc's duration), else the schedule's sum. */
    gen->total = opt->frames   ? opt->frames :
                 frames_hint   ? frames_hint :
                 schedule_total > 0 ? (int)FFMIN(schedule_total, ARTV_FRAMES_MAX) :
                 ARTV_FRAMES_DEFAULT;
    if (schedule_total > 0 && gen->total != schedule_total)
        av_log(ctx, AV_LOG_VERBOSE, "%d frames; the prompts schedule counts %" PRId64 "%s\n",
               gen->total, schedule_total,
               gen->total > schedule_total ? " (the last prompt holds)" : " (cut short)");

    /* A random seed small enough to be typed back exactly (options go through a double). */
    gen->seed = opt->seed >= 0 ? (uint64_t)opt->seed : av_get_random_seed();
    if (opt->seed < 0)
        av_log(ctx, AV_LOG_INFO, "seed %" PRIu64 " (seed=%" PRIu64 " repeats this run)\n",
               gen->seed, gen->seed);

    params = artv_session_default_params();
    params.gen_width    = opt->gen_w;
    params.gen_height   = opt->gen_h;
    params.steps        = opt->steps;
    params.sampler      = (artv_sampler)opt->sampler;
    params.seed         = gen->seed;
    params.cfg_ref      = opt->cfg_ref    < 0 ? NAN : (float)opt->cfg_ref;
    params.cfg_anchor   = opt->cfg_anchor < 0 ? NAN : (float)opt->cfg_anchor;
    params.cfg_text     = opt->cfg_text   < 0 ? NAN : (float)opt->cfg_text;
    params.cfg_text_t2v = opt->cfg_text_t2v < 0 ? NAN : (float)opt->cfg_text_t2v;
    params.noise_aug    = opt->noise_aug;
    params.use_mask     = opt->mask;
    params.anchor       = (artv_anchor_policy)opt->anchor;
    params.total_frames = gen->total;
    status = artv_session_new(gen->model, &params, &gen->session);
    if (status != ARTV_OK) {
        ret = log_artv_error(ctx, status, "cannot start a generation session");
        goto end;
    }
    if (schedule)
        status = artv_session_set_schedule(gen->session, schedule);
    else
        status = artv_session_set_prompt(gen->session, opt->prompt ? opt->prompt : "");
    if (status != ARTV_OK) {
        ret = log_artv_error(ctx, status, schedule ? "invalid prompts" : "invalid prompt");
        goto end;
    }
    ret = 0;

end:
    av_free(schedule);
    return ret;
}

int ff_artv_generator_feed(AVFilterContext *ctx, ArtvGenerator *gen,
                           const uint8_t *rgb, int width, int height, int stride)
{
    artv_status status = artv_session_feed_frame(gen->session, rgb, width, height, stride);
    return status == ARTV_OK ? 0 : log_artv_error(ctx, status, "cannot condition on an input frame");
}

int ff_artv_generator_next(AVFilterContext *ctx, ArtvGenerator *gen,
                           uint8_t *rgb, int width, int height, int stride)
{
    artv_session_state state;
    artv_status status;
    int64_t start, spent;

    /* The state describes the frame about to be generated: log where each segment starts. */
    if (artv_session_get_state(gen->session, &state) == ARTV_OK && state.segment != gen->segment) {
        av_log(ctx, AV_LOG_DEBUG, "prompt segment %d starts at generated frame %d: \"%s\"\n",
               state.segment, gen->generated, state.prompt);
        gen->segment = state.segment;
    }

    start = av_gettime_relative();
    status = artv_session_next_frame(gen->session, rgb, width, height, stride);
    if (status != ARTV_OK) {
        char what[64];
        snprintf(what, sizeof(what), "generating frame %d/%d failed", gen->generated + 1, gen->total);
        return log_artv_error(ctx, status, what);
    }
    spent = av_gettime_relative() - start;
    gen->time_spent += spent;
    gen->generated++;

    av_log(ctx, AV_LOG_INFO, "frame %d/%d, %.2f s/frame\n", gen->generated, gen->total,
           spent / 1e6);
    if (gen->generated == gen->total)
        av_log(ctx, AV_LOG_VERBOSE, "generated %d frames in %.1f s\n", gen->total,
               gen->time_spent / 1e6);
    return 0;
}

void ff_artv_generator_uninit(ArtvGenerator *gen)
{
    if (gen->session)
        artv_session_free(gen->session);
    gen->session = NULL;
    model_release(gen->model_ref);
    gen->model_ref = NULL;
    gen->model = NULL;
}
