// SPDX-License-Identifier: GPL-2.0-or-later
// The VideoToolbox layer's wrappers other files of the C layer need (internal, not installed).
#pragma once

#include <VideoToolbox/VTMultiPassStorage.h>

#include "vtcompress/value.h"

namespace vtc::cf {

// +1: a VTMultiPassStorage for a session's MultiPassStorage property value, or NULL when the
// object is not a vtc::MultiPassStorage. Two wrappers of one storage are CFEqual.
CFTypeRef WrapMultiPassStorage(const ObjectRef& object);

}  // namespace vtc::cf
