// SPDX-License-Identifier: GPL-2.0-or-later
// Caps rules the encoder elements share: the HDR static metadata fields both ways (at the end),
// and the sink caps of every codec: which raw formats (gstvtcformats.h)
// the sink pad offers and accepts, given the profiles downstream accepts and what feeds the
// element. A codec describes itself with a CodecCaps (its media type, the profile each raw format
// is coded in, its "plain" profiles of 8-bit 4:2:0, its smallest picture, the formats it takes);
// the rules are the same for all:
// - 8-bit 4:2:0 stays the default whenever upstream can give it: first in the template, and the
//   only one offered to a converter in front (videoconvert picks the format that loses least, so
//   a YUY2 camera would otherwise get a 4:2:2 profile few players take), or to a source that can
//   give it (a source fixates in its own order through a capsfilter), unless downstream asks for
//   a profile of more.
// - Any other upstream (a decoder, a tee, a source without 8-bit 4:2:0) is offered every format
//   downstream's profiles allow, and its 10-bit, 4:2:2 or 4:4:4 is coded as it is.
// - Accept-caps takes every format downstream's profiles allow, also from a converter.
// - When no format fits, every format: negotiate() then posts an error that says what to change
//   instead of a bare not-negotiated.
// All functions run on whichever thread queries the pad, with no element lock held (they query
// the peers and copy the settings under the OBJECT_LOCK).
#pragma once

#include <gst/video/gstvideoencoder.h>

#include <functional>
#include <string>

#include "gstvtcformats.h"
#include "vtcompress/value.h"

namespace gstvtc {

// Owns the caps it is given.
struct CapsRef {
  GstCaps* caps = nullptr;
  explicit CapsRef(GstCaps* c = nullptr) : caps(c) {}
  ~CapsRef() {
    if (caps) gst_caps_unref(caps);
  }
  CapsRef(const CapsRef&) = delete;
  CapsRef& operator=(const CapsRef&) = delete;
  void reset(GstCaps* c) {
    if (caps) gst_caps_unref(caps);
    caps = c;
  }
};

// What the sink caps need to know about a codec. Immutable, static storage.
struct CodecCaps {
  const char* media;  // the src caps' name: "video/x-h264"
  // The profile (GStreamer's name) `format` is coded in, with lossless settings or not; null when
  // downstream picks it among the plain profiles (8-bit 4:2:0, lossy).
  const char* (*profile_for_format)(const RawFormat& format, bool lossless);
  // A profile 8-bit 4:2:0 input can be coded in (lossy), downstream choosing among them.
  bool (*is_plain_profile)(const std::string& profile);
  int min_size;  // smallest width and height
  // Whether the codec takes the format at all (the sink template); null: every format.
  bool (*takes_format)(const RawFormat& format);
};

// Raw caps of the formats the codec takes and `keep` says yes to, in the formats table's order
// (8-bit 4:2:0 first), sizes from codec.min_size; empty caps if none.
GstCaps* RawSinkCaps(const CodecCaps& codec, const std::function<bool(const RawFormat&)>& keep);
// The sink template: every format the codec takes.
GstCaps* SinkTemplateCaps(const CodecCaps& codec);

// What feeds the sink pad, as far as the formats offered go.
enum class Upstream {
  kConverter,  // klass "Converter" (videoconvert, videoconvertscale, videoscale, ...): any format
  kSource,     // klass "Source" (videotestsrc, a camera, appsrc): often many formats, in its order
  kOther,      // a decoder, a tee, nothing linked, ...
};

// The element feeding `sink`, seen through ghost and proxy pads and through the pass-through
// elements a pipeline puts in between (queue, capsfilter, identity: one sink pad, klass
// "Generic"). Walks pads and elements only: no query, so no re-entry from inside a caps query.
Upstream UpstreamKind(GstPad* sink);

// True if upstream's caps (a query of the sink pad's peer) share nothing with `caps`. An upstream
// element that answers by asking downstream would bring the query back here: a thread-local
// depth stops that.
bool UpstreamCannotGive(GstVideoEncoder* enc, GstCaps* caps);

// The raw formats the encoder takes under what downstream accepts: those whose profile a
// downstream profile names. With `prefer_plain`, only 8-bit 4:2:0 when downstream takes it (and,
// with `plain_if_upstream_gives`, when upstream can give it). When none of them fits, or upstream
// can give none of them, every format.
GstCaps* AllowedSinkCaps(const CodecCaps& codec, GstVideoEncoder* enc, bool prefer_plain,
                         bool plain_if_upstream_gives = false);

// GstVideoEncoder::getcaps of a codec element: AllowedSinkCaps, preferring 8-bit 4:2:0 behind a
// converter, and behind a source that can give it (a capsfilter in between hands the source's
// own format order to its fixation, which would otherwise pick what it lists first, 10-bit 4:4:4
// for videotestsrc), proxied with upstream's caps.
GstCaps* SinkGetCaps(const CodecCaps& codec, GstVideoEncoder* enc, GstCaps* filter);

// For GstVideoEncoder::sink_query: answers an ACCEPT_CAPS query (every format downstream's
// profiles allow, whatever is upstream) and returns true; false for any other query, which the
// caller passes to its parent class.
bool SinkAcceptCaps(const CodecCaps& codec, GstVideoEncoder* enc, GstQuery* query);

// The session keys MasteringDisplayColorVolume and ContentLightLevelInfo (Data in the layouts
// vtcompress/keys.h gives) for the caps' mastering-display-info and content-light-level fields;
// only those the caps carry (none for null caps). Pure; any thread.
vtc::Dictionary HdrProperties(GstCaps* caps);
// The inverse, from a format description's extensions of the same names (ignored when absent or
// not of the right size): sets the fields on `caps`, which must be writable.
void AddHdrCaps(const vtc::Dictionary& extensions, GstCaps* caps);

}  // namespace gstvtc
