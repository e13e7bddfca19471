// SPDX-License-Identifier: GPL-2.0-or-later
// VTMultiPassStorage over vtc::MultiPassStorage (VideoToolbox/VTMultiPassStorage.h).
#include <VideoToolbox/VideoToolbox.h>

#include <memory>
#include <string>
#include <utility>

#include "cf_types.h"
#include "cf_value.h"
#include "cm_time.h"
#include "vt_types.h"
#include "vtcompress/multipass_storage.h"

struct OpaqueVTMultiPassStorage : vtc::cf::Object {
  explicit OpaqueVTMultiPassStorage(std::shared_ptr<vtc::MultiPassStorage> s);
  // Shared with every session that has it as its property: the files live until all let go.
  const std::shared_ptr<vtc::MultiPassStorage> storage;
};

namespace vtc::cf {
namespace {

bool EqualStorage(const Object* a, const Object* b) {
  return static_cast<const OpaqueVTMultiPassStorage*>(a)->storage ==
         static_cast<const OpaqueVTMultiPassStorage*>(b)->storage;
}

CFHashCode HashStorage(const Object* o) {
  return std::hash<const void*>()(static_cast<const OpaqueVTMultiPassStorage*>(o)->storage.get());
}

std::string DescribeStorage(const Object* o) {
  const auto& s = static_cast<const OpaqueVTMultiPassStorage*>(o)->storage;
  return "<VTMultiPassStorage " + s->path() + (s->IsClosed() ? ", closed>" : ">");
}

// The property value it stands for, so VTSessionSetProperty takes it.
bool StorageToValue(const Object* o, Value* out) {
  *out = Value(static_cast<const OpaqueVTMultiPassStorage*>(o)->storage);
  return true;
}

}  // namespace

CFTypeRef WrapMultiPassStorage(const ObjectRef& object) {
  auto storage = std::const_pointer_cast<MultiPassStorage>(
      std::dynamic_pointer_cast<const MultiPassStorage>(object));
  return storage ? New<OpaqueVTMultiPassStorage>(std::move(storage)) : nullptr;
}

}  // namespace vtc::cf

using namespace vtc::cf;

OpaqueVTMultiPassStorage::OpaqueVTMultiPassStorage(std::shared_ptr<vtc::MultiPassStorage> s)
    : Object(VTMultiPassStorageGetTypeID(), kMagicCounted), storage(std::move(s)) {}

extern "C" {

const CFStringRef kVTMultiPassStorageCreationOption_DoNotDelete = CFSTR("DoNotDelete");
const CFStringRef kVTMultiPassStorageCreationOption_ReuseFirstPass = CFSTR("ReuseFirstPass");

CFTypeID VTMultiPassStorageGetTypeID(void) {
  static const CFTypeID id = [] {
    TypeInfo info{"VTMultiPassStorage", &EqualStorage, &HashStorage, &DescribeStorage, nullptr};
    info.to_value = &StorageToValue;
    return RegisterType<OpaqueVTMultiPassStorage>(info);
  }();
  return id;
}

OSStatus VTMultiPassStorageCreate(CFAllocatorRef, CFURLRef fileURL, CMTimeRange timeRange,
                                  CFDictionaryRef options,
                                  VTMultiPassStorageRef* multiPassStorageOut) {
  if (!multiPassStorageOut) {
    Warn(__func__, "NULL out pointer");
    return kVTParameterErr;
  }
  *multiPassStorageOut = nullptr;
  std::string path;  // empty: a temporary file
  if (fileURL) {
    if (CFGetTypeID(fileURL) != CFURLGetTypeID()) {
      Warn(__func__, "fileURL is not a CFURL");
      return kVTParameterErr;
    }
    Owned<CFStringRef> p(CFURLCopyFileSystemPath(fileURL, kCFURLPOSIXPathStyle));
    std::string_view text;
    if (!p.get() || !StringText(p.get(), &text) || text.empty()) {
      Warn(__func__, "fileURL has no file system path");  // not silently a temporary file
      return kVTParameterErr;
    }
    path = std::string(text);
  }
  vtc::Value opts;
  if (options && (TypeOf(options) != kDictionaryTypeID || !ToValue(options, &opts))) {
    Warn(__func__, "options is not a CFDictionary of CF property values");
    return kVTParameterErr;
  }
  const vtc::Dictionary empty;
  std::shared_ptr<vtc::MultiPassStorage> storage;
  const vtc::Status st = vtc::MultiPassStorage::Create(
      path, ToVtcTimeRange(timeRange), opts.IsDictionary() ? opts.AsDictionary() : empty, &storage);
  if (st != vtc::Status::kNoErr) return vtc::ToOSStatus(st);
  *multiPassStorageOut = New<OpaqueVTMultiPassStorage>(std::move(storage));
  return noErr;
}

OSStatus VTMultiPassStorageClose(VTMultiPassStorageRef multiPassStorage) {
  const auto* s = Cast<OpaqueVTMultiPassStorage>(multiPassStorage, VTMultiPassStorageGetTypeID());
  if (!s) {
    Warn(__func__, multiPassStorage ? "not a VTMultiPassStorage" : "NULL storage");
    return kVTParameterErr;
  }
  return vtc::ToOSStatus(s->storage->Close());
}

}  // extern "C"
