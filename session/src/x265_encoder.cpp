// SPDX-License-Identifier: GPL-2.0-or-later
// The x265 backend (HEVC). Parameters are applied in x265's documented order: preset and tune,
// then the session's keys, then X265Options, then the guarantees the keys make (no reordering,
// all-intra, the MaxFrameDelayCount budget), then the profile. Debian's libx265 is a multilib
// build: the 8-, 10- and 12-bit encoders are reached through x265_api_get(depth) only.
// Facts about x265 3.5 this relies on are in docs/session.md ("HEVC").
#include <cstdint>
// x265.h needs the fixed-width types first.
#include <x265.h>

#include <algorithm>
#include <climits>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <iterator>
#include <list>
#include <utility>

#include "encoder.h"
#include "fault.h"
#include "h264_sps.h"  // FrameRateFraction
#include "hdr_metadata.h"
#include "hevc_profiles.h"
#include "picture_padding.h"
#include "pixel_format.h"
#include "rate_steering.h"
#include "vtcompress/color.h"
#include "vtcompress/keys.h"
#include "x265_backend.h"
#include "x265_ratecontrol.h"

namespace vtc {
namespace {

static_assert(X265_TYPE_IDR == 1 && X265_TYPE_I == 2 && X265_TYPE_P == 3 && X265_TYPE_BREF == 4 &&
                  X265_TYPE_B == 5,
              "FrameTypeFromLibrary (encoder.h) reads the library's frame types");

// HEVC NAL unit types the backend looks at (ITU-T H.265 Table 7-1).
constexpr int kNalIdrWRadl = 19, kNalIdrNLp = 20, kNalVps = 32, kNalSps = 33, kNalPps = 34,
              kNalPrefixSei = 39;

// The x265 library of a bit depth, checked against the header this was built with; null (and
// *why) if the build has no encoder of that depth.
const x265_api* ApiFor(int depth, std::string* why) {
  const x265_api* api = x265_api_get(depth);
  if (!api || api->bit_depth != depth) {
    *why = "this libx265 has no " + std::to_string(depth) + "-bit encoder";
    return nullptr;
  }
  if (api->api_build_number != X265_BUILD || api->sizeof_param != int(sizeof(x265_param))) {
    *why = "libx265 build " + std::to_string(api->api_build_number) + " does not match x265.h (" +
           std::to_string(X265_BUILD) + ")";
    return nullptr;
  }
  return api;
}

// The string fields x265_param_parse fills with strdup and x265_param_free does not free.
const char** StringField(x265_param* p, int i) {
  const char** fields[] = {&p->numaPools,
                           &p->csvfn,
                           &p->scalingLists,
                           &p->analysisReuseFileName,
                           &p->rc.statFileName,
                           &p->rc.lambdaFileName,
                           &p->toneMapFile,
                           &p->analysisSave,
                           &p->analysisLoad,
                           &p->naluFile,
                           &p->masteringDisplayColorVolume};
  return i < int(sizeof fields / sizeof fields[0]) ? fields[i] : nullptr;
}

// One x265_param from param_alloc, freed with the strings that options put in it (the session's
// own strings, which it sets after the options, are not x265's to free and are cleared first).
class X265Params {
 public:
  explicit X265Params(const x265_api* api) : api_(api), p_(api->param_alloc()) {
    if (p_) std::memset(p_, 0, sizeof *p_);  // param_free reads fields of a block never filled
  }
  ~X265Params() {
    if (!p_) return;
    for (int i = 0; const char** f = StringField(p_, i); ++i) {
      if (*f && !Ours(*f)) std::free(const_cast<char*>(*f));
      *f = nullptr;
    }
    api_->param_free(p_);
  }
  X265Params(const X265Params&) = delete;
  X265Params& operator=(const X265Params&) = delete;
  x265_param* get() const { return p_; }
  // Sets a string field to a string the caller keeps alive until after encoder_open.
  void SetOwn(const char** field, const std::string& value) {
    if (*field && !Ours(*field)) std::free(const_cast<char*>(*field));
    *field = value.c_str();
    own_.push_back(value.c_str());
  }

 private:
  bool Ours(const char* s) const { return std::find(own_.begin(), own_.end(), s) != own_.end(); }
  const x265_api* api_;
  x265_param* p_;
  std::vector<const char*> own_;
};

// Applies "key=value:key=value" with x265_param_parse, in order (an item without '=' is a
// boolean set to true, "no-" prefixes work as in x265). Options that would change what the
// session relies on are refused: the caller sets those fields before calling.
Status ApplyX265Options(const x265_api* api, const std::string& options, x265_param* p,
                        std::string* why) {
  const x265_param before = *p;
  std::size_t start = 0;
  while (start <= options.size()) {
    std::size_t end = options.find(':', start);
    if (end == std::string::npos) end = options.size();
    const std::string item = options.substr(start, end - start);
    start = end + 1;
    if (item.empty()) continue;
    const std::size_t eq = item.find('=');
    const std::string name = item.substr(0, eq);
    const bool has_value = eq != std::string::npos;
    const std::string value = has_value ? item.substr(eq + 1) : std::string();
    const int r = api->param_parse(p, name.c_str(), has_value ? value.c_str() : nullptr);
    if (r == X265_PARAM_BAD_NAME) {
      *why = "unknown x265 option '" + name + "' in \"" + options + "\"";
      return Status::kParameterErr;
    }
    if (r == X265_PARAM_BAD_VALUE) {
      *why = "bad value for x265 option '" + item + "' in \"" + options + "\"" +
             (has_value ? "" : " (it needs a value)");
      return Status::kParameterErr;
    }
    if (p->bAnnexB != before.bAnnexB || p->bRepeatHeaders != before.bRepeatHeaders ||
        p->bOpenGOP != before.bOpenGOP || p->keyframeMax != before.keyframeMax ||
        p->interlaceMode != before.interlaceMode || p->internalCsp != before.internalCsp ||
        p->sourceWidth != before.sourceWidth || p->sourceHeight != before.sourceHeight ||
        p->internalBitDepth != before.internalBitDepth || p->rc.zoneCount != before.rc.zoneCount ||
        p->bEnableAccessUnitDelimiters != before.bEnableAccessUnitDelimiters) {
      *why = "x265 option '" + item +
             "' is not allowed: the session sets the framing (length-prefixed samples, parameter "
             "sets in the format description, closed GOPs), key frames, the picture format and "
             "the rate's zones (live bit rate)";
      return Status::kParameterErr;
    }
  }
  return Status::kNoErr;
}

// x265's input colour space for a pixel format it takes as it is (planar Y, Cb, Cr with 8-bit
// or 16-bit samples in the low bits), or -1.
int X265Csp(PixelFormatType format) {
  const PixelFormatInfo* f = FindPixelFormat(format);
  if (!f || !f->encoder_direct || f->layout != PixelLayout::kPlanar) return -1;
  return f->chroma == ChromaFormat::k420   ? X265_CSP_I420
         : f->chroma == ChromaFormat::k422 ? X265_CSP_I422
                                           : X265_CSP_I444;
}

int BitDepthOf(PixelFormatType format) {
  const PixelFormatInfo* f = FindPixelFormat(format);
  return f ? f->bit_depth : 8;
}

// The profile coded: ProfileLevel's, or without one the profile of what the encoder is fed.
std::string CodedProfile(const EncoderConfig& c, const StreamInfo& s) {
  if (!c.profile_from_source) return c.profile;
  const PixelFormatInfo* f = FindPixelFormat(s.pixel_format);
  if (!f) return c.profile;
  const int idc = f->chroma == ChromaFormat::k420 ? 1 : f->chroma == ChromaFormat::k422 ? 2 : 3;
  return HevcProfileForSampling(idc, f->bit_depth);
}

// The x265 preset: X265SpeedPreset, or for "auto" the session's choice, where x265's slow (about
// three times medium's time) stands in for nothing a user asked for by name: medium instead.
std::string X265Preset(const EncoderConfig& c) {
  // RealTime's governor moves x265 between the levels of kX265Levels, all on veryfast.
  if (c.SpeedGoverned()) return "veryfast";
  const std::string preset = c.ResolvedSpeedPreset();
  if ((c.speed_preset == "auto" || c.speed_preset.empty()) && preset == "slow") return "medium";
  return preset;
}

// RealTime's speed levels on x265, fastest first. x265_encoder_reconfig cannot be used on an
// encoder whose bit rate follows zones (it crashes the next zone call), so a level change opens
// a new x265 (one IDR). The levels differ only in what is not written in the parameter sets
// (motion search, sub-pel refinement, RD level, psy-rd, SAO per slice), so the format description,
// and with it the caps and a muxer's codec data, never changes. They share coding tree units of 32
// and coding units of at least 16, which is most of ultrafast's speed: at 720p veryfast with
// that structure takes about a sixth less time than plain veryfast for 0.16 dB less.
struct X265Level {
  const char* name;
  double cost;  // measured CPU time per frame, relative to level 0 (docs/realtime.md)
  int subpel_refine, search_method, rd_level, selective_sao;
  double psy_rd;  // -1: the preset's
};
// Below the top level psy-rd is off (x265 turns it off at rd 1 anyway): at rd 2 it spends what rd 2
// gains. rd 2 without psy-rd is 0.9-1.1 dB better than rd 1 for 12% more time and as fast as x265
// ultrafast; rd 1 stays as the bottom rung for a machine that cannot afford even that.
constexpr X265Level kX265Levels[] = {
    {"x265 veryfast, ctu 32, dia search, no sub-pel, rd 1, SAO on I slices", 1.0, 0,
     X265_DIA_SEARCH, 1, 1, -1},
    {"x265 veryfast, ctu 32, dia search, no sub-pel, no psy-rd, SAO on I slices", 1.13, 0,
     X265_DIA_SEARCH, 2, 1, 0},
    {"x265 veryfast, ctu 32, dia search, no psy-rd, SAO on I slices", 1.22, -1, X265_DIA_SEARCH, 2,
     1, 0},
    {"x265 veryfast, ctu 32", 1.5, -1, -1, -1, -1, -1},  // -1: the preset's
};
constexpr int kX265TopLevel = int(std::size(kX265Levels)) - 1;
constexpr int kX265StartLevel = 2;  // the top level without psy-rd (StartSpeedLevel)

// The structure every level shares (before the options and the small-picture limits).
void ApplyX265Structure(x265_param* p) {
  p->maxCUSize = std::min<std::uint32_t>(p->maxCUSize, 32);
  p->minCUSize = std::max<std::uint32_t>(p->minCUSize, 16);
  p->maxTUSize = std::min<std::uint32_t>(p->maxTUSize, p->maxCUSize);
  p->minCUSize = std::min(p->minCUSize, p->maxCUSize);
}

// A level's own settings (after the options), only where x265 would not change a header field
// for them: x265 turns SAO on for any selective-sao (so not where SAO is off: tune grain,
// fastdecode, no-sao), and turns rect and AMP off below rd 2 (an SPS flag). Its settings SEI,
// which names them, stays out of the hvcC.
void ApplyX265Level(int level, x265_param* p) {
  const X265Level& l = kX265Levels[std::clamp(level, 0, kX265TopLevel)];
  if (l.subpel_refine >= 0) p->subpelRefine = l.subpel_refine;
  if (l.search_method >= 0) p->searchMethod = l.search_method;
  if (l.rd_level >= 0 && (l.rd_level >= 2 || (!p->bEnableRectInter && !p->bEnableAMP)))
    p->rdLevel = l.rd_level;
  if (l.selective_sao >= 0 && p->bEnableSAO) p->selectiveSAO = l.selective_sao;
  if (l.psy_rd >= 0) p->psyRd = l.psy_rd;
  p->bEmitInfoSEI = 0;
}

// HEVC's MaxBR (kbit/s, Table A.8, the Main and Main 10 figures x265 checks for every profile)
// of general_level_idc (30 x the level) and tier; 0 for a level not in the table.
double LevelMaxKbps(unsigned level_idc, bool high_tier) {
  struct Row {
    unsigned idc;
    double main, high;
  };
  static constexpr Row kRows[] = {
      {30, 128, 128},        {60, 1500, 1500},     {63, 3000, 3000},     {90, 6000, 6000},
      {93, 10000, 10000},    {120, 12000, 30000},  {123, 20000, 50000},  {150, 25000, 100000},
      {153, 40000, 160000},  {156, 60000, 240000}, {180, 60000, 240000}, {183, 120000, 480000},
      {186, 240000, 800000},
  };
  for (const Row& r : kRows)
    if (r.idc == level_idc) return high_tier ? r.high : r.main;
  return 0;
}

// The MaxBR of the level and tier in a description's hvcC (bytes 1 and 12); 0 if none.
double DescriptionMaxKbps(const FormatDescription& fd) {
  const auto atoms = fd.extensions().find(key::kSampleDescriptionExtensionAtoms);
  if (atoms == fd.extensions().end() || !atoms->second.IsDictionary()) return 0;
  const auto hvcc = atoms->second.AsDictionary().find(key::kHvcC);
  if (hvcc == atoms->second.AsDictionary().end() || !hvcc->second.IsData()) return 0;
  const Data& d = hvcc->second.AsData();
  if (d.size() < 13) return 0;
  return LevelMaxKbps(d[12], (d[1] >> 5) & 1);
}

// Frames between a picture going in and coming out, at most (measured on x265 3.5 for every
// combination of B-frames, lookahead and frame threads): none on x265's zero-latency path (no
// B-frames, no lookahead, one frame thread), else the frame threads, plus lookahead + B-frames
// + 2 when either is on.
int LagOf(const x265_param& p) {
  if (p.bframes == 0 && p.lookaheadDepth == 0) return p.frameNumThreads > 1 ? p.frameNumThreads : 0;
  return p.lookaheadDepth + p.bframes + std::max(1, p.frameNumThreads) + 2;
}

// Cuts B-frames, lookahead and frame threads to fit a lag budget (LagOf). x265 needs more
// lookahead than B-frames, and any lookahead costs 3 frames besides, so budgets under 4 get the
// zero-latency set.
void FitX265Delay(int budget, x265_param* p) {
  // x265 picks its frame threads by the core count (0): one here, so that LagOf holds on any
  // machine.
  if (p->frameNumThreads == 0) p->frameNumThreads = 1;
  if (LagOf(*p) <= budget) return;
  p->frameNumThreads = 1;
  const int room = budget - 3;  // lookahead + B-frames
  if (room < 1) {
    p->bframes = 0;
    p->lookaheadDepth = 0;
  } else {
    p->bframes = std::min(p->bframes, (room - 1) / 2);
    p->lookaheadDepth = std::clamp(p->lookaheadDepth, p->bframes + 1, room - p->bframes);
  }
  if (p->bframes == 0) p->bBPyramid = 0;
  if (p->lookaheadDepth == 0) p->rc.cuTree = 0;
}

struct EncoderDeleter {
  const x265_api* api;
  void operator()(x265_encoder* e) const {
    if (e) api->encoder_close(e);
  }
};
using EncoderPtr = std::unique_ptr<x265_encoder, EncoderDeleter>;

class X265Encoder final : public VideoEncoder {
 public:
  explicit X265Encoder(const Logger* logger) : logger_(logger) {}
  ~X265Encoder() override { Close(); }

  Status Validate(const EncoderConfig& c, const StreamInfo& s, std::string* why) const override {
    if (X265Csp(s.pixel_format) < 0) {
      *why = "x265 cannot take pixel format " + PixelFormatName(s.pixel_format);
      return Status::kPixelTransferNotSupportedErr;
    }
    if (c.field_count == 2) {
      *why = "interlaced coding (FieldCount 2) is not available for HEVC";
      return Status::kParameterErr;
    }
    // x265 codes at least one coding tree unit (16x16 at the smallest) each way.
    if (s.width < 16 || s.height < 16) {
      *why = "HEVC pictures here are at least 16x16; got " + std::to_string(s.width) + "x" +
             std::to_string(s.height);
      return Status::kParameterErr;
    }
    std::string api_why;
    if (!ApiFor(CodedDepth(c, s), &api_why)) {
      *why = api_why;
      return Status::kCouldNotFindVideoEncoderErr;
    }
    return Status::kNoErr;
  }

  Status Open(const EncoderConfig& c, const StreamInfo& s, std::string* why) override {
    Close();
    // A governed stretch starts at the governor's start level.
    if (!c.SpeedGoverned()) level_ = kX265StartLevel;
    if (Status st = Validate(c, s, why); st != Status::kNoErr) return st;
    const x265_api* api = ApiFor(CodedDepth(c, s), why);
    X265Params params(api);
    if (!params.get()) return Status::kAllocationFailedErr;
    std::list<std::string> strings;  // kept alive (and in place) until encoder_open copied them
    if (Status st = BuildParams(api, c, s, &params, &strings, why); st != Status::kNoErr) return st;
    EncoderPtr enc(api->encoder_open(params.get()), EncoderDeleter{api});
    if (!enc) {
      *why = "x265_encoder_open failed (x265 prints why on stderr)";
      return Status::kParameterErr;
    }
    X265Params opened(api);
    api->encoder_parameters(enc.get(), opened.get());
    const int lag = LagOf(*opened.get());
    if (c.max_frame_delay_count >= 0 && lag > c.max_frame_delay_count) {
      *why = "x265 lags " + std::to_string(lag) + " frames, more than MaxFrameDelayCount " +
             std::to_string(c.max_frame_delay_count);
      return Status::kParameterErr;
    }
    FormatDescriptionRef fd;
    if (Status st = MakeFormatDescription(api, enc.get(), c, s, &fd, why); st != Status::kNoErr)
      return st;
    if (!format_ || !format_->Equals(*fd)) format_ = fd;
    open_config_ = c;
    level_max_kbps_ = DescriptionMaxKbps(*fd);
    api_ = api;
    enc_ = std::move(enc);
    // What x265 runs with, without its strings (they belong to the encoder's own copy).
    param_ = *opened.get();
    for (int i = 0; const char** f = StringField(&param_, i); ++i) *f = nullptr;
    config_ = c;
    stream_ = s;
    exhausted_ = false;
    frames_in_ = frames_out_ = 0;
    fail_at_ = fault::After("encode");
    fed_ = 0;
    zone_window_ = param_.rc.zonefileCount > 0 ? int(param_.reconfigWindowSize) : 0;
    if (zone_window_ > 0) {
      zone_param_ = std::make_unique<X265Params>(api_);
      api_->param_default(zone_param_->get());
      zone_relative_.assign(std::size_t(zone_window_), 1.0 / RateFps());
      zone_ = x265_zone{};
      zone_.zoneParam = zone_param_->get();
      zone_.relativeComplexity = zone_relative_.data();
      // A reopen with the same target (after CompleteFrames) keeps the gain learned.
      const double target = c.average_bit_rate / 1000.0;
      if (target > 0 && target == steering_.target())
        steering_.Resume();
      else
        steering_.Reset(target, 1.0 / RateFps());
      zone_kbps_ = steering_.ask();
    }
    logger_->Logf(LogLevel::kInfo,
                  "x265 open: %dx%d, %s %d-bit %s, preset %s%s%s, %s, bframes %d, lookahead %d, "
                  "frame threads %d, delay %d frames%s%s%s",
                  s.width, s.height, CodedProfile(c, s).c_str(), param_.internalBitDepth,
                  x265_source_csp_names[param_.internalCsp], X265Preset(c).c_str(),
                  c.tune.empty() ? "" : ", tune ", c.tune.c_str(), RateControlName().c_str(),
                  param_.bframes, param_.lookaheadDepth, param_.frameNumThreads, lag,
                  param_.bIntraRefresh ? ", intra refresh" : "",
                  c.SpeedGoverned() ? ", RealTime level: " : "",
                  c.SpeedGoverned() ? SpeedLevelName(level_) : "");
    return Status::kNoErr;
  }

  bool IsOpen() const override { return enc_ != nullptr; }
  void Close() override { enc_.reset(); }

  Status Encode(const InputFrame* f, std::vector<EncodedFrame>* out) override {
    // After a NULL picture x265 takes only more NULL pictures.
    if (!enc_ || (f && exhausted_)) return Status::kVideoEncoderMalfunctionErr;
    if (f && f->speed_level >= 0 && f->speed_level != level_ && config_.SpeedGoverned()) {
      if (Status st = SwitchLevel(f->speed_level, out); st != Status::kNoErr) return st;
    }
    x265_picture pic, pic_out;
    api_->picture_init(&param_, &pic);
    api_->picture_init(&param_, &pic_out);
    if (f) {
      if (fail_at_ && ++fed_ == fail_at_) {
        logger_->Logf(LogLevel::kError,
                      "x265_encoder_encode failed (injected by VTC_FAULT_INJECT)");
        return Status::kVideoEncoderMalfunctionErr;
      }
      if (!FillPicture(*f, &pic)) return Status::kVideoEncoderMalfunctionErr;
      if (f->reconfigure) {
        // A new AverageBitRate starts the steering over from the new target; x265 hears of it
        // at the next window.
        if (zone_window_ > 0 && f->reconfigure->average_bit_rate != config_.average_bit_rate) {
          steering_.Reset(f->reconfigure->average_bit_rate / 1000.0, 1.0 / RateFps());
          zone_kbps_ = steering_.ask();
        }
        config_ = *f->reconfigure;
      }
      if (zone_window_ > 0) ZoneStep(*f);
      if (f->force_intra_refresh && param_.bIntraRefresh && !f->force_keyframe)
        api_->encoder_intra_refresh(enc_.get());
    } else {
      exhausted_ = true;
    }
    x265_nal* nals = nullptr;
    std::uint32_t nal_count = 0;
    const int r = api_->encoder_encode(enc_.get(), &nals, &nal_count, f ? &pic : nullptr, &pic_out);
    if (r < 0) {
      logger_->Logf(LogLevel::kError, "x265_encoder_encode returned %d", r);
      return Status::kVideoEncoderMalfunctionErr;
    }
    if (f) ++frames_in_;
    if (r == 0 || nal_count == 0) {
      // Flushing and nothing came out: x265 holds no more frames.
      if (!f) frames_out_ = frames_in_;
      return Status::kNoErr;
    }
    ++frames_out_;
    EncodedFrame e;
    std::size_t out_bytes = 0;
    for (std::uint32_t i = 0; i < nal_count; ++i) out_bytes += nals[i].sizeBytes;
    if (zone_window_ > 0) steering_.OnOutput(pic_out.pts, out_bytes);
    // The NAL units of one call lie back to back, each with its 4-byte length. Parameter sets in
    // a sample (x265 repeats them in all-intra and HDR streams) are the format description's.
    int first_slice_type = -1;
    for (std::uint32_t i = 0; i < nal_count; ++i) {
      const int type = int(nals[i].type);
      if (type == kNalVps || type == kNalSps || type == kNalPps) continue;
      if (type < kNalVps && first_slice_type < 0) first_slice_type = type;
      e.data.insert(e.data.end(), nals[i].payload, nals[i].payload + nals[i].sizeBytes);
    }
    e.pts = pic_out.pts;
    e.dts = pic_out.dts;
    e.id = static_cast<std::uint64_t>(reinterpret_cast<std::uintptr_t>(pic_out.userData));
    e.type = FrameTypeFromLibrary(pic_out.sliceType);
    // The NAL type is what decoders go by: an IDR slice is a sync sample whatever x265 called it.
    if (first_slice_type == kNalIdrWRadl || first_slice_type == kNalIdrNLp)
      e.type = EncodedFrame::Type::kIDR;
    // x265 reports the average QP in H.265's 0..51 scale for every depth (B frames may read a
    // little over 51).
    e.qp = std::clamp(int(std::lround(pic_out.frameData.qp)), 0, 51);
    if (param_.bEnablePsnr) {
      e.has_mse = true;
      // x265's PSNR: 10 log10(max^2 / MSE), max = 255 << (depth - 8); chroma is normalised by a
      // quarter of the luma samples whatever the chroma format (its finishFrameStats). 99.99
      // stands for an exact match.
      const double max = double(255 << (param_.internalBitDepth - 8));
      const double chroma_share = param_.internalCsp == X265_CSP_I444   ? 0.25
                                  : param_.internalCsp == X265_CSP_I422 ? 0.5
                                                                        : 1.0;
      const double psnr[3] = {pic_out.frameData.psnrY, pic_out.frameData.psnrU,
                              pic_out.frameData.psnrV};
      for (int i = 0; i < 3; ++i) {
        const double mse = psnr[i] >= 99.99 ? 0 : max * max * std::pow(10.0, -psnr[i] / 10.0);
        e.mse[i] = i == 0 ? mse : mse * chroma_share;
      }
    }
    out->push_back(std::move(e));
    return Status::kNoErr;
  }

  int DelayedFrames() const override { return enc_ ? frames_in_ - frames_out_ : 0; }
  int MaxDelayedFrames() const override { return enc_ ? LagOf(param_) : 0; }
  int OutputLag() const override { return enc_ ? LagOf(param_) : 0; }
  int ReorderDepth() const override {
    if (param_.bframes <= 0) return 0;
    return param_.bBPyramid && param_.bframes > 1 ? 2 : 1;
  }
  bool Exhausted() const override { return exhausted_; }
  // What the change rule cannot see: the preset and delay budget x265 was opened with (RealTime
  // turned on or off changes both), a new bit rate for an encoder that has no zones, and limits
  // that need a smaller VBV buffer than the open one (a zone changes only the rates).
  bool NeedsRestart(const EncoderConfig& next) const override {
    if (!enc_) return false;
    if (X265Preset(next) != X265Preset(config_) ||
        next.FrameDelayBudget() != config_.FrameDelayBudget())
      return true;
    if (next.average_bit_rate != config_.average_bit_rate && zone_window_ == 0) return true;
    // Zones cannot take the stream past the level x265 opened at: a new x265 picks a new level,
    // if the rate it would be opened with (the limits' cap included, as ApplyX265Rates) is above
    // both that level and the rate this one was opened with (else it would pick the same one).
    if (zone_window_ > 0 && level_max_kbps_ > 0 &&
        (next.average_bit_rate != config_.average_bit_rate ||
         next.data_rate_limits != config_.data_rate_limits)) {
      double ask = next.average_bit_rate / 1000.0;
      if (!next.data_rate_limits.empty()) {
        double maxrate = 0, buffer = 0;
        VbvForLimits(next.data_rate_limits, RateFps(), ask, param_.bframes, &maxrate, &buffer);
        if (maxrate > 0) ask = std::min(ask, maxrate);
      }
      if (ask > level_max_kbps_ && ask > param_.rc.vbvMaxBitrate) return true;
    }
    // Without zones a running x265 takes no new VBV at all (limits set, changed or removed).
    if (next.data_rate_limits != config_.data_rate_limits) {
      if (zone_window_ == 0) return true;
      if (!next.data_rate_limits.empty()) {
        double maxrate = 0, buffer = 0;
        VbvForLimits(next.data_rate_limits, RateFps(), next.average_bit_rate / 1000.0,
                     param_.bframes, &maxrate, &buffer);
        if (buffer < param_.rc.vbvBufferSize) return true;
      }
    }
    return false;
  }
  bool IntraRefresh() const override { return enc_ && param_.bIntraRefresh; }
  FormatDescriptionRef format_description() const override { return format_; }
  // RealTime's levels (kX265Levels). A change opens a new x265 (Encode): an IDR, and a level the
  // governor left is tried again only after long (SpeedTuning).
  std::vector<double> SpeedLevelCosts() const override {
    std::vector<double> costs;
    for (const X265Level& l : kX265Levels) costs.push_back(l.cost);
    return costs;
  }
  // The top level without psy-rd, not the top: in wall time on 2 cores levels 0-2 took the same
  // (720p: 20.7, 21.1, 18.6-20.3 ms a frame) and level 2 codes best by PSNR, where the top took
  // 1.3-1.4 times as long and, started at, fell behind and stepped down to level 0 for the rest
  // of the stream (docs/realtime.md). A machine with room to spare climbs to the top in 5 s.
  int StartSpeedLevel() const override { return kX265StartLevel; }
  const char* SpeedLevelName(int level) const override {
    return kX265Levels[std::clamp(level, 0, kX265TopLevel)].name;
  }
  bool TakeReopened() override { return std::exchange(reopened_, false); }
  // Every change costs an IDR and the levels are coarse, so x265 runs closer to the clock than
  // x264 does: it steps down when a slow frame would take 95% of the interval (x264: 85%; 120% in
  // the first second, whose frames read slow), aims at 80% after it, and waits 5 s before a level
  // up. Lateness itself (the lag) steps down as on x264.
  SpeedGovernorTuning SpeedTuning() const override {
    SpeedGovernorTuning t;
    t.overuse = 0.95;
    t.target_load = 0.80;
    t.start_overuse = 1.2;  // the start's first second runs slow: only a far too slow level steps
    t.up_after = 150;       // 5 s at 30 fps of room to spare before a level up costs an IDR
    t.start_up_after = t.up_after;
    t.failed_within = 300;
    return t;
  }
  const StreamInfo& stream() const override { return stream_; }

 private:
  // The depth x265 codes: the profile's (ProfileLevel), or the source's.
  static int CodedDepth(const EncoderConfig& c, const StreamInfo& s) {
    int idc = 1, depth = 8;
    HevcProfileSampling(CodedProfile(c, s), &idc, &depth);
    const int source = BitDepthOf(s.pixel_format);
    return c.profile_from_source ? source : std::max(depth, source);
  }

  // RealTime's level change: a new x265 at the level, after whatever the old one holds (nothing
  // in RealTime's zero-delay set, but MaxFrameDelayCount may allow more). The new one's first
  // frame is an IDR; the format description stays the same (kX265Levels).
  Status SwitchLevel(int level, std::vector<EncodedFrame>* out) {
    while (DelayedFrames() > 0) {
      if (Status st = Encode(nullptr, out); st != Status::kNoErr) return st;
    }
    // The new x265 opens with the rates the old one was opened with (x265 picks its level from
    // them: the live rate could give another level, and other parameter sets), and the zones
    // go on where they were, with the steering's state.
    EncoderConfig c = config_;
    c.average_bit_rate = open_config_.average_bit_rate;
    c.data_rate_limits = open_config_.data_rate_limits;
    const EncoderConfig live = config_;
    const StreamInfo s = stream_;
    const AbrSteering steering = steering_;
    const FormatDescriptionRef before = format_;
    const int from = level_;
    level_ = std::clamp(level, 0, kX265TopLevel);
    std::string why;
    if (Open(c, s, &why) != Status::kNoErr) {
      logger_->Logf(LogLevel::kError, "x265 at RealTime speed level %d: %s", level_, why.c_str());
      return Status::kVideoEncoderMalfunctionErr;
    }
    config_ = live;
    if (zone_window_ > 0) {
      steering_ = steering;
      zone_kbps_ = steering_.ask();
    }
    reopened_ = true;
    if (before && !before->Equals(*format_))
      logger_->Logf(LogLevel::kError,
                    "RealTime: x265 at speed level %d wrote other parameter sets (a new format "
                    "description mid-stream)",
                    level_);
    logger_->Logf(LogLevel::kInfo, "RealTime: x265 speed level %d -> %d (%s): a new x265, an IDR",
                  from, level_, SpeedLevelName(level_));
    return Status::kNoErr;
  }

  // Live AverageBitRate changes need x265's zone reconfiguration: x265_encoder_reconfig of the
  // rate fields is accepted by 3.5 but never reaches its rate control (the encoder swaps to a new
  // parameter block that the rate control does not read). One-pass ABR only (CBR's HRD and the
  // passes' statistics keep their rate), and not when the options set zones themselves.
  // And without B-frames: in zone mode x265 plans every frame for the same share of the window's
  // bits (ratecontrol.cpp tuneQScaleForZone), which costs nothing where frames are coded alike
  // (720p veryfast without reordering: 32.46 dB with zones, 32.37 without, at 1500 kbit/s) but
  // 0.5 dB where B-frames and their references want different sizes (33.31 -> 32.80 dB). Encoders
  // with B-frames take a new bit rate by a restart (NeedsRestart: drain, IDR).
  static bool ZoneSteered(const EncoderConfig& c, const StreamInfo& s, const x265_param& p) {
    return c.average_bit_rate > 0 && c.constant_bit_rate == 0 && s.pass == PassMode::kNone &&
           p.rc.rateControlMode == X265_RC_ABR && !p.rc.bStatRead && !p.rc.bStatWrite &&
           p.rc.zonefileCount == 0 && p.rc.zoneCount == 0 && !p.bEmitHRDSEI && p.bframes == 0;
  }
  // Frames per zone: about 200 ms, the pace a congestion controller changes its rate at.
  static int ZoneWindow(double fps) { return std::max(1, int(std::lround(fps / 5))); }

  // Before every frame of a zone-steered encoder: the steering's ask for the next window, and at
  // a window's first frame its zone. x265 waits in its rate control for each window's zone, so
  // none may be skipped (ZoneSteered, Open).
  void ZoneStep(const InputFrame& f) {
    if (frames_in_ % zone_window_ == 0) {
      if (const double want = steering_.Next(); want > 0) zone_kbps_ = want;
      double kbps = std::max(1.0, zone_kbps_);
      if (!config_.data_rate_limits.empty()) {
        double maxrate = 0, buffer = 0;
        VbvForLimits(config_.data_rate_limits, RateFps(), config_.average_bit_rate / 1000.0,
                     param_.bframes, &maxrate, &buffer);
        if (maxrate > 0) kbps = std::min(kbps, maxrate);
      }
      // x265 does not check a zone against the level it wrote in the VPS and SPS: the steering's
      // asks stay within it (a target above it reopens x265, NeedsRestart).
      if (level_max_kbps_ > 0) kbps = std::min(kbps, level_max_kbps_);
      x265_param* zp = zone_param_->get();
      zone_.startFrame = frames_in_;
      zp->rc.bitrate = std::max(1, int(std::lround(kbps)));
      // x265 scales a zone's maxrate by fps / window (a window's worth of bits a second).
      zp->rc.vbvMaxBitrate = std::max(1, int(std::lround(kbps * zone_window_ / RateFps())));
      if (api_->encoder_reconfig_zone(enc_.get(), &zone_) != 0)
        logger_->Logf(LogLevel::kWarning, "x265_encoder_reconfig_zone refused %d kbit/s",
                      zp->rc.bitrate);
    }
    if (stream_.timescale > 0)
      steering_.OnInput(f.pts, double(f.pts) / stream_.timescale, zone_kbps_);
  }

  // The frame rate the rate fields are computed for; 30 if unknown.
  double RateFps() const { return stream_.fps > 0 ? stream_.fps : 30.0; }

  Status BuildParams(const x265_api* api, const EncoderConfig& c, const StreamInfo& s,
                     X265Params* params, std::list<std::string>* strings, std::string* why) const {
    x265_param* p = params->get();
    const std::string preset = X265Preset(c);
    if (api->param_default_preset(p, preset.c_str(), c.tune.empty() ? nullptr : c.tune.c_str()) <
        0) {
      *why = "x265 rejected preset " + preset + " with tune \"" + c.tune + "\"";
      return Status::kParameterErr;
    }
    // x265 3.5 logs to stderr only (no callback): its errors, not its warnings. Open failures
    // are explained in the session's log by the checks before it.
    p->logLevel = X265_LOG_ERROR;
    // VTC_X265_NO_ASM=1 (the valgrind test setup sets it): x265's C primitives instead of its
    // assembly, whose SIMD reads past x265's own buffers and hides its stacks from memcheck.
    if (const char* no_asm = std::getenv("VTC_X265_NO_ASM"); no_asm && no_asm[0] == '1')
      p->cpuid = 0;
    p->internalCsp = X265Csp(s.pixel_format);
    p->sourceWidth = (s.width + 1) & ~1;
    p->sourceHeight = (s.height + 1) & ~1;
    if (c.SpeedGoverned()) ApplyX265Structure(p);
    // Small pictures need small coding tree units (a picture holds at least one).
    const int side = std::min(p->sourceWidth, p->sourceHeight);
    if (side < 64) {
      p->maxCUSize = side < 32 ? 16 : 32;
      p->maxTUSize = std::min<std::uint32_t>(p->maxTUSize, p->maxCUSize);
      p->minCUSize = std::min(p->minCUSize, p->maxCUSize);
    }
    // x265 3.5's lookahead writes past its rows in cuTree for pictures 34 to 48 pixels wide (a
    // heap corruption under valgrind): no cuTree for small pictures.
    if (p->sourceWidth < 64 || p->sourceHeight < 64) p->rc.cuTree = 0;
    const double fps = s.fps > 0 ? s.fps : 30.0;
    std::uint32_t num = 30, den = 1;
    FrameRateFraction(fps, &num, &den);
    p->fpsNum = num;
    p->fpsDenom = den;
    // Always on: x265 3.5 writes a stray vui_hrd_parameters_present_flag when the VUI has no
    // timing, and decoders (ffmpeg) then refuse the SPS. The timing says fpsNum/fpsDenom.
    p->bEmitVUITimingInfo = 1;
    p->bAnnexB = 0;         // 4-byte lengths: HVCC
    p->bRepeatHeaders = 0;  // VPS/SPS/PPS only in the format description
    p->bEmitInfoSEI = 0;    // x265's settings text: in the log instead
    p->bOpenGOP = 0;        // every key frame an IDR, a real sync sample
    p->bEnableAccessUnitDelimiters = 0;
    // The session places key frames (its interval keys can change mid-stream); x265 still adds
    // IDRs at scene cuts (keyint -1 would turn those off too).
    p->keyframeMax = INT_MAX;
    if (!c.allow_temporal_compression) p->keyframeMax = 1;
    if (!c.allow_frame_reordering) p->bframes = 0;
    if (c.low_latency_rate_control) LowLatency(p);
    if (c.lookahead >= 0 && !c.low_latency_rate_control) {
      p->lookaheadDepth = c.lookahead;
      // x265 needs more lookahead than consecutive B-frames.
      p->bframes = std::min(p->bframes, std::max(0, c.lookahead - 1));
      if (c.lookahead == 0) p->rc.cuTree = 0;
    }
    ApplyX265Rates(c, fps, p);
    if (c.min_qp >= 0) p->rc.qpMin = c.min_qp;
    if (c.max_qp >= 0) p->rc.qpMax = c.max_qp;
    if (c.spatial_aq_level == 0) p->rc.aqMode = X265_AQ_NONE;
    if (c.reference_buffer_count > 0)
      p->maxNumReferences = std::clamp(c.reference_buffer_count, 1, 16);
    SetVui(c, s, p);
    // HDR static metadata: x265 writes both SEIs in its headers and before every IDR.
    if (MasteringDisplay m; ReadMasteringDisplay(c.mastering_display, &m)) {
      char text[160];
      std::snprintf(text, sizeof text, "G(%u,%u)B(%u,%u)R(%u,%u)WP(%u,%u)L(%u,%u)", m.x[0], m.y[0],
                    m.x[1], m.y[1], m.x[2], m.y[2], m.white_x, m.white_y, m.max_luminance,
                    m.min_luminance);
      strings->push_back(text);
      params->SetOwn(&p->masteringDisplayColorVolume, strings->back());
    }
    std::uint16_t max_cll = 0, max_fall = 0;
    if (ReadContentLightLevel(c.content_light_level, &max_cll, &max_fall)) {
      p->maxCLL = max_cll;
      p->maxFALL = max_fall;
    }
    if (c.source_frame_count > 1)
      p->totalFrames = int(std::min<std::int64_t>(c.source_frame_count, 1 << 30));
    p->bEnablePsnr = c.calculate_mse;
    // x265 measures PSNR only when it logs at INFO, and then it also prints its summary on stderr.
    if (c.calculate_mse) p->logLevel = X265_LOG_INFO;
    if (c.threads > 0) {
      strings->push_back(std::to_string(c.threads));
      params->SetOwn(&p->numaPools, strings->back());
    }
    if (Status st = ApplyX265Options(api, c.options, p, why); st != Status::kNoErr) {
      *why = "X265Options: " + *why;
      return st;
    }
    // RealTime's level after the options, where it cannot change the parameter sets.
    if (c.SpeedGoverned()) ApplyX265Level(level_, p);
    // What the keys promise holds whatever the options say.
    if (!c.allow_frame_reordering) p->bframes = 0;
    if (c.low_latency_rate_control) LowLatency(p);
    if (!c.allow_temporal_compression) p->keyframeMax = 1;
    if (p->bframes >= p->lookaheadDepth && p->bframes > 0) p->lookaheadDepth = p->bframes + 1;
    if (c.intra_refresh && p->keyframeMax != 1) {
      p->bIntraRefresh = 1;
      p->keyframeMax = RefreshPeriod(c, s.fps);
      p->scenecutThreshold = 0;
    }
    if (s.pass != PassMode::kNone) {
      p->rc.bStatWrite = s.pass == PassMode::kFirst;
      p->rc.bStatRead = s.pass == PassMode::kFinal;
      strings->push_back(s.stats_path);
      params->SetOwn(&p->rc.statFileName, strings->back());
    }
    if (c.FrameDelayBudget() >= 0) FitX265Delay(c.FrameDelayBudget(), p);
    if (ZoneSteered(c, s, *p)) {
      // Live bit rate through x265's zone reconfiguration (ZoneStep): one zone a window, and
      // enough zone slots that the session's next call never waits for x265's rate control,
      // which reads each window's zone as late as the encoder lags.
      p->reconfigWindowSize = std::uint32_t(ZoneWindow(fps));
      p->bResetZoneConfig = 0;
      p->rc.zonefileCount = LagOf(*p) / int(p->reconfigWindowSize) + 4;
      p->rc.zones = nullptr;  // x265 allocates its own slots
    }
    if (!IsX265Lossless(c)) {
      const std::string profile = X265ProfileName(CodedProfile(c, s), CodedDepth(c, s));
      if (api->param_apply_profile(p, profile.c_str()) < 0) {
        *why = "x265 cannot apply profile " + profile + " to these settings";
        return Status::kParameterErr;
      }
    }
    return Status::kNoErr;
  }

  // EnableLowLatencyRateControl: no reordering, no lookahead, one frame thread (x265's
  // zero-latency path), and key frames only where the session puts them.
  static void LowLatency(x265_param* p) {
    p->bframes = 0;
    p->lookaheadDepth = 0;
    p->rc.cuTree = 0;
    p->scenecutThreshold = 0;
    p->frameNumThreads = 1;
    p->keyframeMax = INT_MAX;
  }

  // Colour description, range and sample aspect ratio in the VUI.
  static void SetVui(const EncoderConfig& c, const StreamInfo& s, x265_param* p) {
    p->vui.bEnableVideoSignalTypePresentFlag = 1;
    p->vui.videoFormat = 5;  // unspecified
    p->vui.bEnableVideoFullRangeFlag = IsFullRangeFormat(s.pixel_format);
    int primaries = 2, transfer = 2, matrix = 2;  // unspecified
    if (!c.color_primaries.empty())
      primaries = ColorPrimariesGetIntegerCodePointForString(c.color_primaries);
    if (!c.transfer_function.empty())
      transfer = TransferFunctionGetIntegerCodePointForString(c.transfer_function);
    if (!c.ycbcr_matrix.empty()) {
      matrix = YCbCrMatrixGetIntegerCodePointForString(c.ycbcr_matrix);
    } else if (const PixelFormatInfo* src = FindPixelFormat(s.source_format);
               src && src->is_rgb()) {
      // The pixel transfer made the YUV with BT.601 (its default): say so.
      matrix = YCbCrMatrixGetIntegerCodePointForString("ITU_R_601_4");
    }
    if (primaries != 2 || transfer != 2 || matrix != 2) {
      p->vui.bEnableColorDescriptionPresentFlag = 1;
      p->vui.colorPrimaries = primaries;
      p->vui.transferCharacteristics = transfer;
      p->vui.matrixCoeffs = matrix;
    }
    if (c.par_h > 0 && c.par_v > 0) {
      p->vui.aspectRatioIdc = 255;  // extended SAR
      p->vui.sarWidth = c.par_h;
      p->vui.sarHeight = c.par_v;
    }
  }

  bool FillPicture(const InputFrame& f, x265_picture* pic) {
    PixelBuffer* b = f.buffer;
    const int csp = X265Csp(b->pixel_format());
    // The session feeds only planar layouts of the stream's chroma format (pixel_transfer.h).
    if (csp != param_.internalCsp) {
      logger_->Logf(LogLevel::kError, "x265 opened for %s cannot take a %s buffer",
                    PixelFormatName(stream_.pixel_format).c_str(),
                    PixelFormatName(b->pixel_format()).c_str());
      return false;
    }
    std::uint8_t* planes[3] = {};
    int strides[3] = {};
    // The size x265 was given, not param_'s: x265 reports it rounded up to its smallest coding
    // unit, and reads only what it was given (the rest is its own padding).
    if (!PaddedPlanes(b, (stream_.width + 1) & ~1, (stream_.height + 1) & ~1, planes, strides,
                      pad_copy_))
      return false;
    for (int i = 0; i < 3; ++i) {
      pic->planes[i] = planes[i];
      pic->stride[i] = strides[i];
    }
    // 16-bit samples are read as the buffer's depth and shifted to x265's own.
    pic->bitDepth = BitDepthOf(b->pixel_format());
    pic->colorSpace = csp;
    pic->pts = f.pts;
    pic->sliceType = f.force_keyframe ? X265_TYPE_IDR : X265_TYPE_AUTO;
    pic->userData = reinterpret_cast<void*>(static_cast<std::uintptr_t>(f.id));
    // Offsets go with every picture, zeros without regions: x265 3.5 gives a recycled frame an
    // offset array only if the first picture it held had one (a later picture's would be copied
    // to null), and keeps a recycled frame's old offsets when a picture brings none.
    if (param_.rc.aqMode != X265_AQ_NONE) {
      // One float per 16x16 block, counted as x265's lookahead does: from its half-size
      // picture of the padded size (param_'s) in 8x8 blocks. With qg-size 8, one per 8x8 block:
      // x265 indexes them over ceil(width / 8) columns but copies twice the 16x16 count.
      static const std::vector<RegionOfInterest> kNone;
      const std::vector<RegionOfInterest>& regions = f.regions ? *f.regions : kNone;
      const int columns16 = (param_.sourceWidth / 2 + 7) / 8;
      const int rows16 = (param_.sourceHeight / 2 + 7) / 8;
      if (param_.rc.qgSize == 8) {
        RegionOffsets(regions, 8, (param_.sourceWidth + 7) / 8, (param_.sourceHeight + 7) / 8,
                      &quant_offsets_);
        quant_offsets_.resize(
            std::max(quant_offsets_.size(), std::size_t(columns16 * 2) * std::size_t(rows16 * 2)),
            0.0f);
      } else {
        RegionOffsets(regions, 16, columns16, rows16, &quant_offsets_);
      }
      pic->quantOffsets = quant_offsets_.data();
    } else if (f.regions && !roi_warned_) {
      roi_warned_ = true;
      logger_->Logf(LogLevel::kWarning,
                    "regions of interest need adaptive quantization, which is off: ignored");
    }
    return true;
  }

  Status MakeFormatDescription(const x265_api* api, x265_encoder* enc, const EncoderConfig& c,
                               const StreamInfo& s, FormatDescriptionRef* out,
                               std::string* why) const {
    x265_nal* nals = nullptr;
    std::uint32_t n = 0;
    if (api->encoder_headers(enc, &nals, &n) < 0) {
      *why = "x265_encoder_headers failed";
      return Status::kVideoEncoderMalfunctionErr;
    }
    std::vector<Data> sets;
    for (std::uint32_t i = 0; i < n; ++i) {
      const int type = int(nals[i].type);
      if (type != kNalVps && type != kNalSps && type != kNalPps && type != kNalPrefixSei) continue;
      // Payloads start with the 4-byte length (bAnnexB = 0).
      sets.emplace_back(nals[i].payload + 4, nals[i].payload + nals[i].sizeBytes);
    }
    Dictionary ext;
    if (!c.color_primaries.empty()) ext[key::kColorPrimaries] = Value(c.color_primaries);
    if (!c.transfer_function.empty()) ext[key::kTransferFunction] = Value(c.transfer_function);
    if (!c.ycbcr_matrix.empty()) ext[key::kYCbCrMatrix] = Value(c.ycbcr_matrix);
    if (c.par_h > 0)
      ext[key::kPixelAspectRatio] = Value(Dictionary{{key::kHorizontalSpacing, Value(c.par_h)},
                                                     {key::kVerticalSpacing, Value(c.par_v)}});
    ext[key::kFullRangeVideo] = Value(IsFullRangeFormat(s.pixel_format));
    ext[key::kFieldCount] = Value(1);
    if (!c.mastering_display.empty())
      ext[key::kMasteringDisplayColorVolume] = Value(c.mastering_display);
    if (!c.content_light_level.empty())
      ext[key::kContentLightLevelInfo] = Value(c.content_light_level);
    const Status st = FormatDescription::CreateHEVC(
        sets, 4, (s.width + 1) & ~1, (s.height + 1) & ~1, s.width, s.height, std::move(ext), out);
    if (st != Status::kNoErr)
      *why = std::string("x265's parameter sets make no HEVC format description (") +
             StatusName(st) + ")";
    return st;
  }

  std::string RateControlName() const {
    char buf[96];
    if (param_.bLossless)
      std::snprintf(buf, sizeof buf, "lossless");
    else if (param_.rc.rateControlMode == X265_RC_CQP)
      std::snprintf(buf, sizeof buf, "cqp %d", param_.rc.qp);
    else if (param_.rc.rateControlMode == X265_RC_CRF)
      std::snprintf(buf, sizeof buf, "crf %.1f", param_.rc.rfConstant);
    else
      std::snprintf(buf, sizeof buf, "abr %d kbit/s", param_.rc.bitrate);
    std::string s = buf;
    if (param_.rc.bStatWrite || param_.rc.bStatRead)
      s += param_.rc.bStatRead ? ", two-pass: final" : ", two-pass: first";
    if (param_.rc.vbvMaxBitrate > 0) {
      std::snprintf(buf, sizeof buf, ", vbv %d kbit/s / %d kbit%s", param_.rc.vbvMaxBitrate,
                    param_.rc.vbvBufferSize, param_.rc.bStrictCbr ? ", strict cbr" : "");
      s += buf;
    }
    return s;
  }

  const Logger* logger_;
  const x265_api* api_ = nullptr;
  EncoderPtr enc_{nullptr, EncoderDeleter{nullptr}};
  x265_param param_{};  // what x265 runs with (its strings cleared)
  EncoderConfig config_;
  StreamInfo stream_;
  FormatDescriptionRef format_;
  bool exhausted_ = false;
  int frames_in_ = 0, frames_out_ = 0;
  int fail_at_ = 0;  // VTC_FAULT_INJECT encode:N (fault.h); 0 = never
  int fed_ = 0;
  // Zone steering (ZoneSteered): frames per zone (0 = off), the zone passed to x265 and its
  // parameter block, the kbit/s asked for now, and the loop that holds the average to the target.
  int zone_window_ = 0;
  double level_max_kbps_ = 0;  // MaxBR of the level in the parameter sets; 0 if unknown
  // RealTime's speed level x265 opens at (kX265Levels); it outlives a reopen.
  int level_ = kX265StartLevel;
  bool reopened_ = false;      // SwitchLevel opened a new x265 in the last Encode
  EncoderConfig open_config_;  // what the last Open was given (its rates set x265's level)
  std::unique_ptr<X265Params> zone_param_;
  std::vector<double> zone_relative_;
  x265_zone zone_{};
  double zone_kbps_ = 0;
  AbrSteering steering_;
  std::vector<std::uint8_t> pad_copy_[3];  // padded copies of odd-sized planes
  std::vector<float> quant_offsets_;       // the picture's per-block QP offsets (ROI)
  bool roi_warned_ = false;
};

}  // namespace

Status CheckX265Tune(const std::string& tune, std::string* why) {
  if (tune.empty()) return Status::kNoErr;
  for (const char* const* n = x265_tune_names; *n; ++n)
    if (tune == *n) return Status::kNoErr;
  *why = "unknown x265 tune '" + tune + "' (one of psnr, ssim, grain, zerolatency, fastdecode, " +
         "animation)";
  return Status::kParameterErr;
}

Status CheckX265Options(const std::string& options, std::string* why) {
  const x265_api* api = ApiFor(8, why);
  if (!api) return Status::kCouldNotFindVideoEncoderErr;
  X265Params params(api);
  if (!params.get()) return Status::kAllocationFailedErr;
  x265_param* p = params.get();
  api->param_default(p);
  // What the session sets before the options, so that an option changing it is noticed.
  p->bAnnexB = 0;
  p->bRepeatHeaders = 0;
  p->bOpenGOP = 0;
  p->keyframeMax = INT_MAX;
  return ApplyX265Options(api, options, p, why);
}

std::unique_ptr<VideoEncoder> CreateX265Encoder(const Logger* logger) {
  return std::make_unique<X265Encoder>(logger);
}

}  // namespace vtc
