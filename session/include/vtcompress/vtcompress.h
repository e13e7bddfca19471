// SPDX-License-Identifier: GPL-2.0-or-later
// The whole session API.
#pragma once

#include "vtcompress/a53.h"
#include "vtcompress/color.h"
#include "vtcompress/compression_session.h"
#include "vtcompress/keys.h"
#include "vtcompress/log.h"
#include "vtcompress/multipass_storage.h"
#include "vtcompress/pixel_buffer.h"
#include "vtcompress/sample_buffer.h"
#include "vtcompress/status.h"
#include "vtcompress/time.h"
#include "vtcompress/value.h"
