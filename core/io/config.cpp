// Strict config.json parsing (see config.h): every key is read through Section, which records
// the key path for messages and, at the end, rejects the keys nobody read.
#include "io/config.h"

#include <algorithm>
#include <cctype>
#include <fstream>
#include <limits>
#include <map>
#include <numeric>
#include <set>
#include <sstream>

#include <nlohmann/json.hpp>

#include "util/error.h"

namespace artv {

using nlohmann::json;

namespace {

// One JSON object being read: typed getters with range checks, then finish() for unknown keys.
class Section {
public:
    Section(const json &obj, std::string path, const std::string &origin)
        : obj_(obj), path_(std::move(path)), origin_(origin) {
        if (!obj_.is_object()) fail(path_.empty() ? "the top level" : path_, "must be an object");
    }

    bool has(const std::string &key) const { return obj_.contains(key); }

    int get_int(const std::string &key, int def, int lo, int hi, bool required = false) {
        const json *v = lookup(key, required);
        if (!v) return def;
        return check_int(*v, key_path(key), lo, hi);
    }
    double get_double(const std::string &key, double def, double lo, double hi) {
        const json *v = lookup(key, false);
        if (!v) return def;
        if (!v->is_number()) fail(key_path(key), "must be a number");
        double d = v->get<double>();
        if (!(d >= lo && d <= hi)) fail(key_path(key), range_text(lo, hi, std::to_string(d)));
        return d;
    }
    bool get_bool(const std::string &key, bool def) {
        const json *v = lookup(key, false);
        if (!v) return def;
        if (!v->is_boolean()) fail(key_path(key), "must be true or false");
        return v->get<bool>();
    }
    std::string get_string(const std::string &key, const std::string &def, bool required = false,
                           const std::vector<std::string> &allowed = {}) {
        const json *v = lookup(key, required);
        if (!v) return def;
        if (!v->is_string()) fail(key_path(key), "must be a string");
        std::string s = v->get<std::string>();
        if (!allowed.empty() && std::find(allowed.begin(), allowed.end(), s) == allowed.end()) {
            std::string list;
            for (const auto &a : allowed) list += (list.empty() ? "\"" : ", \"") + a + "\"";
            fail(key_path(key), "must be one of " + list + ", got \"" + s + "\"");
        }
        return s;
    }
    std::vector<int> get_int_list(const std::string &key, const std::vector<int> &def, int lo,
                                  int hi, size_t min_len, size_t max_len, bool required = false) {
        const json *v = lookup(key, required);
        if (!v) return def;
        if (!v->is_array()) fail(key_path(key), "must be a list of integers");
        if (v->size() < min_len || v->size() > max_len)
            fail(key_path(key), "must have " + std::to_string(min_len) + " to " +
                                    std::to_string(max_len) + " elements, has " +
                                    std::to_string(v->size()));
        std::vector<int> out;
        for (size_t i = 0; i < v->size(); ++i)
            out.push_back(check_int((*v)[i], key_path(key) + "[" + std::to_string(i) + "]", lo, hi));
        return out;
    }
    // A nested object (absent: an empty one, so its defaults apply, unless required).
    Section section(const std::string &key, bool required = false) {
        const json *v = lookup(key, required);
        static const json empty = json::object();
        return Section(v ? *v : empty, key_path(key), origin_);
    }
    void finish() const {
        for (auto it = obj_.begin(); it != obj_.end(); ++it)
            if (!read_.count(it.key())) fail(key_path(it.key()), "is not a known key");
    }
    [[noreturn]] void fail(const std::string &path, const std::string &what) const {
        throw_format(origin_ + ": " + path + " " + what);
    }
    std::string key_path(const std::string &key) const {
        return path_.empty() ? key : path_ + "." + key;
    }

private:
    const json *lookup(const std::string &key, bool required) {
        read_.insert(key);
        auto it = obj_.find(key);
        if (it == obj_.end()) {
            if (required) fail(key_path(key), "is required but missing");
            return nullptr;
        }
        return &*it;
    }
    int check_int(const json &v, const std::string &path, int lo, int hi) const {
        if (!v.is_number_integer()) fail(path, "must be an integer");
        int64_t i = v.get<int64_t>();
        if (i < lo || i > hi) fail(path, range_text(lo, hi, std::to_string(i)));
        return static_cast<int>(i);
    }
    static std::string range_text(double lo, double hi, const std::string &got) {
        std::ostringstream s;
        s << "must be in [" << lo << ", " << hi << "], got " << got;
        return s.str();
    }

    const json &obj_;
    std::string path_;
    const std::string &origin_;
    std::set<std::string> read_;
};

UNetConfig parse_unet(Section s, const UNetConfig &def) {
    UNetConfig u = def;
    u.in_channels = s.get_int("in_channels", def.in_channels, 1, 64);
    u.out_channels = s.get_int("out_channels", def.out_channels, 1, 64);
    u.model_channels = s.get_int("model_channels", def.model_channels, 32, 4096, true);
    u.channel_mult = s.get_int_list("channel_mult", def.channel_mult, 1, 64, 1, 8, true);
    u.attention_resolutions =
        s.get_int_list("attention_resolutions", def.attention_resolutions, 1, 128, 0, 8, true);
    u.num_res_blocks = s.get_int("num_res_blocks", def.num_res_blocks, 1, 16);
    u.num_head_channels = s.get_int("num_head_channels", def.num_head_channels, 1, 4096);
    u.transformer_depth = s.get_int("transformer_depth", def.transformer_depth, 1, 64);
    u.context_dim = s.get_int("context_dim", def.context_dim, 1, 65536);
    u.use_linear_in_transformer =
        s.get_bool("use_linear_in_transformer", def.use_linear_in_transformer);
    s.finish();
    // GroupNorm32 needs channels divisible by 32; heads need channels divisible by head size.
    for (size_t l = 0; l < u.channel_mult.size(); ++l) {
        int c = u.model_channels * u.channel_mult[l];
        if (c % 32 != 0)
            s.fail(s.key_path("channel_mult[" + std::to_string(l) + "]"),
                   "gives " + std::to_string(c) + " channels, not a multiple of 32 (GroupNorm32)");
        if (c % u.num_head_channels != 0)
            s.fail(s.key_path("num_head_channels"),
                   "(" + std::to_string(u.num_head_channels) + ") does not divide the " +
                       std::to_string(c) + " channels of level " + std::to_string(l));
    }
    int max_ds = 1 << (u.channel_mult.size() - 1);
    for (size_t i = 0; i < u.attention_resolutions.size(); ++i) {
        int r = u.attention_resolutions[i];
        if ((r & (r - 1)) != 0 || r > max_ds)
            s.fail(s.key_path("attention_resolutions[" + std::to_string(i) + "]"),
                   "must be a power of two up to " + std::to_string(max_ds) + " (the levels' " +
                       "downsampling factors), got " + std::to_string(r));
    }
    return u;
}

VaeConfig parse_vae(Section s, const VaeConfig &def) {
    VaeConfig v = def;
    v.in_channels = s.get_int("in_channels", def.in_channels, 1, 16);
    v.out_channels = s.get_int("out_channels", def.out_channels, 1, 16);
    v.ch = s.get_int("ch", def.ch, 32, 4096, true);
    v.ch_mult = s.get_int_list("ch_mult", def.ch_mult, 1, 64, 1, 8, true);
    v.num_res_blocks = s.get_int("num_res_blocks", def.num_res_blocks, 1, 16);
    v.z_channels = s.get_int("z_channels", def.z_channels, 1, 64);
    v.double_z = s.get_bool("double_z", def.double_z);
    v.embed_dim = s.get_int("embed_dim", def.embed_dim, 1, 64);
    s.finish();
    for (size_t i = 0; i < v.ch_mult.size(); ++i)
        if ((v.ch * v.ch_mult[i]) % 32 != 0)
            s.fail(s.key_path("ch_mult[" + std::to_string(i) + "]"),
                   "gives channels that are not a multiple of 32 (GroupNorm32)");
    if (!v.double_z) s.fail(s.key_path("double_z"), "must be true (the KL posterior needs it)");
    return v;
}

} // namespace

std::vector<int> UNetConfig::level_end_blocks() const {
    std::vector<int> out;
    for (int l = 0; l < levels(); ++l) out.push_back(l * (num_res_blocks + 1) + num_res_blocks);
    return out;
}

ArtvAdditions ArtvAdditions::none() {
    ArtvAdditions a;
    a.adapter.enabled = false;
    a.anchor.enabled = false;
    a.noise_level_embed = false;
    a.pooled_text_embed = false;
    a.motion_embed = false;
    a.motion_warp = false;
    a.motion_warp_pixels = false;
    return a;
}

int ModelConfig::latent_multiple() const {
    int m = 1 << (std::max(unet.levels(), mask.levels()) - 1);
    if (artv.anchor.enabled) m = std::lcm(m, artv.anchor.patch_size);
    return m;
}

int ModelConfig::size_multiple() const { return latent.downsample * latent_multiple(); }

ModelConfig parse_model_config(const std::string &json_text, const std::string &origin) {
    json doc;
    try {
        doc = json::parse(json_text);
    } catch (const json::exception &e) { // parse_error, or out_of_range for a number like 1e999
        throw_format(origin + ": not valid JSON: " + e.what());
    }
    ModelConfig c;
    Section top(doc, "", origin);
    c.name = top.get_string("name", "", true);
    if (c.name.empty() || c.name.size() > 63) top.fail("name", "must have 1 to 63 characters");
    c.description = top.get_string("description", "");

    {
        Section s = top.section("latent", true);
        c.latent.channels = s.get_int("channels", 4, 1, 64, true);
        c.latent.scale_factor = s.get_double("scale_factor", 0.18215, 1e-6, 1e6);
        c.latent.downsample = s.get_int("downsample", 8, 1, 64);
        s.finish();
    }
    {
        VaeConfig def; // z_channels and embed_dim from the latent
        def.z_channels = def.embed_dim = c.latent.channels;
        Section s = top.section("vae", true);
        c.vae = parse_vae(s, def);
        const VaeConfig &v = c.vae;
        if (v.embed_dim != c.latent.channels)
            s.fail("vae.embed_dim", "must equal latent.channels (" +
                                        std::to_string(c.latent.channels) + ")");
        int ds = 1 << (v.ch_mult.size() - 1);
        if (ds != c.latent.downsample)
            s.fail("latent.downsample", "(" + std::to_string(c.latent.downsample) +
                                            ") must equal 2^(len(vae.ch_mult)-1) = " +
                                            std::to_string(ds));
    }
    {
        Section s = top.section("text", true);
        TextConfig &t = c.text;
        t.vocab_size = s.get_int("vocab_size", 0, 4, 1 << 24, true);
        t.context_length = s.get_int("context_length", 77, 3, 4096, true);
        t.width = s.get_int("width", 0, 8, 16384, true);
        t.heads = s.get_int("heads", 0, 1, 256, true);
        t.layers = s.get_int("layers", 0, 1, 256, true);
        t.layer = s.get_string("layer", "penultimate", false, {"last", "penultimate"});
        t.projection_dim = s.get_int("projection_dim", 0, 0, 16384);
        s.finish();
        if (t.width % t.heads != 0) s.fail("text.heads", "must divide text.width");
        if (t.blocks_used() < 1) s.fail("text.layer", "\"penultimate\" needs text.layers >= 2");
    }
    {
        UNetConfig def; // SD2.1's numbers, but in/out channels from the latent
        def.in_channels = def.out_channels = c.latent.channels;
        c.unet = parse_unet(top.section("unet", true), def);
        if (c.unet.in_channels != c.latent.channels || c.unet.out_channels != c.latent.channels)
            top.fail("unet.in_channels", "and unet.out_channels must equal latent.channels");
        if (c.unet.context_dim != c.text.width)
            top.fail("unet.context_dim", "must equal text.width (" +
                                             std::to_string(c.text.width) + ")");
    }
    {
        UNetConfig def = c.unet;
        def.out_channels = 1;
        c.mask = parse_unet(top.section("mask", true), def);
        if (c.mask.in_channels != c.latent.channels)
            top.fail("mask.in_channels", "must equal latent.channels");
        if (c.mask.out_channels != 1) top.fail("mask.out_channels", "must be 1");
        if (c.mask.context_dim != c.text.width)
            top.fail("mask.context_dim", "must equal text.width");
    }
    {
        Section s = top.section("artv");
        ArtvAdditions &a = c.artv;
        {
            Section ad = s.section("adapter");
            a.adapter.enabled = ad.get_bool("enabled", true);
            a.adapter.nums_rb = ad.get_int("nums_rb", 2, 1, 16);
            a.adapter.ksize = ad.get_int("ksize", 1, 1, 7);
            ad.finish();
            if (a.adapter.ksize % 2 == 0) ad.fail("artv.adapter.ksize", "must be odd");
        }
        {
            Section an = s.section("anchor");
            a.anchor.enabled = an.get_bool("enabled", true);
            a.anchor.patch_size = an.get_int("patch_size", 2, 1, 64);
            std::vector<int> grid = an.get_int_list("max_grid", {16, 16}, 1, 1024, 2, 2);
            a.anchor.max_grid[0] = grid[0];
            a.anchor.max_grid[1] = grid[1];
            an.finish();
        }
        a.noise_level_embed = s.get_bool("noise_level_embed", true);
        a.pooled_text_embed = s.get_bool("pooled_text_embed", false);
        a.motion_embed = s.get_bool("motion_embed", false);
        a.motion_warp = s.get_bool("motion_warp", false);
        a.motion_warp_pixels = s.get_bool("motion_warp_pixels", false);
        if (a.motion_warp_pixels && !a.motion_warp) s.fail(s.key_path("motion_warp_pixels"), "needs motion_warp");
        s.finish();
    }
    {
        Section s = top.section("schedule");
        ScheduleConfig &d = c.schedule;
        d.linear_start = s.get_double("linear_start", d.linear_start, 1e-8, 0.5);
        d.linear_end = s.get_double("linear_end", d.linear_end, 1e-8, 0.999);
        d.timesteps = s.get_int("timesteps", d.timesteps, 2, 100000);
        d.prediction = s.get_string("prediction", "eps", false, {"eps", "v"});
        s.finish();
        if (d.linear_end <= d.linear_start)
            s.fail("schedule.linear_end", "must be greater than schedule.linear_start");
    }
    {
        Section s = top.section("sampling");
        SamplingConfig &d = c.sampling;
        d.sampler = s.get_string("sampler", d.sampler, false,
                                 {"dpmpp_2s_ancestral", "ddim", "euler"});
        d.steps = s.get_int("steps", d.steps, 1, c.schedule.timesteps);
        d.cfg_ref = s.get_double("cfg_ref", d.cfg_ref, 0.0, 100.0);
        d.cfg_anchor = s.get_double("cfg_anchor", d.cfg_anchor, 0.0, 100.0);
        d.cfg_text = s.get_double("cfg_text", d.cfg_text, 0.0, 100.0);
        if (s.has("cfg_text_t2v")) d.cfg_text_t2v = s.get_double("cfg_text_t2v", 0.0, 0.0, 100.0);
        d.cfg_sigma_min = s.get_double("cfg_sigma_min", d.cfg_sigma_min, 0.0, 1000.0);
        d.cfg_rescale = s.get_double("cfg_rescale", d.cfg_rescale, 0.0, 1.0);
        d.noise_aug = s.get_int("noise_aug", d.noise_aug, 0, c.schedule.timesteps - 1);
        d.native_short_side = s.get_int("native_short_side", d.native_short_side, 8, 16384);
        d.fps = s.get_int("fps", d.fps, 1, 1000);
        s.finish();
    }
    {
        Section s = top.section("training");
        TrainingConfig &d = c.training;
        d.max_noise_level =
            s.get_int("max_noise_level", d.max_noise_level, 0, c.schedule.timesteps - 1);
        d.drop_ref = s.get_double("drop_ref", d.drop_ref, 0.0, 1.0);
        d.drop_anchor = s.get_double("drop_anchor", d.drop_anchor, 0.0, 1.0);
        d.drop_text = s.get_double("drop_text", d.drop_text, 0.0, 1.0);
        d.anchor_window = s.get_int("anchor_window", d.anchor_window, 1, 100000);
        s.finish();
    }
    {
        Section s = top.section("files");
        // Names stay inside the model directory: no absolute paths, no "..", no empty names, no
        // NUL (JSON's \u0000), which would cut the name short where the C library reads it:
        // "..\u0000" passes the ".." test but opens the parent directory.
        auto file_name = [&](const char *key, const std::string &def) {
            std::string f = s.get_string(key, def);
            std::string path = s.key_path(key);
            if (f.empty()) s.fail(path, "must not be empty");
            if (f.find('\0') != std::string::npos) s.fail(path, "must not contain a NUL character");
            if (f[0] == '/') s.fail(path, "must be relative to the model directory, got \"" + f + "\"");
            std::stringstream parts(f);
            std::string part;
            while (std::getline(parts, part, '/'))
                if (part == "..")
                    s.fail(path, "must stay inside the model directory (no \"..\"), got \"" + f + "\"");
            return f;
        };
        c.files.weights = file_name("weights", c.files.weights);
        c.files.tokenizer = file_name("tokenizer", c.files.tokenizer);
        s.finish();
    }
    top.finish();

    if (c.artv.anchor.enabled && c.sampling.native_short_side / c.latent.downsample <
                                     c.artv.anchor.patch_size)
        top.fail("artv.anchor.patch_size", "is larger than the native latent size");
    if (c.sampling.native_short_side % c.size_multiple() != 0)
        top.fail("sampling.native_short_side",
                 "(" + std::to_string(c.sampling.native_short_side) +
                     ") must be a multiple of the size multiple " +
                     std::to_string(c.size_multiple()));
    return c;
}

ModelConfig load_model_config(const std::string &path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) throw_io("cannot open model config " + path);
    std::stringstream ss;
    ss << in.rdbuf();
    if (in.bad()) throw_io("cannot read model config " + path);
    return parse_model_config(ss.str(), path);
}

std::string ModelConfig::to_json() const {
    auto unet_json = [](const UNetConfig &u) {
        return json{{"in_channels", u.in_channels},
                    {"out_channels", u.out_channels},
                    {"model_channels", u.model_channels},
                    {"channel_mult", u.channel_mult},
                    {"attention_resolutions", u.attention_resolutions},
                    {"num_res_blocks", u.num_res_blocks},
                    {"num_head_channels", u.num_head_channels},
                    {"transformer_depth", u.transformer_depth},
                    {"context_dim", u.context_dim},
                    {"use_linear_in_transformer", u.use_linear_in_transformer}};
    };
    json j = json::object();
    j["name"] = name;
    if (!description.empty()) j["description"] = description;
    j["latent"] = {{"channels", latent.channels},
                   {"scale_factor", latent.scale_factor},
                   {"downsample", latent.downsample}};
    j["vae"] = {{"in_channels", vae.in_channels}, {"out_channels", vae.out_channels},
                {"ch", vae.ch},                   {"ch_mult", vae.ch_mult},
                {"num_res_blocks", vae.num_res_blocks}, {"z_channels", vae.z_channels},
                {"double_z", vae.double_z},       {"embed_dim", vae.embed_dim}};
    j["text"] = {{"vocab_size", text.vocab_size}, {"context_length", text.context_length},
                 {"width", text.width},           {"heads", text.heads},
                 {"layers", text.layers},         {"layer", text.layer},
                 {"projection_dim", text.projection_dim}};
    j["unet"] = unet_json(unet);
    j["mask"] = unet_json(mask);
    j["artv"] = {{"adapter",
                  {{"enabled", artv.adapter.enabled},
                   {"nums_rb", artv.adapter.nums_rb},
                   {"ksize", artv.adapter.ksize}}},
                 {"anchor",
                  {{"enabled", artv.anchor.enabled},
                   {"patch_size", artv.anchor.patch_size},
                   {"max_grid", {artv.anchor.max_grid[0], artv.anchor.max_grid[1]}}}},
                 {"noise_level_embed", artv.noise_level_embed},
                 {"pooled_text_embed", artv.pooled_text_embed},
                 {"motion_embed", artv.motion_embed},
                 {"motion_warp", artv.motion_warp},
                 {"motion_warp_pixels", artv.motion_warp_pixels}};
    j["schedule"] = {{"linear_start", schedule.linear_start},
                     {"linear_end", schedule.linear_end},
                     {"timesteps", schedule.timesteps},
                     {"prediction", schedule.prediction}};
    j["sampling"] = {{"sampler", sampling.sampler},       {"steps", sampling.steps},
                     {"cfg_ref", sampling.cfg_ref},       {"cfg_anchor", sampling.cfg_anchor},
                     {"cfg_text", sampling.cfg_text},     {"noise_aug", sampling.noise_aug},
                     {"native_short_side", sampling.native_short_side},
                     {"fps", sampling.fps}};
    if (sampling.cfg_text_t2v) j["sampling"]["cfg_text_t2v"] = *sampling.cfg_text_t2v;
    if (sampling.cfg_sigma_min > 0) j["sampling"]["cfg_sigma_min"] = sampling.cfg_sigma_min;
    if (sampling.cfg_rescale > 0) j["sampling"]["cfg_rescale"] = sampling.cfg_rescale;
    j["training"] = {{"max_noise_level", training.max_noise_level},
                     {"drop_ref", training.drop_ref},
                     {"drop_anchor", training.drop_anchor},
                     {"drop_text", training.drop_text},
                     {"anchor_window", training.anchor_window}};
    j["files"] = {{"weights", files.weights}, {"tokenizer", files.tokenizer}};
    return j.dump(2) + "\n";
}

// ------------------------------------------------------------------ Python dict literals

namespace {

// Turns the repr of a dict of ints, floats, bools, None, strings and lists into JSON:
// quotes ' -> ", True/False/None -> true/false/null. Enough for the oracles' "config".
json python_dict_to_json(const std::string &text, const char *what) {
    std::string out;
    for (size_t i = 0; i < text.size(); ++i) {
        char ch = text[i];
        if (ch == '\'') {
            out += '"';
            for (++i; i < text.size() && text[i] != '\''; ++i) {
                if (text[i] == '"' || text[i] == '\\') out += '\\';
                out += text[i];
            }
            out += '"';
        } else if (std::isalpha(static_cast<unsigned char>(ch))) {
            size_t j = i;
            while (j < text.size() && (std::isalnum(static_cast<unsigned char>(text[j])) || text[j] == '_')) ++j;
            std::string word = text.substr(i, j - i);
            if (word == "True") out += "true";
            else if (word == "False") out += "false";
            else if (word == "None") out += "null";
            else throw_format(std::string(what) + " config: unexpected word '" + word + "'");
            i = j - 1;
        } else if (ch == '(') {
            out += '['; // tuples
        } else if (ch == ')') {
            out += ']';
        } else {
            out += ch;
        }
    }
    json j;
    try {
        j = json::parse(out);
    } catch (const json::exception &e) { // parse_error, or out_of_range for a number like 1e999
        throw_format(std::string(what) + " config is not a readable Python dict: " + e.what());
    }
    if (!j.is_object())
        throw_format(std::string(what) + " config is not a Python dict, but " + j.type_name());
    return j;
}

// The keys of a reference constructor's dict that parse_unet / parse_vae read, under our names:
// `ignored` ones dropped, `renamed` ones renamed; any other key is left for them to reject.
json architecture_keys(const json &j, const std::set<std::string> &ignored,
                       const std::map<std::string, std::string> &renamed = {}) {
    json core = json::object();
    for (auto it = j.begin(); it != j.end(); ++it) {
        if (ignored.count(it.key())) continue;
        const auto r = renamed.find(it.key());
        core[r == renamed.end() ? it.key() : r->second] = it.value();
    }
    return core;
}

// Keys of the reference constructors that do not change the computation (or only with values
// we check) are accepted; anything else is an error, so an unexpected architecture never
// passes silently.
void require_value(const json &j, const std::string &key, const json &expected, const char *what) {
    if (j.contains(key) && j[key] != expected)
        throw_format(std::string(what) + " config: " + key + " = " + j[key].dump() +
                     " is not supported (expected " + expected.dump() + ")");
}

} // namespace

UNetConfig unet_config_from_python_dict(const std::string &dict_text) {
    json j = python_dict_to_json(dict_text, "U-Net");
    require_value(j, "use_spatial_transformer", true, "U-Net");
    require_value(j, "legacy", false, "U-Net");
    const json core = architecture_keys(
        j, {"use_checkpoint", "use_fp16", "image_size", "legacy", "use_spatial_transformer"});
    const std::string origin = "U-Net config";
    return parse_unet(Section(core, "", origin), UNetConfig{});
}

VaeConfig vae_config_from_python_dict(const std::string &dict_text) {
    json j = python_dict_to_json(dict_text, "VAE");
    require_value(j, "attn_resolutions", json::array(), "VAE");
    json core = architecture_keys(j, {"resolution", "dropout", "attn_resolutions"},
                                  {{"out_ch", "out_channels"}});
    // AutoencoderKL takes embed_dim apart from this dict; the oracles' equals z_channels.
    if (!core.contains("embed_dim") && core.contains("z_channels"))
        core["embed_dim"] = core["z_channels"];
    const std::string origin = "VAE config";
    return parse_vae(Section(core, "", origin), VaeConfig{});
}

} // namespace artv
