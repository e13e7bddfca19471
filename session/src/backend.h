// SPDX-License-Identifier: GPL-2.0-or-later
// The registry of encoder backends. Each backend is one codec on one library (x264 for 'avc1';
// x265 for 'hvc1'): what CopyVideoEncoderList lists, what Create looks up by codec type
// and EncoderID, and what the session consults for the backend's own property rows, how set
// values resolve into an EncoderConfig and which changes a running encoder can take.
//
// Lifetime and threading: entries are static and immutable; any thread may read them.
#pragma once

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "encoder.h"
#include "properties.h"

namespace vtc {

struct Backend {
  CodecType codec_type;
  const char* encoder_id;    // kVTVideoEncoderSpecification_EncoderID
  const char* codec_name;    // "H.264"
  const char* encoder_name;  // "x264"
  const char* display_name;  // "H.264 (x264)"
  bool hardware_accelerated;
  bool supports_frame_reordering;

  // A new, closed encoder. `logger` outlives it.
  std::unique_ptr<VideoEncoder> (*create)(const Logger* logger);
  // The backend's compression-property rows (its profile/level values, its extension keys),
  // added to the generic VideoToolbox rows of properties.cpp.
  const std::vector<PropertyDescriptor>& (*property_rows)();
  // What generic keys do in this backend's encoder: (key, note) pairs, each note appended to
  // the key's codec-neutral documentation (so an HEVC session never reads x264's facts).
  const std::vector<std::pair<const char*, const char*>>& (*key_notes)();
  // Fills the config fields its rows feed (profile, level, entropy, speed preset, tune,
  // threads, options) from the set values; unset keys take their defaults.
  void (*resolve)(const Dictionary& values, EncoderConfig* config);
  // Combinations of set values the backend cannot code (kParameterErr and *why), after the
  // generic checks passed.
  Status (*check_combination)(const Dictionary& values, std::string* why);
  // How a running encoder opened with `before` takes `after`: not at all (kNone; keyframe keys
  // are applied by the session), reconfigured between frames, or only by a new instance.
  EncoderConfig::Change (*change_rule)(const EncoderConfig& before, const EncoderConfig& after);
};

// Every backend, in CopyVideoEncoderList's order.
const std::vector<const Backend*>& Backends();

// The backend for codec_type, or with a non-empty encoder_id the one with that ID; null if
// none (Create then answers kVTCouldNotFindVideoEncoderErr).
const Backend* FindBackend(CodecType codec_type, const std::string& encoder_id);

// The backends, defined beside their encoders.
extern const Backend kX264Backend;
extern const Backend kX265Backend;

}  // namespace vtc
