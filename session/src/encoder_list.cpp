// SPDX-License-Identifier: GPL-2.0-or-later
#include "backend.h"
#include "vtcompress/compression_session.h"

namespace vtc {

Status CopyVideoEncoderList(const Dictionary* /*options*/, Array* list_out) {
  if (!list_out) return Status::kParameterErr;
  Array list;
  for (const Backend* b : Backends())
    list.push_back(Value(Dictionary{
        {key::kCodecType, Value(std::int64_t(b->codec_type))},
        {key::kEncoderID, Value(b->encoder_id)},
        {key::kCodecName, Value(b->codec_name)},
        {key::kEncoderName, Value(b->encoder_name)},
        {key::kDisplayName, Value(b->display_name)},
        {key::kIsHardwareAccelerated, Value(b->hardware_accelerated)},
        {key::kSupportsFrameReordering, Value(b->supports_frame_reordering)},
    }));
  *list_out = std::move(list);
  return Status::kNoErr;
}

}  // namespace vtc
