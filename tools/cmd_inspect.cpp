// `artv inspect FILE.safetensors [--json]`: what a weights file holds (metadata, then each
// tensor's name, dtype and shape in file order), after the reader's full validation.
#include <cstdio>
#include <cstring>
#include <string>

#include <nlohmann/json.hpp>

#include "commands.h"
#include "io/safetensors.h"
#include "util/error.h"

namespace artv::cli {

namespace {

void inspect_usage(FILE *out) {
    std::fprintf(out, "usage: artv inspect [--json] FILE.safetensors\n"
                      "  List the metadata and the tensors (name, dtype, shape) of a safetensors\n"
                      "  file after validating it. --json prints one JSON object instead.\n");
}

std::string shape_text(const std::vector<int64_t> &shape) {
    std::string s = "[";
    for (size_t i = 0; i < shape.size(); i++) s += (i ? ", " : "") + std::to_string(shape[i]);
    return s + "]";
}

void print_text(const SafeTensorsFile &f) {
    int64_t elements = 0;
    size_t bytes = 0, width = 0;
    for (const TensorView &t : f.tensors()) {
        elements += t.numel();
        bytes += t.nbytes;
        width = std::max(width, t.name.size());
    }
    std::printf("%s: %zu tensors, %lld elements, %zu bytes of data\n", f.path().c_str(),
                f.tensors().size(), static_cast<long long>(elements), bytes);
    if (!f.metadata().empty()) {
        std::printf("metadata:\n");
        for (const auto &[key, value] : f.metadata())
            std::printf("  %s: %s\n", key.c_str(), value.c_str());
    }
    std::printf("tensors:\n");
    for (const TensorView &t : f.tensors())
        std::printf("  %-*s %-5s %s\n", static_cast<int>(width), t.name.c_str(),
                    dtype_name(t.dtype), shape_text(t.shape).c_str());
}

void print_json(const SafeTensorsFile &f) {
    nlohmann::ordered_json out;
    out["path"] = f.path();
    out["metadata"] = f.metadata();
    out["tensors"] = nlohmann::ordered_json::array();
    for (const TensorView &t : f.tensors())
        out["tensors"].push_back(
            {{"name", t.name}, {"dtype", dtype_name(t.dtype)}, {"shape", t.shape}, {"nbytes", t.nbytes}});
    std::printf("%s\n", out.dump(2).c_str());
}

} // namespace

int cmd_inspect(int argc, char **argv) {
    bool json = false;
    const char *path = nullptr;
    for (int i = 1; i < argc; i++) {
        if (!std::strcmp(argv[i], "--json")) {
            json = true;
        } else if (!std::strcmp(argv[i], "--help") || !std::strcmp(argv[i], "-h")) {
            inspect_usage(stdout);
            return 0;
        } else if (argv[i][0] == '-' || path) {
            std::fprintf(stderr, "artv inspect: unexpected argument '%s'\n", argv[i]);
            inspect_usage(stderr);
            return 2;
        } else {
            path = argv[i];
        }
    }
    if (!path) {
        inspect_usage(stderr);
        return 2;
    }
    try {
        const SafeTensorsFile f = SafeTensorsFile::open(path);
        json ? print_json(f) : print_text(f);
    } catch (const Error &e) {
        std::fprintf(stderr, "artv inspect: %s\n", e.what());
        return 1;
    }
    return 0;
}

} // namespace artv::cli
