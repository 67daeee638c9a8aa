// Graceful stop of a training run: SIGINT/SIGTERM only set a flag (nothing else is
// async-signal-safe); the loop checks it at the next step boundary, writes a checkpoint and
// returns. A second signal gets the default action, so a stuck run can still be killed.
#pragma once

namespace artv {

// Installs the handlers for SIGINT and SIGTERM (idempotent).
void install_stop_handlers();
// Restores the previous handlers.
void remove_stop_handlers();
// Whether a stop was requested (by a signal or request_stop()).
bool stop_requested();
// The signal that requested the stop (SIGINT, SIGTERM), 0 when none did.
int stop_signal();
void request_stop();
void clear_stop_request();

}  // namespace artv
