#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""vth264enc's output played by a real browser (docs/browser.md).

Encodes a short moving test clip with gst-launch-1.0 (the build's plugin through
GST_PLUGIN_PATH_1_0), serves it with a page (tests/browser/player.html) from a local HTTP server
and lets headless Chromium play it: as a plain MP4 (<video src>) and as fragmented MP4 through
Media Source Extensions. The page reports getVideoPlaybackQuality() after 'ended' and the
pixels of one known frame after seeking to it; this script checks the decoded frame count and
compares that frame with the same frame of the source (PSNR, and that no neighbouring frame
matches better). Streams Chromium cannot decode (High 4:4:4 Predictive, HEVC) are checked to be
refused the way docs/browser.md says.

Usage: browser_play.py OUT_DIR [--chromium PATH] [--case NAME ...] [--all]
Exit status: 0 all cases as expected, 1 a case was not, 77 (skip) no chromium.
Python standard library only.
"""

import argparse
import base64
import json
import math
import os
import shutil
import signal
import struct
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

SKIP = 77
HERE = os.path.dirname(os.path.abspath(__file__))

WIDTH, HEIGHT, FPS, FRAMES = 320, 240, 30, 90
# smpte bars scrolling 4 pixels a frame: every frame differs from its neighbours in every bar
# edge, so a frame shown one off is told apart (checked: it must match frame PROBE_FRAME better
# than PROBE_FRAME +- 1 and +- 2), and it compresses well enough to stay far above PSNR_MIN.
SOURCE = ['videotestsrc', 'pattern=smpte', 'horizontal-speed=4', f'num-buffers={FRAMES}']
PROBE_FRAME = 45  # not a key frame: decoding it needs the references before it
# A clean decode of this clip at the encoder's default rate is around 40 dB or more; a garbled
# one (missing references, wrong slice data) or the wrong frame falls well below 30 dB.
PSNR_MIN = 30.0
OVERALL_SECONDS = 85  # meson's timeout is above this; every process is killed before it
CASE_SECONDS = 25


def caps(fmt):
    return f'video/x-raw,format={fmt},width={WIDTH},height={HEIGHT},framerate={FPS}/1'


# name: encoder, input format, muxer properties, how the page plays it, what must happen.
#   expect 'play': plays to the end, every frame decoded, the probe frame matches the source.
#   expect 'refused': Chromium says it cannot play the codec (isTypeSupported false and
#   canPlayType "") and <video> ends with a media error instead of playing.
# extra: run only with --all (by hand; docs/browser.md has what they measured).
CASES = {
    # What `videotestsrc ! vth264enc ! mp4mux` gives with no settings: High profile, B-frames.
    'mp4_default': dict(enc=['vth264enc'], fmt='I420', mux=[], mode='file', expect='play'),
    # The live presets (plugin/GstVtH264Enc.prs) in fragmented MP4 for MSE.
    'fmp4_streaming': dict(enc=['vth264enc', 'preset=streaming'], fmt='I420',
                           mux=['fragment-duration=1000', 'streamable=true'], mode='mse',
                           expect='play'),
    'fmp4_low_latency_live': dict(enc=['vth264enc', 'preset=low-latency-live'], fmt='I420',
                                  mux=['fragment-duration=500', 'streamable=true'], mode='mse',
                                  expect='play'),
    # The streaming preset as HLS (hlssink2: MPEG-TS segments of 1 s and a playlist), which
    # Chromium 156 plays natively (<video src=playlist>).
    'hls_streaming': dict(enc=['vth264enc', 'preset=streaming'], fmt='I420', mux=[], mode='file',
                          sink='hls', expect='play'),
    # Lossless (High 4:4:4 Predictive, transform bypass). Thought not to play in browsers; it
    # does in Chromium's software decoder (canPlayType says only "maybe"): checked as playing,
    # so that a Chromium that stops playing it fails here and docs/browser.md gets updated.
    'lossless_high444': dict(enc=['vth264enc', 'quality=1.0', 'bitrate=0'], fmt='Y444', mux=[],
                             mode='file', expect='play'),
    # Chromium decodes HEVC only through a platform (hardware) decoder; its bundled software
    # decoders have none, so without a GPU it is refused.
    'hevc_main': dict(enc=['vth265enc'], fmt='I420', mux=[], mode='file', expect='refused'),
    # The other H.264 profiles the element makes from other input formats.
    'high10': dict(enc=['vth264enc'], fmt='I420_10LE', mux=[], mode='file', expect='play',
                   extra=True),
    'high422': dict(enc=['vth264enc'], fmt='Y42B', mux=[], mode='file', expect='play',
                    extra=True),
    'high422_10': dict(enc=['vth264enc'], fmt='I422_10LE', mux=[], mode='file', expect='play',
                       extra=True),
}


# --- MP4 boxes ------------------------------------------------------------------------------

CONTAINERS = {b'moov', b'trak', b'mdia', b'minf', b'stbl', b'moof', b'traf', b'mvex'}
SAMPLE_ENTRY_SKIP = {b'avc1': 78, b'avc3': 78, b'hvc1': 78, b'hev1': 78}  # VisualSampleEntry


def boxes(data, start, end):
    """Yields (type, payload_start, box_end) for the boxes in data[start:end]."""
    off = start
    while off + 8 <= end:
        size, kind = struct.unpack_from('>I4s', data, off)
        header = 8
        if size == 1:
            size = struct.unpack_from('>Q', data, off + 8)[0]
            header = 16
        elif size == 0:
            size = end - off
        if size < header or off + size > end:
            raise ValueError(f'bad box {kind!r} at {off}')
        yield kind, off + header, off + size
        off += size


def walk(data, start=0, end=None, path=()):
    """Yields (path, payload_start, box_end) for every box, descending into containers and into
    stsd's sample entries."""
    end = len(data) if end is None else end
    for kind, body, box_end in boxes(data, start, end):
        here = path + (kind,)
        yield here, body, box_end
        if kind in CONTAINERS:
            yield from walk(data, body, box_end, here)
        elif kind == b'stsd':
            yield from walk(data, body + 8, box_end, here)  # version/flags, entry_count
        elif kind in SAMPLE_ENTRY_SKIP:
            yield from walk(data, body + SAMPLE_ENTRY_SKIP[kind], box_end, here)


def reverse_bits32(v):
    return int(f'{v:032b}'[::-1], 2)


def describe_mp4(path):
    """The codec string MSE wants (RFC 6381, from avcC/hvcC), the number of video samples
    (stsz, or the trun boxes of a fragmented file) and whether the file is fragmented."""
    with open(path, 'rb') as f:
        data = f.read()
    codec = None
    samples = 0
    fragmented = False
    for path_, body, _ in walk(data):
        kind = path_[-1]
        if kind == b'avcC':
            profile, compat, level = data[body + 1], data[body + 2], data[body + 3]
            codec = f'{path_[-2].decode()}.{profile:02X}{compat:02X}{level:02X}'
        elif kind == b'hvcC':
            b1 = data[body + 1]
            space, tier, profile = b1 >> 6, (b1 >> 5) & 1, b1 & 0x1F
            compat = struct.unpack_from('>I', data, body + 2)[0]
            constraints = bytearray(data[body + 6:body + 12])
            while constraints and constraints[-1] == 0:
                constraints.pop()
            level = data[body + 12]
            codec = (f"{path_[-2].decode()}.{['', 'A', 'B', 'C'][space]}{profile}."
                     f"{reverse_bits32(compat):X}.{'HL'[tier == 0]}{level}" +
                     ''.join(f'.{b:X}' for b in constraints))
        elif kind == b'stsz':
            samples += struct.unpack_from('>I', data, body + 8)[0]
        elif kind == b'trun':
            fragmented = True
            samples += struct.unpack_from('>I', data, body + 4)[0]
    if codec is None:
        raise ValueError(f'{path}: no avcC or hvcC')
    return codec, samples, fragmented


def describe_hls(path):
    """The codec string (from the first segment's SPS), the number of video access units in the
    segments (one PES packet each, as mpegtsmux writes them) and the number of segments."""
    base = os.path.dirname(path)
    with open(path) as f:
        segments = [line.strip() for line in f if line.strip() and not line.startswith('#')]
    frames = 0
    codec = None
    for segment in segments:
        with open(os.path.join(base, segment), 'rb') as f:
            ts = f.read()
        pmt_pids, video_pids = set(), set()
        for off in range(0, len(ts) - 187, 188):
            pkt = ts[off:off + 188]
            if pkt[0] != 0x47:
                raise ValueError(f'{segment}: lost sync at {off}')
            pid = ((pkt[1] & 0x1F) << 8) | pkt[2]
            start = pkt[1] & 0x40
            payload = 4 + (1 + pkt[4] if pkt[3] & 0x20 else 0)
            if pid == 0 and start:  # PAT: program number, PMT PID pairs
                sec = payload + 1 + pkt[payload]
                length = ((pkt[sec + 1] & 0x0F) << 8) | pkt[sec + 2]
                for i in range(sec + 8, sec + 3 + length - 4, 4):
                    pmt_pids.add(((pkt[i + 2] & 0x1F) << 8) | pkt[i + 3])
            elif pid in pmt_pids and start:  # PMT: the H.264 (stream_type 0x1B) PID
                sec = payload + 1 + pkt[payload]
                length = ((pkt[sec + 1] & 0x0F) << 8) | pkt[sec + 2]
                i = sec + 12 + (((pkt[sec + 10] & 0x0F) << 8) | pkt[sec + 11])
                while i < sec + 3 + length - 4:
                    if pkt[i] == 0x1B:
                        video_pids.add(((pkt[i + 1] & 0x1F) << 8) | pkt[i + 2])
                    i += 5 + (((pkt[i + 3] & 0x0F) << 8) | pkt[i + 4])
            elif pid in video_pids and start:
                frames += 1
                if codec is None:  # the SPS follows its start code in the first PES
                    sps = pkt.find(b'\x00\x00\x01\x67', payload)
                    if sps > 0:
                        codec = 'avc1.' + pkt[sps + 4:sps + 7].hex().upper()
    return codec, frames, len(segments)


# --- clips and source frames ----------------------------------------------------------------


def gst_launch(elements, log):
    cmd = ['gst-launch-1.0', '-q', '-e'] + elements
    log.write('$ ' + ' '.join(cmd) + '\n')
    log.flush()
    subprocess.run(cmd, check=True, stdout=log, stderr=subprocess.STDOUT, timeout=30)


def hls_launch(elements, playlist, log):
    """gst-launch-1.0 with hlssink2, which on GStreamer 1.22 sometimes never returns after the
    end of the stream (measured: 3 runs in 10 hang, with x264enc as with vth264enc, with or
    without -e) although the playlist is complete, its last segment closed and EXT-X-ENDLIST
    written. So: done when the playlist ends; the pipeline is then given 2 s and killed."""
    cmd = ['gst-launch-1.0', '-q'] + elements
    log.write('$ ' + ' '.join(cmd) + '\n')
    log.flush()
    proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT,
                            start_new_session=True)
    try:
        give_up = time.monotonic() + 30
        ended_at = None
        while proc.poll() is None and time.monotonic() < give_up:
            if ended_at is None and os.path.exists(playlist):
                with open(playlist) as f:
                    if '#EXT-X-ENDLIST' in f.read():
                        ended_at = time.monotonic()
            if ended_at is not None and time.monotonic() > ended_at + 2:
                log.write('hlssink2: playlist complete, pipeline still running: killed\n')
                break
            time.sleep(0.1)
        if proc.poll() is None and ended_at is None:
            raise RuntimeError(f'hlssink2 wrote no complete playlist in 30 s: {" ".join(cmd)}')
        if proc.poll() not in (None, 0):
            raise RuntimeError(f'gst-launch-1.0 exited with {proc.returncode}: {" ".join(cmd)}')
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()


def make_clip(out_dir, name, case, log):
    parser = 'h265parse' if case['enc'][0] == 'vth265enc' else 'h264parse'
    if case.get('sink') == 'hls':
        path = os.path.join(out_dir, name + '.m3u8')
        hls_launch(SOURCE + ['!', caps(case['fmt']), '!'] + case['enc'] +
                   ['!', parser, '!', 'hlssink2', f'location={out_dir}/{name}-%05d.ts',
                    f'playlist-location={path}', 'target-duration=1', 'max-files=0',
                    'playlist-length=0'], path, log)
        return path
    path = os.path.join(out_dir, name + '.mp4')
    gst_launch(SOURCE + ['!', caps(case['fmt']), '!'] + case['enc'] +
               ['!', parser, '!', 'mp4mux'] + case['mux'] + ['!', 'filesink', f'location={path}'],
               log)
    return path


def corrupt_first_sample(path):
    """Selftest: inverts 64 bytes in the last third of the file's first sample (the IDR
    picture's slice data), which every later frame of the default stream predicts from."""
    with open(path, 'r+b') as f:
        data = f.read()
        chunk = size = None
        for path_, body, _ in walk(data):
            if path_[-1] == b'stsz':
                size = struct.unpack_from('>I', data, body + 12)[0]
            elif path_[-1] == b'stco':
                chunk = struct.unpack_from('>I', data, body + 8)[0]
        if chunk is None or size is None or size < 192:
            raise ValueError(f'{path}: no first sample to corrupt (needs a non-fragmented MP4)')
        at = chunk + size * 2 // 3
        f.seek(at)
        f.write(bytes(b ^ 0xFF for b in data[at:at + 64]))


def make_source_frames(out_dir, fmt, log):
    """The source as the encoder sees it (in fmt), then in RGBA as the canvas gives it.
    Chroma is repeated, not interpolated (chroma-mode=none), as Chromium's conversion does:
    videoconvert's interpolation for 10-bit and 4:2:2 input moved the bar edges' colours enough
    to cost 8 dB against a correct decode (measured: 29.6 dB instead of 38.8 dB for High 10)."""
    path = os.path.join(out_dir, f'source-{fmt}.rgba')
    gst_launch(SOURCE + ['!', caps(fmt), '!', 'videoconvert', 'chroma-mode=none', 'dither=none', '!',
                         f'video/x-raw,format=RGBA,width={WIDTH},height={HEIGHT}', '!',
                         'filesink', f'location={path}'], log)
    with open(path, 'rb') as f:
        data = f.read()
    size = WIDTH * HEIGHT * 4
    if len(data) != size * FRAMES:
        raise RuntimeError(f'source: {len(data)} bytes, expected {FRAMES} frames of {size}')
    return [data[i * size:(i + 1) * size] for i in range(FRAMES)]


def psnr_rgb(a, b):
    """PSNR over R, G and B of two RGBA pictures of the same size (alpha is left out)."""
    sq = 0
    for i in range(3):
        sq += sum((x - y) * (x - y) for x, y in zip(a[i::4], b[i::4]))
    mse = sq / (len(a) // 4 * 3)
    return math.inf if mse == 0 else 10 * math.log10(255 * 255 / mse)


# --- the server -----------------------------------------------------------------------------


MEDIA_TYPES = {'.mp4': 'video/mp4', '.m3u8': 'application/vnd.apple.mpegurl', '.ts': 'video/mp2t'}


class Server:
    """Serves player.html, /case/NAME.json, /media/FILE (with byte ranges, as a web server
    serving video does) and takes POST /result/NAME."""

    def __init__(self, media_dir, log):
        self.media_dir = media_dir
        self.cases = {}
        self.results = {}
        self.cond = threading.Condition()
        self.log = log
        server = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, fmt, *args):
                server.log.write('http: ' + (fmt % args) + '\n')

            def send_bytes(self, data, ctype, status=200, headers=()):
                self.send_response(status)
                self.send_header('Content-Type', ctype)
                self.send_header('Content-Length', str(len(data)))
                self.send_header('Cache-Control', 'no-store')
                for k, v in headers:
                    self.send_header(k, v)
                self.end_headers()
                self.wfile.write(data)

            def do_GET(self):
                path = urllib.parse.urlparse(self.path).path
                if path == '/player.html':
                    with open(os.path.join(HERE, 'player.html'), 'rb') as f:
                        return self.send_bytes(f.read(), 'text/html; charset=utf-8')
                if path.startswith('/case/') and path.endswith('.json'):
                    name = urllib.parse.unquote(path[len('/case/'):-len('.json')])
                    if name in server.cases:
                        return self.send_bytes(json.dumps(server.cases[name]).encode(),
                                               'application/json')
                if path.startswith('/media/'):
                    name = os.path.basename(urllib.parse.unquote(path[len('/media/'):]))
                    full = os.path.join(server.media_dir, name)
                    if os.path.isfile(full):
                        return self.send_media(full, MEDIA_TYPES.get(os.path.splitext(name)[1],
                                                                     'video/mp4'))
                self.send_error(404)

            def send_media(self, full, ctype):
                with open(full, 'rb') as f:
                    data = f.read()
                rng = self.headers.get('Range', '')
                if rng.startswith('bytes='):
                    first, _, last = rng[len('bytes='):].split(',')[0].partition('-')
                    if first:
                        start = int(first)
                        end = int(last) if last else len(data) - 1
                    else:  # suffix range: the last N bytes
                        start, end = max(0, len(data) - int(last)), len(data) - 1
                    end = min(end, len(data) - 1)
                    if start > end:
                        return self.send_bytes(b'', ctype, 416,
                                               [('Content-Range', f'bytes */{len(data)}')])
                    return self.send_bytes(data[start:end + 1], ctype, 206, [
                        ('Accept-Ranges', 'bytes'),
                        ('Content-Range', f'bytes {start}-{end}/{len(data)}'),
                    ])
                self.send_bytes(data, ctype, 200, [('Accept-Ranges', 'bytes')])

            def do_POST(self):
                path = urllib.parse.urlparse(self.path).path
                if not path.startswith('/result/'):
                    return self.send_error(404)
                name = urllib.parse.unquote(path[len('/result/'):])
                body = self.rfile.read(int(self.headers.get('Content-Length', '0')))
                try:
                    result = json.loads(body)
                except ValueError as e:
                    result = {'error': f'result is not JSON: {e}'}
                with server.cond:
                    server.results.setdefault(name, result)
                    server.cond.notify_all()
                self.send_bytes(b'{}', 'application/json')

        self.httpd = ThreadingHTTPServer(('127.0.0.1', 0), Handler)
        self.httpd.daemon_threads = True
        self.port = self.httpd.server_address[1]
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    def wait_result(self, name, seconds):
        with self.cond:
            self.cond.wait_for(lambda: name in self.results, timeout=max(0, seconds))
            return self.results.get(name)

    def close(self):
        self.httpd.shutdown()
        self.httpd.server_close()


# --- chromium -------------------------------------------------------------------------------


def find_chromium(explicit):
    for candidate in [explicit, os.environ.get('VTC_CHROMIUM'), 'chromium', 'chromium-browser']:
        if candidate:
            found = shutil.which(candidate)
            if found:
                return found
    return None


class Chromium:
    """One headless Chromium on one URL, in its own process group and profile, always killed
    (the whole group: the browser's renderer and GPU helper processes too) on leaving."""

    def __init__(self, exe, url, log_path, profile_dir):
        flags = [
            '--headless=new',
            '--no-sandbox',  # root in a container: the setuid/namespace sandbox is not available
            '--disable-gpu',
            '--autoplay-policy=no-user-gesture-required',
            '--mute-audio',
            f'--user-data-dir={profile_dir}',
            '--no-first-run',
            '--no-default-browser-check',
            '--disable-dev-shm-usage',  # small /dev/shm in containers
            # Nothing but the local server: no update checks, sync, metrics or field trials.
            '--disable-background-networking',
            '--disable-component-update',
            '--disable-sync',
            '--disable-extensions',
            '--disable-domain-reliability',
            '--disable-features=MediaRouter,OptimizationHints,Translate',
            # Keep a page nobody looks at playing in real time.
            '--disable-background-timer-throttling',
            '--disable-renderer-backgrounding',
            '--disable-backgrounding-occluded-windows',
        ]
        self.log = open(log_path, 'wb')
        self.proc = subprocess.Popen([exe] + flags + [url], stdin=subprocess.DEVNULL,
                                     stdout=self.log, stderr=subprocess.STDOUT,
                                     start_new_session=True)

    def close(self):
        if self.proc.poll() is None:
            for sig, wait in ((signal.SIGTERM, 5), (signal.SIGKILL, 10)):
                try:
                    os.killpg(self.proc.pid, sig)
                except ProcessLookupError:
                    break
                try:
                    self.proc.wait(timeout=wait)
                    break
                except subprocess.TimeoutExpired:
                    continue
        # The browser leader may be gone while helpers of its group linger.
        try:
            os.killpg(self.proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        self.log.close()


# --- the cases ------------------------------------------------------------------------------


def check_play(name, info, result, source, probe, failures):
    """A playing case: the checks, and the numbers measured."""

    def bad(msg):
        failures.append(f'{name}: {msg}')

    if result.get('error'):
        return bad(f"did not play: {result['error']}; media error {result.get('media_error')}; "
                   f"isTypeSupported {result.get('supported_mse')}, "
                   f"canPlayType {result.get('can_play')!r}")
    # totalVideoFrames is Chromium's count of frames its decoder output during playback (the
    # pipeline statistic video_frames_decoded), read at 'ended' before any seek: every coded
    # frame of the clip, each once. Measured on Chromium 156 (Debian 12) for this 90-frame clip:
    # exactly 90 for the MP4 and both fragmented files, so no tolerance. droppedVideoFrames counts
    # frames decoded but not painted in time; that depends on the machine's load, so it is
    # reported and not checked.
    if result.get('frames') != info['samples']:
        bad(f"totalVideoFrames {result.get('frames')}, the file has {info['samples']} frames")
    if (result.get('width'), result.get('height')) != (WIDTH, HEIGHT):
        bad(f"size {result.get('width')}x{result.get('height')}, expected {WIDTH}x{HEIGHT}")
        return
    rgba = base64.b64decode(result.get('rgba', ''))
    if len(rgba) != WIDTH * HEIGHT * 4:
        return bad(f'canvas has {len(rgba)} bytes, expected {WIDTH * HEIGHT * 4}')
    with open(os.path.join(info['dir'], name + '-frame.rgba'), 'wb') as f:
        f.write(rgba)
    scores = {i: psnr_rgb(rgba, source[i])
              for i in range(probe - 2, probe + 3)}
    result['psnr'] = {str(k): round(v, 2) for k, v in scores.items()}
    if scores[probe] <= PSNR_MIN:
        bad(f'frame {probe}: PSNR {scores[probe]:.2f} dB <= {PSNR_MIN} dB')
    best = max(scores, key=scores.get)
    if best != probe:
        bad(f'the canvas matches source frame {best} best ({scores[best]:.2f} dB), '
            f'not frame {probe} ({scores[probe]:.2f} dB)')


def check_refused(name, result, failures):
    def bad(msg):
        failures.append(f'{name}: {msg}')

    if result.get('supported_mse') is not False:
        bad(f"MediaSource.isTypeSupported is {result.get('supported_mse')}, expected false")
    if result.get('can_play') != '':
        bad(f"canPlayType is {result.get('can_play')!r}, expected ''")
    if not result.get('media_error'):
        bad(f"no media error from <video> (ended {result.get('ended')}, "
            f"frames {result.get('frames')}, error {result.get('error')!r})")


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    ap.add_argument('out_dir')
    ap.add_argument('--chromium')
    ap.add_argument('--case', action='append', choices=sorted(CASES),
                    help='run only these cases (repeatable)')
    ap.add_argument('--all', action='store_true', help='the extra cases too')
    # Selftests (meson's browser_selftest_*): break a passing case one way, and pass only if
    # the check meant to catch that fails.
    ap.add_argument('--corrupt', action='store_true',
                    help="damage each clip's first picture after encoding")
    ap.add_argument('--probe-shift', type=int, default=0,
                    help='compare the canvas with source frame PROBE_FRAME + N instead')
    ap.add_argument('--want-fail', metavar='TEXT',
                    help='succeed only if every case fails with a message containing TEXT')
    args = ap.parse_args()
    t0 = time.monotonic()
    deadline = t0 + OVERALL_SECONDS

    chromium = find_chromium(args.chromium)
    if not chromium:
        print('browser: no chromium (Debian package "chromium", installed by ./dev): skipped')
        return SKIP
    if not shutil.which('gst-launch-1.0'):
        print('browser: gst-launch-1.0 not found', file=sys.stderr)
        return 1

    out_dir = os.path.abspath(args.out_dir)
    shutil.rmtree(out_dir, ignore_errors=True)
    os.makedirs(out_dir)
    log = open(os.path.join(out_dir, 'log.txt'), 'w')
    names = args.case or [n for n, c in CASES.items() if args.all or not c.get('extra')]
    failures = []
    summary = {}
    server = None
    profile_root = tempfile.mkdtemp(prefix='vtc-chromium-')
    try:
        infos = {}
        for name in names:
            case = CASES[name]
            path = make_clip(out_dir, name, case, log)
            if args.corrupt:
                corrupt_first_sample(path)
            if case.get('sink') == 'hls':
                codec, samples, segments = describe_hls(path)
                if segments < 3:
                    failures.append(f'{name}: {segments} segments in the playlist, expected 3')
            else:
                codec, samples, fragmented = describe_mp4(path)
                if fragmented != (case['mode'] == 'mse'):
                    failures.append(f'{name}: fragmented is {fragmented}, mode {case["mode"]}')
            infos[name] = dict(path=path, codec=codec, samples=samples, dir=out_dir)
            if case['expect'] == 'play' and samples != FRAMES:
                failures.append(f'{name}: the file has {samples} frames, expected {FRAMES}')
        sources = {}
        for name in names:
            fmt = CASES[name]['fmt']
            if CASES[name]['expect'] == 'play' and fmt not in sources:
                sources[fmt] = make_source_frames(out_dir, fmt, log)

        server = Server(out_dir, log)
        for name in names:
            case, info = CASES[name], infos[name]
            type_ = ('application/vnd.apple.mpegurl' if case.get('sink') == 'hls' else
                     f'video/mp4; codecs="{info["codec"]}"')
            left = deadline - time.monotonic()
            if left < 5:
                failures.append(f'{name}: not run, the {OVERALL_SECONDS} s budget is spent')
                continue
            seconds = min(CASE_SECONDS, left - 2)
            server.cases[name] = dict(
                name=name, url='/media/' + os.path.basename(info['path']), mode=case['mode'],
                type=type_, frame_time=(PROBE_FRAME + 0.5) / FPS, timeout_ms=int(seconds * 1000))
            url = f'http://127.0.0.1:{server.port}/player.html?case={urllib.parse.quote(name)}'
            started = time.monotonic()
            browser = Chromium(chromium, url, os.path.join(out_dir, name + '-chromium.log'),
                               os.path.join(profile_root, name))
            try:
                result = server.wait_result(name, seconds + 1)
            finally:
                browser.close()
            took = time.monotonic() - started
            if result is None:
                failures.append(f'{name}: no result from the page in {seconds:.0f} s '
                                f'(see {name}-chromium.log)')
                continue
            if case['expect'] == 'play':
                check_play(name, info, result, sources[case['fmt']],
                           PROBE_FRAME + args.probe_shift, failures)
            else:
                check_refused(name, result, failures)
            shown = {k: v for k, v in result.items() if k not in ('rgba', 'name')}
            summary[name] = dict(codec=info['codec'], file_frames=info['samples'],
                                 seconds=round(took, 1), **shown)
            print(f'{name}: {json.dumps(summary[name])}')
    except (subprocess.CalledProcessError, subprocess.TimeoutExpired, OSError, ValueError,
            RuntimeError) as e:
        failures.append(f'error: {e} (log: {log.name})')
    finally:
        if server:
            server.close()
        shutil.rmtree(profile_root, ignore_errors=True)
        log.close()

    with open(os.path.join(out_dir, 'summary.json'), 'w') as f:
        json.dump(summary, f, indent=2)
    for failure in failures:
        print(('failed as wanted: ' if args.want_fail else 'FAIL ') + failure, file=sys.stderr)
    if args.want_fail:
        caught = {f.split(':')[0] for f in failures if args.want_fail in f}
        missed = [n for n in names if n not in caught]
        print(f'browser selftest: {len(caught)} of {len(names)} cases failed with '
              f'"{args.want_fail}"' + (f'; not: {", ".join(missed)}' if missed else ''))
        return 1 if missed else 0
    failed = {f.split(':')[0] for f in failures}
    passed = 0 if 'error' in failed else len(set(names) - failed)
    print(f'browser: {passed} of {len(names)} cases as expected in {time.monotonic() - t0:.1f} s '
          f'(results in {out_dir})')
    return 1 if failures else 0


if __name__ == '__main__':
    sys.exit(main())
