// SPDX-License-Identifier: GPL-2.0-or-later
#include "cf_test_util.h"

#include "vtcompress/log.h"

namespace {
std::mutex g_mu;
std::vector<std::string> g_warnings;
}  // namespace

void CfTest::SetUp() {
  {
    std::lock_guard<std::mutex> lock(g_mu);
    g_warnings.clear();
  }
  vtc::SetDefaultLogHandler([](vtc::LogLevel, const char* message) {
    std::lock_guard<std::mutex> lock(g_mu);
    g_warnings.emplace_back(message);
  });
  live_before_ = vtc::cf::LiveObjectCount();
}

void CfTest::TearDown() {
  vtc::SetDefaultLogHandler(nullptr);
  EXPECT_EQ(vtc::cf::LiveObjectCount(), live_before_) << "CF objects leaked by this test";
}

std::vector<std::string> CfTest::TakeWarnings() {
  std::lock_guard<std::mutex> lock(g_mu);
  std::vector<std::string> out;
  out.swap(g_warnings);
  return out;
}

bool CfTest::WarnedOnce(const std::string& part) {
  std::vector<std::string> w = TakeWarnings();
  if (w.size() != 1 || w[0].find(part) == std::string::npos) {
    for (const auto& line : w) ADD_FAILURE() << "warning: " << line;
    return false;
  }
  return true;
}

std::string Text(CFTypeRef s) {
  if (!s || CFGetTypeID(s) != CFStringGetTypeID()) return "<not a string>";
  std::vector<char> buf(
      CFStringGetMaximumSizeForEncoding(CFStringGetLength((CFStringRef)s), kCFStringEncodingUTF8) +
      1);
  if (!CFStringGetCString((CFStringRef)s, buf.data(), buf.size(), kCFStringEncodingUTF8))
    return "<GetCString failed>";
  return buf.data();
}

std::string Description(CFTypeRef cf) {
  vtc::cf::Owned<CFStringRef> d(CFCopyDescription(cf));
  return Text(d.get());
}

CFNumberRef MakeInt(long long v) {
  SInt64 x = v;
  return CFNumberCreate(nullptr, kCFNumberSInt64Type, &x);
}

CFNumberRef MakeDouble(double v) {
  return CFNumberCreate(nullptr, kCFNumberFloat64Type, &v);
}

CFStringRef MakeString(const char* utf8) {
  return CFStringCreateWithCString(nullptr, utf8, kCFStringEncodingUTF8);
}
