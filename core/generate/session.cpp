#include "generate/session.h"

#include <torch/torch.h>

#include <chrono>
#include <cmath>
#include <map>
#include <utility>

#include "diffusion/artv_denoiser.h"
#include "diffusion/noise.h"
#include "diffusion/schedule.h"
#include "generate/conditioning_frames.h"
#include "generate/frame_convert.h"
#include "generate/prompt_schedule.h"
#include "model/artv_networks.h"
#include "model/reference_motion.h"
#include "util/error.h"

namespace artv {

CfgScales effective_cfg_scales(CfgScales s, bool refs_blank, bool anchor_blank, bool text_empty) {
    if (refs_blank) s.ref = 1.0;
    if (anchor_blank) s.anchor = s.ref;
    if (text_empty) s.text = s.anchor;
    return s;
}

namespace {

double check_scale(const std::optional<double> &v, double model_default, const char *name) {
    double s = v.value_or(model_default);
    if (!std::isfinite(s) || s < 0.0 || s > 100.0)
        throw_invalid(std::string(name) + " must be a finite number in [0, 100], got " +
                      std::to_string(s));
    return s;
}

// Autograd off for generation: InferenceMode (no version counters or views tracking), or, to
// measure what that is worth, NoGradGuard alone.
class NoAutograd {
public:
    explicit NoAutograd(bool inference_mode) {
        if (inference_mode) inference_.emplace();
        else no_grad_.emplace();
    }

private:
    std::optional<c10::InferenceMode> inference_;
    std::optional<torch::NoGradGuard> no_grad_;
};

at::Tensor all_finite_or_throw(const at::Tensor &t, int frame, const char *what) {
    if (!torch::isfinite(t).all().item<bool>())
        throw_error(ARTV_ERR_NUMERIC,
                    "frame " + std::to_string(frame) + ": the " + what +
                        " contains NaN or Inf (try dtype fp32, fewer steps or lower guidance "
                        "scales); nothing was written");
    return t;
}

}  // namespace

struct Session::Impl {
    std::shared_ptr<const ArtvNetworks> nets;
    Schedule schedule;
    // Resolved options.
    SamplerKind sampler;
    int steps;
    double eta;
    CfgScales cfg;
    double cfg_text_t2v;  // replaces cfg.text when the references are blank
    double cfg_sigma_min;  // guidance interval of frames with references
    double cfg_rescale;    // guidance rescale of frames with references
    int noise_aug;
    int multiple;
    FrameSize gen_size;  // {0, 0} until fixed

    GeneratorNoise noise;
    ConditioningFrames frames;
    // Fed frames at the generation size whose encoding waits for the first next_frame (only
    // those still referenced: at most the two references and the anchor).
    std::map<int, at::Tensor> pending_pixels;

    PromptSchedule prompts = PromptSchedule::single("");
    int schedule_version = 0;     // bumped by set_prompt/set_schedule
    int schedule_origin = 0;      // generated frames before the schedule was set
    std::pair<int, int> last_segment{-1, -1};  // (version, segment) of the last generated frame

    // Text tokens of the current prompt and of "" (the dropped text): computed once, kept while
    // the prompt holds. Never more than two entries, so memory does not grow with prompts.
    std::string text_prompt;
    at::Tensor text, text_null;

    int fed = 0, generated = 0;
    int calls_last_frame = 0;
    double last_frame_seconds = 0.0;

    Impl(std::shared_ptr<const ArtvNetworks> n, const SessionOptions &o)
        : nets(std::move(n)),
          schedule(nets->config().schedule.linear_start, nets->config().schedule.linear_end,
                   nets->config().schedule.timesteps,
                   parse_prediction(nets->config().schedule.prediction)),
          noise(o.seed),
          frames(o.anchor) {}

    int segment_of_next() const { return prompts.segment_at(generated - schedule_origin); }

    // Whether the next generated frame starts a segment after the first.
    bool next_starts_segment() const {
        return generated > 0 && last_segment != std::make_pair(schedule_version, segment_of_next());
    }

    void fix_gen_size(FrameSize aspect, const SessionOptions &o) {
        if (gen_size.width > 0) return;
        if (o.gen_size.width > 0) {
            gen_size = o.gen_size;
        } else {
            gen_size = default_generation_size(aspect, nets->config().sampling.native_short_side,
                                               multiple, o.max_size);
        }
    }

    const at::Tensor &text_for(const std::string &prompt) {
        if (!text_null.defined()) text_null = nets->encode_text({""});
        if (prompt.empty()) return text_null;
        if (!text.defined() || text_prompt != prompt) {
            text = nets->encode_text({prompt});
            text_prompt = prompt;
        }
        return text;
    }

    // Encodes the fed frames still waiting, in one batch (the VAE posterior mean).
    void encode_pending() {
        std::vector<int> indices;
        std::vector<at::Tensor> images;
        for (const auto &[index, image] : pending_pixels) {
            if (!frames.needs_latent(index)) continue;
            indices.push_back(index);
            images.push_back(image);
        }
        pending_pixels.clear();
        if (indices.empty()) return;
        at::Tensor latents = nets->encode_frames(torch::cat(images, 0)).to(torch::kFloat32);
        for (size_t i = 0; i < indices.size(); ++i)
            frames.fill_latent(indices[i], latents.narrow(0, static_cast<int64_t>(i), 1));
    }

    void drop_unreferenced_pixels() {
        for (auto it = pending_pixels.begin(); it != pending_pixels.end();)
            it = frames.needs_latent(it->first) ? std::next(it) : pending_pixels.erase(it);
    }

    at::Tensor latent_zeros() const {
        const int ds = nets->config().latent.downsample;
        return torch::zeros({1, nets->config().latent.channels, gen_size.height / ds,
                             gen_size.width / ds},
                            torch::TensorOptions().device(nets->device()).dtype(torch::kFloat32));
    }

    // The shown motion (artv.motion_embed / motion_warp): measured between the last two fed
    // frames and held, not measured again on generated frames. Generated frames jump from the
    // fed ones and are too blurred for phase correlation (peaks 0.1-0.5 against 0.98 between
    // fed frames, docs/MODEL.md "Stage 12"), and a motion read off them feeds its errors back.
    // Held while the first prompt segment lasts: a new prompt may ask for another motion.
    Frame last_fed_picture;
    at::Tensor shown_motion = torch::zeros({2});
    int motion_version = -1;  // schedule_version of the first generated frame

    void measure_fed_motion(const at::Tensor &image) {
        if (!nets->config().artv.uses_reference_motion()) return;
        Frame picture(gen_size.width, gen_size.height);
        image_to_rgb24(image, picture.rgb.data(), picture.width, picture.height,
                       static_cast<int>(picture.stride()));
        shown_motion = last_fed_picture.empty()
                           ? torch::zeros({2})
                           : reference_motion(last_fed_picture, picture, nets->config().latent.downsample);
        last_fed_picture = std::move(picture);
    }

    // [2] on the CPU: the motion the next frame is conditioned on.
    at::Tensor motion_of_next() const {
        const bool held = (generated == 0 || schedule_version == motion_version) && segment_of_next() == 0;
        return held ? shown_motion : torch::zeros({2});
    }

    at::Tensor augmented(const FrameSlot &slot, const at::Tensor &zeros) {
        if (slot.blank()) return zeros;  // the dropped condition: exactly zero, not noised
        return noise_augment(schedule, slot.latent, noise_aug, noise);
    }
};

Session::Session(std::shared_ptr<const ArtvNetworks> networks, SessionOptions options)
    : options_(std::move(options)) {
    if (!networks) throw_invalid("session needs a model");
    const ModelConfig &config = networks->config();
    const SamplingConfig &d = config.sampling;
    auto impl = std::make_unique<Impl>(networks, options_);

    impl->multiple = config.size_multiple();
    check_max_size(options_.max_size, impl->multiple);
    const FrameSize &g = options_.gen_size;
    if (g.width != 0 || g.height != 0) check_generation_size(g, impl->multiple, options_.max_size);

    impl->sampler = options_.sampler.value_or(parse_sampler(d.sampler));
    impl->steps = options_.steps.value_or(d.steps);
    if (impl->steps < 1 || impl->steps > config.schedule.timesteps)
        throw_invalid("steps must be in [1, " + std::to_string(config.schedule.timesteps) +
                      "], got " + std::to_string(impl->steps));
    impl->eta = options_.eta.value_or(1.0);
    if (!std::isfinite(impl->eta) || impl->eta < 0.0 || impl->eta > 1.0)
        throw_invalid("eta must be in [0, 1], got " + std::to_string(impl->eta));
    impl->cfg.ref = check_scale(options_.cfg_ref, d.cfg_ref, "cfg_ref");
    impl->cfg.anchor = check_scale(options_.cfg_anchor, d.cfg_anchor, "cfg_anchor");
    impl->cfg.text = check_scale(options_.cfg_text, d.cfg_text, "cfg_text");
    impl->cfg_text_t2v =
        check_scale(options_.cfg_text_t2v, d.cfg_text_t2v.value_or(impl->cfg.text), "cfg_text_t2v");
    impl->cfg_sigma_min = options_.cfg_sigma_min.value_or(d.cfg_sigma_min);
    if (!std::isfinite(impl->cfg_sigma_min) || impl->cfg_sigma_min < 0.0)
        throw_invalid("cfg_sigma_min must be finite and >= 0, got " +
                      std::to_string(impl->cfg_sigma_min));
    impl->cfg_rescale = options_.cfg_rescale.value_or(d.cfg_rescale);
    if (!(impl->cfg_rescale >= 0.0 && impl->cfg_rescale <= 1.0))
        throw_invalid("cfg_rescale must be in [0, 1], got " + std::to_string(impl->cfg_rescale));
    impl->noise_aug = options_.noise_aug.value_or(d.noise_aug);
    if (impl->noise_aug < 0 || impl->noise_aug >= config.schedule.timesteps)
        throw_invalid("noise_aug must be in [0, " + std::to_string(config.schedule.timesteps - 1) +
                      "], got " + std::to_string(impl->noise_aug));
    switch (options_.anchor) {
    case ARTV_ANCHOR_PAPER: case ARTV_ANCHOR_FIRST: case ARTV_ANCHOR_NONE: break;
    default: throw_invalid("anchor policy " + std::to_string(int(options_.anchor)) +
                           " is not one of paper (0), first (1), none (2)");
    }
    if (options_.total_frames < 0)
        throw_invalid("total_frames must be >= 0, got " + std::to_string(options_.total_frames));
    impl_ = std::move(impl);
}

Session::~Session() = default;

SamplerKind Session::sampler() const { return impl_->sampler; }
int Session::steps() const { return impl_->steps; }
CfgScales Session::cfg_scales() const { return impl_->cfg; }
double Session::cfg_text_t2v() const { return impl_->cfg_text_t2v; }
double Session::cfg_sigma_min() const { return impl_->cfg_sigma_min; }
double Session::cfg_rescale() const { return impl_->cfg_rescale; }
int Session::noise_aug() const { return impl_->noise_aug; }

void Session::set_prompt(const std::string &prompt) {
    impl_->prompts = PromptSchedule::single(prompt);
    ++impl_->schedule_version;
    impl_->schedule_origin = impl_->generated;
}

void Session::set_schedule(const std::string &schedule) {
    impl_->prompts = PromptSchedule::parse(schedule);  // throws before anything changes
    ++impl_->schedule_version;
    impl_->schedule_origin = impl_->generated;
}

void Session::feed_frame(const uint8_t *rgb, int width, int height, int stride) {
    Impl &m = *impl_;
    if (m.generated > 0)
        throw_error(ARTV_ERR_STATE, "frames can only be fed before the first generated frame (" +
                                        std::to_string(m.generated) + " generated so far)");
    check_rgb24(rgb, width, height, stride, "fed frame");
    NoAutograd no_autograd(options_.engine.inference_mode);
    m.fix_gen_size({width, height}, options_);
    at::Tensor image = rgb24_to_image(rgb, width, height, stride, m.gen_size.width,
                                      m.gen_size.height, m.nets->device(), m.nets->dtype());
    const int index = m.fed++;
    m.pending_pixels[index] = image;
    m.frames.push(index, at::Tensor());
    m.measure_fed_motion(image);
    m.drop_unreferenced_pixels();
}

void Session::next_frame(uint8_t *rgb, int width, int height, int stride) {
    check_rgb24(rgb, width, height, stride, "output frame");
    NoAutograd no_autograd(options_.engine.inference_mode);
    at::Tensor image = next_frame_image({width, height});
    image_to_rgb24(image, rgb, width, height, stride);
}

at::Tensor Session::next_frame_image(FrameSize aspect_hint) {
    Impl &m = *impl_;
    const int frame_index = m.fed + m.generated;  // session index of the frame to make
    if (abort_flag_.load())
        throw_error(ARTV_ERR_ABORTED, "aborted before frame " + std::to_string(frame_index) +
                                          " (clear the abort flag to continue)");
    const auto start = std::chrono::steady_clock::now();
    at::Tensor image;
    {
        NoAutograd no_autograd(options_.engine.inference_mode);
        const ArtvNetworks &nets = *m.nets;
        m.fix_gen_size(aspect_hint, options_);
        m.encode_pending();

        // Conditioning of this frame; committed to m.frames only when the frame succeeds.
        const int segment = m.segment_of_next();
        ConditioningFrames cond = m.frames.peek(m.generated == 0, m.next_starts_segment());
        const std::string &prompt = m.prompts.segments()[segment].prompt;
        const bool refs_blank = cond.reference(1).blank();
        const bool anchor_blank = cond.anchor().blank();
        // A frame from text alone has its own text scale: nothing it is guided by is carried
        // into it from an earlier guided frame, so guidance there cannot compound (EVAL.md).
        CfgScales scales = m.cfg;
        if (refs_blank) scales.text = m.cfg_text_t2v;
        const auto terms =
            cfg_terms(effective_cfg_scales(scales, refs_blank, anchor_blank, prompt.empty()));

        // Per-frame invariants, once per frame (DESIGN.md): noise-augmented references and
        // anchor (paper §3.3), text tokens, then the networks' prepared conditions for the
        // guidance batch, one row per needed condition (Eq. 8; dropped = zeros / "").
        const at::Tensor zeros = m.latent_zeros();
        const at::Tensor refs_aug = torch::cat({m.augmented(cond.reference(0), zeros),
                                                m.augmented(cond.reference(1), zeros)}, 1);
        const at::Tensor anchor_aug = m.augmented(cond.anchor(), zeros);
        const at::Tensor refs_null = torch::zeros_like(refs_aug);
        const at::Tensor motion = m.motion_of_next().unsqueeze(0).to(nets.device());
        const at::Tensor motion_null = torch::zeros_like(motion);
        const EngineSwitches &engine = options_.engine;
        const auto dtype = nets.dtype();
        const auto row_count = static_cast<int64_t>(terms.size());
        // The networks' per-frame conditions, batched in the order of `terms` (or one entry per
        // term when the guidance batch is split). fresh_text: encode the prompt again.
        auto prepare = [&](bool fresh_text) {
            const at::Tensor text = fresh_text ? nets.encode_text({prompt}) : m.text_for(prompt);
            const at::Tensor text_null = fresh_text ? nets.encode_text({""}) : m.text_for("");
            std::vector<at::Tensor> refs_rows, motion_rows, anchor_rows, text_rows;
            for (const auto &term : terms) {
                refs_rows.push_back(cond_has_ref(term.first) ? refs_aug : refs_null);
                motion_rows.push_back(cond_has_ref(term.first) ? motion : motion_null);
                anchor_rows.push_back(cond_has_anchor(term.first) ? anchor_aug : zeros);
                text_rows.push_back(cond_has_text(term.first) ? text : text_null);
            }
            FrameConditions fc;
            fc.refs = torch::cat(refs_rows, 0).to(dtype);
            fc.anchor = torch::cat(anchor_rows, 0).to(dtype);
            fc.text = torch::cat(text_rows, 0);
            fc.motion = torch::cat(motion_rows, 0);
            fc.noise_level = torch::full({row_count}, static_cast<double>(m.noise_aug),
                                         torch::TensorOptions().device(nets.device()).dtype(torch::kFloat32));
            const PreparedConditions all = nets.prepare(fc);
            if (engine.batch_cfg) return std::vector<PreparedConditions>{all};
            std::vector<PreparedConditions> rows;
            for (int64_t j = 0; j < row_count; ++j)
                rows.push_back(all.select(torch::full({1}, j, torch::TensorOptions().device(nets.device()).dtype(torch::kLong))));
            return rows;
        };
        std::vector<PreparedConditions> prepared;
        if (engine.per_frame_conditions) prepared = prepare(false);

        // The sampler works in fp32 whatever the networks' dtype: its updates are small
        // differences of large numbers.
        const bool use_mask = options_.use_mask;
        auto run_networks = [&nets, use_mask, dtype](const at::Tensor &x_in, const at::Tensor &t,
                                                     const PreparedConditions &cond) {
            const at::Tensor x = x_in.to(dtype);
            EpsEval ev;
            ev.eps = nets.eps(x, t, cond).to(torch::kFloat32);
            if (use_mask) ev.mask = nets.mask(x, t, cond).to(torch::kFloat32);
            return ev;
        };
        int64_t rows_evaluated = 0;  // network batch entries of this frame
        EpsFn eps_fn = [&](const at::Tensor &x_in, const at::Tensor &t, size_t first_term) {
            rows_evaluated += x_in.size(0);
            const std::vector<PreparedConditions> fresh =
                engine.per_frame_conditions ? std::vector<PreparedConditions>{} : prepare(true);
            const std::vector<PreparedConditions> &conds = engine.per_frame_conditions ? prepared : fresh;
            if (conds.size() == 1) {
                if (first_term == 0) return run_networks(x_in, t, conds[0]);
                // Below the guidance interval: the last condition's row alone.
                const auto last = torch::full({1}, row_count - 1, torch::TensorOptions().device(nets.device()).dtype(torch::kLong));
                return run_networks(x_in, t, conds[0].select(last));
            }
            // One network call per guidance condition: rows [j*n, (j+1)*n) of x_in.
            const size_t used = conds.size() - first_term;
            const int64_t n = x_in.size(0) / static_cast<int64_t>(used);
            std::vector<at::Tensor> eps, masks;
            for (size_t j = 0; j < used; ++j) {
                const int64_t first = static_cast<int64_t>(j) * n;
                EpsEval ev = run_networks(x_in.narrow(0, first, n), t.narrow(0, first, n), conds[first_term + j]);
                eps.push_back(ev.eps);
                if (ev.mask.defined()) masks.push_back(ev.mask);
            }
            EpsEval ev;
            ev.eps = torch::cat(eps, 0);
            if (!masks.empty()) ev.mask = torch::cat(masks, 0);
            return ev;
        };
        // MDM's x_ref: the clean previous-frame latent (zero when blank, DESIGN.md), moved on
        // by the references' motion under artv.motion_warp.
        const at::Tensor x_ref = refs_blank ? zeros : nets.warp_reference(cond.reference(1).latent, motion);
        // quantize_t: the networks were trained at integer timesteps (SGM DiscreteDenoiser).
        // The guidance interval and rescale apply to frames with references, where guidance
        // compounds; a frame from text alone is guided plainly (cfg_text_t2v).
        Denoiser denoiser = make_artv_denoiser(m.schedule, eps_fn, terms, x_ref, use_mask, true,
                                               nullptr, refs_blank ? 0.0 : m.cfg_sigma_min,
                                               refs_blank ? 0.0 : m.cfg_rescale);

        SamplerOptions so;
        if (m.sampler == SamplerKind::DpmPP2SAncestral) so.eta = m.eta;
        so.on_step = [this, &m](int step, int steps) {
            if (options_.progress && options_.progress_steps && step < steps)
                options_.progress({m.generated, options_.total_frames, step, steps,
                                   m.last_frame_seconds});
            return !(abort_flag_.load() || (options_.should_abort && options_.should_abort()));
        };
        const std::vector<double> sigmas = m.schedule.sigmas(m.steps);
        const at::Tensor x0 = initial_latent(zeros.sizes(), zeros.options(), sigmas.front(), m.noise);
        const at::Tensor z = sample(m.sampler, denoiser, sigmas, x0, m.noise, so);
        all_finite_or_throw(z, frame_index, "sampled latent");
        image = all_finite_or_throw(nets.decode_latents(z.to(dtype)).to(torch::kFloat32),
                                    frame_index, "decoded frame");

        // Commit: the new frame becomes x_{t-1}. Its reference latent is the sampled latent
        // itself (the sampler's x0 estimate at sigma 0), not a re-encoding of the decoded
        // frame: that saves one VAE encoder pass per frame and keeps the VAE's decode/encode
        // round-trip error out of the auto-regressive loop, where it would accumulate.
        cond.push(frame_index, z);
        if (m.generated == 0) m.motion_version = m.schedule_version;
        m.frames = std::move(cond);
        m.last_segment = {m.schedule_version, segment};
        ++m.generated;
        m.calls_last_frame = static_cast<int>(rows_evaluated);
    }
    m.last_frame_seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    if (options_.progress)
        options_.progress({m.generated, options_.total_frames, m.steps, m.steps,
                           m.last_frame_seconds});
    return image.clone();  // a normal tensor, usable outside InferenceMode
}

SessionState Session::state() const {
    const Impl &m = *impl_;
    SessionState s;
    s.frames_fed = m.fed;
    s.frames_generated = m.generated;
    s.segment = m.segment_of_next();
    ConditioningFrames next = m.frames.peek(m.generated == 0, m.next_starts_segment());
    s.anchor_frame = next.anchor().index;
    s.reference_frames[0] = next.reference(0).index;
    s.reference_frames[1] = next.reference(1).index;
    s.gen_size = m.gen_size;
    s.steps = m.steps;
    s.denoiser_calls_last_frame = m.calls_last_frame;
    s.prompt = m.prompts.segments()[s.segment].prompt;
    const at::Tensor motion = m.motion_of_next();
    s.reference_motion[0] = motion[0].item<float>();
    s.reference_motion[1] = motion[1].item<float>();
    return s;
}

}  // namespace artv
