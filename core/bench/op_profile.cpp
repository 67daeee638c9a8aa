#include "bench/op_profile.h"

#include <ATen/record_function.h>

#include <algorithm>
#include <chrono>
#include <map>
#include <mutex>
#include <thread>

#include "util/error.h"

namespace artv {

namespace {

using Clock = std::chrono::steady_clock;

struct State {
    std::mutex mutex;
    bool active = false;
    std::thread::id thread;
    std::map<std::string, OpProfile::Op> ops;
};
State g_state;

thread_local int t_depth = 0;
thread_local Clock::time_point t_start;

std::unique_ptr<at::ObserverContext> on_start(const at::RecordFunction &) {
    if (std::this_thread::get_id() == g_state.thread && t_depth++ == 0) t_start = Clock::now();
    return nullptr;
}

void on_end(const at::RecordFunction &fn, at::ObserverContext *) {
    if (std::this_thread::get_id() != g_state.thread || --t_depth != 0) return;
    const double s = std::chrono::duration<double>(Clock::now() - t_start).count();
    OpProfile::Op &op = g_state.ops[fn.name()];
    op.seconds += s;
    ++op.calls;
}

}  // namespace

OpProfile::OpProfile() {
    std::lock_guard<std::mutex> lock(g_state.mutex);
    if (g_state.active) throw_error(ARTV_ERR_STATE, "only one OpProfile may be alive at a time");
    g_state.active = true;
    g_state.thread = std::this_thread::get_id();
    g_state.ops.clear();
    t_depth = 0;
    handle_ = at::addGlobalCallback(
        at::RecordFunctionCallback(on_start, on_end).scopes({at::RecordScope::FUNCTION}));
}

OpProfile::~OpProfile() {
    at::removeCallback(handle_);
    std::lock_guard<std::mutex> lock(g_state.mutex);
    g_state.active = false;
}

std::vector<OpProfile::Op> OpProfile::ops() const {
    std::vector<Op> out;
    for (const auto &[name, op] : g_state.ops) {
        out.push_back(op);
        out.back().name = name;
    }
    std::sort(out.begin(), out.end(), [](const Op &a, const Op &b) { return a.seconds > b.seconds; });
    return out;
}

}  // namespace artv
