// SPDX-License-Identifier: GPL-2.0-or-later
// vth264enc stress (issue 4), in a GstHarness driven from GoogleTest:
//   CapsChanges  100 caps changes (sizes up and down, odd sizes, NV12 <-> I420): every frame out;
//   Flushes      100 flush-start/flush-stop with frames in flight, half of the flush-starts sent
//                from another thread while frames are being pushed: a frame from before a flush
//                never comes out after it, and after flush-stop the element holds no frame;
//   StateCycles  100 READY <-> PLAYING cycles with frames in flight, the same accounting.
// In each, a second thread changes bitrate (including 0 <-> non-zero, which restarts x264),
// quality, max-keyframe-interval and data-rate-limits every millisecond or two and reads
// pending-frames, while frames flow. Each ends with a clean segment (N frames then EOS) whose
// frames must all come out once and decode with h264parse ! avdec_h264 to N pictures; then
// pending-frames is 0 and RSS after the first 10 rounds and after the last differ by < 20 MB.
// A watchdog names the stuck threads and aborts if nothing progresses for 60 s.
#include <gst/check/gstharness.h>
#include <gst/gst.h>
#include <gst/video/video.h>
#include <gtest/gtest.h>

#include <atomic>
#include <cinttypes>
#include <condition_variable>
#include <cstdio>
#include <mutex>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "stress_util.h"

using namespace std::chrono_literals;

namespace {

constexpr int kRounds = 100;
constexpr int kWarmupRounds = 10;
constexpr GstClockTime kFrameDuration = GST_SECOND / 30;
constexpr int kFinalFrames = 40;

struct Rng {
  std::mt19937_64 gen;
  explicit Rng(std::uint64_t seed) : gen(seed) {}
  int Int(int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(gen); }
  bool Chance(double p) { return std::bernoulli_distribution(p)(gen); }
};

struct Format {
  const char* name;  // "I420" or "NV12"
  int width, height;
};

std::string CapsFor(const Format& f) {
  return "video/x-raw,format=" + std::string(f.name) + ",width=" + std::to_string(f.width) +
         ",height=" + std::to_string(f.height) + ",framerate=30/1";
}

// Frame n of the run has PTS 1 s + n frame durations, whatever the segment, so an output buffer's
// PTS names its frame.
GstClockTime PtsOf(int n) {
  return GST_SECOND + GstClockTime(n) * kFrameDuration;
}
int FrameOf(GstClockTime pts) {
  if (!GST_CLOCK_TIME_IS_VALID(pts) || pts < GST_SECOND) return -1;
  const GstClockTime d = pts - GST_SECOND;
  if (d % kFrameDuration != 0) return -1;
  return int(d / kFrameDuration);
}

GstBuffer* MakeFrame(const Format& f, int n) {
  GstVideoInfo info;
  gst_video_info_set_format(&info, gst_video_format_from_string(f.name), guint(f.width),
                            guint(f.height));
  GstBuffer* buf = gst_buffer_new_allocate(nullptr, GST_VIDEO_INFO_SIZE(&info), nullptr);
  GstVideoFrame vf;
  if (gst_video_frame_map(&vf, &info, buf, GST_MAP_WRITE)) {
    for (guint p = 0; p < GST_VIDEO_FRAME_N_PLANES(&vf); ++p) {
      auto* data = static_cast<guint8*>(GST_VIDEO_FRAME_PLANE_DATA(&vf, p));
      const int stride = GST_VIDEO_FRAME_PLANE_STRIDE(&vf, p);
      const int rows = GST_VIDEO_FRAME_COMP_HEIGHT(&vf, p == 0 ? 0 : 1);
      for (int y = 0; y < rows; ++y)
        for (int x = 0; x < stride; ++x)
          data[y * stride + x] =
              guint8(p == 0 ? (x * 3 + y * 2 + n * 4) ^ (n * 7 + x / 8) : 128 + ((x + n) % 16));
    }
    gst_video_frame_unmap(&vf);
  }
  GST_BUFFER_PTS(buf) = PtsOf(n);
  GST_BUFFER_DURATION(buf) = kFrameDuration;
  return buf;
}

// Everything the element pushes, seen by a probe on the harness's sink pad (buffers are dropped
// there after being counted, so nothing piles up in the harness).
class Sink {
 public:
  explicit Sink(GstPad* pad) : pad_(pad) {
    probe_ = gst_pad_add_probe(pad, GstPadProbeType(GST_PAD_PROBE_TYPE_BUFFER), &Sink::Probe, this,
                               nullptr);
  }
  ~Sink() {
    gst_pad_remove_probe(pad_, probe_);
    for (const Kept& k : kept_) {
      gst_buffer_unref(k.buffer);
      if (k.caps) gst_caps_unref(k.caps);
    }
  }

  // The frames pushed from now on belong to `epoch`; output of an older epoch is a failure.
  void SetEpoch(int epoch) { epoch_.store(epoch); }
  void Pushed(int frame, int epoch) {
    std::lock_guard<std::mutex> lock(mu_);
    if (size_t(frame) >= frame_epoch_.size()) {
      frame_epoch_.resize(size_t(frame) + 1, -1);
      outputs_.resize(size_t(frame) + 1, 0);
    }
    frame_epoch_[size_t(frame)] = epoch;
  }
  // An output buffer kept for decoding, with the caps it was pushed under: a restart inside the
  // session (bit rate 0 <-> N) makes new parameter sets, so new caps (codec_data) mid-segment.
  struct Kept {
    GstBuffer* buffer;
    GstCaps* caps;
  };
  // Keep (ref) the output buffers of frames `first` and later, for decoding.
  void KeepFrom(int first) {
    std::lock_guard<std::mutex> lock(mu_);
    keep_from_ = first;
  }
  std::vector<Kept> KeptBuffers() {
    std::lock_guard<std::mutex> lock(mu_);
    return kept_;
  }
  int OutputsOf(int frame) {
    std::lock_guard<std::mutex> lock(mu_);
    return size_t(frame) < outputs_.size() ? outputs_[size_t(frame)] : 0;
  }
  long Total() { return total_.load(); }
  std::vector<std::string> Problems() {
    std::lock_guard<std::mutex> lock(mu_);
    return problems_;
  }
  void ResetDts() {
    std::lock_guard<std::mutex> lock(mu_);
    last_dts_ = GST_CLOCK_TIME_NONE;
  }

 private:
  static GstPadProbeReturn Probe(GstPad*, GstPadProbeInfo* info, gpointer user_data) {
    auto* self = static_cast<Sink*>(user_data);
    GstBuffer* buf = GST_PAD_PROBE_INFO_BUFFER(info);
    self->OnBuffer(buf);
    if (auto* dog = stress::Watchdog::Current()) dog->Progress();
    return GST_PAD_PROBE_DROP;
  }
  void OnBuffer(GstBuffer* buf) {
    total_.fetch_add(1);
    std::lock_guard<std::mutex> lock(mu_);
    const int n = FrameOf(GST_BUFFER_PTS(buf));
    char msg[200];
    if (n < 0 || size_t(n) >= frame_epoch_.size() || frame_epoch_[size_t(n)] < 0) {
      std::snprintf(msg, sizeof msg, "output with PTS %" GST_TIME_FORMAT " that no frame had",
                    GST_TIME_ARGS(GST_BUFFER_PTS(buf)));
      Problem(msg);
      return;
    }
    if (++outputs_[size_t(n)] != 1) {
      std::snprintf(msg, sizeof msg, "frame %d came out %d times", n, outputs_[size_t(n)]);
      Problem(msg);
    }
    if (frame_epoch_[size_t(n)] < epoch_.load()) {
      std::snprintf(msg, sizeof msg,
                    "frame %d, pushed before flush/stop %d, came out after it (epoch now %d)", n,
                    frame_epoch_[size_t(n)], epoch_.load());
      Problem(msg);
    }
    const GstClockTime dts = GST_BUFFER_DTS(buf);
    if (!GST_CLOCK_TIME_IS_VALID(dts) || dts > GST_BUFFER_PTS(buf)) {
      std::snprintf(msg, sizeof msg, "frame %d: DTS %" GST_TIME_FORMAT " invalid or above PTS", n,
                    GST_TIME_ARGS(dts));
      Problem(msg);
    } else if (GST_CLOCK_TIME_IS_VALID(last_dts_) && dts < last_dts_) {
      std::snprintf(msg, sizeof msg,
                    "frame %d: DTS went back from %" GST_TIME_FORMAT " to %" GST_TIME_FORMAT, n,
                    GST_TIME_ARGS(last_dts_), GST_TIME_ARGS(dts));
      Problem(msg);
    }
    if (GST_CLOCK_TIME_IS_VALID(dts)) last_dts_ = dts;
    if (keep_from_ >= 0 && n >= keep_from_)
      kept_.push_back({gst_buffer_ref(buf), gst_pad_get_current_caps(pad_)});
  }
  void Problem(const char* msg) {
    if (problems_.size() < 30) problems_.push_back(msg);
  }

  GstPad* pad_;
  gulong probe_ = 0;
  std::atomic<int> epoch_{0};
  std::atomic<long> total_{0};
  std::mutex mu_;
  std::vector<int> frame_epoch_;
  std::vector<int> outputs_;
  std::vector<std::string> problems_;
  GstClockTime last_dts_ = GST_CLOCK_TIME_NONE;
  int keep_from_ = -1;
  std::vector<Kept> kept_;
};

// Changes the live properties while frames flow, and reads pending-frames.
class PropertyChanger {
 public:
  PropertyChanger(GstElement* enc, std::uint64_t seed, stress::Watchdog* dog)
      : enc_(enc), thread_([this, seed, dog] { Run(seed, dog); }) {}
  ~PropertyChanger() { Stop(); }
  void Stop() {
    stop_.store(true);
    if (thread_.joinable()) thread_.join();
  }
  long changes() const { return changes_.load(); }
  int bad_pending() const { return bad_pending_.load(); }

 private:
  void Run(std::uint64_t seed, stress::Watchdog* dog) {
    stress::Watchdog::Thread me(*dog, "property-changer");
    Rng r(seed);
    while (!stop_.load()) {
      switch (r.Int(0, 4)) {
        case 0:
          me.Doing("g_object_set bitrate");
          g_object_set(enc_, "bitrate", guint(r.Chance(0.15) ? 0 : r.Int(50, 3000)), nullptr);
          break;
        case 1:
          me.Doing("g_object_set quality");
          g_object_set(enc_, "quality", double(r.Int(0, 100)) / 100.0, nullptr);
          break;
        case 2:
          me.Doing("g_object_set max-keyframe-interval");
          g_object_set(enc_, "max-keyframe-interval", r.Int(0, 60), nullptr);
          break;
        case 3: {
          const std::string v =
              r.Chance(0.3) ? std::string("0,0") : std::to_string(r.Int(100, 4000)) + ",1";
          me.Doing("g_object_set data-rate-limits");
          g_object_set(enc_, "data-rate-limits", v.c_str(), nullptr);
          break;
        }
        default: {
          gint pending = -1;
          me.Doing("g_object_get pending-frames");
          g_object_get(enc_, "pending-frames", &pending, nullptr);
          if (pending < 0 || pending > 1000) bad_pending_.fetch_add(1);
          break;
        }
      }
      changes_.fetch_add(1);
      me.Doing("sleeping");
      std::this_thread::sleep_for(std::chrono::microseconds(r.Int(300, 2500)));
    }
  }

  GstElement* enc_;
  std::atomic<bool> stop_{false};
  std::atomic<long> changes_{0};
  std::atomic<int> bad_pending_{0};
  std::thread thread_;
};

int PendingFrames(GstElement* enc) {
  gint pending = -1;
  g_object_get(enc, "pending-frames", &pending, nullptr);
  return pending;
}

int BaseClassFrames(GstElement* enc) {
  GList* frames = gst_video_encoder_get_frames(GST_VIDEO_ENCODER(enc));
  const int n = int(g_list_length(frames));
  g_list_free_full(frames, reinterpret_cast<GDestroyNotify>(gst_video_codec_frame_unref));
  return n;
}

// Decodes `buffers` (caps `caps`) with h264parse ! avdec_h264; returns the number of pictures, or
// -1 if the pipeline could not be built.
int DecodeCount(const std::vector<Sink::Kept>& buffers) {
  GstHarness* h = gst_harness_new_parse("h264parse ! avdec_h264");
  if (!h) return -1;
  int decoded = 0;
  GstCaps* current = nullptr;
  for (const Sink::Kept& k : buffers) {
    if (k.caps && (!current || !gst_caps_is_equal(current, k.caps))) {
      gst_harness_set_src_caps(h, gst_caps_ref(k.caps));
      current = k.caps;
    }
    if (gst_harness_push(h, gst_buffer_ref(k.buffer)) != GST_FLOW_OK) break;
    while (GstBuffer* out = gst_harness_try_pull(h)) {
      ++decoded;
      gst_buffer_unref(out);
    }
  }
  gst_harness_push_event(h, gst_event_new_eos());
  while (GstBuffer* out = gst_harness_try_pull(h)) {
    ++decoded;
    gst_buffer_unref(out);
  }
  gst_harness_teardown(h);
  return decoded;
}

enum class Mode { kCaps, kFlush, kState };

class ElementStress {
 public:
  ElementStress(Mode mode, const char* stream_format)
      : mode_(mode), seed_(stress::Seed()), rng_(seed_) {
    std::printf("seed %" PRIu64 " (VTC_STRESS_SEED=%" PRIu64 " repeats it), stream-format %s\n",
                seed_, seed_, stream_format);
    h_ = gst_harness_new("vth264enc");
    enc_ = gst_harness_find_element(h_, "vth264enc");
    sink_ = std::make_unique<Sink>(h_->sinkpad);
    gst_harness_set_sink_caps_str(
        h_, (std::string("video/x-h264,alignment=au,stream-format=") + stream_format).c_str());
    format_ = Format{"I420", 96, 64};
    gst_harness_set_src_caps_str(h_, CapsFor(format_).c_str());
  }
  ~ElementStress() {
    sink_.reset();
    gst_object_unref(enc_);
    gst_harness_teardown(h_);
  }

  void Run() {
    stress::Watchdog dog(60s);
    stress::Watchdog::Thread me(dog, "streaming (test)");
    PropertyChanger changer(enc_, seed_ ^ 0x9e3779b97f4a7c15ull, &dog);
    std::uint64_t rss_warm = 0, heap_warm = 0;
    for (int round = 0; round < kRounds; ++round) {
      if (round == kWarmupRounds) {
        stress::TrimHeap();
        rss_warm = stress::ResidentBytes();
        heap_warm = stress::HeapInUseBytes();
      }
      // Few frames (all still inside x264 at a flush or stop) or more (some out already).
      const int frames = rng_.Chance(0.5) ? rng_.Int(1, 8) : rng_.Int(9, 90);
      switch (mode_) {
        case Mode::kCaps:
          me.Doing("caps change");
          NewFormat();
          gst_harness_set_src_caps_str(h_, CapsFor(format_).c_str());
          sink_->ResetDts();  // a new session: DTS start afresh
          me.Doing("pushing frames");
          Push(frames, &me);
          break;
        case Mode::kFlush:
          if (round % 2 == 0) {
            me.Doing("pushing frames");
            Push(frames, &me);
            me.Doing("flush-start");
            EXPECT_TRUE(gst_harness_push_event(h_, gst_event_new_flush_start()));
          } else {
            PushWhileFlushing(&me);
          }
          me.Doing("flush-stop");
          EXPECT_TRUE(gst_harness_push_event(h_, gst_event_new_flush_stop(TRUE)));
          NextEpoch();
          CheckIdle("flush", round);
          me.Doing("segment");
          PushSegment();
          break;
        case Mode::kState:
          me.Doing("pushing frames");
          Push(frames, &me);
          me.Doing("set_state READY");
          EXPECT_EQ(gst_element_set_state(h_->element, GST_STATE_READY), GST_STATE_CHANGE_SUCCESS);
          NextEpoch();
          CheckIdle("READY", round);
          me.Doing("set_state PLAYING");
          EXPECT_NE(gst_element_set_state(h_->element, GST_STATE_PLAYING),
                    GST_STATE_CHANGE_FAILURE);
          me.Doing("stream-start, caps, segment");
          gst_harness_push_event(h_, gst_event_new_stream_start("stress"));
          if (rng_.Chance(0.3)) NewFormat();
          gst_harness_set_src_caps_str(h_, CapsFor(format_).c_str());
          PushSegment();
          break;
      }
      if (::testing::Test::HasFatalFailure()) return;
    }

    // The final clean segment, after a caps change (a new session, so it starts with an IDR and
    // its own codec_data): every frame must come out, once, and decode.
    me.Doing("final segment");
    NewFormat();
    gst_harness_set_src_caps_str(h_, CapsFor(format_).c_str());
    sink_->ResetDts();
    const int first = next_frame_;
    sink_->KeepFrom(first);
    Push(kFinalFrames, &me);
    me.Doing("EOS");
    EXPECT_TRUE(gst_harness_push_event(h_, gst_event_new_eos()));
    changer.Stop();
    // Memory before decoding (libav's libraries and buffers are not the encoder's).
    stress::TrimHeap();
    const std::uint64_t rss_end = stress::ResidentBytes();
    const std::uint64_t heap_end = stress::HeapInUseBytes();
    int out = 0;
    for (int n = first; n < first + kFinalFrames; ++n) out += sink_->OutputsOf(n) == 1 ? 1 : 0;
    EXPECT_EQ(out, kFinalFrames) << "frames of the final segment that came out exactly once";
    if (mode_ == Mode::kCaps) {
      int lost = 0;
      for (int n = 0; n < next_frame_; ++n) lost += sink_->OutputsOf(n) == 1 ? 0 : 1;
      EXPECT_EQ(lost, 0) << "frames not answered exactly once across caps changes (no flush here)";
    }
    EXPECT_EQ(PendingFrames(enc_), 0);
    EXPECT_EQ(BaseClassFrames(enc_), 0);

    me.Doing("decoding");
    const std::vector<Sink::Kept> kept = sink_->KeptBuffers();
    const int decoded = DecodeCount(kept);
    EXPECT_EQ(decoded, kFinalFrames)
        << "pictures decoded by avdec_h264 from the final segment (" << kept.size() << " buffers)";

    for (const auto& p : sink_->Problems()) ADD_FAILURE() << p;
    EXPECT_EQ(changer.bad_pending(), 0) << "pending-frames out of range";

    // Each frame came out at most once and never after its epoch ended (Sink), and after each
    // flush or stop the element held no frame (CheckIdle): so every other frame was discarded.
    std::printf(
        "%d frames pushed, %ld came out, %ld discarded by flushes/stops; %ld property changes; "
        "after %d rounds: RSS %.1f MB, heap %.2f MB; at the end: RSS %.1f MB (%+.1f), heap "
        "%.2f MB (%+.2f)\n",
        next_frame_, sink_->Total(), long(next_frame_) - sink_->Total(), changer.changes(),
        kWarmupRounds, double(rss_warm) / 1e6, double(heap_warm) / 1e6, double(rss_end) / 1e6,
        (double(rss_end) - double(rss_warm)) / 1e6, double(heap_end) / 1e6,
        (double(heap_end) - double(heap_warm)) / 1e6);
    // RSS flat over the last 90 rounds (see session_stress.cpp for why 20 MB: allocator noise is
    // a few MB; leaking the ~600 frames' input buffers or one x264 instance per round is more).
    if (!stress::UnderSanitizer() && rss_warm && rss_end) {
      EXPECT_LT(double(rss_end) - double(rss_warm), 20e6);
    }
  }

 private:
  void NewFormat() {
    Format f = format_;
    f.name = rng_.Chance(0.5) ? "I420" : "NV12";
    // Up and down, odd sizes included.
    f.width = rng_.Int(16, 200);
    f.height = rng_.Int(16, 150);
    if (rng_.Chance(0.1)) f.width = rng_.Int(1, 15);
    if (rng_.Chance(0.1)) f.height = rng_.Int(1, 15);
    format_ = f;
  }

  void Push(int count, stress::Watchdog::Thread* me) {
    for (int i = 0; i < count; ++i) {
      const int n = next_frame_++;
      sink_->Pushed(n, epoch_);
      me->Doing("gst_harness_push");
      const GstFlowReturn ret = gst_harness_push(h_, MakeFrame(format_, n));
      EXPECT_EQ(ret, GST_FLOW_OK) << "frame " << n << ": " << gst_flow_get_name(ret);
    }
  }

  // Another thread sends flush-start after a random delay while this one pushes frames; pushing
  // stops at the first FLUSHING. Then (the caller) flush-stop.
  void PushWhileFlushing(stress::Watchdog::Thread* me) {
    std::atomic<bool> flushed{false};
    const int delay_us = rng_.Int(0, 3000);
    std::thread flusher([&] {
      std::this_thread::sleep_for(std::chrono::microseconds(delay_us));
      EXPECT_TRUE(gst_harness_push_event(h_, gst_event_new_flush_start()));
      flushed.store(true);
    });
    for (int i = 0; i < 60; ++i) {
      const int n = next_frame_++;
      sink_->Pushed(n, epoch_);
      me->Doing("gst_harness_push (flush-start coming)");
      const GstFlowReturn ret = gst_harness_push(h_, MakeFrame(format_, n));
      if (ret == GST_FLOW_FLUSHING) break;
      EXPECT_EQ(ret, GST_FLOW_OK) << "frame " << n << ": " << gst_flow_get_name(ret);
      if (flushed.load()) break;
    }
    me->Doing("joining the flusher");
    flusher.join();
  }

  void PushSegment() {
    GstSegment seg;
    gst_segment_init(&seg, GST_FORMAT_TIME);
    EXPECT_TRUE(gst_harness_push_event(h_, gst_event_new_segment(&seg)));
  }

  void NextEpoch() {
    ++epoch_;
    sink_->SetEpoch(epoch_);
    sink_->ResetDts();
  }

  void CheckIdle(const char* after, int round) {
    const int pending = PendingFrames(enc_);
    const int held = BaseClassFrames(enc_);
    EXPECT_EQ(pending, 0) << "pending-frames after " << after << " in round " << round;
    EXPECT_EQ(held, 0) << "frames still held by the base class after " << after << " in round "
                       << round;
  }

  Mode mode_;
  std::uint64_t seed_;
  Rng rng_;
  GstHarness* h_ = nullptr;
  GstElement* enc_ = nullptr;
  std::unique_ptr<Sink> sink_;
  Format format_{};
  int next_frame_ = 0;
  int epoch_ = 0;
};

// The harness aborts on an element it cannot make; say why instead.
bool ElementAvailable() {
  GstElementFactory* f = gst_element_factory_find("vth264enc");
  if (!f) return false;
  gst_object_unref(f);
  return true;
}

TEST(ElementStress, CapsChanges) {
  ASSERT_TRUE(ElementAvailable()) << "vth264enc not found (GST_PLUGIN_PATH_1_0?)";
  ElementStress(Mode::kCaps, "avc").Run();
}

TEST(ElementStress, Flushes) {
  ASSERT_TRUE(ElementAvailable()) << "vth264enc not found (GST_PLUGIN_PATH_1_0?)";
  ElementStress(Mode::kFlush, "byte-stream").Run();
}

TEST(ElementStress, StateCycles) {
  ASSERT_TRUE(ElementAvailable()) << "vth264enc not found (GST_PLUGIN_PATH_1_0?)";
  ElementStress(Mode::kState, "avc").Run();
}

}  // namespace

int main(int argc, char** argv) {
  gst_init(&argc, &argv);
  ::testing::InitGoogleTest(&argc, argv);
  const int ret = RUN_ALL_TESTS();
  gst_deinit();
  return ret;
}
