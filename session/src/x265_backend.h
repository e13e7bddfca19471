// SPDX-License-Identifier: GPL-2.0-or-later
// The x265 backend's pieces that its registry entry (x265_backend.cpp) and its encoder
// (x265_encoder.cpp) share.
#pragma once

#include <memory>
#include <string>

#include "encoder.h"

namespace vtc {

// A closed x265 encoder; `logger` outlives it.
std::unique_ptr<VideoEncoder> CreateX265Encoder(const Logger* logger);

// Checks of the extension keys' text: kParameterErr and *why naming the bad tune or option.
Status CheckX265Tune(const std::string& tune, std::string* why);
Status CheckX265Options(const std::string& options, std::string* why);

}  // namespace vtc
