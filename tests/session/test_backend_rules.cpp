// SPDX-License-Identifier: GPL-2.0-or-later
// The backend registry (session/src/backend.h): what each entry answers, and the x264 backend's
// rule for which changes a running encoder takes (reconfigure between frames) and which need a
// new instance (restart). Pinned field by field so that moving a rule cannot change it.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstring>
#include <functional>
#include <set>
#include <string>

#include "backend.h"
#include "properties.h"
#include "vtcompress/vtcompress.h"

namespace {

using vtc::EncoderConfig;
using Change = vtc::EncoderConfig::Change;

Change X264Change(const std::function<void(EncoderConfig*)>& edit_before,
                  const std::function<void(EncoderConfig*)>& edit_after) {
  EncoderConfig before, after;
  edit_before(&before);
  edit_after(&after);
  return vtc::PropertyTable::For(vtc::kX264Backend).ChangeFrom(before, after);
}

Change X264Change(const std::function<void(EncoderConfig*)>& edit) {
  return X264Change([](EncoderConfig*) {}, edit);
}

TEST(BackendRegistry, FindsX264ByCodecAndID) {
  EXPECT_EQ(vtc::FindBackend(vtc::kCodecType_H264, ""), &vtc::kX264Backend);
  EXPECT_EQ(vtc::FindBackend(vtc::kCodecType_H264, vtc::kX264EncoderID), &vtc::kX264Backend);
  EXPECT_EQ(vtc::FindBackend(vtc::kCodecType_H264, "org.example.none"), nullptr);
  // An ID that exists, asked for with another codec type, is not that backend.
  EXPECT_EQ(vtc::FindBackend(vtc::FourCC("mp4v"), vtc::kX264EncoderID), nullptr);
}

TEST(BackendRegistry, EncoderListHasOneEntryPerBackend) {
  vtc::Array list;
  ASSERT_EQ(vtc::CopyVideoEncoderList(nullptr, &list), vtc::Status::kNoErr);
  ASSERT_EQ(list.size(), vtc::Backends().size());
  for (std::size_t i = 0; i < list.size(); ++i) {
    const vtc::Backend& b = *vtc::Backends()[i];
    const auto& e = list[i].AsDictionary();
    EXPECT_EQ(e.at(vtc::key::kCodecType), vtc::Value(std::int64_t(b.codec_type)));
    EXPECT_EQ(e.at(vtc::key::kEncoderID), vtc::Value(b.encoder_id));
    EXPECT_EQ(e.at(vtc::key::kEncoderName), vtc::Value(b.encoder_name));
    EXPECT_EQ(e.at(vtc::key::kCodecName), vtc::Value(b.codec_name));
  }
}

TEST(BackendRegistry, CreateWithoutABackendIsCouldNotFindVideoEncoder) {
  std::shared_ptr<vtc::CompressionSession> s;
  for (vtc::CodecType t : {vtc::FourCC("mp4v"), vtc::FourCC("jpeg"), vtc::CodecType(0)}) {
    EXPECT_EQ(vtc::CompressionSession::Create(64, 64, t, nullptr, nullptr, nullptr, nullptr, &s),
              vtc::Status::kCouldNotFindVideoEncoderErr);
    EXPECT_FALSE(s);
  }
  // x264's ID asked for with a codec it does not code.
  vtc::Dictionary spec{{vtc::key::kEncoderID, vtc::Value(vtc::kX264EncoderID)}};
  EXPECT_EQ(vtc::CompressionSession::Create(64, 64, vtc::FourCC("mp4v"), &spec, nullptr, nullptr,
                                            nullptr, &s),
            vtc::Status::kCouldNotFindVideoEncoderErr);
}

TEST(BackendRegistry, EachTableHasTheGenericAndTheBackendRowsOnce) {
  for (const vtc::Backend* b : vtc::Backends()) {
    const auto& table = vtc::PropertyTable::For(*b);
    EXPECT_EQ(&vtc::PropertyTable::For(*b), &table) << "built once";
    std::set<std::string> keys;
    for (const auto& d : table.rows()) EXPECT_TRUE(keys.insert(d.key).second) << d.key;
    for (const auto& d : b->property_rows()) {
      const vtc::PropertyDescriptor* found = table.Find(d.key);
      ASSERT_NE(found, nullptr) << d.key;
      EXPECT_STREQ(found->documentation, d.documentation) << d.key;
    }
    // Each note follows the text of a generic key (a note for a key the table lacks is lost).
    for (const auto& [k, note] : b->key_notes()) {
      const vtc::PropertyDescriptor* found = table.Find(k);
      ASSERT_NE(found, nullptr) << k;
      const std::string doc = found->documentation;
      EXPECT_GT(doc.size(), std::strlen(note) + 1) << k;
      EXPECT_EQ(doc.substr(doc.size() - std::strlen(note)), note) << k;
    }
    for (const char* generic : {vtc::key::kAverageBitRate, vtc::key::kRealTime,
                                vtc::key::kMaxFrameDelayCount, vtc::key::kEncoderID})
      EXPECT_NE(table.Find(generic), nullptr) << generic;
    const vtc::PropertyDescriptor* id = table.Find(vtc::key::kEncoderID);
    ASSERT_NE(id, nullptr);
    EXPECT_EQ(id->default_value, vtc::Value(b->encoder_id));
    EXPECT_TRUE(id->read_only);
  }
  const auto& x264 = vtc::PropertyTable::For(vtc::kX264Backend);
  for (const char* k : {vtc::key::kX264SpeedPreset, vtc::key::kX264Tune, vtc::key::kX264Threads,
                        vtc::key::kX264Options, vtc::key::kProfileLevel, vtc::key::kH264EntropyMode,
                        vtc::key::kMaxH264SliceBytes}) {
    EXPECT_NE(x264.Find(k), nullptr) << k;
    // The codec's keys are the backend's rows, not the generic table's.
    const auto& own = vtc::kX264Backend.property_rows();
    EXPECT_TRUE(std::any_of(own.begin(), own.end(), [k](const vtc::PropertyDescriptor& d) {
      return std::string(d.key) == k;
    })) << k;
  }
}

TEST(BackendRegistry, X264ResolvesH264Profiles) {
  const auto& table = vtc::PropertyTable::For(vtc::kX264Backend);
  EncoderConfig unset = table.Resolve({}, false);
  EXPECT_TRUE(unset.profile_from_source);
  EXPECT_EQ(unset.profile, "High");
  EncoderConfig main41 =
      table.Resolve({{vtc::key::kProfileLevel, vtc::Value("H264_Main_4_1")}}, false);
  EXPECT_FALSE(main41.profile_from_source);
  EXPECT_EQ(main41.profile, "Main");
  EXPECT_EQ(main41.level_idc, 41);
  EXPECT_EQ(main41.profile_chroma_format_idc, 1);
  EXPECT_EQ(main41.profile_bit_depth, 8);
  EncoderConfig high10 =
      table.Resolve({{vtc::key::kProfileLevel, vtc::Value("H264_High10_AutoLevel")}}, false);
  EXPECT_EQ(high10.profile_chroma_format_idc, 1);
  EXPECT_EQ(high10.profile_bit_depth, 10);
  EncoderConfig high422 =
      table.Resolve({{vtc::key::kProfileLevel, vtc::Value("H264_High422_AutoLevel")}}, false);
  EXPECT_EQ(high422.profile_chroma_format_idc, 2);
  EXPECT_EQ(high422.profile_bit_depth, 0);  // the source's
  EncoderConfig c = table.Resolve({{vtc::key::kH264EntropyMode, vtc::Value("CAVLC")},
                                   {vtc::key::kMaxH264SliceBytes, vtc::Value(1200)}},
                                  false);
  EXPECT_EQ(c.entropy_mode, "CAVLC");
  EXPECT_EQ(c.max_slice_bytes, 1200);
}

TEST(BackendRegistry, X264RefusesWhatH264ProfilesCannotCarry) {
  const auto& table = vtc::PropertyTable::For(vtc::kX264Backend);
  std::string why;
  EXPECT_EQ(table.CheckCombination({{vtc::key::kProfileLevel, vtc::Value("H264_Baseline_3_0")},
                                    {vtc::key::kH264EntropyMode, vtc::Value("CABAC")}},
                                   &why),
            vtc::Status::kParameterErr);
  EXPECT_NE(why.find("CABAC"), std::string::npos) << why;
  EXPECT_EQ(table.CheckCombination(
                {{vtc::key::kProfileLevel, vtc::Value("H264_ConstrainedHigh_AutoLevel")},
                 {vtc::key::kFieldCount, vtc::Value(2)}},
                &why),
            vtc::Status::kParameterErr);
  EXPECT_EQ(table.CheckCombination({{vtc::key::kProfileLevel, vtc::Value("H264_Main_AutoLevel")},
                                    {vtc::key::kFieldCount, vtc::Value(2)},
                                    {vtc::key::kH264EntropyMode, vtc::Value("CABAC")}},
                                   &why),
            vtc::Status::kNoErr);
  // The generic rules still hold with the backend's.
  EXPECT_EQ(table.CheckCombination({{vtc::key::kMinAllowedFrameQP, vtc::Value(30)},
                                    {vtc::key::kMaxAllowedFrameQP, vtc::Value(20)}},
                                   &why),
            vtc::Status::kParameterErr);
}

TEST(BackendRegistry, X264ResolvesItsOwnKeys) {
  const auto& table = vtc::PropertyTable::For(vtc::kX264Backend);
  EncoderConfig defaults = table.Resolve({}, false);
  EXPECT_EQ(defaults.speed_preset, "auto");
  EXPECT_EQ(defaults.tune, "");
  EXPECT_EQ(defaults.threads, 0);
  EXPECT_EQ(defaults.options, "");
  EncoderConfig c = table.Resolve({{vtc::key::kX264SpeedPreset, vtc::Value("veryfast")},
                                   {vtc::key::kX264Tune, vtc::Value("film")},
                                   {vtc::key::kX264Threads, vtc::Value(3)},
                                   {vtc::key::kX264Options, vtc::Value("ref=2")},
                                   {vtc::key::kAverageBitRate, vtc::Value(500000)}},
                                  true);
  EXPECT_EQ(c.speed_preset, "veryfast");
  EXPECT_EQ(c.tune, "film");
  EXPECT_EQ(c.threads, 3);
  EXPECT_EQ(c.options, "ref=2");
  EXPECT_EQ(c.average_bit_rate, 500000);
  EXPECT_TRUE(c.low_latency_rate_control);
}

TEST(X264ChangeRule, NothingChangedIsNone) {
  EXPECT_EQ(X264Change([](EncoderConfig*) {}), Change::kNone);
}

TEST(X264ChangeRule, RateControlModeSwitchesRestart) {
  // Quality <-> bit rate, to or from CBR, to or from a VBV cap, lossless on or off.
  EXPECT_EQ(X264Change([](EncoderConfig* c) { c->average_bit_rate = 1000000; }), Change::kRestart);
  EXPECT_EQ(X264Change([](EncoderConfig* c) { c->constant_bit_rate = 1000000; }), Change::kRestart);
  EXPECT_EQ(X264Change([](EncoderConfig* c) {
              c->data_rate_limits = {{125000, 1}};
            }),
            Change::kRestart);
  EXPECT_EQ(X264Change([](EncoderConfig* c) { c->quality = 1.0; }), Change::kRestart);
  EXPECT_EQ(X264Change([](EncoderConfig* c) { c->constant_bit_rate = 1000000; },
                       [](EncoderConfig* c) { c->constant_bit_rate = 2000000; }),
            Change::kRestart);
  EXPECT_EQ(X264Change([](EncoderConfig* c) { c->average_bit_rate = 1000000; },
                       [](EncoderConfig* c) {
                         c->data_rate_limits = {{125000, 1}};
                       }),
            Change::kRestart);
}

TEST(X264ChangeRule, InstanceShapingKeysRestart) {
  EXPECT_EQ(X264Change([](EncoderConfig* c) { c->tune = "film"; }), Change::kRestart);
  EXPECT_EQ(X264Change([](EncoderConfig* c) { c->threads = 2; }), Change::kRestart);
  EXPECT_EQ(X264Change([](EncoderConfig* c) { c->options = "ref=1"; }), Change::kRestart);
  EXPECT_EQ(X264Change([](EncoderConfig* c) { c->intra_refresh = true; }), Change::kRestart);
}

TEST(X264ChangeRule, RatesQualityAndSpeedReconfigure) {
  auto abr = [](EncoderConfig* c) { c->average_bit_rate = 1000000; };
  EXPECT_EQ(X264Change(abr, [](EncoderConfig* c) { c->average_bit_rate = 2000000; }),
            Change::kReconfigure);
  EXPECT_EQ(X264Change(abr,
                       [](EncoderConfig* c) {
                         c->average_bit_rate = 1000000;
                         c->data_rate_limits = {{125000, 1}};
                       }),
            Change::kReconfigure);
  EXPECT_EQ(X264Change([](EncoderConfig* c) { c->quality = 0.5; },
                       [](EncoderConfig* c) { c->quality = 0.7; }),
            Change::kReconfigure);
  EXPECT_EQ(X264Change([](EncoderConfig* c) { c->quality = 0.5; }), Change::kReconfigure);
  EXPECT_EQ(X264Change([](EncoderConfig* c) { c->real_time = true; }), Change::kReconfigure);
  EXPECT_EQ(X264Change([](EncoderConfig* c) { c->prioritize_speed = true; }), Change::kReconfigure);
  EXPECT_EQ(X264Change([](EncoderConfig* c) { c->speed_preset = "veryfast"; }),
            Change::kReconfigure);
  EXPECT_EQ(X264Change([](EncoderConfig* c) { c->max_slice_bytes = 1200; }), Change::kReconfigure);
  EXPECT_EQ(X264Change([](EncoderConfig* c) { c->expected_frame_rate = 25; }),
            Change::kReconfigure);
  // "auto" resolving to the preset named explicitly is no change.
  EXPECT_EQ(X264Change([](EncoderConfig* c) { c->speed_preset = "medium"; }), Change::kNone);
}

TEST(X264ChangeRule, KeysTheSessionAppliesOrThatApplyAtOpenAreNone) {
  // Keyframe keys are the session's; the rest only apply when x264 opens (before the first
  // frame the session reopens it anyway).
  for (const auto& edit : std::vector<std::function<void(EncoderConfig*)>>{
           [](EncoderConfig* c) { c->max_key_frame_interval = 30; },
           [](EncoderConfig* c) { c->max_key_frame_interval_duration = 2; },
           [](EncoderConfig* c) { c->allow_temporal_compression = false; },
           [](EncoderConfig* c) { c->allow_frame_reordering = false; },
           [](EncoderConfig* c) { c->max_frame_delay_count = 2; },
           [](EncoderConfig* c) { c->profile = "Main"; },
           [](EncoderConfig* c) { c->level_idc = 41; },
           [](EncoderConfig* c) { c->entropy_mode = "CAVLC"; },
           [](EncoderConfig* c) { c->min_qp = 10; },
           [](EncoderConfig* c) { c->reference_buffer_count = 2; },
           [](EncoderConfig* c) { c->lookahead = 5; },
           [](EncoderConfig* c) { c->ycbcr_matrix = "ITU_R_709_2"; },
           [](EncoderConfig* c) { c->field_count = 2; },
           [](EncoderConfig* c) { c->calculate_mse = true; },
           [](EncoderConfig* c) { c->release_source_on_import = true; },
       })
    EXPECT_EQ(X264Change(edit), Change::kNone);
}

}  // namespace
