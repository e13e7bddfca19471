// SPDX-License-Identifier: GPL-2.0-or-later
// GstVtcEncoder: the abstract GstVideoEncoder under every vtcompress encoder element (vth264enc,
// and vth265enc next). It holds everything that does not depend on the codec: the session
// (vtc::CompressionSession) and its output callback, frames in (GstVideoCodecFrame -> PixelBuffer
// without a copy -> EncodeFrame, refcon = system_frame_number) and out (sample -> GstBuffer ->
// finish_frame), drain, flush, two-pass encoding, the pool proposed upstream, latency,
// force-key-unit and intra-refresh requests, timestamps (PTS for the session, DTS for
// downstream), the common properties and logging. A codec element fills in the class struct
// below: its codec type and names, the session keys it negotiates with downstream, its src caps
// and its in-band parameter sets; and it adds its pad templates and its own properties.
//
// A codec element in outline (gstvth264enc.cpp is the complete one):
//
//   G_DECLARE_FINAL_TYPE(GstVtH265Enc, gst_vt_h265_enc, GST, VT_H265_ENC, GstVtcEncoder)
//   G_DEFINE_TYPE(GstVtH265Enc, gst_vt_h265_enc, GST_TYPE_VTC_ENCODER)
//   static void gst_vt_h265_enc_class_init(GstVtH265EncClass* klass) {
//     auto* vtc_class = GST_VTC_ENCODER_CLASS(klass);
//     vtc_class->codec_type = vtc::kCodecType_HEVC;   ... names, debug category, defaults
//     vtc_class->negotiate = ...; vtc_class->make_src_caps = ...;
//     vtc_class->append_parameter_sets = ...;
//     gst_vtc_encoder_class_install_properties(vtc_class, kH265Rows, G_N_ELEMENTS(kH265Rows));
//     ... pad templates, metadata
//   }
//
// Threads and locks (outer to inner): the base class's STREAM_LOCK, then the element's
// OBJECT_LOCK (settings), then its session lock (the session pointer, a leaf held only to copy
// it), then the session's own lock (inside vtc::CompressionSession). The session's output
// callback runs on the session's worker thread and takes the STREAM_LOCK
// (gst_video_encoder_get_frame / finish_frame) with nothing else held, so the streaming thread
// drops the STREAM_LOCK around every session call that can wait for that worker: EncodeFrame,
// CompleteFrames, EndPass and Invalidate. Property setters (any thread) take the OBJECT_LOCK,
// then, after releasing it, the session lock to copy the session, and call the session's
// SetProperty, which never waits for the worker. The class virtuals below say which thread calls
// them and what is held; none may take the STREAM_LOCK or wait for the session.
#pragma once

#include <gst/video/gstvideoencoder.h>

#include <string>
#include <vector>

#include "gstvtcsettings.h"
#include "vtcompress/keys.h"
#include "vtcompress/sample_buffer.h"

G_BEGIN_DECLS

#define GST_TYPE_VTC_ENCODER (gst_vtc_encoder_get_type())
G_DECLARE_DERIVABLE_TYPE(GstVtcEncoder, gst_vtc_encoder, GST, VTC_ENCODER, GstVideoEncoder)

G_END_DECLS

// What a codec element's negotiate() decided for one session (C++: the base class copies it into
// the session's context; the output callback reads it on the worker thread).
struct GstVtcNegotiated {
  // The output framing: Annex-B start codes with the parameter sets in band before every key
  // frame (stream-format byte-stream), or the session's own 4-byte lengths with the parameter
  // sets out of band in the caps' codec_data (avc, hvc1), whose buffers wrap the session's
  // samples without a copy.
  bool annexb = false;
  // Length-prefixed samples that also carry the parameter sets in band before every key frame,
  // with the configuration record in codec_data as well (HEVC's stream-format hev1). Ignored
  // with annexb, which always carries them in band. Such buffers are copies, not the samples.
  bool inband_parameter_sets = false;
  // The parameter sets may live only in codec_data, never in band, not even for a force-key-unit
  // with all-headers: HEVC's hvc1 (its hvcC says its arrays are complete).
  bool out_of_band_only = false;
  std::string stream_format;  // the caps' stream-format, for make_src_caps and the log
  // The codec's own session keys from the negotiation (H.264: ProfileLevel), set with the
  // compression properties before PrepareToEncodeFrames.
  vtc::Dictionary properties;
  // What was asked for, in the log and in the message when the session refuses the settings
  // (H.264: the ProfileLevel value, "H264_High_4_1").
  std::string description;
};

struct _GstVtcEncoderClass {
  GstVideoEncoderClass parent_class;

  // --- Constants: set in the codec element's class_init -----------------------------------------
  vtc::CodecType codec_type;  // the session's codec (vtc::kCodecType_H264 'avc1')
  const gchar* codec_name;    // in messages: "H.264"
  // The element's debug category: the base class and the session's log go there, so that
  // GST_DEBUG=vth264enc:5 shows all of one element. Default: "vtcencoder".
  GstDebugCategory* debug_category;
  // Element-specific defaults of common properties: encoder-id (the codec's encoder,
  // "org.videolan.x264") and multipass-cache-file ("vth264enc.log").
  gstvtc::ClassDefaults defaults;

  // --- Virtual methods: every one is required -------------------------------------------------

  // Streaming thread, STREAM_LOCK held, before each session is created (caps, a restart after a
  // flush or a new segment). Decides, from the caps downstream accepts (the src pad's peer), the
  // input `info` and a copy of the settings, the output framing and the codec's session keys into
  // *out. Returns FALSE after posting a GST_ELEMENT_ERROR that says what to change: the caps are
  // then refused.
  gboolean (*negotiate)(GstVtcEncoder* self, const GstVideoInfo* info,
                        const gstvtc::Settings& settings, GstVtcNegotiated* out);

  // The session's worker thread, no lock held (it may query the peer), once per new format
  // description: the src caps (a new reference) for output described by `format`, framed as
  // `negotiated` says (stream-format, alignment, codec_data for out-of-band parameter sets,
  // profile and level). The base class adds the HDR fields (mastering-display-info,
  // content-light-level) from the description's extensions and sets them as the output state
  // with the coded size.
  GstCaps* (*make_src_caps)(GstVtcEncoder* self, const vtc::FormatDescription& format,
                            const GstVtcNegotiated& negotiated);

  // The session's worker thread, no lock held: appends the parameter sets (and an access unit
  // delimiter first, if the codec's in-band stream has one) that go before a key frame's data,
  // each NAL with a start code (annexb) or a 4-byte length. Called for every key frame of
  // Annex-B output or of output with inband_parameter_sets, and for a key frame asked for with
  // all-headers in any framing.
  void (*append_parameter_sets)(GstVtcEncoder* self, const vtc::FormatDescription& format,
                                bool annexb, std::vector<guint8>* out);

  // --- Optional virtual methods (null: none) --------------------------------------------------

  // The session's worker thread, no lock held: how many bytes at the start of a sample (4-byte
  // lengths, as the session writes it) stay before the parameter sets that append_parameter_sets
  // adds: an access unit delimiter the encoder wrote (vth264enc aud=true), which must open the
  // access unit. 0 if there is none.
  gsize (*leading_delimiter)(GstVtcEncoder* self, const guint8* sample, gsize size);

  // --- Private --------------------------------------------------------------------------------
  const gstvtc::PropertyTable* properties;  // gst_vtc_encoder_class_install_properties
};

// Installs the element's properties on `klass`: the common ones (gstvtc::CommonProperties(), with
// klass->defaults), then the codec element's `codec_rows` (their values live in
// Settings::codec, in this order). Call once from the codec element's class_init, after setting
// klass->defaults. Properties are installed per element class, not on GstVtcEncoder, because
// some defaults are the element's own (encoder-id, multipass-cache-file); the rows, set, get,
// live changes and the session dictionaries are the base class's.
void gst_vtc_encoder_class_install_properties(GstVtcEncoderClass* klass,
                                              const gstvtc::PropertyRow* codec_rows,
                                              gsize n_codec_rows);

// A copy of the element's settings (any thread; takes and drops the OBJECT_LOCK, so not with it
// held).
gstvtc::Settings gst_vtc_encoder_copy_settings(GstVtcEncoder* self);

// Helpers for codec elements.
namespace gstvtc {
// Interleaved fields, or a mix of progressive and interlaced frames: coded as interlaced.
bool IsInterlaced(const GstVideoInfo* info);
// The first value of a caps field that may be a string or a list of strings ("" if none).
std::string FirstString(const GstStructure* s, const char* field);
}  // namespace gstvtc
