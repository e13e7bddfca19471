// SPDX-License-Identifier: GPL-2.0-or-later
#include "properties.h"

#include <cmath>
#include <map>
#include <memory>
#include <mutex>

#include "backend.h"
#include "vtcompress/color.h"
#include "vtcompress/keys.h"
#include "vtcompress/multipass_storage.h"

namespace vtc {
namespace {

using Kind = PropertyDescriptor::Kind;

constexpr double kIntMax = 2147483647.0;

const std::vector<std::string> kFieldDetails = {
    key::kFieldDetailTemporalTopFirst, key::kFieldDetailTemporalBottomFirst,
    key::kFieldDetailSpatialFirstLineEarly, key::kFieldDetailSpatialFirstLineLate};

std::vector<PropertyDescriptor> BuildDescriptors() {
  std::vector<PropertyDescriptor> d;
  auto add = [&d](PropertyDescriptor p) { d.push_back(std::move(p)); };
  // clang-format off
  add({key::kAverageBitRate, Kind::kInt, Value(0), 0, kIntMax, {}, false, true,
       "Target average bit rate in bit/s; 0 lets the encoder decide (quality-based coding)."});
  add({key::kDataRateLimits, Kind::kRateLimits, Value(), 0, 0, {}, false, true,
       "[bytes, seconds, ...], one or two pairs: a hard cap on bytes in any window of that many "
       "seconds; [] (no pair) is no limit, like null."});
  add({key::kConstantBitRate, Kind::kInt, Value(0), 0, kIntMax, {}, false, true,
       "Constant bit rate in bit/s (0 = off), padded with filler data. Cannot be combined with "
       "AverageBitRate or DataRateLimits."});
  add({key::kQuality, Kind::kDouble, Value(), 0.0, 1.0, {}, false, true,
       "0.0..1.0 when no bit rate is set: 0.25 low, 0.5 normal (also when unset), 0.75 high, "
       "1.0 lossless."});
  add({key::kRealTime, Kind::kBool, Value(), 0, 0, {}, false, true,
       "true: keep up with the timestamps' pace. With the backend's speed preset on auto, a "
       "governor picks the encoder's analysis settings from the measured encode time, and drops "
       "frames when even the fastest cannot keep up."});
  add({key::kAllowFrameReordering, Kind::kBool, Value(true), 0, 0, {}, false, false,
       "false: no B-frames (decode order = display order)."});
  add({key::kAllowTemporalCompression, Kind::kBool, Value(true), 0, 0, {}, false, true,
       "false: every frame is a key frame."});
  add({key::kMaxKeyFrameInterval, Kind::kInt, Value(0), 0, kIntMax, {}, false, true,
       "Most frames from one key frame to the next (1 = all key frames); 0 = 250, unless "
       "MaxKeyFrameIntervalDuration is set or low-latency rate control is on. With "
       "IntraRefresh: the frames from one refresh wave to the next, set when the encoder "
       "opens."});
  add({key::kMaxKeyFrameIntervalDuration, Kind::kDouble, Value(0.0), 0, 1e9, {}, false, true,
       "Longest time in seconds from one key frame to the next (0 = no limit); whichever of "
       "the two interval limits comes first applies."});
  add({key::kExpectedFrameRate, Kind::kDouble, Value(0.0), 0, 1000, {}, false, true,
       "Hint in frames per second (0 = unknown; then taken from the first frame's duration for "
       "rate control)."});
  add({key::kMaxFrameDelayCount, Kind::kInt, Value(-1), -1, 1000, {}, false, false,
       "Most frames the encoder may hold before emitting: before EncodeFrame of frame N returns, "
       "frame N-M has been emitted. -1 = unlimited."});
  add({key::kMinAllowedFrameQP, Kind::kInt, Value(), 0, 51, {}, false, false,
       "Lowest QP any frame may use."});
  add({key::kMaxAllowedFrameQP, Kind::kInt, Value(), 0, 51, {}, false, false,
       "Highest QP any frame may use."});
  add({key::kPrioritizeEncodingSpeedOverQuality, Kind::kBool, Value(false), 0, 0, {}, false,
       true,
       "true: prefer encoding speed to quality (a fast preset where the backend's speed preset "
       "is auto)."});
  add({key::kReferenceBufferCount, Kind::kInt, Value(), 1, 16, {}, false, false,
       "Reference frames."});
  add({key::kSuggestedLookAheadFrameCount, Kind::kInt, Value(), 0, 250, {}, false, false,
       "Rate-control lookahead in frames; at most MaxFrameDelayCount."});
  add({key::kSpatialAdaptiveQPLevel, Kind::kInt, Value(-1), -1, 0, {}, false, false,
       "-1 default (the encoder's adaptive quantization), 0 disabled."});
  add({key::kColorPrimaries, Kind::kEnum, Value(), 0, 0, ColorPrimariesNames(), false, false,
       "Written to the VUI and the format description."});
  add({key::kTransferFunction, Kind::kEnum, Value(), 0, 0, TransferFunctionNames(), false, false,
       "Written to the VUI and the format description."});
  add({key::kYCbCrMatrix, Kind::kEnum, Value(), 0, 0, YCbCrMatrixNames(), false, false,
       "Written to the VUI and the format description."});
  add({key::kMasteringDisplayColorVolume, Kind::kData, Value(), 24, 24, {}, false, false,
       "24 bytes, as the SEI: G, B, R primaries and white point (x, y: big-endian uint16, units "
       "of 0.00002), max and min luminance (big-endian uint32, units of 0.0001 cd/m2). Written "
       "as a mastering display colour volume SEI and to the format description."});
  add({key::kContentLightLevelInfo, Kind::kData, Value(), 4, 4, {}, false, false,
       "4 bytes: MaxCLL, MaxFALL (big-endian uint16, cd/m2). Written as a content light level "
       "SEI and to the format description."});
  add({key::kPixelAspectRatio, Kind::kAspectRatio, Value(), 0, 0, {}, false, false,
       "{HorizontalSpacing, VerticalSpacing} (1..65535): the VUI sample aspect ratio."});
  add({key::kFieldCount, Kind::kInt, Value(1), 1, 2, {}, false, false,
       "1 progressive, 2 interlaced."});
  add({key::kFieldDetail, Kind::kEnum, Value(), 0, 0, kFieldDetails, false, false,
       "Field order with FieldCount 2: TemporalTopFirst or SpatialFirstLineEarly (the default) "
       "code top field first, TemporalBottomFirst or SpatialFirstLineLate bottom first."});
  add({key::kSourceFrameCount, Kind::kInt, Value(0), 0, kIntMax, {}, false, false,
       "Hint: frames that will be encoded (0 = unknown)."});
  add({key::kExpectedDuration, Kind::kDouble, Value(0.0), 0, 1e12, {}, false, false,
       "Hint: seconds of video that will be encoded (0 = unknown)."});
  add({key::kCalculateMeanSquaredError, Kind::kBool, Value(false), 0, 0, {}, false, false,
       "true: each sample carries QualityMetrics with luma and chroma MSE."});
  add({key::kMultiPassStorage, Kind::kMultiPassStorage, Value(), 0, 0, {}, false, false,
       "A MultiPassStorage: enables BeginPass/EndPass/GetTimeRangesForNextPass (two-pass ABR: "
       "the first pass writes statistics to the storage's file, the second reads them). Needs "
       "AverageBitRate."});
  // Extension: source-buffer lifetime.
  add({key::kReleaseSourceBufferOnImport, Kind::kBool, Value(false), 0, 0, {}, false, true,
       "true: each source pixel buffer is released once the encoder has copied it, before its "
       "output callback; false: it is held until the frame is answered. Extension."});
  // Extension: refresh by waves of intra blocks instead of key frames.
  add({key::kIntraRefresh, Kind::kBool, Value(false), 0, 0, {}, false, false,
       "true: periodic intra refresh: a wave of intra blocks every MaxKeyFrameInterval "
       "frames (else MaxKeyFrameIntervalDuration, else 1 s of frames, else 30) instead of "
       "periodic key frames; IDRs only at the start and on ForceKeyFrame; the frame option "
       "ForceIntraRefresh starts a wave. Extension."});
  // Read-only.
  add({key::kNumberOfPendingFrames, Kind::kInt, Value(), 0, 0, {}, true, false,
       "Frames accepted and not yet answered."});
  add({key::kPixelBufferPoolIsShared, Kind::kBool, Value(), 0, 0, {}, true, false,
       "true: the pool's buffers go to the encoder without conversion."});
  add({key::kVideoEncoderPixelBufferAttributes, Kind::kDictionary, Value(), 0, 0, {}, true,
       false, "The buffer layout the encoder prefers."});
  add({key::kUsingHardwareAcceleratedVideoEncoder, Kind::kBool, Value(false), 0, 0, {}, true,
       false, "Whether the encoder runs on hardware: false for every backend here."});
  add({key::kEncoderFrameDelay, Kind::kInt, Value(-1), 0, 0, {}, true, false,
       "Most frames between a frame going in and its sample coming out (-1 until the encoder "
       "is open). Extension."});
  add({key::kEncoderReorderDepth, Kind::kInt, Value(-1), 0, 0, {}, true, false,
       "Frame durations the first DTS may precede the first PTS (-1 until the encoder is "
       "open). Extension."});
  add({key::kRealTimeSpeedLevel, Kind::kInt, Value(-1), 0, 0, {}, true, false,
       "RealTime's speed level in use, 0 = fastest; -1 when the governor is not running. "
       "Extension."});
  add({key::kRealTimeEncodeTime, Kind::kDouble, Value(0.0), 0, 0, {}, true, false,
       "Seconds per frame the encoder's call takes (wall clock, smoothed) while RealTime's "
       "governor runs. Extension."});
  add({key::kRealTimeCPUTime, Kind::kDouble, Value(0.0), 0, 0, {}, true, false,
       "Seconds of the process's CPU time per frame over the encoder's call (every thread of "
       "the process, smoothed) while RealTime's governor runs. Extension."});
  add({key::kRealTimeFramesDropped, Kind::kInt, Value(0), 0, 0, {}, true, false,
       "Frames dropped because even the fastest speed level could not keep up with the "
       "timestamps' pace (each answered with kVTEncodeInfo_FrameDropped). Extension."});
  // Default and value list: the backend's ID (PropertyTable).
  add({key::kEncoderID, Kind::kEnum, Value(), 0, 0, {}, true, false, "The encoder in use."});
  // clang-format on
  return d;
}

bool IsPositiveFinite(double v) {
  return std::isfinite(v) && v > 0;
}

}  // namespace

Status ValidatePropertyValue(const PropertyDescriptor& d, const Value& value, Value* normalized,
                             std::string* why) {
  *normalized = Value();
  if (value.IsNull()) return Status::kNoErr;
  auto fail = [&](const std::string& reason) {
    *why = std::string(d.key) + ": " + reason + " (got " + value.ToString() + ")";
    return Status::kParameterErr;
  };
  switch (d.kind) {
    case Kind::kBool: {
      bool b;
      if (!value.GetBool(&b)) return fail("expected a boolean");
      *normalized = Value(b);
      return Status::kNoErr;
    }
    case Kind::kInt: {
      std::int64_t i;
      if (!value.GetInt(&i)) return fail("expected a whole number");
      if (i < d.min || i > d.max)
        return fail("out of range " + std::to_string(std::int64_t(d.min)) + ".." +
                    std::to_string(std::int64_t(d.max)));
      *normalized = Value(i);
      return Status::kNoErr;
    }
    case Kind::kDouble: {
      double x;
      if (!value.GetDouble(&x)) return fail("expected a number");
      if (!std::isfinite(x) || x < d.min || x > d.max) return fail("out of range");
      *normalized = Value(x);
      return Status::kNoErr;
    }
    case Kind::kEnum: {
      std::string s;
      if (!value.GetString(&s)) return fail("expected a string");
      for (const auto& allowed : d.values)
        if (s == allowed) {
          *normalized = Value(s);
          return Status::kNoErr;
        }
      return fail("not a supported value");
    }
    case Kind::kString: {
      std::string s;
      if (!value.GetString(&s)) return fail("expected a string");
      std::string reason;
      if (d.check && d.check(s, &reason) != Status::kNoErr) {
        *why = std::string(d.key) + ": " + reason;
        return Status::kParameterErr;
      }
      *normalized = Value(s);
      return Status::kNoErr;
    }
    case Kind::kRateLimits: {
      if (!value.IsArray()) return fail("expected an array [bytes, seconds, ...]");
      const Array& a = value.AsArray();
      // VideoToolbox takes 0-2 pairs: no pair is no limit, as null (reads back as the default).
      if (a.empty()) return Status::kNoErr;
      if (a.size() % 2 != 0 || a.size() > 4)
        return fail("expected none, one or two [bytes, seconds] pairs");
      Array out;
      for (std::size_t i = 0; i < a.size(); i += 2) {
        double bytes, seconds;
        if (!a[i].GetDouble(&bytes) || !a[i + 1].GetDouble(&seconds))
          return fail("expected numbers");
        if (!IsPositiveFinite(bytes) || !IsPositiveFinite(seconds) || seconds > 3600 ||
            bytes > 1e12)
          return fail("bytes and seconds must be positive (seconds at most 3600)");
        // Under ~1 kbit/s x264's VBV cannot work.
        if (bytes * 8 / seconds < 1000) return fail("limit below 1000 bit/s");
        out.push_back(Value(bytes));
        out.push_back(Value(seconds));
      }
      *normalized = Value(out);
      return Status::kNoErr;
    }
    case Kind::kAspectRatio: {
      if (!value.IsDictionary()) return fail("expected {HorizontalSpacing, VerticalSpacing}");
      const Dictionary& dict = value.AsDictionary();
      auto h = dict.find(key::kHorizontalSpacing), v = dict.find(key::kVerticalSpacing);
      std::int64_t hs, vs;
      if (h == dict.end() || v == dict.end() || !h->second.GetInt(&hs) || !v->second.GetInt(&vs))
        return fail("expected whole-number HorizontalSpacing and VerticalSpacing");
      if (hs < 1 || vs < 1 || hs > 65535 || vs > 65535) return fail("spacing out of 1..65535");
      *normalized = Value(
          Dictionary{{key::kHorizontalSpacing, Value(hs)}, {key::kVerticalSpacing, Value(vs)}});
      return Status::kNoErr;
    }
    case Kind::kDictionary:
      return fail("read-only");
    case Kind::kData: {
      if (!value.IsData()) return fail("expected data (CFData)");
      const double size = double(value.AsData().size());
      if (size < d.min || size > d.max)
        return fail("expected " + std::to_string(int(d.min)) + " bytes, got " +
                    std::to_string(int(size)));
      *normalized = value;
      return Status::kNoErr;
    }
    case Kind::kMultiPassStorage: {
      if (!value.IsObject() || !std::dynamic_pointer_cast<const MultiPassStorage>(value.AsObject()))
        return fail("expected a MultiPassStorage");
      *normalized = value;
      return Status::kNoErr;
    }
  }
  return fail("unsupported");
}

namespace {

Status CheckGenericCombination(const Dictionary& values, std::string* why) {
  auto get_int = [&](const char* k, std::int64_t def) {
    auto it = values.find(k);
    std::int64_t v = def;
    if (it != values.end()) it->second.GetInt(&v);
    return v;
  };
  const std::int64_t min_qp = get_int(key::kMinAllowedFrameQP, -1);
  const std::int64_t max_qp = get_int(key::kMaxAllowedFrameQP, -1);
  if (min_qp >= 0 && max_qp >= 0 && min_qp > max_qp) {
    *why = "MinAllowedFrameQP " + std::to_string(min_qp) + " is above MaxAllowedFrameQP " +
           std::to_string(max_qp);
    return Status::kParameterErr;
  }
  if (get_int(key::kConstantBitRate, 0) > 0 &&
      (get_int(key::kAverageBitRate, 0) > 0 || values.count(key::kDataRateLimits))) {
    *why = "ConstantBitRate cannot be combined with AverageBitRate or DataRateLimits";
    return Status::kParameterErr;
  }
  const std::int64_t delay = get_int(key::kMaxFrameDelayCount, -1);
  const std::int64_t lookahead = get_int(key::kSuggestedLookAheadFrameCount, -1);
  if (delay >= 0 && lookahead > delay) {
    *why = "SuggestedLookAheadFrameCount " + std::to_string(lookahead) +
           " is above MaxFrameDelayCount " + std::to_string(delay);
    return Status::kParameterErr;
  }
  return Status::kNoErr;
}

EncoderConfig ResolveGeneric(const Dictionary& values, bool low_latency_rate_control) {
  EncoderConfig c;
  auto find = [&](const char* k) -> const Value* {
    auto it = values.find(k);
    return it == values.end() ? nullptr : &it->second;
  };
  auto i64 = [&](const char* k, std::int64_t def) {
    std::int64_t v = def;
    if (const Value* x = find(k)) x->GetInt(&v);
    return v;
  };
  auto dbl = [&](const char* k, double def) {
    double v = def;
    if (const Value* x = find(k)) x->GetDouble(&v);
    return v;
  };
  auto boolean = [&](const char* k, bool def) {
    bool v = def;
    if (const Value* x = find(k)) x->GetBool(&v);
    return v;
  };
  auto str = [&](const char* k) {
    std::string s;
    if (const Value* x = find(k)) x->GetString(&s);
    return s;
  };
  c.average_bit_rate = i64(key::kAverageBitRate, 0);
  if (const Value* v = find(key::kDataRateLimits)) {
    const Array& a = v->AsArray();
    for (std::size_t i = 0; i + 1 < a.size(); i += 2) {
      double bytes = 0, seconds = 0;
      a[i].GetDouble(&bytes);
      a[i + 1].GetDouble(&seconds);
      c.data_rate_limits.emplace_back(bytes, seconds);
    }
  }
  c.constant_bit_rate = i64(key::kConstantBitRate, 0);
  if (find(key::kQuality)) c.quality = dbl(key::kQuality, 0.5);
  c.real_time = boolean(key::kRealTime, false);
  c.allow_frame_reordering = boolean(key::kAllowFrameReordering, true);
  c.allow_temporal_compression = boolean(key::kAllowTemporalCompression, true);
  c.max_key_frame_interval = int(i64(key::kMaxKeyFrameInterval, 0));
  c.max_key_frame_interval_duration = dbl(key::kMaxKeyFrameIntervalDuration, 0);
  c.expected_frame_rate = dbl(key::kExpectedFrameRate, 0);
  c.max_frame_delay_count = int(i64(key::kMaxFrameDelayCount, -1));
  c.min_qp = int(i64(key::kMinAllowedFrameQP, -1));
  c.max_qp = int(i64(key::kMaxAllowedFrameQP, -1));
  c.prioritize_speed = boolean(key::kPrioritizeEncodingSpeedOverQuality, false);
  c.reference_buffer_count = int(i64(key::kReferenceBufferCount, 0));
  c.lookahead = int(i64(key::kSuggestedLookAheadFrameCount, -1));
  c.spatial_aq_level = int(i64(key::kSpatialAdaptiveQPLevel, -1));
  c.color_primaries = str(key::kColorPrimaries);
  c.transfer_function = str(key::kTransferFunction);
  c.ycbcr_matrix = str(key::kYCbCrMatrix);
  if (const Value* v = find(key::kMasteringDisplayColorVolume)) c.mastering_display = v->AsData();
  if (const Value* v = find(key::kContentLightLevelInfo)) c.content_light_level = v->AsData();
  if (const Value* v = find(key::kPixelAspectRatio)) {
    std::int64_t h = 0, w = 0;
    v->AsDictionary().at(key::kHorizontalSpacing).GetInt(&h);
    v->AsDictionary().at(key::kVerticalSpacing).GetInt(&w);
    c.par_h = int(h);
    c.par_v = int(w);
  }
  c.field_count = int(i64(key::kFieldCount, 1));
  c.field_detail = str(key::kFieldDetail);
  c.source_frame_count = i64(key::kSourceFrameCount, 0);
  c.expected_duration = dbl(key::kExpectedDuration, 0);
  c.calculate_mse = boolean(key::kCalculateMeanSquaredError, false);
  c.release_source_on_import = boolean(key::kReleaseSourceBufferOnImport, false);
  c.intra_refresh = boolean(key::kIntraRefresh, false);
  c.low_latency_rate_control = low_latency_rate_control;
  return c;
}

}  // namespace

std::string EncoderConfig::ResolvedSpeedPreset() const {
  if (speed_preset != "auto" && !speed_preset.empty()) return speed_preset;
  // Quality picks the preset only when it is the rate-control target (no bit rate).
  const bool quality_mode = average_bit_rate == 0 && constant_bit_rate == 0;
  const double q = quality_mode && quality ? *quality : 0.5;
  if (prioritize_speed) return "superfast";
  // RealTime: the governor moves the analysis between x264's superfast and medium, opened
  // from medium (x264_speed.h).
  if (real_time) return "medium";
  return q >= 0.9 ? "slow" : "medium";
}

int EncoderConfig::FrameDelayBudget() const {
  if (max_frame_delay_count >= 0) return max_frame_delay_count;
  return real_time ? kRealTimeFrameDelay : -1;
}

bool EncoderConfig::HasZeroLatencyTune() const {
  // x264 splits tunes at any of ",./-+".
  std::size_t start = 0;
  while (start <= tune.size()) {
    std::size_t end = tune.find_first_of(",./-+", start);
    if (end == std::string::npos) end = tune.size();
    if (tune.compare(start, end - start, "zerolatency") == 0) return true;
    start = end + 1;
  }
  return false;
}

bool EncoderConfig::UsesVbv() const {
  return average_bit_rate > 0 || constant_bit_rate > 0 || !data_rate_limits.empty();
}

PropertyTable::PropertyTable(const Backend& backend) : backend_(backend) {
  rows_ = BuildDescriptors();
  for (auto& d : rows_)
    if (std::string(d.key) == key::kEncoderID) {
      d.default_value = Value(backend.encoder_id);
      d.values = {backend.encoder_id};
    }
  // The generic texts say what the VideoToolbox key means; the backend's note says what its
  // encoder does with it.
  for (const auto& [k, note] : backend.key_notes())
    for (auto& d : rows_)
      if (std::string(d.key) == k) {
        documentation_.push_back(std::string(d.documentation) + " " + note);
        d.documentation = documentation_.back().c_str();
      }
  const auto& own = backend.property_rows();
  rows_.insert(rows_.end(), own.begin(), own.end());
}

const PropertyTable& PropertyTable::For(const Backend& backend) {
  // Built once per backend; backends are static, so the tables live as long as the program.
  // Never destroyed: sessions may outlive static destruction at exit.
  static std::mutex* mu = new std::mutex;
  static auto* tables = new std::map<const Backend*, std::unique_ptr<const PropertyTable>>;
  std::lock_guard<std::mutex> lock(*mu);
  auto& t = (*tables)[&backend];
  if (!t) t.reset(new PropertyTable(backend));
  return *t;
}

const PropertyDescriptor* PropertyTable::Find(const std::string& key) const {
  for (const auto& d : rows_)
    if (key == d.key) return &d;
  return nullptr;
}

Status PropertyTable::CheckCombination(const Dictionary& values, std::string* why) const {
  if (Status st = CheckGenericCombination(values, why); st != Status::kNoErr) return st;
  return backend_.check_combination(values, why);
}

EncoderConfig PropertyTable::Resolve(const Dictionary& values,
                                     bool low_latency_rate_control) const {
  EncoderConfig c = ResolveGeneric(values, low_latency_rate_control);
  backend_.resolve(values, &c);
  return c;
}

EncoderConfig::Change PropertyTable::ChangeFrom(const EncoderConfig& before,
                                                const EncoderConfig& after) const {
  return backend_.change_rule(before, after);
}

Dictionary PropertyTable::SupportedPropertyDictionary() const {
  Dictionary out;
  for (const auto& d : rows_) {
    Dictionary e;
    const char* type = "Number";
    switch (d.kind) {
      case Kind::kBool:
        type = "Boolean";
        break;
      case Kind::kInt:
      case Kind::kDouble:
        type = "Number";
        break;
      case Kind::kEnum:
        type = "Enumeration";
        break;
      case Kind::kString:
        type = "String";
        break;
      case Kind::kRateLimits:
        type = "Array";
        break;
      case Kind::kAspectRatio:
      case Kind::kDictionary:
        type = "Dictionary";
        break;
      case Kind::kMultiPassStorage:
        type = "MultiPassStorage";
        break;
      case Kind::kData:
        type = "Data";
        break;
    }
    e[key::kPropertyType] = Value(type);
    e[key::kReadWriteStatus] = Value(d.read_only ? "ReadOnly" : "ReadWrite");
    if (d.kind == Kind::kInt && !d.read_only) {
      e[key::kSupportedValueMinimum] = Value(std::int64_t(d.min));
      e[key::kSupportedValueMaximum] = Value(std::int64_t(d.max));
    } else if (d.kind == Kind::kDouble) {
      e[key::kSupportedValueMinimum] = Value(d.min);
      e[key::kSupportedValueMaximum] = Value(d.max);
    }
    if (d.kind == Kind::kEnum) {
      Array list;
      for (const auto& v : d.values) list.push_back(Value(v));
      e[key::kSupportedValueList] = Value(list);
    }
    e[key::kDocumentation] = Value(d.documentation);
    e[key::kDefaultValue] = d.default_value;
    e[key::kChangeableBetweenFrames] = Value(d.changeable_between_frames);
    out[d.key] = Value(e);
  }
  return out;
}

}  // namespace vtc
