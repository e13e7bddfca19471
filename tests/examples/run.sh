#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# The GStreamer examples run on generated input, their outputs checked with ffprobe/ffmpeg.
# Usage: run.sh CASE VTC_CALL VTC_TRANSCODE WORKDIR (tests/examples/meson.build passes them).
# Exit 0 pass, 1 fail (the message says which check), 77 skip (no ffprobe/ffmpeg).
set -euo pipefail
case_name=$1
call=$2
transcode=$3
work=$4
rm -rf "$work"
mkdir -p "$work"
cd "$work"

fail() { echo "FAIL ($case_name): $*" >&2; exit 1; }
for tool in ffprobe ffmpeg gst-launch-1.0; do
  command -v "$tool" >/dev/null || { echo "SKIP: no $tool"; exit 77; }
done

# Frames, codec, and one line per packet "INDEX SIZE KEY(0/1)" of a file's video stream.
codec_of() {
  ffprobe -v error -select_streams "$2" -show_entries stream=codec_name -of csv=p=0 "$1" | head -n 1
}
video_frames() {
  ffprobe -v error -count_frames -select_streams v:0 -show_entries stream=nb_read_frames \
    -of csv=p=0 "$1"
}
packets() {
  ffprobe -v error -select_streams v:0 -show_entries packet=size,flags -of csv=p=0 "$1" |
    awk -F, '{ print NR - 1, $1, ($2 ~ /K/) ? 1 : 0 }'
}
# The value after "LABEL:" on the line that starts with it, e.g. field "frames:" log.
field() { sed -n "s/^$1 *//p" "$2" | head -n 1; }

# Input files: a moving zone plate (hard to code) at 320x240, 60 frames, with audio.
make_input() {  # FILE AUDIO_ENCODER
  gst-launch-1.0 -q -e videotestsrc num-buffers=60 pattern=zone-plate kx2=20 ky2=20 kt=1 ! \
    video/x-raw,width=320,height=240,framerate=30/1 ! vp8enc deadline=1 ! queue ! \
    matroskamux name=m ! filesink location="$1" \
    audiotestsrc num-buffers=100 ! audio/x-raw,rate=48000,channels=2 ! audioconvert ! "$2" ! \
    queue ! m. || fail "gst-launch could not make $1"
}

# vtc-call: frames in = out + dropped, ffprobe agrees with what the program saw; each key
# frame request gets a key frame before the next request; each bitrate step moves the measured
# rate the way the target moved.
check_call() {  # CODEC FFPROBE_CODEC
  local n=120 step=30 every=40
  "$call" --codec "$1" --frames $n --width 320 --height 240 --step $step --key-every $every \
    --bitrates 800,200,1600,200 -o out.bin >call.log 2>&1 || { cat call.log; fail "vtc-call failed"; }
  cat call.log
  grep -q "input buffers from GstVtcBufferPool" call.log || fail "frames not from the encoder's pool"
  [[ $(codec_of out.bin v:0) == "$2" ]] || fail "codec $(codec_of out.bin v:0), expected $2"
  local frames_line out dropped got
  frames_line=$(field frames: call.log)
  out=$(sed -n 's/.* in, \([0-9]*\) out.*/\1/p' <<<"$frames_line")
  dropped=$(sed -n 's/.* out, \([0-9]*\) dropped.*/\1/p' <<<"$frames_line")
  [[ $frames_line == "$n in,"* ]] || fail "frames line '$frames_line'"
  ((out + dropped == n)) || fail "$out out + $dropped dropped != $n in"
  got=$(video_frames out.bin)
  [[ $got == "$out" ]] || fail "ffprobe reads $got frames, the program saw $out"

  packets out.bin >packets.txt
  local seen keys requested
  seen=$(sed -n 's/^key frames seen: [0-9]* (at \(.*\))/\1/p' call.log)
  keys=$(awk '$3 == 1 { printf "%s%s", sep, $1; sep = " " }' packets.txt)
  ((dropped > 0)) || [[ $keys == "$seen" ]] || fail "key frames in the file ($keys) != seen ($seen)"
  requested=$(sed -n 's/^key frames requested: [0-9]* (at \(.*\))/\1/p' call.log)
  [[ $requested == "40 80" ]] || fail "requests at '$requested', expected 40 80"
  local r
  for r in $requested; do
    awk -v lo="$r" -v hi=$((r + every)) '$3 == 1 && $1 >= lo && $1 < hi { ok = 1 } END { exit !ok }' \
      packets.txt || fail "no key frame answers the request at frame $r"
  done
  if [[ $1 == h264 ]]; then  # H.264 restarts nothing on a bitrate change: only the asked ones
    [[ $keys == "0 40 80" ]] || fail "H.264 key frames at $keys, expected 0 40 80"
  fi

  # kbit/s per step from the packet sizes (30 frames = 1 s).
  local rates
  rates=$(awk -v s=$step '{ b[int($1 / s)] += $2 } END { for (i = 0; i < 4; i++) printf "%d ", b[i] * 8 / 1000 }' packets.txt)
  echo "measured kbit/s per step (targets 800 200 1600 200): $rates"
  read -r s0 s1 s2 s3 <<<"$rates"
  # Each target moves 4x or more; the measured rate must move by half that at least (rate
  # control lags, steps 1 and 2 carry the requested key frames). Unchanged, they stay within 30%.
  ((2 * s0 > 3 * s1 && 2 * s2 > 3 * s1 && 2 * s2 > 3 * s3)) ||
    fail "steps $rates do not follow the targets 800 200 1600 200 (by 1.5x at least)"
}

case $case_name in
  call_h264) check_call h264 h264 ;;
  call_h265) check_call h265 hevc ;;

  transcode_opus_passthrough | transcode_vorbis_to_aac | transcode_h265)
    enc=opusenc want_audio=opus note="passed through (audio/x-opus, not decoded)" codec=h264 want=h264
    if [[ $case_name != transcode_opus_passthrough ]]; then
      enc=vorbisenc want_audio=aac note="re-encoded to AAC with avenc_aac"
    fi
    [[ $case_name == transcode_h265 ]] && codec=h265 want=hevc
    make_input in.mkv $enc
    "$transcode" --codec $codec in.mkv out.mp4 bitrate=400 allow-frame-reordering=false \
      >out.log 2>err.log || { cat out.log err.log; fail "vtc-transcode failed"; }
    cat out.log err.log
    [[ $(codec_of out.mp4 v:0) == "$want" ]] || fail "video codec $(codec_of out.mp4 v:0)"
    [[ $(video_frames out.mp4) == 60 ]] || fail "$(video_frames out.mp4) frames of 60"
    [[ $(codec_of out.mp4 a:0) == "$want_audio" ]] || fail "audio codec $(codec_of out.mp4 a:0)"
    [[ $(field audio: out.log) == "$note" ]] || fail "audio line '$(field audio: out.log)'"
    [[ $(field video: out.log) == "60 frames, 2.00 s,"* ]] || fail "summary '$(field video: out.log)'"
    grep -q "^progress: 100.0%  60 frames" err.log || fail "no final progress line"
    # No B-frames asked for: every packet in presentation order, no B slices.
    ! ffprobe -v error -select_streams v:0 -show_entries frame=pict_type -of csv=p=0 out.mp4 |
      grep -q B || fail "B-frames despite allow-frame-reordering=false"
    ;;

  transcode_psnr)
    make_input in.mkv vorbisenc
    "$transcode" -q --psnr in.mkv out.mp4 bitrate=300 >out.log 2>&1 || { cat out.log; fail "vtc-transcode --psnr failed"; }
    cat out.log
    ours=$(sed -n 's/^PSNR: Y \([0-9.]*\) dB.*(60 frames compared)$/\1/p' out.log)
    [[ -n $ours ]] || fail "no PSNR line over 60 frames"
    theirs=$(ffmpeg -hide_banner -nostats -i out.mp4 -i in.mkv -lavfi "[0:v][1:v]psnr" -f null - 2>&1 |
      sed -n 's/.*PSNR y:\([0-9.]*\).*/\1/p' | tail -n 1)
    echo "PSNR Y: vtc-transcode $ours dB, ffmpeg $theirs dB"
    awk -v a="$ours" -v b="$theirs" 'BEGIN { d = a - b; exit !(b > 0 && d < 0.05 && d > -0.05) }' ||
      fail "PSNR $ours dB, ffmpeg measures $theirs dB"
    ;;

  transcode_errors)
    make_input in.mkv opusenc
    gst-launch-1.0 -q -e audiotestsrc num-buffers=50 ! vorbisenc ! oggmux ! filesink location=audio.ogg
    expect() {  # STATUS MESSAGE ARGS...: the exit status and a line of stderr
      local want=$1 msg=$2 rc=0
      shift 2
      "$transcode" -q "$@" >err.log 2>&1 || rc=$?
      cat err.log
      ((rc == want)) || fail "'$*' exited with $rc, expected $want"
      grep -qF -- "$msg" err.log || fail "'$*' did not say '$msg'"
    }
    expect 1 "missing.mkv: no such file" missing.mkv out.mp4
    expect 2 "vth264enc has no property 'no-such-knob'" in.mkv out.mp4 no-such-knob=1
    expect 2 "bad value 'fast' for bitrate" in.mkv out.mp4 bitrate=fast
    expect 2 "value '7' for quality is out of range (0" in.mkv out.mp4 quality=7
    expect 2 "'bitrate' is not property=value" in.mkv out.mp4 bitrate
    expect 1 "the input has no video stream" audio.ogg out.mp4
    [[ ! -e out.mp4 ]] || fail "a failed run left out.mp4 behind"
    echo "not a video" >junk.txt
    expect 1 "junk.txt: " junk.txt out.mp4
    expect 2 "INPUT and OUTPUT are needed" in.mkv
    ;;

  *) fail "unknown case" ;;
esac
echo "PASS ($case_name)"
