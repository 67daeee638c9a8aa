// One auto-regressive generation stream (DESIGN.md "Generation modes"): the two reference
// frames, the anchor, the prompt schedule, the seeded noise and the frame counter, and
// next_frame(), which generates one frame and moves the references along. The C API's
// artv_session wraps this class; C++ tools may use it directly.
//
// Modes, all one Session (conditioning_frames.h has the reference/anchor rule):
//   T2V       no frame fed: the first frame is generated from text alone, then continued.
//   TI2V      one frame fed (a still image): it is both references and the anchor.
//   continue  frames fed: the last two are the references, the last is the anchor.
//   multi-prompt: a PromptSchedule; each new segment is anchored on the previous one's last
//             frame.
// Memory is constant per frame: only the references, the anchor and the current prompt's text
// tokens are kept. Same seed + same options + same inputs -> bit-identical frames (on the same
// machine, LibTorch build and thread count).
//
// A Session is used by one thread at a time; any number of sessions may share one
// ArtvNetworks from any threads (the networks are only read).
#pragma once

#include <ATen/core/Tensor.h>

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "artv/artv.h"
#include "diffusion/guidance.h"
#include "diffusion/sampler.h"
#include "generate/generation_size.h"

namespace artv {

class ArtvNetworks;

struct FrameProgress {
    int frame;                 // generated frames done (1-based once a frame is finished)
    int total;                 // SessionOptions::total_frames (0 = unknown)
    int step, steps;           // denoising steps done / of this frame
    double seconds_per_frame;  // wall time of the last finished frame (0 before the first)
};

// The engine's optimisations, each on by default. `artv bench` turns them off one at a time to
// measure what each is worth (docs/PERFORMANCE.md); frames are the same either way, up to
// float rounding.
struct EngineSwitches {
    bool batch_cfg = true;             // the guidance conditions in one network batch (else one call each)
    bool per_frame_conditions = true;  // text, adapter features, anchor tokens once per frame
                                       // (else again for every denoiser call)
    bool inference_mode = true;        // c10::InferenceMode (else torch::NoGradGuard alone)
};

// Unset optionals take the model config's value (config.json "sampling").
struct SessionOptions {
    FrameSize gen_size;   // {0, 0} = the default (generation_size.h)
    int max_size = 2048;  // bound on the generation size
    std::optional<int> steps;
    std::optional<SamplerKind> sampler;
    // Ancestral noise of DPM++ 2S a (unset = 1). DDIM and Euler run deterministic (eta 0).
    std::optional<double> eta;
    uint64_t seed = 0;
    std::optional<double> cfg_ref, cfg_anchor, cfg_text;  // finite, in [0, 100]
    // Text scale of a frame made from text alone (blank references: the T2V first frame);
    // unset = the model's sampling.cfg_text_t2v, else the resolved cfg_text.
    std::optional<double> cfg_text_t2v;
    // Guidance interval of frames with references: unguided below this sigma (unset = the
    // model's sampling.cfg_sigma_min; 0 = guided at every sigma).
    std::optional<double> cfg_sigma_min;
    // Guidance rescale of frames with references, in [0, 1] (unset = sampling.cfg_rescale).
    std::optional<double> cfg_rescale;
    std::optional<int> noise_aug;                          // inference level k (paper §3.3)
    bool use_mask = true;                                  // masked diffusion (paper Eq. 7)
    artv_anchor_policy anchor = ARTV_ANCHOR_PAPER;
    int total_frames = 0;  // for progress reports only
    EngineSwitches engine;

    // After every frame; with progress_steps also after every denoising step (step < steps).
    std::function<void(const FrameProgress &)> progress;
    bool progress_steps = false;
    // Polled after every denoising step; true stops the frame with ARTV_ERR_ABORTED.
    std::function<bool()> should_abort;
};

// What artv_session_get_state reports: the conditioning of the NEXT frame to generate
// (segment, prompt, anchor, references) and facts about the last one generated.
struct SessionState {
    int frames_fed = 0;
    int frames_generated = 0;
    int segment = 0;
    int anchor_frame = -1;
    int reference_frames[2] = {-1, -1};
    FrameSize gen_size;  // {0, 0} until fixed by the first fed or generated frame
    int steps = 0;
    int denoiser_calls_last_frame = 0;  // network batch entries: sampler calls x CFG terms
    std::string prompt;
    // The references' motion the next frame gets (artv.motion_embed / motion_warp; latent
    // pixels per frame, dx right, dy down): the shift between the last two fed frames, held
    // through the first prompt segment; zero otherwise and for models without those.
    float reference_motion[2] = {0.0f, 0.0f};
};

class Session {
public:
    // Resolves the options against the model's config and validates them: everything out of
    // range is an ARTV_ERR_INVALID_ARGUMENT naming the option.
    Session(std::shared_ptr<const ArtvNetworks> networks, SessionOptions options);
    ~Session();
    Session(const Session &) = delete;
    Session &operator=(const Session &) = delete;

    // One prompt for the following frames ("" = unconditional). Replaces any schedule; once
    // frames were generated, it starts a new segment (re-anchored under ARTV_ANCHOR_PAPER).
    void set_prompt(const std::string &prompt);
    // A "PROMPT:FRAMES|..." schedule (prompt_schedule.h), counted from the next generated
    // frame. Invalid text leaves the current schedule in place.
    void set_schedule(const std::string &schedule);

    // A real frame (RGB24, any size). ARTV_ERR_STATE once generation has started.
    void feed_frame(const uint8_t *rgb, int width, int height, int stride);

    // Generates the next frame into rgb (any size; resized from the generation size).
    // ARTV_ERR_ABORTED when stopped between steps, ARTV_ERR_NUMERIC on NaN/Inf: in both cases
    // nothing changed but the noise stream, and the session stays usable.
    void next_frame(uint8_t *rgb, int width, int height, int stride);
    // The same, returning the frame at the generation size, [1, 3, H, W] in [0, 1], float32.
    at::Tensor next_frame_image(FrameSize aspect_hint = {});

    // Thread-safe; the flag stays set until clear_abort().
    void abort() { abort_flag_.store(true); }
    void clear_abort() { abort_flag_.store(false); }

    SessionState state() const;
    const SessionOptions &options() const { return options_; }
    // The resolved settings (model defaults filled in).
    SamplerKind sampler() const;
    int steps() const;
    CfgScales cfg_scales() const;
    double cfg_text_t2v() const;
    double cfg_sigma_min() const;
    double cfg_rescale() const;
    int noise_aug() const;

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
    SessionOptions options_;
    std::atomic<bool> abort_flag_{false};
};

// The guidance scales actually used for a frame whose references and/or anchor are blank
// (zero latents, i.e. the dropped conditions) or whose prompt is "" (the dropped text). Then
// two conditions of Eq. 8 are the same evaluation: refs blank: eps(R,0,0) = eps(0,0,0);
// anchor blank: eps(R,A,0) = eps(R,0,0); text "": eps(R,A,T) = eps(R,A,0). The weighted sum
// (DESIGN.md) is unchanged by s_R := 1, s_A := s_R, s_T := s_A respectively (applied in that
// order), and those zero the duplicates' weights so cfg_terms() skips them: the T2V first
// frame needs 2 evaluations instead of 4.
CfgScales effective_cfg_scales(CfgScales scales, bool refs_blank, bool anchor_blank,
                               bool text_empty);

}  // namespace artv
