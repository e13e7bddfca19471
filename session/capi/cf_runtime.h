// SPDX-License-Identifier: GPL-2.0-or-later
// The CF runtime under the C API (internal, not installed): the object header every CF object
// starts with, atomic reference counts, and the type registry through which the C API's own
// types (CFString ... here; CVPixelBuffer, CMSampleBuffer, VTCompressionSession in later slices)
// plug into CFRetain/CFRelease/CFEqual/CFHash/CFGetTypeID/CFCopyDescription.
//
// Defining a type:
//   struct __CVBuffer : vtc::cf::Object { ...C++ members... };
//   CFTypeID CVPixelBufferGetTypeID() {
//     static const CFTypeID id = vtc::cf::RegisterType<__CVBuffer>({"CVPixelBuffer", ...hooks});
//     return id;
//   }
//   __CVBuffer* b = vtc::cf::New<__CVBuffer>(CVPixelBufferGetTypeID(), ctor args...);  // +1
//   const __CVBuffer* p = vtc::cf::Cast<__CVBuffer>(ref, CVPixelBufferGetTypeID());  // or nullptr
// The object is destroyed (its C++ destructor runs) when the last CFRelease drops the count.
#pragma once

#include <CoreFoundation/CoreFoundation.h>

#include <atomic>
#include <climits>
#include <cstdint>
#include <cstring>
#include <new>
#include <string>

namespace vtc {
class Value;
}  // namespace vtc

namespace vtc::cf {

// First 4 bytes of every object. A CFSTR literal starts with __VTC_CFSTR_MARKER instead.
inline constexpr std::uint32_t kMagicCounted = 0xC0F1A7E5u;   // heap object, counted
inline constexpr std::uint32_t kMagicImmortal = 0xC0F1A7E6u;  // static object, never freed

// The header of every runtime object. Objects derive from it (single, non-virtual inheritance,
// so the header is at the object's address; New checks that). A CFTypeRef always points here.
struct Object {
  constexpr Object(CFTypeID type, std::uint32_t magic) : magic(magic), type_id(type) {}
  std::uint32_t magic;
  std::uint32_t type_id;
  std::atomic<long> refcount{1};  // unused for immortal objects
};

// Hooks of a type. Every hook may be null: equality is then identity, the hash the address, the
// description "<Name 0x...>".
struct TypeInfo {
  const char* name;
  bool (*equal)(const Object* a, const Object* b);  // called only with two objects of the type
  CFHashCode (*hash)(const Object* o);
  std::string (*describe)(const Object* o);
  void (*finalize)(Object* o);  // destroys and frees; set by RegisterType<T>
  // For types that wrap a session object (VTMultiPassStorage): the property value they stand for
  // (ToValue); nullptr for types that are not property values.
  bool (*to_value)(const Object* o, vtc::Value* out) = nullptr;
};

// Fixed ids of the built-in types (Apple's numbering of the time; programs must not rely on it).
enum BuiltinType : CFTypeID {
  kAllocatorTypeID = 2,
  kStringTypeID = 7,
  kNullTypeID = 16,
  kDictionaryTypeID = 18,
  kArrayTypeID = 19,
  kDataTypeID = 20,
  kBooleanTypeID = 21,
  kNumberTypeID = 22,
};
inline constexpr CFTypeID kFirstRegisteredTypeID = 64;
inline constexpr CFTypeID kMaxTypes = 256;

// Registers a type and returns its new id (thread-safe; call once per type, e.g. from a
// function-local static). Aborts when the table is full (a programming error).
CFTypeID RegisterTypeInfo(const TypeInfo& info);

template <class T>
void DeleteAs(Object* o) {
  delete static_cast<T*>(o);
}

template <class T>
CFTypeID RegisterType(TypeInfo info) {
  info.finalize = &DeleteAs<T>;
  return RegisterTypeInfo(info);
}

// The type's hooks (nullptr for an unknown id). Lock-free.
const TypeInfo* GetTypeInfo(CFTypeID id);

// Counts objects created with New and not yet freed (for leak tests).
long LiveObjectCount();
void NoteCreated();

// A new object with refcount 1 (the caller's +1). T derives from Object and is constructed with
// (args...); it must call Object(id, kMagicCounted) (MakeHeader does).
template <class T, class... Args>
T* New(Args&&... args) {
  T* object = new T(std::forward<Args>(args)...);
  // The header must be at the object's own address: CFTypeRef and T* are the same pointer.
  if (static_cast<void*>(static_cast<Object*>(object)) != static_cast<void*>(object)) abort();
  NoteCreated();
  return object;
}

// True when p starts with a CFSTR literal's marker.
inline bool IsConstantString(const void* p) {
  return p && std::memcmp(p, __VTC_CFSTR_MARKER, 8) == 0;
}
inline constexpr std::size_t kConstantStringTextOffset = 8;

// The header of a runtime object, or nullptr for NULL and for a CFSTR literal (which has none).
inline const Object* Header(CFTypeRef ref) {
  if (!ref) return nullptr;
  std::uint32_t magic;
  std::memcpy(&magic, ref, sizeof magic);
  if (magic != kMagicCounted && magic != kMagicImmortal) return nullptr;
  return static_cast<const Object*>(ref);
}

// The type id of any CF object: CFSTR literals are strings. 0 for NULL or what is not one.
inline CFTypeID TypeOf(CFTypeRef ref) {
  if (IsConstantString(ref)) return kStringTypeID;
  const Object* h = Header(ref);
  return h ? h->type_id : 0;
}

// ref as a T when it is an object of type id, else nullptr.
template <class T>
const T* Cast(CFTypeRef ref, CFTypeID id) {
  const Object* h = Header(ref);
  return h && h->type_id == id ? static_cast<const T*>(h) : nullptr;
}
template <class T>
T* CastMutable(CFTypeRef ref, CFTypeID id) {
  return const_cast<T*>(Cast<T>(ref, id));
}

// A warning through the session's log (the default handler, else stderr).
void Warn(const char* function, const char* format, ...) __attribute__((format(printf, 2, 3)));

// Description text of any CF value (what CFCopyDescription returns, as a std::string).
std::string Describe(CFTypeRef ref);

// A +1 reference holder for C++ code (RAII over CFRelease).
template <class Ref>
class Owned {
 public:
  Owned() = default;
  explicit Owned(Ref ref) : ref_(ref) {}  // adopts a +1 reference
  Owned(const Owned&) = delete;
  Owned& operator=(const Owned&) = delete;
  Owned(Owned&& o) noexcept : ref_(o.release()) {}
  Owned& operator=(Owned&& o) noexcept {
    reset(o.release());
    return *this;
  }
  ~Owned() { reset(); }
  Ref get() const { return ref_; }
  Ref release() {
    Ref r = ref_;
    ref_ = nullptr;
    return r;
  }
  void reset(Ref ref = nullptr) {
    if (ref_) CFRelease(ref_);
    ref_ = ref;
  }
  explicit operator bool() const { return ref_ != nullptr; }

 private:
  Ref ref_ = nullptr;
};

}  // namespace vtc::cf
