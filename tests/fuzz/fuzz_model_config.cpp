// libFuzzer target: the text readers of core/io/config.h. The input is tried as config.json
// (parse_model_config) and as the reference's Python dict literal of an oracle file's "config"
// metadata (unet_/vae_config_from_python_dict). What parse_model_config accepts must survive
// to_json and back unchanged, and its file names must stay inside the model directory.
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <string>

#include "fuzz_check.h"
#include "io/config.h"

namespace {

// The name, as the C library sees it, names a file under the model directory.
void check_inside_model_dir(const std::string &name) {
    ARTV_FUZZ_REQUIRE(!name.empty() && std::strlen(name.c_str()) == name.size());
    const std::filesystem::path p = std::filesystem::path(name).lexically_normal();
    ARTV_FUZZ_REQUIRE(p.is_relative() && (p.empty() || *p.begin() != ".."));
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    const std::string text(reinterpret_cast<const char *>(data), size);
    artv::ModelConfig c;
    if (artv::fuzz::accepts([&] { c = artv::parse_model_config(text, "fuzz input"); })) {
        // Outside accepts(): an artv::Error here is a finding (uncaught, so it aborts).
        const std::string json = c.to_json();
        ARTV_FUZZ_REQUIRE(artv::parse_model_config(json, "to_json").to_json() == json);
        check_inside_model_dir(c.files.weights);
        check_inside_model_dir(c.files.tokenizer);
        ARTV_FUZZ_REQUIRE(c.size_multiple() > 0 && c.sampling.native_short_side % c.size_multiple() == 0);
    }
    artv::fuzz::accepts([&] { artv::unet_config_from_python_dict(text); });
    artv::fuzz::accepts([&] { artv::vae_config_from_python_dict(text); });
    return 0;
}
