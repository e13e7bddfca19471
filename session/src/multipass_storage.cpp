// SPDX-License-Identifier: GPL-2.0-or-later
#include "vtcompress/multipass_storage.h"

#include <unistd.h>

#include <cinttypes>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <vector>

#include "log_internal.h"

namespace vtc {
namespace {

constexpr const char kRecordSuffix[] = ".vtcpass";
constexpr const char kRecordMagic[] = "vtcompress-multipass 1";

std::string DirectoryOf(const std::string& path) {
  const std::size_t slash = path.rfind('/');
  if (slash == std::string::npos) return ".";
  if (slash == 0) return "/";
  return path.substr(0, slash);
}

bool ReadRecord(const std::string& path, FirstPassRecord* r) {
  std::FILE* f = std::fopen((path + kRecordSuffix).c_str(), "r");
  if (!f) return false;
  char magic[64] = {};
  long long frames = 0, start = 0, dur = 0;
  int w = 0, h = 0, ts = 0, start_ts = 0, dur_ts = 0;
  const bool ok = std::fgets(magic, sizeof magic, f) &&
                  std::strncmp(magic, kRecordMagic, std::strlen(kRecordMagic)) == 0 &&
                  std::fscanf(f, "width %d height %d timescale %d frames %lld span %lld/%d %lld/%d",
                              &w, &h, &ts, &frames, &start, &start_ts, &dur, &dur_ts) == 8;
  std::fclose(f);
  if (!ok || w < 1 || h < 1 || ts < 1 || frames < 1) return false;
  r->width = w;
  r->height = h;
  r->timescale = ts;
  r->frames = frames;
  r->span = TimeRange{Time::Make(start, start_ts), Time::Make(dur, dur_ts)};
  return true;
}

}  // namespace

MultiPassStorage::MultiPassStorage(std::string path, std::string temp_dir, TimeRange range,
                                   bool do_not_delete)
    : path_(std::move(path)),
      temp_dir_(std::move(temp_dir)),
      range_(range),
      do_not_delete_(do_not_delete) {}

MultiPassStorage::~MultiPassStorage() {
  Close();
}

Status MultiPassStorage::Create(const std::string& path, TimeRange range, const Dictionary& options,
                                std::shared_ptr<MultiPassStorage>* storage_out) {
  if (!storage_out) return Status::kParameterErr;
  storage_out->reset();
  Logger log;
  bool do_not_delete = false, reuse = false;
  for (const auto& [k, v] : options) {
    bool* target = k == key::kMultiPassStorageCreationOption_DoNotDelete      ? &do_not_delete
                   : k == key::kMultiPassStorageCreationOption_ReuseFirstPass ? &reuse
                                                                              : nullptr;
    if (!target || (!v.IsNull() && !v.GetBool(target))) {
      log.Logf(LogLevel::kError, "MultiPassStorage: option %s=%s is not supported", k.c_str(),
               v.ToString().c_str());
      return Status::kParameterErr;
    }
  }
  if (range.start.IsValid() && !range.IsValid()) {
    log.Logf(LogLevel::kError, "MultiPassStorage: bad time range");
    return Status::kParameterErr;
  }
  std::string file = path, temp_dir;
  if (file.empty()) {
    const char* tmp = std::getenv("TMPDIR");
    std::string templ = std::string(tmp && *tmp ? tmp : "/tmp") + "/vtc-multipass-XXXXXX";
    std::vector<char> buf(templ.begin(), templ.end());
    buf.push_back('\0');
    if (!mkdtemp(buf.data())) {
      log.Logf(LogLevel::kError, "MultiPassStorage: cannot create a temporary directory in %s",
               templ.c_str());
      return Status::kMultiPassStorageInvalidErr;
    }
    temp_dir = buf.data();
    file = temp_dir + "/stats";
  } else if (file.back() == '/' || access(DirectoryOf(file).c_str(), W_OK) != 0) {
    log.Logf(LogLevel::kError, "MultiPassStorage: cannot write %s", file.c_str());
    return Status::kMultiPassStorageInvalidErr;
  }
  std::shared_ptr<MultiPassStorage> s(
      new MultiPassStorage(std::move(file), std::move(temp_dir), range, do_not_delete));
  FirstPassRecord record;
  if (reuse && access(s->path_.c_str(), R_OK) == 0 && ReadRecord(s->path_, &record)) {
    s->has_first_pass_ = true;
    s->record_ = record;
  }
  *storage_out = std::move(s);
  return Status::kNoErr;
}

Status MultiPassStorage::Close() {
  std::lock_guard<std::mutex> lock(mu_);
  if (closed_) return Status::kNoErr;
  closed_ = true;
  has_first_pass_ = false;
  // DoNotDelete keeps everything, a temporary storage's directory too (its path says where).
  if (!do_not_delete_) DeleteFilesLocked();
  return Status::kNoErr;
}

void MultiPassStorage::DeleteFilesLocked() {
  // x264 writes .mbtree, x265 .cutree beside the statistics, each first as .temp.
  for (const char* suffix :
       {"", ".temp", ".mbtree", ".mbtree.temp", ".cutree", ".cutree.temp", kRecordSuffix})
    std::remove((path_ + suffix).c_str());
  if (!temp_dir_.empty()) rmdir(temp_dir_.c_str());
}

bool MultiPassStorage::IsClosed() const {
  std::lock_guard<std::mutex> lock(mu_);
  return closed_;
}

bool MultiPassStorage::HasFirstPass(FirstPassRecord* record) const {
  std::lock_guard<std::mutex> lock(mu_);
  if (has_first_pass_ && record) *record = record_;
  return has_first_pass_;
}

Status MultiPassStorage::RecordFirstPass(const FirstPassRecord& r) {
  std::lock_guard<std::mutex> lock(mu_);
  if (closed_) return Status::kMultiPassStorageInvalidErr;
  const std::string name = path_ + kRecordSuffix;
  std::FILE* f = std::fopen(name.c_str(), "w");
  if (!f) return Status::kMultiPassStorageInvalidErr;
  std::fprintf(f,
               "%s\nwidth %d height %d timescale %d frames %" PRId64 " span %" PRId64 "/%d %" PRId64
               "/%d\n",
               kRecordMagic, r.width, r.height, int(r.timescale), r.frames, r.span.start.value,
               int(r.span.start.timescale), r.span.duration.value, int(r.span.duration.timescale));
  if (std::fclose(f) != 0) return Status::kMultiPassStorageInvalidErr;
  has_first_pass_ = true;
  record_ = r;
  return Status::kNoErr;
}

Status MultiPassStorage::ForgetFirstPass() {
  std::lock_guard<std::mutex> lock(mu_);
  if (closed_) return Status::kMultiPassStorageInvalidErr;
  std::remove((path_ + kRecordSuffix).c_str());
  has_first_pass_ = false;
  return Status::kNoErr;
}

}  // namespace vtc
