// SPDX-License-Identifier: GPL-2.0-or-later
// vth264enc's properties with the names of x264enc (GStreamer 1.22) and vtenc_h264 (1.22 to 1.26)
// that no other row of the element has, so that a pipeline of either ports by renaming the
// element. Each maps onto the session key that means the same (bframes -> AllowFrameReordering,
// ref -> ReferenceBufferCount, qp-min -> MinAllowedFrameQP, key-int-max -> MaxKeyFrameInterval,
// ...) or onto an x264 option added to X264Options before option-string's. Like x264enc's, the x264
// knobs override the speed preset only once set (PropertyRow::when_set): until then the preset
// (and tune) decide, and reads give x264enc's default. docs/porting.md has the table: x264enc name,
// meaning here, session key or x264 option, and where vth264enc differs.
//
// Threads: the rows are the property table's (gstvtcsettings.h: OBJECT_LOCK for values, Build on
// copies). The functions below run where their comments say; none takes a lock.
#pragma once

#include <string>
#include <vector>

#include "gstvtcencoder.h"

namespace gstvtc {

// vth264enc's speed-preset values: GstVtcSpeedPreset's (auto, then ultrafast..placebo with
// x264enc's numbers 1..10) and x264enc's None, numbered -1 here (x264enc's 0 is vth264enc's
// auto): x264's defaults (medium) with x264enc's property defaults for the x264 knobs not set
// (bframes 0, subme 1, ...), as x264enc without a preset and without a tune.
constexpr gint kSpeedPresetNone = -1;
GType H264SpeedPresetType();

// The rows, in the order they go in vth264enc's table: after its own rows, before option-string,
// whose options x264 applies last. Among them `pass`, which replaces the common row with x264enc's
// values (single/cbr, quant, qual, pass1, pass2, pass3).
const std::vector<PropertyRow>& X264CompatRows();

// Appends x264 options ("key=value:key=value") to the X264Options of *d, after those already
// there (x264 applies them in order, so later ones win).
void AppendX264Options(vtc::Dictionary* d, const std::string& options);

// What vth264enc's negotiation takes from these properties, on copies of the settings:
// byte-stream=true chooses byte-stream when downstream takes both framings, and interlaced=true
// codes interlaced (MBAFF) whatever the caps say.
bool PrefersByteStream(const PropertyTable& table, const Settings& settings);
bool CodesInterlaced(const PropertyTable& table, const Settings& settings);

// Streaming thread, STREAM_LOCK held, before each session (from vth264enc's negotiate): with
// frame-packing=auto the input caps' multiview mode becomes x264's frame packing, and
// speed-preset=None brings x264enc's property defaults (both in out->properties, before the
// properties' own x264 options, which still decide); and a setting that cannot take effect as
// x264enc's would (pass3, vbv-buf-capacity without a bitrate) gets an element warning that says
// so.
void NegotiateX264Compat(GstVtcEncoder* self, const PropertyTable& table, const Settings& settings,
                         const GstVideoInfo* info, GstVtcNegotiated* out);

// GstVtcEncoderClass::leading_delimiter for H.264: the access unit delimiter x264 writes first
// with aud=true (its length prefix included), or 0.
gsize H264LeadingDelimiter(GstVtcEncoder* self, const guint8* sample, gsize size);

}  // namespace gstvtc
