// SPDX-License-Identifier: GPL-2.0-or-later
// Format descriptions per codec (sample_buffer.h): the avcC of a real x264 stream, and the hvcC
// and HEVC parameter-set getter from real x265 parameter sets, checked against what ffmpeg's mp4
// muxer writes; plus the HEVC parameter-set parser (hevc_ps.h) on syntax x265 does not write.
#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "hevc_ps.h"
#include "temp_dir.h"
#include "test_util.h"

using vtc::Data;
using vtc::FormatDescription;
using vtc::FormatDescriptionRef;
using vtc::Status;
using vtc::Value;

namespace {

// ---- Real x265 parameter sets ----
// x265 3.5 (Debian 12's libx265-199) through ffmpeg 5.1, the NAL units of the stream without
// start codes:
//   ffmpeg -f lavfi -i testsrc2=size=320x240 -frames 1 -c:v libx265 -f hevc main8.hevc
// Main, level 2, 8-bit 4:2:0, wavefront (entropy_coding_sync) on, VUI without HRD.
const vtc::Data kMain8Vps = {0x40, 0x01, 0x0c, 0x01, 0xff, 0xff, 0x01, 0x60,
                             0x00, 0x00, 0x03, 0x00, 0x90, 0x00, 0x00, 0x03,
                             0x00, 0x00, 0x03, 0x00, 0x3c, 0x95, 0x98, 0x09};
const vtc::Data kMain8Sps = {0x42, 0x01, 0x01, 0x01, 0x60, 0x00, 0x00, 0x03, 0x00, 0x90, 0x00,
                             0x00, 0x03, 0x00, 0x00, 0x03, 0x00, 0x3c, 0xa0, 0x0a, 0x08, 0x0f,
                             0x16, 0x59, 0x59, 0xa4, 0x93, 0x2b, 0xc0, 0x5a, 0x02, 0x00, 0x00,
                             0x03, 0x00, 0x02, 0x00, 0x00, 0x03, 0x00, 0x32, 0x10};
const vtc::Data kMain8Pps = {0x44, 0x01, 0xc1, 0x72, 0xb4, 0x62, 0x40};
// The hvcC box payload of `ffmpeg -i main8.hevc -c copy main8.mp4`.
const vtc::Data kMain8FfmpegHvcc = {
    0x01, 0x01, 0x60, 0x00, 0x00, 0x00, 0x90, 0x00, 0x00, 0x00, 0x00, 0x00, 0x3c, 0xf0, 0x00, 0xfc,
    0xfd, 0xf8, 0xf8, 0x00, 0x00, 0x0f, 0x03, 0x20, 0x00, 0x01, 0x00, 0x18, 0x40, 0x01, 0x0c, 0x01,
    0xff, 0xff, 0x01, 0x60, 0x00, 0x00, 0x03, 0x00, 0x90, 0x00, 0x00, 0x03, 0x00, 0x00, 0x03, 0x00,
    0x3c, 0x95, 0x98, 0x09, 0x21, 0x00, 0x01, 0x00, 0x2a, 0x42, 0x01, 0x01, 0x01, 0x60, 0x00, 0x00,
    0x03, 0x00, 0x90, 0x00, 0x00, 0x03, 0x00, 0x00, 0x03, 0x00, 0x3c, 0xa0, 0x0a, 0x08, 0x0f, 0x16,
    0x59, 0x59, 0xa4, 0x93, 0x2b, 0xc0, 0x5a, 0x02, 0x00, 0x00, 0x03, 0x00, 0x02, 0x00, 0x00, 0x03,
    0x00, 0x32, 0x10, 0x22, 0x00, 0x01, 0x00, 0x07, 0x44, 0x01, 0xc1, 0x72, 0xb4, 0x62, 0x40};

// Main 4:2:2 10 (RExt, profile_idc 4), 10-bit 4:2:2:
//   ffmpeg -f lavfi -i testsrc2=size=320x240 -frames 1 -pix_fmt yuv422p10le -c:v libx265
//     -f hevc main422_10.hevc
const vtc::Data kMain422_10Vps = {0x40, 0x01, 0x0c, 0x01, 0xff, 0xff, 0x04, 0x08,
                                  0x00, 0x00, 0x03, 0x00, 0x9d, 0x08, 0x00, 0x00,
                                  0x03, 0x00, 0x00, 0x3c, 0x95, 0x98, 0x09};
const vtc::Data kMain422_10Sps = {0x42, 0x01, 0x01, 0x04, 0x08, 0x00, 0x00, 0x03, 0x00, 0x9d, 0x08,
                                  0x00, 0x00, 0x03, 0x00, 0x00, 0x3c, 0xb0, 0x0a, 0x08, 0x0f, 0x13,
                                  0x65, 0x95, 0x9a, 0x49, 0x32, 0xbc, 0x05, 0xa0, 0x20, 0x00, 0x00,
                                  0x03, 0x00, 0x20, 0x00, 0x00, 0x03, 0x03, 0x21};
const vtc::Data kMain422_10Pps = {0x44, 0x01, 0xc1, 0x72, 0xb4, 0x62, 0x40};
// `ffmpeg -i main422_10.hevc -c copy main422_10.mp4`, its hvcC.
const vtc::Data kMain422_10FfmpegHvcc = {
    0x01, 0x04, 0x08, 0x00, 0x00, 0x00, 0x9d, 0x08, 0x00, 0x00, 0x00, 0x00, 0x3c, 0xf0, 0x00, 0xfc,
    0xfe, 0xfa, 0xfa, 0x00, 0x00, 0x0f, 0x03, 0x20, 0x00, 0x01, 0x00, 0x17, 0x40, 0x01, 0x0c, 0x01,
    0xff, 0xff, 0x04, 0x08, 0x00, 0x00, 0x03, 0x00, 0x9d, 0x08, 0x00, 0x00, 0x03, 0x00, 0x00, 0x3c,
    0x95, 0x98, 0x09, 0x21, 0x00, 0x01, 0x00, 0x29, 0x42, 0x01, 0x01, 0x04, 0x08, 0x00, 0x00, 0x03,
    0x00, 0x9d, 0x08, 0x00, 0x00, 0x03, 0x00, 0x00, 0x3c, 0xb0, 0x0a, 0x08, 0x0f, 0x13, 0x65, 0x95,
    0x9a, 0x49, 0x32, 0xbc, 0x05, 0xa0, 0x20, 0x00, 0x00, 0x03, 0x00, 0x20, 0x00, 0x00, 0x03, 0x03,
    0x21, 0x22, 0x00, 0x01, 0x00, 0x07, 0x44, 0x01, 0xc1, 0x72, 0xb4, 0x62, 0x40};

// HRD parameters in VPS and VUI, two temporal sub-layers, colour description, SAR, no wavefront:
//   ffmpeg -f lavfi -i testsrc2=size=352x288 -frames 1 -c:v libx265 -x265-params "$P" -f hevc
//   hrd.hevc
// with P (one word) = hrd=1:vbv-bufsize=500:vbv-maxrate=500:temporal-layers=1:colorprim=bt709:
//   transfer=bt709:colormatrix=bt709:sar=4\:3:range=full:chromaloc=1:overscan=show:wpp=0:info=0
// and the three prefix SEI NAL units x265 wrote with them (active parameter sets, buffering
// period, picture timing).
const vtc::Data kHrdVps = {0x40, 0x01, 0x0c, 0x02, 0xff, 0xff, 0x01, 0x60, 0x00, 0x00,
                           0x03, 0x00, 0x90, 0x00, 0x00, 0x03, 0x00, 0x00, 0x03, 0x00,
                           0x3c, 0x00, 0x00, 0x95, 0x98, 0xac, 0xc0, 0x48};
const vtc::Data kHrdSps = {0x42, 0x01, 0x02, 0x01, 0x60, 0x00, 0x00, 0x03, 0x00, 0x90, 0x00, 0x00,
                           0x03, 0x00, 0x00, 0x03, 0x00, 0x3c, 0x00, 0x00, 0xa0, 0x0b, 0x08, 0x04,
                           0x85, 0x96, 0x56, 0x62, 0xb3, 0x49, 0x26, 0x57, 0x87, 0x5b, 0x80, 0x80,
                           0x80, 0xd2, 0x08, 0x00, 0x00, 0x03, 0x00, 0x08, 0x00, 0x00, 0x03, 0x00,
                           0xcb, 0x00, 0x64, 0xb2, 0xf0, 0x00, 0xf4, 0x20, 0x00, 0x3d, 0x09, 0x70,
                           0x00, 0xf4, 0x20, 0x00, 0x3d, 0x09, 0x10};
const vtc::Data kHrdPps = {0x44, 0x01, 0xc1, 0x72, 0xb4, 0x22, 0x40};
const vtc::Data kHrdSei0 = {0x4e, 0x01, 0x81, 0x01, 0x0f, 0x80};
const vtc::Data kHrdSei1 = {0x4e, 0x01, 0x00, 0x07, 0x80, 0x00, 0x4f, 0x1b, 0x41, 0x19, 0x44, 0x80};
const vtc::Data kHrdSei2 = {0x4e, 0x01, 0x01, 0x03, 0x00, 0x00, 0xa0, 0x80};
// `ffmpeg -i hrd.hevc -c copy hrd.mp4`, its hvcC. ffmpeg 5.1's hvcC writer misreads this SPS's
// hrd_parameters (it does not infer fixed_pic_rate_within_cvs_flag = 1 from
// fixed_pic_rate_general_flag = 1) and so reads min_spatial_segmentation_idc 2 and parallelismType
// 1 out of the bits after it; the SPS has no bitstream_restriction (ffmpeg's own trace_headers
// bitstream filter, `ffmpeg -i hrd.hevc -c copy -bsf:v trace_headers -f null -`, shows
// bitstream_restriction_flag 0 and then the stop bit), so the record says 0 and 0 there.
const vtc::Data kHrdFfmpegHvcc = {
    0x01, 0x01, 0x60, 0x00, 0x00, 0x00, 0x90, 0x00, 0x00, 0x00, 0x00, 0x00, 0x3c, 0xf0, 0x02, 0xfd,
    0xfd, 0xf8, 0xf8, 0x00, 0x00, 0x13, 0x03, 0x20, 0x00, 0x01, 0x00, 0x1c, 0x40, 0x01, 0x0c, 0x02,
    0xff, 0xff, 0x01, 0x60, 0x00, 0x00, 0x03, 0x00, 0x90, 0x00, 0x00, 0x03, 0x00, 0x00, 0x03, 0x00,
    0x3c, 0x00, 0x00, 0x95, 0x98, 0xac, 0xc0, 0x48, 0x21, 0x00, 0x01, 0x00, 0x43, 0x42, 0x01, 0x02,
    0x01, 0x60, 0x00, 0x00, 0x03, 0x00, 0x90, 0x00, 0x00, 0x03, 0x00, 0x00, 0x03, 0x00, 0x3c, 0x00,
    0x00, 0xa0, 0x0b, 0x08, 0x04, 0x85, 0x96, 0x56, 0x62, 0xb3, 0x49, 0x26, 0x57, 0x87, 0x5b, 0x80,
    0x80, 0x80, 0xd2, 0x08, 0x00, 0x00, 0x03, 0x00, 0x08, 0x00, 0x00, 0x03, 0x00, 0xcb, 0x00, 0x64,
    0xb2, 0xf0, 0x00, 0xf4, 0x20, 0x00, 0x3d, 0x09, 0x70, 0x00, 0xf4, 0x20, 0x00, 0x3d, 0x09, 0x10,
    0x22, 0x00, 0x01, 0x00, 0x07, 0x44, 0x01, 0xc1, 0x72, 0xb4, 0x22, 0x40};

// ---- Syntax x265 never writes ----
// Written bit by bit from the H.265 syntax tables (a throwaway script) and checked with ffmpeg's
// trace_headers bitstream filter, which parses all four to their rbsp_stop_one_bit with the
// values below:
// VPS and SPS: three temporal sub-layers (sub-layer profile and level flags), general tier High,
// profile_idc 4, compatibility flag 4, constraint flags 0x9a2000000000, level_idc 153; VPS timing
// with HRD (sub_pic_hrd_params, NAL and VCL, two CPBs, a low-delay sub-layer).
// SPS: 4:4:4, 352x288 with a conformance window, 12-bit luma and 10-bit chroma, ordering info for
// the highest sub-layer only, scaling_list_data (copied and coded lists, DC coefficients), PCM,
// three short-term RPS (the second and third predicted, with used/use_delta flags), two long-term
// pictures, a VUI with everything (extended SAR, overscan, colour, chroma location, default display
// window, timing with POC proportionality and the same HRD) and bitstream_restriction with
// min_spatial_segmentation_idc 200, sps_temporal_id_nesting_flag 0.
// PPSs: every optional part (non-uniform tiles in the first, wavefront in the second, deblocking
// control, scaling_list_data).
const vtc::Data kRichVps = {
    0x40, 0x01, 0x0c, 0x04, 0xff, 0xff, 0x24, 0x08, 0x00, 0x00, 0x03, 0x00, 0x9a, 0x20, 0x00,
    0x00, 0x03, 0x00, 0x00, 0x99, 0xd0, 0x00, 0x24, 0x08, 0x00, 0x00, 0x03, 0x00, 0x9a, 0x20,
    0x00, 0x00, 0x03, 0x00, 0x00, 0x96, 0x7b, 0x95, 0xca, 0xe5, 0x70, 0x30, 0x00, 0x00, 0x3e,
    0x90, 0x00, 0x0e, 0xa6, 0x0d, 0x78, 0xb9, 0x26, 0x23, 0x5b, 0xbd, 0x3a, 0x00, 0x7d, 0x20,
    0x07, 0xd1, 0x00, 0x96, 0x80, 0x64, 0x40, 0x05, 0xdd, 0x00, 0x13, 0x8a, 0x01, 0x2e, 0x00,
    0xc9, 0x40, 0x1f, 0x48, 0x01, 0xf4, 0x40, 0x25, 0xa0, 0x19, 0x10, 0x01, 0x77, 0x40, 0x04,
    0xe2, 0x80, 0x4b, 0x80, 0x32, 0x52, 0x00, 0xfa, 0x40, 0x0f, 0xa2, 0x01, 0x2d, 0x00, 0xc8,
    0x80, 0x1f, 0x48, 0x01, 0xf4, 0x40, 0x25, 0xa0, 0x19, 0x12, 0xa0, 0x0f, 0xa4, 0x00, 0xfa,
    0x20, 0x12, 0xd0, 0x0c, 0x8c, 0x01, 0xf4, 0x80, 0x1f, 0x44, 0x02, 0x5a, 0x01, 0x91, 0xa0};
const vtc::Data kRichSps = {
    0x42, 0x01, 0x04, 0x24, 0x08, 0x00, 0x00, 0x03, 0x00, 0x9a, 0x20, 0x00, 0x00, 0x03, 0x00, 0x00,
    0x99, 0xd0, 0x00, 0x24, 0x08, 0x00, 0x00, 0x03, 0x00, 0x9a, 0x20, 0x00, 0x00, 0x03, 0x00, 0x00,
    0x96, 0x7b, 0x90, 0x01, 0x61, 0x00, 0x90, 0xf9, 0x4a, 0xca, 0x33, 0x24, 0x92, 0x25, 0xba, 0x64,
    0xa6, 0x4a, 0x64, 0xa6, 0x42, 0xd3, 0x25, 0x32, 0x53, 0x25, 0x32, 0x16, 0x99, 0x29, 0x92, 0x99,
    0x29, 0x93, 0x4c, 0x94, 0xc9, 0x4c, 0x94, 0xc9, 0x4c, 0x94, 0xc9, 0x4c, 0x94, 0xc9, 0x4c, 0x94,
    0xc9, 0x4c, 0x94, 0xc9, 0x4c, 0x94, 0xc9, 0x4c, 0x94, 0xc8, 0x5a, 0x64, 0xa6, 0x4a, 0x64, 0xa6,
    0x4a, 0x64, 0xa6, 0x4a, 0x64, 0xa6, 0x4a, 0x64, 0xa6, 0x4a, 0x64, 0xa6, 0x4a, 0x64, 0xa6, 0x4a,
    0x64, 0xa6, 0x42, 0xd3, 0x25, 0x32, 0x53, 0x25, 0x32, 0x53, 0x25, 0x32, 0x53, 0x25, 0x32, 0x53,
    0x25, 0x32, 0x53, 0x25, 0x32, 0x53, 0x25, 0x32, 0x53, 0x25, 0x32, 0x13, 0x15, 0x4c, 0x94, 0xc9,
    0x4c, 0x94, 0xc9, 0x4c, 0x94, 0xc9, 0x4c, 0x94, 0xc9, 0x4c, 0x94, 0xc9, 0x4c, 0x94, 0xc9, 0x4c,
    0x94, 0xc9, 0x4c, 0x94, 0xc8, 0x51, 0x54, 0xc9, 0x4c, 0x94, 0xc9, 0x4c, 0x94, 0xc9, 0x4c, 0x94,
    0xc9, 0x4c, 0x94, 0xc9, 0x4c, 0x94, 0xc9, 0x4c, 0x94, 0xc9, 0x4c, 0x94, 0xc9, 0x4c, 0x85, 0x15,
    0x4c, 0x94, 0xc9, 0x4c, 0x94, 0xc9, 0x4c, 0x94, 0xc9, 0x4c, 0x94, 0xc9, 0x4c, 0x94, 0xc9, 0x4c,
    0x94, 0xc9, 0x4c, 0x94, 0xc9, 0x4c, 0x94, 0xc9, 0x15, 0x4c, 0x94, 0xc9, 0x4c, 0x94, 0xc9, 0x4c,
    0x94, 0xc9, 0x4c, 0x94, 0xc9, 0x4c, 0x94, 0xc9, 0x4c, 0x94, 0xc9, 0x4c, 0x94, 0xc9, 0x4c, 0x94,
    0xc8, 0x5d, 0xde, 0xa4, 0x6b, 0x5b, 0xd3, 0xaa, 0x6c, 0x47, 0x90, 0xbf, 0xf0, 0x00, 0x40, 0x00,
    0x3f, 0x70, 0x91, 0x00, 0x9b, 0x63, 0xdc, 0x00, 0x00, 0x0f, 0xa4, 0x00, 0x03, 0xa9, 0x83, 0xf1,
    0x72, 0x4c, 0x46, 0xb7, 0x7a, 0x74, 0x00, 0xfa, 0x40, 0x0f, 0xa2, 0x01, 0x2d, 0x00, 0xc8, 0x80,
    0x0b, 0xba, 0x00, 0x27, 0x14, 0x02, 0x5c, 0x01, 0x92, 0x80, 0x3e, 0x90, 0x03, 0xe8, 0x80, 0x4b,
    0x40, 0x32, 0x20, 0x02, 0xee, 0x80, 0x09, 0xc5, 0x00, 0x97, 0x00, 0x64, 0xa4, 0x01, 0xf4, 0x80,
    0x1f, 0x44, 0x02, 0x5a, 0x01, 0x91, 0x00, 0x3e, 0x90, 0x03, 0xe8, 0x80, 0x4b, 0x40, 0x32, 0x25,
    0x40, 0x1f, 0x48, 0x01, 0xf4, 0x40, 0x25, 0xa0, 0x19, 0x18, 0x03, 0xe9, 0x00, 0x3e, 0x88, 0x04,
    0xb4, 0x03, 0x23, 0xb0, 0x19, 0x2d, 0x04, 0x02, 0x08};
const vtc::Data kRichPpsTiles = {
    0x44, 0x01, 0x51, 0x6d, 0x1f, 0xb2, 0x9b, 0x26, 0x89, 0x3f, 0x14, 0x45, 0xd3, 0x25, 0x32, 0x53,
    0x25, 0x32, 0x16, 0x99, 0x29, 0x92, 0x99, 0x29, 0x90, 0xb4, 0xc9, 0x4c, 0x94, 0xc9, 0x4c, 0x9a,
    0x64, 0xa6, 0x4a, 0x64, 0xa6, 0x4a, 0x64, 0xa6, 0x4a, 0x64, 0xa6, 0x4a, 0x64, 0xa6, 0x4a, 0x64,
    0xa6, 0x4a, 0x64, 0xa6, 0x4a, 0x64, 0xa6, 0x42, 0xd3, 0x25, 0x32, 0x53, 0x25, 0x32, 0x53, 0x25,
    0x32, 0x53, 0x25, 0x32, 0x53, 0x25, 0x32, 0x53, 0x25, 0x32, 0x53, 0x25, 0x32, 0x53, 0x25, 0x32,
    0x16, 0x99, 0x29, 0x92, 0x99, 0x29, 0x92, 0x99, 0x29, 0x92, 0x99, 0x29, 0x92, 0x99, 0x29, 0x92,
    0x99, 0x29, 0x92, 0x99, 0x29, 0x92, 0x99, 0x29, 0x90, 0x98, 0xaa, 0x64, 0xa6, 0x4a, 0x64, 0xa6,
    0x4a, 0x64, 0xa6, 0x4a, 0x64, 0xa6, 0x4a, 0x64, 0xa6, 0x4a, 0x64, 0xa6, 0x4a, 0x64, 0xa6, 0x4a,
    0x64, 0xa6, 0x42, 0x8a, 0xa6, 0x4a, 0x64, 0xa6, 0x4a, 0x64, 0xa6, 0x4a, 0x64, 0xa6, 0x4a, 0x64,
    0xa6, 0x4a, 0x64, 0xa6, 0x4a, 0x64, 0xa6, 0x4a, 0x64, 0xa6, 0x4a, 0x64, 0x28, 0xaa, 0x64, 0xa6,
    0x4a, 0x64, 0xa6, 0x4a, 0x64, 0xa6, 0x4a, 0x64, 0xa6, 0x4a, 0x64, 0xa6, 0x4a, 0x64, 0xa6, 0x4a,
    0x64, 0xa6, 0x4a, 0x64, 0xa6, 0x48, 0xaa, 0x64, 0xa6, 0x4a, 0x64, 0xa6, 0x4a, 0x64, 0xa6, 0x4a,
    0x64, 0xa6, 0x4a, 0x64, 0xa6, 0x4a, 0x64, 0xa6, 0x4a, 0x64, 0xa6, 0x4a, 0x64, 0xa6, 0x42, 0xa2};
const vtc::Data kRichPpsWpp = {
    0x44, 0x01, 0x71, 0x6d, 0x1f, 0xb2, 0x9b, 0x1e, 0x28, 0x8b, 0xa6, 0x4a, 0x64, 0xa6, 0x4a, 0x64,
    0x2d, 0x32, 0x53, 0x25, 0x32, 0x53, 0x21, 0x69, 0x92, 0x99, 0x29, 0x92, 0x99, 0x34, 0xc9, 0x4c,
    0x94, 0xc9, 0x4c, 0x94, 0xc9, 0x4c, 0x94, 0xc9, 0x4c, 0x94, 0xc9, 0x4c, 0x94, 0xc9, 0x4c, 0x94,
    0xc9, 0x4c, 0x94, 0xc9, 0x4c, 0x85, 0xa6, 0x4a, 0x64, 0xa6, 0x4a, 0x64, 0xa6, 0x4a, 0x64, 0xa6,
    0x4a, 0x64, 0xa6, 0x4a, 0x64, 0xa6, 0x4a, 0x64, 0xa6, 0x4a, 0x64, 0xa6, 0x4a, 0x64, 0x2d, 0x32,
    0x53, 0x25, 0x32, 0x53, 0x25, 0x32, 0x53, 0x25, 0x32, 0x53, 0x25, 0x32, 0x53, 0x25, 0x32, 0x53,
    0x25, 0x32, 0x53, 0x25, 0x32, 0x53, 0x21, 0x31, 0x54, 0xc9, 0x4c, 0x94, 0xc9, 0x4c, 0x94, 0xc9,
    0x4c, 0x94, 0xc9, 0x4c, 0x94, 0xc9, 0x4c, 0x94, 0xc9, 0x4c, 0x94, 0xc9, 0x4c, 0x94, 0xc9, 0x4c,
    0x85, 0x15, 0x4c, 0x94, 0xc9, 0x4c, 0x94, 0xc9, 0x4c, 0x94, 0xc9, 0x4c, 0x94, 0xc9, 0x4c, 0x94,
    0xc9, 0x4c, 0x94, 0xc9, 0x4c, 0x94, 0xc9, 0x4c, 0x94, 0xc8, 0x51, 0x54, 0xc9, 0x4c, 0x94, 0xc9,
    0x4c, 0x94, 0xc9, 0x4c, 0x94, 0xc9, 0x4c, 0x94, 0xc9, 0x4c, 0x94, 0xc9, 0x4c, 0x94, 0xc9, 0x4c,
    0x94, 0xc9, 0x4c, 0x91, 0x54, 0xc9, 0x4c, 0x94, 0xc9, 0x4c, 0x94, 0xc9, 0x4c, 0x94, 0xc9, 0x4c,
    0x94, 0xc9, 0x4c, 0x94, 0xc9, 0x4c, 0x94, 0xc9, 0x4c, 0x94, 0xc9, 0x4c, 0x85, 0x44};
// ---- Helpers ----

// ffmpeg's record with array_completeness 1 on the VPS, SPS and PPS arrays: ffmpeg 5.1's mp4
// muxer writes 0 there, while an 'hvc1' sample entry keeps every parameter set in the record and
// none in the samples (ISO/IEC 14496-15's rule for the 'hvc1' sample entry), which is what the
// session does.
Data WithCompleteParameterSetArrays(Data record) {
  std::size_t p = 23;  // first array, after numOfArrays at byte 22
  for (int a = 0; a < record.at(22); ++a) {
    const int type = record.at(p) & 0x3f;
    if (type >= 32 && type <= 34) record[p] |= 0x80;
    const int units = record.at(p + 1) << 8 | record.at(p + 2);
    p += 3;
    for (int u = 0; u < units; ++u) p += 2 + std::size_t(record.at(p) << 8 | record.at(p + 1));
  }
  EXPECT_EQ(p, record.size()) << "the arrays do not end with the record";
  return record;
}

FormatDescriptionRef MakeHevc(const std::vector<Data>& sets, int header_length = 4, int w = 320,
                              int h = 240, vtc::Dictionary extensions = {}) {
  FormatDescriptionRef fd;
  const Status st =
      FormatDescription::CreateHEVC(sets, header_length, w, h, w, h, std::move(extensions), &fd);
  EXPECT_EQ(st, Status::kNoErr);
  EXPECT_EQ(bool(fd), st == Status::kNoErr);
  return fd;
}

Status CreateHevcStatus(const std::vector<Data>& sets, int header_length = 4) {
  FormatDescriptionRef fd = MakeHevc({kMain8Vps, kMain8Sps, kMain8Pps});  // must be reset
  const Status st = FormatDescription::CreateHEVC(sets, header_length, 320, 240, 320, 240, {}, &fd);
  EXPECT_EQ(bool(fd), st == Status::kNoErr);
  return st;
}

// The SampleDescriptionExtensionAtoms entry `atom`, or empty.
Data Atom(const FormatDescription& fd, const char* atom) {
  const auto atoms = fd.extensions().find(vtc::key::kSampleDescriptionExtensionAtoms);
  if (atoms == fd.extensions().end() || !atoms->second.IsDictionary()) return {};
  const auto it = atoms->second.AsDictionary().find(atom);
  if (it == atoms->second.AsDictionary().end() || !it->second.IsData()) return {};
  return it->second.AsData();
}

// All parameter sets through GetHEVCParameterSetAtIndex, checking count and header length on
// every call.
std::vector<Data> HevcParameterSets(const FormatDescription& fd, int header_length = 4) {
  std::size_t count = 0;
  int length = 0;
  EXPECT_EQ(fd.GetHEVCParameterSetAtIndex(0, nullptr, nullptr, &count, &length), Status::kNoErr);
  std::vector<Data> sets;
  for (std::size_t i = 0; i < count; ++i) {
    const std::uint8_t* p = nullptr;
    std::size_t size = 0, c = 0;
    length = 0;
    EXPECT_EQ(fd.GetHEVCParameterSetAtIndex(i, &p, &size, &c, &length), Status::kNoErr);
    EXPECT_EQ(c, count);
    EXPECT_EQ(length, header_length);
    if (p) sets.emplace_back(p, p + size);
  }
  return sets;
}

// ---- HEVC: the record ----

TEST(HevcFormatDescription, Main8RecordIsFfmpegs) {
  const FormatDescriptionRef fd = MakeHevc({kMain8Vps, kMain8Sps, kMain8Pps});
  ASSERT_TRUE(fd);
  EXPECT_EQ(fd->codec_type(), vtc::kCodecType_HEVC);
  EXPECT_EQ(fd->configuration_record(), WithCompleteParameterSetArrays(kMain8FfmpegHvcc));
  EXPECT_EQ(Atom(*fd, vtc::key::kHvcC), fd->configuration_record());
  EXPECT_TRUE(Atom(*fd, vtc::key::kAvcC).empty());
  EXPECT_TRUE(fd->avcc().empty()) << "avcc() is H.264's record only";
  EXPECT_EQ(fd->profile_idc(), 1);  // Main
  EXPECT_EQ(fd->level_idc(), 60);   // level 2
  EXPECT_EQ(fd->width(), 320);
  EXPECT_EQ(fd->height(), 240);
  EXPECT_EQ(fd->extensions().count(vtc::key::kCleanAperture), 0u);
  // Field by field, so that a failure says which (ISO/IEC 14496-15 8.3.3.1).
  const Data& r = fd->configuration_record();
  ASSERT_GE(r.size(), 23u);
  EXPECT_EQ(r[0], 1) << "configurationVersion";
  EXPECT_EQ(r[1], 0x01) << "profile_space 0, tier Main, general_profile_idc 1";
  EXPECT_EQ(Data(r.begin() + 2, r.begin() + 6), (Data{0x60, 0, 0, 0})) << "compatibility 1, 2";
  EXPECT_EQ(Data(r.begin() + 6, r.begin() + 12), (Data{0x90, 0, 0, 0, 0, 0}))
      << "progressive_source and frame_only_constraint";
  EXPECT_EQ(r[13] << 8 | r[14], 0xf000) << "min_spatial_segmentation_idc 0 (no restriction)";
  EXPECT_EQ(r[15], 0xfc) << "parallelismType 0";
  EXPECT_EQ(r[16], 0xfd) << "chromaFormat 4:2:0";
  EXPECT_EQ(r[17], 0xf8) << "bitDepthLumaMinus8";
  EXPECT_EQ(r[18], 0xf8) << "bitDepthChromaMinus8";
  EXPECT_EQ(r[19] << 8 | r[20], 0) << "avgFrameRate";
  EXPECT_EQ(r[21], 0x0f) << "constantFrameRate 0, one temporal layer, nested, 4-byte lengths";
  EXPECT_EQ(r[22], 3) << "numOfArrays";
}

TEST(HevcFormatDescription, Main422_10RecordIsFfmpegs) {
  const FormatDescriptionRef fd = MakeHevc({kMain422_10Vps, kMain422_10Sps, kMain422_10Pps});
  ASSERT_TRUE(fd);
  EXPECT_EQ(fd->configuration_record(), WithCompleteParameterSetArrays(kMain422_10FfmpegHvcc));
  const Data& r = fd->configuration_record();
  ASSERT_GE(r.size(), 23u);
  EXPECT_EQ(r[1], 0x04) << "general_profile_idc 4 (format range extensions)";
  EXPECT_EQ(r[16], 0xfe) << "chromaFormat 4:2:2";
  EXPECT_EQ(r[17], 0xfa) << "10-bit luma";
  EXPECT_EQ(r[18], 0xfa) << "10-bit chroma";
  EXPECT_EQ(fd->profile_idc(), 4);
}

TEST(HevcFormatDescription, HrdAndTemporalLayers) {
  const FormatDescriptionRef fd = MakeHevc({kHrdVps, kHrdSps, kHrdPps}, 4, 352, 288);
  ASSERT_TRUE(fd);
  Data expected = WithCompleteParameterSetArrays(kHrdFfmpegHvcc);
  // min_spatial_segmentation_idc and parallelismType: see kHrdFfmpegHvcc.
  ASSERT_EQ(expected[13] << 8 | expected[14], 0xf002);
  ASSERT_EQ(expected[15], 0xfd);
  expected[14] = 0x00;
  expected[15] = 0xfc;
  EXPECT_EQ(fd->configuration_record(), expected);
  EXPECT_EQ(fd->configuration_record().at(21), 0x13)
      << "two temporal layers, temporalIdNested 0 (sps_temporal_id_nesting_flag 0)";
}

TEST(HevcFormatDescription, RichSyntax) {
  // Tiles only: parallelismType 2, and min_spatial_segmentation_idc 200 from the VUI.
  const FormatDescriptionRef fd = MakeHevc({kRichVps, kRichSps, kRichPpsTiles}, 4, 352, 288);
  ASSERT_TRUE(fd);
  Data expected = {
      0x01,                                // configurationVersion
      0x24,                                // profile_space 0, tier High, general_profile_idc 4
      0x08, 0x00, 0x00, 0x00,              // compatibility flag 4
      0x9a, 0x20, 0x00, 0x00, 0x00, 0x00,  // constraint indicator flags
      153,                                 // general_level_idc
      0xf0, 200,                           // min_spatial_segmentation_idc
      0xfe,                                // parallelismType 2: tiles
      0xff,                                // chromaFormat 4:4:4
      0xfc,                                // 12-bit luma
      0xfa,                                // 10-bit chroma
      0x00, 0x00,                          // avgFrameRate
      0x1b,                                // three temporal layers, not nested, 4-byte lengths
      3,                                   // numOfArrays
  };
  for (const Data* nal : {&kRichVps, &kRichSps, &kRichPpsTiles}) {
    expected.push_back(std::uint8_t(0x80 | vtc::hevc::NalUnitType(*nal)));
    expected.insert(expected.end(),
                    {0x00, 0x01, std::uint8_t(nal->size() >> 8), std::uint8_t(nal->size())});
    expected.insert(expected.end(), nal->begin(), nal->end());
  }
  EXPECT_EQ(fd->configuration_record(), expected);
  EXPECT_EQ(fd->profile_idc(), 4);
  EXPECT_EQ(fd->level_idc(), 153);

  // Wavefront only: 3; both PPSs: mixed, 0.
  const FormatDescriptionRef wpp = MakeHevc({kRichVps, kRichSps, kRichPpsWpp}, 4, 352, 288);
  ASSERT_TRUE(wpp);
  EXPECT_EQ(wpp->configuration_record().at(15), 0xff);
  const FormatDescriptionRef both =
      MakeHevc({kRichVps, kRichSps, kRichPpsTiles, kRichPpsWpp}, 4, 352, 288);
  ASSERT_TRUE(both);
  EXPECT_EQ(both->configuration_record().at(15), 0xfc);
  EXPECT_EQ(both->configuration_record().at(22), 3) << "two PPSs, one array";
  // With an SPS that has no bitstream_restriction the parallelism is unknown whatever the PPS.
  const FormatDescriptionRef plain = MakeHevc({kMain8Vps, kMain8Sps, kRichPpsTiles});
  ASSERT_TRUE(plain);
  EXPECT_EQ(plain->configuration_record().at(15), 0xfc);
}

TEST(HevcFormatDescription, CombinesEveryVpsAndSps) {
  // The Main SPS and the Main 4:2:2 10 one in a description: the record covers both (highest
  // profile and level, only the flags both set); chroma format and bit depths are the first SPS's.
  const FormatDescriptionRef fd =
      MakeHevc({kMain8Vps, kMain8Sps, kMain422_10Sps, kMain8Pps, kMain422_10Vps});
  ASSERT_TRUE(fd);
  const Data& r = fd->configuration_record();
  ASSERT_GE(r.size(), 23u);
  EXPECT_EQ(r[1], 0x04);
  EXPECT_EQ(Data(r.begin() + 2, r.begin() + 6), (Data{0, 0, 0, 0}));            // 0x60 & 0x08
  EXPECT_EQ(Data(r.begin() + 6, r.begin() + 12), (Data{0x90, 0, 0, 0, 0, 0}));  // 0x90 & 0x9d
  EXPECT_EQ(r[16], 0xfd);
  EXPECT_EQ(r[17], 0xf8);
  EXPECT_EQ(r[22], 3);
  EXPECT_EQ(r[23], 0xa0);
  EXPECT_EQ(r[24] << 8 | r[25], 2) << "two VPSs in one array";
  EXPECT_EQ(HevcParameterSets(*fd),
            (std::vector<Data>{kMain8Vps, kMain422_10Vps, kMain8Sps, kMain422_10Sps, kMain8Pps}));
}

TEST(HevcFormatDescription, NalUnitHeaderLength) {
  for (int length : {1, 2, 4}) {
    SCOPED_TRACE(length);
    const FormatDescriptionRef fd = MakeHevc({kMain8Vps, kMain8Sps, kMain8Pps}, length);
    ASSERT_TRUE(fd);
    EXPECT_EQ(fd->configuration_record().at(21) & 3, length - 1) << "lengthSizeMinusOne";
    int got = 0;
    EXPECT_EQ(fd->GetHEVCParameterSetAtIndex(0, nullptr, nullptr, nullptr, &got), Status::kNoErr);
    EXPECT_EQ(got, length);
  }
  for (int length : {0, 3, 8, -4}) {
    SCOPED_TRACE(length);
    EXPECT_EQ(CreateHevcStatus({kMain8Vps, kMain8Sps, kMain8Pps}, length), Status::kParameterErr);
  }
}

// ---- HEVC: the parameter sets ----

TEST(HevcFormatDescription, ParameterSetsInRecordOrder) {
  // Given in any order, with SEI: returned as the hvcC lists them, VPS, SPS, PPS, prefix SEI,
  // suffix SEI, in the order given within a type.
  const Data suffix_sei = {0x50, 0x01, 0x84, 0x01, 0x00, 0x80};  // made up; SEI is not parsed
  const FormatDescriptionRef fd =
      MakeHevc({kHrdSei1, kHrdPps, suffix_sei, kHrdSps, kHrdSei0, kHrdVps, kHrdSei2}, 4, 352, 288);
  ASSERT_TRUE(fd);
  const std::vector<Data> expected = {kHrdVps,  kHrdSps,  kHrdPps,   kHrdSei1,
                                      kHrdSei0, kHrdSei2, suffix_sei};
  EXPECT_EQ(HevcParameterSets(*fd), expected);

  // Out of range: kParameterErr, with the count and header length still set.
  std::size_t count = 0;
  int length = 0;
  const std::uint8_t* p = nullptr;
  std::size_t size = 99;
  EXPECT_EQ(fd->GetHEVCParameterSetAtIndex(7, &p, &size, &count, &length), Status::kParameterErr);
  EXPECT_EQ(count, 7u);
  EXPECT_EQ(length, 4);
  EXPECT_EQ(p, nullptr);
  EXPECT_EQ(size, 99u);
  EXPECT_EQ(fd->GetHEVCParameterSetAtIndex(std::size_t(-1), nullptr, nullptr, nullptr, nullptr),
            Status::kParameterErr);
  // Every out pointer may be null.
  EXPECT_EQ(fd->GetHEVCParameterSetAtIndex(2, nullptr, nullptr, nullptr, nullptr), Status::kNoErr);

  // The record: the parameter-set arrays complete, the SEI ones not (samples may carry SEI).
  const Data& r = fd->configuration_record();
  ASSERT_GE(r.size(), 23u);
  EXPECT_EQ(r[22], 5) << "numOfArrays";
  std::vector<int> headers;
  std::vector<Data> units;
  std::size_t pos = 23;
  for (int a = 0; a < r[22] && pos + 3 <= r.size(); ++a) {
    headers.push_back(r[pos]);
    const int n = r[pos + 1] << 8 | r[pos + 2];
    pos += 3;
    for (int u = 0; u < n && pos + 2 <= r.size(); ++u) {
      const std::size_t len = std::size_t(r[pos] << 8 | r[pos + 1]);
      units.emplace_back(r.begin() + long(pos + 2),
                         r.begin() + long(std::min(r.size(), pos + 2 + len)));
      pos += 2 + len;
    }
  }
  EXPECT_EQ(pos, r.size());
  EXPECT_EQ(headers, (std::vector<int>{0x80 | 32, 0x80 | 33, 0x80 | 34, 39, 40}));
  EXPECT_EQ(units, expected);
  // Apart from the arrays it is the record without SEI.
  const FormatDescriptionRef plain = MakeHevc({kHrdVps, kHrdSps, kHrdPps}, 4, 352, 288);
  ASSERT_TRUE(plain);
  EXPECT_EQ(Data(r.begin(), r.begin() + 22), Data(plain->configuration_record().begin(),
                                                  plain->configuration_record().begin() + 22));
}

TEST(HevcFormatDescription, WrongCodecGetters) {
  const FormatDescriptionRef hevc = MakeHevc({kMain8Vps, kMain8Sps, kMain8Pps});
  ASSERT_TRUE(hevc);
  std::size_t count = 42;
  int length = 42;
  const std::uint8_t* p = nullptr;
  EXPECT_EQ(hevc->GetH264ParameterSetAtIndex(0, &p, nullptr, &count, &length),
            Status::kParameterErr);
  EXPECT_EQ(p, nullptr);
  EXPECT_EQ(count, 42u);
  EXPECT_EQ(length, 42);

  FormatDescriptionRef h264;
  ASSERT_EQ(FormatDescription::CreateH264(
                {0x67, 0x42, 0xc0, 0x0d, 0x8c, 0x8d, 0x40, 0xa0, 0xf9, 0x00, 0xf0, 0x88},
                {0x68, 0xce, 0x3c, 0x80}, 320, 240, 320, 240, {}, &h264),
            Status::kNoErr);
  EXPECT_EQ(h264->GetHEVCParameterSetAtIndex(0, &p, nullptr, &count, &length),
            Status::kParameterErr);
  EXPECT_EQ(p, nullptr);
  EXPECT_EQ(count, 42u);
  EXPECT_EQ(h264->GetH264ParameterSetAtIndex(1, &p, nullptr, &count, &length), Status::kNoErr);
  EXPECT_EQ(count, 2u);
  EXPECT_EQ(length, 4);
  EXPECT_FALSE(h264->Equals(*hevc));
  EXPECT_FALSE(hevc->Equals(*h264));
}

TEST(HevcFormatDescription, Equals) {
  const FormatDescriptionRef a = MakeHevc({kMain8Vps, kMain8Sps, kMain8Pps});
  ASSERT_TRUE(a);
  EXPECT_TRUE(a->Equals(*a));
  // The same sets in another order are the same description.
  const FormatDescriptionRef b = MakeHevc({kMain8Pps, kMain8Sps, kMain8Vps});
  ASSERT_TRUE(b);
  EXPECT_TRUE(a->Equals(*b));
  EXPECT_TRUE(b->Equals(*a));
  EXPECT_FALSE(a->Equals(*MakeHevc({kMain422_10Vps, kMain422_10Sps, kMain422_10Pps})));
  EXPECT_FALSE(a->Equals(*MakeHevc({kMain8Vps, kMain8Sps, kMain8Pps, kHrdSei0})));
  EXPECT_FALSE(a->Equals(*MakeHevc({kMain8Vps, kMain8Sps, kMain8Pps}, 2)));
  EXPECT_FALSE(a->Equals(*MakeHevc({kMain8Vps, kMain8Sps, kMain8Pps}, 4, 320, 256)));
  EXPECT_FALSE(a->Equals(*MakeHevc({kMain8Vps, kMain8Sps, kMain8Pps}, 4, 320, 240,
                                   {{vtc::key::kFullRangeVideo, Value(true)}})));
  FormatDescriptionRef cropped;
  ASSERT_EQ(FormatDescription::CreateHEVC({kMain8Vps, kMain8Sps, kMain8Pps}, 4, 320, 240, 318, 240,
                                          {}, &cropped),
            Status::kNoErr);
  EXPECT_FALSE(a->Equals(*cropped));
}

TEST(HevcFormatDescription, ExtensionsAndCleanApertureAsH264) {
  // Caller extensions are kept; a smaller picture gets the same CleanAperture as CreateH264's.
  const vtc::Dictionary ext = {{vtc::key::kFullRangeVideo, Value(true)}};
  FormatDescriptionRef hevc, h264;
  ASSERT_EQ(FormatDescription::CreateHEVC({kMain8Vps, kMain8Sps, kMain8Pps}, 4, 320, 240, 319, 237,
                                          ext, &hevc),
            Status::kNoErr);
  ASSERT_EQ(FormatDescription::CreateH264(
                {0x67, 0x42, 0xc0, 0x0d, 0x8c, 0x8d, 0x40, 0xa0, 0xf9, 0x00, 0xf0, 0x88},
                {0x68, 0xce, 0x3c, 0x80}, 320, 240, 319, 237, ext, &h264),
            Status::kNoErr);
  EXPECT_EQ(hevc->display_width(), 319);
  EXPECT_EQ(hevc->display_height(), 237);
  ASSERT_EQ(hevc->extensions().count(vtc::key::kCleanAperture), 1u);
  EXPECT_EQ(hevc->extensions().at(vtc::key::kCleanAperture),
            h264->extensions().at(vtc::key::kCleanAperture));
  const vtc::Dictionary& aperture = hevc->extensions().at(vtc::key::kCleanAperture).AsDictionary();
  EXPECT_EQ(aperture.at(vtc::key::kCleanApertureWidth), Value(319));
  EXPECT_EQ(aperture.at(vtc::key::kCleanApertureHorizontalOffset), Value(-0.5));
  EXPECT_EQ(aperture.at(vtc::key::kCleanApertureVerticalOffset), Value(-1.5));
  EXPECT_EQ(hevc->extensions().at(vtc::key::kFullRangeVideo), Value(true));
}

// ---- HEVC: bad input ----

TEST(HevcFormatDescription, RejectsMissingOrForeignUnits) {
  EXPECT_EQ(CreateHevcStatus({kMain8Sps, kMain8Pps}), Status::kParameterErr) << "no VPS";
  EXPECT_EQ(CreateHevcStatus({kMain8Vps, kMain8Pps}), Status::kParameterErr) << "no SPS";
  EXPECT_EQ(CreateHevcStatus({kMain8Vps, kMain8Sps}), Status::kParameterErr) << "no PPS";
  EXPECT_EQ(CreateHevcStatus({}), Status::kParameterErr);
  EXPECT_EQ(CreateHevcStatus({kMain8Vps, kMain8Sps, kMain8Pps, Data{}}), Status::kParameterErr);
  // H.264 parameter sets: their 1-byte headers read as HEVC types 51 and 52.
  EXPECT_EQ(
      CreateHevcStatus({kMain8Vps,
                        {0x67, 0x42, 0xc0, 0x0d, 0x8c, 0x8d, 0x40, 0xa0, 0xf9, 0x00, 0xf0, 0x88},
                        kMain8Pps}),
      Status::kParameterErr);
  // Other HEVC NAL units: an IDR slice (19), an access unit delimiter (35), end of sequence (36).
  for (int type : {19, 35, 36, 1, 41, 63}) {
    SCOPED_TRACE(type);
    const Data unit = {std::uint8_t(type << 1), 0x01, 0x50, 0x80};
    EXPECT_EQ(CreateHevcStatus({kMain8Vps, kMain8Sps, kMain8Pps, unit}), Status::kParameterErr);
  }
  // A parameter set given as the wrong type: the SPS bytes under a PPS header.
  Data sps_as_pps = kMain8Sps;
  sps_as_pps[0] = 34 << 1;
  EXPECT_EQ(CreateHevcStatus({kMain8Vps, kMain8Sps, sps_as_pps}), Status::kParameterErr);
}

TEST(HevcFormatDescription, RejectsBadHeaders) {
  Data forbidden = kMain8Sps;
  forbidden[0] |= 0x80;  // forbidden_zero_bit
  EXPECT_EQ(CreateHevcStatus({kMain8Vps, forbidden, kMain8Pps}), Status::kParameterErr);
  Data layered = kMain8Pps;
  layered[1] |= 0x08;  // nuh_layer_id 1
  EXPECT_EQ(CreateHevcStatus({kMain8Vps, kMain8Sps, layered}), Status::kParameterErr);
  Data layered_msb = kMain8Vps;
  layered_msb[0] |= 0x01;  // nuh_layer_id 32
  EXPECT_EQ(CreateHevcStatus({layered_msb, kMain8Sps, kMain8Pps}), Status::kParameterErr);
  Data no_tid = kMain8Sps;
  no_tid[1] &= 0xf8;  // nuh_temporal_id_plus1 0
  EXPECT_EQ(CreateHevcStatus({kMain8Vps, no_tid, kMain8Pps}), Status::kParameterErr);
  // Only the 2-byte header.
  EXPECT_EQ(CreateHevcStatus({kMain8Vps, kMain8Sps, kMain8Pps, {0x4e, 0x01}}),
            Status::kParameterErr);
  // A unit whose size does not fit the record's 16-bit length.
  Data huge_sei(0x10000, 0xff);
  huge_sei[0] = 0x4e;
  huge_sei[1] = 0x01;
  huge_sei.back() = 0x80;
  EXPECT_EQ(CreateHevcStatus({kMain8Vps, kMain8Sps, kMain8Pps, huge_sei}), Status::kParameterErr);
  huge_sei.resize(0xffff);
  EXPECT_EQ(CreateHevcStatus({kMain8Vps, kMain8Sps, kMain8Pps, huge_sei}), Status::kNoErr);
  // No out pointer.
  EXPECT_EQ(FormatDescription::CreateHEVC({kMain8Vps, kMain8Sps, kMain8Pps}, 4, 320, 240, 320, 240,
                                          {}, nullptr),
            Status::kParameterErr);
}

TEST(HevcFormatDescription, RejectsEveryTruncation) {
  // Every shorter prefix of each parameter set ends before its syntax does.
  struct Set {
    const char* name;
    const Data& nal;
    int index;  // in {VPS, SPS, PPS}
  } sets[] = {{"main8 VPS", kMain8Vps, 0},
              {"main8 SPS", kMain8Sps, 1},
              {"main8 PPS", kMain8Pps, 2},
              {"hrd VPS", kHrdVps, 0},
              {"hrd SPS", kHrdSps, 1},
              {"rich VPS", kRichVps, 0},
              {"rich SPS", kRichSps, 1},
              {"rich tiles PPS", kRichPpsTiles, 2},
              {"rich wavefront PPS", kRichPpsWpp, 2}};
  for (const Set& s : sets) {
    for (std::size_t n = 0; n < s.nal.size(); ++n) {
      std::vector<Data> units = {kMain8Vps, kMain8Sps, kMain8Pps};
      units[std::size_t(s.index)] = Data(s.nal.begin(), s.nal.begin() + long(n));
      EXPECT_EQ(CreateHevcStatus(units), Status::kParameterErr) << s.name << " cut to " << n;
    }
  }
}

TEST(HevcFormatDescription, RejectsTrailingData) {
  // One more byte of syntax after the stop bit: the parse did not end where the unit does.
  Data sps = kMain8Sps;
  sps.push_back(0x80);
  EXPECT_EQ(CreateHevcStatus({kMain8Vps, sps, kMain8Pps}), Status::kParameterErr);
  // Zero bytes after it (trailing_zero_8bits a byte-stream splitter left) are fine.
  sps = kMain8Sps;
  sps.push_back(0x00);
  EXPECT_EQ(CreateHevcStatus({kMain8Vps, sps, kMain8Pps}), Status::kNoErr);
}

// ---- HEVC: the parser on its own ----

TEST(HevcParameterSetParser, SpsFields) {
  struct {
    const char* name;
    const Data& sps;
    unsigned width, height, chroma, luma, chroma_depth, sub_layers, min_spatial;
    bool nesting;
  } cases[] = {
      {"main8", kMain8Sps, 320, 240, 1, 8, 8, 1, 0, true},
      {"main422_10", kMain422_10Sps, 320, 240, 2, 10, 10, 1, 0, true},
      {"hrd", kHrdSps, 352, 288, 1, 8, 8, 2, 0, false},
      {"rich", kRichSps, 352, 288, 3, 12, 10, 3, 200, false},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.name);
    vtc::hevc::SpsInfo s;
    std::string why;
    ASSERT_TRUE(vtc::hevc::ParseSps(c.sps, &s, &why)) << why;
    EXPECT_EQ(s.width, c.width);
    EXPECT_EQ(s.height, c.height);
    EXPECT_EQ(s.chroma_format_idc, c.chroma);
    EXPECT_EQ(s.bit_depth_luma, c.luma);
    EXPECT_EQ(s.bit_depth_chroma, c.chroma_depth);
    EXPECT_EQ(s.max_sub_layers, c.sub_layers);
    EXPECT_EQ(s.min_spatial_segmentation_idc, c.min_spatial);
    EXPECT_EQ(s.temporal_id_nesting, c.nesting);
  }
  vtc::hevc::SpsInfo s;
  std::string why;
  EXPECT_FALSE(vtc::hevc::ParseSps(kMain8Pps, &s, &why));
  EXPECT_FALSE(why.empty());
}

TEST(HevcParameterSetParser, VpsAndPpsFields) {
  vtc::hevc::VpsInfo v;
  std::string why;
  ASSERT_TRUE(vtc::hevc::ParseVps(kRichVps, &v, &why)) << why;
  EXPECT_EQ(v.max_sub_layers, 3u);
  EXPECT_FALSE(v.temporal_id_nesting);
  EXPECT_EQ(v.ptl.profile_space, 0u);
  EXPECT_TRUE(v.ptl.tier);
  EXPECT_EQ(v.ptl.profile_idc, 4u);
  EXPECT_EQ(v.ptl.compatibility_flags, 0x08000000u);
  EXPECT_EQ(v.ptl.constraint_flags, 0x9a2000000000u);
  EXPECT_EQ(v.ptl.level_idc, 153u);
  ASSERT_TRUE(vtc::hevc::ParseVps(kHrdVps, &v, &why)) << why;
  EXPECT_EQ(v.max_sub_layers, 2u);

  vtc::hevc::PpsInfo p;
  ASSERT_TRUE(vtc::hevc::ParsePps(kMain8Pps, &p, &why)) << why;
  EXPECT_FALSE(p.tiles_enabled);
  EXPECT_TRUE(p.entropy_coding_sync_enabled);
  ASSERT_TRUE(vtc::hevc::ParsePps(kHrdPps, &p, &why)) << why;
  EXPECT_FALSE(p.tiles_enabled);
  EXPECT_FALSE(p.entropy_coding_sync_enabled);
  ASSERT_TRUE(vtc::hevc::ParsePps(kRichPpsTiles, &p, &why)) << why;
  EXPECT_TRUE(p.tiles_enabled);
  EXPECT_FALSE(p.entropy_coding_sync_enabled);
}

// ---- H.264 ----

constexpr vtc::PixelFormatType kNV12 = vtc::kPixelFormat_420YpCbCr8BiPlanarVideoRange;

std::vector<vtc::SampleBufferRef> EncodeH264(const char* profile_level) {
  constexpr int kW = 320, kH = 240, kFrames = 4;
  vtctest::Collector collector;
  auto session = vtctest::MakeSession(kW, kH, kNV12, &collector,
                                      {{vtc::key::kProfileLevel, Value(profile_level)}});
  if (!session) return {};
  for (int i = 0; i < kFrames; ++i) {
    auto buffer = vtctest::MakePoolBuffer(*session, vtctest::MakeMovingPicture(kW, kH, i));
    EXPECT_TRUE(buffer);
    if (!buffer) break;
    EXPECT_EQ(session->EncodeFrame(buffer, vtctest::FramePts(i), vtctest::FrameDuration(), nullptr,
                                   vtctest::RefconFor(i), nullptr),
              Status::kNoErr);
  }
  EXPECT_EQ(session->CompleteFrames(vtc::Time::Invalid()), Status::kNoErr);
  session->Invalidate();
  return collector.samples();
}

Data H264ParameterSet(const FormatDescription& fd, std::size_t index) {
  const std::uint8_t* p = nullptr;
  std::size_t size = 0;
  EXPECT_EQ(fd.GetH264ParameterSetAtIndex(index, &p, &size, nullptr, nullptr), Status::kNoErr);
  return p ? Data(p, p + size) : Data{};
}

// The payload of the first `name` box in an MP4 file's bytes, or empty.
Data FindBox(const Data& file, const char* name) {
  const std::string n(name, 4);
  for (std::size_t i = 4; i + 4 <= file.size(); ++i) {
    if (std::string(file.begin() + long(i), file.begin() + long(i + 4)) != n) continue;
    const std::size_t size = std::size_t(file[i - 4]) << 24 | std::size_t(file[i - 3]) << 16 |
                             std::size_t(file[i - 2]) << 8 | file[i - 1];
    if (size < 8 || i - 4 + size > file.size()) continue;
    return Data(file.begin() + long(i + 4), file.begin() + long(i - 4 + size));
  }
  return {};
}

TEST(H264FormatDescription, AvcCOfARealX264Stream) {
  struct {
    const char* profile_level;
    int profile_idc;
    Data high_fields;  // chroma_format, bit depths, no SPS extensions: High profiles only
  } cases[] = {
      {"H264_Baseline_AutoLevel", 66, {}},
      {"H264_Main_AutoLevel", 77, {}},
      {"H264_High_AutoLevel", 100, {0xfd, 0xf8, 0xf8, 0x00}},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.profile_level);
    const auto samples = EncodeH264(c.profile_level);
    ASSERT_FALSE(samples.empty());
    const FormatDescriptionRef fd = samples.front()->format_description();
    ASSERT_TRUE(fd);
    const Data sps = H264ParameterSet(*fd, 0), pps = H264ParameterSet(*fd, 1);
    ASSERT_GE(sps.size(), 4u);
    ASSERT_GE(pps.size(), 2u);
    EXPECT_EQ(sps[1], c.profile_idc);
    // ISO/IEC 14496-15 5.3.3.1, byte for byte.
    Data expected = {1,
                     sps[1],
                     sps[2],
                     sps[3],
                     0xff,
                     0xe1,
                     std::uint8_t(sps.size() >> 8),
                     std::uint8_t(sps.size())};
    expected.insert(expected.end(), sps.begin(), sps.end());
    expected.insert(expected.end(), {1, std::uint8_t(pps.size() >> 8), std::uint8_t(pps.size())});
    expected.insert(expected.end(), pps.begin(), pps.end());
    expected.insert(expected.end(), c.high_fields.begin(), c.high_fields.end());
    EXPECT_EQ(fd->avcc(), expected);
    EXPECT_EQ(fd->configuration_record(), expected);
    EXPECT_EQ(Atom(*fd, vtc::key::kAvcC), expected);
    EXPECT_TRUE(Atom(*fd, vtc::key::kHvcC).empty());

    // CreateH264 from those sets and the description's own extensions makes an equal one.
    FormatDescriptionRef again;
    ASSERT_EQ(
        FormatDescription::CreateH264(sps, pps, fd->width(), fd->height(), fd->display_width(),
                                      fd->display_height(), fd->extensions(), &again),
        Status::kNoErr);
    EXPECT_TRUE(again->Equals(*fd));
    EXPECT_EQ(again->avcc(), expected);
    FormatDescriptionRef other_pps;
    Data pps2 = pps;
    pps2.push_back(0x80);
    ASSERT_EQ(
        FormatDescription::CreateH264(sps, pps2, fd->width(), fd->height(), fd->display_width(),
                                      fd->display_height(), fd->extensions(), &other_pps),
        Status::kNoErr);
    EXPECT_FALSE(other_pps->Equals(*fd));
  }
}

TEST(H264FormatDescription, AvcCIsFfmpegs) {
  if (!vtctest::FfmpegAvailable()) GTEST_SKIP() << "no ffmpeg";
  for (const char* profile : {"H264_Main_AutoLevel", "H264_High_AutoLevel"}) {
    SCOPED_TRACE(profile);
    const auto samples = EncodeH264(profile);
    ASSERT_FALSE(samples.empty());
    vtctest::TempDir dir;
    ASSERT_TRUE(dir.ok());
    const std::string in = dir.File("in.h264"), out = dir.File("out.mp4");
    // 3-byte start codes: with 4-byte ones ffmpeg keeps the next start code's leading zero on
    // the PPS it copies into its avcC.
    const FormatDescription& fd = *samples.front()->format_description();
    Data annexb;
    for (const Data& nal : {H264ParameterSet(fd, 0), H264ParameterSet(fd, 1)}) {
      annexb.insert(annexb.end(), {0, 0, 1});
      annexb.insert(annexb.end(), nal.begin(), nal.end());
    }
    for (const auto& sample : samples) {
      for (const auto& nal : vtctest::SplitAvcc(sample)) {
        annexb.insert(annexb.end(), {0, 0, 1});
        annexb.insert(annexb.end(), nal.begin(), nal.end());
      }
    }
    {
      std::ofstream f(in, std::ios::binary);
      f.write(reinterpret_cast<const char*>(annexb.data()), std::streamsize(annexb.size()));
    }
    const std::string cmd =
        vtctest::FfmpegPath() + " -nostdin -v error -y -i " + in + " -c copy " + out;
    ASSERT_EQ(std::system(cmd.c_str()), 0) << cmd;
    std::ifstream f(out, std::ios::binary);
    const Data mp4((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
    EXPECT_EQ(FindBox(mp4, "avcC"), fd.avcc());
  }
}

}  // namespace
