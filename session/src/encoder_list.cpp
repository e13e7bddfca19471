// SPDX-License-Identifier: GPL-2.0-or-later
#include "vtcompress/compression_session.h"

namespace vtc {

Status CopyVideoEncoderList(const Dictionary* /*options*/, Array* list_out) {
  if (!list_out) return Status::kParameterErr;
  *list_out = Array{Value(Dictionary{
      {key::kCodecType, Value(std::int64_t(kCodecType_H264))},
      {key::kEncoderID, Value(kX264EncoderID)},
      {key::kCodecName, Value("H.264")},
      {key::kEncoderName, Value("x264")},
      {key::kDisplayName, Value("H.264 (x264)")},
      {key::kIsHardwareAccelerated, Value(false)},
      {key::kSupportsFrameReordering, Value(true)},
  })};
  return Status::kNoErr;
}

}  // namespace vtc
