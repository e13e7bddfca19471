#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# The Debian packaging (debian/), used the way a packager uses it: a clean copy of the source
# tree, `dpkg-buildpackage -b -us -uc`, then
#   - each .deb holds what it must: the plugin in GStreamer's plugin directory and the presets
#     (gstreamer1.0-vtcompress), libvtcompress.so.0 (libvtcompress0), the headers, vtcompress.pc
#     and the libvtcompress.so link (libvtcompress-dev), and the control fields that tie them;
#   - lintian, when installed, reports no error (warnings are printed, not failed);
#   - the packages unpacked into a temporary root (dpkg -x) give a plugin GStreamer loads, with
#     both elements, and a library a program links through the packaged pc file.
# Usage: run.sh SOURCE_DIR (VTC_PACKAGE_KEEP=1 keeps the work directory). Exit 77 (skipped) without dpkg-buildpackage or debhelper.
set -euo pipefail
src=$1
fail() { echo "package test: $*" >&2; exit 1; }
if ! command -v dpkg-buildpackage >/dev/null || ! command -v dh >/dev/null; then
  echo "package test: dpkg-buildpackage or debhelper missing (apt install dpkg-dev debhelper)" >&2
  exit 77
fi
work=$(mktemp -d "${TMPDIR:-/tmp}/vtc-package.XXXXXX")
# VTC_PACKAGE_KEEP=1 keeps the tree, the build log and the .debs for a look afterwards.
if [[ ${VTC_PACKAGE_KEEP:-0} == 1 ]]; then
  trap 'echo "package test: kept $work"' EXIT
else
  trap 'rm -rf "$work"' EXIT
fi

# The source as it stands in the checkout (tracked and new files, not build directories or
# anything .gitignore names, nor an in-tree dpkg-buildpackage's obj-* directory), else the
# directory minus build output.
tree=$work/gst-vtcompress
mkdir "$tree"
if git -C "$src" rev-parse --is-inside-work-tree >/dev/null 2>&1; then
  (cd "$src" && git ls-files -z --cached --others --exclude-standard |
    while IFS= read -r -d '' f; do
      if [[ -e $f && $f != obj-* ]]; then printf '%s\0' "$f"; fi
    done |
    tar -c --null -T - -f -) | tar -x -C "$tree"
else
  tar -c -C "$src" --exclude='./build*' --exclude='./obj-*' --exclude=./.git \
    --exclude=./debian/.debhelper --exclude=./debian/files -f - . | tar -x -C "$tree"
fi
[[ -x $tree/debian/rules ]] || fail "no executable debian/rules in the copied tree"

# The Debian version is the project's: no drift between debian/changelog and meson.build.
project_version=$(sed -n "s/^ *version *: *'\([^']*\)'.*/\1/p" "$src/meson.build" | head -n 1)
deb_version=$(cd "$tree" && dpkg-parsechangelog -S Version)
[[ $deb_version == "$project_version" ]] ||
  fail "debian/changelog has $deb_version, meson.build $project_version"

echo "package test: dpkg-buildpackage -b -us -uc in $tree"
(cd "$tree" && DEB_BUILD_OPTIONS="nocheck parallel=2" dpkg-buildpackage -b -us -uc) \
  >"$work/build.log" 2>&1 || { tail -n 80 "$work/build.log" >&2; fail "dpkg-buildpackage failed"; }

arch=$(dpkg-architecture -qDEB_HOST_ARCH)
multiarch=$(dpkg-architecture -qDEB_HOST_MULTIARCH)
deb() {
  local f=$work/${1}_${deb_version}_$arch.deb
  [[ -f $f ]] || fail "no $(basename "$f") (built: $(cd "$work" && echo *.deb))"
  echo "$f"
}
plugin_deb=$(deb gstreamer1.0-vtcompress)
lib_deb=$(deb libvtcompress0)
dev_deb=$(deb libvtcompress-dev)

# Contents: every path a package must hold (dpkg-deb -c lists ./path; links as "path -> target").
has() {
  local pkg=$1 path=$2
  dpkg-deb -c "$pkg" | awk '{print $6}' | grep -qx "\./$path" ||
    fail "$(basename "$pkg") lacks /$path"
}
has "$plugin_deb" "usr/lib/$multiarch/gstreamer-1.0/libgstvtcompress.so"
has "$plugin_deb" usr/share/gstreamer-1.0/presets/GstVtH264Enc.prs
has "$plugin_deb" usr/share/gstreamer-1.0/presets/GstVtH265Enc.prs
has "$lib_deb" "usr/lib/$multiarch/libvtcompress.so.0"
has "$dev_deb" usr/include/vtcompress/vtcompress.h
has "$dev_deb" usr/include/vtcompress/compression_session.h
has "$dev_deb" "usr/lib/$multiarch/pkgconfig/vtcompress.pc"
has "$dev_deb" "usr/lib/$multiarch/libvtcompress.so"
dpkg-deb -c "$dev_deb" | grep -q "libvtcompress.so -> libvtcompress.so.0" ||
  fail "libvtcompress.so in the -dev package is not a link to libvtcompress.so.0"
# Nothing in two packages, nothing misplaced: the library and the plugin once each.
if dpkg-deb -c "$plugin_deb" | grep -q 'libvtcompress\.so\|include/'; then
  fail "the plugin package carries the library or headers"
fi
if dpkg-deb -c "$lib_deb" | grep -q 'include/\|pkgconfig\|gstreamer'; then
  fail "libvtcompress0 carries development files or the plugin"
fi

# Control fields: the runtime dependencies dh_shlibdeps found, the -dev package pinned to its
# library, the library's shlibs entry.
field() { dpkg-deb -f "$1" "$2"; }
depends=$(field "$plugin_deb" Depends)
for d in libgstreamer1.0-0 libgstreamer-plugins-base1.0-0 libx264 libx265; do
  grep -q "$d" <<<"$depends" || fail "gstreamer1.0-vtcompress does not depend on $d ($depends)"
done
grep -q "libvtcompress0 (= $deb_version)" <<<"$(field "$dev_deb" Depends)" ||
  fail "libvtcompress-dev does not depend on libvtcompress0 (= $deb_version)"
grep -q "vth264enc" <<<"$(field "$plugin_deb" GStreamer-Elements)" ||
  fail "no GStreamer-Elements field naming vth264enc in gstreamer1.0-vtcompress"
dpkg-deb --ctrl-tarfile "$lib_deb" | tar -xO ./shlibs 2>/dev/null |
  grep -q "^libvtcompress 0 libvtcompress0 (>= $project_version)" ||
  fail "libvtcompress0 has no shlibs entry for libvtcompress.so.0"

# lintian: errors fail the test; warnings and notes are shown.
if command -v lintian >/dev/null; then
  lintian --display-info --tag-display-limit 0 "$plugin_deb" "$lib_deb" "$dev_deb" >"$work/lintian.log" 2>&1 || true
  if [[ -s $work/lintian.log ]]; then
    echo "package test: lintian says:"
    sed 's/^/  /' "$work/lintian.log"
  fi
  ! grep -q '^E: ' "$work/lintian.log" || fail "lintian reports errors"
else
  echo "package test: lintian not installed; not run"
fi

# Unpacked into a root of its own: GStreamer loads the packaged plugin (and only it), with both
# elements; a program builds against the packaged pc file and runs on the packaged library.
root=$work/root
for f in "$plugin_deb" "$lib_deb" "$dev_deb"; do dpkg -x "$f" "$root"; done
plugindir=$root/usr/lib/$multiarch/gstreamer-1.0
for e in vth264enc vth265enc; do
  GST_PLUGIN_SYSTEM_PATH_1_0='' GST_PLUGIN_PATH_1_0=$plugindir GST_REGISTRY_1_0=$work/registry.bin \
    gst-inspect-1.0 "$e" >"$work/inspect.log" 2>&1 ||
    { cat "$work/inspect.log" >&2; fail "gst-inspect-1.0 $e failed on the packaged plugin"; }
  grep -q "$plugindir/libgstvtcompress.so" "$work/inspect.log" ||
    fail "$e not loaded from the packaged plugin"
done
cat >"$work/prog.cpp" <<'CPP'
// An H.264 session created and prepared (x264 opened) through the packaged library alone.
#include <vtcompress/vtcompress.h>
#include <cstdio>
#include <memory>
int main() {
  std::shared_ptr<vtc::CompressionSession> s;
  vtc::Status st =
      vtc::CompressionSession::Create(64, 48, vtc::kCodecType_H264, nullptr, nullptr, nullptr, nullptr, &s);
  if (vtc::Ok(st)) st = s->PrepareToEncodeFrames();
  std::printf("%s\n", vtc::StatusName(st));
  return vtc::Ok(st) ? 0 : 1;
}
CPP
# shellcheck disable=SC2046
g++ -std=c++17 -Wall -Wextra -Werror -o "$work/prog" "$work/prog.cpp" \
  $(PKG_CONFIG_PATH=$root/usr/lib/$multiarch/pkgconfig PKG_CONFIG_SYSROOT_DIR=$root \
    pkg-config --cflags --libs vtcompress) ||
  fail "a program does not build against the packaged vtcompress.pc"
LD_LIBRARY_PATH=$root/usr/lib/$multiarch "$work/prog" ||
  fail "a program linked against the packaged libvtcompress.so.0 could not create a session"
echo "package test: gstreamer1.0-vtcompress, libvtcompress0, libvtcompress-dev built and checked"
