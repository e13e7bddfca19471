#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Bit-rate steps every 200 ms: vth265enc against x265enc (issue 16, "Measured").

Plays the generated 720p clip (bench.py's, cached) through each encoder as fast as it goes and,
from a pad probe on the encoder's sink pad, sets its `bitrate` before the first frame of every
200 ms of PTS to the next value of a fixed schedule (2000, 1200, 600, 1600, 800, 2400, 1000,
1400 kbit/s, repeating), the pace a congestion controller changes its rate at. Then, from the
output (ffprobe packets): key frames after the first, frames out, the total bit rate against the
mean ask, the per-window error (bits with PTS in a 200 ms window against the window's ask), how
many times the encoder opened x265 (x265opts.c as LD_PRELOAD), and PSNR/SSIM against the
source. A benchmark, not a test: nothing here fails on a number.

Both run a live configuration without B-frames (vth265enc allow-frame-reordering=false, which
is what lets it take a new rate through x265's zones; with B-frames it restarts x265 on a change).
x265enc gets the same settings as in bench.py --codec h265 (preset, tune, keyint, closed GOP,
vbv-maxrate = the ask with a 2 s buffer) plus bframes=0, its option-string updated with each ask
so that its VBV follows the rate as vth265enc's does; vth265enc gets `bitrate` only.

    tests/bench/steps.py [--presets veryfast] [--runs 2] [--size 720p] [--seconds 10]

Needs python3-gi (GStreamer's introspection bindings) besides what bench.py needs.
"""

import argparse
import csv
import os
import statistics
import subprocess
import sys

import gi

gi.require_version('Gst', '1.0')
from gi.repository import GLib, Gst  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import bench  # noqa: E402

SCHEDULE = (2000, 1200, 600, 1600, 800, 2400, 1000, 1400)  # kbit/s, one per 200 ms window
WINDOW_NS = 200 * Gst.MSECOND
ENCODERS = ('vth265enc', 'x265enc')


def ask(window):
    return SCHEDULE[window % len(SCHEDULE)]


def element_desc(enc, preset, tune, inp):
    k = ask(0)
    if enc == 'vth265enc':
        return (f'vth265enc name=enc bitrate={k} rate-control=abr speed-preset={preset} '
                f'tune={tune} threads=0 max-keyframe-interval={max(inp.frames * 10, 100000)} '
                'allow-frame-reordering=false')
    return (f'x265enc name=enc bitrate={k} speed-preset={preset} tune={tune} '
            f'key-int-max={bench.X265_KEYINT_INFINITE} option-string="{x265_options(k)}"')


def x265_options(k):
    return (f'vbv-maxrate={k}:vbv-bufsize={k * bench.VBV_BUFFER_MS // 1000}:open-gop=0:'
            'bframes=0')


def run_one(enc, preset, tune, inp, mp4):
    """Runs the pipeline; returns the asks set, in order, as (PTS ns, kbit/s)."""
    desc = (f'filesrc location={inp.path} ! rawvideoparse {" ".join(inp.rawvideoparse())} ! '
            f'{element_desc(enc, preset, tune, inp)} ! h265parse ! mp4mux ! '
            f'filesink location={mp4}')
    pipe = Gst.parse_launch(desc)
    e = pipe.get_by_name('enc')
    state = {'window': 0, 'asks': [(0, ask(0))]}

    def probe(pad, info):
        buf = info.get_buffer()
        if buf and buf.pts != Gst.CLOCK_TIME_NONE:
            w = buf.pts // WINDOW_NS
            if w != state['window']:
                state['window'] = w
                k = ask(w)
                if enc == 'x265enc':
                    e.set_property('option-string', x265_options(k))
                e.set_property('bitrate', k)
                state['asks'].append((buf.pts, k))
        return Gst.PadProbeReturn.OK

    e.get_static_pad('sink').add_probe(Gst.PadProbeType.BUFFER, probe)
    loop = GLib.MainLoop()
    err = []

    def on_msg(bus, msg):
        if msg.type == Gst.MessageType.EOS:
            loop.quit()
        elif msg.type == Gst.MessageType.ERROR:
            err.append(msg.parse_error()[0].message)
            loop.quit()

    bus = pipe.get_bus()
    bus.add_signal_watch()
    bus.connect('message', on_msg)
    pipe.set_state(Gst.State.PLAYING)
    loop.run()
    pipe.set_state(Gst.State.NULL)
    bus.remove_signal_watch()
    if err:
        raise RuntimeError(f'{enc}: {err[0]}')
    return state['asks']


def packets(mp4):
    out = subprocess.run(['ffprobe', '-v', 'error', '-select_streams', 'v:0', '-show_entries',
                          'packet=pts_time,size,flags', '-of', 'csv=p=0', mp4],
                         check=True, stdout=subprocess.PIPE, text=True).stdout
    pk = []
    for line in out.split():
        p = line.split(',')
        if len(p) >= 3 and p[0] not in ('', 'N/A'):
            pk.append((float(p[0]), int(p[1]), 'K' in p[2]))
    pk.sort()
    return pk


def measure(mp4, inp):
    pk = packets(mp4)
    t0 = pk[0][0] if pk else 0.0  # mp4mux may start PTS at the reorder delay
    nwin = int(round(inp.seconds / (WINDOW_NS / Gst.SECOND)))
    bits = [0] * nwin
    for pts, size, _ in pk:
        w = int((pts - t0 + 1e-6) // (WINDOW_NS / Gst.SECOND))
        if 0 <= w < nwin:
            bits[w] += size * 8
    asks = [ask(w) for w in range(nwin)]
    errs = [b / (k * 1000 * WINDOW_NS / Gst.SECOND) - 1 for b, k in zip(bits, asks)]
    total_kbps = sum(p[1] for p in pk) * 8 / inp.seconds / 1000
    return {
        'frames': len(pk),
        'keyframes_after_first': sum(1 for p in pk[1:] if p[2]),
        'kbps': total_kbps, 'mean_ask': statistics.mean(asks),
        'window_mae': statistics.mean(abs(x) for x in errs),
        'window_kbps': [b / 1000 / (WINDOW_NS / Gst.SECOND) for b in bits],
    }


def quality_cell(rs, key, f, inp):
    """Median over the runs with every frame out: ffmpeg pairs frames by index, so a stream
    with frames missing is compared against the wrong pictures."""
    vals = [r[key] for r in rs if r[key] is not None and r['frames'] == inp.frames]
    return f.format(statistics.median(vals)) if vals else 'n/a (frames lost)'


def main():
    ap = argparse.ArgumentParser(description='bitrate every 200 ms: vth265enc vs x265enc')
    ap.add_argument('--build', default=os.environ.get('BUILD_DIR', os.path.join(bench.ROOT,
                                                                                 'build')))
    ap.add_argument('--out')
    ap.add_argument('--size', default='720p', choices=sorted(bench.SYNTHETIC))
    ap.add_argument('--fps', type=int, default=25)
    ap.add_argument('--seconds', type=float, default=10)
    ap.add_argument('--presets', default='veryfast')
    ap.add_argument('--tune', default='psnr')
    ap.add_argument('--runs', type=int, default=2)
    ap.add_argument('--window-ms', type=int, default=200,
                    help='time between bit-rate changes, in ms of PTS (default 200)')
    ap.add_argument('--encoders', default=','.join(ENCODERS))
    a = ap.parse_args()
    global WINDOW_NS
    WINDOW_NS = a.window_ms * Gst.MSECOND
    build = os.path.abspath(a.build)
    out = os.path.abspath(a.out or os.path.join(build, 'steps'))
    cache = os.path.join(build, 'bench-inputs')
    os.makedirs(out, exist_ok=True)
    os.makedirs(cache, exist_ok=True)
    bench.C = bench.CODECS['h265']
    inp = bench.make_synthetic(a.size, cache, a.fps, a.seconds)

    # The x265 open counter, and this project's plugin; both must be in place before Gst.init
    # (the shim through a re-exec: LD_PRELOAD is read at process start).
    shim = os.path.join(out, 'libx265opts.so')
    if os.environ.get('STEPS_SHIM') != shim:
        subprocess.run([os.environ.get('CC', 'cc'), '-shared', '-fPIC', '-O2', '-o', shim,
                        os.path.join(HERE, 'x265opts.c'), '-ldl', '-lpthread'], check=True)
        env = dict(os.environ, STEPS_SHIM=shim, LD_PRELOAD=shim,
                   GST_PLUGIN_PATH=os.path.join(build, 'plugin'),
                   GST_REGISTRY=os.path.join(out, 'registry.bin'))
        env.pop('GST_PLUGIN_PATH_1_0', None)
        os.execve(sys.executable, [sys.executable] + sys.argv, env)
    Gst.init(None)

    rows = []
    encs = [e for e in a.encoders.split(',') if e]
    for preset in [p for p in a.presets.split(',') if p]:
        for run_i in range(1, a.runs + 1):
            for enc in encs:
                stem = os.path.join(out, f'{a.size}-{preset}-{a.window_ms}ms-{enc}-r{run_i}')
                mp4, opts = stem + '.mp4', stem + '.x265opts'
                for f in (mp4, opts):
                    if os.path.exists(f):
                        os.remove(f)
                os.environ['BENCH_X264_OPTS'] = opts
                asks = run_one(enc, preset, a.tune, inp, mp4)
                m = measure(mp4, inp)
                with open(opts) as f:
                    m['x265_opens'] = sum(1 for ln in f if ln.strip())
                m['psnr_y'], m['psnr'], m['ssim'] = bench.quality(mp4, inp)
                m.update(encoder=enc, preset=preset, run=run_i, changes=len(asks) - 1)
                rows.append(m)
                bench.log(f'{preset} {enc} run {run_i}: {m["changes"]} changes, '
                          f'{m["keyframes_after_first"]} key frames after the first, '
                          f'{m["x265_opens"]} x265 opens, {m["frames"]}/{inp.frames} frames, '
                          f'{m["kbps"]:.0f} kbit/s (ask {m["mean_ask"]:.0f}), window error '
                          f'{m["window_mae"] * 100:.0f}%, PSNR {m["psnr"]}')

    with open(os.path.join(out, 'runs.csv'), 'w', newline='') as f:
        keys = [k for k in rows[0] if k != 'window_kbps']
        w = csv.writer(f)
        w.writerow(keys + [f'w{i}' for i in range(len(rows[0]['window_kbps']))])
        for r in rows:
            w.writerow([r[k] for k in keys] + [f'{x:.0f}' for x in r['window_kbps']])
    lines = [f'## Bit rate every {a.window_ms} ms: {inp.width}x{inp.height} {inp.fps:g} fps, '
             f'{inp.frames} frames, {a.runs} runs per encoder\n',
             f'Schedule (kbit/s, one per {a.window_ms} ms of PTS, repeating): {", ".join(map(str, SCHEDULE))}'
             f'; mean ask over the clip {rows[0]["mean_ask"]:.0f}. Window error: mean over the '
             f'{len(rows[0]["window_kbps"])} windows of |bits in the window / ask - 1|.\n',
             '| preset | encoder | bitrate changes | key frames after the first | x265 opens | '
             'frames out | kbit/s (vs mean ask) | window error | PSNR dB | SSIM |',
             '|---|---|---|---|---|---|---|---|---|---|']
    for preset in [p for p in a.presets.split(',') if p]:
        for enc in encs:
            rs = [r for r in rows if r['encoder'] == enc and r['preset'] == preset]

            def span(key, f='{:.0f}'):
                vals = sorted({f.format(r[key]) for r in rs}, key=float)
                return vals[0] if len(vals) == 1 else f'{vals[0]}–{vals[-1]}'
            kb = statistics.median(r['kbps'] for r in rs)
            lines.append(
                f'| {preset} | {enc} | {span("changes")} | {span("keyframes_after_first")} | '
                f'{span("x265_opens")} | {span("frames")} of {inp.frames} | {kb:.0f} '
                f'({(kb / rs[0]["mean_ask"] - 1) * 100:+.1f}%) | '
                f'{statistics.median(r["window_mae"] for r in rs) * 100:.0f}% | '
                f'{quality_cell(rs, "psnr", "{:.3f}", inp)} | '
                f'{quality_cell(rs, "ssim", "{:.4f}", inp)} |')
    table = '\n'.join(lines) + '\n'
    with open(os.path.join(out, 'results.md'), 'w') as f:
        f.write(table)
    print(table)
    print(f'per-window kbit/s: {out}/runs.csv')


if __name__ == '__main__':
    main()
