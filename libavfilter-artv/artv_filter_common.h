/*
 * What the artv filters (vf_artv.c, vsrc_artvsrc.c) share: their generation options, and the
 * glue to libartv's C API (artv/artv.h): a process-wide cache of open models, one generation
 * session per filter instance, the prompt-schedule syntax of the filter options, progress and
 * error reporting through av_log.
 *
 * This file is part of ARTV; it is compiled inside FFmpeg's libavfilter (LGPL 2.1 or later, as
 * FFmpeg).
 */

#ifndef AVFILTER_ARTV_FILTER_COMMON_H
#define AVFILTER_ARTV_FILTER_COMMON_H

#include <stddef.h>
#include <stdint.h>

#include <artv/artv.h>

#include "libavutil/opt.h"
#include "avfilter.h"

/** Upper bound of the frames option: ~35 hours at 8 fps; more is taken for a typo. */
#define ARTV_FRAMES_MAX 1000000
/** Frames generated when neither frames nor a counted schedule says how many. */
#define ARTV_FRAMES_DEFAULT 16
/** Largest seed: option values pass through a double, exact up to 2^53. */
#define ARTV_SEED_MAX ((INT64_C(1) << 53) - 1)
/** Frame rate assumed when a model does not say. */
#define ARTV_FPS_DEFAULT 8

/** The options both filters take (AVOption table: ARTV_GEN_OPTIONS). */
typedef struct ArtvGenOptions {
    char *prompt;
    char *prompts;      ///< schedule "PROMPT/FRAMES|PROMPT/FRAMES|PROMPT"
    int frames;         ///< 0: the schedule's total, else ARTV_FRAMES_DEFAULT
    int steps;          ///< 0: the model's
    int sampler;        ///< enum artv_sampler
    int64_t seed;       ///< -1: random
    double cfg_ref, cfg_anchor, cfg_text; ///< < 0: the model's
    double cfg_text_t2v; ///< text scale of a frame from text alone; < 0: the model's
    int noise_aug;      ///< -1: the model's
    int mask;           ///< masked diffusion on/off
    int anchor;         ///< enum artv_anchor_policy
    int gen_w, gen_h;   ///< 0x0: the model's native size
    char *model;        ///< NULL/"": artv_default_model_path()
    char *device;
    char *dtype;
    int threads;
} ArtvGenOptions;

/** One filter instance's generation: the (shared) model and its own session. */
typedef struct ArtvGenerator {
    struct ArtvModelRef *model_ref;
    artv_model *model;
    artv_model_info info;
    artv_session *session;
    int total;          ///< frames to generate
    int generated;
    int segment;        ///< prompt segment of the last generated frame (-1 before the first)
    uint64_t seed;
    int64_t time_spent; ///< microseconds inside artv_session_next_frame
} ArtvGenerator;

#define ARTV_GEN_FLAGS (AV_OPT_FLAG_VIDEO_PARAM | AV_OPT_FLAG_FILTERING_PARAM)

/**
 * AVOption entries for ArtvGenOptions, as member `field` of the filter context `ctxtype`.
 * prompt and frames come first: they are the shorthand "artv=PROMPT:FRAMES".
 */
#define ARTV_GEN_OPTIONS(ctxtype, field)                                                        \
    { "prompt", "text prompt for the generated frames (\"\": unconditional)",                    \
      offsetof(ctxtype, field.prompt), AV_OPT_TYPE_STRING, { .str = NULL }, 0, 0, ARTV_GEN_FLAGS }, \
    { "frames", "number of frames to generate (0: the sum of the prompts schedule, else 16)",   \
      offsetof(ctxtype, field.frames), AV_OPT_TYPE_INT, { .i64 = 0 }, 0, ARTV_FRAMES_MAX, ARTV_GEN_FLAGS }, \
    { "prompts", "multi-prompt schedule 'PROMPT/FRAMES|PROMPT/FRAMES|PROMPT' (the last count may be omitted)", \
      offsetof(ctxtype, field.prompts), AV_OPT_TYPE_STRING, { .str = NULL }, 0, 0, ARTV_GEN_FLAGS }, \
    { "steps", "denoising steps per frame (0: the model's default)",                           \
      offsetof(ctxtype, field.steps), AV_OPT_TYPE_INT, { .i64 = 0 }, 0, 1000, ARTV_GEN_FLAGS },  \
    { "sampler", "diffusion sampler", offsetof(ctxtype, field.sampler), AV_OPT_TYPE_INT,         \
      { .i64 = ARTV_SAMPLER_DEFAULT }, ARTV_SAMPLER_DEFAULT, ARTV_SAMPLER_EULER, ARTV_GEN_FLAGS, "sampler" }, \
        { "default",    "the model's default", 0, AV_OPT_TYPE_CONST, { .i64 = ARTV_SAMPLER_DEFAULT }, 0, 0, ARTV_GEN_FLAGS, "sampler" }, \
        { "dpmpp_2s_a", "DPM++ 2S ancestral",  0, AV_OPT_TYPE_CONST, { .i64 = ARTV_SAMPLER_DPMPP_2S_ANCESTRAL }, 0, 0, ARTV_GEN_FLAGS, "sampler" }, \
        { "ddim",       "DDIM (deterministic)", 0, AV_OPT_TYPE_CONST, { .i64 = ARTV_SAMPLER_DDIM }, 0, 0, ARTV_GEN_FLAGS, "sampler" }, \
        { "euler",      "Euler",                0, AV_OPT_TYPE_CONST, { .i64 = ARTV_SAMPLER_EULER }, 0, 0, ARTV_GEN_FLAGS, "sampler" }, \
    { "seed", "random seed (-1: random; the seed used is logged)",                              \
      offsetof(ctxtype, field.seed), AV_OPT_TYPE_INT64, { .i64 = -1 }, -1, ARTV_SEED_MAX, ARTV_GEN_FLAGS }, \
    { "cfg_ref", "guidance scale of the reference frames (-1: the model's)",                     \
      offsetof(ctxtype, field.cfg_ref), AV_OPT_TYPE_DOUBLE, { .dbl = -1 }, -1, 100, ARTV_GEN_FLAGS }, \
    { "cfg_anchor", "guidance scale of the anchor frame (-1: the model's)",                      \
      offsetof(ctxtype, field.cfg_anchor), AV_OPT_TYPE_DOUBLE, { .dbl = -1 }, -1, 100, ARTV_GEN_FLAGS }, \
    { "cfg_text", "guidance scale of the text (-1: the model's)",                                \
      offsetof(ctxtype, field.cfg_text), AV_OPT_TYPE_DOUBLE, { .dbl = -1 }, -1, 100, ARTV_GEN_FLAGS }, \
    { "cfg_text_t2v", "text scale of a frame made from text alone, the first of text-to-video (-1: the model's)", \
      offsetof(ctxtype, field.cfg_text_t2v), AV_OPT_TYPE_DOUBLE, { .dbl = -1 }, -1, 100, ARTV_GEN_FLAGS }, \
    { "noise_aug", "noise-augmentation level k of the conditioning frames (-1: the model's)",   \
      offsetof(ctxtype, field.noise_aug), AV_OPT_TYPE_INT, { .i64 = -1 }, -1, 999, ARTV_GEN_FLAGS }, \
    { "mask", "masked diffusion: reuse the reference frame's noise where the mask network says so", \
      offsetof(ctxtype, field.mask), AV_OPT_TYPE_BOOL, { .i64 = 1 }, 0, 1, ARTV_GEN_FLAGS },      \
    { "anchor", "which frame is the global anchor", offsetof(ctxtype, field.anchor),            \
      AV_OPT_TYPE_INT, { .i64 = ARTV_ANCHOR_PAPER }, ARTV_ANCHOR_PAPER, ARTV_ANCHOR_NONE, ARTV_GEN_FLAGS, "anchor" }, \
        { "paper", "first frame of each prompt segment (the last input frame when extending)", 0, AV_OPT_TYPE_CONST, { .i64 = ARTV_ANCHOR_PAPER }, 0, 0, ARTV_GEN_FLAGS, "anchor" }, \
        { "first", "the first frame, for the whole run", 0, AV_OPT_TYPE_CONST, { .i64 = ARTV_ANCHOR_FIRST }, 0, 0, ARTV_GEN_FLAGS, "anchor" }, \
        { "none",  "no anchor frame", 0, AV_OPT_TYPE_CONST, { .i64 = ARTV_ANCHOR_NONE }, 0, 0, ARTV_GEN_FLAGS, "anchor" }, \
    { "gen_size", "generation size WxH (default: the model's native size, output aspect)",      \
      offsetof(ctxtype, field.gen_w), AV_OPT_TYPE_IMAGE_SIZE, { .str = NULL }, 0, 0, ARTV_GEN_FLAGS }, \
    { "model", "model directory (default: $ARTV_MODEL_PATH, else the installed default model)", \
      offsetof(ctxtype, field.model), AV_OPT_TYPE_STRING, { .str = NULL }, 0, 0, ARTV_GEN_FLAGS }, \
    { "device", "device: auto, cpu, cuda, cuda:N", offsetof(ctxtype, field.device),             \
      AV_OPT_TYPE_STRING, { .str = "auto" }, 0, 0, ARTV_GEN_FLAGS },                            \
    { "dtype", "compute type: auto, fp32, bf16, fp16", offsetof(ctxtype, field.dtype),           \
      AV_OPT_TYPE_STRING, { .str = "auto" }, 0, 0, ARTV_GEN_FLAGS },                            \
    { "threads", "CPU threads of the model (0: all online CPUs)", offsetof(ctxtype, field.threads), \
      AV_OPT_TYPE_INT, { .i64 = 0 }, 0, 1024, ARTV_GEN_FLAGS }

/**
 * Check what can be checked without the model (conflicting options, the schedule's syntax),
 * for the filters' init(). Errors are logged on ctx; returns 0 or an AVERROR.
 */
int ff_artv_check_options(AVFilterContext *ctx, const ArtvGenOptions *opt);

/**
 * Open (or share) the model; gen->info is then valid. The filters call this when their links
 * are configured, not in init(): ffmpeg initialises a -filter_complex graph twice (once to
 * find its outputs), and a model would be loaded twice. Returns 0 or an AVERROR (logged).
 */
int ff_artv_generator_open(AVFilterContext *ctx, const ArtvGenOptions *opt, ArtvGenerator *gen);

/**
 * Start the session with its prompt or schedule. The number of frames is the frames option,
 * else frames_hint when > 0 (a count the filter derived, e.g. from a duration), else the
 * schedule's sum, else ARTV_FRAMES_DEFAULT. Returns 0 or an AVERROR (logged).
 */
int ff_artv_generator_start(AVFilterContext *ctx, const ArtvGenOptions *opt, int frames_hint,
                            ArtvGenerator *gen);

/** Frame rate of the model (frames per second; ARTV_FPS_DEFAULT when it does not say). */
int ff_artv_model_fps(const ArtvGenerator *gen);

/** Feed a real RGB24 frame (continue a clip / animate a still). */
int ff_artv_generator_feed(AVFilterContext *ctx, ArtvGenerator *gen,
                           const uint8_t *rgb, int width, int height, int stride);

/** Generate the next frame as RGB24 at width x height; logs progress and segment starts. */
int ff_artv_generator_next(AVFilterContext *ctx, ArtvGenerator *gen,
                           uint8_t *rgb, int width, int height, int stride);

void ff_artv_generator_uninit(ArtvGenerator *gen);

/**
 * Convert the filters' schedule syntax "PROMPT/FRAMES|PROMPT/FRAMES|PROMPT" into the C API's
 * "PROMPT:FRAMES|..." (escaping ':' '|' '\' in prompts). The count is the decimal number after
 * a segment's last '/'; only the last segment may omit it. On success *api_schedule is an
 * av_malloc'ed string, *total the sum of the counts (-1 when the last has none) and 0 is
 * returned; otherwise an error naming the segment is logged and AVERROR(EINVAL) returned.
 */
int ff_artv_schedule_to_api(void *log_ctx, const char *prompts, char **api_schedule,
                            int64_t *total);

/** AVERROR code for a libartv status. */
int ff_artv_averror(artv_status status);

#endif /* AVFILTER_ARTV_FILTER_COMMON_H */
