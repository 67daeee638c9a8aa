// What the fuzz targets share. A parser rejects bad input with an artv::Error: that is an
// expected outcome. A crash, undefined behaviour, a leak, a hang, any other exception or a broken
// invariant of what a parser accepted is a finding; an invariant failure aborts, so libFuzzer (and
// the replay tests of `make check`) report it with the input that caused it.
#pragma once

#include <cstdio>
#include <cstdlib>

#include "util/error.h"

#define ARTV_FUZZ_REQUIRE(cond)                                                              \
    do {                                                                                     \
        if (!(cond)) {                                                                       \
            std::fprintf(stderr, "%s:%d: invariant failed: %s\n", __FILE__, __LINE__, #cond); \
            std::abort();                                                                    \
        }                                                                                    \
    } while (0)

namespace artv::fuzz {

// Runs `parse`; true when it accepted the input, false when it threw an artv::Error.
template <class F> bool accepts(F &&parse) {
    try {
        parse();
        return true;
    } catch (const artv::Error &) {
        return false;
    }
}

} // namespace artv::fuzz
