// SPDX-License-Identifier: GPL-2.0-or-later
// Shared by the capi GoogleTest binaries: a fixture that fails a test which leaves CF objects
// alive (the runtime counts them) and collects the C API's warnings, and small helpers.
#pragma once

#include <gtest/gtest.h>

#include <mutex>
#include <string>
#include <vector>

#include "cf_runtime.h"

class CfTest : public ::testing::Test {
 protected:
  void SetUp() override;
  // Every object created during the test must have been released by its end.
  void TearDown() override;

  // Warnings logged since SetUp (or the last call), then forgotten.
  std::vector<std::string> TakeWarnings();
  // True when exactly one warning was logged since the last call and it contains `part`.
  bool WarnedOnce(const std::string& part);

 private:
  long live_before_ = 0;
};

// The text of a CFString (UTF-8), or "<not a string>".
std::string Text(CFTypeRef s);
// CFCopyDescription's text.
std::string Description(CFTypeRef cf);

// Owned references, shorter.
using OwnedRef = vtc::cf::Owned<CFTypeRef>;
CFNumberRef MakeInt(long long v);          // +1, kCFNumberSInt64Type
CFNumberRef MakeDouble(double v);          // +1, kCFNumberFloat64Type
CFStringRef MakeString(const char* utf8);  // +1
