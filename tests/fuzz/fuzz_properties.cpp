// SPDX-License-Identifier: GPL-2.0-or-later
// fuzz_properties: (key, value) sequences into SetProperty / SetProperties / CopyProperty.
//
// Each input creates one session (16x16..64x64) and decodes into up to 64 operations. Keys come
// from CopySupportedPropertyDictionary plus junk; values are every vtc::Value type, nested arrays
// and dictionaries, NaN, infinities and huge integers. After each call the contract of
// compression_session.h (7.) is checked against a model built from the supported-property
// dictionary alone:
//  - statuses are the documented ones: unknown key -12900, read-only -12901 (also a key that is
//    not ChangeableBetweenFrames once a frame was encoded), wrong type or out of range -12902;
//  - a failed call changes nothing (every read-write key is copied before and after);
//  - a successful call stores the normalized value (CopyProperty returns it; null restores the
//    DefaultValue) and changes no other key;
//  - SetProperties applies keys in order and stops at the first failure;
//  - after Invalidate every call gives -12903.
#include <atomic>
#include <map>
#include <string>
#include <vector>

#include "fuzz_common.h"

namespace {

using vtc::Dictionary;
using vtc::Status;
using vtc::Value;

struct KeyInfo {
  std::string key;
  std::string type;  // PropertyType
  bool read_only = false;
  bool changeable = false;
  bool int_range = false, double_range = false;
  double min = 0, max = 0;
  std::vector<std::string> list;
  Value default_value;
};

struct Model {
  std::vector<KeyInfo> keys;
  std::map<std::string, std::size_t> index;
  std::vector<std::string> strings;  // enumeration values and key names, for the generator
};

const Model& GetModel() {
  static const Model model = [] {
    Model m;
    vtc::CompressionSessionRef s;
    Status st = vtc::CompressionSession::Create(
        16, 16, vtc::kCodecType_H264, nullptr, nullptr,
        [](void*, void*, Status, vtc::EncodeInfoFlags, const vtc::SampleBufferRef&) {}, nullptr,
        &s);
    FUZZ_CHECK(st == Status::kNoErr, "Create 16x16 failed: %s", vtcfuzz::StatusStr(st));
    Dictionary supported;
    st = s->CopySupportedPropertyDictionary(&supported);
    FUZZ_CHECK(st == Status::kNoErr && !supported.empty(), "CopySupportedPropertyDictionary");
    for (const auto& [k, v] : supported) {
      FUZZ_CHECK(v.IsDictionary(), "supported entry %s is not a dictionary", k.c_str());
      const Dictionary& e = v.AsDictionary();
      KeyInfo info;
      info.key = k;
      std::string rw;
      auto get = [&](const char* name) -> const Value* {
        auto it = e.find(name);
        return it == e.end() ? nullptr : &it->second;
      };
      FUZZ_CHECK(
          get(vtc::key::kPropertyType) && get(vtc::key::kPropertyType)->GetString(&info.type),
          "%s: no PropertyType", k.c_str());
      FUZZ_CHECK(get(vtc::key::kReadWriteStatus) && get(vtc::key::kReadWriteStatus)->GetString(&rw),
                 "%s: no ReadWriteStatus", k.c_str());
      info.read_only = rw == "ReadOnly";
      if (const Value* c = get(vtc::key::kChangeableBetweenFrames)) c->GetBool(&info.changeable);
      const Value* mn = get(vtc::key::kSupportedValueMinimum);
      const Value* mx = get(vtc::key::kSupportedValueMaximum);
      if (mn && mx) {
        mn->GetDouble(&info.min);
        mx->GetDouble(&info.max);
        info.int_range = mn->type() == Value::Type::kInt;
        info.double_range = !info.int_range;
      }
      if (const Value* l = get(vtc::key::kSupportedValueList); l && l->IsArray())
        for (const Value& x : l->AsArray()) {
          std::string str;
          if (x.GetString(&str)) info.list.push_back(str);
        }
      if (const Value* d = get(vtc::key::kDefaultValue)) info.default_value = *d;
      for (const auto& str : info.list) m.strings.push_back(str);
      m.strings.push_back(k);
      m.index[k] = m.keys.size();
      m.keys.push_back(std::move(info));
    }
    // A few strings the implementation may look for.
    for (const char* str : {"H264_Baseline_AutoLevel", "H264_High_5_2", "H264_Main_1_3", "CABAC",
                            "HorizontalSpacing", "kVTCompressionPropertyKey_AverageBitRate"})
      m.strings.push_back(str);
    s->Invalidate();
    return m;
  }();
  return model;
}

enum class Expect { kUnknown, kTypeError, kMaybe };

// What the dictionary says about `value` for `k`: a sure type/range error, or "may succeed", in
// which case *normalized is the form CopyProperty must return on success.
Expect Classify(const KeyInfo& k, const Value& value, Value* normalized) {
  if (value.IsNull()) {
    *normalized = k.default_value;
    return Expect::kMaybe;
  }
  if (k.type == "Boolean") {
    if (!value.IsBool()) return Expect::kTypeError;
    *normalized = value;
    return Expect::kMaybe;
  }
  if (k.type == "Number") {
    double d = 0;
    if (!value.GetDouble(&d) || !std::isfinite(d)) return Expect::kTypeError;
    if (k.int_range) {
      if (d != std::floor(d)) return Expect::kTypeError;  // a fraction where a count is expected
      if (d < k.min || d > k.max) return Expect::kTypeError;
      std::int64_t i = 0;
      if (!value.GetInt(&i)) return Expect::kTypeError;
      *normalized = Value(static_cast<long long>(i));
      return Expect::kMaybe;
    }
    if (k.double_range) {
      if (d < k.min || d > k.max) return Expect::kTypeError;
      *normalized = Value(d);
      return Expect::kMaybe;
    }
    return Expect::kUnknown;
  }
  if (k.type == "Enumeration") {
    std::string s;
    if (!value.GetString(&s)) return Expect::kTypeError;
    for (const auto& allowed : k.list)
      if (s == allowed) {
        *normalized = value;
        return Expect::kMaybe;
      }
    return Expect::kTypeError;
  }
  if (k.type == "Array") {
    if (!value.IsArray()) return Expect::kTypeError;
    const vtc::Array& a = value.AsArray();
    if (a.empty()) {  // DataRateLimits []: no pair is no limit, like null
      *normalized = k.default_value;
      return Expect::kMaybe;
    }
    if (a.size() % 2 != 0 || a.size() > 4) return Expect::kTypeError;
    vtc::Array out;
    for (const Value& x : a) {
      double d = 0;
      if (!x.GetDouble(&d) || !std::isfinite(d) || d <= 0) return Expect::kTypeError;
      out.push_back(Value(d));
    }
    *normalized = Value(out);
    return Expect::kMaybe;
  }
  if (k.type == "Dictionary") {
    if (!value.IsDictionary()) return Expect::kTypeError;
    const Dictionary& d = value.AsDictionary();
    auto h = d.find(vtc::key::kHorizontalSpacing), v = d.find(vtc::key::kVerticalSpacing);
    std::int64_t hs = 0, vs = 0;
    if (h == d.end() || v == d.end() || !h->second.GetInt(&hs) || !v->second.GetInt(&vs))
      return Expect::kTypeError;
    if (hs < 1 || vs < 1 || hs > 65535 || vs > 65535) return Expect::kTypeError;
    *normalized =
        Value(Dictionary{{vtc::key::kHorizontalSpacing, Value(static_cast<long long>(hs))},
                         {vtc::key::kVerticalSpacing, Value(static_cast<long long>(vs))}});
    return Expect::kMaybe;
  }
  return Expect::kUnknown;
}

using Snapshot = std::map<std::string, Value>;

Snapshot Take(vtc::CompressionSession* s, const Model& m) {
  Snapshot snap;
  for (const KeyInfo& k : m.keys) {
    if (k.read_only) continue;  // pending frames, encoder delay... move on their own
    Value v;
    Status st = s->CopyProperty(k.key, &v);
    FUZZ_CHECK(st == Status::kNoErr, "CopyProperty(%s) = %s", k.key.c_str(),
               vtcfuzz::StatusStr(st));
    snap[k.key] = v;
  }
  return snap;
}

void ExpectUnchangedExcept(const Snapshot& before, const Snapshot& after, const std::string& except,
                           const char* what) {
  for (const auto& [k, v] : before) {
    if (k == except) continue;
    auto it = after.find(k);
    FUZZ_CHECK(it != after.end() && it->second == v, "%s changed %s from %s to %s", what, k.c_str(),
               v.ToString().c_str(),
               it == after.end() ? "(missing)" : it->second.ToString().c_str());
  }
}

std::string MakeKey(FuzzedDataProvider& in, const Model& m) {
  switch (in.ConsumeIntegralInRange<int>(0, 7)) {
    case 0: {
      static const char* kJunk[] = {"",
                                    "kVTCompressionPropertyKey_AverageBitRate",
                                    "averagebitrate",
                                    "AverageBitRate ",
                                    "ForceKeyFrame",
                                    "Width",
                                    "PixelFormatType",
                                    "EncoderID\n",
                                    "EnableLowLatencyRateControl",
                                    "RequireHardwareAcceleratedVideoEncoder"};
      return in.PickValueInArray(kJunk);
    }
    case 1: {
      std::string k = in.ConsumeRandomLengthString(32);
      if (in.ConsumeBool()) k.push_back('\0');
      return k;
    }
    default:
      return m.keys[in.ConsumeIntegralInRange<std::size_t>(0, m.keys.size() - 1)].key;
  }
}

// A value that is more likely to be accepted for key k than a random one.
Value MakeValueFor(FuzzedDataProvider& in, const Model& m, const std::string& key) {
  auto it = m.index.find(key);
  if (it == m.index.end() || in.ConsumeIntegralInRange<int>(0, 2) == 0)
    return vtcfuzz::MakeValue(in, m.strings, 3);
  const KeyInfo& k = m.keys[it->second];
  if (k.type == "Boolean") return Value(in.ConsumeBool());
  if (k.type == "Enumeration" && !k.list.empty())
    return Value(k.list[in.ConsumeIntegralInRange<std::size_t>(0, k.list.size() - 1)]);
  if (k.int_range) {
    const double lo = k.min, hi = std::min(k.max, 1e8);
    return in.ConsumeBool() ? Value(static_cast<long long>(in.ConsumeFloatingPointInRange(lo, hi)))
                            : Value(std::floor(in.ConsumeFloatingPointInRange(lo, hi)));
  }
  if (k.double_range) return Value(in.ConsumeFloatingPointInRange(k.min, k.max));
  if (k.type == "Array") {
    vtc::Array a;
    const int pairs = in.ConsumeIntegralInRange<int>(0, 2);
    for (int i = 0; i < pairs; ++i) {
      a.push_back(Value(in.ConsumeFloatingPointInRange(1.0, 1e7)));
      a.push_back(Value(in.ConsumeFloatingPointInRange(0.01, 10.0)));
    }
    return Value(a);
  }
  if (k.type == "Dictionary")
    return Value(
        Dictionary{{vtc::key::kHorizontalSpacing, Value(in.ConsumeIntegralInRange<int>(0, 70000))},
                   {vtc::key::kVerticalSpacing, Value(in.ConsumeIntegralInRange<int>(0, 70000))}});
  return vtcfuzz::MakeValue(in, m.strings, 3);
}

bool IsSetStatus(Status st) {
  return st == Status::kNoErr || st == Status::kPropertyNotSupportedErr ||
         st == Status::kPropertyReadOnlyErr || st == Status::kParameterErr;
}

// Checks one SetProperty(key, value) outcome against the model; `started` = a frame was encoded.
void CheckSet(const Model& m, const std::string& key, const Value& value, Status st,
              const Snapshot& before, const Snapshot& after, bool started) {
  FUZZ_CHECK(IsSetStatus(st), "SetProperty(%s, %s) returned %s (%d)", key.c_str(),
             value.ToString().c_str(), vtcfuzz::StatusStr(st), static_cast<int>(st));
  auto it = m.index.find(key);
  if (it == m.index.end()) {
    FUZZ_CHECK(st == Status::kPropertyNotSupportedErr, "SetProperty(unknown key \"%s\") = %s",
               key.c_str(), vtcfuzz::StatusStr(st));
    ExpectUnchangedExcept(before, after, "", "an unknown key");
    return;
  }
  const KeyInfo& k = m.keys[it->second];
  if (k.read_only) {
    FUZZ_CHECK(st == Status::kPropertyReadOnlyErr, "SetProperty(read-only %s, %s) = %s",
               key.c_str(), value.ToString().c_str(), vtcfuzz::StatusStr(st));
    ExpectUnchangedExcept(before, after, "", "a read-only key");
    return;
  }
  if (started && !k.changeable) {
    FUZZ_CHECK(st == Status::kPropertyReadOnlyErr,
               "SetProperty(%s, %s) after the first frame = %s, but the key is not "
               "ChangeableBetweenFrames",
               key.c_str(), value.ToString().c_str(), vtcfuzz::StatusStr(st));
  }
  Value normalized;
  const Expect e = Classify(k, value, &normalized);
  if (e == Expect::kTypeError && !(started && !k.changeable)) {
    FUZZ_CHECK(st == Status::kParameterErr,
               "SetProperty(%s, %s) = %s, but the value is of the wrong type or out of the "
               "supported range",
               key.c_str(), value.ToString().c_str(), vtcfuzz::StatusStr(st));
  }
  if (st != Status::kNoErr) {
    FUZZ_CHECK(st != Status::kPropertyNotSupportedErr, "SetProperty(supported %s) = -12900",
               key.c_str());
    ExpectUnchangedExcept(before, after, "", "a failed SetProperty");
    return;
  }
  ExpectUnchangedExcept(before, after, key, "SetProperty of another key");
  if (e == Expect::kMaybe) {
    FUZZ_CHECK(after.at(key) == normalized && after.at(key).type() == normalized.type(),
               "SetProperty(%s, %s) succeeded; CopyProperty gives %s, expected %s", key.c_str(),
               value.ToString().c_str(), after.at(key).ToString().c_str(),
               normalized.ToString().c_str());
  }
}

void OnOutput(void* ctx, void*, Status, vtc::EncodeInfoFlags, const vtc::SampleBufferRef&) {
  static_cast<std::atomic<int>*>(ctx)->fetch_add(1);
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  vtcfuzz::QuietLogs();
  GetModel();
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const Model& m = GetModel();
  FuzzedDataProvider in(data, size);
  const int width = in.ConsumeIntegralInRange<int>(16, 64);
  const int height = in.ConsumeIntegralInRange<int>(16, 64);
  std::atomic<int> answered{0};
  vtc::CompressionSessionRef session;
  Status st = vtc::CompressionSession::Create(width, height, vtc::kCodecType_H264, nullptr, nullptr,
                                              OnOutput, &answered, &session);
  FUZZ_CHECK(st == Status::kNoErr && session, "Create(%dx%d) = %s", width, height,
             vtcfuzz::StatusStr(st));
  vtc::CompressionSession* s = session.get();

  // Defaults first: every read-write key reads as its DefaultValue.
  Snapshot snap = Take(s, m);
  for (const KeyInfo& k : m.keys)
    if (!k.read_only)
      FUZZ_CHECK(snap[k.key] == k.default_value, "%s reads %s before any set, DefaultValue %s",
                 k.key.c_str(), snap[k.key].ToString().c_str(), k.default_value.ToString().c_str());

  bool started = false, invalidated = false;
  int accepted = 0;
  std::int64_t next_pts = 0;
  for (int op = 0; op < 64 && in.remaining_bytes() > 0; ++op) {
    switch (in.ConsumeIntegralInRange<int>(0, 15)) {
      default: {  // SetProperty
        const std::string key = MakeKey(in, m);
        const Value value = MakeValueFor(in, m, key);
        st = s->SetProperty(key, value);
        if (invalidated) {
          FUZZ_CHECK(st == Status::kInvalidSessionErr, "SetProperty after Invalidate = %s",
                     vtcfuzz::StatusStr(st));
          break;
        }
        Snapshot after = Take(s, m);
        CheckSet(m, key, value, st, snap, after, started);
        snap = std::move(after);
        break;
      }
      case 9:
      case 10: {  // SetProperties
        Dictionary props;
        const int n = in.ConsumeIntegralInRange<int>(0, 5);
        for (int i = 0; i < n; ++i) {
          std::string key = MakeKey(in, m);
          props[key] = MakeValueFor(in, m, key);
        }
        st = s->SetProperties(props);
        if (invalidated) {
          FUZZ_CHECK(st == Status::kInvalidSessionErr, "SetProperties after Invalidate = %s",
                     vtcfuzz::StatusStr(st));
          break;
        }
        FUZZ_CHECK(IsSetStatus(st), "SetProperties returned %s", vtcfuzz::StatusStr(st));
        Snapshot after = Take(s, m);
        // Replay the keys one by one on the model: the first key whose value did not land is
        // where it stopped; nothing after it may have changed.
        bool stopped = false;
        std::string stopped_at;
        Snapshot model = snap;
        for (const auto& [key, value] : props) {
          if (stopped) break;
          stopped_at = key;
          auto it = m.index.find(key);
          Value normalized;
          const bool settable = it != m.index.end() && !m.keys[it->second].read_only &&
                                !(started && !m.keys[it->second].changeable);
          const Expect e =
              settable ? Classify(m.keys[it->second], value, &normalized) : Expect::kTypeError;
          if (e == Expect::kMaybe && after.at(key) == normalized) {
            model[key] = normalized;
            continue;
          }
          // Keys the dictionary cannot describe fully (String keys checked by the encoder,
          // objects): whatever landed, if the call succeeded or the value visibly changed.
          if (e == Expect::kUnknown &&
              (st == Status::kNoErr || !(after.at(key) == model.at(key)))) {
            model[key] = after.at(key);
            continue;
          }
          stopped = true;
        }
        if (st == Status::kNoErr)
          FUZZ_CHECK(!stopped, "SetProperties succeeded but %s was not applied as given",
                     stopped_at.c_str());
        ExpectUnchangedExcept(model, after, "", "SetProperties (keys after the failing one)");
        snap = std::move(after);
        break;
      }
      case 11: {  // CopyProperty of any key
        const std::string key = MakeKey(in, m);
        Value v = Value("sentinel");
        st = s->CopyProperty(key, &v);
        if (invalidated) {
          FUZZ_CHECK(st == Status::kInvalidSessionErr, "CopyProperty after Invalidate = %s",
                     vtcfuzz::StatusStr(st));
          break;
        }
        const bool known = m.index.count(key) != 0;
        FUZZ_CHECK(known ? st == Status::kNoErr : st == Status::kPropertyNotSupportedErr,
                   "CopyProperty(%s%s) = %s", known ? "" : "unknown ", key.c_str(),
                   vtcfuzz::StatusStr(st));
        FUZZ_CHECK(s->CopyProperty(key, nullptr) == Status::kParameterErr,
                   "CopyProperty(%s, nullptr) is not -12902", key.c_str());
        break;
      }
      case 12: {  // PrepareToEncodeFrames: opens x264 but encodes nothing
        if (in.ConsumeIntegralInRange<int>(0, 3) != 0) break;
        st = s->PrepareToEncodeFrames();
        FUZZ_CHECK(invalidated ? st == Status::kInvalidSessionErr
                               : (st == Status::kNoErr || st == Status::kParameterErr),
                   "PrepareToEncodeFrames = %s", vtcfuzz::StatusStr(st));
        if (!invalidated) {
          Snapshot after = Take(s, m);
          ExpectUnchangedExcept(snap, after, "", "PrepareToEncodeFrames");
        }
        break;
      }
      case 13: {  // One frame: from now on the non-changeable keys are read-only.
        if (in.ConsumeIntegralInRange<int>(0, 2) != 0 || accepted >= 4) break;
        vtc::PixelBufferPoolRef pool = s->GetPixelBufferPool();
        if (invalidated) {
          FUZZ_CHECK(!pool, "GetPixelBufferPool after Invalidate is not null");
          break;
        }
        FUZZ_CHECK(pool, "no pixel buffer pool");
        vtc::PixelBufferRef buf;
        FUZZ_CHECK(pool->CreatePixelBuffer(&buf) == Status::kNoErr, "CreatePixelBuffer");
        vtcfuzz::FillPixels(*buf, static_cast<std::uint8_t>(op));
        st = s->EncodeFrame(buf, vtc::Time::Make(next_pts, 30), vtc::Time::Make(1, 30), nullptr,
                            nullptr, nullptr);
        next_pts += 1;
        FUZZ_CHECK(st == Status::kNoErr || st == Status::kParameterErr,
                   "EncodeFrame of a pool buffer = %s", vtcfuzz::StatusStr(st));
        if (st == Status::kNoErr) {
          started = true;
          ++accepted;
        }
        Snapshot after = Take(s, m);
        ExpectUnchangedExcept(snap, after, "", "EncodeFrame");
        break;
      }
      case 14: {  // Invalidate, near the end only (the rest of the input checks -12903)
        if (in.ConsumeIntegralInRange<int>(0, 7) != 0) break;
        s->Invalidate();
        invalidated = true;
        FUZZ_CHECK(answered.load() == accepted, "after Invalidate %d of %d frames answered",
                   answered.load(), accepted);
        Dictionary d;
        FUZZ_CHECK(s->CopySupportedPropertyDictionary(&d) == Status::kInvalidSessionErr,
                   "CopySupportedPropertyDictionary after Invalidate");
        break;
      }
    }
  }
  session.reset();
  FUZZ_CHECK(answered.load() == accepted, "after release %d of %d frames answered", answered.load(),
             accepted);
  return 0;
}
