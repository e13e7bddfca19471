// SPDX-License-Identifier: GPL-2.0-or-later
// Logging hook: the session's and x264's messages go to a handler of the caller's choice.
#pragma once

#include "vtcompress/export.h"

#include <functional>

namespace vtc {

enum class LogLevel { kError = 0, kWarning = 1, kInfo = 2, kDebug = 3 };

// Called with one line of text, without a trailing newline. It may be called from any of the
// session's threads (including x264's own) and several at once, so it must be thread-safe, and it
// must not call back into the session. With no handler, errors and warnings go to stderr.
using LogHandler = std::function<void(LogLevel level, const char* message)>;

// The handler used by sessions that were not given their own (process-wide; thread-safe).
// Pass an empty function to restore the stderr default.
VTC_EXPORT void SetDefaultLogHandler(LogHandler handler);

}  // namespace vtc
