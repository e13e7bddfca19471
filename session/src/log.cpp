// SPDX-License-Identifier: GPL-2.0-or-later
#include "log_internal.h"

#include <cstdarg>
#include <cstdio>
#include <mutex>

namespace vtc {
namespace {

std::mutex g_default_mu;
LogHandler g_default_handler;

}  // namespace

void SetDefaultLogHandler(LogHandler handler) {
  std::lock_guard<std::mutex> lock(g_default_mu);
  g_default_handler = std::move(handler);
}

void Logger::SetHandler(LogHandler handler) {
  std::lock_guard<std::mutex> lock(mu_);
  handler_ = std::make_shared<LogHandler>(std::move(handler));
}

void Logger::Write(LogLevel level, const char* message) const {
  std::shared_ptr<LogHandler> handler;
  {
    std::lock_guard<std::mutex> lock(mu_);
    handler = handler_;
  }
  if (handler && *handler) {
    (*handler)(level, message);
    return;
  }
  LogHandler fallback;
  {
    std::lock_guard<std::mutex> lock(g_default_mu);
    fallback = g_default_handler;
  }
  if (fallback) {
    fallback(level, message);
  } else if (level <= LogLevel::kWarning) {
    std::fprintf(stderr, "vtcompress %s: %s\n", level == LogLevel::kError ? "error" : "warning",
                 message);
  }
}

void Logger::Vlogf(LogLevel level, const char* format, va_list args) const {
  char buf[1024];
  std::vsnprintf(buf, sizeof buf, format, args);
  // x264 ends its lines with '\n'; handlers get bare lines.
  std::size_t n = std::char_traits<char>::length(buf);
  while (n > 0 && (buf[n - 1] == '\n' || buf[n - 1] == '\r')) buf[--n] = '\0';
  Write(level, buf);
}

void Logger::Logf(LogLevel level, const char* format, ...) const {
  va_list args;
  va_start(args, format);
  Vlogf(level, format, args);
  va_end(args);
}

}  // namespace vtc
