// The `artv` command-line tool's commands (like git's builtins or FFmpeg's fftools).
//
// To add a command: write tools/cmd_NAME.cpp defining `int cmd_NAME(int argc, char **argv)`
// (argv[0] is the command's name; print usage on --help; return 0 on success, 1 on a failure
// reported on stderr, 2 on bad usage), declare it below, add one line to kCommands, and add the
// file to tools_artv_SOURCES in tools/local.mk.
#pragma once

namespace artv::cli {

struct Command {
    const char *name;
    const char *summary; // one line for `artv --help`
    int (*run)(int argc, char **argv);
};

int cmd_inspect(int argc, char **argv);
int cmd_generate(int argc, char **argv);
int cmd_init_random(int argc, char **argv);
int cmd_render(int argc, char **argv);
int cmd_init_sd21(int argc, char **argv);
int cmd_train(int argc, char **argv);
int cmd_eval(int argc, char **argv);
int cmd_bench(int argc, char **argv);
int cmd_motion(int argc, char **argv);

inline constexpr Command kCommands[] = {
    {"generate", "generate video: text-to-video, animate an image, continue a clip, multi-prompt", cmd_generate},
    {"init-random", "write a model directory with random weights for a config (tests, trials)", cmd_init_random},
    {"inspect", "list the tensors and metadata of a .safetensors file", cmd_inspect},
    {"render", "write procedural training clips (or real footage) with captions, to look at", cmd_render},
    {"init-sd21", "build ARTV weights from a Stable Diffusion 2.1 checkpoint", cmd_init_sd21},
    {"train", "train a model: tokenizer, VAE, ARTV networks (resumable, data-parallel); export", cmd_train},
    {"eval", "measure a model: motion direction per mode, continuation, drift, real-clip error; JSON + markdown", cmd_eval},
    {"bench", "measure what a frame costs here: s/frame, GFLOP/s vs this machine's peak, memory, each optimisation", cmd_bench},
    {"motion", "measure how a video's picture moves (pans, tilts): per-frame shift and direction", cmd_motion},
};

} // namespace artv::cli
