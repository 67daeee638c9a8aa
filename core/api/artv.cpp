// The implementation of the public C API, core/include/artv/artv.h: the only file that exports
// symbols. Each exported function is a thin shell around the C++ core, its body run through
// api_guard (guard.h), the single place where exceptions become status codes.
#include "config.h"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <string>
#include <string_view>

#include "api/guard.h"
#include "artv/artv.h"
#include "generate/model_loader.h"
#include "generate/session.h"
#include "model/artv_networks.h"
#include "util/device.h"

#define ARTV_STR2(x) #x
#define ARTV_STR(x) ARTV_STR2(x)
#define ARTV_VERSION_STRING                                                                       \
    ARTV_STR(ARTV_VERSION_MAJOR) "." ARTV_STR(ARTV_VERSION_MINOR) "." ARTV_STR(ARTV_VERSION_PATCH)
static_assert(std::string_view(ARTV_VERSION_STRING) == PACKAGE_VERSION,
              "artv.h's ARTV_VERSION_* and configure.ac's AC_INIT version disagree");

namespace {
thread_local std::string last_error;
} // namespace

void artv::set_last_error(const std::string &message) { last_error = message; }

extern "C" {

const char *artv_version(void) { return ARTV_VERSION_STRING; }

int artv_abi_version(void) { return ARTV_ABI_VERSION; }

const char *artv_status_string(artv_status status) {
    switch (status) {
    case ARTV_OK: return "success";
    case ARTV_ERR_INVALID_ARGUMENT: return "invalid argument";
    case ARTV_ERR_IO: return "input/output error";
    case ARTV_ERR_FORMAT: return "malformed file";
    case ARTV_ERR_MODEL: return "model mismatch";
    case ARTV_ERR_DEVICE: return "device or dtype not available";
    case ARTV_ERR_OUT_OF_MEMORY: return "out of memory";
    case ARTV_ERR_ABORTED: return "aborted";
    case ARTV_ERR_NUMERIC: return "numeric error (NaN or Inf)";
    case ARTV_ERR_STATE: return "invalid state";
    case ARTV_ERR_INTERNAL: return "internal error";
    }
    return "unknown status";
}

const char *artv_last_error(void) { return last_error.c_str(); }

artv_model_params artv_model_default_params(void) {
    artv_model_params p{};
    p.device = "auto";
    p.dtype = "auto";
    p.threads = 0;
    return p;
}

artv_session_params artv_session_default_params(void) {
    artv_session_params p{};
    p.gen_width = 0;
    p.gen_height = 0;
    p.max_size = 2048;
    p.steps = 0;
    p.sampler = ARTV_SAMPLER_DEFAULT;
    p.eta = 1.0f;
    p.seed = 0;
    p.cfg_ref = p.cfg_anchor = p.cfg_text = p.cfg_text_t2v = NAN;
    p.noise_aug = -1;
    p.use_mask = 1;
    p.anchor = ARTV_ANCHOR_PAPER;
    p.total_frames = 0;
    p.progress = nullptr;
    p.progress_user = nullptr;
    p.abort = nullptr;
    p.abort_user = nullptr;
    return p;
}

const char *artv_default_model_path(void) {
    // A per-thread copy: the environment may change after we return.
    thread_local std::string path;
    const char *env = std::getenv("ARTV_MODEL_PATH");
    path = (env && *env) ? env : ARTV_INSTALLED_MODEL_DIR;
    return path.c_str();
}

// ---------------------------------------------------------------------------------------------
// Model and session functions: thin shells over generate/model_loader.h and generate/session.h.
// Each body runs inside api_guard([&] { ... }).

} // extern "C"

struct artv_model {
    std::shared_ptr<const artv::ArtvNetworks> networks;
    std::string device, dtype;
};

struct artv_session {
    std::unique_ptr<artv::Session> session;
};

namespace {

template <class T>
void require_non_null(const T *p, const char *what) {
    if (!p) artv::throw_invalid(std::string(what) + " is NULL");
}

// Copies a C string into a fixed field, cut at a UTF-8 character boundary.
template <size_t N>
void copy_text(char (&dst)[N], const std::string &src) {
    size_t n = std::min(src.size(), N - 1);
    while (n > 0 && n < src.size() && (static_cast<unsigned char>(src[n]) & 0xC0) == 0x80) --n;
    std::memcpy(dst, src.data(), n);
    dst[n] = '\0';
}

// The int a C caller stored in an enum field. Reading a value outside the enumerators' range
// through the enum type is undefined behaviour in C++ (UBSan: "not a valid value for type"), so
// the field is read as the int it is.
template <class E> int enum_field(const E &field) {
    static_assert(sizeof(E) == sizeof(int), "a C enum of this API is an int");
    int value;
    std::memcpy(&value, &field, sizeof value);
    return value;
}

artv::SessionOptions session_options(const artv_session_params &p) {
    artv::SessionOptions o;
    if ((p.gen_width == 0) != (p.gen_height == 0))
        artv::throw_invalid("gen_width and gen_height: give both (" + std::to_string(p.gen_width) +
                            "x" + std::to_string(p.gen_height) + ") or neither (0x0 = default)");
    o.gen_size = {p.gen_width, p.gen_height};
    o.max_size = p.max_size;
    if (p.steps != 0) o.steps = p.steps;  // 0 = model default; negatives fail in Session
    switch (const int sampler = enum_field(p.sampler)) {
    case ARTV_SAMPLER_DEFAULT: break;
    case ARTV_SAMPLER_DPMPP_2S_ANCESTRAL: o.sampler = artv::SamplerKind::DpmPP2SAncestral; break;
    case ARTV_SAMPLER_DDIM: o.sampler = artv::SamplerKind::Ddim; break;
    case ARTV_SAMPLER_EULER: o.sampler = artv::SamplerKind::Euler; break;
    default:
        artv::throw_invalid("sampler " + std::to_string(sampler) +
                            " is not an artv_sampler value (0..3)");
    }
    o.eta = p.eta;
    o.seed = p.seed;
    // NAN = the model's default; any other non-finite value is rejected by Session.
    if (!std::isnan(p.cfg_ref)) o.cfg_ref = p.cfg_ref;
    if (!std::isnan(p.cfg_anchor)) o.cfg_anchor = p.cfg_anchor;
    if (!std::isnan(p.cfg_text)) o.cfg_text = p.cfg_text;
    if (!std::isnan(p.cfg_text_t2v)) o.cfg_text_t2v = p.cfg_text_t2v;
    if (p.noise_aug != -1) o.noise_aug = p.noise_aug;
    o.use_mask = p.use_mask != 0;
    const int anchor = enum_field(p.anchor);
    if (anchor < ARTV_ANCHOR_PAPER || anchor > ARTV_ANCHOR_NONE)
        artv::throw_invalid("anchor policy " + std::to_string(anchor) +
                            " is not an artv_anchor_policy value (0..2)");
    o.anchor = static_cast<artv_anchor_policy>(anchor);
    o.total_frames = p.total_frames;
    if (p.progress) {
        artv_progress_callback cb = p.progress;
        void *user = p.progress_user;
        o.progress = [cb, user](const artv::FrameProgress &f) {
            cb(f.frame, f.total, f.step, f.steps, f.seconds_per_frame, user);
        };
        o.progress_steps = p.progress_steps != 0;
    }
    if (p.abort) {
        artv_abort_callback cb = p.abort;
        void *user = p.abort_user;
        o.should_abort = [cb, user] { return cb(user) != 0; };
    }
    return o;
}

}  // namespace

extern "C" {

artv_status artv_model_open(const char *path, const artv_model_params *params, artv_model **out) {
    return artv::api_guard([&] {
        require_non_null(out, "artv_model_open: out");
        *out = nullptr;
        const artv_model_params p = params ? *params : artv_model_default_params();
        artv::ModelOpenOptions o;
        o.device = p.device ? p.device : "auto";
        o.dtype = p.dtype ? p.dtype : "auto";
        o.threads = p.threads;
        const std::string dir = (path && *path) ? path : artv_default_model_path();
        auto model = std::make_unique<artv_model>();
        model->networks = artv::open_model(dir, o);
        model->device = artv::device_name(model->networks->device());
        model->dtype = artv::dtype_name(model->networks->dtype());
        *out = model.release();
    });
}

void artv_model_close(artv_model *model) { delete model; }

artv_status artv_model_get_info(const artv_model *model, artv_model_info *info) {
    return artv::api_guard([&] {
        require_non_null(model, "artv_model_get_info: model");
        require_non_null(info, "artv_model_get_info: info");
        const artv::ModelConfig &c = model->networks->config();
        artv_model_info i{};
        copy_text(i.name, c.name);
        i.native_short_side = c.sampling.native_short_side;
        i.size_multiple = c.size_multiple();
        i.fps = c.sampling.fps;
        i.default_steps = c.sampling.steps;
        copy_text(i.default_sampler, c.sampling.sampler);
        i.default_cfg_ref = static_cast<float>(c.sampling.cfg_ref);
        i.default_cfg_anchor = static_cast<float>(c.sampling.cfg_anchor);
        i.default_cfg_text = static_cast<float>(c.sampling.cfg_text);
        i.default_noise_aug = c.sampling.noise_aug;
        i.default_cfg_text_t2v =
            static_cast<float>(c.sampling.cfg_text_t2v.value_or(c.sampling.cfg_text));
        copy_text(i.device, model->device);
        copy_text(i.dtype, model->dtype);
        i.parameters = model->networks->parameter_count();
        *info = i;
    });
}

artv_status artv_session_new(artv_model *model, const artv_session_params *params,
                             artv_session **out) {
    return artv::api_guard([&] {
        require_non_null(out, "artv_session_new: out");
        *out = nullptr;
        require_non_null(model, "artv_session_new: model");
        const artv_session_params p = params ? *params : artv_session_default_params();
        auto session = std::make_unique<artv_session>();
        session->session = std::make_unique<artv::Session>(model->networks, session_options(p));
        *out = session.release();
    });
}

void artv_session_free(artv_session *session) { delete session; }

artv_status artv_session_set_prompt(artv_session *session, const char *prompt) {
    return artv::api_guard([&] {
        require_non_null(session, "artv_session_set_prompt: session");
        require_non_null(prompt, "artv_session_set_prompt: prompt");
        session->session->set_prompt(prompt);
    });
}

artv_status artv_session_set_schedule(artv_session *session, const char *schedule) {
    return artv::api_guard([&] {
        require_non_null(session, "artv_session_set_schedule: session");
        require_non_null(schedule, "artv_session_set_schedule: schedule");
        session->session->set_schedule(schedule);
    });
}

artv_status artv_session_feed_frame(artv_session *session, const uint8_t *rgb, int width,
                                    int height, int stride) {
    return artv::api_guard([&] {
        require_non_null(session, "artv_session_feed_frame: session");
        session->session->feed_frame(rgb, width, height, stride);
    });
}

artv_status artv_session_next_frame(artv_session *session, uint8_t *rgb, int width, int height,
                                    int stride) {
    return artv::api_guard([&] {
        require_non_null(session, "artv_session_next_frame: session");
        session->session->next_frame(rgb, width, height, stride);
    });
}

void artv_session_abort(artv_session *session) {
    if (session) session->session->abort();
}

void artv_session_clear_abort(artv_session *session) {
    if (session) session->session->clear_abort();
}

artv_status artv_session_get_state(const artv_session *session, artv_session_state *state) {
    return artv::api_guard([&] {
        require_non_null(session, "artv_session_get_state: session");
        require_non_null(state, "artv_session_get_state: state");
        const artv::SessionState s = session->session->state();
        artv_session_state out{};
        out.frames_fed = s.frames_fed;
        out.frames_generated = s.frames_generated;
        out.segment = s.segment;
        out.anchor_frame = s.anchor_frame;
        out.reference_frames[0] = s.reference_frames[0];
        out.reference_frames[1] = s.reference_frames[1];
        out.gen_width = s.gen_size.width;
        out.gen_height = s.gen_size.height;
        out.steps = s.steps;
        out.denoiser_calls_last_frame = s.denoiser_calls_last_frame;
        copy_text(out.prompt, s.prompt);
        *state = out;
    });
}

} // extern "C"
