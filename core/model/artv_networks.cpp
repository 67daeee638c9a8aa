#include "model/artv_networks.h"

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <mutex>

#include <ATen/CPUGeneratorImpl.h>
#include <torch/cuda.h>
#include <torch/nn/module.h>

#include "io/safetensors.h"
#include "io/tensor_io.h"
#include "io/tokenizer.h"
#include "model/reference_motion.h"
#include "model/text_encoder.h"
#include "model/unet.h"
#include "model/vae.h"
#include "nn/attention.h"
#include "util/error.h"

namespace artv {

namespace fs = std::filesystem;

namespace {

void check_device(torch::Device device, torch::ScalarType dtype) {
    if (device.is_cuda() && !torch::cuda::is_available())
        throw_error(ARTV_ERR_DEVICE, "device " + device.str() +
                                         " requested, but no CUDA device is usable here (no GPU, no "
                                         "driver, or a LibTorch built without CUDA)");
    if (device.is_cuda() && device.has_index() && device.index() >= static_cast<int>(torch::cuda::device_count()))
        throw_error(ARTV_ERR_DEVICE, "device " + device.str() + " requested, but only " +
                                         std::to_string(torch::cuda::device_count()) + " CUDA device(s) exist");
    if (!device.is_cpu() && !device.is_cuda())
        throw_error(ARTV_ERR_DEVICE, "device " + device.str() + " is not supported (cpu or cuda)");
    if (dtype != torch::kFloat32 && dtype != torch::kBFloat16 && dtype != torch::kFloat16)
        throw_error(ARTV_ERR_DEVICE, std::string("dtype ") + c10::toString(dtype) +
                                         " is not supported (fp32, bf16, fp16)");
    if (dtype == torch::kFloat16 && device.is_cpu())
        throw_error(ARTV_ERR_DEVICE, "fp16 needs a CUDA device; use fp32 or bf16 on the CPU");
}

void check_tensor(const torch::Tensor &t, const char *what, int64_t dims, int64_t batch) {
    if (!t.defined()) throw_invalid(std::string("frame conditions: ") + what + " is missing");
    if (t.dim() != dims || t.size(0) != batch)
        throw_invalid(std::string("frame conditions: ") + what + " has shape " + c10::str(t.sizes()) +
                      ", expected " + std::to_string(dims) + " dimensions and batch " + std::to_string(batch));
}

// Builds modules from `seed` (LibTorch's initialisers draw from the default CPU generator),
// then puts that generator's state back, so callers' random sequences are not disturbed. Not
// safe against other threads drawing from the default generator meanwhile (its mutex cannot be
// held here: every draw takes it).
template <class F>
void with_seed(uint64_t seed, F &&build) {
    auto gen = at::detail::getDefaultCPUGenerator();
    torch::Tensor state;
    {
        std::lock_guard<std::mutex> lock(gen.mutex());
        state = gen.get_state();
        gen.set_current_seed(seed);
    }
    try {
        build();
    } catch (...) {
        std::lock_guard<std::mutex> lock(gen.mutex());
        gen.set_state(state);
        throw;
    }
    std::lock_guard<std::mutex> lock(gen.mutex());
    gen.set_state(state);
}

void write_text_file(const std::string &path, const std::string &text) {
    const std::string tmp = path + ".tmp";
    {
        std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
        out << text;
        out.close();
        if (!out) throw_io("cannot write " + tmp);
    }
    std::error_code ec;
    fs::rename(tmp, path, ec);
    if (ec) throw_io("cannot rename " + tmp + " to " + path + ": " + ec.message());
}

std::string approx_count(double n) {
    char text[32];
    std::snprintf(text, sizeof text, "%.3g", n);
    return text;
}

} // namespace

PreparedConditions PreparedConditions::select(const torch::Tensor &index) const {
    auto pick = [&](const torch::Tensor &t) {
        return t.defined() ? t.index_select(0, index.to(t.device(), torch::kLong)) : t;
    };
    auto pick_net = [&](const NetConditions &n) {
        NetConditions o;
        for (const auto &f : n.adapter_features) o.adapter_features.push_back(pick(f));
        for (const auto &kv : n.context_kv)
            o.context_kv.push_back({pick(kv.k), pick(kv.v), pick(kv.anchor_k), pick(kv.anchor_v)});
        o.extra_emb = pick(n.extra_emb);
        return o;
    };
    PreparedConditions out;
    out.eps = pick_net(eps);
    out.mask = pick_net(mask);
    out.batch = index.numel();
    return out;
}

double minimum_parameters(const ModelConfig &c) {
    double n = 0;
    // A residual block ends in a 3x3 convolution from and to its level's channels: num_res_blocks
    // blocks per level on the way down, num_res_blocks + 1 on the way up (U-Net and VAE alike).
    auto level_convs = [&n](double channels, int num_res_blocks) {
        n += (2.0 * num_res_blocks + 1) * 9 * channels * channels;
    };
    for (const UNetConfig *u : {&c.unet, &c.mask})
        for (int l = 0; l < u->levels(); ++l) level_convs(u->level_channels(l), u->num_res_blocks);
    for (int mult : c.vae.ch_mult) level_convs(double(c.vae.ch) * mult, c.vae.num_res_blocks);
    // Token embedding, then per layer attention (4 w^2) and the 4x MLP (8 w^2).
    const double w = c.text.width;
    n += double(c.text.vocab_size) * w + 12.0 * c.text.layers * w * w;
    return n;
}

ArtvNetworks::ArtvNetworks(ModelConfig config) : config_(std::move(config)) {
    root_ = std::make_shared<torch::nn::Module>("ArtvNetworks");
    unet_ = root_->register_module("unet", std::make_shared<UNetModel>(config_.unet, config_.artv));
    mask_ = root_->register_module("mask", std::make_shared<UNetModel>(config_.mask, config_.artv));
    vae_ = root_->register_module("vae", std::make_shared<AutoencoderKL>(config_.vae));
    text_ = root_->register_module("text", std::make_shared<TextEncoder>(config_.text));
}

ArtvNetworks::~ArtvNetworks() = default;

std::shared_ptr<ArtvNetworks> ArtvNetworks::load(const std::string &model_dir, torch::Device device,
                                                 torch::ScalarType dtype) {
    check_device(device, dtype);
    const fs::path dir(model_dir);
    if (!fs::is_directory(dir)) throw_io("model directory " + model_dir + " does not exist");
    ModelConfig config = load_model_config((dir / "config.json").string());
    std::shared_ptr<ArtvNetworks> nets;
    {
        auto file = SafeTensorsFile::open((dir / config.files.weights).string());
        double held = 0;
        for (const auto &t : file.tensors()) held += double(t.numel());
        if (const double needed = minimum_parameters(config); needed > held)
            throw_model((dir / "config.json").string() + " describes networks of at least " +
                        approx_count(needed) + " parameters, but " + file.path() + " holds " +
                        approx_count(held) + ": not built");
        nets.reset(new ArtvNetworks(config));
        torch::NoGradGuard no_grad;
        load_parameters(*nets->root_, file); // one error listing every mismatch
    }
    auto tokenizer_path = (dir / config.files.tokenizer).string();
    auto tokenizer = std::make_shared<Tokenizer>(Tokenizer::load(tokenizer_path, config.text.context_length));
    if (tokenizer->vocab_size() > config.text.vocab_size)
        throw_model("tokenizer " + tokenizer_path + " has " + std::to_string(tokenizer->vocab_size()) +
                    " pieces, more than the text encoder's vocab_size " +
                    std::to_string(config.text.vocab_size) + " in " + (dir / "config.json").string());
    nets->tokenizer_ = tokenizer;
    nets->to(device, dtype);
    nets->root_->eval();
    return nets;
}

std::shared_ptr<ArtvNetworks> ArtvNetworks::create_random(const ModelConfig &config, uint64_t seed,
                                                          torch::Device device, torch::ScalarType dtype,
                                                          const std::string &tokenizer_path) {
    check_device(device, dtype);
    std::shared_ptr<ArtvNetworks> nets;
    with_seed(seed, [&] { nets.reset(new ArtvNetworks(config)); });
    if (!tokenizer_path.empty()) {
        auto tokenizer = std::make_shared<Tokenizer>(Tokenizer::load(tokenizer_path, config.text.context_length));
        if (tokenizer->vocab_size() > config.text.vocab_size)
            throw_model("tokenizer " + tokenizer_path + " has " + std::to_string(tokenizer->vocab_size()) +
                        " pieces, more than text.vocab_size " + std::to_string(config.text.vocab_size));
        nets->tokenizer_ = tokenizer;
    }
    nets->to(device, dtype);
    return nets;
}

void ArtvNetworks::save(const std::string &dir, c10::optional<torch::ScalarType> dtype) const {
    std::error_code ec;
    fs::create_directories(dir, ec);
    if (ec) throw_io("cannot create model directory " + dir + ": " + ec.message());
    const auto store = dtype.value_or(torch::kFloat32);
    auto tensors = named_tensors(*root_);
    for (auto &[name, t] : tensors) t = t.detach().to(torch::kCPU, store);
    const std::string json = config_.to_json();
    save_safetensors((fs::path(dir) / config_.files.weights).string(), tensors,
                     {{"format", "artv-1"}, {"config", json}});
    write_text_file((fs::path(dir) / "config.json").string(), json);
    if (tokenizer_) tokenizer_->save((fs::path(dir) / config_.files.tokenizer).string());
}

PreparedConditions ArtvNetworks::prepare(const FrameConditions &cond) const {
    if (!cond.text.defined() || cond.text.dim() != 3)
        throw_invalid("frame conditions: text must be [B, L, D] (encode_text output)");
    const int64_t B = cond.text.size(0);
    PreparedConditions p;
    p.batch = B;
    auto prepare_net = [&](UNetModel &net, NetConditions &out) {
        if (net.has_adapter()) {
            check_tensor(cond.refs, "refs", 4, B);
            out.adapter_features = net.adapter_features(cond.refs.to(device_));
        }
        torch::Tensor anchor_tokens;
        if (net.has_anchor()) {
            check_tensor(cond.anchor, "anchor", 4, B);
            anchor_tokens = net.anchor_tokens(cond.anchor.to(device_));
        }
        out.context_kv = net.context_kv(cond.text.to(device_), anchor_tokens);
        torch::Tensor k;
        if (net.additions().noise_level_embed) {
            check_tensor(cond.noise_level, "noise_level", 1, B);
            k = cond.noise_level.to(device_);
        }
        torch::Tensor motion;
        if (net.additions().motion_embed) {
            check_tensor(cond.motion, "motion", 2, B);
            motion = cond.motion.to(device_);
        }
        out.extra_emb = net.extra_embedding(k, cond.text.to(device_), motion);
    };
    prepare_net(*unet_, p.eps);
    prepare_net(*mask_, p.mask);
    return p;
}

torch::Tensor ArtvNetworks::eps(const torch::Tensor &x_in, const torch::Tensor &t,
                                const PreparedConditions &cond) const {
    if (x_in.dim() < 1 || x_in.size(0) != cond.batch)
        throw_invalid("eps: the input batch (" + std::to_string(x_in.dim() ? x_in.size(0) : 0) +
                      ") differs from the prepared conditions' (" + std::to_string(cond.batch) + ")");
    UNetExtras extras;
    if (!cond.eps.adapter_features.empty()) extras.adapter_features = &cond.eps.adapter_features;
    extras.extra_emb = cond.eps.extra_emb;
    extras.context_kv = &cond.eps.context_kv;
    return unet_->forward(x_in.to(device_), t.to(device_), {}, extras);
}

torch::Tensor ArtvNetworks::mask(const torch::Tensor &x_in, const torch::Tensor &t,
                                 const PreparedConditions &cond) const {
    if (x_in.dim() < 1 || x_in.size(0) != cond.batch)
        throw_invalid("mask: the input batch differs from the prepared conditions'");
    UNetExtras extras;
    if (!cond.mask.adapter_features.empty()) extras.adapter_features = &cond.mask.adapter_features;
    extras.extra_emb = cond.mask.extra_emb;
    extras.context_kv = &cond.mask.context_kv;
    return torch::sigmoid(mask_->forward(x_in.to(device_), t.to(device_), {}, extras));
}

const Tokenizer &ArtvNetworks::tokenizer() const {
    if (!tokenizer_) throw_error(ARTV_ERR_STATE, "these networks have no tokenizer");
    return *tokenizer_;
}

torch::Tensor ArtvNetworks::tokenize(const std::vector<std::string> &prompts) const {
    const Tokenizer &tok = tokenizer();
    const int64_t L = config_.text.context_length;
    auto ids = torch::empty({static_cast<int64_t>(prompts.size()), L}, torch::kLong);
    auto acc = ids.accessor<int64_t, 2>();
    for (size_t b = 0; b < prompts.size(); ++b) {
        auto row = tok.encode(prompts[b]);
        for (int64_t i = 0; i < L; ++i) acc[b][i] = row[i];
    }
    return ids.to(device_);
}

torch::Tensor ArtvNetworks::encode_tokens(const torch::Tensor &tokens) const {
    return text_->forward(tokens.to(device_));
}

torch::Tensor ArtvNetworks::encode_text(const std::vector<std::string> &prompts) const {
    return encode_tokens(tokenize(prompts));
}

torch::Tensor ArtvNetworks::encode_frames(const torch::Tensor &rgb01, bool sample,
                                          c10::optional<at::Generator> generator) const {
    auto x = rgb01.to(device_) * 2.0 - 1.0;
    return vae_->encode(x, sample, generator) * config_.latent.scale_factor;
}

torch::Tensor ArtvNetworks::decode_latents(const torch::Tensor &z) const {
    auto x = vae_->decode(z.to(device_) / config_.latent.scale_factor);
    return ((x + 1.0) * 0.5).clamp(0.0, 1.0);
}

torch::Tensor ArtvNetworks::warp_reference(const torch::Tensor &latents, const torch::Tensor &motion) const {
    const ArtvAdditions &a = config_.artv;
    if (!a.motion_warp) return latents;
    if (!a.motion_warp_pixels) return shift_latents(latents, motion);
    torch::NoGradGuard no_grad;
    const torch::Tensor m = motion.to(latents.device(), torch::kFloat);
    const torch::Tensor moving = (m != 0).any(1).nonzero().view(-1);
    if (moving.numel() == 0) return latents;
    // Only the moving rows through the VAE (still scenes and dropped references skip it), at the
    // networks' dtype; the picture moved in fp32. Still rows stay as they are, bit for bit.
    const torch::Tensor rows = latents.index_select(0, moving);
    const torch::Tensor picture = decode_latents(rows.to(dtype_)).to(torch::kFloat);
    const torch::Tensor moved = shift_latents(picture, m.index_select(0, moving) * double(config_.latent.downsample));
    const torch::Tensor z = encode_frames(moved.to(dtype_)).to(latents.scalar_type());
    return latents.index_copy(0, moving, z.to(latents.device()));
}

torch::nn::Module &ArtvNetworks::modules() const { return *root_; }
UNetModel &ArtvNetworks::unet() const { return *unet_; }
UNetModel &ArtvNetworks::mask_net() const { return *mask_; }
AutoencoderKL &ArtvNetworks::vae() const { return *vae_; }
TextEncoder &ArtvNetworks::text_encoder() const { return *text_; }

void ArtvNetworks::to(torch::Device device, torch::ScalarType dtype) {
    check_device(device, dtype);
    root_->to(device, dtype);
    device_ = device;
    dtype_ = dtype;
}

void ArtvNetworks::set_attention_query_chunk(int64_t chunk) { artv::set_attention_query_chunk(*root_, chunk); }

int64_t ArtvNetworks::parameter_count() const {
    int64_t n = 0;
    for (const auto &p : root_->parameters()) n += p.numel();
    return n;
}

} // namespace artv
