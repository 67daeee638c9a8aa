// `artv <command> [options]`: the command-line front end of libartv. This file only dispatches;
// each command lives in tools/cmd_NAME.cpp and is listed in tools/commands.h.
#include <cstdio>
#include <cstring>

#include "artv/artv.h"
#include "commands.h"

namespace {

void usage(FILE *out) {
    std::fprintf(out,
                 "usage: artv <command> [options]\n"
                 "       artv <command> --help\n"
                 "       artv --version\n\ncommands:\n");
    for (const auto &c : artv::cli::kCommands) std::fprintf(out, "  %-12s %s\n", c.name, c.summary);
}

} // namespace

int main(int argc, char **argv) {
    if (argc < 2) {
        usage(stderr);
        return 2;
    }
    const char *name = argv[1];
    if (!std::strcmp(name, "--help") || !std::strcmp(name, "-h") || !std::strcmp(name, "help")) {
        usage(stdout);
        return 0;
    }
    if (!std::strcmp(name, "--version") || !std::strcmp(name, "-V")) {
        std::printf("artv %s (C API ABI %d)\n", artv_version(), artv_abi_version());
        return 0;
    }
    for (const auto &c : artv::cli::kCommands)
        if (!std::strcmp(name, c.name)) return c.run(argc - 1, argv + 1);
    std::fprintf(stderr, "artv: unknown command '%s'\n\n", name);
    usage(stderr);
    return 2;
}
