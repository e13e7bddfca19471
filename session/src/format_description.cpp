// SPDX-License-Identifier: GPL-2.0-or-later
#include <new>
#include <string>

#include "h264_sps.h"
#include "hevc_ps.h"
#include "vtcompress/sample_buffer.h"

namespace vtc {
namespace {

void PutU16(Data* d, std::size_t v) {
  d->push_back(std::uint8_t(v >> 8));
  d->push_back(std::uint8_t(v));
}

// The extensions every description carries: the record under its atom name, and a clean
// aperture when the picture is smaller than the coded size.
void AddCommonExtensions(const char* atom, const Data& record, int coded_width, int coded_height,
                         int display_width, int display_height, Dictionary* extensions) {
  (*extensions)[key::kSampleDescriptionExtensionAtoms] = Value(Dictionary{{atom, Value(record)}});
  if (display_width != coded_width || display_height != coded_height) {
    // CoreMedia's clean aperture offsets are of the aperture's centre from the picture's centre.
    (*extensions)[key::kCleanAperture] = Value(Dictionary{
        {key::kCleanApertureWidth, Value(display_width)},
        {key::kCleanApertureHeight, Value(display_height)},
        {key::kCleanApertureHorizontalOffset, Value((display_width - coded_width) / 2.0)},
        {key::kCleanApertureVerticalOffset, Value((display_height - coded_height) / 2.0)},
    });
  }
}

}  // namespace

Status FormatDescription::CreateH264(const Data& sps, const Data& pps, int coded_width,
                                     int coded_height, int display_width, int display_height,
                                     Dictionary extensions, FormatDescriptionRef* out) {
  if (!out) return Status::kParameterErr;
  out->reset();
  if (sps.size() < 4 || pps.size() < 2 || sps.size() > 0xffff || pps.size() > 0xffff ||
      (sps[0] & 0x1f) != 7 || (pps[0] & 0x1f) != 8)
    return Status::kParameterErr;

  std::shared_ptr<FormatDescription> fd(new (std::nothrow) FormatDescription());
  if (!fd) return Status::kAllocationFailedErr;
  fd->codec_type_ = kCodecType_H264;
  fd->coded_width_ = coded_width;
  fd->coded_height_ = coded_height;
  fd->display_width_ = display_width;
  fd->display_height_ = display_height;
  fd->parameter_sets_ = {{7, sps}, {8, pps}};
  fd->profile_idc_ = sps[1];
  fd->level_idc_ = sps[3];

  // AVCDecoderConfigurationRecord, ISO/IEC 14496-15 5.3.3.1.
  Data& a = fd->configuration_record_;
  a.push_back(1);         // configurationVersion
  a.push_back(sps[1]);    // AVCProfileIndication
  a.push_back(sps[2]);    // profile_compatibility (constraint flags)
  a.push_back(sps[3]);    // AVCLevelIndication
  a.push_back(0xfc | 3);  // reserved + lengthSizeMinusOne = 3: 4-byte NAL lengths
  a.push_back(0xe0 | 1);  // reserved + one SPS
  PutU16(&a, sps.size());
  a.insert(a.end(), sps.begin(), sps.end());
  a.push_back(1);  // one PPS
  PutU16(&a, pps.size());
  a.insert(a.end(), pps.begin(), pps.end());
  const int profile = sps[1];
  if (profile == 100 || profile == 110 || profile == 122 || profile == 244) {
    // High profiles carry chroma format and bit depths (read from the SPS).
    RbspReader br(sps);
    br.Bits(24);  // profile_idc, constraint flags, level_idc
    br.Ue();      // seq_parameter_set_id
    unsigned chroma_format_idc = br.Ue();
    if (chroma_format_idc == 3) br.Bit();  // separate_colour_plane_flag
    unsigned depth_luma = br.Ue(), depth_chroma = br.Ue();
    if (!br.ok()) chroma_format_idc = 1, depth_luma = depth_chroma = 0;
    a.push_back(std::uint8_t(0xfc | (chroma_format_idc & 3)));
    a.push_back(std::uint8_t(0xf8 | (depth_luma & 7)));
    a.push_back(std::uint8_t(0xf8 | (depth_chroma & 7)));
    a.push_back(0);  // no SPS extensions
  }

  AddCommonExtensions(key::kAvcC, a, coded_width, coded_height, display_width, display_height,
                      &extensions);
  fd->extensions_ = std::move(extensions);
  *out = std::move(fd);
  return Status::kNoErr;
}

Status FormatDescription::CreateHEVC(const std::vector<Data>& parameter_sets,
                                     int nal_unit_header_length, int coded_width, int coded_height,
                                     int display_width, int display_height, Dictionary extensions,
                                     FormatDescriptionRef* out) {
  if (!out) return Status::kParameterErr;
  out->reset();
  // Checks every unit (types, headers, sizes, parse) and the length size.
  Data record;
  std::string why;
  if (!hevc::BuildHvcc(parameter_sets, nal_unit_header_length, &record, &why))
    return Status::kParameterErr;

  std::shared_ptr<FormatDescription> fd(new (std::nothrow) FormatDescription());
  if (!fd) return Status::kAllocationFailedErr;
  fd->codec_type_ = kCodecType_HEVC;
  fd->coded_width_ = coded_width;
  fd->coded_height_ = coded_height;
  fd->display_width_ = display_width;
  fd->display_height_ = display_height;
  fd->nal_unit_header_length_ = nal_unit_header_length;
  // general_profile_idc and general_level_idc, as the record has them (bytes 1 and 12).
  fd->profile_idc_ = record[1] & 0x1f;
  fd->level_idc_ = record[12];
  fd->configuration_record_ = std::move(record);
  // Record order: by array (VPS, SPS, PPS, prefix SEI, suffix SEI), given order within one.
  for (int type : hevc::kRecordOrder)
    for (const Data& nal : parameter_sets)
      if (hevc::NalUnitType(nal) == type) fd->parameter_sets_.push_back({type, nal});

  AddCommonExtensions(key::kHvcC, fd->configuration_record_, coded_width, coded_height,
                      display_width, display_height, &extensions);
  fd->extensions_ = std::move(extensions);
  *out = std::move(fd);
  return Status::kNoErr;
}

const Data& FormatDescription::avcc() const {
  static const Data kNone;
  return codec_type_ == kCodecType_H264 ? configuration_record_ : kNone;
}

Status FormatDescription::GetParameterSetAtIndex(CodecType codec, std::size_t index,
                                                 const std::uint8_t** parameter_set,
                                                 std::size_t* size, std::size_t* count,
                                                 int* nal_unit_header_length) const {
  // The other codec's getter fails, as in CoreMedia; nothing is set then.
  if (codec_type_ != codec) return Status::kParameterErr;
  if (count) *count = parameter_sets_.size();
  if (nal_unit_header_length) *nal_unit_header_length = nal_unit_header_length_;
  if (index >= parameter_sets_.size()) return Status::kParameterErr;
  const Data& ps = parameter_sets_[index].nal;
  if (parameter_set) *parameter_set = ps.data();
  if (size) *size = ps.size();
  return Status::kNoErr;
}

Status FormatDescription::GetH264ParameterSetAtIndex(std::size_t index,
                                                     const std::uint8_t** parameter_set,
                                                     std::size_t* size, std::size_t* count,
                                                     int* nal_unit_header_length) const {
  return GetParameterSetAtIndex(kCodecType_H264, index, parameter_set, size, count,
                                nal_unit_header_length);
}

Status FormatDescription::GetHEVCParameterSetAtIndex(std::size_t index,
                                                     const std::uint8_t** parameter_set,
                                                     std::size_t* size, std::size_t* count,
                                                     int* nal_unit_header_length) const {
  return GetParameterSetAtIndex(kCodecType_HEVC, index, parameter_set, size, count,
                                nal_unit_header_length);
}

bool FormatDescription::Equals(const FormatDescription& o) const {
  // The configuration record follows from the parameter sets and the length size.
  return codec_type_ == o.codec_type_ && coded_width_ == o.coded_width_ &&
         coded_height_ == o.coded_height_ && display_width_ == o.display_width_ &&
         display_height_ == o.display_height_ &&
         nal_unit_header_length_ == o.nal_unit_header_length_ &&
         parameter_sets_ == o.parameter_sets_ && extensions_ == o.extensions_;
}

SampleBufferRef SampleBuffer::Create(Init init) {
  return SampleBufferRef(new SampleBuffer(std::move(init)));
}

bool SampleBuffer::IsSync() const {
  auto it = init_.attachments.find(key::kNotSync);
  bool not_sync = false;
  return it == init_.attachments.end() || !it->second.GetBool(&not_sync) || !not_sync;
}

}  // namespace vtc
