#include "generate/model_loader.h"

#include <filesystem>
#include <system_error>

#include "io/config.h"
#include "model/artv_networks.h"
#include "util/device.h"
#include "util/error.h"

namespace artv {
namespace fs = std::filesystem;

void check_model_dir(const std::string &dir) {
    std::error_code ec;
    fs::file_status st = fs::status(dir, ec);
    if (!fs::exists(st))
        throw_io("model directory \"" + dir + "\" does not exist (give a model directory, or set "
                 "ARTV_MODEL_PATH)");
    if (!fs::is_directory(st)) throw_io("model path \"" + dir + "\" is not a directory");
    const fs::path config_path = fs::path(dir) / "config.json";
    if (!fs::is_regular_file(config_path, ec))
        throw_io("model directory \"" + dir + "\" has no config.json: not an ARTV model directory");
    const ModelConfig config = load_model_config(config_path.string());
    auto require = [&](const std::string &name, const char *key, const char *what) {
        if (!fs::is_regular_file(fs::path(dir) / name, ec))
            throw_io("model directory \"" + dir + "\": the " + what + " file \"" + name +
                     "\" (config.json " + key + ") is missing");
    };
    require(config.files.weights, "files.weights", "weights");
    require(config.files.tokenizer, "files.tokenizer", "tokenizer");
}

std::shared_ptr<const ArtvNetworks> open_model(const std::string &dir,
                                               const ModelOpenOptions &options) {
    // Cheap checks first: options, then files, then the expensive load.
    const c10::Device device = resolve_device(options.device);
    const c10::ScalarType dtype = resolve_dtype(options.dtype, device);
    if (options.threads < 0)
        throw_invalid("threads must be >= 0 (0 = all online CPUs), got " +
                      std::to_string(options.threads));
    check_model_dir(dir);
    set_cpu_threads(options.threads);
    return ArtvNetworks::load(dir, device, dtype);
}

}  // namespace artv
