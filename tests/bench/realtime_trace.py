#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""A trace of RealTime's speed governor on a live source: speed level, encode time and PSNR over
time, with a busy loop on one core for a stretch in the middle (docs/realtime.md).

A benchmark's picture, not a test. Runs
  filesrc ! rawvideoparse ! clocksync ! vth264enc realtime=true bitrate=B ! h264parse !
  matroskamux ! filesink
with GST_DEBUG=vth264enc:5, reads the governor's per-frame lines ("RealTime: frame T s: level L,
X ms ..."), computes the PSNR of every frame with ffmpeg's psnr filter against the source, and
plots the three over the stream's time, the busy stretch shaded.

  ./dev build && tests/bench/realtime_trace.py                  # 1080p, 30 s, busy from 10 to 20 s
  tests/bench/realtime_trace.py --size 720p --busy 5:15
"""
import argparse
import os
import re
import signal
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import bench  # noqa: E402  (the benchmark's generated inputs)

FRAME_LINE = re.compile(r'RealTime: frame ([0-9.]+) s: level (-?\d+), ([0-9.]+) ms '
                        r'\(([0-9.]+) smoothed\), lag ([0-9.]+) ms')


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('--build', default=os.environ.get('BUILD_DIR', 'build'))
    ap.add_argument('--size', default='1080p', choices=sorted(bench.SYNTHETIC))
    ap.add_argument('--seconds', type=int, default=30)
    ap.add_argument('--busy', default='10:20', help='start:end (s) of the busy loop; "" for none')
    ap.add_argument('--bitrate', type=int, default=0, help='kbit/s (default 0.1 bit per pixel)')
    ap.add_argument('--out', default='')
    a = ap.parse_args()
    build = os.path.abspath(a.build)
    out = os.path.abspath(a.out or os.path.join(build, 'realtime-trace'))
    os.makedirs(out, exist_ok=True)
    fps = 30
    inp = bench.make_synthetic(a.size, os.path.join(build, 'bench-inputs'), fps, a.seconds)
    kbps = a.bitrate or int(round(0.1 * inp.width * inp.height * fps / 1000 / 100) * 100)
    mkv, log_path = os.path.join(out, 'out.mkv'), os.path.join(out, 'gst.log')
    env = dict(os.environ, GST_PLUGIN_PATH=os.path.join(build, 'plugin'),
               GST_REGISTRY=os.path.join(out, 'registry.bin'), GST_DEBUG='vth264enc:5',
               GST_DEBUG_NO_COLOR='1')
    frame_bytes = bench.frame_size(inp.width, inp.height)
    cmd = ['gst-launch-1.0', '-q', 'filesrc', f'location={inp.path}', f'blocksize={frame_bytes}',
           '!', 'rawvideoparse', f'width={inp.width}', f'height={inp.height}', 'format=i420',
           f'framerate={fps}/1', '!', 'clocksync', '!', 'vth264enc', 'realtime=true',
           f'bitrate={kbps}', '!', 'video/x-h264,stream-format=avc,alignment=au', '!',
           'h264parse', '!', 'matroskamux', '!', 'filesink', f'location={mkv}']
    busy = [float(x) for x in a.busy.split(':')] if a.busy else None
    print(f'{a.size} {kbps} kbit/s, {a.seconds} s, busy loop {busy or "none"}: {" ".join(cmd)}')
    with open(log_path, 'w') as log:
        t0 = time.monotonic()
        gst = subprocess.Popen(cmd, env=env, stderr=log, stdout=subprocess.DEVNULL)
        loop = None
        if busy:
            time.sleep(max(0.0, busy[0] - (time.monotonic() - t0)))
            loop = subprocess.Popen(['sh', '-c', 'while :; do :; done'])
            time.sleep(max(0.0, busy[1] - (time.monotonic() - t0)))
            loop.send_signal(signal.SIGKILL)
            loop.wait()
        gst.wait()
    frames = []
    with open(log_path, errors='replace') as log:
        for line in log:
            m = FRAME_LINE.search(line)
            if m:
                frames.append(tuple(float(g) for g in m.groups()))
    if not frames:
        sys.exit(f'no governor lines in {log_path}: is realtime=true governed?')
    t_first = frames[0][0]
    # PSNR of every frame against the source, aligned by timestamp as tests/bench/live.py does: a
    # dropped frame is compared as the one before it, held (what a player shows).
    stats = os.path.join(out, 'psnr.txt')
    rate = f'{fps}/1'
    graph = (f'[0:v]fps={rate}:start_time=0:round=near,setpts=N/({rate}*TB)[e];'
             f'[1:v]setpts=N/({rate}*TB)[r];[e][r]psnr=stats_file={stats}')
    subprocess.run(['ffmpeg', '-hide_banner', '-loglevel', 'error', '-y', '-copyts', '-i', mkv] +
                   inp.ffmpeg_args() + ['-lavfi', graph, '-f', 'null', '-'], check=True)
    psnr = []
    with open(stats) as f:
        for line in f:
            m = re.search(r'psnr_avg:([0-9.inf]+)', line)
            psnr.append(float(m.group(1)) if m and m.group(1) != 'inf' else 100.0)
    levels = [f[1] for f in frames]
    print(f'{len(frames)} of {inp.frames} frames encoded; level min {min(levels):.0f} '
          f'max {max(levels):.0f}; mean PSNR {sum(psnr) / len(psnr):.2f} dB')
    if busy:
        inside = [f for f in frames if busy[0] <= f[0] - t_first < busy[1]]
        outside = [f for f in frames if not busy[0] <= f[0] - t_first < busy[1]]
        for name, part in (('busy', inside), ('quiet', outside)):
            if part:
                print(f'  {name}: mean level {sum(p[1] for p in part) / len(part):.1f}, mean '
                      f'encode {sum(p[2] for p in part) / len(part):.1f} ms, max lag '
                      f'{max(p[4] for p in part):.1f} ms')
    try:
        import matplotlib
        matplotlib.use('Agg')
        import matplotlib.pyplot as plt
    except ImportError:
        print('no matplotlib: no plot')
        return
    fig, ax = plt.subplots(3, 1, figsize=(9, 7), sharex=True)
    t = [f[0] - t_first for f in frames]
    ax[0].step(t, levels, where='post')
    ax[0].set_ylabel('speed level')
    ax[1].plot(t, [f[2] for f in frames], lw=0.5, alpha=0.5, label='per frame')
    ax[1].plot(t, [f[3] for f in frames], label='smoothed')
    ax[1].axhline(1000 / fps, color='k', ls=':', lw=1, label='frame interval')
    ax[1].set_ylabel('encode ms')
    ax[1].legend(loc='upper right', fontsize='small')
    ax[2].plot([i / fps for i in range(len(psnr))], psnr, lw=0.7)
    ax[2].set_ylabel('PSNR dB')
    ax[2].set_xlabel('stream time (s)')
    for x in ax:
        if busy:
            x.axvspan(busy[0], busy[1], color='0.85', zorder=0)
    fig.suptitle(f'vth264enc realtime=true, {a.size}30 live at {kbps} kbit/s'
                 + (f', busy loop on one core {busy[0]:g}-{busy[1]:g} s' if busy else ''))
    fig.tight_layout()
    png = os.path.join(out, 'realtime-trace.png')
    fig.savefig(png, dpi=90)
    print(f'plot: {png}')


if __name__ == '__main__':
    main()
