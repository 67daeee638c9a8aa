// The one try/catch of the C API: every exported function of core/api/artv.cpp runs its body
// through api_guard, so no exception crosses artv.h and every failure leaves a message for
// artv_last_error() on the calling thread.
#pragma once

#include <new>
#include <string>
#include <type_traits>

#include <c10/util/Exception.h>

#include "artv/artv.h"
#include "util/error.h"

namespace artv {

// Sets the calling thread's artv_last_error() text ("" clears it).
void set_last_error(const std::string &message);

// Runs f() and maps what it throws to a status: artv::Error to its own status, std::bad_alloc
// and LibTorch's OutOfMemoryError to ARTV_ERR_OUT_OF_MEMORY, any other c10::Error or
// std::exception to ARTV_ERR_INTERNAL (keeping its message). The message becomes the thread's
// last error; success clears it. f returns void, or an artv_status that is passed through.
template <class F>
artv_status api_guard(F &&f) noexcept {
    try {
        artv_status status = ARTV_OK;
        if constexpr (std::is_same_v<std::invoke_result_t<F>, artv_status>)
            status = f();
        else
            f();
        if (status == ARTV_OK) set_last_error("");
        return status;
    } catch (const Error &e) {
        set_last_error(e.what());
        return e.status();
    } catch (const std::bad_alloc &) {
        set_last_error("out of memory");
        return ARTV_ERR_OUT_OF_MEMORY;
    } catch (const c10::OutOfMemoryError &e) {
        set_last_error(std::string("out of memory: ") + e.what_without_backtrace());
        return ARTV_ERR_OUT_OF_MEMORY;
    } catch (const c10::Error &e) {
        // what() of a c10::Error carries a C++ backtrace; users get the sentence only.
        set_last_error(std::string("internal error (LibTorch): ") + e.what_without_backtrace());
        return ARTV_ERR_INTERNAL;
    } catch (const std::exception &e) {
        set_last_error(std::string("internal error: ") + e.what());
        return ARTV_ERR_INTERNAL;
    } catch (...) {
        set_last_error("internal error: unknown exception");
        return ARTV_ERR_INTERNAL;
    }
}

} // namespace artv
