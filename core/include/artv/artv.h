/*
 * artv.h — the public C API of libartv, auto-regressive text-to-video with diffusion models.
 *
 * Two handles with different lives (as whisper_context / whisper_state):
 *   artv_model    weights, config, tokenizer. Loaded once, read-only, shareable between threads
 *                 and between sessions.
 *   artv_session  one stream's state: reference frames, anchor, prompt schedule, RNG, frame
 *                 counter. Used by one thread at a time.
 *
 * Parameters are plain structs; get the defaults by value from artv_*_default_params() and change
 * the fields you care about. Every function returns an artv_status; the text of the last error
 * of the calling thread is artv_last_error(). No C++ type or exception crosses this header.
 *
 * Frames are packed RGB24 (R, G, B bytes per pixel, rows `stride` bytes apart), any size; the
 * session resizes them to and from its generation size.
 */
#ifndef ARTV_ARTV_H
#define ARTV_ARTV_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#if defined(__GNUC__)
#define ARTV_API __attribute__((visibility("default")))
#else
#define ARTV_API
#endif

#define ARTV_VERSION_MAJOR 0
#define ARTV_VERSION_MINOR 1
#define ARTV_VERSION_PATCH 0
/* Bumped when a struct below changes layout; checked by artv_*_default_params users at run time
 * through artv_abi_version(). */
#define ARTV_ABI_VERSION 2

/* The largest width or height of a frame fed to or taken from a session (FFmpeg's own limit). */
#define ARTV_MAX_FRAME_SIDE 16384

typedef enum artv_status {
    ARTV_OK = 0,
    ARTV_ERR_INVALID_ARGUMENT = 1, /* a parameter or option is out of range or malformed */
    ARTV_ERR_IO = 2,               /* a file is missing, unreadable, or could not be written */
    ARTV_ERR_FORMAT = 3,           /* a file's content is malformed (weights, config, tokenizer) */
    ARTV_ERR_MODEL = 4,            /* config and weights disagree (missing/unexpected/wrong shape) */
    ARTV_ERR_DEVICE = 5,           /* the requested device or dtype is not available here */
    ARTV_ERR_OUT_OF_MEMORY = 6,
    ARTV_ERR_ABORTED = 7,          /* the abort callback or artv_session_abort() stopped the call */
    ARTV_ERR_NUMERIC = 8,          /* NaN/Inf appeared during generation */
    ARTV_ERR_STATE = 9,            /* the call is not valid in the handle's current state */
    ARTV_ERR_INTERNAL = 10
} artv_status;

/* "0.1.0". */
ARTV_API const char *artv_version(void);
ARTV_API int artv_abi_version(void);
/* A static English name for a status code. */
ARTV_API const char *artv_status_string(artv_status status);
/* The message of the last failed call on this thread ("" if none). Valid until the next call. */
ARTV_API const char *artv_last_error(void);

/* ------------------------------------------------------------------------------------------ */
/* Model                                                                                        */

typedef struct artv_model artv_model;

typedef struct artv_model_params {
    const char *device; /* "auto" (CUDA when present, else CPU), "cpu", "cuda", "cuda:N" */
    const char *dtype;  /* "auto" (bf16 where the CPU/GPU has it natively, else fp32), "fp32",
                           "bf16", "fp16" */
    int threads;        /* CPU threads for LibTorch; 0 = number of online CPUs. LibTorch's thread
                           pool is process-wide: the last model opened sets it. */
} artv_model_params;

ARTV_API artv_model_params artv_model_default_params(void);

/* Where the default model is looked up: $ARTV_MODEL_PATH, else the installed default model
 * directory. Never NULL. */
ARTV_API const char *artv_default_model_path(void);

/* Open a model directory (config.json, weights .safetensors, tokenizer .model). path NULL or ""
 * means artv_default_model_path(). */
ARTV_API artv_status artv_model_open(const char *path, const artv_model_params *params,
                                     artv_model **out);
/* Sessions created from the model keep its weights alive: closing the model while they run is
 * safe; the memory goes with the last of them. NULL is ignored. */
ARTV_API void artv_model_close(artv_model *model);

typedef struct artv_model_info {
    char name[64];
    int native_short_side;  /* pixels; generation default for the shorter side */
    int size_multiple;      /* generation width/height must be multiples of this */
    int fps;                /* the frame rate the model was trained at */
    int default_steps;
    char default_sampler[32];
    float default_cfg_ref, default_cfg_anchor, default_cfg_text;
    int default_noise_aug;
    char device[32];
    char dtype[16];
    int64_t parameters;     /* all networks together */
    float default_cfg_text_t2v; /* text scale of a frame from text alone (T2V first frame) */
} artv_model_info;

ARTV_API artv_status artv_model_get_info(const artv_model *model, artv_model_info *info);

/* ------------------------------------------------------------------------------------------ */
/* Session                                                                                      */

typedef struct artv_session artv_session;

typedef enum artv_sampler {
    ARTV_SAMPLER_DEFAULT = 0, /* the model config's */
    ARTV_SAMPLER_DPMPP_2S_ANCESTRAL = 1,
    ARTV_SAMPLER_DDIM = 2,
    ARTV_SAMPLER_EULER = 3
} artv_sampler;

/* Which frame is the global anchor (DESIGN.md "Anchored conditioning"). */
typedef enum artv_anchor_policy {
    ARTV_ANCHOR_PAPER = 0, /* first frame of each segment: the first generated / last fed frame,
                              and on a prompt change the last frame of the previous segment */
    ARTV_ANCHOR_FIRST = 1, /* the very first frame of the session for the whole session */
    ARTV_ANCHOR_NONE = 2   /* no anchor (zero latent), as the paper's ablation */
} artv_anchor_policy;

/* Called after every frame; return nonzero from abort to stop between denoising steps. */
typedef void (*artv_progress_callback)(int frame, int total, int step, int steps,
                                       double seconds_per_frame, void *user);
typedef int (*artv_abort_callback)(void *user);

typedef struct artv_session_params {
    int gen_width, gen_height; /* generation size; 0,0 = native short side with the aspect of
                                  the first fed frame (or of out_width/out_height), rounded */
    int max_size;              /* upper bound on gen_width/gen_height, default 2048 */
    int steps;                 /* 0 = model default */
    artv_sampler sampler;
    float eta;                 /* ancestral noise for DPM++ 2S a, default 1 */
    uint64_t seed;
    float cfg_ref, cfg_anchor, cfg_text; /* NAN = model default */
    int noise_aug;             /* inference noise level k, -1 = model default (200) */
    int use_mask;              /* masked diffusion on (1, default) or plain eps (0) */
    artv_anchor_policy anchor;
    int total_frames;          /* for progress only; 0 = unknown */
    artv_progress_callback progress;
    void *progress_user;
    artv_abort_callback abort;
    void *abort_user;
    int progress_steps;        /* nonzero: progress is also called after every denoising step
                                  (step < steps), not only after every frame (default 0) */
    float cfg_text_t2v;        /* text scale of a frame from text alone (no references: the
                                  text-to-video first frame); NAN = the model's, whose own
                                  default is its cfg_text */
} artv_session_params;

ARTV_API artv_session_params artv_session_default_params(void);

ARTV_API artv_status artv_session_new(artv_model *model, const artv_session_params *params,
                                      artv_session **out);
ARTV_API void artv_session_free(artv_session *session);

/* One prompt for all following frames. "" is the unconditional text. */
ARTV_API artv_status artv_session_set_prompt(artv_session *session, const char *prompt);

/* A schedule of segments "PROMPT:FRAMES|PROMPT:FRAMES|...": each prompt holds for FRAMES
 * generated frames; the last prompt holds after its count. '\' escapes ':' '|' '\' in prompts.
 * Replaces any earlier prompt or schedule. */
ARTV_API artv_status artv_session_set_schedule(artv_session *session, const char *schedule);

/* Feed a real frame (continue-a-clip; one frame only = animate a still). Frames fed after
 * generation started are an ARTV_ERR_STATE. */
ARTV_API artv_status artv_session_feed_frame(artv_session *session, const uint8_t *rgb,
                                             int width, int height, int stride);

/* Generate the next frame into rgb (width x height, any size: resized from the generation
 * size). With no frame fed, the first call is text-to-video. */
ARTV_API artv_status artv_session_next_frame(artv_session *session, uint8_t *rgb, int width,
                                             int height, int stride);

/* Ask a running artv_session_next_frame to stop after the current denoising step. Thread-safe;
 * the flag stays set until artv_session_clear_abort(). */
ARTV_API void artv_session_abort(artv_session *session);
ARTV_API void artv_session_clear_abort(artv_session *session);

/* Inspection, for tests and tools. segment, anchor_frame, reference_frames and prompt describe
 * the NEXT frame artv_session_next_frame will generate; denoiser_calls_last_frame the last one. */
typedef struct artv_session_state {
    int frames_fed;
    int frames_generated;
    int segment;            /* index of the current prompt segment */
    int anchor_frame;       /* session frame index of the anchor (fed frames count first), -1 none */
    int reference_frames[2];/* session frame indices of x_{t-2}, x_{t-1}; -1 = blank */
    int gen_width, gen_height;
    int steps;
    int denoiser_calls_last_frame; /* network evaluations of the last frame, each batch entry
                                      counted: sampler denoiser calls x guidance conditions */
    char prompt[256];       /* current prompt, truncated */
} artv_session_state;

ARTV_API artv_status artv_session_get_state(const artv_session *session,
                                            artv_session_state *state);

#ifdef __cplusplus
}
#endif

#endif /* ARTV_ARTV_H */
