#include "train/stop_signal.h"

#include <csignal>

namespace artv {
namespace {

// 0: no stop; -1: request_stop(); else the signal's number.
volatile std::sig_atomic_t g_stop = 0;
bool g_installed = false;
struct sigaction g_old_int, g_old_term;

void on_signal(int sig) {
    g_stop = sig;
    // The next identical signal terminates as usual.
    std::signal(sig, SIG_DFL);
}

}  // namespace

void install_stop_handlers() {
    if (g_installed) return;
    struct sigaction sa = {};
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, &g_old_int);
    sigaction(SIGTERM, &sa, &g_old_term);
    g_installed = true;
}

void remove_stop_handlers() {
    if (!g_installed) return;
    sigaction(SIGINT, &g_old_int, nullptr);
    sigaction(SIGTERM, &g_old_term, nullptr);
    g_installed = false;
}

bool stop_requested() { return g_stop != 0; }
int stop_signal() { return g_stop > 0 ? g_stop : 0; }
void request_stop() { g_stop = -1; }
void clear_stop_request() { g_stop = 0; }

}  // namespace artv
