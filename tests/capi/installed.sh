#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# The C API as a user gets it: `meson install` into a staging directory, then the C11 program
# tests/capi/test_cf_c.c, test_cm_time_c.c and test_vt_encoder.c built against the installed
# vtcompress.pc alone
# (#include <CoreFoundation/CoreFoundation.h> through its Cflags) and run on libvtcompress.so.0;
# the library exports the CF functions and constants, and none of the runtime's C++ internals.
# Usage: installed.sh BUILD_DIR SOURCE_DIR (meson passes both).
set -euo pipefail
build=$1
src=$2
stage=$(mktemp -d "${TMPDIR:-/tmp}/vtc-capi-install.XXXXXX")
trap 'rm -rf "$stage"' EXIT
fail() { echo "capi install test: $*" >&2; exit 1; }

meson install -C "$build" --no-rebuild --destdir "$stage" >"$stage/install.log" 2>&1 ||
  { cat "$stage/install.log" >&2; fail "meson install failed"; }
pc=$(find "$stage" -name vtcompress.pc | head -n 1)
[[ -n $pc ]] || fail "no vtcompress.pc installed"
lib=$(dirname "$(dirname "$pc")")
export PKG_CONFIG_PATH=$(dirname "$pc") PKG_CONFIG_SYSROOT_DIR=$stage

exports=$(nm -D --defined-only "$lib/libvtcompress.so")
for sym in CFRetain CFRelease CFStringCreateWithCString CFDictionaryCreateMutable kCFBooleanTrue \
  kCFTypeDictionaryKeyCallBacks kCFAllocatorNull CMTimeAdd kCMTimeInvalid CVPixelBufferCreate \
  CVPixelBufferPoolCreatePixelBuffer kCVPixelBufferPixelFormatTypeKey VTCompressionSessionCreate \
  VTSessionSetProperty kVTCompressionPropertyKey_AverageBitRate kVTProfileLevel_H264_Main_AutoLevel \
  CMSampleBufferGetDataBuffer CMVideoFormatDescriptionGetH264ParameterSetAtIndex \
  CMBlockBufferCopyDataBytes vtcompress_capi_live_object_count; do
  grep -qw "$sym" <<<"$exports" || fail "$sym not exported"
done
if nm -DC --defined-only "$lib/libvtcompress.so" | grep -q 'vtc::cf::'; then
  fail "the CF runtime's internals are exported"
fi

# shellcheck disable=SC2046
${CC:-cc} -std=c11 -Wall -Wextra -Wpedantic -Werror -o "$stage/cf_c" "$src/tests/capi/test_cf_c.c" \
  $(pkg-config --cflags --libs vtcompress) || fail "test_cf_c.c does not build against vtcompress.pc"
LD_LIBRARY_PATH=$lib "$stage/cf_c" 2>"$stage/run.log" || { cat "$stage/run.log" >&2; fail "it failed"; }
# shellcheck disable=SC2046
${CC:-cc} -std=c11 -Wall -Wextra -Wpedantic -Werror -o "$stage/cm_time_c" \
  "$src/tests/capi/test_cm_time_c.c" $(pkg-config --cflags --libs vtcompress) -lm ||
  fail "test_cm_time_c.c does not build against vtcompress.pc"
LD_LIBRARY_PATH=$lib "$stage/cm_time_c" 2>"$stage/run.log" || { cat "$stage/run.log" >&2; fail "cm_time_c failed"; }
# shellcheck disable=SC2046
${CC:-cc} -std=c11 -Wall -Wextra -Wpedantic -Werror -o "$stage/vt_encoder" \
  "$src/tests/capi/test_vt_encoder.c" $(pkg-config --cflags --libs vtcompress) ||
  fail "test_vt_encoder.c does not build against vtcompress.pc"
rc=0
LD_LIBRARY_PATH=$lib "$stage/vt_encoder" 2>"$stage/run.log" || rc=$?
# 77: no ffmpeg here; the build against the installed headers is what this test adds.
[[ $rc == 0 || $rc == 77 ]] || { cat "$stage/run.log" >&2; fail "vt_encoder failed"; }
echo "capi install test: headers, pc file, exports and the C programs OK"
