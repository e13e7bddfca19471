// SPDX-License-Identifier: GPL-2.0-or-later
// The compression-property table: each key's type, default, range, and whether it may change
// between frames; validation of single values and of combinations; and the typed configuration
// the encoder backend is built from.
#pragma once

#include <deque>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "vtcompress/compression_session.h"
#include "vtcompress/status.h"
#include "vtcompress/value.h"

namespace vtc {

struct PropertyDescriptor {
  enum class Kind {
    kBool,
    kInt,
    kDouble,
    kEnum,
    kString,
    kRateLimits,
    kAspectRatio,
    kDictionary,
    kMultiPassStorage,
    kData  // bytes; min and max give the allowed sizes
  };
  const char* key;
  Kind kind;
  Value default_value;              // null = "unset" (the encoder decides)
  double min = 0, max = 0;          // for kInt / kDouble
  std::vector<std::string> values;  // for kEnum
  bool read_only = false;
  bool changeable_between_frames = false;
  const char* documentation = "";
  // For kString: checks the text; kParameterErr and *why (naming the bad part) if it is wrong.
  Status (*check)(const std::string& text, std::string* why) = nullptr;
};

// Type and range check of one value; on success *normalized holds the stored form (ints as
// integers, numbers as doubles, ...). Null is always valid (it restores the default).
Status ValidatePropertyValue(const PropertyDescriptor& d, const Value& value, Value* normalized,
                             std::string* why);

// The resolved configuration: every key with its default filled in.
struct EncoderConfig {
  std::int64_t average_bit_rate = 0;                        // bit/s; 0 = not set
  std::vector<std::pair<double, double>> data_rate_limits;  // (bytes, seconds)
  std::int64_t constant_bit_rate = 0;                       // bit/s; 0 = not set
  std::optional<double> quality;                            // 0..1
  bool real_time = false;
  // Baseline, ConstrainedBaseline, Main, High, ConstrainedHigh, High10, High422, High444.
  std::string profile = "High";
  int level_idc = 0;  // 0 = AutoLevel, else 13, 30, 31, ...
  // ProfileLevel unset: the profile follows the source's format (the backend picks the profile
  // of what the encoder is fed); `profile` is then the backend's default.
  bool profile_from_source = false;
  // What the profile codes, from the backend's profile table: chroma_format_idc (1 4:2:0,
  // 2 4:2:2, 3 4:4:4) and bit depth (0: the source's). Read by the pixel transfer.
  int profile_chroma_format_idc = 1;
  int profile_bit_depth = 8;
  // The backend takes planar Y/Cb/Cr pictures only (x265): bi-planar sources are converted.
  bool planar_input_only = false;
  // The deepest samples the backend codes (x264 10, x265 12): deeper sources are converted.
  int max_bit_depth = 10;
  bool allow_frame_reordering = true;
  bool allow_temporal_compression = true;
  int max_key_frame_interval = 0;
  double max_key_frame_interval_duration = 0;
  double expected_frame_rate = 0;
  int max_frame_delay_count = -1;
  std::string entropy_mode;      // "", "CAVLC", "CABAC"
  int min_qp = -1, max_qp = -1;  // -1 = not set
  bool prioritize_speed = false;
  int reference_buffer_count = 0;  // 0 = preset default
  int lookahead = -1;              // -1 = preset default
  int spatial_aq_level = -1;       // -1 default, 0 disabled
  int max_slice_bytes = 0;
  std::string color_primaries, transfer_function, ycbcr_matrix;
  // HDR static metadata as the keys hold it (keys.h): 24 and 4 bytes, or empty.
  Data mastering_display, content_light_level;
  int par_h = 0, par_v = 0;
  int field_count = 1;       // 2: interlaced
  std::string field_detail;  // FieldDetail; "" = top field first
  std::int64_t source_frame_count = 0;
  double expected_duration = 0;
  bool calculate_mse = false;
  // The backend's own keys (X264SpeedPreset, X264Tune, ...), filled by its resolve rule.
  std::string speed_preset = "auto";  // "auto" or a preset name
  std::string tune;                   // tune(s), "" = none
  int threads = 0;                    // 0 = the library decides
  std::string options;  // the backend's option string "key=value:...", applied after the keys
  // Extension key ReleaseSourceBufferOnImport: the session's own, never changes x264.
  bool release_source_on_import = false;
  // Extension key IntraRefresh: refresh waves instead of periodic key frames (open-only).
  bool intra_refresh = false;
  // From the encoder specification.
  bool low_latency_rate_control = false;

  // How a change of config can be applied to a running encoder (the backend's change rule).
  enum class Change { kNone, kReconfigure, kRestart };
  // True if rate control is bitrate-driven (ABR/CBR) or VBV-capped, which fixes x264's mode.
  bool UsesVbv() const;
  // The x264 preset in use: speed_preset, or for "auto" the choice from
  // PrioritizeEncodingSpeedOverQuality, RealTime and Quality (table in docs/properties.md).
  std::string ResolvedSpeedPreset() const;
  // True if RealTime's speed governor picks the analysis settings: RealTime with X264SpeedPreset
  // auto and PrioritizeEncodingSpeedOverQuality off (an explicit preset is a fixed choice).
  bool SpeedGoverned() const {
    return real_time && (speed_preset == "auto" || speed_preset.empty()) && !prioritize_speed;
  }
  // The delay budget x264 is opened with: MaxFrameDelayCount, or with RealTime and no
  // MaxFrameDelayCount kRealTimeFrameDelay; -1 = unlimited.
  int FrameDelayBudget() const;
  // True if `tune` includes x264's "zerolatency".
  bool HasZeroLatencyTune() const;
};

// The most RealTime may hold when MaxFrameDelayCount is not set (100 ms at 30 fps); governed,
// the x264 backend uses none of it at a known frame rate (docs/realtime.md).
constexpr int kRealTimeFrameDelay = 3;

struct Backend;

// The property rows of a session on one backend: the generic VideoToolbox keys of this file
// followed by the backend's own rows (backend.h), and the rules over them. One table per
// backend, built on first use and immutable after; any thread may use it.
class PropertyTable {
 public:
  static const PropertyTable& For(const Backend& backend);

  const Backend& backend() const { return backend_; }
  const std::vector<PropertyDescriptor>& rows() const { return rows_; }
  const PropertyDescriptor* Find(const std::string& key) const;
  // CopySupportedPropertyDictionary's answer for the settable and read-only keys.
  Dictionary SupportedPropertyDictionary() const;
  // Checks that the properties make sense together (QP bounds ordered, CBR alone, then the
  // backend's rules: entropy mode allowed by the profile, ...). `values` holds the set keys.
  Status CheckCombination(const Dictionary& values, std::string* why) const;
  // The resolved configuration: every key with its default filled in.
  EncoderConfig Resolve(const Dictionary& values, bool low_latency_rate_control) const;
  // How a running encoder opened with `before` takes `after` (the backend's rule).
  EncoderConfig::Change ChangeFrom(const EncoderConfig& before, const EncoderConfig& after) const;

 private:
  explicit PropertyTable(const Backend& backend);
  PropertyTable(const PropertyTable&) = delete;
  PropertyTable& operator=(const PropertyTable&) = delete;
  const Backend& backend_;
  std::vector<PropertyDescriptor> rows_;
  // The generic rows' texts joined with the backend's notes (rows_ point into them; a deque
  // keeps them in place as it grows).
  std::deque<std::string> documentation_;
};

}  // namespace vtc
