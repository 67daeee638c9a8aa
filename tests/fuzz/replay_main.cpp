// A main() for the fuzz targets without libFuzzer (g++, `make check`): runs
// LLVMFuzzerTestOneInput once on every file of the directories (or files) given as arguments, in
// name order. Without arguments: the committed seed corpus and crash regressions of the target
// the program was built for (-DARTV_FUZZ_TARGET="name"), under $ARTV_SRCDIR/tests/fuzz. A finding
// aborts the program on that input, after its name is printed.
#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

namespace fs = std::filesystem;

namespace {

// Files to replay: a directory's regular files (sorted), or the file itself.
std::vector<fs::path> inputs_of(const fs::path &p) {
    if (!fs::is_directory(p)) return {p};
    std::vector<fs::path> files;
    for (const auto &e : fs::directory_iterator(p))
        if (e.is_regular_file()) files.push_back(e.path());
    std::sort(files.begin(), files.end());
    return files;
}

bool replay(const fs::path &file) {
    std::ifstream in(file, std::ios::binary);
    if (!in) {
        std::fprintf(stderr, "replay: cannot read %s\n", file.c_str());
        return false;
    }
    std::vector<uint8_t> bytes{std::istreambuf_iterator<char>(in), {}};
    const size_t size = bytes.size();
    bytes.reserve(1); // like libFuzzer: never a null pointer, even for an empty input
    std::fprintf(stderr, "replay: %s\n", file.c_str());
    LLVMFuzzerTestOneInput(bytes.data(), size);
    return true;
}

} // namespace

int main(int argc, char **argv) {
    std::vector<fs::path> dirs(argv + 1, argv + argc);
    bool need_corpus = false;
#ifdef ARTV_FUZZ_TARGET
    if (dirs.empty()) {
        const char *src = std::getenv("ARTV_SRCDIR");
        const fs::path base = fs::path(src && *src ? src : ".") / "tests" / "fuzz";
        dirs = {base / "corpus" / ARTV_FUZZ_TARGET, base / "regressions" / ARTV_FUZZ_TARGET};
        need_corpus = true;
    }
#endif
    if (dirs.empty()) {
        std::fprintf(stderr, "usage: %s DIR_OR_FILE...\n", argv[0]);
        return 2;
    }
    size_t n = 0;
    for (size_t i = 0; i < dirs.size(); ++i) {
        // The default regressions directory exists only once a finding was fixed.
        if (need_corpus && i > 0 && !fs::exists(dirs[i])) continue;
        for (const fs::path &f : inputs_of(dirs[i])) {
            if (!replay(f)) return 1;
            ++n;
        }
    }
    std::printf("replayed %zu inputs\n", n);
    // An empty or missing corpus would make the test pass without running anything.
    return n > 0 ? 0 : 1;
}
