// SPDX-License-Identifier: GPL-2.0-or-later
// A temporary directory for test files, shared by the session's and the element's tests.
// Created with mkdtemp under $TMPDIR (else /tmp); removed with everything in it when the object
// is destroyed. Not thread-safe; one owner.
#pragma once

#include <ftw.h>

#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

namespace vtctest {

class TempDir {
 public:
  explicit TempDir(const std::string& prefix = "vtctest") {
    const char* tmp = std::getenv("TMPDIR");
    const std::string templ = std::string(tmp && *tmp ? tmp : "/tmp") + "/" + prefix + "-XXXXXX";
    std::vector<char> buf(templ.begin(), templ.end());
    buf.push_back('\0');
    if (mkdtemp(buf.data())) path_ = buf.data();
  }
  // Best effort: a test's result does not depend on the cleanup. (nftw, not <filesystem>:
  // gst-check's macros, such as fail(), break the standard streams' headers included after it.)
  ~TempDir() {
    if (path_.empty()) return;
    nftw(
        path_.c_str(),
        [](const char* path, const struct stat*, int, struct FTW*) { return std::remove(path); },
        16, FTW_DEPTH | FTW_PHYS);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  // False if mkdtemp failed (then File() names paths that cannot be created).
  bool ok() const { return !path_.empty(); }
  std::string File(const std::string& name) const { return path_ + "/" + name; }

 private:
  std::string path_;
};

}  // namespace vtctest
