// SPDX-License-Identifier: GPL-2.0-or-later
// A session's logger: its own handler if set, else the process default, else stderr.
#pragma once

#include <cstdarg>
#include <memory>
#include <mutex>

#include "vtcompress/log.h"

namespace vtc {

class Logger {
 public:
  void SetHandler(LogHandler handler);
  void Write(LogLevel level, const char* message) const;
  void Logf(LogLevel level, const char* format, ...) const __attribute__((format(printf, 3, 4)));
  void Vlogf(LogLevel level, const char* format, va_list args) const;

 private:
  mutable std::mutex mu_;  // leaf lock: guards handler_ only
  std::shared_ptr<LogHandler> handler_;
};

}  // namespace vtc
