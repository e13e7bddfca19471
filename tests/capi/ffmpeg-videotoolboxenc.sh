#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# The C API's proof on code nobody here wrote: FFmpeg 5.1's libavcodec/videotoolboxenc.c (the
# h264_videotoolbox and hevc_videotoolbox encoders, unchanged) built against vtcompress's
# VideoToolbox headers and encoding through them. Run by hand, not in CI: it needs FFmpeg's
# source (Debian 12's own, from the Debian archive, or a tree you give it) and ~10 minutes.
#
#   tests/capi/ffmpeg-videotoolboxenc.sh [BUILD_DIR [FFMPEG_SOURCE_DIR]]
#
# BUILD_DIR is this project's configured Meson build (default: build); it is installed into a
# staging directory. Without FFMPEG_SOURCE_DIR the script downloads Debian's ffmpeg source
# package with apt-get (deb-src lines are added to a private apt state, the system's is left
# alone). Nothing it fetches or builds lands in the tree: all of it is under $WORK
# (default /tmp/vtc-ffmpeg). docs/capi.md says what the build needed and what this checks.
set -euo pipefail

SRC_ROOT=$(cd "$(dirname "$0")/../.." && pwd)
BUILD=$(cd "${1:-$SRC_ROOT/build}" && pwd)
FFSRC=${2:-}
WORK=${WORK:-/tmp/vtc-ffmpeg}
mkdir -p "$WORK"

say() { printf '== %s\n' "$*"; }

# 1. vtcompress installed into a staging root, found through pkg-config as an installed copy.
say "installing $BUILD into $WORK/stage"
rm -rf "$WORK/stage"
DESTDIR="$WORK/stage" meson install -C "$BUILD" --no-rebuild >"$WORK/install.log"
PC=$(find "$WORK/stage" -name vtcompress.pc | head -1)
[ -n "$PC" ] || { echo "no vtcompress.pc in the staged install ($WORK/install.log)"; exit 1; }
PKG_CONFIG_PATH=$(dirname "$PC")
export PKG_CONFIG_PATH PKG_CONFIG_SYSROOT_DIR="$WORK/stage"
LIBDIR=$(pkg-config --variable=libdir vtcompress)  # pkgconf may put the sysroot in front
export VTC_RPATH="$WORK/stage${LIBDIR#"$WORK/stage"}"

# 2. FFmpeg's source: Debian 12's 5.1 from the archive unless given.
if [ -z "$FFSRC" ]; then
  FFSRC=$(find "$WORK/src" -maxdepth 1 -type d -name 'ffmpeg-5.1*' 2>/dev/null | head -1 || true)
fi
if [ -z "$FFSRC" ]; then
  say "downloading Debian's ffmpeg source package"
  mkdir -p "$WORK/apt/lists/partial" "$WORK/apt/cache/archives/partial" "$WORK/src"
  cat >"$WORK/apt/sources.list" <<'EOF'
deb-src http://deb.debian.org/debian bookworm main
deb-src http://deb.debian.org/debian-security bookworm-security main
EOF
  APT=(-o Dir::Etc::SourceList="$WORK/apt/sources.list" -o Dir::Etc::SourceParts=-
       -o Dir::State::Lists="$WORK/apt/lists" -o Dir::Cache="$WORK/apt/cache")
  apt-get "${APT[@]}" update -qq
  (cd "$WORK/src" && apt-get "${APT[@]}" source --download-only -qq ffmpeg)
  tar -C "$WORK/src" -xf "$WORK"/src/ffmpeg_5.1*.orig.tar.xz
  FFSRC=$(find "$WORK/src" -maxdepth 1 -type d -name 'ffmpeg-5.1*' | head -1)
fi
FFSRC=$(cd "$FFSRC" && pwd)
say "FFmpeg source: $FFSRC"

# 3. The compiler: clang (videotoolboxenc.c and hwcontext_videotoolbox.c use
#    __builtin_available, which clang folds to true off Apple platforms), with Apple's
#    "-framework X" link options replaced by vtcompress's pkg-config flags. configure's checks for
#    the frameworks (headers compiled as Objective-C, linked with -framework) then pass unchanged.
mkdir -p "$WORK/bin"
cat >"$WORK/bin/vtcc" <<'EOF'
#!/bin/bash
args=(); link=1; skip=0
for a in "$@"; do
  if ((skip)); then skip=0; continue; fi
  case "$a" in
    -framework) skip=1; continue ;;
    -c|-E|-S|-M|-MM) link=0 ;;
  esac
  args+=("$a")
done
if ((link)); then
  exec clang $(pkg-config --cflags vtcompress) "${args[@]}" $(pkg-config --libs vtcompress) \
    -Wl,-rpath,"$VTC_RPATH"
fi
exec clang $(pkg-config --cflags vtcompress) "${args[@]}"
EOF
chmod +x "$WORK/bin/vtcc"

# 4. Configure and build the ffmpeg program with only what the check needs.
cd "$FFSRC"
# The one change: libavcodec/videotoolbox.c is the VideoToolbox *decoder* glue (hwaccel), built
# whenever CONFIG_VIDEOTOOLBOX is; it needs VTDecompressionSession, which vtcompress does not have.
# No enabled component uses it (no hwaccel is enabled), so it is left out of the build.
sed -i '/^OBJS-$(CONFIG_VIDEOTOOLBOX) *+= videotoolbox.o/d' libavcodec/Makefile
if [ ! -f "$FFSRC/.vtc-configured" ]; then  # once per source tree
  say "configuring FFmpeg (log: $WORK/configure.log)"
  ./configure --cc="$WORK/bin/vtcc" --objcc="$WORK/bin/vtcc" --ld="$WORK/bin/vtcc" \
    --disable-everything --disable-doc --disable-x86asm --disable-autodetect --enable-pthreads \
    --enable-videotoolbox --enable-encoder=h264_videotoolbox,hevc_videotoolbox \
    --enable-decoder=rawvideo --enable-demuxer=rawvideo --enable-muxer=h264,hevc,mp4 \
    --enable-protocol=file,pipe --enable-parser=h264,hevc \
    --enable-bsf=h264_mp4toannexb,hevc_mp4toannexb --enable-filter=scale,format,null \
    --enable-swscale >"$WORK/configure.log" 2>&1
  grep -A2 "Enabled encoders" "$WORK/configure.log"
  touch "$FFSRC/.vtc-configured"
fi
say "building ffmpeg (log: $WORK/make.log)"
rm -f ffmpeg ffmpeg_g  # relinked every time: the run path names this run's staged library
make -j"$(nproc)" ffmpeg >"$WORK/make.log" 2>&1 || { tail -30 "$WORK/make.log"; exit 1; }
FF="$FFSRC/ffmpeg"
if ! ldd "$FF" | grep "libvtcompress.* => $WORK/stage" >/dev/null; then
  echo "ffmpeg does not load the staged libvtcompress:"; ldd "$FF" | grep vtcompress; exit 1
fi

# 5. Encode through the headers and check what comes out with Debian's own ffmpeg/ffprobe.
cd "$WORK"
W=640 H=360 N=90
ffmpeg -v error -y -f lavfi -i testsrc2=size=${W}x${H}:rate=30 -frames:v $N -pix_fmt yuv420p in.yuv
IN=(-f rawvideo -pix_fmt yuv420p -s ${W}x${H} -r 30 -i in.yuv)
pass=0 fail=0
check() {  # name expect(ok|fail) output probe-expectation ffmpeg-args...; never exits the script
  local name=$1 expect=$2 out=$3 want=$4; shift 4
  local rc=0 got psnr
  rm -f "$out" "$out.yuv"
  "$FF" -hide_banner -loglevel warning -y "${IN[@]}" "$@" "$out" >"log-$name.txt" 2>&1 || rc=$?
  if [ "$expect" = fail ]; then
    if [ $rc -ne 0 ] && grep -q -- "$want" "log-$name.txt"; then
      echo "ok   $name: refused as expected ($want)"; pass=$((pass + 1))
    else
      echo "FAIL $name: expected a refusal with '$want' (rc $rc)"; fail=$((fail + 1))
    fi
    return
  fi
  # ffprobe prints the fields in its own order: codec, profile, has_b_frames, pix_fmt, frames.
  got=$(ffprobe -v error -count_frames -show_entries \
        stream=codec_name,profile,pix_fmt,has_b_frames,nb_read_frames -of csv=p=0 "$out" 2>&1 || true)
  local decoded=(-i "$out")
  case "$out" in  # a raw stream has no time stamps: compare its pictures in order, as raw video
    *.h264 | *.hevc)
      ffmpeg -v error -y -i "$out" -f rawvideo -pix_fmt yuv420p "$out.yuv" || true
      decoded=(-f rawvideo -pix_fmt yuv420p -s ${W}x${H} -r 30 -i "$out.yuv")
      ;;
  esac
  psnr=$(ffmpeg -hide_banner "${IN[@]}" "${decoded[@]}" \
         -lavfi '[1:v]format=yuv420p[d];[d][0:v]psnr' -f null - 2>&1 |
         sed -n 's/.*average:\([0-9.]*\).*/\1/p' || true)
  if [ $rc -eq 0 ] && [ "$got" = "$want" ] && awk "BEGIN{exit !(${psnr:-0} > 40)}"; then
    echo "ok   $name: $got, PSNR ${psnr} dB"; pass=$((pass + 1))
  else
    echo "FAIL $name: rc $rc, got '$got' want '$want', PSNR ${psnr:-none}"; fail=$((fail + 1))
    sed 's/^/     /' "log-$name.txt" | head -5
  fi
}
say "encoding with h264_videotoolbox / hevc_videotoolbox"
# ffmpeg asks for a hardware encoder unless -allow_sw 1, as on a Mac without one: -12908.
check hw-only fail out-hw.mp4 "cannot create compression session: -12908" -c:v h264_videotoolbox
check h264 ok out.mp4 "h264,High,0,yuv420p,$N" -c:v h264_videotoolbox -allow_sw 1 -b:v 1M
check h264-annexb ok out.h264 "h264,High,0,yuv420p,$N" -c:v h264_videotoolbox -allow_sw 1 -b:v 1M
check h264-bframes ok out-bf.mp4 "h264,High,2,yuv420p,$N" \
  -c:v h264_videotoolbox -allow_sw 1 -b:v 1M -bf 2
check h264-nv12 ok out-nv12.mp4 "h264,High,0,yuv420p,$N" \
  -pix_fmt nv12 -c:v h264_videotoolbox -allow_sw 1 -b:v 1M
check h264-baseline-cavlc ok out-base.mp4 "h264,Constrained Baseline,0,yuv420p,$N" \
  -c:v h264_videotoolbox -allow_sw 1 -profile:v baseline -coder cavlc -b:v 1M
check h264-realtime ok out-rt.mp4 "h264,High,0,yuv420p,$N" \
  -c:v h264_videotoolbox -allow_sw 1 -realtime 1 -b:v 1M
check h264-bt709 ok out-col.mp4 "h264,High,0,yuv420p,$N" -c:v h264_videotoolbox -allow_sw 1 \
  -color_primaries bt709 -color_trc bt709 -colorspace bt709 -b:v 1M
check h264-a53cc ok out-a53.mp4 "h264,High,0,yuv420p,$N" \
  -c:v h264_videotoolbox -allow_sw 1 -a53cc 1 -b:v 1M
check h264-keys ok out-keys.mp4 "h264,High,0,yuv420p,$N" -c:v h264_videotoolbox -allow_sw 1 \
  -g 1000 -force_key_frames 0,1,2 -b:v 1M
check hevc ok out-hevc.mp4 "hevc,Main,0,yuv420p,$N" -c:v hevc_videotoolbox -allow_sw 1 -b:v 1M
check hevc-bframes ok out-hevc-bf.mp4 "hevc,Main,2,yuv420p,$N" \
  -c:v hevc_videotoolbox -allow_sw 1 -b:v 1M -bf 2
check hevc-main10 ok out-p010.mp4 "hevc,Main 10,0,yuv420p10le,$N" \
  -pix_fmt p010le -c:v hevc_videotoolbox -allow_sw 1 -profile:v main10 -b:v 1M

# Key frames where they were forced (ForceKeyFrame per frame), and nowhere else with -g 1000.
# One key_frame= line a frame (side data would add lines to a csv listing, not to this one).
keys=$(ffprobe -v error -show_entries frame=key_frame -of default=noprint_wrappers=1 \
       out-keys.mp4 2>/dev/null | grep '^key_frame=' | grep -n '=1$' | cut -d: -f1 |
       tr '\n' ' ' || true)
if [ "$keys" = "1 31 61 " ]; then
  echo "ok   forced key frames at frames 0, 30, 60"; pass=$((pass + 1))
else
  echo "FAIL forced key frames: at (1-based) $keys, want 1 31 61"; fail=$((fail + 1))
fi
# The colour properties reach the VUI.
col=$(ffprobe -v error -show_entries stream=color_primaries,color_transfer,color_space \
      -of csv=p=0 out-col.mp4 2>/dev/null || true)
if [ "$col" = "bt709,bt709,bt709" ]; then
  echo "ok   colour description bt709 in the stream"; pass=$((pass + 1))
else
  echo "FAIL colour description: '$col'"; fail=$((fail + 1))
fi
# The bit rate of the 1 Mbit/s runs, for the record (90 frames, ffmpeg's default -g 12).
echo "     bit rate of out.mp4: $(ffprobe -v error -show_entries stream=bit_rate -of csv=p=0 \
  out.mp4 2>/dev/null || true) bit/s"

echo "$pass passed, $fail failed"
[ $fail -eq 0 ]
