#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Benchmark vth264enc against x264enc and openh264enc on the same input and settings.

Runs each encoder in its own gst-launch-1.0 process, alternating encoders in a rotating order
(A, B, C, B, C, A, C, A, B, ...: whichever runs first after a lighter process pays for fresh memory),
times only the encoding pipeline (filesrc ! rawvideoparse ! ENCODER ! h264parse ! mp4mux !
filesink, from a file in the page cache), then measures the outputs outside the timed part:
bit rate and a sliding-window maximum (ffprobe packets), PSNR and SSIM against the source
(ffmpeg's psnr and ssim filters). Prints a markdown table, writes CSV files, a settings report
with the x264 option strings each encoder ran with, and a rate-distortion plot (PNG).
Picture-format rows (--formats) run vth264enc and x264enc on the input converted once to 10-bit
4:2:0 and 8-bit 4:4:4, check the profile of what came out, and measure in that format.

See tests/bench/README.md; docs/benchmark.md has results and what "equal settings" means.
Not a test: nothing here has a threshold that fails a build.
"""

import argparse
import csv
import hashlib
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.abspath(os.path.join(HERE, '..', '..'))

ENCODERS = ('vth264enc', 'x264enc', 'openh264enc')
X264_PRESETS = ('ultrafast', 'superfast', 'veryfast', 'faster', 'fast', 'medium', 'slow',
                'slower', 'veryslow', 'placebo')
# x264's X264_KEYINT_MAX_INFINITE (1 << 30): the x264 "keyint" vth264enc always opens x264 with
# (the session places keyframes itself). x264enc's key-int-max passes it through unchanged.
X264_KEYINT_INFINITE = 1 << 30
# vth264enc's ABR: x264 ABR with vbv-maxrate = bitrate and vbv-bufsize = 2 s of it
# (session/src/x264_ratecontrol.cpp). x264enc pass=cbr gives maxrate = bitrate and a buffer of
# vbv-buf-capacity ms.
VBV_BUFFER_MS = 2000
BITRATE_TOLERANCE = 0.05  # rows whose achieved bit rate is further off than this are flagged

# Picture formats. 'i420' is the 8-bit 4:2:0 of every input; the others are the picture-format
# rows (--formats): the input converted once to that format, read by rawvideoparse in it, coded
# by vth264enc and x264enc at the preset rows' settings, with downstream caps asking for the
# profile, and checked with ffprobe (profile, pix_fmt). openh264 has neither format.
FORMATS = {
    'i420': {'gst': 'i420', 'caps': 'I420', 'pix_fmt': 'yuv420p', 'depth': 8, 'bytes': 1,
             'sub': (2, 2), 'label': ''},
    'i420_10': {'gst': 'i420-10le', 'caps': 'I420_10LE', 'pix_fmt': 'yuv420p10le', 'depth': 10,
                'bytes': 2, 'sub': (2, 2), 'label': '10-bit 4:2:0'},
    'y444': {'gst': 'y444', 'caps': 'Y444', 'pix_fmt': 'yuv444p', 'depth': 8, 'bytes': 1,
             'sub': (1, 1), 'label': '8-bit 4:4:4'},
}
ROW_FORMATS = ('i420_10', 'y444')

# What differs between the codecs (--codec); everything else is shared. 'vt' is this project's
# element, 'ref' the GStreamer element on the same library that every ratio is taken against;
# 'profiles' maps a picture format to the caps profile asked for downstream and the profile
# ffprobe must read; 'probe' is the LD_PRELOAD source that records the library's own option
# string at every encoder open; 'sei' finds that string in a stream that carries it.
CODECS = {
    'h264': {
        'name': 'H.264', 'lib': 'x264', 'vt': 'vth264enc', 'ref': 'x264enc',
        'encoders': ('vth264enc', 'x264enc', 'openh264enc'),
        'format_encoders': ('vth264enc', 'x264enc'),
        'parser': 'h264parse', 'caps': 'video/x-h264', 'stream_format': 'avc',
        'ffprobe_codec': 'h264',
        'profiles': {'i420_10': ('high-10', 'High 10'),
                     'y444': ('high-4:4:4', 'High 4:4:4 Predictive')},
        'probe': ('x264opts.c', ['-ldl', '-lx264']),
        'sei': rb'x264 - core \d+.*? - options: ([ -~]+)',
    },
    'h265': {
        'name': 'HEVC', 'lib': 'x265', 'vt': 'vth265enc', 'ref': 'x265enc',
        'encoders': ('vth265enc', 'x265enc'),
        'format_encoders': ('vth265enc', 'x265enc'),
        'parser': 'h265parse', 'caps': 'video/x-h265', 'stream_format': 'hvc1',
        'ffprobe_codec': 'hevc',
        # ffmpeg 5.1 names every range-extensions profile (Main 4:4:4 among them) "Rext".
        'profiles': {'i420_10': ('main-10', 'Main 10'), 'y444': ('main-444', 'Rext')},
        'probe': ('x265opts.c', ['-ldl', '-lpthread']),
        # Options that do not change the coded pictures: where the parameter sets and x265's
        # info SEI go (vth265enc keeps them in the hvcC; x265 turns repeat-headers on itself
        # for the zones vth265enc steers the rate with), x265's log level, and the VUI's sample
        # aspect ratio (x265enc writes 1:1 from the caps, vth265enc leaves it unspecified).
        'not_coding': ('annexb', 'no-annexb', 'info', 'no-info', 'repeat-headers',
                       'no-repeat-headers', 'log-level', 'sar', 'sar-width:sar-height'),
        'sei': rb'x265 \(build \d+\).*? - options: ([ -~]+)',
    },
}
C = CODECS['h264']  # the codec of this run: main() sets it from --codec
# x265's keyint vth265enc opens x265 with (INT_MAX: the session places keyframes itself).
X265_KEYINT_INFINITE = 2147483647


def profile_of(fmt):
    """(caps profile, ffprobe profile) of a picture-format row in this codec, or (None, None)."""
    return C['profiles'].get(fmt, (None, None))


def log(msg):
    print(msg, file=sys.stderr, flush=True)


def add_note(notes, text):
    if text not in notes:
        notes.append(text)


def run(cmd, **kw):
    return subprocess.run(cmd, check=True, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                          text=True, **kw)


# --- inputs -------------------------------------------------------------------------------------

SYNTHETIC = {'720p': (1280, 720), '1080p': (1920, 1080)}


def synthetic_graph(w, h, fps, frames):
    """A moving, natural-looking picture that is not trivially compressible, from lavfi only.

    A 2x-size Mandelbrot still under a slow zoom and an elliptical pan (global, sub-MB motion and
    fine fractal detail), blended with an evolving Game of Life texture (local change everywhere),
    a testsrc2 inset moving on its own path (sharp edges, text, independent motion), and temporal
    grain (noise=allf=t: fresh detail every frame, like sensor noise). Deterministic: no random
    seed changes between runs (life and noise use fixed seeds).
    """
    n = frames
    return (
        f"mandelbrot=s={2 * w}x{2 * h}:r=1:start_scale=1.6:start_x=-0.6:start_y=0:maxiter=256:"
        f"outer=normalized_iteration_count:inner=period,trim=end_frame=1,format=yuv420p,"
        f"zoompan=z='1.25+0.75*on/{n}':x='(iw-iw/zoom)*(0.5+0.45*sin(on/61))':"
        f"y='(ih-ih/zoom)*(0.5+0.45*sin(on/47))':d={n}:s={w}x{h}:fps={fps}[m];"
        f"life=s={w // 4}x{h // 4}:r={fps}:ratio=0.25:mold=25:seed=1:death_color=#203040:"
        f"life_color=#f0d090:mold_color=#806040,scale={w}x{h}:flags=bicubic,format=yuv420p[l];"
        f"testsrc2=s={w // 4}x{h // 4}:r={fps}[t];"
        f"[m][l]blend=all_expr='A*0.75+B*0.25':shortest=1[b];"
        f"[b][t]overlay=x='(W-w)*(0.5+0.5*sin(t*0.9))':y='(H-h)*(0.5+0.5*cos(t*0.6))':shortest=1,"
        f"noise=alls=5:allf=t:all_seed=7,format=yuv420p[out]")


class Input:
    def __init__(self, name, path, width, height, fps_n, fps_d, frames, fmt='i420'):
        self.name, self.path = name, path
        self.width, self.height, self.fps_n, self.fps_d = width, height, fps_n, fps_d
        self.frames, self.fmt = frames, fmt

    @property
    def fps(self):
        return self.fps_n / self.fps_d

    @property
    def seconds(self):
        return self.frames / self.fps

    @property
    def pix_fmt(self):
        return FORMATS[self.fmt]['pix_fmt']

    def ffmpeg_args(self):
        return ['-f', 'rawvideo', '-pix_fmt', self.pix_fmt, '-s', f'{self.width}x{self.height}',
                '-r', f'{self.fps_n}/{self.fps_d}', '-i', self.path]

    def rawvideoparse(self):
        """rawvideoparse reading this file. Its default layout pads each row to 4 bytes
        (GstVideoInfo); ffmpeg's raw files are packed, so odd sizes get explicit strides."""
        props = [f'width={self.width}', f'height={self.height}',
                 f'format={FORMATS[self.fmt]["gst"]}', f'framerate={self.fps_n}/{self.fps_d}']
        strides, offsets, size = plane_layout(self.width, self.height, self.fmt)
        if any(s % 4 for s in strides):
            props += [f'plane-strides=<{",".join(map(str, strides))}>',
                      f'plane-offsets=<{",".join(map(str, offsets))}>', f'frame-size={size}']
        return props

    def converted(self, fmt, cache):
        """This input converted once to fmt (cached next to the generated inputs)."""
        if fmt == self.fmt:
            return self
        st = os.stat(self.path)
        tag = hashlib.sha1(f'{os.path.realpath(self.path)}:{st.st_size}:{st.st_mtime_ns}'
                           .encode()).hexdigest()[:10]
        base = os.path.splitext(os.path.basename(self.path))[0]
        path = os.path.join(cache, f'{base}-{tag}-{fmt}.yuv')
        size = self.frames * frame_size(self.width, self.height, fmt)
        if not (os.path.exists(path) and os.path.getsize(path) == size):
            log(f'converting {self.path} to {FORMATS[fmt]["pix_fmt"]} {path} (cached for later '
                'runs)')
            # Only the first self.frames frames: a raw file may end in a partial frame.
            subprocess.run(['ffmpeg', '-hide_banner', '-loglevel', 'error', '-y'] +
                           self.ffmpeg_args() +
                           ['-frames:v', str(self.frames), '-sws_flags', 'bicubic+accurate_rnd',
                            '-f', 'rawvideo', '-pix_fmt', FORMATS[fmt]['pix_fmt'],
                            path + '.part'], check=True)
            os.replace(path + '.part', path)
        return Input(self.name, path, self.width, self.height, self.fps_n, self.fps_d,
                     self.frames, fmt)


def plane_layout(w, h, fmt='i420'):
    """Packed planes of one frame as ffmpeg writes them: (strides, offsets, frame bytes)."""
    f = FORMATS[fmt]
    sx, sy = f['sub']
    cw, ch = (w + sx - 1) // sx, (h + sy - 1) // sy
    strides = [w * f['bytes'], cw * f['bytes'], cw * f['bytes']]
    offsets = [0, strides[0] * h, strides[0] * h + strides[1] * ch]
    return strides, offsets, offsets[2] + strides[2] * ch


def frame_size(w, h, fmt='i420'):
    return plane_layout(w, h, fmt)[2]


def make_synthetic(name, cache, fps, seconds):
    w, h = SYNTHETIC[name]
    frames = int(round(fps * seconds))
    path = os.path.join(cache, f'synthetic-{name}-{fps}fps-{frames}f-v1.yuv')
    if not (os.path.exists(path) and os.path.getsize(path) == frames * frame_size(w, h)):
        log(f'generating {path} ({frames} frames; cached for later runs)')
        tmp = path + '.part'
        subprocess.run(['ffmpeg', '-hide_banner', '-loglevel', 'error', '-y', '-filter_complex',
                        synthetic_graph(w, h, fps, frames), '-map', '[out]', '-frames:v',
                        str(frames), '-f', 'rawvideo', '-pix_fmt', 'yuv420p', tmp], check=True)
        os.replace(tmp, path)
    return Input(name, path, w, h, fps, 1, frames)


def parse_rate(s):
    if '/' in s:
        n, d = s.split('/')
        return int(n), int(d)
    f = float(s)
    if f.is_integer():
        return int(f), 1
    return int(round(f * 1000)), 1000


def make_from_file(spec, cache):
    """FILE.y4m (converted once to raw I420 in the cache), or FILE.yuv:WxH:FPS (raw I420)."""
    if spec.lower().endswith('.y4m'):
        src = os.path.abspath(spec)
        info = json.loads(run(['ffprobe', '-v', 'error', '-select_streams', 'v:0', '-show_entries',
                               'stream=width,height,r_frame_rate,pix_fmt', '-of', 'json',
                               src]).stdout)['streams'][0]
        w, h = info['width'], info['height']
        fps_n, fps_d = parse_rate(info['r_frame_rate'])
        st = os.stat(src)
        tag = hashlib.sha1(f'{src}:{st.st_size}:{st.st_mtime_ns}'.encode()).hexdigest()[:10]
        base = os.path.splitext(os.path.basename(src))[0]
        path = os.path.join(cache, f'{base}-{tag}.yuv')
        if not os.path.exists(path):
            log(f'converting {src} to raw I420 {path}')
            subprocess.run(['ffmpeg', '-hide_banner', '-loglevel', 'error', '-y', '-i', src,
                            '-f', 'rawvideo', '-pix_fmt', 'yuv420p', path + '.part'], check=True)
            os.replace(path + '.part', path)
        name = base
    else:
        m = re.fullmatch(r'(.+):(\d+)x(\d+):([\d./]+)', spec)
        if not m:
            sys.exit(f'bench: input {spec!r}: expected 720p, 1080p, FILE.y4m or FILE.yuv:WxH:FPS')
        path, w, h = os.path.abspath(m.group(1)), int(m.group(2)), int(m.group(3))
        fps_n, fps_d = parse_rate(m.group(4))
        name = os.path.splitext(os.path.basename(path))[0]
    size = os.path.getsize(path)
    frames = size // frame_size(w, h)
    if frames == 0:
        sys.exit(f'bench: {path} holds no whole {w}x{h} I420 frame')
    return Input(name, path, w, h, fps_n, fps_d, frames)


def warm_page_cache(path):
    with open(path, 'rb') as f:
        while f.read(1 << 24):
            pass


# --- encoders -----------------------------------------------------------------------------------

def element_properties(env, element):
    """Property names gst-inspect-1.0 lists for an element, and the plugin file it came from."""
    out = subprocess.run(['gst-inspect-1.0', element], env=env, stdout=subprocess.PIPE,
                         stderr=subprocess.STDOUT, text=True).stdout
    props = set(re.findall(r'^  ([a-z][a-z0-9-]*)\s*:', out, re.M))
    m = re.search(r'^\s*Filename\s+(\S+)', out, re.M)
    return props, (m.group(1) if m else None)


def openh264_complexity(preset):
    i = X264_PRESETS.index(preset)
    if i <= X264_PRESETS.index('superfast'):
        return 'low'
    if i <= X264_PRESETS.index('fast'):
        return 'medium'
    return 'high'


def vth_fallback_preset(preset):
    """Without a speed-preset property, vth264enc reaches three x264 presets only."""
    i = X264_PRESETS.index(preset)
    if i <= X264_PRESETS.index('superfast'):
        return 'superfast', ['prioritize-speed=true']
    if i <= X264_PRESETS.index('faster'):
        return 'veryfast', ['realtime=true']
    return 'medium', []


class Row:
    """One setting, encoded by every encoder in turn."""

    def __init__(self, kind, preset, kbps, drl=None, encoders=ENCODERS, fmt='i420'):
        self.kind, self.preset, self.kbps, self.drl = kind, preset, kbps, drl
        self.encoders, self.fmt = encoders, fmt

    @property
    def label(self):
        s = f'{self.preset} {self.kbps}k'
        if self.drl:
            s += f' drl {self.drl[0]}k/{self.drl[1]:g}s'
        if self.fmt != 'i420':
            s += f' {FORMATS[self.fmt]["label"]}'
        return s

    @property
    def key(self):
        return f'{self.kind}-{self.preset}-{self.kbps}' + (
            f'-drl{self.drl[0]}x{self.drl[1]:g}' if self.drl else '') + (
            f'-{self.fmt}' if self.fmt != 'i420' else '')


def encoder_settings(encoder, row, inp, vth_props, tune=None):
    """(element properties, note, equal-settings flag) for one encoder and row."""
    if encoder == 'x265enc':
        # gstx265enc (1.22) looks its preset and tune names up at value - 1: both are always
        # given. vth265enc's ABR is x265 ABR with vbv-maxrate = bitrate and a 2 s buffer, closed
        # GOP and keyint INT_MAX; x265enc sets none of those itself, so they go in its
        # option-string (which its own properties override: bitrate stays the property).
        return [f'speed-preset={row.preset}', f'tune={tune}', f'bitrate={row.kbps}',
                f'key-int-max={X265_KEYINT_INFINITE}',
                f'option-string="vbv-maxrate={row.kbps}:'
                f'vbv-bufsize={row.kbps * VBV_BUFFER_MS // 1000}:open-gop=0"'], '', True
    if encoder == 'vth265enc':
        return [f'bitrate={row.kbps}', 'rate-control=abr', 'allow-frame-reordering=true',
                f'max-keyframe-interval={max(inp.frames * 10, 100000)}',
                f'speed-preset={row.preset}', f'tune={tune}', 'threads=0'] + \
            ([f'data-rate-limits={row.drl[0]},{row.drl[1]:g}'] if row.drl else []), '', True
    if encoder == 'x264enc':
        # vth264enc caps x264's QP at H.264's 51. x264 counts the QP of deeper samples from
        # -6 per extra bit (QP_BD_OFFSET), so that cap is x264 qpmax 63 at 10 bits.
        qp_max = 51 + 6 * (FORMATS[row.fmt]['depth'] - 8)
        return [f'speed-preset={row.preset}', f'bitrate={row.kbps}', 'pass=cbr',
                f'vbv-buf-capacity={VBV_BUFFER_MS}', f'key-int-max={X264_KEYINT_INFINITE}',
                f'qp-max={qp_max}', 'aud=false'], '', True
    if encoder == 'vth264enc':
        props = [f'bitrate={row.kbps}', 'rate-control=abr', 'allow-frame-reordering=true',
                 # keyframes: the session forces one every max-keyframe-interval frames; past the
                 # end of the input, so only frame 0 and x264's scene cuts are IDRs, as in x264enc
                 f'max-keyframe-interval={max(inp.frames * 10, 100000)}']
        if row.drl:
            props.append(f'data-rate-limits={row.drl[0]},{row.drl[1]:g}')
        if 'speed-preset' in vth_props:
            props.append(f'speed-preset={row.preset}')
            if 'threads' in vth_props:
                props.append('threads=0')
            return props, '', True
        used, extra = vth_fallback_preset(row.preset)
        props += extra
        note = (f'no speed-preset property: {" ".join(extra) or "defaults"} (x264 {used})')
        return props, note, used == row.preset
    if encoder == 'openh264enc':
        return [f'bitrate={row.kbps * 1000}', 'rate-control=bitrate',
                f'complexity={openh264_complexity(row.preset)}', 'gop-size=100000',
                'multi-thread=2', 'slice-mode=n-slices', 'num-slices=2'], \
            'nearest equivalent, not equal settings', False
    raise ValueError(encoder)


def pipeline(encoder, props, inp, out_path):
    """inp is the row's source in its format: no videoconvert, the encoder takes it as it is."""
    caps = []
    if encoder in C['format_encoders']:
        c = C['caps']
        # x265enc has byte-stream only: h265parse turns it into hvc1 for mp4mux (a copy of
        # each access unit's few kilobytes, in the timed part).
        if encoder != 'x265enc':
            c += f',stream-format={C["stream_format"]}'
        c += ',alignment=au'
        if profile_of(inp.fmt)[0]:
            c += f',profile={profile_of(inp.fmt)[0]}'
        caps = ['!', c]
    return (['filesrc', f'location={inp.path}', '!', 'rawvideoparse'] + inp.rawvideoparse() +
            ['!', encoder] + props + caps +
            ['!', C['parser'], '!', 'mp4mux', '!', 'filesink', f'location={out_path}'])


def gst_failure(text):
    """(short reason, caps not negotiated?) from the log of a failed gst-launch-1.0."""
    negotiation = 'not-negotiated' in text or 'could not link' in text
    m = re.search(r'WARNING: erroneous pipeline: (.*)', text)
    if m:
        return f'pipeline: {m.group(1).strip()}', negotiation
    m = re.search(r'ERROR: from element (\S+): (.*)', text)
    if m:
        return (f'{m.group(1).rsplit(":", 1)[-1]}: {m.group(2).strip()}'
                + (' (not-negotiated)' if 'not-negotiated' in text else '')), negotiation
    return None, negotiation


def parse_gst_time(text):
    m = re.search(r'Execution ended after (\d+):(\d+):(\d+(?:\.\d+)?)', text)
    if not m:
        return None
    return int(m.group(1)) * 3600 + int(m.group(2)) * 60 + float(m.group(3))


def timed_encode(cmd, env, log_path):
    """Runs gst-launch; returns (pipeline seconds, wall seconds, cpu seconds, peak RSS KiB, rc)."""
    with open(log_path, 'w') as logf:
        t0 = time.monotonic()
        p = subprocess.Popen(cmd, env=env, stdout=logf, stderr=subprocess.STDOUT)
        _, status, ru = os.wait4(p.pid, 0)
        wall = time.monotonic() - t0
        p.returncode = os.waitstatus_to_exitcode(status)
    with open(log_path, errors='replace') as f:
        text = f.read()
    return parse_gst_time(text), wall, ru.ru_utime + ru.ru_stime, ru.ru_maxrss, p.returncode


# --- measurements -------------------------------------------------------------------------------

def packets(path):
    out = run(['ffprobe', '-v', 'error', '-select_streams', 'v:0', '-show_entries',
               'packet=dts_time,size', '-of', 'csv=p=0', path]).stdout
    pk = []
    for line in out.split():
        parts = line.split(',')
        if len(parts) >= 2 and parts[0] not in ('', 'N/A'):
            pk.append((float(parts[0]), int(parts[1])))
    pk.sort()
    return pk


def max_window_bits(pk, seconds):
    """Most bits in any window [t, t + seconds) of decode time."""
    best = total = 0
    j = 0
    for i in range(len(pk)):
        while j < len(pk) and pk[j][0] < pk[i][0] + seconds - 1e-9:
            total += pk[j][1] * 8
            j += 1
        best = max(best, total)
        total -= pk[i][1] * 8
    return best


def quality(out_path, inp):
    """(PSNR Y, PSNR average, SSIM All) of the decoded output against the source, both in the
    source's pix_fmt (10-bit rows are measured on 10-bit samples, 4:4:4 rows on full chroma)."""
    fps = f'{inp.fps_n}/{inp.fps_d}'
    pf = inp.pix_fmt
    graph = (f'[0:v]setpts=N/({fps}*TB),format={pf},split[e1][e2];'
             f'[1:v]setpts=N/({fps}*TB),format={pf},split[r1][r2];[e1][r1]psnr;[e2][r2]ssim')
    r = subprocess.run(['ffmpeg', '-hide_banner', '-nostats', '-i', out_path] + inp.ffmpeg_args() +
                       ['-lavfi', graph, '-f', 'null', '-'], stdout=subprocess.PIPE,
                       stderr=subprocess.STDOUT, text=True)
    m = re.search(r'PSNR y:([\d.inf]+) u:[\d.inf]+ v:[\d.inf]+ average:([\d.inf]+)', r.stdout)
    s = re.search(r'SSIM Y:[\d.]+ .*?All:([\d.]+)', r.stdout)
    if not m or not s:
        log(f'ffmpeg could not measure {out_path}:\n{r.stdout[-2000:]}')
        return None, None, None
    return float(m.group(1)), float(m.group(2)), float(s.group(1))


def stream_format(path):
    """(codec, profile, pix_fmt) of the coded stream as ffprobe reads them."""
    r = subprocess.run(['ffprobe', '-v', 'error', '-select_streams', 'v:0', '-show_entries',
                        'stream=codec_name,profile,pix_fmt', '-of', 'json', path],
                       stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    try:
        st = json.loads(r.stdout)['streams'][0]
    except (ValueError, KeyError, IndexError):
        return None, None, None
    return st.get('codec_name'), st.get('profile'), st.get('pix_fmt')


def sei_options(path):
    """The library's option string from its version SEI in a stream, if the stream carries it."""
    with open(path, 'rb') as f:
        data = f.read()
    m = re.search(C['sei'], data)
    return m.group(1).decode() if m else None


def options_dict(s):
    d = {}
    # x265 writes its sample aspect ratio as "sar-width : sar-height=1:1": one option.
    for tok in (s or '').replace(' : ', ':').split():
        k, _, v = tok.partition('=')
        d[k] = v
    return d


def options_diff(a, b):
    da, db = options_dict(a), options_dict(b)
    return [f'{k}: {da.get(k, "-")} vs {db.get(k, "-")}'
            for k in sorted(set(da) | set(db)) if da.get(k) != db.get(k)]


# --- summary ------------------------------------------------------------------------------------

def med(xs):
    xs = [x for x in xs if x is not None]
    return statistics.median(xs) if xs else None


def spread(xs):
    xs = [x for x in xs if x is not None]
    return (min(xs), max(xs)) if xs else (None, None)


def fmt(x, f='{:.1f}', none='–'):
    return none if x is None else f.format(x)


def summarize(results, rows_by_input, opts_by, equal_by, notes_by):
    summary = []
    for inp_name, rows in rows_by_input:
        for row in rows:
            base = None
            for enc in row.encoders:
                rs = [r for r in results if r['input'] == inp_name and r['row'] == row.key
                      and r['encoder'] == enc and r['ok']]
                if not any(r['input'] == inp_name and r['row'] == row.key and
                           r['encoder'] == enc for r in results):
                    continue  # not run
                # An encoder with no good run still gets its line: the notes say why.
                fps = [r['fps'] for r in rs]
                s = {
                    'input': inp_name, 'row': row.key, 'kind': row.kind, 'preset': row.preset,
                    'target_kbps': row.kbps, 'encoder': enc, 'runs': len(rs),
                    'fps': med(fps), 'fps_min': spread(fps)[0], 'fps_max': spread(fps)[1],
                    'cpu_s': med([r['cpu_s'] for r in rs]),
                    'cpu_ms_per_frame': med([r['cpu_s'] * 1000 / r['frames'] for r in rs]),
                    'kbps': med([r['kbps'] for r in rs]),
                    'psnr_y': med([r['psnr_y'] for r in rs]),
                    'psnr': med([r['psnr_avg'] for r in rs]),
                    'psnr_min': spread([r['psnr_avg'] for r in rs])[0],
                    'psnr_max': spread([r['psnr_avg'] for r in rs])[1],
                    'ssim': med([r['ssim'] for r in rs]),
                    'rss_mb': med([r['maxrss_kb'] / 1024 for r in rs]),
                    'max_window_kbit': max([r['max_window_kbit'] for r in rs], default=0),
                    'x264_opens': max([r['x264_opens'] for r in rs], default=0),
                    'profile': '/'.join(sorted({str(r['profile']) for r in rs})),
                    'pix_fmt': '/'.join(sorted({str(r['pix_fmt']) for r in rs})),
                    'equal_settings': equal_by.get((inp_name, row.key, enc)),
                    'notes': '; '.join(n for n in notes_by.get((inp_name, row.key, enc), []) if n),
                }
                s['kbps_err'] = (s['kbps'] / row.kbps - 1) if s['kbps'] else None
                if not rs:
                    s['notes'] = '**FAILED**: ' + s['notes']
                if enc == C['ref']:
                    base = s
                summary.append(s)
            for s in summary:
                if s['input'] == inp_name and s['row'] == row.key:
                    b = base
                    s['fps_ratio'] = (s['fps'] / b['fps']) if b and b['fps'] and s['fps'] else None
                    s['cpu_ratio'] = (s['cpu_s'] / b['cpu_s']) if b and b['cpu_s'] and \
                        s['cpu_s'] is not None else None
                    s['dpsnr'] = (s['psnr'] - b['psnr']) if b and b['psnr'] is not None and \
                        s['psnr'] is not None else None
    return summary


def flags_of(s, row):
    f = []
    if s['kbps_err'] is not None and abs(s['kbps_err']) > BITRATE_TOLERANCE:
        f.append(f'**bitrate {s["kbps_err"] * 100:+.1f}%**')
    if row.drl and s['encoder'] == C['vt']:
        limit = row.drl[0] * row.drl[1]
        ok = s['max_window_kbit'] <= limit
        f.append(f'DRL {"ok" if ok else "**EXCEEDED**"}: max {row.drl[1]:g} s window '
                 f'{s["max_window_kbit"]:.0f} kbit, limit {limit:.0f}')
    if s['encoder'] not in (C['ref'], 'openh264enc') and s['equal_settings'] is False:
        f.append('**settings not equal**')
    if s['x264_opens'] > 1:
        f.append(f'{C["lib"]} opened {s["x264_opens"]} times per run')
    if s['notes']:
        f.append(s['notes'])
    return f


def markdown(summary, rows_by_input, inputs, runs):
    lines = []
    for inp_name, rows in rows_by_input:
        inp = inputs[inp_name]
        lines.append(f'\n### {inp_name}: {inp.width}x{inp.height}, {inp.fps:g} fps, '
                     f'{inp.frames} frames ({inp.seconds:.1f} s), {runs} runs per encoder\n')
        ref = C['ref']
        lines.append(f'| setting | encoder | fps median (min–max) | fps vs {ref} | CPU ms/frame '
                     f'(vs {ref}) | kbit/s (err) | PSNR dB (ΔPSNR) | SSIM | peak RSS MB | '
                     'notes |')
        lines.append('|---|---|---|---|---|---|---|---|---|---|')
        for row in rows:
            for s in summary:
                if s['input'] != inp_name or s['row'] != row.key:
                    continue
                fps_range = '' if s['fps'] is None else \
                    f' ({fmt(s["fps_min"])}–{fmt(s["fps_max"])})'
                lines.append(
                    f'| {row.label} | {s["encoder"]} | {fmt(s["fps"])}{fps_range} | '
                    f'{fmt(s.get("fps_ratio"), "{:.2f}")} | {fmt(s["cpu_ms_per_frame"])} '
                    f'({fmt(s.get("cpu_ratio"), "{:.2f}")}) | {fmt(s["kbps"], "{:.0f}")} '
                    f'({fmt(s["kbps_err"] * 100 if s["kbps_err"] is not None else None, "{:+.1f}%")}) | '
                    f'{fmt(s["psnr"], "{:.3f}")} ({fmt(s.get("dpsnr"), "{:+.3f}")}) | '
                    f'{fmt(s["ssim"], "{:.4f}")} | {fmt(s["rss_mb"], "{:.0f}")} | '
                    f'{"; ".join(flags_of(s, row))} |')
    return '\n'.join(lines) + '\n'


def plot(summary, rows_by_input, path):
    try:
        import matplotlib
        matplotlib.use('Agg')
        import matplotlib.pyplot as plt
    except ImportError:
        log('matplotlib is missing (Debian: python3-matplotlib): no plot')
        return False
    n = len(rows_by_input)
    fig, axes = plt.subplots(2, n, figsize=(4.2 * n, 6.2), squeeze=False)
    styles = {C['vt']: ('tab:red', 'o', '-'), C['ref']: ('tab:blue', 's', '--'),
              'openh264enc': ('tab:green', '^', ':')}
    for col, (inp_name, rows) in enumerate(rows_by_input):
        ladder = [r for r in rows if r.kind in ('ladder', 'preset') and not r.drl]
        lp = [r for r in rows if r.kind == 'ladder']
        preset = lp[0].preset if lp else None
        for enc, (color, marker, ls) in styles.items():
            pts = sorted((s['kbps'], s['psnr'], s['ssim']) for s in summary
                         if s['input'] == inp_name and s['encoder'] == enc and s['psnr'] is not None
                         and s['preset'] == preset and any(r.key == s['row'] for r in ladder))
            if not pts:
                continue
            for ax, idx in ((axes[0][col], 1), (axes[1][col], 2)):
                ax.plot([p[0] for p in pts], [p[idx] for p in pts], color=color, marker=marker,
                        ls=ls, ms=4, lw=1.2, label=enc)
        axes[0][col].set_title(f'{inp_name}, {C["lib"]} preset {preset}', fontsize=9)
        axes[0][col].set_ylabel('PSNR (dB, ffmpeg average)', fontsize=8)
        axes[1][col].set_ylabel('SSIM (All)', fontsize=8)
        axes[1][col].set_xlabel('achieved kbit/s', fontsize=8)
        for ax in (axes[0][col], axes[1][col]):
            ax.grid(True, lw=0.3)
            ax.tick_params(labelsize=7)
            ax.legend(fontsize=7)
    fig.tight_layout()
    fig.savefig(path, dpi=90)
    return True


# --- main ---------------------------------------------------------------------------------------

def main():
    ap = argparse.ArgumentParser(
        description='vth264enc vs x264enc vs openh264enc: speed, bit rate, PSNR/SSIM, memory.')
    ap.add_argument('inputs', nargs='*',
                    help='720p, 1080p (generated, cached), FILE.y4m, or FILE.yuv:WxH:FPS (raw '
                    'I420); default: 720p 1080p')
    ap.add_argument('--build', default=os.environ.get('BUILD_DIR', os.path.join(ROOT, 'build')),
                    help='build directory; the element is loaded from BUILD/plugin (default: '
                    '$BUILD_DIR or build/)')
    ap.add_argument('--out', help='output directory (default: BUILD/bench)')
    ap.add_argument('--runs', type=int, default=5, help='runs per encoder and setting (default 5)')
    ap.add_argument('--presets', default='ultrafast,veryfast,medium',
                    help='x264 presets compared at the same bit rate')
    ap.add_argument('--bitrate', type=int,
                    help='kbit/s of the preset rows (default: 0.1 bit per pixel, 2300 at 720p25)')
    ap.add_argument('--ladder', default='0.4,0.7,1,1.6',
                    help='bit-rate ladder, as multiples of --bitrate (default 0.4,0.7,1,1.6)')
    ap.add_argument('--ladder-preset', default='veryfast', help='x264 preset of the ladder')
    ap.add_argument('--codec', choices=sorted(CODECS), default='h264',
                    help='h264: vth264enc, x264enc, openh264enc (default); h265: vth265enc '
                    'against x265enc (presets are then x265\'s, which have the same names)')
    ap.add_argument('--tune', default='psnr',
                    help='h265: the x265 tune of both elements (default psnr; x265enc needs one: '
                    'its tune 0 reads out of its table)')
    ap.add_argument('--encoders', help='default: all of the codec\'s')
    ap.add_argument('--fps', type=int, default=25, help='frame rate of generated inputs')
    ap.add_argument('--seconds', type=float, default=10, help='length of generated inputs')
    ap.add_argument('--quality-runs', type=int, default=2,
                    help='runs per encoder and setting whose output is decoded for PSNR/SSIM '
                    '(outputs differ slightly between runs: VBV with threads is not '
                    'deterministic); 0 = all')
    ap.add_argument('--no-drl', action='store_true',
                    help='skip the vth264enc data-rate-limits row')
    ap.add_argument('--formats', nargs='?', const=','.join(ROW_FORMATS),
                    default=','.join(ROW_FORMATS),
                    help='picture-format rows, vth264enc and x264enc only: a list of '
                    f'{", ".join(ROW_FORMATS)} (the input converted once to 10-bit 4:2:0, 8-bit '
                    '4:4:4), or none; at --format-presets and the preset rows\' bit rate '
                    '(default, and --formats alone: both)')
    ap.add_argument('--format-presets',
                    help='x264 presets of the picture-format rows (default: --ladder-preset)')
    ap.add_argument('--quick', action='store_true',
                    help='try it out: 720p, presets ultrafast,veryfast, ladder 0.5,1, 3 runs')
    a = ap.parse_args()
    global C
    C = CODECS[a.codec]
    vt, ref = C['vt'], C['ref']
    if not a.encoders:
        a.encoders = ','.join(C['encoders'])

    if a.quick:
        a.inputs = a.inputs or ['720p']
        a.presets, a.ladder, a.runs = 'ultrafast,veryfast', '0.5,1', min(a.runs, 3)
    formats = [f for f in a.formats.split(',') if f and f != 'none']
    for f in formats:
        if f not in ROW_FORMATS:
            sys.exit(f'bench: unknown format {f} (known: {", ".join(ROW_FORMATS)}, none; '
                     'inputs go before a bare --formats)')
    format_presets = [p for p in (a.format_presets or a.ladder_preset).split(',') if p]
    inputs_spec = a.inputs or ['720p', '1080p']
    build = os.path.abspath(a.build)
    out = os.path.abspath(a.out or os.path.join(build, 'bench' if a.codec == 'h264' else
                                                 f'bench-{a.codec}'))
    cache = os.path.join(build, 'bench-inputs')
    os.makedirs(out, exist_ok=True)
    os.makedirs(cache, exist_ok=True)
    encs = tuple(e for e in a.encoders.split(',') if e)
    presets = [p for p in a.presets.split(',') if p]
    for p in presets + [a.ladder_preset] + format_presets:
        if p not in X264_PRESETS:
            sys.exit(f'bench: unknown x264 preset {p}')

    for tool in ('gst-launch-1.0', 'gst-inspect-1.0', 'ffmpeg', 'ffprobe'):
        if not shutil.which(tool):
            sys.exit(f'bench: {tool} not found')
    plugin_dir = os.path.join(build, 'plugin')
    env = dict(os.environ)
    env.pop('GST_PLUGIN_PATH_1_0', None)  # it would take precedence over GST_PLUGIN_PATH
    env['GST_PLUGIN_PATH'] = plugin_dir
    env['GST_REGISTRY'] = os.path.join(out, 'registry.bin')
    vth_props, vth_file = element_properties(env, vt)
    if vt in encs:
        if not vth_file:
            sys.exit(f'bench: {vt} not found in {plugin_dir} (build it first)')
        if not os.path.realpath(vth_file).startswith(os.path.realpath(plugin_dir)):
            sys.exit(f'bench: {vt} was loaded from {vth_file}, not {plugin_dir}')
    for e in encs:
        if e != vt and not element_properties(env, e)[1]:
            sys.exit(f'bench: element {e} not found')
    new_props = [p for p in ('speed-preset', 'tune', 'threads', 'option-string')
                 if p in vth_props]
    if C is CODECS['h265']:
        mode = (f'HEVC: {vt} and {ref} with speed-preset=<row preset> tune={a.tune}; '
                f'{vt} threads=0')
    elif 'speed-preset' in vth_props:
        mode = (f'vth264enc has {", ".join(new_props)}: speed-preset=<row preset>'
                + (', threads=0' if 'threads' in vth_props else ''))
    else:
        mode = ('vth264enc has no speed-preset property (fallback): medium = defaults, veryfast = '
                'realtime=true, superfast = prioritize-speed=true; other presets are NOT equal '
                '(ultrafast runs as superfast)')
    log(f'element: {vth_file}\n{mode}')

    # The option-string probe (LD_PRELOAD); the encoders work without it.
    src, libs = C['probe']
    shim = os.path.join(out, 'lib' + os.path.splitext(src)[0] + '.so')
    cc = os.environ.get('CC', 'cc')
    r = subprocess.run([cc, '-shared', '-fPIC', '-O2', '-o', shim,
                        os.path.join(HERE, src)] + libs,
                       stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    if r.returncode != 0:
        log(f'could not build the {C["lib"]} option probe ({r.stdout.strip()}); '
            f'{C["lib"]} settings come from the SEI and the debug log only')
        shim = None

    inputs = {}
    for spec in inputs_spec:
        inp = make_synthetic(spec, cache, a.fps, a.seconds) if spec in SYNTHETIC else \
            make_from_file(spec, cache)
        inputs[inp.name] = inp

    rows_by_input = []
    for name, inp in inputs.items():
        kbps = a.bitrate or max(100, int(round(0.1 * inp.width * inp.height * inp.fps / 1e5)) * 100)
        rows = [Row('preset', p, kbps, encoders=encs) for p in presets]
        for m in [float(x) for x in a.ladder.split(',') if x]:
            k = int(round(kbps * m / 100.0)) * 100 if kbps * m >= 200 else int(round(kbps * m))
            if not any(r.preset == a.ladder_preset and r.kbps == k for r in rows):
                rows.append(Row('ladder', a.ladder_preset, k, encoders=encs))
            else:
                for r in rows:
                    if r.preset == a.ladder_preset and r.kbps == k:
                        r.kind = 'preset'  # shared with the ladder
        if not a.no_drl and vt in encs:
            # A hard cap of 1.5 x the bit rate over any 1 s (a common peak-to-average limit),
            # and 2 x, from where x264's VBV leaves the average on target (docs/benchmark.md).
            for peak in (1.5, 2.0):
                rows.append(Row('drl', a.ladder_preset, kbps, drl=(int(peak * kbps), 1.0),
                                encoders=(vt,)))
        fencs = tuple(e for e in encs if e in C['format_encoders'])
        for f in formats if fencs else []:
            for p in format_presets:
                rows.append(Row('format', p, kbps, encoders=fencs, fmt=f))
        rows_by_input.append((name, rows))

    # The picture-format sources, converted once before anything is timed.
    sources = {}
    for name, rows in rows_by_input:
        for row in rows:
            if (name, row.fmt) not in sources:
                sources[(name, row.fmt)] = inputs[name].converted(row.fmt, cache)

    total = sum(len(r.encoders) * a.runs for _, rows in rows_by_input for r in rows)
    log(f'{total} timed encodes; outputs in {out}')
    results, opts_by, equal_by, notes_by, openline_by = [], {}, {}, {}, {}
    n = 0
    t_start = time.monotonic()
    for name, rows in rows_by_input:
        warmed = None
        for row in rows:
            inp = sources[(name, row.fmt)]
            if warmed != inp.path:
                warm_page_cache(inp.path)
                warmed = inp.path
            refused = set()  # encoders that could not negotiate this row's format
            for run_i in range(1, a.runs + 1):
                # A, B, C, B, C, A, ...: an encoder that runs right after openh264enc (50 MB)
                # faults in more fresh memory, which costs 3-4% of CPU at 1080p on a VM
                # (docs/benchmark.md); rotating spreads that over all of them.
                shift = (run_i - 1) % len(row.encoders)
                for enc in row.encoders[shift:] + row.encoders[:shift]:
                    n += 1
                    if enc in refused:
                        log(f'[{n}/{total}] {name} {row.label} {enc} run {run_i}: skipped '
                            '(it could not negotiate the format)')
                        continue
                    props, note, equal = encoder_settings(enc, row, inp, vth_props, a.tune)
                    equal_by[(name, row.key, enc)] = equal
                    notes_by.setdefault((name, row.key, enc), [note])
                    stem = os.path.join(out, f'{name}-{row.key}-{enc}-r{run_i}')
                    mp4 = stem + '.mp4'
                    optsf = stem + f'.{C["lib"]}opts'
                    for f in (mp4, optsf):
                        if os.path.exists(f):
                            os.remove(f)
                    cmd = ['gst-launch-1.0'] + pipeline(enc, props, inp, mp4)
                    renv = dict(env)
                    if enc in (vt, ref):
                        renv['GST_DEBUG'] = f'{vt}:4'
                        renv['GST_DEBUG_NO_COLOR'] = '1'
                        if shim:
                            renv['LD_PRELOAD'] = shim
                            renv['BENCH_X264_OPTS'] = optsf
                    secs, wall, cpu, rss, rc = timed_encode(cmd, renv, stem + '.log')
                    rec = {'input': name, 'row': row.key, 'kind': row.kind,
                           'preset': row.preset, 'target_kbps': row.kbps, 'encoder': enc,
                           'run': run_i, 'settings': ' '.join(props), 'ok': False,
                           'pipeline_s': secs, 'wall_s': wall, 'cpu_s': cpu, 'maxrss_kb': rss,
                           'frames': 0, 'fps': None, 'kbps': None, 'max_window_kbit': 0,
                           'psnr_y': None, 'psnr_avg': None, 'ssim': None, 'x264_opens': 0,
                           'x264_options': '', 'format': inp.fmt, 'profile': None,
                           'pix_fmt': None}
                    key = (name, row.key, enc)
                    if rc == 0 and secs and os.path.exists(mp4):
                        pk = packets(mp4)
                        rec['frames'] = len(pk)
                        rec['fps'] = inp.frames / secs
                        rec['kbps'] = sum(p[1] for p in pk) * 8 / inp.seconds / 1000
                        rec['max_window_kbit'] = max_window_bits(
                            pk, row.drl[1] if row.drl else 1.0) / 1000
                        rec['ok'] = len(pk) == inp.frames
                        if not rec['ok']:
                            notes_by[key].append(f'{len(pk)} of {inp.frames} frames came out')
                        codec, rec['profile'], rec['pix_fmt'] = stream_format(mp4)
                        if codec != C['ffprobe_codec']:
                            add_note(notes_by[key], f'**ffprobe reads {codec}, not '
                                     f'{C["ffprobe_codec"]}**')
                        want_profile = profile_of(inp.fmt)[1]
                        want_pix_fmt = FORMATS[inp.fmt]['pix_fmt']
                        if want_profile:
                            got = f'{rec["profile"]}, {rec["pix_fmt"]}'
                            if (rec['profile'], rec['pix_fmt']) == (want_profile, want_pix_fmt):
                                add_note(notes_by[key], f'ffprobe: {got}')
                            else:
                                add_note(notes_by[key], f'**not {want_profile} '
                                         f'{want_pix_fmt}: ffprobe says {got}**')
                    else:
                        with open(stem + '.log', errors='replace') as f:
                            why, negotiation = gst_failure(f.read())
                        if negotiation and row.fmt != 'i420':
                            # The encoder does not take this format: one clear line for the
                            # row, and no more runs of it.
                            refused.add(enc)
                            add_note(notes_by[key], f'{enc} cannot negotiate '
                                     f'{FORMATS[row.fmt]["caps"]} -> '
                                     f'profile={profile_of(row.fmt)[0]}: {why} '
                                     f'(see {os.path.basename(stem)}.log)')
                        else:
                            notes_by[key].append(f'run {run_i} failed (rc {rc}'
                                                 + (f', {why}' if why else '')
                                                 + f'), see {os.path.basename(stem)}.log')
                    if os.path.exists(optsf):
                        with open(optsf) as f:
                            lines = [ln.strip() for ln in f if ln.strip()]
                        rec['x264_options'] = lines[-1] if lines else ''
                        rec['x264_opens'] = len(lines)
                        opts_by.setdefault((name, row.key, enc), set()).update(lines)
                    with open(stem + '.log', errors='replace') as f:
                        for line in f:
                            m = re.search(rf'({C["lib"]} open: .*)', line)
                            if m:
                                openline_by[(name, row.key, enc)] = m.group(1).strip()
                    results.append(rec)
                    el = time.monotonic() - t_start
                    log(f'[{n}/{total} {el / 60:.1f} min] {name} {row.label} {enc} run {run_i}: '
                        + (f'{rec["fps"]:.1f} fps, cpu {cpu:.1f} s, {rec["kbps"]:.0f} kbit/s, '
                           f'rss {rss / 1024:.0f} MB' if rec['fps'] else f'FAILED rc={rc}'))
        # Quality, outside the timed part.
        for row in rows:
            for enc in row.encoders:
                rs = [r for r in results if r['input'] == name and r['row'] == row.key and
                      r['encoder'] == enc and r['ok']]
                for r in rs[:a.quality_runs] if a.quality_runs > 0 else rs:
                    mp4 = os.path.join(out, f'{name}-{row.key}-{enc}-r{r["run"]}.mp4')
                    r['psnr_y'], r['psnr_avg'], r['ssim'] = quality(
                        mp4, sources[(name, row.fmt)])
                    log(f'quality {name} {row.label} {enc} run {r["run"]}: PSNR '
                        f'{fmt(r["psnr_avg"], "{:.3f}")} dB, SSIM {fmt(r["ssim"], "{:.4f}")}')

    # Settings report: the library's option string of every encoder on it, per row.
    lib = C['lib']
    settings_lines = [f'# {lib} settings per row\n\n{mode}\n']
    for name, rows in rows_by_input:
        for row in rows:
            settings_lines.append(f'## {name} {row.label}\n')
            strings = {}
            for enc in row.encoders:
                props, note, _ = encoder_settings(enc, row, inputs[name], vth_props, a.tune)
                settings_lines.append(f'- {enc} {" ".join(props)}' + (f' ({note})' if note else ''))
                got = sorted(opts_by.get((name, row.key, enc), []))
                if len(got) > 1:
                    notes_by[(name, row.key, enc)].append(f'{lib} options differ between runs')
                if got:
                    strings[enc] = got[-1]
                    settings_lines.append(f'  - {lib}_encoder_open: `{got[-1]}`')
                if (name, row.key, enc) in openline_by:
                    settings_lines.append(f'  - debug log: `{openline_by[(name, row.key, enc)]}`')
                mp4 = os.path.join(out, f'{name}-{row.key}-{enc}-r1.mp4')
                ok1 = any(r['input'] == name and r['row'] == row.key and r['encoder'] == enc
                          and r['run'] == 1 and r['ok'] for r in results)
                if enc != 'openh264enc' and ok1 and os.path.exists(mp4):
                    sei = sei_options(mp4)
                    if sei is None:
                        settings_lines.append('  - SEI in the stream: none')
                    else:
                        same = 'same as above' if sei == strings.get(enc) else 'DIFFERENT'
                        settings_lines.append(f'  - SEI in the stream: {same}'
                                              + ('' if same == 'same as above' else f': `{sei}`'))
                        strings.setdefault(enc, sei)
            if ref in strings and vt in strings:
                d = options_diff(strings[vt], strings[ref])
                # Fields that do not change the coded pictures: where the parameter sets and
                # the library's info SEI go, its log level, and (x265) VUI fields x265enc
                # fills from the caps. Listed in settings.md, not counted as unequal.
                d_coding = [x for x in d if x.split(': ')[0] not in C.get('not_coding', ())]
                if row.drl:
                    verdict = (f'data-rate-limits row ({vt} only); vs {ref} at '
                               'this preset and bit rate: ' + ('; '.join(d) or 'identical'))
                else:
                    verdict = 'identical' if not d else (
                        'DIFFER: ' if d_coding else 'same coding options; differ only in ') + \
                        '; '.join(d)
                    if d_coding:
                        equal_by[(name, row.key, vt)] = False
                        notes_by[(name, row.key, vt)].append(
                            f'{lib} options differ: ' + ', '.join(x.split(': ')[0]
                                                                  for x in d_coding))
                    elif d:
                        notes_by[(name, row.key, vt)].append(
                            f'{lib} coding options identical')
                    else:
                        notes_by[(name, row.key, vt)].append(f'{lib} options identical')
                settings_lines.append(f'- {vt} vs {ref} {lib} options: {verdict}')
            elif vt in row.encoders and ref in row.encoders:
                settings_lines.append(f'- {vt} vs {ref} {lib} options: not captured')
            settings_lines.append('')
    # For the drl row compare with the preset row's x264enc string.
    for name, rows in rows_by_input:
        for row in rows:
            if row.drl:
                ref_row = next((r for r in rows if not r.drl and r.preset == row.preset
                                and r.kbps == row.kbps and r.fmt == row.fmt), None)
                a_ = sorted(opts_by.get((name, row.key, vt), []))
                b_ = sorted(opts_by.get((name, ref_row.key, C['ref']), [])) if ref_row else []
                if a_ and b_:
                    d = options_diff(a_[-1], b_[-1])
                    settings_lines.append(f'{name} {row.label}: {vt} vs {C["ref"]} '
                                          f'{ref_row.label}: '
                                          + ('; '.join(d) or 'identical'))

    summary = summarize(results, rows_by_input, opts_by, equal_by, notes_by)
    if not results or not summary:
        sys.exit('bench: nothing ran')
    with open(os.path.join(out, 'runs.csv'), 'w', newline='') as f:
        w = csv.DictWriter(f, fieldnames=list(results[0].keys()))
        w.writeheader()
        w.writerows(results)
    with open(os.path.join(out, 'summary.csv'), 'w', newline='') as f:
        keys = list(summary[0].keys())
        w = csv.DictWriter(f, fieldnames=keys)
        w.writeheader()
        w.writerows(summary)
    with open(os.path.join(out, 'settings.md'), 'w') as f:
        f.write('\n'.join(settings_lines) + '\n')

    if C is CODECS['h265']:
        header = [
            f'## {vt} vs {ref} (HEVC)\n',
            f'- {mode}',
            f'- Equal settings: same x265 preset and tune ({a.tune}), ABR at the bit rate with '
            f'vbv-maxrate = bit rate and a {VBV_BUFFER_MS} ms buffer (x265enc: option-string '
            '"vbv-maxrate=B:vbv-bufsize=2B:open-gop=0"), B-frames and lookahead from the preset, '
            f'keyint {X265_KEYINT_INFINITE} (x265enc key-int-max; IDR at frame 0 and at scene '
            'cuts), closed GOP, threads auto; checked with the option string x265 makes of the '
            'parameters each encoder runs with (settings.md).',
        ]
    else:
        header = [
            '## vth264enc vs x264enc vs openh264enc\n',
            f'- {mode}',
            '- Equal settings (vth264enc and x264enc): same x264 preset, ABR at the bit rate with '
            f'VBV maxrate = bit rate and a {VBV_BUFFER_MS} ms buffer (x264enc pass=cbr '
            f'vbv-buf-capacity={VBV_BUFFER_MS}), B-frames from the preset, keyint=infinite in '
            'x264 (IDR at frame 0 and at scene cuts), qpmax 51 (H.264\'s scale: x264 qpmax 63 at '
            '10 bits), no AUD, threads auto; checked below '
            'with the option string each x264 instance reports (settings.md).',
            '- openh264enc: nearest equivalent (rate-control=bitrate, complexity by preset, 2 '
            'threads/slices); not equal settings.',
        ]
    header += [
        '- fps = frames / (PLAYING to EOS of gst-launch-1.0); median of the runs with the min–max '
        'spread. CPU ms/frame = user+sys CPU of the process per frame (less sensitive to other '
        'load than fps). PSNR = ffmpeg psnr "average" (Y, U, V), median over the decoded runs; '
        f'ΔPSNR vs {ref}. Bit-rate error vs the target; rows off by more than '
        f'{BITRATE_TOLERANCE * 100:.0f}% are flagged.',
    ]
    if formats:
        header.append(
            '- Picture-format rows (' + ', '.join(FORMATS[f]['label'] for f in formats) + '): '
            'the same input converted once (ffmpeg) to ' +
            ', '.join(f'{FORMATS[f]["caps"]}/{FORMATS[f]["pix_fmt"]}' for f in formats) +
            f', read by rawvideoparse in that format, {vt} and {ref} with the settings '
            'above and downstream caps asking for ' +
            ', '.join(f'profile={profile_of(f)[0]}' for f in formats) +
            '; ffprobe checks the profile and pix_fmt of every run; PSNR/SSIM in the source\'s '
            'pix_fmt (not comparable with the 8-bit 4:2:0 rows, only within the row).')
    table = '\n'.join(header) + '\n' + markdown(summary, rows_by_input, inputs, a.runs)
    with open(os.path.join(out, 'results.md'), 'w') as f:
        f.write(table)
    png = os.path.join(out, 'rd.png')
    plotted = plot(summary, rows_by_input, png)
    print(table)
    print(f'CSV: {out}/runs.csv, {out}/summary.csv; {lib} settings: {out}/settings.md'
          + (f'; plot: {png}' if plotted else ''))
    print(f'wall time: {(time.monotonic() - t_start) / 60:.1f} min')


if __name__ == '__main__':
    main()
