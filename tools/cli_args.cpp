#include "cli_args.h"

#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <cstring>

#include "util/error.h"

namespace artv::cli {

void ArgParser::error(const std::string &message) const {
    throw Error(ARTV_ERR_INVALID_ARGUMENT, message + " (see artv " + command_ + " --help)");
}

const char *ArgParser::value(int argc, char **argv, int &i) const {
    if (i + 1 >= argc) error(std::string(argv[i]) + " needs a value");
    return argv[++i];
}

namespace {

// The whole number spelled by [begin, end) (strtoll: no wrap-around), when it lies in [lo, hi].
bool whole_number(const char *begin, const char *end, long long lo, long long hi, long long *out) {
    char *stop = nullptr;
    errno = 0;
    const long long v = std::strtoll(begin, &stop, 10);
    if (errno || stop == begin || stop != end || v < lo || v > hi) return false;
    *out = v;
    return true;
}

}  // namespace

long long ArgParser::integer(const std::string &opt, const char *text, long long lo, long long hi) const {
    long long v = 0;
    if (!whole_number(text, text + std::strlen(text), lo, hi, &v))
        error(opt + " needs a whole number in [" + std::to_string(lo) + ", " + std::to_string(hi) +
              "], got \"" + text + "\"");
    return v;
}

double ArgParser::number(const std::string &opt, const char *text) const {
    char *end = nullptr;
    const double v = std::strtod(text, &end);
    if (end == text || *end || !std::isfinite(v)) error(opt + " needs a finite number, got \"" + text + "\"");
    return v;
}

double ArgParser::number(const std::string &opt, const char *text, double lo, double hi) const {
    const double v = number(opt, text);
    if (v < lo || v > hi)
        error(opt + " needs a number in [" + std::to_string(lo) + ", " + std::to_string(hi) + "], got \"" +
              text + "\"");
    return v;
}

void ArgParser::size(const std::string &opt, const char *text, int *width, int *height, int lo,
                     int hi) const {
    // whole_number, not sscanf("%d"): "4294967312x64" must be refused, not wrap to 16x64.
    const char *x = std::strpbrk(text, "xX");
    long long w = 0, h = 0;
    if (!x || !whole_number(text, x, lo, hi, &w) || !whole_number(x + 1, x + std::strlen(x), lo, hi, &h))
        error(opt + " needs WIDTHxHEIGHT with sides in " + std::to_string(lo) + ".." +
              std::to_string(hi) + ", got \"" + text + "\"");
    *width = static_cast<int>(w);
    *height = static_cast<int>(h);
}

std::vector<std::string> ArgParser::list(const std::string &opt, const std::string &text) const {
    std::vector<std::string> out;
    size_t start = 0;
    while (start <= text.size()) {
        size_t comma = text.find(',', start);
        if (comma == std::string::npos) comma = text.size();
        std::string item = text.substr(start, comma - start);
        if (item.empty()) error(opt + " has an empty item in \"" + text + "\"");
        out.push_back(item);
        start = comma + 1;
    }
    return out;
}

artv_anchor_policy ArgParser::anchor_policy(const std::string &opt, const std::string &text) const {
    if (text == "paper") return ARTV_ANCHOR_PAPER;
    if (text == "first") return ARTV_ANCHOR_FIRST;
    if (text == "none") return ARTV_ANCHOR_NONE;
    error(opt + " must be paper, first or none, got \"" + text + "\"");
}

}  // namespace artv::cli
