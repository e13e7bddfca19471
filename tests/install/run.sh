#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# The installed tree, used the way a user uses it: `meson install` into a staging directory
# (DESTDIR), then
#   - a program built against the installed vtcompress.pc alone (headers, shared library) runs
#     and encodes;
#   - the shared library has its soname and exports the API but nothing internal;
#   - GStreamer loads the installed plugin (gst-inspect-1.0), which exports no session code, and
#     the presets are installed beside it;
#   - the C API: the library exports the CoreFoundation / CoreMedia / CoreVideo / VideoToolbox
#     functions and constants and none of the CF runtime's internals, and the C11 programs
#     tests/capi/test_cf_c.c, test_cm_time_c.c and test_vt_encoder.c build against the installed
#     vtcompress.pc alone (#include <CoreFoundation/CoreFoundation.h> through its Cflags) and run
#     on libvtcompress.so.0.
# Usage: run.sh BUILD_DIR SOURCE_DIR (meson passes both).
set -euo pipefail
build=$1
src=$2
stage=$(mktemp -d "${TMPDIR:-/tmp}/vtc-install.XXXXXX")
trap 'rm -rf "$stage"' EXIT
fail() { echo "install test: $*" >&2; exit 1; }

meson install -C "$build" --no-rebuild --destdir "$stage" >"$stage/install.log" 2>&1 ||
  { cat "$stage/install.log" >&2; fail "meson install failed"; }
option() {
  meson introspect "$build" --buildoptions |
    python3 -c 'import json, sys; print(next(o["value"] for o in json.load(sys.stdin) if o["name"] == sys.argv[1]))' "$1"
}
prefix=$(option prefix)
libdir=$(option libdir)
[[ $libdir == /* ]] || libdir=$prefix/$libdir

# The library and its headers, found through the installed pc file only.
pc=$stage$libdir/pkgconfig/vtcompress.pc
[[ -f $pc ]] || fail "no $pc"
[[ -f $stage$prefix/include/vtcompress/vtcompress.h ]] || fail "headers not under include/vtcompress"
soname=$(readelf -d "$stage$libdir/libvtcompress.so" | sed -n 's/.*(SONAME).*\[\(.*\)\]/\1/p')
[[ $soname == libvtcompress.so.0 ]] || fail "soname '$soname', expected libvtcompress.so.0"
exports=$(nm -DC --defined-only "$stage$libdir/libvtcompress.so")
grep -q 'vtc::CompressionSession::Create' <<<"$exports" || fail "CompressionSession not exported"
! grep -q 'vtc::SpeedGovernor' <<<"$exports" || fail "internal classes exported"

export PKG_CONFIG_PATH=$stage$libdir/pkgconfig PKG_CONFIG_SYSROOT_DIR=$stage
# shellcheck disable=SC2046
g++ -std=c++17 -Wall -Wextra -Werror -o "$stage/vtc-encode" "$src/examples/vtc-encode.cpp" \
  $(pkg-config --cflags --libs vtcompress) || fail "the example does not build against vtcompress.pc"
readelf -d "$stage/vtc-encode" | grep -q 'NEEDED.*libvtcompress.so.0' ||
  fail "the example does not link libvtcompress.so.0"

# Ten frames of 64x48 I420 (a moving gradient) through it; the output is an H.264 stream.
python3 - "$stage/in.yuv" <<'PY'
import sys
w, h = 64, 48
with open(sys.argv[1], 'wb') as f:
    for n in range(10):
        f.write(bytes((x + y + 3 * n) & 255 for y in range(h) for x in range(w)))
        f.write(bytes([128]) * (w * h // 2))
PY
LD_LIBRARY_PATH=$stage$libdir "$stage/vtc-encode" --size 64x48 -o "$stage/out.h264" \
  "$stage/in.yuv" >"$stage/encode.log" 2>&1 || { cat "$stage/encode.log" >&2; fail "vtc-encode failed"; }
if command -v ffprobe >/dev/null; then
  frames=$(ffprobe -v error -count_frames -select_streams v:0 -show_entries stream=nb_read_frames \
    -of csv=p=0 "$stage/out.h264")
  [[ $frames == 10 ]] || fail "ffprobe read $frames frames of 10"
fi

# The plugin where the build put it, loaded by GStreamer from there and nowhere else.
plugin=$(find "$stage" -name libgstvtcompress.so | head -n 1)
[[ -n $plugin ]] || fail "no installed plugin"
if nm -DC --defined-only "$plugin" | grep -q 'vtc::'; then fail "the plugin exports session code"; fi
for e in vth264enc vth265enc; do
  GST_PLUGIN_SYSTEM_PATH_1_0= GST_PLUGIN_PATH_1_0=$(dirname "$plugin") \
    GST_REGISTRY_1_0=$stage/registry.bin gst-inspect-1.0 "$e" >"$stage/inspect.log" 2>&1 ||
    { cat "$stage/inspect.log" >&2; fail "gst-inspect-1.0 $e failed on the installed plugin"; }
  grep -q "$(dirname "$plugin")" "$stage/inspect.log" || fail "$e not loaded from the installed plugin"
done
for p in GstVtH264Enc.prs GstVtH265Enc.prs; do
  [[ -f $stage$prefix/share/gstreamer-1.0/presets/$p ]] || fail "preset file $p not installed"
done

# The C API: its exports (raw names: demangling could make a C++ symbol match), then the C
# programs built from the pc file alone and run.
c_exports=$(nm -D --defined-only "$stage$libdir/libvtcompress.so")
for sym in CFRetain CFRelease CFStringCreateWithCString CFDictionaryCreateMutable kCFBooleanTrue \
  kCFTypeDictionaryKeyCallBacks kCFAllocatorNull CMTimeAdd kCMTimeInvalid CVPixelBufferCreate \
  CVPixelBufferPoolCreatePixelBuffer kCVPixelBufferPixelFormatTypeKey VTCompressionSessionCreate \
  VTSessionSetProperty kVTCompressionPropertyKey_AverageBitRate kVTProfileLevel_H264_Main_AutoLevel \
  CMSampleBufferGetDataBuffer CMVideoFormatDescriptionGetH264ParameterSetAtIndex \
  CMBlockBufferCopyDataBytes vtcompress_capi_live_object_count; do
  grep -qw "$sym" <<<"$c_exports" || fail "$sym not exported"
done
! grep -q 'vtc::cf::' <<<"$exports" || fail "the CF runtime's internals are exported"
capi_c() {  # NAME SOURCE [LIBS...]: build tests/capi/SOURCE against vtcompress.pc into $stage/NAME
  local name=$1 source=$2
  shift 2
  # shellcheck disable=SC2046
  ${CC:-cc} -std=c11 -Wall -Wextra -Wpedantic -Werror -o "$stage/$name" "$src/tests/capi/$source" \
    $(pkg-config --cflags --libs vtcompress) "$@" || fail "$source does not build against vtcompress.pc"
}
capi_c cf_c test_cf_c.c
LD_LIBRARY_PATH=$stage$libdir "$stage/cf_c" 2>"$stage/run.log" ||
  { cat "$stage/run.log" >&2; fail "cf_c failed"; }
capi_c cm_time_c test_cm_time_c.c -lm
LD_LIBRARY_PATH=$stage$libdir "$stage/cm_time_c" 2>"$stage/run.log" ||
  { cat "$stage/run.log" >&2; fail "cm_time_c failed"; }
capi_c vt_encoder test_vt_encoder.c
rc=0
LD_LIBRARY_PATH=$stage$libdir "$stage/vt_encoder" 2>"$stage/run.log" || rc=$?
# 77: no ffmpeg here; the build against the installed headers is what this test adds.
[[ $rc == 0 || $rc == 77 ]] || { cat "$stage/run.log" >&2; fail "vt_encoder failed"; }
echo "install test: library, pc file, example, plugin, presets and C API OK ($stage)"
