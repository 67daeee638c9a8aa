// Option values of the artv commands, checked the same way everywhere: a bad value is an
// ARTV_ERR_INVALID_ARGUMENT whose message names the option and ends with
// "(see artv COMMAND --help)".
#pragma once

#include <string>
#include <vector>

#include "artv/artv.h"

namespace artv::cli {

class ArgParser {
public:
    explicit ArgParser(std::string command) : command_(std::move(command)) {}

    [[noreturn]] void error(const std::string &message) const;
    // The value after option argv[i] (advancing i); none left is an error naming the option.
    const char *value(int argc, char **argv, int &i) const;
    // A whole number in [lo, hi].
    long long integer(const std::string &opt, const char *text, long long lo, long long hi) const;
    // A finite number (in [lo, hi] when given).
    double number(const std::string &opt, const char *text) const;
    double number(const std::string &opt, const std::string &text) const { return number(opt, text.c_str()); }
    double number(const std::string &opt, const char *text, double lo, double hi) const;
    // WIDTHxHEIGHT, sides in [lo, hi].
    void size(const std::string &opt, const char *text, int *width, int *height, int lo = 1,
              int hi = 16384) const;
    // "a,b,c" (no empty item).
    std::vector<std::string> list(const std::string &opt, const std::string &text) const;
    // paper | first | none (the --anchor option of generate and eval).
    artv_anchor_policy anchor_policy(const std::string &opt, const std::string &text) const;

private:
    std::string command_;
};

}  // namespace artv::cli
