// SPDX-License-Identifier: GPL-2.0-or-later
// The CF runtime: reference counting, the type registry, the polymorphic functions (CFRetain,
// CFRelease, CFEqual, CFHash, CFGetTypeID, CFCopyDescription) and the constant objects
// (allocators, kCFNull, kCFBooleanTrue/False).
#include <cinttypes>
#include <cstdarg>
#include <cstdio>
#include <cstdlib>
#include <mutex>

#include "cf_types.h"
#include "log_internal.h"

namespace vtc::cf {
namespace {

std::atomic<long> g_live{0};

// Registered types (ids from kFirstRegisteredTypeID). Each slot is written once, under
// g_register_mu, and published with release order; readers need no lock.
std::atomic<const TypeInfo*> g_registered[kMaxTypes - kFirstRegisteredTypeID];
std::atomic<CFTypeID> g_next_id{kFirstRegisteredTypeID};
std::mutex g_register_mu;

const Logger& CapiLogger() {
  static const Logger logger;
  return logger;
}

std::string AddressName(const char* type_name, const void* p) {
  char buf[96];
  std::snprintf(buf, sizeof buf, "<%s %p>", type_name, p);
  return buf;
}

std::string DescribeAllocator(const Object* o) {
  return AddressName("CFAllocator", o);
}
std::string DescribeNull(const Object*) {
  return "null";
}
std::string DescribeBoolean(const Object* o) {
  return static_cast<const __CFBoolean*>(o)->value ? "true" : "false";
}

}  // namespace

const TypeInfo kAllocatorTypeInfo = {"CFAllocator", nullptr, nullptr, &DescribeAllocator, nullptr};
const TypeInfo kNullTypeInfo = {"CFNull", nullptr, nullptr, &DescribeNull, nullptr};
const TypeInfo kBooleanTypeInfo = {"CFBoolean", nullptr, nullptr, &DescribeBoolean, nullptr};

CFTypeID RegisterTypeInfo(const TypeInfo& info) {
  std::lock_guard<std::mutex> lock(g_register_mu);
  CFTypeID id = g_next_id.load(std::memory_order_relaxed);
  if (id >= kMaxTypes) {
    std::fprintf(stderr, "vtcompress: CF type table full registering %s\n", info.name);
    std::abort();
  }
  // Lives as long as the process: type ids are never unregistered.
  g_registered[id - kFirstRegisteredTypeID].store(new TypeInfo(info), std::memory_order_release);
  g_next_id.store(id + 1, std::memory_order_relaxed);
  return id;
}

const TypeInfo* GetTypeInfo(CFTypeID id) {
  switch (id) {
    case kAllocatorTypeID:
      return &kAllocatorTypeInfo;
    case kStringTypeID:
      return &kStringTypeInfo;
    case kNullTypeID:
      return &kNullTypeInfo;
    case kDictionaryTypeID:
      return &kDictionaryTypeInfo;
    case kArrayTypeID:
      return &kArrayTypeInfo;
    case kDataTypeID:
      return &kDataTypeInfo;
    case kBooleanTypeID:
      return &kBooleanTypeInfo;
    case kNumberTypeID:
      return &kNumberTypeInfo;
    default:
      break;
  }
  if (id < kFirstRegisteredTypeID || id >= kMaxTypes) return nullptr;
  return g_registered[id - kFirstRegisteredTypeID].load(std::memory_order_acquire);
}

long LiveObjectCount() {
  return g_live.load(std::memory_order_acquire);
}
void NoteCreated() {
  g_live.fetch_add(1, std::memory_order_relaxed);
}

void Warn(const char* function, const char* format, ...) {
  char message[512];
  va_list args;
  va_start(args, format);
  std::vsnprintf(message, sizeof message, format, args);
  va_end(args);
  CapiLogger().Logf(LogLevel::kWarning, "%s: %s", function, message);
}

std::string Describe(CFTypeRef ref) {
  if (!ref) return "(null)";
  std::string_view text;
  if (StringText(ref, &text)) {
    std::string quoted = "\"";
    for (char c : text) {
      if (c == '"' || c == '\\') quoted += '\\';
      quoted += c;
    }
    return quoted + "\"";
  }
  const Object* h = Header(ref);
  if (!h) return AddressName("not a CF object", ref);
  const TypeInfo* info = GetTypeInfo(h->type_id);
  if (!info) return AddressName("unknown CF type", ref);
  return info->describe ? info->describe(h) : AddressName(info->name, ref);
}

}  // namespace vtc::cf

using namespace vtc::cf;

// The constant objects. Constant-initialized (constexpr constructors), so they are valid before
// any dynamic initializer of any program runs.
namespace {
constexpr __CFAllocator g_allocator_system;
constexpr __CFAllocator g_allocator_malloc;
constexpr __CFAllocator g_allocator_null;
constexpr __CFNull g_null;
constexpr __CFBoolean g_true(true);
constexpr __CFBoolean g_false(false);
}  // namespace

extern "C" {

const CFAllocatorRef kCFAllocatorDefault = nullptr;
const CFAllocatorRef kCFAllocatorSystemDefault = &g_allocator_system;
const CFAllocatorRef kCFAllocatorMalloc = &g_allocator_malloc;
const CFAllocatorRef kCFAllocatorNull = &g_allocator_null;
const CFNullRef kCFNull = &g_null;
double kCFCoreFoundationVersionNumber = kCFCoreFoundationVersionNumber10_11;
const CFBooleanRef kCFBooleanTrue = &g_true;
const CFBooleanRef kCFBooleanFalse = &g_false;

CFTypeID CFAllocatorGetTypeID(void) {
  return kAllocatorTypeID;
}
CFTypeID CFNullGetTypeID(void) {
  return kNullTypeID;
}
CFTypeID CFBooleanGetTypeID(void) {
  return kBooleanTypeID;
}

Boolean CFBooleanGetValue(CFBooleanRef boolean) {
  const auto* b = Cast<__CFBoolean>(boolean, kBooleanTypeID);
  if (!b) {
    Warn("CFBooleanGetValue", "not a CFBoolean");
    return false;
  }
  return b->value;
}

CFTypeRef CFRetain(CFTypeRef cf) {
  if (!cf) {
    Warn("CFRetain", "NULL (Apple's CoreFoundation crashes here)");
    return nullptr;
  }
  if (IsConstantString(cf)) return cf;
  const Object* h = Header(cf);
  if (!h) {
    Warn("CFRetain", "%p is not a CF object", cf);
    return cf;
  }
  if (h->magic == kMagicCounted)
    const_cast<Object*>(h)->refcount.fetch_add(1, std::memory_order_relaxed);
  return cf;
}

void CFRelease(CFTypeRef cf) {
  if (!cf) {
    Warn("CFRelease", "NULL (Apple's CoreFoundation crashes here)");
    return;
  }
  if (IsConstantString(cf)) return;
  const Object* h = Header(cf);
  if (!h) {
    Warn("CFRelease", "%p is not a CF object", cf);
    return;
  }
  if (h->magic != kMagicCounted) return;
  Object* o = const_cast<Object*>(h);
  // acq_rel: the freeing thread sees every other thread's writes made before its release.
  long before = o->refcount.fetch_sub(1, std::memory_order_acq_rel);
  if (before > 1) return;
  if (before < 1) {
    Warn("CFRelease", "%p released more often than retained", cf);
    return;
  }
  const TypeInfo* info = GetTypeInfo(o->type_id);
  o->magic = 0;  // a later use of this pointer is no longer taken for a live object
  g_live.fetch_sub(1, std::memory_order_relaxed);
  if (info && info->finalize) info->finalize(o);
}

CFIndex CFGetRetainCount(CFTypeRef cf) {
  if (!cf) {
    Warn("CFGetRetainCount", "NULL");
    return 0;
  }
  if (IsConstantString(cf)) return LONG_MAX;
  const Object* h = Header(cf);
  if (!h) return 0;
  if (h->magic != kMagicCounted) return LONG_MAX;
  return h->refcount.load(std::memory_order_relaxed);
}

CFTypeID CFGetTypeID(CFTypeRef cf) {
  CFTypeID id = TypeOf(cf);
  if (!cf)
    Warn("CFGetTypeID", "NULL");
  else if (!id)
    Warn("CFGetTypeID", "%p is not a CF object", cf);
  return id;
}

Boolean CFEqual(CFTypeRef cf1, CFTypeRef cf2) {
  if (!cf1 || !cf2) {
    Warn("CFEqual", "NULL argument");
    return false;
  }
  if (cf1 == cf2) return true;
  CFTypeID t1 = TypeOf(cf1);
  if (!t1 || t1 != TypeOf(cf2)) return false;
  if (t1 == kStringTypeID) {
    std::string_view a, b;
    return StringText(cf1, &a) && StringText(cf2, &b) && a == b;
  }
  const TypeInfo* info = GetTypeInfo(t1);
  return info && info->equal && info->equal(Header(cf1), Header(cf2));
}

CFHashCode CFHash(CFTypeRef cf) {
  if (!cf) {
    Warn("CFHash", "NULL argument");
    return 0;
  }
  std::string_view text;
  if (StringText(cf, &text)) return HashBytes(text.data(), text.size());
  const Object* h = Header(cf);
  const TypeInfo* info = h ? GetTypeInfo(h->type_id) : nullptr;
  if (info && info->hash) return info->hash(h);
  return static_cast<CFHashCode>(reinterpret_cast<std::uintptr_t>(cf));
}

CFStringRef CFCopyDescription(CFTypeRef cf) {
  if (!cf) {
    Warn("CFCopyDescription", "NULL argument");
    return nullptr;
  }
  return MakeString(Describe(cf));
}

CFStringRef CFCopyTypeIDDescription(CFTypeID type_id) {
  const TypeInfo* info = GetTypeInfo(type_id);
  return info ? MakeString(info->name) : nullptr;
}

void CFShow(CFTypeRef obj) {
  std::string_view text;
  // As Apple's: a string shows as its text, anything else as its description.
  std::string line = obj && StringText(obj, &text) ? std::string(text) : Describe(obj);
  std::fprintf(stderr, "%s\n", line.c_str());
}

}  // extern "C"
