// SPDX-License-Identifier: GPL-2.0-or-later
#include "fault.h"

#include <cstdlib>
#include <cstring>
#include <string>

namespace vtc {
namespace fault {

int After(const char* what) {
  const char* env = std::getenv("VTC_FAULT_INJECT");
  if (!env || !what) return 0;
  const std::string spec(env);
  const std::string name = std::string(what) + ":";
  std::size_t pos = 0;
  while (pos < spec.size()) {
    std::size_t end = spec.find(',', pos);
    if (end == std::string::npos) end = spec.size();
    const std::string item = spec.substr(pos, end - pos);
    if (item.compare(0, name.size(), name) == 0) {
      char* tail = nullptr;
      const long n = std::strtol(item.c_str() + name.size(), &tail, 10);
      if (tail && *tail == '\0' && n > 0 && n < (1L << 30)) return static_cast<int>(n);
      return 0;
    }
    pos = end + 1;
  }
  return 0;
}

}  // namespace fault
}  // namespace vtc
