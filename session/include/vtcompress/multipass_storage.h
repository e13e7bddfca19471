// SPDX-License-Identifier: GPL-2.0-or-later
// vtc::MultiPassStorage: VideoToolbox's VTMultiPassStorage, the store a compression session
// keeps its analysis in between passes. Here it owns x264's multi-pass statistics files.
//
// Typical use, as with VideoToolbox:
//
//   vtc::MultiPassStorageRef storage;
//   vtc::MultiPassStorage::Create("", vtc::TimeRange{}, {}, &storage);  // temporary file
//   session->SetProperty(vtc::key::kMultiPassStorage, storage);         // before the first frame
//   session->SetProperty(vtc::key::kAverageBitRate, 1000000);           // multi-pass is ABR
//   bool more = true;
//   while (more) {
//     session->BeginPass(0);
//     std::vector<vtc::TimeRange> ranges;  // after the first pass: which frames to send again
//     ... EncodeFrame the same frames, with the same timestamps, in every pass ...
//     session->EndPass(&more);
//     if (more) session->GetTimeRangesForNextPass(&ranges);
//   }
//   storage->Close();
//
// FILES. The storage is a path P. x264 writes its first-pass statistics to P (through P.temp,
// renamed when the pass ends) and its macroblock-tree data to P.mbtree; the session adds a small
// record P.vtcpass (the size, timescale, frame count and time span of the first pass) once the
// first pass has ended completely. That record is how a storage knows that P holds complete
// first-pass statistics, also in another process: with the ReuseFirstPass option a storage
// created on P then starts at the final pass.
//
// OWNERSHIP AND LIFETIME. A storage is shared (MultiPassStorageRef); a session that has it as its
// MultiPassStorage keeps a reference until it is destroyed. Close() (or the last reference going
// away) deletes the files, and a temporary storage's (empty path) directory, unless DoNotDelete
// was set: then everything stays, path() says where. Close only after the last EndPass: a
// session whose storage was closed answers BeginPass with kMultiPassStorageInvalidErr, and an
// EndPass of a pass running then ends the pass but returns that status and records nothing.
//
// THREADS. Every method may be called from any thread; the storage has its own lock. One session
// at a time should run passes on a storage.
#pragma once

#include "vtcompress/export.h"

#include <cstdint>
#include <memory>
#include <mutex>
#include <string>

#include "vtcompress/status.h"
#include "vtcompress/time.h"
#include "vtcompress/value.h"

namespace vtc {

namespace key {
// kVTMultiPassStorageCreationOption_DoNotDelete (bool, default false): keep the files on Close.
inline constexpr const char kMultiPassStorageCreationOption_DoNotDelete[] = "DoNotDelete";
// Extension (bool, default false): if P already holds complete first-pass statistics (its
// P.vtcpass record), the storage starts after the first pass, so a session's first BeginPass is
// the final, statistics-reading pass (two-process / two-pipeline encodes). Without it the
// storage starts empty and the first pass overwrites P.
inline constexpr const char kMultiPassStorageCreationOption_ReuseFirstPass[] = "ReuseFirstPass";
}  // namespace key

// What the first pass left in a storage (its P.vtcpass record).
struct FirstPassRecord {
  int width = 0, height = 0;
  std::int32_t timescale = 0;
  std::int64_t frames = 0;
  TimeRange span;  // first PTS to last PTS + duration
};

class VTC_EXPORT MultiPassStorage final : public Object {
 public:
  // VTMultiPassStorageCreate. `path` empty: a temporary file in $TMPDIR (or /tmp). `range`
  // (invalid = the whole stream): the part of the source the storage covers; a session skips
  // frames outside it in every pass. options may hold DoNotDelete and ReuseFirstPass (booleans;
  // anything else is kParameterErr). A path whose directory does not exist, or that cannot be
  // written, gives kMultiPassStorageInvalidErr.
  static Status Create(const std::string& path, TimeRange range, const Dictionary& options,
                       std::shared_ptr<MultiPassStorage>* storage_out);

  ~MultiPassStorage() override;
  MultiPassStorage(const MultiPassStorage&) = delete;
  MultiPassStorage& operator=(const MultiPassStorage&) = delete;

  // VTMultiPassStorageClose: deletes the files (unless DoNotDelete). Idempotent.
  Status Close();

  const std::string& path() const { return path_; }
  TimeRange time_range() const { return range_; }
  bool IsClosed() const;
  // True if the storage holds complete first-pass statistics (*record, if non-null, gets them).
  bool HasFirstPass(FirstPassRecord* record = nullptr) const;

  // For the session: records that the first pass ended completely (writes P.vtcpass), or that
  // a new first pass starts (removes it). kMultiPassStorageInvalidErr if closed or not writable.
  Status RecordFirstPass(const FirstPassRecord& record);
  Status ForgetFirstPass();

 private:
  MultiPassStorage(std::string path, std::string temp_dir, TimeRange range, bool do_not_delete);
  void DeleteFilesLocked();

  const std::string path_;
  const std::string temp_dir_;  // non-empty for a temporary storage: removed with the files
  const TimeRange range_;
  const bool do_not_delete_;
  mutable std::mutex mu_;
  bool closed_ = false;
  bool has_first_pass_ = false;
  FirstPassRecord record_;
};

using MultiPassStorageRef = std::shared_ptr<MultiPassStorage>;

}  // namespace vtc
