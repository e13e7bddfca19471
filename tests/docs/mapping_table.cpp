// SPDX-License-Identifier: GPL-2.0-or-later
// Prints docs/mapping.md from the code itself: every property of vth264enc and vth265enc (the
// elements' property tables), the VideoToolbox key each one sets (and in which dictionary), its
// x264enc name where it has one (x264enc's own property list, from its factory), its default,
// whether it changes while PLAYING, and what the key does in the encoder library (the session's
// documentation of the key, CopySupportedPropertyDictionary). The test mapping_table_current
// compares the output with docs/mapping.md; `meson compile -C build update-mapping` rewrites it.
//
//   vtc-mapping-table > docs/mapping.md
#include <gst/gst.h>

#include <cstdio>
#include <set>
#include <string>
#include <vector>

#include "gstvtcencoder.h"
#include "gstvth264enc.h"
#include "gstvth265enc.h"
#include "vtcompress/compression_session.h"
#include "vtcompress/keys.h"

namespace {

using gstvtc::Target;

vtc::Dictionary Supported(vtc::CodecType codec) {
  vtc::CompressionSessionRef s;
  vtc::Dictionary out;
  if (vtc::CompressionSession::Create(64, 64, codec, nullptr, nullptr, nullptr, nullptr, &s) ==
      vtc::Status::kNoErr) {
    s->CopySupportedPropertyDictionary(&out);
    s->Invalidate();
  }
  return out;
}

std::string Field(const vtc::Dictionary& supported, const std::string& key, const char* field) {
  auto k = supported.find(key);
  if (k == supported.end() || !k->second.IsDictionary()) return "";
  auto f = k->second.AsDictionary().find(field);
  if (f == k->second.AsDictionary().end()) return "";
  std::string s;
  bool b = false;
  if (f->second.GetString(&s)) return s;
  if (f->second.GetBool(&b)) return b ? "yes" : "no";
  return "";
}

// Markdown table cells: no pipes or newlines.
std::string Cell(std::string s) {
  for (char& c : s)
    if (c == '\n') c = ' ';
  std::string out;
  for (char c : s) {
    if (c == '|') out += '\\';
    out += c;
  }
  return out;
}

std::string Default(GParamSpec* p) {
  const GValue* v = g_param_spec_get_default_value(p);
  if (G_VALUE_HOLDS_STRING(v)) {
    const char* s = g_value_get_string(v);
    return s && *s ? std::string("\"") + s + "\"" : "\"\"";
  }
  gchar* text = gst_value_serialize(v);
  std::string s = text ? text : "";
  g_free(text);
  return s;
}

const char* Dictionary(Target t) {
  switch (t) {
    case Target::kCompression:
      return "";
    case Target::kEncoderSpecification:
      return " (encoder specification)";
    case Target::kPoolAttributes:
      return " (source buffer attributes)";
    case Target::kSessionReadOnly:
      return " (read from the session)";
    case Target::kNone:
      return "";
  }
  return "";
}

std::set<std::string> X264EncNames() {
  std::set<std::string> names;
  GstElementFactory* f = gst_element_factory_find("x264enc");
  if (!f) return names;
  GstElement* e = gst_element_factory_create(f, nullptr);
  if (e) {
    guint n = 0;
    GParamSpec** specs = g_object_class_list_properties(G_OBJECT_GET_CLASS(e), &n);
    for (guint i = 0; i < n; ++i)
      if (specs[i]->owner_type == G_OBJECT_TYPE(e)) names.insert(specs[i]->name);
    g_free(specs);
    gst_object_unref(e);
  }
  gst_object_unref(f);
  return names;
}

void Table(const char* element, GType type, vtc::CodecType codec,
           const std::set<std::string>& x264enc) {
  auto* klass = static_cast<GstVtcEncoderClass*>(g_type_class_ref(type));
  const vtc::Dictionary supported = Supported(codec);
  std::printf("## %s\n\n", element);
  std::printf(
      "| property | VideoToolbox key | x264enc | default | while PLAYING | between frames | "
      "what the key does |\n|---|---|---|---|---|---|---|\n");
  for (const auto& e : klass->properties->entries()) {
    const gstvtc::PropertyRow& row = *e.row;
    std::string keys, docs, between;
    for (const char* k : row.keys) {
      keys += std::string(keys.empty() ? "" : ", ") + k;
      const std::string d = Field(supported, k, vtc::key::kDocumentation);
      if (!d.empty() && docs.find(d) == std::string::npos)
        docs += std::string(docs.empty() ? "" : " / ") + k + ": " + d;
      const std::string b = Field(supported, k, vtc::key::kChangeableBetweenFrames);
      if (!b.empty() && between.find(b) == std::string::npos)
        between += std::string(between.empty() ? "" : ", ") + b;
    }
    if (!keys.empty()) keys += Dictionary(row.target);
    if (row.target == Target::kNone) keys = "(element)";
    if (keys.empty()) keys = "(steers other keys)";
    // Rows without a key of their own say in their blurb what they do.
    if (docs.empty()) docs = g_param_spec_get_blurb(e.pspec);
    const bool writable = e.pspec->flags & G_PARAM_WRITABLE;
    const char* playing = !writable ? "read-only"
                          : (e.pspec->flags & GST_PARAM_MUTABLE_PLAYING) ? "yes"
                                                                         : "no";
    std::printf("| `%s` | %s | %s | %s | %s | %s | %s |\n", e.pspec->name, Cell(keys).c_str(),
                x264enc.count(e.pspec->name) ? "same name" : "", Cell(Default(e.pspec)).c_str(),
                playing, between.c_str(), Cell(docs).c_str());
  }
  std::printf("\n");
  g_type_class_unref(klass);
}

}  // namespace

int main(int argc, char** argv) {
  gst_init(&argc, &argv);
  const std::set<std::string> x264enc = X264EncNames();
  if (x264enc.empty()) {
    std::fprintf(stderr, "vtc-mapping-table: no x264enc (gstreamer1.0-plugins-ugly)\n");
    return 77;
  }
  std::printf(
      "# Mapping: element property, VideoToolbox key, x264enc name\n\n"
      "Generated by `vtc-mapping-table` (tests/docs/mapping_table.cpp) from the elements' property\n"
      "tables and the session's CopySupportedPropertyDictionary; the test mapping_table_current\n"
      "fails when this file and the code disagree (`meson compile -C build update-mapping`\n"
      "rewrites it). Columns: the element's property; the VideoToolbox key it sets (compression\n"
      "properties unless a dictionary is named); \"same name\" where x264enc 1.22 has a property of\n"
      "that name (vth264enc takes every one, docs/porting.md); the default; whether it changes\n"
      "while PLAYING (GST_PARAM_MUTABLE_PLAYING); whether the session takes the key between frames;\n"
      "and what the key does in x264 or x265 (the session's documentation of it), or the\n"
      "property's own description where it sets no key of its own.\n\n");
  Table("vth264enc (x264)", GST_TYPE_VT_H264_ENC, vtc::kCodecType_H264, x264enc);
  Table("vth265enc (x265)", GST_TYPE_VT_H265_ENC, vtc::kCodecType_HEVC, {});
  return 0;
}
