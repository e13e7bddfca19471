// SPDX-License-Identifier: GPL-2.0-or-later
// Compressed output: format descriptions and sample buffers, after CoreMedia's
// CMVideoFormatDescription and CMSampleBuffer.
//
// Both are immutable once made and shared through std::shared_ptr<const ...>: a callback may keep
// a sample (or its format description) for as long as it likes, from any thread.
#pragma once

#include "vtcompress/export.h"

#include <cstddef>
#include <cstdint>
#include <memory>
#include <vector>

#include "vtcompress/keys.h"
#include "vtcompress/status.h"
#include "vtcompress/time.h"
#include "vtcompress/value.h"

namespace vtc {

class FormatDescription;
using FormatDescriptionRef = std::shared_ptr<const FormatDescription>;

class VTC_EXPORT FormatDescription {
 public:
  // Builds an 'avc1' description from one SPS and one PPS (NAL units without start codes or
  // length prefixes). coded_* is the size in the bitstream, display_* the picture the caller
  // gave (smaller only for odd sizes; then a CleanAperture extension says so).
  // `extensions` is merged in (colour keys, PixelAspectRatio, FullRangeVideo).
  static Status CreateH264(const Data& sps, const Data& pps, int coded_width, int coded_height,
                           int display_width, int display_height, Dictionary extensions,
                           FormatDescriptionRef* out);

  // Builds an 'hvc1' description, after CMVideoFormatDescriptionCreateFromHEVCParameterSets:
  // `parameter_sets` are NAL units (2-byte headers, no start codes or length prefixes) in any
  // order: at least one VPS, SPS and PPS, optionally prefix or suffix SEI NAL units; anything
  // else, a layered (nuh_layer_id > 0) unit or one that does not parse gives kParameterErr.
  // nal_unit_header_length is the size of the samples' NAL length fields (1, 2 or 4). The
  // HEVCDecoderConfigurationRecord is built from the VPS, SPS and PPS fields and stored under
  // SampleDescriptionExtensionAtoms "hvcC"; sizes and extensions as for CreateH264.
  static Status CreateHEVC(const std::vector<Data>& parameter_sets, int nal_unit_header_length,
                           int coded_width, int coded_height, int display_width, int display_height,
                           Dictionary extensions, FormatDescriptionRef* out);

  CodecType codec_type() const { return codec_type_; }
  // CMVideoFormatDescriptionGetDimensions: the coded size.
  int width() const { return coded_width_; }
  int height() const { return coded_height_; }
  // The picture as given to the session (CMVideoFormatDescriptionGetPresentationDimensions).
  int display_width() const { return display_width_; }
  int display_height() const { return display_height_; }
  // Extensions, including SampleDescriptionExtensionAtoms = {"avcC" or "hvcC": Data}.
  const Dictionary& extensions() const { return extensions_; }
  // The decoder configuration record (ISO/IEC 14496-15): AVCDecoderConfigurationRecord for
  // 'avc1', HEVCDecoderConfigurationRecord for 'hvc1'.
  const Data& configuration_record() const { return configuration_record_; }
  // The AVCDecoderConfigurationRecord; empty for a description of another codec.
  const Data& avcc() const;
  // profile_idc and level_idc from the SPS (HEVC: general_profile_idc and general_level_idc of
  // the configuration record).
  int profile_idc() const { return profile_idc_; }
  int level_idc() const { return level_idc_; }

  // CMVideoFormatDescriptionGetH264ParameterSetAtIndex: index 0 is the SPS, 1 the PPS. Any out
  // pointer may be null; with index out of range the count and header length are still set and
  // kParameterErr is returned. On a description of another codec: kParameterErr, nothing set.
  // Pointers stay valid as long as the description lives.
  Status GetH264ParameterSetAtIndex(std::size_t index, const std::uint8_t** parameter_set,
                                    std::size_t* size, std::size_t* count,
                                    int* nal_unit_header_length) const;

  // CMVideoFormatDescriptionGetHEVCParameterSetAtIndex: the NAL units in the order of the hvcC
  // arrays (every VPS, then SPS, PPS, prefix SEI, suffix SEI; given order within a type). Same
  // rules as GetH264ParameterSetAtIndex, for 'hvc1' descriptions only.
  Status GetHEVCParameterSetAtIndex(std::size_t index, const std::uint8_t** parameter_set,
                                    std::size_t* size, std::size_t* count,
                                    int* nal_unit_header_length) const;

  // Same codec, sizes, parameter sets, NAL length size and extensions (CMFormatDescriptionEqual).
  bool Equals(const FormatDescription& other) const;

 private:
  struct ParameterSet {
    int nal_unit_type = 0;
    Data nal;
    bool operator==(const ParameterSet& o) const {
      return nal_unit_type == o.nal_unit_type && nal == o.nal;
    }
  };

  FormatDescription() = default;
  Status GetParameterSetAtIndex(CodecType codec, std::size_t index,
                                const std::uint8_t** parameter_set, std::size_t* size,
                                std::size_t* count, int* nal_unit_header_length) const;

  CodecType codec_type_ = 0;
  int coded_width_ = 0, coded_height_ = 0, display_width_ = 0, display_height_ = 0;
  int profile_idc_ = 0, level_idc_ = 0;
  int nal_unit_header_length_ = 4;
  std::vector<ParameterSet> parameter_sets_;  // in configuration record order
  Data configuration_record_;
  Dictionary extensions_;
};

class SampleBuffer;
using SampleBufferRef = std::shared_ptr<const SampleBuffer>;

// One access unit, AVCC framed (4-byte big-endian NAL lengths), no parameter sets in band.
class VTC_EXPORT SampleBuffer {
 public:
  struct Init {
    Data data;
    Time pts, dts, duration;
    FormatDescriptionRef format_description;
    Dictionary attachments;
    int frame_qp = -1;
  };
  static SampleBufferRef Create(Init init);

  const Data& data() const { return init_.data; }
  std::size_t size() const { return init_.data.size(); }
  Time presentation_time_stamp() const { return init_.pts; }
  Time decode_time_stamp() const { return init_.dts; }
  Time duration() const { return init_.duration; }
  const FormatDescriptionRef& format_description() const { return init_.format_description; }
  // The sample's attachment dictionary (CMSampleBufferGetSampleAttachmentsArray()[0]):
  // NotSync, DependsOnOthers, IsDependedOnByOthers, and QualityMetrics when asked for.
  const Dictionary& attachments() const { return init_.attachments; }
  // A sync sample: NotSync absent or false.
  bool IsSync() const;
  // The frame's QP as x264's rate control chose it (0..51), or -1 if unknown. Set on every
  // sample. With adaptive quantization or mb-tree (x264's defaults) macroblocks, and so the slice
  // headers, vary around it; MinAllowedFrameQP/MaxAllowedFrameQP bound it and them.
  int frame_qp() const { return init_.frame_qp; }

 private:
  explicit SampleBuffer(Init init) : init_(std::move(init)) {}
  Init init_;
};

}  // namespace vtc
