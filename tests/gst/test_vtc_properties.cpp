// SPDX-License-Identifier: GPL-2.0-or-later
// The encoder elements' property table against the session: every property comes from a row,
// GST_PARAM_MUTABLE_PLAYING follows the row, a property mutable in PLAYING maps only to keys the
// session reports ChangeableBetweenFrames (else a live change would be refused or ignored by a
// running session), every key a row names exists in the session's supported-property dictionary,
// and a row changes no session key it does not name. Links the element library (not the plugin):
// the rows are internal.
#include <gst/check/gstcheck.h>

#include <set>
#include <string>
#include <vector>

#include "gstvtcencoder.h"
#include "gstvth264enc.h"
#include "gstvth265enc.h"
#include "test_util.h"
#include "vtcompress/compression_session.h"
#include "vtcompress/keys.h"

namespace {

using gstvtc::PropertyRow;
using gstvtc::PropertyTable;
using gstvtc::Target;

// Every element on GstVtcEncoder (one entry a codec).
std::vector<GType> ElementTypes() {
  return {GST_TYPE_VT_H264_ENC, GST_TYPE_VT_H265_ENC};
}

vtc::Dictionary SupportedProperties(vtc::CodecType codec) {
  vtc::CompressionSessionRef session;
  vtc::Status st =
      vtc::CompressionSession::Create(64, 64, codec, nullptr, nullptr, nullptr, nullptr, &session);
  fail_unless(st == vtc::Status::kNoErr, "no session for the codec: %d", int(st));
  vtc::Dictionary supported;
  fail_unless(session->CopySupportedPropertyDictionary(&supported) == vtc::Status::kNoErr);
  session->Invalidate();
  return supported;
}

bool EntryFlag(const vtc::Dictionary& supported, const std::string& key, const char* flag) {
  const vtc::Dictionary& entry = supported.at(key).AsDictionary();
  auto it = entry.find(flag);
  bool b = false;
  return it != entry.end() && it->second.GetBool(&b) && b;
}

std::string EntryString(const vtc::Dictionary& supported, const std::string& key,
                        const char* field) {
  const vtc::Dictionary& entry = supported.at(key).AsDictionary();
  auto it = entry.find(field);
  std::string s;
  if (it != entry.end()) it->second.GetString(&s);
  return s;
}

// What is wrong with one row against the session's dictionary ("" if nothing).
std::string CheckRow(const char* name, const PropertyRow& row, const vtc::Dictionary& supported) {
  std::string problems;
  auto problem = [&](const std::string& p) { problems += std::string(name) + ": " + p + "; "; };
  // `preset` is the one live row that sets no key itself: it sets other properties (each
  // checked here on its own).
  if (row.live && std::string(name) != "preset" &&
      (row.target != Target::kCompression || row.keys.empty()))
    problem("mutable in PLAYING but sets no compression property on the running session");
  for (const char* key : row.keys) {
    const bool known = supported.count(key) > 0;
    switch (row.target) {
      case Target::kCompression:
        if (!known) {
          problem(std::string("key ") + key + " is not a supported property");
        } else if (EntryString(supported, key, vtc::key::kReadWriteStatus) != "ReadWrite") {
          problem(std::string("key ") + key + " is read-only");
        } else if (row.live && !EntryFlag(supported, key, vtc::key::kChangeableBetweenFrames)) {
          problem(std::string("mutable in PLAYING, but key ") + key +
                  " only applies before the first frame (not ChangeableBetweenFrames)");
        }
        break;
      case Target::kSessionReadOnly:
        if (!known) problem(std::string("key ") + key + " is not a supported property");
        break;
      case Target::kEncoderSpecification:
      case Target::kPoolAttributes:
        // Keys of VTCompressionSessionCreate: they cannot change on a running session.
        if (row.live) problem(std::string("mutable in PLAYING, but ") + key + " is a create key");
        break;
      case Target::kNone:
        problem("names a key without a target");
        break;
    }
  }
  return problems;
}

struct ClassRef {
  explicit ClassRef(GType type) : klass(static_cast<GstVtcEncoderClass*>(g_type_class_ref(type))) {}
  ~ClassRef() { g_type_class_unref(klass); }
  GstVtcEncoderClass* klass;
};

}  // namespace

GST_START_TEST(test_properties_live_keys_changeable) {
  for (GType type : ElementTypes()) {
    ClassRef ref(type);
    const vtc::Dictionary supported = SupportedProperties(ref.klass->codec_type);
    guint n = 0;
    GParamSpec** specs = g_object_class_list_properties(G_OBJECT_CLASS(ref.klass), &n);
    int rows = 0, live = 0;
    std::string problems;
    for (guint i = 0; i < n; i++) {
      GParamSpec* ps = specs[i];
      if (!g_type_is_a(ps->owner_type, GST_TYPE_VTC_ENCODER)) continue;  // GstObject's name...
      const PropertyTable::Entry* e = PropertyTable::Find(ps);
      fail_unless(e != nullptr, "%s: %s is not from the property table", g_type_name(type),
                  ps->name);
      ++rows;
      const bool mutable_playing = (ps->flags & GST_PARAM_MUTABLE_PLAYING) != 0;
      fail_unless(mutable_playing == e->row->live, "%s: MUTABLE_PLAYING differs from the row",
                  ps->name);
      live += mutable_playing;
      problems += CheckRow(ps->name, *e->row, supported);
    }
    g_free(specs);
    fail_unless(problems.empty(), "%s: %s", g_type_name(type), problems.c_str());
    fail_unless(rows == int(ref.klass->properties->entries().size()), "%d of %d rows installed",
                rows, int(ref.klass->properties->entries().size()));
    fail_unless(live >= 5, "only %d properties mutable in PLAYING", live);
  }
}
GST_END_TEST;

// The check above catches a restart-only property marked mutable, and a key the session lacks.
GST_START_TEST(test_properties_check_catches_mistakes) {
  ClassRef ref(GST_TYPE_VT_H264_ENC);
  const vtc::Dictionary supported = SupportedProperties(ref.klass->codec_type);
  const PropertyTable::Entry* delay = nullptr;
  for (const PropertyTable::Entry& e : ref.klass->properties->entries())
    if (g_strcmp0(e.pspec->name, "max-frame-delay-count") == 0) delay = &e;
  fail_unless(delay != nullptr && !delay->row->live);
  PropertyRow marked_live = *delay->row;
  marked_live.live = true;
  fail_if(CheckRow("max-frame-delay-count", marked_live, supported).empty(),
          "a restart-only property marked live passed");
  PropertyRow unknown = *delay->row;
  unknown.keys = {"NoSuchKey"};
  fail_if(CheckRow("x", unknown, supported).empty(), "an unknown key passed");
  PropertyRow spec_live;
  spec_live.target = Target::kEncoderSpecification;
  spec_live.keys = {vtc::key::kEncoderID};
  spec_live.live = true;
  fail_if(CheckRow("x", spec_live, supported).empty(), "a live create key passed");
}
GST_END_TEST;

namespace {

// Values to try for a property: its default and others from its range.
std::vector<GValue> TrialValues(GParamSpec* ps) {
  std::vector<GValue> out;
  auto add = [&out, ps](auto set) {
    GValue v = G_VALUE_INIT;
    g_value_init(&v, G_PARAM_SPEC_VALUE_TYPE(ps));
    set(&v);
    out.push_back(v);
  };
  add([ps](GValue* v) { g_param_value_set_default(ps, v); });
  if (G_IS_PARAM_SPEC_BOOLEAN(ps)) {
    add([](GValue* v) { g_value_set_boolean(v, TRUE); });
    add([](GValue* v) { g_value_set_boolean(v, FALSE); });
  } else if (G_IS_PARAM_SPEC_INT(ps)) {
    auto* p = G_PARAM_SPEC_INT(ps);
    for (gint x : {p->minimum, p->maximum, MIN(p->maximum, MAX(p->minimum, 3))})
      add([x](GValue* v) { g_value_set_int(v, x); });
  } else if (G_IS_PARAM_SPEC_UINT(ps)) {
    auto* p = G_PARAM_SPEC_UINT(ps);
    for (guint x : {p->minimum, p->maximum, MIN(p->maximum, MAX(p->minimum, 3u))})
      add([x](GValue* v) { g_value_set_uint(v, x); });
  } else if (G_IS_PARAM_SPEC_UINT64(ps)) {
    for (guint64 x : {guint64(0), guint64(GST_SECOND)})
      add([x](GValue* v) { g_value_set_uint64(v, x); });
  } else if (G_IS_PARAM_SPEC_DOUBLE(ps)) {
    auto* p = G_PARAM_SPEC_DOUBLE(ps);
    for (gdouble x : {p->minimum, p->maximum}) add([x](GValue* v) { g_value_set_double(v, x); });
  } else if (G_IS_PARAM_SPEC_ENUM(ps)) {
    GEnumClass* c = G_PARAM_SPEC_ENUM(ps)->enum_class;
    for (guint i = 0; i < c->n_values; i++) {
      const gint x = c->values[i].value;
      add([x](GValue* v) { g_value_set_enum(v, x); });
    }
  } else if (G_IS_PARAM_SPEC_FLAGS(ps)) {
    GFlagsClass* c = G_PARAM_SPEC_FLAGS(ps)->flags_class;
    for (guint i = 0; i < c->n_values; i++) {
      const guint x = c->values[i].value;
      add([x](GValue* v) { g_value_set_flags(v, x); });
    }
  } else if (G_IS_PARAM_SPEC_STRING(ps)) {
    const std::string name = ps->name;
    const char* other = name == "data-rate-limits" ? "4000,1" : "other";
    add([other](GValue* v) { g_value_set_string(v, other); });
  }
  return out;
}

std::set<std::string> Changed(const vtc::Dictionary& a, const vtc::Dictionary& b) {
  std::set<std::string> out;
  for (const auto& [k, v] : a)
    if (!b.count(k) || b.at(k) != v) out.insert(k);
  for (const auto& [k, v] : b)
    if (!a.count(k)) out.insert(k);
  return out;
}

}  // namespace

// Each row changes only the keys it names (in its own target's dictionary and no other), with
// either rate-control: the names the live check above relies on are the truth.
GST_START_TEST(test_properties_rows_name_their_keys) {
  for (GType type : ElementTypes()) {
    ClassRef ref(type);
    const PropertyTable& table = *ref.klass->properties;
    for (GstVtcRateControl rc : {GST_VTC_RATE_CONTROL_ABR, GST_VTC_RATE_CONTROL_CBR}) {
      gstvtc::Settings base;
      table.Init(&base);
      base.rate_control = rc;
      base.bitrate = 1000;
      for (const PropertyTable::Entry& e : table.entries()) {
        if (e.row->target == Target::kSessionReadOnly || e.row->target == Target::kNone) continue;
        for (GValue& v : TrialValues(e.pspec)) {
          gstvtc::Settings changed = base;
          std::string error;
          fail_unless(table.Set(&changed, e, &v, &error), "%s: %s", e.pspec->name, error.c_str());
          for (Target t :
               {Target::kCompression, Target::kEncoderSpecification, Target::kPoolAttributes}) {
            for (const std::string& key : Changed(table.Build(base, t), table.Build(changed, t))) {
              bool named = t == e.row->target;
              if (named) {
                named = false;
                for (const char* k : e.row->keys) named |= key == k;
              }
              fail_unless(named, "%s changes %s, which its row does not name", e.pspec->name,
                          key.c_str());
            }
          }
          GValue back = G_VALUE_INIT;
          g_value_init(&back, G_PARAM_SPEC_VALUE_TYPE(e.pspec));
          table.Get(changed, e, &back);
          fail_unless(g_param_values_cmp(e.pspec, &v, &back) == 0, "%s does not read back",
                      e.pspec->name);
          g_value_unset(&back);
          g_value_unset(&v);
        }
      }
    }
  }
}
GST_END_TEST;

int main(int argc, char** argv) {
  // The element types come from this binary: the plugin from the build tree would register them
  // a second time.
  g_setenv("GST_PLUGIN_PATH_1_0", "", TRUE);
  return vtt::RunCases("vtc-properties",
                       {
                           VTT_CASE(test_properties_live_keys_changeable),
                           VTT_CASE(test_properties_check_catches_mistakes),
                           VTT_CASE(test_properties_rows_name_their_keys),
                       },
                       argc, argv);
}
