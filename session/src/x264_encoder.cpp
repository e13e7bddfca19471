// SPDX-License-Identifier: GPL-2.0-or-later
// The x264 backend. Parameters are applied in x264's documented order: preset and tune, then the
// session's keys, then X264Options, then the MaxFrameDelayCount cuts, then the profile. See
// docs/properties.md for the mapping table.
#include <cstdint>
// x264.h needs the fixed-width types first.
#include <x264.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <deque>

#include "encoder.h"
#include "fault.h"
#include "h264_profiles.h"
#include "h264_sps.h"
#include "hdr_metadata.h"
#include "picture_padding.h"
#include "pixel_format.h"
#include "vtcompress/color.h"
#include "vtcompress/keys.h"
#include "x264_backend.h"
#include "x264_ratecontrol.h"
#include "x264_speed.h"

namespace vtc {
namespace {

static_assert(X264_TYPE_IDR == 1 && X264_TYPE_I == 2 && X264_TYPE_P == 3 && X264_TYPE_BREF == 4 &&
                  X264_TYPE_B == 5,
              "FrameTypeFromLibrary (encoder.h) reads the library's frame types");

// On a bit-rate decrease the VBV buffer shrinks for one frame by the rates' ratio, but to no less
// than this share of it (Encode, restore_vbv_buffer_).
constexpr double kMinKeptVbvFill = 0.5;

std::string SpeedPreset(const EncoderConfig& c) {
  return c.ResolvedSpeedPreset();
}

// Releases what x264_param_parse allocated for string options (zones, stats, ...).
struct ParamCleanup {
  x264_param_t* p;
  ~ParamCleanup() { x264_param_cleanup(p); }
};

// Applies "key=value:key=value" with x264_param_parse, in order. An item without '=' is a
// boolean set to true ("no-" prefixes work as in x264); empty items are skipped. Options that
// would change what the session relies on (length-prefixed output, parameter sets only in the
// format description) are refused: the caller sets those fields before calling.
Status ApplyX264Options(const std::string& options, x264_param_t* p, std::string* why) {
  const int annexb = p->b_annexb, repeat_headers = p->b_repeat_headers;
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
    const int r = x264_param_parse(p, name.c_str(), has_value ? value.c_str() : nullptr);
    if (r == X264_PARAM_BAD_NAME) {
      *why = "unknown x264 option '" + name + "' in \"" + options + "\"";
      return Status::kParameterErr;
    }
    if (r == X264_PARAM_BAD_VALUE) {
      *why = "bad value for x264 option '" + item + "' in \"" + options + "\"" +
             (has_value ? "" : " (it needs a value)");
      return Status::kParameterErr;
    }
    if (r < 0) {
      *why = "x264 could not apply option '" + item + "'";
      return Status::kAllocationFailedErr;
    }
    if (p->b_annexb != annexb || p->b_repeat_headers != repeat_headers) {
      *why = "x264 option '" + item +
             "' is not allowed: the session needs length-prefixed samples with the parameter "
             "sets in the format description";
      return Status::kParameterErr;
    }
  }
  return Status::kNoErr;
}

const char* const kPsyTunes[] = {"film", "animation", "grain", "stillimage", "psnr", "ssim"};

}  // namespace

Status CheckX264Tune(const std::string& tune, std::string* why) {
  // x264_param_default_preset's rules: tunes separated by any of ",./-+", at most one
  // psychovisual tune.
  int psy = 0;
  std::size_t start = 0;
  while (start <= tune.size()) {
    std::size_t end = tune.find_first_of(",./-+", start);
    if (end == std::string::npos) end = tune.size();
    const std::string t = tune.substr(start, end - start);
    start = end + 1;
    if (t.empty()) continue;
    bool known = false;
    for (const char* const* n = x264_tune_names; *n; ++n) known |= t == *n;
    if (!known) {
      *why = "unknown x264 tune '" + t + "' (film, animation, grain, stillimage, psnr, ssim, " +
             "fastdecode, zerolatency)";
      return Status::kParameterErr;
    }
    for (const char* n : kPsyTunes) psy += t == n;
  }
  if (psy > 1) {
    *why = "\"" + tune + "\" has more than one of film, animation, grain, stillimage, psnr, ssim";
    return Status::kParameterErr;
  }
  return Status::kNoErr;
}

// Whether X264Options set any rate-control field themselves (method, rate, crf, VBV, HRD,
// multi-pass): measured by applying them to x264's defaults.
static bool OptionsSetRateControl(const std::string& options) {
  if (options.empty()) return false;
  x264_param_t before, after;
  x264_param_default(&before);
  x264_param_default(&after);
  ParamCleanup cleanup{&after};
  std::string why;
  if (ApplyX264Options(options, &after, &why) != Status::kNoErr) return false;  // refused later
  const auto& a = before.rc;
  const auto& b = after.rc;
  return a.i_rc_method != b.i_rc_method || a.i_bitrate != b.i_bitrate ||
         a.f_rf_constant != b.f_rf_constant || a.f_rf_constant_max != b.f_rf_constant_max ||
         a.i_qp_constant != b.i_qp_constant || a.i_vbv_max_bitrate != b.i_vbv_max_bitrate ||
         a.i_vbv_buffer_size != b.i_vbv_buffer_size || a.b_stat_read != b.b_stat_read ||
         a.b_stat_write != b.b_stat_write || a.b_filler != b.b_filler ||
         before.i_nal_hrd != after.i_nal_hrd;
}

// Whether X264Options set the number of B-frames (to any value, x264's default included).
static bool OptionsSetBframes(const std::string& options) {
  if (options.empty()) return false;
  x264_param_t p;
  x264_param_default(&p);
  ParamCleanup cleanup{&p};
  p.i_bframe = -1;  // no option leaves this
  std::string why;
  if (ApplyX264Options(options, &p, &why) != Status::kNoErr) return false;  // refused later
  return p.i_bframe != -1;
}

Status CheckX264Options(const std::string& options, std::string* why) {
  x264_param_t p;
  x264_param_default(&p);
  ParamCleanup cleanup{&p};
  p.b_annexb = 0;
  p.b_repeat_headers = 0;
  return ApplyX264Options(options, &p, why);
}

namespace {

// The analysis fields x264_encoder_reconfig takes, from a fresh preset (RealTime changes).
void CopySpeedFields(const x264_param_t& from, x264_param_t* to) {
  to->analyse.i_subpel_refine = std::max(1, from.analyse.i_subpel_refine);
  to->analyse.i_me_method = std::min(from.analyse.i_me_method, int(X264_ME_UMH));
  to->analyse.i_me_range = from.analyse.i_me_range;
  to->analyse.i_trellis = from.analyse.i_trellis;
  to->analyse.inter = from.analyse.inter;
  to->analyse.intra = from.analyse.intra;
  to->analyse.b_mixed_references = from.analyse.b_mixed_references;
  to->analyse.b_fast_pskip = from.analyse.b_fast_pskip;
  to->analyse.b_dct_decimate = from.analyse.b_dct_decimate;
  to->analyse.f_psy_rd = from.analyse.f_psy_rd;
  to->analyse.b_chroma_me = from.analyse.b_chroma_me;
  to->analyse.i_direct_mv_pred = from.analyse.i_direct_mv_pred;
  // Never more references than the encoder was opened with.
  to->i_frame_reference = std::min(to->i_frame_reference, from.i_frame_reference);
}

// Cuts B-frames, lookahead and thread delay so that frame N-budget has come out by the time
// frame N went in. x264 holds `delay` frames (max(bframes, lookahead) + vfr here), and a B-frame
// comes out only after the P-frame that follows it, so B-frames count twice.
void FitDelay(int budget, x264_param_t* p) {
  p->b_sliced_threads = 1;  // slices add no frames of delay; frame threads add threads-1
  p->i_sync_lookahead = 0;
  if (budget < 1) p->b_vfr_input = 0;  // keep timestamp-based rate control if we can
  budget -= p->b_vfr_input;
  p->i_bframe = std::min(p->i_bframe, budget / 2);
  p->i_bframe_pyramid = X264_B_PYRAMID_NONE;
  if (p->i_bframe_adaptive == X264_B_ADAPT_TRELLIS) p->i_bframe_adaptive = X264_B_ADAPT_FAST;
  p->rc.i_lookahead = std::min(p->rc.i_lookahead, budget - p->i_bframe);
  if (p->rc.i_lookahead == 0) p->rc.b_mb_tree = 0;
}

// EnableLowLatencyRateControl: a VBV buffer of one frame at maxrate, so that every frame, a key
// frame too, is coded for about its share of the rate and none waits in a decoder's buffer.
// Without a VBV (Quality alone) there is nothing to shrink: CRF has no buffer.
void OneFrameVbv(const EncoderConfig& c, double fps, x264_param_t* p) {
  if (!c.low_latency_rate_control || p->rc.i_vbv_max_bitrate <= 0) return;
  // Rounded up: x264 raises a buffer under maxrate / fps (truncated) to that, with a warning.
  p->rc.i_vbv_buffer_size = std::max(1, int(std::ceil(p->rc.i_vbv_max_bitrate / fps)));
}

// x264's input colour space for a pixel format the encoder takes as it is (planar I420/I422/I444
// and bi-planar NV12/NV16, 16-bit samples in the low bits with X264_CSP_HIGH_DEPTH), or -1.
int X264Csp(PixelFormatType format) {
  const PixelFormatInfo* f = FindPixelFormat(format);
  if (!f || !f->encoder_direct) return -1;
  int csp = -1;
  if (f->layout == PixelLayout::kPlanar)
    csp = f->chroma == ChromaFormat::k420   ? X264_CSP_I420
          : f->chroma == ChromaFormat::k422 ? X264_CSP_I422
                                            : X264_CSP_I444;
  else if (f->layout == PixelLayout::kBiPlanar && f->chroma != ChromaFormat::k444)
    csp = f->chroma == ChromaFormat::k420 ? X264_CSP_NV12 : X264_CSP_NV16;
  if (csp < 0) return -1;
  return f->bytes_per_sample == 2 ? csp | X264_CSP_HIGH_DEPTH : csp;
}

int BitDepthOf(PixelFormatType format) {
  const PixelFormatInfo* f = FindPixelFormat(format);
  return f ? f->bit_depth : 8;
}

// The profile coded: ProfileLevel's, or without one the profile of what the encoder is fed
// (High, High10, High422, High444).
std::string CodedProfile(const EncoderConfig& c, const StreamInfo& s) {
  if (!c.profile_from_source) return c.profile;
  const PixelFormatInfo* f = FindPixelFormat(s.pixel_format);
  if (!f) return c.profile;
  const int idc = f->chroma == ChromaFormat::k420 ? 1 : f->chroma == ChromaFormat::k422 ? 2 : 3;
  return ProfileForSampling(idc, f->bit_depth);
}

// x264_param_apply_profile's name for a profile.
const char* X264ProfileName(const std::string& profile) {
  if (profile == "Baseline" || profile == "ConstrainedBaseline") return "baseline";
  if (profile == "Main") return "main";
  if (profile == "High10") return "high10";
  if (profile == "High422") return "high422";
  if (profile == "High444") return "high444";
  return "high";
}

// x264 counts QPs of deeper samples from -6 per extra bit (QP_BD_OFFSET): 10-bit QP 12 is H.264's
// QP 0. The session's QP keys and reports are in H.264's 0..51.
int QpOffset(int bit_depth) {
  return 6 * (bit_depth - 8);
}

// Frames of lag between a frame going in and coming out, in the worst case.
int LagOf(x264_t* h, const x264_param_t& p) {
  return x264_encoder_maximum_delayed_frames(h) + (p.i_bframe > 0 ? p.i_bframe : 0);
}

LogLevel FromX264Level(int level) {
  switch (level) {
    case X264_LOG_ERROR:
      return LogLevel::kError;
    case X264_LOG_WARNING:
      return LogLevel::kWarning;
    case X264_LOG_INFO:
      return LogLevel::kInfo;
    default:
      return LogLevel::kDebug;
  }
}

void X264Log(void* priv, int level, const char* format, va_list args) {
  const Logger* logger = static_cast<const Logger*>(priv);
  char buf[1024];
  int n = std::snprintf(buf, sizeof buf, "x264: ");
  std::vsnprintf(buf + n, sizeof buf - n, format, args);
  LogLevel to = FromX264Level(level);
  // x264 warns that PSNR with psy is not a benchmark; here PSNR is CalculateMeanSquaredError's
  // per-frame measurement, which the user asked for: not a warning worth printing at every open.
  if (to == LogLevel::kWarning &&
      (std::strstr(buf, "--psnr used with psy on") || std::strstr(buf, "--tune psnr should be")))
    to = LogLevel::kDebug;
  logger->Logf(to, "%s", buf);
}

struct X264Deleter {
  void operator()(x264_t* h) const { x264_encoder_close(h); }
};

class X264Encoder final : public VideoEncoder {
 public:
  explicit X264Encoder(const Logger* logger) : logger_(logger) {}

  Status Validate(const EncoderConfig& c, const StreamInfo& s, std::string* why) const override {
    const std::string profile = CodedProfile(c, s);
    if (X264Csp(s.pixel_format) < 0) {
      *why = "x264 cannot take pixel format " + PixelFormatName(s.pixel_format);
      return Status::kPixelTransferNotSupportedErr;
    }
    if (c.quality && *c.quality >= 1.0 && profile.rfind("High", 0) != 0 && c.average_bit_rate == 0)
      logger_->Logf(LogLevel::kWarning,
                    "Quality 1.0 (lossless) needs the High profiles; %s gets crf %.1f instead",
                    profile.c_str(), QualityToCrf(0.99));
    if (c.field_count == 2 && ((s.height + 1) & ~1) % 4 != 0) {
      // x264 codes 4:2:0 field pairs in units of 4 rows.
      *why = "interlaced coding (FieldCount 2) needs a height divisible by 4; got " +
             std::to_string(s.height);
      return Status::kParameterErr;
    }
    const std::int64_t bitrate = std::max(c.average_bit_rate, c.constant_bit_rate);
    return CheckLevelFits(profile, c.level_idc, (s.width + 1) & ~1, (s.height + 1) & ~1, s.fps,
                          bitrate, why);
  }

  Status Open(const EncoderConfig& c, const StreamInfo& s, std::string* why) override {
    Close();
    if (Status st = Validate(c, s, why); st != Status::kNoErr) return st;
    x264_param_t p;
    x264_param_default(&p);
    ParamCleanup cleanup{&p};  // x264_encoder_open copies the option strings it keeps
    const AbrMode mode = AbrModeFor(c, s);
    if (Status st = BuildParams(c, s, mode, &p, why); st != Status::kNoErr) return st;
    std::unique_ptr<x264_t, X264Deleter> h(x264_encoder_open(&p));
    if (!h) {
      *why = "x264_encoder_open failed (see the x264 messages before this one)";
      return Status::kParameterErr;
    }
    x264_param_t opened;
    x264_encoder_parameters(h.get(), &opened);
    const int delay = LagOf(h.get(), opened);
    if (c.max_frame_delay_count >= 0 && delay > c.max_frame_delay_count) {
      *why = "x264 lags " + std::to_string(delay) + " frames, more than MaxFrameDelayCount " +
             std::to_string(c.max_frame_delay_count);
      return Status::kParameterErr;
    }
    FormatDescriptionRef fd;
    std::string settings;
    if (Status st = MakeFormatDescription(h.get(), c, s, &fd, &settings, why); st != Status::kNoErr)
      return st;
    // Keep the description object when nothing changed, so clients comparing pointers see
    // the same one after a restart.
    if (!format_ || !format_->Equals(*fd)) format_ = fd;
    x264_encoder_parameters(h.get(), &param_);
    h_ = std::move(h);
    config_ = c;
    stream_ = s;
    abr_mode_ = mode;
    exhausted_ = false;
    max_refs_ = param_.i_frame_reference;
    speed_level_ = -1;
    restore_vbv_buffer_ = 0;
    started_qps_.clear();
    // A reopen after a drain (CompleteFrames, a restart) with the same target keeps the gain.
    ResetSteering(&param_, true);
    fail_at_ = fault::After("encode");
    frames_in_ = 0;
    logger_->Logf(
        LogLevel::kInfo,
        "x264 open: %dx%d coded %dx%d, preset %s%s%s, %s, bframes %d, lookahead %d, "
        "threads %d%s, delay %d frames%s",
        s.width, s.height, p.i_width, p.i_height,
        c.SpeedGoverned() ? "auto (RealTime: speed levels from medium)" : SpeedPreset(c).c_str(),
        c.tune.empty() ? "" : ", tune ", c.tune.c_str(), RateControlName(param_).c_str(),
        param_.i_bframe, param_.rc.i_lookahead, param_.i_threads,
        param_.b_sliced_threads ? " (sliced)" : "", delay,
        param_.b_intra_refresh ? ", intra refresh" : "");
    // x264's own record of every setting (the "options:" text of its version SEI, which the
    // session does not put in the stream), for anyone checking what x264 runs with.
    if (!settings.empty()) logger_->Write(LogLevel::kInfo, ("x264 settings: " + settings).c_str());
    return Status::kNoErr;
  }

  bool IsOpen() const override { return h_ != nullptr; }
  void Close() override { h_.reset(); }

  Status Encode(const InputFrame* f, std::vector<EncodedFrame>* out) override {
    // After a NULL picture x264 refuses new ones; more drain steps are fine.
    if (!h_ || (f && exhausted_)) return Status::kVideoEncoderMalfunctionErr;
    x264_picture_t pic, pic_out;
    x264_picture_init(&pic);
    x264_picture_init(&pic_out);
    if (f) {
      if (fail_at_ && ++frames_in_ == fail_at_) {
        logger_->Logf(LogLevel::kError,
                      "x264_encoder_encode failed (injected by VTC_FAULT_INJECT)");
        return Status::kVideoEncoderMalfunctionErr;
      }
      if (!FillPicture(*f, &pic)) return Status::kVideoEncoderMalfunctionErr;
      // New rate settings for x264: the client's, or the steering's (x264_ratecontrol.h).
      // x264 hears only of whole kbit/s or tenths of crf: the steering keeps the fraction.
      // The frame after a bitrate decrease gets its VBV buffer back (see below).
      const bool restore = restore_vbv_buffer_ > 0;
      if (restore) {
        param_.rc.i_vbv_buffer_size = restore_vbv_buffer_;
        restore_vbv_buffer_ = 0;
      }
      x264_param_t steered;  // filled only when the steering asks (every 0.25 s at most)
      bool steer = false;
      if (!f->reconfigure) {
        if (const double want = steering_.Next(); want > 0) {
          steered = param_;
          ApplyAsk(want, &steered);
          steer = steered.rc.i_bitrate != param_.rc.i_bitrate ||
                  steered.rc.f_rf_constant != param_.rc.f_rf_constant;
        }
      }
      const bool speed = f->speed_level >= 0 && f->speed_level != speed_level_;
      if (f->reconfigure || steer || speed || restore) {
        // x264 applies pic.param when this very frame is encoded and frees it with param_free.
        auto* np = static_cast<x264_param_t*>(std::malloc(sizeof(x264_param_t)));
        if (!np) return Status::kAllocationFailedErr;
        *np = steer ? steered : param_;
        if (f->reconfigure) {
          const bool same_rate = RateKeysEqual(*f->reconfigure, config_);
          const double old_target = steering_.target(), ask = steering_.ask();
          const std::int64_t old_bitrate = config_.average_bit_rate;
          ApplyMutable(*f->reconfigure, np);
          config_ = *f->reconfigure;
          if (!config_.SpeedGoverned()) speed_level_ = -1;
          // A new target starts the steering over; other changes keep its ask. Under the
          // limits the ask moves with the target, so the crf moves by the change's size.
          if (!same_rate) {
            const double scaled =
                old_target > 0 ? ask * config_.average_bit_rate / 1000.0 / old_target : 0;
            ResetSteering(np, false, abr_mode_ == AbrMode::kCrfUnderLimits ? scaled : 0);
          } else if (steering_.target() > 0) {
            ApplyAsk(ask, np);
          }
          // x264 keeps the VBV's fill across a reconfig, only clamped to the new buffer: a lower
          // bitrate would spend the credit saved at the higher one for up to the buffer's span
          // (2 s), where a congestion controller needs it to take effect now. For this one frame
          // the buffer shrinks by the rate's ratio, and so does the credit (in seconds of the
          // new rate: 900 -> 300 kbit/s keeps at most 1 s, the floor below); the next frame
          // restores it. A small step keeps nearly all of it: emptying the buffer starves x264 for
          // seconds.
          if (abr_mode_ == AbrMode::kCbrLike && config_.average_bit_rate < old_bitrate &&
              np->rc.i_vbv_buffer_size > 0 && np->rc.i_vbv_max_bitrate > 0 &&
              np->i_nal_hrd == X264_NAL_HRD_NONE) {
            restore_vbv_buffer_ = np->rc.i_vbv_buffer_size;
            // At most down to half the buffer: x264's VBV planning keeps the fill above half,
            // so a fill clamped lower starved it (1200 -> 400 kbit/s: -24% for 2 s).
            const double ratio =
                std::max(kMinKeptVbvFill, double(config_.average_bit_rate) / double(old_bitrate));
            np->rc.i_vbv_buffer_size = std::max(int(np->rc.i_vbv_max_bitrate / RateFps()) + 1,
                                                int(np->rc.i_vbv_buffer_size * ratio));
          }
        }
        // RealTime's governor owns the analysis fields while it runs (after ApplyMutable, which
        // restores a preset's when it stops).
        if (f->speed_level >= 0 && config_.SpeedGoverned()) {
          ApplyX264SpeedLevel(f->speed_level, max_refs_, np);
          speed_level_ = f->speed_level;
        }
        np->param_free = std::free;
        pic.param = np;
        param_ = *np;
        param_.param_free = nullptr;
      }
      if (stream_.timescale > 0)
        steering_.OnInput(
            f->pts, double(f->pts) / stream_.timescale,
            abr_mode_ == AbrMode::kCrfUnderLimits ? steering_.ask() : param_.rc.i_bitrate);
    } else {
      exhausted_ = true;  // x264 takes no new picture after a NULL one
    }
    // The wave starts with the next P frame x264 codes: with a delay, one fed before this one.
    if (f && f->force_intra_refresh && param_.b_intra_refresh && !f->force_keyframe)
      x264_encoder_intra_refresh(h_.get());
    x264_nal_t* nals = nullptr;
    int nal_count = 0;
    const int size = x264_encoder_encode(h_.get(), &nals, &nal_count, f ? &pic : nullptr, &pic_out);
    if (size < 0) {
      // pic.param is not freed here: x264 may have attached it to its frame already (it frees
      // it itself); at worst a failed call leaks one param.
      logger_->Logf(LogLevel::kError, "x264_encoder_encode returned %d", size);
      return Status::kVideoEncoderMalfunctionErr;
    }
    // x264 fills i_qpplus1 when it starts a frame (encoder.c, before the slices), and the
    // frame it returns may be an older one (frame threads). Frames come out in the order they
    // were started, so a FIFO pairs each with its QP.
    if (pic_out.i_qpplus1 > 0) {
      const int qp = pic_out.i_qpplus1 - 1 - QpOffset(param_.i_bitdepth);
      started_qps_.push_back(std::clamp(qp, 0, 51));
    }
    if (size == 0) return Status::kNoErr;
    EncodedFrame e;
    // x264 lays a frame's NAL units out back to back, each with its 4-byte length.
    e.data.assign(nals[0].p_payload, nals[0].p_payload + size);
    e.pts = pic_out.i_pts;
    e.dts = pic_out.i_dts;
    e.id = static_cast<std::uint64_t>(reinterpret_cast<std::uintptr_t>(pic_out.opaque));
    e.type = FrameTypeFromLibrary(pic_out.i_type);
    if (pic_out.b_keyframe && e.type == EncodedFrame::Type::kI) e.type = EncodedFrame::Type::kIDR;
    if (!started_qps_.empty()) {
      e.qp = started_qps_.front();
      started_qps_.pop_front();
    }
    if (param_.analyse.b_psnr) {
      e.has_mse = true;
      for (int i = 0; i < 3; ++i) {
        // x264 reports PSNR = 10 log10(max^2 / MSE), max = 255 (1023 for 10 bits); turn it
        // back into the MSE, in the samples' own units.
        const double max = double((1 << param_.i_bitdepth) - 1);
        e.mse[i] = max * max * std::pow(10.0, -pic_out.prop.f_psnr[i] / 10.0);
      }
    }
    steering_.OnOutput(e.pts, e.data.size());
    out->push_back(std::move(e));
    return Status::kNoErr;
  }

  int DelayedFrames() const override { return h_ ? x264_encoder_delayed_frames(h_.get()) : 0; }
  int MaxDelayedFrames() const override {
    return h_ ? x264_encoder_maximum_delayed_frames(h_.get()) : 0;
  }
  int OutputLag() const override { return h_ ? LagOf(h_.get(), param_) : 0; }
  int ReorderDepth() const override {
    if (param_.i_bframe <= 0) return 0;
    return param_.i_bframe_pyramid != X264_B_PYRAMID_NONE ? 2 : 1;
  }
  bool Exhausted() const override { return exhausted_; }
  bool IntraRefresh() const override { return h_ && param_.b_intra_refresh; }
  bool WritesSei() const override { return true; }
  FormatDescriptionRef format_description() const override { return format_; }
  std::vector<double> SpeedLevelCosts() const override { return X264SpeedLevelCosts(); }
  int StartSpeedLevel() const override { return kX264StartSpeedLevel; }
  const char* SpeedLevelName(int level) const override { return X264SpeedLevelName(level); }
  const StreamInfo& stream() const override { return stream_; }

 private:
  Status BuildParams(const EncoderConfig& c, const StreamInfo& s, AbrMode mode, x264_param_t* p,
                     std::string* why) const {
    // Governed: opened from a preset whose open-only choices every level can use; the first
    // frame brings the governor's level (x264 keeps the opened reference count as a ceiling).
    const std::string preset = c.SpeedGoverned() ? kX264GovernedBasePreset : SpeedPreset(c);
    if (x264_param_default_preset(p, preset.c_str(), c.tune.empty() ? nullptr : c.tune.c_str()) <
        0) {
      *why = "x264 rejected preset " + preset + " with tune \"" + c.tune + "\"";
      return Status::kParameterErr;
    }
    // Smart weighted prediction costs lookahead analysis on every frame; simple is what x264's
    // fast presets use.
    if (c.SpeedGoverned()) p->analyse.i_weighted_pred = X264_WEIGHTP_SIMPLE;
    // Governed within RealTime's own delay (no MaxFrameDelayCount; the session governs no pass of
    // a multi-pass encode): no B-frames and no lookahead.
    // Measured under the governor (docs/live.md), the B-frame, frame of lookahead and MB-tree
    // that 3 frames allow gave no better PSNR and cost 2 frames of latency and the lookahead's
    // analysis of every frame, time the governor spends on the analysis levels instead. The
    // options and the Lookahead key may still ask for them, within the budget.
    if (c.SpeedGoverned() && c.max_frame_delay_count < 0 && s.pass == PassMode::kNone) {
      p->i_bframe = 0;
      p->rc.i_lookahead = 0;
      p->rc.b_mb_tree = 0;
    }
    p->i_log_level = X264_LOG_INFO;  // per-frame PSNR needs INFO; the handler filters by level
    p->pf_log = X264Log;
    p->p_log_private = const_cast<Logger*>(logger_);
    // The input's layout, chroma format and depth: x264 codes the chroma format it is given.
    p->i_csp = X264Csp(s.pixel_format);
    p->i_bitdepth = BitDepthOf(s.pixel_format);
    p->i_width = (s.width + 1) & ~1;
    p->i_height = (s.height + 1) & ~1;
    if (c.field_count == 2) {
      p->b_interlaced = 1;
      p->b_tff = c.field_detail != key::kFieldDetailTemporalBottomFirst &&
                 c.field_detail != key::kFieldDetailSpatialFirstLineLate;
    }
    p->b_annexb = 0;          // 4-byte lengths: AVCC
    p->b_repeat_headers = 0;  // SPS/PPS only in the format description
    p->b_aud = 0;
    const double fps = s.fps > 0 ? s.fps : 30.0;
    // The exact fraction (30000/1001, not 2997/100): without timestamp-based rate control x264
    // writes it into the VUI.
    std::uint32_t fps_num = 30, fps_den = 1;
    FrameRateFraction(fps, &fps_num, &fps_den);
    p->i_fps_num = fps_num;
    p->i_fps_den = fps_den;
    // Rate control follows the timestamps; tune zerolatency turns that off (one frame less
    // delay, rate control by frame count at the expected rate), as in x264, and so does
    // low-latency rate control, whose one-frame VBV budgets by the frame anyway.
    p->b_vfr_input = c.HasZeroLatencyTune() || c.low_latency_rate_control ? 0 : 1;
    // Governed within RealTime's own delay, with a known frame rate: rate control by frame count
    // too (no frame of delay). Measured: with timestamp-based rate control x264 coded frames 2-7
    // of a 1080p30 live stream at twice their share, 50-140 ms each instead of 20-30, and the
    // governor dropped frames to catch up; by frame count they came at their share, in time. The
    // session's AbrSteering still holds the total to the timestamps.
    if (c.SpeedGoverned() && c.max_frame_delay_count < 0 && s.pass == PassMode::kNone && s.fps > 0)
      p->b_vfr_input = 0;
    p->i_timebase_num = 1;
    p->i_timebase_den = std::uint32_t(s.timescale > 0 ? s.timescale : 90000);
    // The session decides keyframe placement (its interval keys can change mid-stream, which
    // x264's keyint cannot); x264 still adds IDRs at scene cuts.
    p->i_keyint_max = X264_KEYINT_MAX_INFINITE;
    if (!c.allow_temporal_compression) p->i_keyint_max = 1;
    // x264_encoder_open copies the stats file names first and leaks the copies when it fails
    // later: give it none unless a pass (from the options) uses them.
    if (!p->rc.b_stat_write) p->rc.psz_stat_out = nullptr;
    if (!p->rc.b_stat_read) p->rc.psz_stat_in = nullptr;
    if (!c.allow_frame_reordering || c.profile == "ConstrainedHigh") p->i_bframe = 0;
    if (c.low_latency_rate_control) {
      p->i_bframe = 0;
      p->rc.i_lookahead = 0;
      p->rc.b_mb_tree = 0;
      p->i_sync_lookahead = 0;
      p->b_sliced_threads = 1;
      p->i_scenecut_threshold = 0;  // VideoToolbox: one IDR, then P frames only
    }
    if (c.lookahead >= 0 && !c.low_latency_rate_control) {  // VideoToolbox ignores it there
      p->rc.i_lookahead = c.lookahead;
      if (c.lookahead == 0) p->rc.b_mb_tree = 0;
    }
    ApplyRates(c, fps, mode, p);
    if (mode == AbrMode::kCrfUnderLimits && c.lookahead < 0)
      p->rc.i_lookahead = LimitsLookahead(fps, *p);
    if (c.constant_bit_rate > 0) {
      p->i_nal_hrd = X264_NAL_HRD_CBR;
      p->rc.b_filler = 1;
      // CBR by frame count, not by timestamps: with timestamp-driven rate control x264 pads
      // every gap between PTS (or a huge first PTS) with filler, gigabytes of it.
      p->b_vfr_input = 0;
    }
    const int qp_offset = QpOffset(p->i_bitdepth);
    p->rc.i_qp_max = 51 + qp_offset;  // keep reported QPs in H.264's 0..51
    if (c.min_qp >= 0) p->rc.i_qp_min = c.min_qp + qp_offset;
    if (c.max_qp >= 0) p->rc.i_qp_max = c.max_qp + qp_offset;
    if (c.spatial_aq_level == 0) p->rc.i_aq_mode = X264_AQ_NONE;
    if (c.reference_buffer_count > 0) p->i_frame_reference = c.reference_buffer_count;
    p->i_slice_max_size = c.max_slice_bytes;
    if (c.entropy_mode == "CAVLC") p->b_cabac = 0;
    if (c.entropy_mode == "CABAC") p->b_cabac = 1;
    p->vui.b_fullrange = IsFullRangeFormat(s.pixel_format);
    if (!c.color_primaries.empty())
      p->vui.i_colorprim = ColorPrimariesGetIntegerCodePointForString(c.color_primaries);
    if (!c.transfer_function.empty())
      p->vui.i_transfer = TransferFunctionGetIntegerCodePointForString(c.transfer_function);
    if (!c.ycbcr_matrix.empty()) {
      p->vui.i_colmatrix = YCbCrMatrixGetIntegerCodePointForString(c.ycbcr_matrix);
    } else if (const PixelFormatInfo* src = FindPixelFormat(s.source_format);
               src && src->is_rgb()) {
      // The pixel transfer made the YUV with BT.601 (its default): say so, or players guess
      // (BT.709 for HD) and shift the colours.
      p->vui.i_colmatrix = YCbCrMatrixGetIntegerCodePointForString("ITU_R_601_4");
    }
    if (c.par_h > 0) {
      p->vui.i_sar_width = c.par_h;
      p->vui.i_sar_height = c.par_v;
    }
    // HDR static metadata: x264 writes both SEIs before every IDR.
    if (MasteringDisplay m; ReadMasteringDisplay(c.mastering_display, &m)) {
      p->mastering_display.b_mastering_display = 1;
      p->mastering_display.i_green_x = m.x[0];
      p->mastering_display.i_green_y = m.y[0];
      p->mastering_display.i_blue_x = m.x[1];
      p->mastering_display.i_blue_y = m.y[1];
      p->mastering_display.i_red_x = m.x[2];
      p->mastering_display.i_red_y = m.y[2];
      p->mastering_display.i_white_x = m.white_x;
      p->mastering_display.i_white_y = m.white_y;
      p->mastering_display.i_display_max = m.max_luminance;
      p->mastering_display.i_display_min = m.min_luminance;
    }
    std::uint16_t max_cll = 0, max_fall = 0;
    if (ReadContentLightLevel(c.content_light_level, &max_cll, &max_fall)) {
      p->content_light_level.b_cll = 1;
      p->content_light_level.i_max_cll = max_cll;
      p->content_light_level.i_max_fall = max_fall;
    }
    p->i_frame_total = int(std::min<std::int64_t>(c.source_frame_count, 1 << 30));
    p->analyse.b_psnr = c.calculate_mse;
    p->i_level_idc = c.level_idc > 0 ? c.level_idc : -1;
    if (c.threads > 0) p->i_threads = c.threads;
    // X264Options last among the settings, as x264enc's option-string; then the delay budget
    // and the profile, which must hold whatever the options say.
    const int keyint_before_options = p->i_keyint_max;
    if (Status st = ApplyX264Options(c.options, p, why); st != Status::kNoErr) {
      *why = "X264Options: " + *why;
      return st;
    }
    // What the keys promise holds whatever the options say: no reordering, all-intra, and with
    // low-latency rate control no lookahead and key frames only where the session puts them.
    if (!c.allow_frame_reordering || c.profile == "ConstrainedHigh" || c.low_latency_rate_control)
      p->i_bframe = 0;
    if (c.low_latency_rate_control) {
      p->rc.i_lookahead = 0;
      p->rc.b_mb_tree = 0;
      p->i_sync_lookahead = 0;
      p->i_scenecut_threshold = 0;
      p->i_keyint_max = X264_KEYINT_MAX_INFINITE;
    }
    if (!c.allow_temporal_compression) p->i_keyint_max = 1;
    // IntraRefresh (or intra-refresh in the options): x264 places the waves, keyint frames apart
    // unless the options said otherwise; no scene-cut IDRs, which are the spikes waves avoid.
    // x264 refreshes with one reference and no normal B-pyramid only: set them here rather than
    // have it warn at every open. All-intra has nothing to refresh (x264 drops it at keyint 1).
    if (c.intra_refresh) p->b_intra_refresh = 1;
    if (p->b_intra_refresh && p->i_keyint_max != 1) {
      if (p->i_keyint_max == keyint_before_options) p->i_keyint_max = RefreshPeriod(c, s.fps);
      p->i_scenecut_threshold = 0;
      p->i_frame_reference = 1;
      p->i_dpb_size = 1;
      if (p->i_bframe_pyramid == X264_B_PYRAMID_NORMAL) p->i_bframe_pyramid = X264_B_PYRAMID_STRICT;
    }
    // Multi-pass statistics in the storage's file, whatever the options said about passes.
    // The names are the session's strings, valid until x264_encoder_open has copied them.
    if (s.pass != PassMode::kNone) {
      p->rc.b_stat_write = s.pass == PassMode::kFirst;
      p->rc.b_stat_read = s.pass == PassMode::kFinal;
      char* stats = const_cast<char*>(s.stats_path.c_str());
      p->rc.psz_stat_out = p->rc.b_stat_write ? stats : nullptr;
      p->rc.psz_stat_in = p->rc.b_stat_read ? stats : nullptr;
      x264_param_apply_fastfirstpass(p);  // first pass only (x264 checks)
    }
    if (c.FrameDelayBudget() >= 0) FitDelay(c.FrameDelayBudget(), p);
    if (!IsLossless(c)) {
      const char* profile = X264ProfileName(CodedProfile(c, s));
      if (x264_param_apply_profile(p, profile) < 0) {
        *why = std::string("x264 cannot apply profile ") + profile + " to these settings";
        return Status::kParameterErr;
      }
    }
    // Under a limit that is close to the bit rate, the VBV leaves room for the B-frames
    // (VbvForLimits), whose number the options, the delay budget and the profile may have changed
    // since: set the rate fields again for the final number (x264 drops B-frames from all-intra
    // streams itself), as every reconfiguration will, unless the options set them. Where that room
    // would leave the target out of reach, CRF under the limits opens with fewer B-frames
    // (BframesForLimits), unless the options set their number.
    if (!c.data_rate_limits.empty() && !OptionsSetRateControl(c.options)) {
      if (p->i_keyint_max == 1) p->i_bframe = 0;
      if (mode == AbrMode::kCrfUnderLimits && !OptionsSetBframes(c.options))
        p->i_bframe = BframesForLimits(c, fps, p->i_bframe);
      ApplyRates(c, fps, mode, p);
      if (mode == AbrMode::kCrfUnderLimits && c.lookahead < 0)
        p->rc.i_lookahead = LimitsLookahead(fps, *p);
    }
    return Status::kNoErr;
  }

  // The rate-control fields for c, as at open and at every reconfiguration.
  static void ApplyRates(const EncoderConfig& c, double fps, AbrMode mode, x264_param_t* p) {
    ApplyRateControl(c, fps, mode, p);
    OneFrameVbv(c, fps, p);
  }

  void ApplyMutable(const EncoderConfig& c, x264_param_t* p) const {
    ApplyRates(c, RateFps(), abr_mode_, p);
    if (c.constant_bit_rate > 0) p->rc.b_filler = 1;
    p->i_slice_max_size = c.max_slice_bytes;
    if (SpeedPreset(c) != SpeedPreset(config_) || (config_.SpeedGoverned() && !c.SpeedGoverned())) {
      x264_param_t fresh;
      x264_param_default_preset(&fresh, SpeedPreset(c).c_str(), nullptr);
      CopySpeedFields(fresh, p);
    }
  }

  bool FillPicture(const InputFrame& f, x264_picture_t* pic) {
    PixelBuffer* b = f.buffer;
    const PixelFormatInfo* info = FindPixelFormat(b->pixel_format());
    const int csp = X264Csp(b->pixel_format());
    // The session feeds only layouts of the stream's chroma format and depth (pixel_transfer.h).
    if (!info || csp < 0 || (csp & X264_CSP_HIGH_DEPTH) != (param_.i_csp & X264_CSP_HIGH_DEPTH)) {
      logger_->Logf(LogLevel::kError, "x264 opened for %s cannot take a %s buffer",
                    PixelFormatName(stream_.pixel_format).c_str(),
                    PixelFormatName(b->pixel_format()).c_str());
      return false;
    }
    const int cw = (b->width() + 1) & ~1, ch = (b->height() + 1) & ~1;
    pic->img.i_csp = csp;
    pic->img.i_plane = int(b->plane_count());
    if (!PaddedPlanes(b, cw, ch, pic->img.plane, pic->img.i_stride, pad_copy_)) return false;
    pic->i_pts = f.pts;
    pic->i_type = f.force_keyframe ? X264_TYPE_IDR : X264_TYPE_AUTO;
    pic->opaque = reinterpret_cast<void*>(static_cast<std::uintptr_t>(f.id));
    if (f.sei && !AttachSei(*f.sei, pic)) return false;
    if (f.regions) {
      // x264 reads the offsets during this x264_encoder_encode (ratecontrol.c), so the array
      // need not outlive the call. Without AQ (constant QP, tune psnr, aq-mode 0) it ignores them.
      if (param_.rc.i_aq_mode != X264_AQ_NONE) {
        // One float per macroblock; interlaced: rows of field macroblocks, height rounded to 32.
        const int columns = (param_.i_width + 15) / 16;
        // Interlaced or fake-interlaced: x264 rounds the macroblock rows up to an even count.
        const int rows = param_.b_interlaced || param_.b_fake_interlaced
                             ? (param_.i_height + 31) / 32 * 2
                             : (param_.i_height + 15) / 16;
        RegionOffsets(*f.regions, 16, columns, rows, &quant_offsets_);
        pic->prop.quant_offsets = quant_offsets_.data();
      } else if (!roi_warned_) {
        roi_warned_ = true;
        logger_->Logf(LogLevel::kWarning,
                      "regions of interest need adaptive quantization, which is off: ignored");
      }
    }
    return true;
  }

  // The frame's SEI messages as x264's extra_sei: x264 writes them in the frame's access unit
  // (after a buffering period) and counts them in its rate control, VBV and NAL HRD filler
  // included. x264 frees the copies (sei_free) once written, or with the frame.
  static bool AttachSei(const std::vector<SeiPayload>& sei, x264_picture_t* pic) {
    auto* payloads =
        static_cast<x264_sei_payload_t*>(std::calloc(sei.size(), sizeof(x264_sei_payload_t)));
    if (!payloads) return false;
    for (std::size_t i = 0; i < sei.size(); ++i) {
      auto* bytes = static_cast<std::uint8_t*>(std::malloc(sei[i].bytes.size()));
      if (!bytes) {
        for (std::size_t j = 0; j < i; ++j) std::free(payloads[j].payload);
        std::free(payloads);
        return false;
      }
      std::memcpy(bytes, sei[i].bytes.data(), sei[i].bytes.size());
      payloads[i].payload = bytes;
      payloads[i].payload_size = int(sei[i].bytes.size());
      payloads[i].payload_type = sei[i].type;
    }
    pic->extra_sei.num_payloads = int(sei.size());
    pic->extra_sei.payloads = payloads;
    pic->extra_sei.sei_free = std::free;
    return true;
  }

  // Also returns x264's settings text from its version SEI (empty if there is none).
  Status MakeFormatDescription(x264_t* h, const EncoderConfig& c, const StreamInfo& s,
                               FormatDescriptionRef* out, std::string* settings,
                               std::string* why) const {
    x264_nal_t* nals = nullptr;
    int n = 0;
    if (x264_encoder_headers(h, &nals, &n) < 0) {
      *why = "x264_encoder_headers failed";
      return Status::kVideoEncoderMalfunctionErr;
    }
    Data sps, pps;
    for (int i = 0; i < n; ++i) {
      // Payloads start with the 4-byte length (b_annexb = 0).
      Data nal(nals[i].p_payload + 4, nals[i].p_payload + nals[i].i_payload);
      if (nals[i].i_type == NAL_SPS) sps = std::move(nal);
      if (nals[i].i_type == NAL_PPS) pps = std::move(nal);
      if (nals[i].i_type == NAL_SEI) {
        // user_data_unregistered: a 16-byte UUID, then "x264 - core ... options: ..." and a NUL.
        const std::string text(nal.begin(), nal.end());
        const std::size_t at = text.find("options: ");
        if (at != std::string::npos) *settings = text.substr(at + 9, text.find('\0', at) - at - 9);
      }
    }
    if (sps.size() > 3 && c.profile == "ConstrainedHigh")
      sps[2] |= 0x0c;  // constraint_set4 (frame_mbs_only) and set5 (no B slices)
    if (Status st = SetNominalTiming(h, c, &sps, why); st != Status::kNoErr) return st;
    Dictionary ext;
    if (!c.color_primaries.empty()) ext[key::kColorPrimaries] = Value(c.color_primaries);
    if (!c.transfer_function.empty()) ext[key::kTransferFunction] = Value(c.transfer_function);
    if (!c.ycbcr_matrix.empty()) ext[key::kYCbCrMatrix] = Value(c.ycbcr_matrix);
    if (c.par_h > 0)
      ext[key::kPixelAspectRatio] = Value(Dictionary{{key::kHorizontalSpacing, Value(c.par_h)},
                                                     {key::kVerticalSpacing, Value(c.par_v)}});
    ext[key::kFullRangeVideo] = Value(IsFullRangeFormat(s.pixel_format));
    ext[key::kFieldCount] = Value(c.field_count);
    if (!c.mastering_display.empty())
      ext[key::kMasteringDisplayColorVolume] = Value(c.mastering_display);
    if (!c.content_light_level.empty())
      ext[key::kContentLightLevelInfo] = Value(c.content_light_level);
    if (c.field_count == 2)
      ext[key::kFieldDetail] = Value(c.field_detail.empty() ? key::kFieldDetailTemporalTopFirst
                                                            : c.field_detail.c_str());
    return FormatDescription::CreateH264(sps, pps, (s.width + 1) & ~1, (s.height + 1) & ~1, s.width,
                                         s.height, std::move(ext), out);
  }

  // The SPS's VUI timing says the stream's nominal frame rate: ExpectedFrameRate as a fraction,
  // fixed_frame_rate_flag set (the element sets it only for caps with a fixed rate); without it
  // the rate is variable or unknown and the SPS carries no timing. x264's own timing (its
  // timebase, here the timestamps' timescale) stays only where its SEI depends on it: NAL HRD
  // (ConstantBitRate, where x264 times by the frame rate).
  Status SetNominalTiming(x264_t* h, const EncoderConfig& c, Data* sps, std::string* why) const {
    x264_param_t p;
    x264_encoder_parameters(h, &p);
    // pic_struct alone (x264 turns it on for interlaced coding) counts fields, not time: one
    // field a tick, which the nominal timing below keeps.
    if (p.i_nal_hrd != X264_NAL_HRD_NONE) return Status::kNoErr;
    VuiTiming timing;
    std::uint32_t num = 0, den = 0;
    if (c.expected_frame_rate > 0 && FrameRateFraction(c.expected_frame_rate, &num, &den))
      timing = TimingForRate(num, den, true);
    Data out;
    if (!SetSpsTiming(*sps, timing, &out, why)) {
      *why = "cannot rewrite x264's SPS: " + *why;
      return Status::kVideoEncoderMalfunctionErr;
    }
    *sps = std::move(out);
    return Status::kNoErr;
  }

  static std::string RateControlName(const x264_param_t& p) {
    char buf[96];
    if (p.rc.i_rc_method == X264_RC_CQP)
      std::snprintf(buf, sizeof buf, "cqp %d", p.rc.i_qp_constant);
    else if (p.rc.i_rc_method == X264_RC_CRF)
      std::snprintf(buf, sizeof buf, "crf %.1f", p.rc.f_rf_constant);
    else
      std::snprintf(buf, sizeof buf, "abr %d kbit/s", p.rc.i_bitrate);
    std::string s = buf;
    if (p.rc.b_stat_write || p.rc.b_stat_read)
      s += p.rc.b_stat_read ? ", two-pass: final (reads statistics)"
                            : ", two-pass: first (writes statistics)";
    if (p.rc.i_vbv_max_bitrate > 0) {
      std::snprintf(buf, sizeof buf, ", vbv %d kbit/s / %d kbit", p.rc.i_vbv_max_bitrate,
                    p.rc.i_vbv_buffer_size);
      s += buf;
    }
    return s;
  }

  const Logger* logger_;
  std::unique_ptr<x264_t, X264Deleter> h_;
  x264_param_t param_{};  // what x264 runs with (after open, and after each reconfigure)
  EncoderConfig config_;
  StreamInfo stream_;
  // The frame rate the rate-control fields are computed for (VBV granularity); 30 if unknown.
  double RateFps() const { return stream_.fps > 0 ? stream_.fps : 30.0; }
  FormatDescriptionRef format_;
  bool exhausted_ = false;
  // CRF under the limits needs the steering: options that set the rate control themselves get
  // x264's own ABR, as without limits.
  // Low-latency rate control too: its one-frame buffer leaves CRF under the limits nothing to fill.
  static AbrMode AbrModeFor(const EncoderConfig& c, const StreamInfo& s) {
    if (c.low_latency_rate_control) return AbrMode::kCbrLike;
    const AbrMode mode = ChooseAbrMode(c, s.fps > 0 ? s.fps : 30.0, s.pass != PassMode::kNone);
    return mode == AbrMode::kCrfUnderLimits && OptionsSetRateControl(c.options) ? AbrMode::kCbrLike
                                                                                : mode;
  }
  // What x264 runs with for the steering's ask, in either AverageBitRate mode.
  void ApplyAsk(double ask_kbps, x264_param_t* p) {
    if (abr_mode_ == AbrMode::kCrfUnderLimits)
      p->rc.f_rf_constant = float(CrfForAsk(ask_kbps, crf_reference_));
    else
      ApplyAbrAsk(config_, RateFps(), ask_kbps, p);
    OneFrameVbv(config_, RateFps(), p);  // the buffer follows maxrate
  }
  // Steering applies to one-pass AverageBitRate in either AbrMode: ABR in x264's CBR-like mode
  // (maxrate <= bitrate), the one ABR mode in which x264 takes a new bitrate mid-stream, or CRF
  // under the limits' VBV. Not to CBR, either multi-pass pass, NAL HRD (x264 refuses VBV changes
  // then), nor when X264Options set the rate fields themselves.
  // opened: x264 was just opened (a drain before it with the same target keeps the gain);
  // otherwise the target changed in place, and a kCrfUnderLimits steering starts from `ask`
  // (kbit/s; 0 = the target) and applies it to *p.
  void ResetSteering(x264_param_t* p, bool opened, double ask = 0) {
    const bool crf = abr_mode_ == AbrMode::kCrfUnderLimits;
    bool steerable = config_.average_bit_rate > 0 && config_.constant_bit_rate == 0 &&
                     p->rc.i_rc_method == (crf ? X264_RC_CRF : X264_RC_ABR) && !p->rc.b_stat_read &&
                     !p->rc.b_stat_write && p->i_nal_hrd == X264_NAL_HRD_NONE &&
                     p->rc.i_vbv_max_bitrate > 0 &&
                     (crf || p->rc.i_vbv_max_bitrate <= p->rc.i_bitrate);
    if (steerable) {
      // Options that set the rate fields themselves turn the steering off. A crf the steering
      // set before a change of target is its own.
      x264_param_t ours = *p;
      ApplyRates(config_, RateFps(), abr_mode_, &ours);
      steerable = ours.rc.i_bitrate == p->rc.i_bitrate &&
                  ours.rc.i_vbv_max_bitrate == p->rc.i_vbv_max_bitrate &&
                  ours.rc.i_vbv_buffer_size == p->rc.i_vbv_buffer_size &&
                  ((opened || !crf) ? ours.rc.f_rf_constant == p->rc.f_rf_constant
                                    : steering_.target() > 0);
    }
    const double target = steerable ? config_.average_bit_rate / 1000.0 : 0;
    if (opened) crf_reference_ = target;
    // Resume in the ABR mode only: a new x264 instance under the limits starts at kLimitsCrf,
    // which the gain learned before (for another crf reference, or in the other mode) does not
    // describe; its quick steering relearns it within a second.
    if (opened && !crf && target > 0 && target == steering_.target() &&
        steering_mode_ == AbrMode::kCbrLike) {
      steering_.Resume();
      return;
    }
    steering_mode_ = abr_mode_;
    steering_.Reset(target, stream_.fps > 0 ? 1.0 / stream_.fps : 0,
                    crf ? CrfUnderLimitsTuning() : AbrSteering::Tuning(), ask);
    if (crf && target > 0 && !opened) ApplyAsk(ask > 0 ? ask : target, p);
  }
  // Whether a change leaves the rate-control target alone (Quality does not count under a bitrate).
  static bool RateKeysEqual(const EncoderConfig& a, const EncoderConfig& b) {
    return a.average_bit_rate == b.average_bit_rate && a.constant_bit_rate == b.constant_bit_rate &&
           a.data_rate_limits == b.data_rate_limits &&
           (a.average_bit_rate > 0 || a.constant_bit_rate > 0 || a.quality == b.quality);
  }
  AbrSteering steering_;
  AbrMode abr_mode_ = AbrMode::kCbrLike;       // AbrModeFor at open
  AbrMode steering_mode_ = AbrMode::kCbrLike;  // the mode steering_ was last Reset for
  double crf_reference_ = 0;                   // kCrfUnderLimits: the target at open (CrfForAsk)
  int restore_vbv_buffer_ = 0;   // kbit: the buffer the next frame gets back; 0 = none
  int max_refs_ = 1;             // the reference count x264 opened with: the levels' ceiling
  int speed_level_ = -1;         // the governor's level x264 runs with; -1 = the preset's settings
  std::deque<int> started_qps_;  // QPs of frames x264 started and has not returned, in order
  int fail_at_ = 0;              // VTC_FAULT_INJECT encode:N (fault.h); 0 = never
  int frames_in_ = 0;
  std::vector<std::uint8_t> pad_copy_[3];  // padded copies of odd-sized planes (FillPicture)
  std::vector<float> quant_offsets_;       // the picture's per-macroblock QP offsets (ROI)
  bool roi_warned_ = false;
};

}  // namespace

std::unique_ptr<VideoEncoder> CreateX264Encoder(const Logger* logger) {
  return std::make_unique<X264Encoder>(logger);
}

}  // namespace vtc
