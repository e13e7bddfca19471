// SPDX-License-Identifier: GPL-2.0-or-later
#include "backend.h"

namespace vtc {

const std::vector<const Backend*>& Backends() {
  static const std::vector<const Backend*> backends = {&kX264Backend, &kX265Backend};
  return backends;
}

const Backend* FindBackend(CodecType codec_type, const std::string& encoder_id) {
  for (const Backend* b : Backends())
    if (b->codec_type == codec_type && (encoder_id.empty() || encoder_id == b->encoder_id))
      return b;
  return nullptr;
}

}  // namespace vtc
