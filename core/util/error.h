// The one exception type of the C++ core. It carries the C API status it maps to, so that the
// single try/catch per exported function (core/api/artv.cpp) can return the right code.
#pragma once

#include <stdexcept>
#include <string>

#include "artv/artv.h"

namespace artv {

class Error : public std::runtime_error {
public:
    Error(artv_status status, const std::string &message)
        : std::runtime_error(message), status_(status) {}
    artv_status status() const noexcept { return status_; }

private:
    artv_status status_;
};

// Shorthands: throw_invalid("steps must be in [1, 1000], got 0").
[[noreturn]] inline void throw_error(artv_status s, const std::string &m) { throw Error(s, m); }
[[noreturn]] inline void throw_invalid(const std::string &m) { throw Error(ARTV_ERR_INVALID_ARGUMENT, m); }
[[noreturn]] inline void throw_io(const std::string &m) { throw Error(ARTV_ERR_IO, m); }
[[noreturn]] inline void throw_format(const std::string &m) { throw Error(ARTV_ERR_FORMAT, m); }
[[noreturn]] inline void throw_model(const std::string &m) { throw Error(ARTV_ERR_MODEL, m); }

}  // namespace artv
