// SPDX-License-Identifier: GPL-2.0-or-later
// The x264 backend's pieces that its registry entry (x264_backend.cpp) and its encoder
// (x264_encoder.cpp) share.
#pragma once

#include <memory>
#include <string>

#include "encoder.h"

namespace vtc {

// A closed x264 encoder; `logger` outlives it.
std::unique_ptr<VideoEncoder> CreateX264Encoder(const Logger* logger);

// Checks of the extension keys' text: kParameterErr and *why naming the bad tune or option.
Status CheckX264Tune(const std::string& tune, std::string* why);
Status CheckX264Options(const std::string& options, std::string* why);

}  // namespace vtc
