// SPDX-License-Identifier: GPL-2.0-or-later
// The encoder elements' properties: one table row per property says how it is installed, where
// its value lives, which session keys it maps to and whether it may change while PLAYING. Install,
// set, get, GST_PARAM_MUTABLE_PLAYING and the session's dictionaries (encoder specification,
// compression properties, pool attributes) all come from the rows. GstVtcEncoder owns the common
// rows (CommonProperties()); a codec element adds its own (gstvth264enc.cpp: entropy-mode, the
// x264 knobs, ...), whose values live in slots of Settings::codec.
#pragma once

#include <gst/gst.h>

#include <atomic>
#include <string>
#include <type_traits>
#include <vector>

#include "vtcompress/compression_session.h"
#include "vtcompress/value.h"

G_BEGIN_DECLS

typedef enum {
  GST_VTC_RATE_CONTROL_ABR,
  GST_VTC_RATE_CONTROL_CBR,
} GstVtcRateControl;

// x264enc's GstX264EncPreset numbers, with "auto" where x264enc has "None". x265's presets have
// the same names, so a codec element's speed-preset row can share this type.
typedef enum {
  GST_VTC_SPEED_PRESET_AUTO,
  GST_VTC_SPEED_PRESET_ULTRAFAST,
  GST_VTC_SPEED_PRESET_SUPERFAST,
  GST_VTC_SPEED_PRESET_VERYFAST,
  GST_VTC_SPEED_PRESET_FASTER,
  GST_VTC_SPEED_PRESET_FAST,
  GST_VTC_SPEED_PRESET_MEDIUM,
  GST_VTC_SPEED_PRESET_SLOW,
  GST_VTC_SPEED_PRESET_SLOWER,
  GST_VTC_SPEED_PRESET_VERYSLOW,
  GST_VTC_SPEED_PRESET_PLACEBO,
} GstVtcSpeedPreset;

// x264enc's GstX264EncPass numbers: 0 is one pass (x264enc's "cbr"), 17 and 18 the two passes.
// vth264enc also takes x264enc's one-pass quant (4) and qual (5) and its pass3 (19), which runs
// as a second pass (gstvth264enc_compat.h); vth265enc only single, pass1 and pass2.
typedef enum {
  GST_VTC_PASS_SINGLE = 0,
  GST_VTC_PASS_QUANT = 4,
  GST_VTC_PASS_QUAL = 5,
  GST_VTC_PASS_PASS1 = 17,
  GST_VTC_PASS_PASS2 = 18,
  GST_VTC_PASS_PASS3 = 19,
} GstVtcPass;

G_END_DECLS

namespace gstvtc {

// Whether `pass` runs a pass of a multi-pass encode (pass1, pass2, pass3), with statistics in
// multipass-cache-file; the others are one-pass encodes.
inline bool IsMultiPass(GstVtcPass pass) {
  return pass == GST_VTC_PASS_PASS1 || pass == GST_VTC_PASS_PASS2 || pass == GST_VTC_PASS_PASS3;
}

// The GEnum type of GstVtcSpeedPreset ("GstVtcSpeedPreset"), and the session's text for a value
// ("auto", "ultrafast", ...).
GType SpeedPresetType();
const char* SpeedPresetName(GstVtcSpeedPreset preset);

// A GValue with value semantics (copies copy the value), for the codec rows' slots.
class ValueSlot {
 public:
  ValueSlot() = default;
  ValueSlot(const ValueSlot& other) { *this = other; }
  ValueSlot& operator=(const ValueSlot& other);
  ~ValueSlot() { Reset(); }
  // Holds a copy of `value` (its type becomes the slot's type).
  void Assign(const GValue* value);
  const GValue* get() const { return &value_; }
  bool empty() const { return !G_IS_VALUE(&value_); }

 private:
  void Reset();
  GValue value_ = G_VALUE_INIT;
};

// Values of the writable properties. Guarded by the element's OBJECT_LOCK; the streaming thread
// works on copies. Every instance starts from its pspecs' defaults (PropertyTable::Init); the
// initialisers here are the common rows' defaults (encoder-id and multipass-cache-file default
// per element, from ClassDefaults).
struct Settings {
  guint bitrate = 0;  // kbit/s
  GstVtcRateControl rate_control = GST_VTC_RATE_CONTROL_ABR;
  std::string data_rate_limits = "0,0";
  gdouble quality = 0.5;
  gboolean realtime = FALSE;
  gboolean allow_frame_reordering = TRUE;
  gboolean allow_temporal_compression = TRUE;
  gint max_keyframe_interval = 0;
  guint64 max_keyframe_interval_duration = 0;  // ns
  gint max_frame_delay_count = -1;
  gint min_qp = -1, max_qp = -1;
  gboolean prioritize_speed = FALSE;
  gint reference_buffer_count = 0;
  gint lookahead = -1;
  gboolean spatial_aq = TRUE;
  std::string encoder_id;
  gboolean enable_hardware = TRUE;
  gboolean require_hardware = FALSE;
  gboolean low_latency_rate_control = FALSE;
  gboolean intra_refresh = FALSE;  // session extension key IntraRefresh
  guint bytes_per_row_alignment = 64;
  guint pool_min_buffers = 0, pool_max_buffers = 0;
  // Two-pass file encoding (session MultiPassStorage): the statistics file both runs share.
  GstVtcPass pass = GST_VTC_PASS_SINGLE;
  std::string multipass_cache_file;
  // The codec element's own properties, one slot per codec row, in the order of its table.
  std::vector<ValueSlot> codec;
};

// Where a row's session keys go.
enum class Target {
  kNone,                  // element state, no session key (frames-dropped)
  kCompression,           // compression properties (VTSessionSetProperty)
  kEncoderSpecification,  // VTCompressionSessionCreate's encoder specification
  kPoolAttributes,        // VTCompressionSessionCreate's source pixel buffer attributes
  kSessionReadOnly,       // read from the running session (read-only property; no Settings value)
};

// Element-specific defaults and texts of the common rows, from the element's class.
struct ClassDefaults {
  const char* encoder_id;            // encoder-id's default: the codec's encoder
  const char* multipass_cache_file;  // multipass-cache-file's default ("vth264enc.log")
};

// How a value of Settings is read and written: a member (Member<&Settings::bitrate>()), or
// null functions for a codec row, whose value lives in its Settings::codec slot.
struct Field {
  void (*set)(Settings* s, const GValue* value) = nullptr;
  void (*get)(const Settings& s, GValue* value) = nullptr;
};

// One property.
struct PropertyRow {
  // Makes the pspec with these flags (READWRITE + MUTABLE_READY or MUTABLE_PLAYING from `live`,
  // or READABLE for Target::kSessionReadOnly and kNone).
  GParamSpec* (*make)(const ClassDefaults& defaults, GParamFlags flags);
  Field field;
  Target target;
  // The session keys the property maps to (in `target`'s dictionary). A live row's keys are set
  // on the running session when the property changes; every one must be ChangeableBetweenFrames.
  std::vector<const char*> keys;
  bool live;  // GST_PARAM_MUTABLE_PLAYING: changes apply to the running session
  // Writes the row's keys for `value` (the row's own value) and the other settings into `out`;
  // a key left out takes the session's default. Null: the row sets nothing itself (rate-control
  // steers bitrate's and data-rate-limits' keys; the base class sets MultiPassStorage).
  void (*apply)(const GValue& value, const Settings& all, vtc::Dictionary* out) = nullptr;
  // Checks a value beyond the pspec's range (null: none); false with *error set refuses it.
  bool (*check)(const GValue* value, std::string* error) = nullptr;
  // A codec row (value in a Settings::codec slot) that applies only once set, as x264enc's x264
  // knobs override its speed preset only when set: until then Build skips its apply (the encoder
  // keeps its own choice) and reads give the pspec's default. Setting the default value counts
  // as set.
  bool when_set = false;
};

// The common rows (every property but the codec element's own).
const std::vector<PropertyRow>& CommonProperties();

// One element class's installed rows: the common ones, then the codec element's.
class PropertyTable {
 public:
  struct Entry {
    const PropertyRow* row;
    GParamSpec* pspec;
    int slot;  // index in Settings::codec, or -1
  };

  // Installs `common` and `codec` rows on `klass` (property ids 1..N) and remembers each row on
  // its pspec. A codec row named as a common row replaces it (vth264enc's pass takes x264enc's
  // values). The table lives as long as the class (for ever).
  static const PropertyTable* Install(GObjectClass* klass, const ClassDefaults& defaults,
                                      const std::vector<PropertyRow>& common,
                                      const PropertyRow* codec, std::size_t n_codec);
  // The entry of a pspec installed by a table, or null.
  static const Entry* Find(const GParamSpec* pspec);

  const std::vector<Entry>& entries() const { return entries_; }
  // The entry of the property called `name`, or null.
  const Entry* Lookup(const char* name) const;
  // Whether the value is set: always for a row without when_set.
  bool IsSet(const Settings& s, const Entry& e) const;
  // A when_set row back to not set (its pspec's default, the encoder's own choice); nothing for
  // other rows. OBJECT_LOCK held by the caller.
  void Unset(Settings* s, const Entry& e) const;

  // Every value at its pspec's default.
  void Init(Settings* s) const;
  // Stores a value (OBJECT_LOCK held by the caller). False, with *error set, if a row's check
  // refuses it (the old value stays).
  bool Set(Settings* s, const Entry& e, const GValue* value, std::string* error) const;
  // The value of a settings row, into `value` (initialised to the pspec's type by the caller).
  void Get(const Settings& s, const Entry& e, GValue* value) const;

  // The session keys of every row with this target.
  vtc::Dictionary Build(const Settings& s, Target target) const;
  // The keys one live row sets on a session running in `rate_control` mode: its keys from
  // Build(kCompression), null where a key is left out (the session's default).
  vtc::Dictionary LiveChange(const Settings& s, const Entry& e,
                             GstVtcRateControl rate_control) const;

 private:
  std::vector<Entry> entries_;
  int n_slots_ = 0;
};

// A member of Settings as a Field. Enum members take enum values, std::string strings (null
// stores ""), gint booleans or ints, guint flags or uints, after the pspec's type.
template <auto M>
Field Member();

// "kbps,seconds" -> DataRateLimits [bytes, seconds], or null for "0,0"; FALSE if malformed.
gboolean ParseDataRateLimits(const std::string& text, vtc::Value* out);

// The read-only session properties (Target::kSessionReadOnly): the key's value on `session` as
// the pspec's type (seconds become nanoseconds for a guint64), or the pspec's default without
// a session or a value yet.
void ReadSessionProperty(vtc::CompressionSession* session, const PropertyTable::Entry& e,
                         GValue* value);

// intra-refresh=true: a force-key-unit request without all-headers (what GStreamer's RTP session
// sends for a PLI; a FIR comes with all-headers) is answered with a refresh wave at the first
// frame of its running time, not a key frame (docs/properties.md). The element keeps such requests
// from the base class, which would hold each until a sync point that may never come. Events come
// on any thread, frames on the streaming thread.
class RefreshRequests {
 public:
  // True if `event` is such a request: then it is taken (the caller unrefs the event).
  bool Take(GstEvent* event);
  // Whether a frame at this running time (NONE: unknown) answers the requests taken so far; they
  // are then forgotten. Requests before that frame make one wave, from the earliest's time.
  bool Due(GstClockTime running_time);

 private:
  std::atomic<guint64> at_{GST_CLOCK_TIME_NONE};  // the earliest running time asked for; 0: now
};

// Whether these settings code losslessly (quality 1.0 with no bit rate and no limits), which in
// the High profile x264 writes as High 4:4:4 Predictive (GStreamer's profile "high-4:4:4").
bool IsLossless(const Settings& s);

// --- Member<> -------------------------------------------------------------------------------

namespace detail {

template <typename T>
void Store(T* to, const GValue* v) {
  if constexpr (std::is_enum_v<T>) {
    *to = T(g_value_get_enum(v));
  } else if constexpr (std::is_same_v<T, std::string>) {
    const gchar* s = g_value_get_string(v);
    *to = s ? s : "";
  } else if constexpr (std::is_same_v<T, gdouble>) {
    *to = g_value_get_double(v);
  } else if constexpr (std::is_same_v<T, guint64>) {
    *to = g_value_get_uint64(v);
  } else if constexpr (std::is_same_v<T, guint>) {
    *to = G_VALUE_HOLDS_FLAGS(v) ? g_value_get_flags(v) : g_value_get_uint(v);
  } else {
    static_assert(std::is_same_v<T, gint>, "a Settings member of an unsupported type");
    *to = G_VALUE_HOLDS_BOOLEAN(v) ? g_value_get_boolean(v) : g_value_get_int(v);
  }
}

template <typename T>
void Load(const T& from, GValue* v) {
  if constexpr (std::is_enum_v<T>) {
    g_value_set_enum(v, gint(from));
  } else if constexpr (std::is_same_v<T, std::string>) {
    g_value_set_string(v, from.c_str());
  } else if constexpr (std::is_same_v<T, gdouble>) {
    g_value_set_double(v, from);
  } else if constexpr (std::is_same_v<T, guint64>) {
    g_value_set_uint64(v, from);
  } else if constexpr (std::is_same_v<T, guint>) {
    if (G_VALUE_HOLDS_FLAGS(v))
      g_value_set_flags(v, from);
    else
      g_value_set_uint(v, from);
  } else {
    if (G_VALUE_HOLDS_BOOLEAN(v))
      g_value_set_boolean(v, from);
    else
      g_value_set_int(v, from);
  }
}

}  // namespace detail

template <auto M>
Field Member() {
  Field f;
  f.set = [](Settings* s, const GValue* v) { detail::Store(&(s->*M), v); };
  f.get = [](const Settings& s, GValue* v) { detail::Load(s.*M, v); };
  return f;
}

}  // namespace gstvtc
