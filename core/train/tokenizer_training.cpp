#include "train/tokenizer_training.h"

#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>


#include "io/tokenizer.h"
#include "util/error.h"

extern char **environ;

namespace artv {

namespace fs = std::filesystem;

namespace {

std::string read_all(const std::string &path) {
    std::ifstream in(path, std::ios::binary);
    std::stringstream s;
    s << in.rdbuf();
    return s.str();
}

// Runs argv with stdout+stderr into log_path; returns the exit status (-1: could not start).
int run_program(const std::vector<std::string> &argv, const std::string &log_path, int *spawn_error) {
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_addopen(&fa, 1, log_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    posix_spawn_file_actions_adddup2(&fa, 1, 2);
    std::vector<char *> args;
    for (const auto &a : argv) args.push_back(const_cast<char *>(a.c_str()));
    args.push_back(nullptr);
    pid_t pid = 0;
    const int rc = posix_spawnp(&pid, args[0], &fa, nullptr, args.data(), environ);
    posix_spawn_file_actions_destroy(&fa);
    if (rc != 0) {
        *spawn_error = rc;
        return -1;
    }
    int status = 0;
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {}
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

}  // namespace

int64_t train_tokenizer(const std::vector<std::string> &captions, const TokenizerTrainOptions &options,
                        const std::string &out_path) {
    if (options.vocab_size < 8) throw_invalid("tokenizer: vocab_size must be >= 8");
    std::string program = options.spm_train;
    if (program.empty()) {
        const char *env = std::getenv("ARTV_SPM_TRAIN");
        program = env && *env ? env : "spm_train";
    }

    // The captions as a text file, one per line, in a scratch directory next to the output.
    const fs::path out = fs::absolute(out_path);
    std::error_code ec;
    fs::create_directories(out.parent_path(), ec);
    std::string scratch_template = (out.parent_path() / ".spm-XXXXXX").string();
    if (!mkdtemp(scratch_template.data()))
        throw_io("tokenizer: cannot create a scratch directory next to " + out_path + ": " +
                 std::strerror(errno));
    const fs::path scratch = scratch_template;
    struct Cleanup {
        fs::path dir;
        ~Cleanup() {
            std::error_code ignored;
            fs::remove_all(dir, ignored);
        }
    } cleanup{scratch};

    size_t usable = 0;
    {
        std::ofstream text(scratch / "captions.txt", std::ios::binary);
        for (std::string c : captions) {
            for (char &ch : c)
                if (ch == '\n' || ch == '\r') ch = ' ';
            if (c.find_first_not_of(' ') == std::string::npos) continue;
            text << c << '\n';
            ++usable;
        }
        if (!text) throw_io("tokenizer: cannot write the captions to " + scratch.string());
    }
    if (usable == 0) throw_invalid("tokenizer: no captions to train on");

    const std::vector<std::string> argv = {
        program,
        "--input=" + (scratch / "captions.txt").string(),
        "--model_prefix=" + (scratch / "tok").string(),
        "--model_type=" + options.model_type,
        "--vocab_size=" + std::to_string(options.vocab_size),
        "--character_coverage=1.0",
        "--normalization_rule_name=identity",
        std::string("--hard_vocab_limit=") + (options.hard_vocab_limit ? "true" : "false"),
        "--num_threads=1",
        "--minloglevel=1",
        "--input_sentence_size=0",
        "--max_sentence_length=16384",
    };
    const std::string log_path = (scratch / "spm_train.log").string();
    int spawn_error = 0;
    const int status = run_program(argv, log_path, &spawn_error);
    if (status == -1)
        throw_io("tokenizer: cannot run " + program + " (" + std::strerror(spawn_error) +
                 "); install Debian's package sentencepiece or set ARTV_SPM_TRAIN");
    if (status != 0) {
        std::string log = read_all(log_path);
        if (log.size() > 2000) log = log.substr(log.size() - 2000);
        throw_io("tokenizer: " + program + " failed (status " + std::to_string(status) + "):\n" + log);
    }

    // Checked with the engine's own reader (io/tokenizer.h), which is what will load it.
    const std::string proto = read_all((scratch / "tok.model").string());
    const int64_t pieces = Tokenizer::from_bytes(proto, 77, program + " output").vocab_size();

    const std::string tmp = out.string() + ".tmp";
    {
        std::ofstream f(tmp, std::ios::binary | std::ios::trunc);
        f.write(proto.data(), static_cast<std::streamsize>(proto.size()));
        f.flush();
        if (!f) {
            std::remove(tmp.c_str());
            throw_io("cannot write the tokenizer " + out_path);
        }
    }
    if (std::rename(tmp.c_str(), out.c_str()) != 0) {
        std::remove(tmp.c_str());
        throw_io("cannot write the tokenizer " + out_path);
    }
    return pieces;
}

}  // namespace artv
