#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""The live benchmark (issue 14): vth264enc realtime=true against x264enc tune=zerolatency at each
preset and openh264enc, in a live pipeline; with --codec h265, vth265enc realtime=true against
x265enc tune=zerolatency at each preset.

A raw clip is played at its frame rate through clocksync into the encoder (no queue: a slow encoder
holds the source back, as a live source's late frames would queue up), and livelat.c (compiled at
start) records, on the pipeline clock, when each frame enters and leaves the encoder and the
latency the encoder reports. Per run: frames late (leaving the encoder more than one frame
interval after its PTS plus the reported latency; the first second not counted), frames dropped
(never out), median, 95th percentile and maximum latency, kbit/s, PSNR and SSIM against the source
(ffmpeg, the decoded output held over dropped frames). Scenarios: each setting alone at 720p30 and
1080p30; the same with a busy loop on one core; four 720p30 streams at once. Prints markdown
tables and whether each target of the issue is met, and writes a plot.

See tests/bench/README.md and docs/live.md. A benchmark, not a test: nothing here fails a build.
"""

import argparse
import csv
import math
import os
import re
import shutil
import statistics
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.abspath(os.path.join(HERE, '..', '..'))
sys.path.insert(0, HERE)
import bench  # noqa: E402  (inputs, element checks and formatting are shared with bench.py)

log, fmt = bench.log, bench.fmt

PRESETS = ('ultrafast', 'superfast', 'veryfast', 'faster', 'fast', 'medium')
SCENARIOS = ('alone', 'busy', 'streams')
KEEP_UP = 0.01      # "keeps up": at most 1% of the counted frames late
MAX_REPORTED = 0.1  # target: vth264enc realtime=true reports at most 100 ms
# What differs between the codecs (--codec); main() sets C.
LIVE_CODECS = {
    'h264': {'vt': 'vth264enc', 'ref': 'x264enc', 'caps': 'video/x-h264,stream-format=avc',
             'parser': 'h264parse', 'probe': ('x264opts.c', ['-ldl', '-lx264']),
             'others': ('openh264enc',)},
    'h265': {'vt': 'vth265enc', 'ref': 'x265enc', 'caps': 'video/x-h265,stream-format=hvc1',
             'parser': 'h265parse', 'probe': ('x265opts.c', ['-ldl', '-lpthread']),
             'others': ()},
}
C = LIVE_CODECS['h264']
VTH_RT = 'vth264enc realtime'
VTH_MFD0 = 'vth264enc realtime mfdc=0'


def set_codec(name):
    global C, VTH_RT, VTH_MFD0
    C = LIVE_CODECS[name]
    VTH_RT = f'{C["vt"]} realtime'
    VTH_MFD0 = f'{C["vt"]} realtime mfdc=0'


class Setting:
    def __init__(self, label, element, props, caps=True):
        self.label, self.element, self.props, self.caps = label, element, props, caps

    @property
    def key(self):
        return re.sub(r'[^A-Za-z0-9]+', '-', self.label).strip('-')


def settings_for(kbps, presets, x264_vbv_ms):
    vt = C['vt']
    s = [Setting(VTH_RT, vt, ['realtime=true', f'bitrate={kbps}']),
         Setting(VTH_MFD0, vt, ['realtime=true', 'max-frame-delay-count=0', f'bitrate={kbps}'])]
    if C['ref'] == 'x265enc':
        # x265enc byte-stream only (h265parse makes hvc1 of it). vth265enc's ABR gives x265 a
        # VBV of maxrate = bitrate and a buffer of vbv-ms; x265enc sets none, so it gets the
        # same in its option-string. x265enc reads its tune and preset at value - 1: both given.
        vbv = (f' option-string="vbv-maxrate={kbps}:vbv-bufsize={kbps * x264_vbv_ms // 1000}"'
               if x264_vbv_ms else '')
        for p in presets:
            s.append(Setting(f'x265enc zerolatency {p}', 'x265enc',
                             ['tune=zerolatency', f'speed-preset={p}', f'bitrate={kbps}'] +
                             ([vbv.strip()] if vbv else []), caps=False))
        return s
    for p in presets:
        s.append(Setting(f'x264enc zerolatency {p}', 'x264enc',
                         ['tune=zerolatency', f'speed-preset={p}', f'bitrate={kbps}'] +
                         ([f'vbv-buf-capacity={x264_vbv_ms}'] if x264_vbv_ms else [])))
    # openh264enc produces byte-stream only; h264parse converts it for matroskamux.
    s.append(Setting('openh264enc', 'openh264enc',
                     [f'bitrate={kbps * 1000}', 'rate-control=bitrate', 'gop-size=250'],
                     caps=False))
    return s


def description(inp, setting, mkv):
    caps = f' ! {C["caps"]},alignment=au' if setting.caps else ''
    return (f'filesrc location={inp.path} blocksize={bench.frame_size(inp.width, inp.height)} ! '
            f'rawvideoparse width={inp.width} height={inp.height} format=i420 '
            f'framerate={inp.fps_n}/{inp.fps_d} ! clocksync ! enc. '
            f'{setting.element} name=enc {" ".join(setting.props)}{caps} ! {C["parser"]} ! '
            f'matroskamux ! filesink location={mkv}')


# --- running ------------------------------------------------------------------------------------

class Run:
    """One livelat process: one pipeline, one encoder instance."""

    def __init__(self, scenario, inp, setting, stream, stem):
        self.scenario, self.inp, self.setting, self.stream = scenario, inp, setting, stream
        self.stem = stem
        self.csv, self.mkv, self.log = stem + '.csv', stem + '.mkv', stem + '.log'
        self.rc = None
        self.cpu_s = None
        self.load = None
        self.m = {}

    def start(self, livelat, env, shim, limit_s):
        self.opts = self.stem + '.x264opts'
        for f in (self.csv, self.mkv, self.opts):
            if os.path.exists(f):
                os.remove(f)
        self.load = os.getloadavg()[0]
        self.logf = open(self.log, 'w')
        desc = description(self.inp, self.setting, self.mkv)
        self.logf.write(f'livelat {self.csv} \'{desc}\'\n')
        self.logf.flush()
        env = dict(env)
        if shim and self.setting.element not in C['others']:
            env['LD_PRELOAD'] = shim
            env['BENCH_X264_OPTS'] = self.opts
        self.p = subprocess.Popen([livelat, self.csv, desc, f'{limit_s:g}'], env=env,
                                  stdout=self.logf,
                                  stderr=subprocess.STDOUT)

    def wait(self):
        _, status, ru = os.wait4(self.p.pid, 0)
        self.rc = os.waitstatus_to_exitcode(status)
        self.p.returncode = self.rc
        self.cpu_s = ru.ru_utime + ru.ru_stime
        self.logf.close()


def run_together(runs, livelat, env, shim, limit_s):
    for r in runs:
        r.start(livelat, env, shim, limit_s)
    for r in runs:
        r.wait()


class BusyLoop:
    """One process spinning on one core for as long as it lives."""

    def __enter__(self):
        self.p = subprocess.Popen(['sh', '-c', 'while :; do :; done'])
        time.sleep(0.5)
        return self

    def __exit__(self, *exc):
        self.p.kill()
        self.p.wait()


# --- measurements -------------------------------------------------------------------------------

def percentile(xs, q):
    """Nearest-rank percentile of a sorted list."""
    if not xs:
        return None
    return xs[max(0, math.ceil(q * len(xs)) - 1)]


def analyse(run, skip_s):
    """Latency, late and dropped frames from livelat's records (times in ns).

    A run stopped by the time limit (livelat exit status 3) leaves frames that never came out,
    or never went in: they count as late (not dropped), with the time from their PTS to the stop
    as a lower bound of their latency; the table marks such statistics with >=.
    """
    inp = run.inp
    frame_ns = 1e9 * inp.fps_d / inp.fps_n
    ins, outs, lats, qos, status, end_rt = {}, [], [], 0, '', None
    with open(run.csv) as f:
        for row in csv.reader(f):
            if row[0] == 'in':
                pts_rt, clock_rt = int(row[3]), int(row[4])
                ins.setdefault(round(pts_rt / frame_ns), (pts_rt, clock_rt))
            elif row[0] == 'out':
                outs.append((int(row[4]), int(row[5]), int(row[6])))  # pts_rt, clock_rt, size
            elif row[0] == 'latency':
                lats.append((int(row[1]), max(0, int(row[3]))))   # seen at, own min latency
            elif row[0] == 'qos':
                qos += 1
            elif row[0] == 'end':
                status = row[1]
                end_rt = int(row[2]) if len(row) > 2 and row[2].lstrip('-').isdigit() else None
    timeout = status == 'timeout'
    out_at = {}
    for pts_rt, clock_rt, _ in outs:
        out_at.setdefault(round(pts_rt / frame_ns), clock_rt)

    def reported(t):
        v = lats[0][1] if lats else 0
        for seen, lat in lats:
            if seen <= t:
                v = lat
        return v

    skip_ns = skip_s * 1e9
    counted = late = dropped = censored = 0
    latencies, lags, per_frame = [], [], []
    for i in range(inp.frames):
        pts_rt, arrive = ins.get(i, (round(i * frame_ns), None))
        out = out_at.get(i)
        if out is not None:
            per_frame.append((pts_rt / 1e9, (out - pts_rt) / 1e6))
        if pts_rt < skip_ns:
            continue
        counted += 1
        if arrive is not None:
            lags.append((arrive - pts_rt) / 1e6)
        if out is None and timeout:
            censored += 1
            late += 1
            latencies.append(max(0, end_rt - pts_rt) / 1e6)
            continue
        if out is None:
            dropped += 1
            continue
        lat = out - pts_rt
        latencies.append(lat / 1e6)
        if lat > reported(out) + frame_ns:
            late += 1
    latencies.sort()
    lags.sort()
    reps = sorted({lat for _, lat in lats})
    run.m = {
        'frames_in': len(ins), 'frames_out': len(outs), 'counted': counted, 'late': late,
        'dropped': dropped, 'dropped_all': len(set(ins) - set(out_at)) if not timeout else None,
        'unmatched_out': len(set(out_at) - set(ins)), 'qos': qos, 'end': status,
        'censored': censored, 'stopped_s': end_rt / 1e9 if timeout and end_rt else None,
        'lat_med': statistics.median(latencies) if latencies else None,
        'lat_p95': percentile(latencies, 0.95), 'lat_max': latencies[-1] if latencies else None,
        'reported_ms': [r / 1e6 for r in reps],
        'lag_med': statistics.median(lags) if lags else None, 'lag_max': lags[-1] if lags else None,
        # over the clip; over the frames out for a stopped run
        'kbps': sum(o[2] for o in outs) * 8 * inp.fps / 1000 /
        (len(outs) if timeout and outs else inp.frames),
        'per_frame': per_frame,
        'psnr': None, 'psnr_y': None, 'ssim': None, 'psnr_frames': [], 'compared': None,
    }
    run.m['keeps_up'] = counted > 0 and late <= KEEP_UP * counted and run.rc in (0, 3)
    return run.m


def quality(run):
    """PSNR and SSIM of the decoded output against the source, aligned by timestamp.

    The decoded frames go through fps=RATE:start_time=0, which puts them on the source's frame
    grid by their timestamps: a frame the encoder dropped is replaced by the one before it (what a
    player shows), a missing first frame by the first one out, missing last frames by the last one
    out (the psnr and ssim filters repeat the shorter input's last frame). The source is numbered
    0, 1, 2... at the same rate. Per-frame PSNR comes from the psnr filter's stats file.
    """
    inp = run.inp
    fps = f'{inp.fps_n}/{inp.fps_d}'
    stats = run.stem + '.psnr.log'
    graph = (f'[0:v]fps={fps}:start_time=0:round=near,setpts=N/({fps}*TB),split[e1][e2];'
             f'[1:v]setpts=N/({fps}*TB),split[r1][r2];'
             f'[e1][r1]psnr=stats_file={stats};[e2][r2]ssim')
    # -copyts: keep the file's timestamps (the running time matroskamux wrote); without it ffmpeg
    # moves the first frame out to 0, which shifts everything when the first frame was dropped.
    r = subprocess.run(['ffmpeg', '-hide_banner', '-nostats', '-copyts', '-i', run.mkv] +
                       inp.ffmpeg_args() +
                       ['-lavfi', graph, '-f', 'null', '-'], stdout=subprocess.PIPE,
                       stderr=subprocess.STDOUT, text=True)
    m = re.search(r'PSNR y:([\d.inf]+) u:[\d.inf]+ v:[\d.inf]+ average:([\d.inf]+)', r.stdout)
    s = re.search(r'SSIM Y:[\d.]+ .*?All:([\d.]+)', r.stdout)
    if not m or not s:
        log(f'ffmpeg could not measure {run.mkv}:\n{r.stdout[-2000:]}')
        return
    run.m['psnr_y'], run.m['psnr'], run.m['ssim'] = float(m.group(1)), float(m.group(2)), \
        float(s.group(1))
    psnr_frames(run)


def psnr_frames(run):
    """Per-frame PSNR (frame number from 0, dB) from the psnr filter's stats file."""
    frames = []
    stats = run.stem + '.psnr.log'
    if os.path.exists(stats):
        with open(stats) as f:
            for line in f:
                n = re.search(r'n:(\d+)', line)
                p = re.search(r'psnr_avg:([\d.inf]+)', line)
                if n and p:
                    frames.append((int(n.group(1)) - 1, float(p.group(1))))
    run.m['psnr_frames'] = frames
    run.m['compared'] = len(frames) or None


def load_runs(path, scenario, inp, setting, streams, out, skip):
    """The runs of one row from an earlier run's runs.csv and records (--report-only)."""
    rows = {}
    if os.path.exists(path):
        with open(path, newline='') as f:
            for row in csv.DictReader(f):
                rows[(row['scenario'], row['input'], row['setting'], row['stream'])] = row
    runs = []
    for k in range(1, streams + 1):
        row = rows.get((scenario, inp.name, setting.label, str(k)))
        r = Run(scenario, inp, setting, k, os.path.join(out, f'{scenario}-{inp.name}-'
                                                             f'{setting.key}-s{k}'))
        if row is None or not os.path.exists(r.csv):
            continue
        r.rc, r.cpu_s, r.load = int(row['rc']), float(row['cpu_s']), float(row['load'])
        r.opts = r.stem + '.x264opts'
        analyse(r, skip)
        for key in ('psnr', 'psnr_y', 'ssim'):
            r.m[key] = float(row[key]) if row.get(key) else None
        psnr_frames(r)
        runs.append(r)
    return runs


# --- report -------------------------------------------------------------------------------------

def ms(x):
    return fmt(x, '{:.0f}') if x is None or x >= 10 else fmt(x, '{:.1f}')


def reported_str(m):
    r = m['reported_ms']
    return '–' if not r else ' / '.join(ms(x) for x in r)


def table(title, runs, settings, streams):
    lines = [f'\n### {title}\n',
             '| encoder | late | dropped | latency median / 95th / max ms | reported ms | '
             'kbit/s | PSNR dB | SSIM | keeps up | in lag median / max ms | CPU ms/frame | load |',
             '|---|---|---|---|---|---|---|---|---|---|---|---|']
    for st in settings:
        rs = [r for r in runs if r.setting.key == st.key]
        if not rs:
            continue
        if streams == 1:
            r = rs[0]
            m = r.m
            fail = '' if r.rc == 0 else f' (stopped at {m["stopped_s"]:.0f} s)' if r.rc == 3 \
                else f' (rc {r.rc}: {m.get("end", "")})'
            ge = '≥' if m['censored'] else ''
            lines.append(
                f'| {st.label}{fail} | {m["late"]} of {m["counted"]} | {m["dropped"]} | '
                f'{ge}{ms(m["lat_med"])} / {ge}{ms(m["lat_p95"])} / {ge}{ms(m["lat_max"])} | '
                f'{reported_str(m)} | {fmt(m["kbps"], "{:.0f}")} | {fmt(m["psnr"], "{:.2f}")} | '
                f'{fmt(m["ssim"], "{:.4f}")} | {"yes" if m["keeps_up"] else "**no**"} | '
                f'{ms(m["lag_med"])} / {ms(m["lag_max"])} | '
                f'{fmt(1000 * r.cpu_s / max(1, m["frames_in"]), "{:.1f}")} | '
                f'{r.load:.1f} |')
        else:
            ms_ = [r.m for r in rs]
            worst = max(ms_, key=lambda m: (m['lat_p95'] or 0))
            ge = '≥' if any(m['censored'] for m in ms_) else ''
            psnr = min((m['psnr'] for m in ms_ if m['psnr'] is not None), default=None)
            ssim = min((m['ssim'] for m in ms_ if m['ssim'] is not None), default=None)
            lines.append(
                f'| {st.label} x{len(rs)} | {", ".join(str(m["late"]) for m in ms_)} of '
                f'{ms_[0]["counted"]} | {", ".join(str(m["dropped"]) for m in ms_)} | '
                f'{" ".join(("≥" if m["censored"] else "") + ms(m["lat_med"]) for m in ms_)} / '
                f'{ge}{ms(max((m["lat_p95"] or 0) for m in ms_))} / '
                f'{ge}{ms(max((m["lat_max"] or 0) for m in ms_))} | {reported_str(worst)} | '
                f'{fmt(statistics.mean(m["kbps"] for m in ms_), "{:.0f}")} | '
                f'{fmt(psnr, "{:.2f}")} | {fmt(ssim, "{:.4f}")} | '
                f'{sum(m["keeps_up"] for m in ms_)} of {len(rs)} | '
                f'{ms(max((m["lag_med"] or 0) for m in ms_))} / '
                f'{ms(max((m["lag_max"] or 0) for m in ms_))} | '
                f'{fmt(1000 * sum(r.cpu_s for r in rs) / max(1, ms_[0]["frames_in"]), "{:.1f}")} | '
                f'{rs[0].load:.1f} |')
    return lines


def targets(scenario, size, runs, frame_ms):
    """The issue's targets that apply to this scenario and size, each (text, met); met is None
    where the target cannot be judged (no reference preset kept up to compare PSNR with)."""
    vt, ref = C['vt'], C['ref']
    by = {}
    for r in runs:
        by.setdefault(r.setting.label, []).append(r.m)
    out = []
    vth = by.get(VTH_RT)
    if vth:
        late = (f'{", ".join(str(m["late"]) for m in vth)} of {vth[0]["counted"]} late, '
                f'{", ".join(str(m["dropped"]) for m in vth)} dropped')
        what = 'every stream keeps up' if len(vth) > 1 else 'keeps up'
        out.append((f'{size} {scenario}: {vt} realtime=true {what} (at most 1% late): {late}',
                    all(m['keeps_up'] for m in vth)))
        if scenario == 'alone':
            rep = max((max(m['reported_ms'], default=0) for m in vth), default=0)
            out.append((f'{size}: {vt} realtime=true reports at most 100 ms: {rep:.0f} ms',
                        rep <= MAX_REPORTED * 1000))
            x = [(label, ms_[0]) for label, ms_ in by.items()
                 if label.startswith(C['ref']) and ms_[0]['keeps_up'] and ms_[0]['psnr']]
            v = vth[0]
            if v['psnr'] is None:
                out.append((f'{size}: PSNR vs {ref}: no PSNR for {vt}', False))
            elif not x:
                out.append((f'{size}: PSNR vs the best {ref} zerolatency preset that keeps up: '
                            f'no preset kept up; {vt} {v["psnr"]:.2f} dB', None))
            else:
                label, best = max(x, key=lambda lm: lm[1]['psnr'])
                out.append((f'{size}: {vt} realtime=true PSNR {v["psnr"]:.2f} dB '
                            f'({v["kbps"]:.0f} kbit/s) >= best {ref} zerolatency preset that '
                            f'keeps up, {label.split()[-1]}: {best["psnr"]:.2f} dB '
                            f'({best["kbps"]:.0f} kbit/s)', v['psnr'] >= best['psnr']))
    mfd = by.get(VTH_MFD0)
    if mfd and scenario == 'alone':
        med = [m['lat_med'] for m in mfd]
        out.append((f'{size}: {vt} max-frame-delay-count=0 median latency under one frame '
                    f'interval ({frame_ms:.1f} ms): ' + ', '.join(f'{x:.1f} ms' for x in med
                                                                  if x is not None),
                    all(x is not None and x < frame_ms for x in med)))
    return out


def plot(groups, path, skip):
    """Per scenario and size: latency per frame over time, PSNR per frame, and a summary of
    median latency (bar to the 95th percentile) against PSNR per encoder. The first
    skip seconds (not counted) are shaded."""
    try:
        import matplotlib
        matplotlib.use('Agg')
        import matplotlib.pyplot as plt
    except ImportError:
        log('matplotlib is missing (Debian: python3-matplotlib): no plot')
        return False
    n = len(groups)
    fig, axes = plt.subplots(n, 3, figsize=(16, 3.6 * n), squeeze=False)
    cmap = plt.get_cmap('tab10')
    for row, (title, runs, settings) in enumerate(groups):
        ax_l, ax_p, ax_s = axes[row]
        for i, st in enumerate(settings):
            rs = [r for r in runs if r.setting.key == st.key]
            color = cmap(i % 10)
            ls = '-' if st.element == C['vt'] else ('--' if st.element == C['ref'] else ':')
            for j, r in enumerate(rs):
                pf = sorted(r.m['per_frame'])
                lab = st.label if j == 0 else None
                if pf:
                    ax_l.plot([p[0] for p in pf], [max(p[1], 0.1) for p in pf], color=color,
                              ls=ls, lw=0.8, label=lab)
                if r.m['psnr_frames']:
                    fps = r.inp.fps
                    ax_p.plot([n / fps for n, _ in r.m['psnr_frames']],
                              [p for _, p in r.m['psnr_frames']], color=color, ls=ls, lw=0.7,
                              label=lab)
                m = r.m
                if m['lat_med'] is not None and m['psnr'] is not None:
                    ax_s.errorbar([m['lat_med']], [m['psnr']],
                                  xerr=[[0], [max(0, m['lat_p95'] - m['lat_med'])]],
                                  color=color, marker='o' if m['keeps_up'] else 'x', ms=5,
                                  capsize=2, label=lab)
        for ax in (ax_l, ax_p):
            ax.axvspan(0, skip, color='0.9', lw=0)
        ax_l.set_yscale('log')
        ax_l.set_title(f'{title}: latency per frame', fontsize=9)
        ax_l.set_xlabel('PTS (s)', fontsize=8)
        ax_l.set_ylabel('out of the encoder - PTS (ms)', fontsize=8)
        ax_p.set_title(f'{title}: PSNR per frame', fontsize=9)
        ax_p.set_xlabel('PTS (s)', fontsize=8)
        ax_p.set_ylabel('PSNR (dB, Y U V average)', fontsize=8)
        ax_s.set_xscale('log')
        ax_s.set_title(f'{title}: PSNR vs latency', fontsize=9)
        ax_s.set_xlabel('latency (ms): median, bar to the 95th percentile; x = not keeping up',
                        fontsize=8)
        ax_s.set_ylabel('PSNR (dB)', fontsize=8)
        for ax in (ax_l, ax_p, ax_s):
            ax.grid(True, lw=0.3, which='both')
            ax.tick_params(labelsize=7)
        ax_s.legend(fontsize=6, loc='best')
    fig.tight_layout()
    fig.savefig(path, dpi=80)
    return True


def write_runs_csv(runs, path):
    keys = ['scenario', 'input', 'setting', 'stream', 'rc', 'load', 'cpu_s', 'frames_in',
            'frames_out', 'counted', 'late', 'dropped', 'dropped_all', 'unmatched_out', 'qos',
            'end', 'censored', 'stopped_s',
            'lat_med', 'lat_p95', 'lat_max', 'reported_ms', 'lag_med', 'lag_max', 'kbps', 'psnr',
            'psnr_y', 'ssim', 'compared', 'keeps_up']
    with open(path, 'w', newline='') as f:
        w = csv.writer(f)
        w.writerow(keys)
        for r in runs:
            m = r.m
            w.writerow([r.scenario, r.inp.name, r.setting.label, r.stream, r.rc, r.load, r.cpu_s]
                       + [(' '.join(f'{x:g}' for x in m[k]) if k == 'reported_ms' else m.get(k))
                          for k in keys[7:]])


# --- main ---------------------------------------------------------------------------------------

def main():
    ap = argparse.ArgumentParser(description='The live benchmark (issue 14): latency, late and '
                                 'dropped frames, bit rate, PSNR and SSIM of live encoders.')
    ap.add_argument('--codec', choices=sorted(LIVE_CODECS), default='h264',
                    help='h264: vth264enc, x264enc, openh264enc (default); h265: vth265enc, '
                    'x265enc')
    ap.add_argument('--build', default=os.environ.get('BUILD_DIR', os.path.join(ROOT, 'build')),
                    help='build directory; vth264enc from BUILD/plugin (default: $BUILD_DIR or '
                    'build/)')
    ap.add_argument('--out', help='output directory (default: BUILD/live)')
    ap.add_argument('--sizes', default='720p,1080p', help='720p, 1080p (generated, cached)')
    ap.add_argument('--presets', default=','.join(PRESETS),
                    help='x264enc (x265enc) tune=zerolatency speed presets')
    ap.add_argument('--bpp', type=float, default=0.1,
                    help='bit rate in bits per pixel at the frame rate (default 0.1: 2800 kbit/s '
                    'at 720p30, 6200 at 1080p30)')
    ap.add_argument('--bitrate', help='kbit/s per size instead of --bpp, e.g. 2800,6200')
    ap.add_argument('--x264-vbv-ms', type=int, default=bench.VBV_BUFFER_MS,
                    help='x264enc vbv-buf-capacity (default 2000, the VBV buffer vth264enc gives '
                    'x264 in ABR; 0 = x264enc\'s own default, 600); with --codec h265 the '
                    'vbv-bufsize x265enc gets in its option-string (0: none)')
    ap.add_argument('--fps', type=int, default=30)
    ap.add_argument('--seconds', type=float, default=20, help='clip length (default 20: 600 '
                    'frames)')
    ap.add_argument('--skip', type=float, default=1.0,
                    help='seconds at the start not counted (default 1)')
    ap.add_argument('--scenarios', default=','.join(SCENARIOS),
                    help='alone (each setting by itself), busy (a busy loop on one core), '
                    'streams (several 720p streams at once)')
    ap.add_argument('--limit', type=float,
                    help='stop a pipeline at this running time in s (default: twice the clip '
                    'plus 10 s); the frames not out by then count as late')
    ap.add_argument('--streams', type=int, default=4, help='streams at once (default 4)')
    ap.add_argument('--streams-size', default='720p')
    ap.add_argument('--only', help='run only the settings whose label contains one of these '
                    'comma-separated words')
    ap.add_argument('--no-quality', action='store_true', help='skip PSNR and SSIM')
    ap.add_argument('--report-only', action='store_true',
                    help='run nothing: make the tables, targets and plot again from the records '
                    'and runs.csv in --out (e.g. with another --skip); give the same --sizes, '
                    '--presets, --scenarios and --streams as the run')
    ap.add_argument('--quick', action='store_true',
                    help='a few minutes: 720p, presets ultrafast,veryfast, a 10 s clip')
    a = ap.parse_args()
    set_codec(a.codec)
    if a.quick:
        a.sizes, a.presets, a.seconds = '720p', 'ultrafast,veryfast', min(a.seconds, 10)

    t_start = time.monotonic()
    build = os.path.abspath(a.build)
    out = os.path.abspath(a.out or os.path.join(build, 'live' if a.codec == 'h264' else
                                                 f'live-{a.codec}'))
    cache = os.path.join(build, 'bench-inputs')
    os.makedirs(out, exist_ok=True)
    os.makedirs(cache, exist_ok=True)
    sizes = [s for s in a.sizes.split(',') if s]
    presets = [p for p in a.presets.split(',') if p]
    scenarios = [s for s in a.scenarios.split(',') if s]
    for s in sizes + [a.streams_size]:
        if s not in bench.SYNTHETIC:
            sys.exit(f'live: unknown size {s} (720p or 1080p)')
    for p in presets:
        if p not in bench.X264_PRESETS:
            sys.exit(f'live: unknown x264 preset {p}')
    for s in scenarios:
        if s not in SCENARIOS:
            sys.exit(f'live: unknown scenario {s} ({", ".join(SCENARIOS)})')
    for tool in ('gst-inspect-1.0', 'ffmpeg', 'pkg-config'):
        if not shutil.which(tool):
            sys.exit(f'live: {tool} not found')

    plugin_dir = os.path.join(build, 'plugin')
    env = dict(os.environ)
    env.pop('GST_PLUGIN_PATH_1_0', None)
    env['GST_PLUGIN_PATH'] = plugin_dir
    env['GST_REGISTRY'] = os.path.join(out, 'registry.bin')
    vt = C['vt']
    _, vth_file = bench.element_properties(env, vt)
    if not vth_file:
        sys.exit(f'live: {vt} not found in {plugin_dir} (build it first: ./dev build)')
    if not os.path.realpath(vth_file).startswith(os.path.realpath(plugin_dir)):
        sys.exit(f'live: {vt} was loaded from {vth_file}, not {plugin_dir}')
    for e in (C['ref'],) + C['others'] + ('clocksync', 'matroskamux', C['parser']):
        if not bench.element_properties(env, e)[1]:
            sys.exit(f'live: element {e} not found')

    livelat = os.path.join(out, 'livelat')
    cflags = subprocess.run(['pkg-config', '--cflags', '--libs', 'gstreamer-1.0'], check=True,
                            stdout=subprocess.PIPE, text=True).stdout.split()
    subprocess.run([os.environ.get('CC', 'cc'), '-O2', '-Wall', '-o', livelat,
                    os.path.join(HERE, 'livelat.c')] + cflags, check=True)

    # The library's option string per run (x264opts.c or x265opts.c, as in bench.py); the
    # encoders work without it.
    src, libs = C['probe']
    shim = os.path.join(out, 'lib' + os.path.splitext(src)[0] + '.so')
    r = subprocess.run([os.environ.get('CC', 'cc'), '-shared', '-fPIC', '-O2', '-o', shim,
                        os.path.join(HERE, src)] + libs,
                       stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    if r.returncode != 0:
        log(f'could not build the option probe: {r.stdout.strip()}')
        shim = None

    inputs = {}
    for s in dict.fromkeys(sizes + ([a.streams_size] if 'streams' in scenarios else [])):
        inputs[s] = bench.make_synthetic(s, cache, a.fps, a.seconds)

    def kbps_for(size):
        if a.bitrate:
            given = [int(x) for x in a.bitrate.split(',')]
            order = list(dict.fromkeys(sizes + [a.streams_size]))
            return given[min(order.index(size), len(given) - 1)]
        inp = inputs[size]
        return max(100, int(round(a.bpp * inp.width * inp.height * inp.fps / 1e5)) * 100)

    def settings(size):
        ss = settings_for(kbps_for(size), presets, a.x264_vbv_ms)
        if a.only:
            words = a.only.split(',')
            ss = [s for s in ss if any(w in s.label for w in words)]
        return ss

    plan = []  # (scenario, size, title, streams)
    for sc in scenarios:
        if sc == 'streams':
            plan.append((sc, a.streams_size, f'{a.streams} x {a.streams_size}{a.fps} at once',
                         a.streams))
        else:
            for size in sizes:
                what = 'alone' if sc == 'alone' else 'with a busy loop on one core'
                plan.append((sc, size, f'{size}{a.fps} {what}', 1))
    # Past the clip's end, so that every frame not out by then is late.
    limit_s = max(a.limit or 2 * a.seconds + 10, a.seconds + 2)
    total = sum(len(settings(size)) for _, size, _, _ in plan)
    log(f'element: {vth_file}\n{total} live runs of {a.seconds:g} s; outputs in {out}')

    all_runs, groups, md, checks = [], [], [], []
    header = [
        f'## Live benchmark ({C["vt"]})\n',
        f'- {os.cpu_count()} CPUs; {a.seconds:g} s clips at {a.fps} fps, the first {a.skip:g} s '
        'not counted.',
        f'- Pipeline: `filesrc ! rawvideoparse ! clocksync ! ENCODER ! {C["parser"]} ! matroskamux ! '
        'filesink`; latency = clock running time when the encoded frame leaves the encoder - '
        'running time of its PTS; late = latency > reported latency + one frame interval; '
        'dropped = never came out; keeps up = at most 1% late.',
        '- in lag = when the frame entered the encoder - its PTS (clocksync keeps it near 0 '
        'unless the encoder holds the source back). load = 1-minute load average when the run '
        'started. CPU ms/frame = user + system time of the process per input frame (of all the '
        'processes at once with several streams): less affected by other load than the timing.',
        f'- A pipeline still running at {limit_s:g} s of running time is stopped there: its '
        'frames not out by then count as late, its latency statistics are lower bounds (≥), and '
        'it gets no PSNR.',
        '- Several streams at once: late and dropped per stream; latency: each stream\'s median / '
        'the highest 95th percentile / the highest maximum; kbit/s: the mean; PSNR and SSIM: the '
        'lowest of the streams that were not stopped.',
    ]
    n = 0
    for sc, size, title, streams in plan:
        inp = inputs[size]
        if not a.report_only:
            bench.warm_page_cache(inp.path)
        ss = settings(size)
        runs = []
        if a.report_only:
            for st in ss:
                runs += load_runs(os.path.join(out, 'runs.csv'), sc, inp, st, streams, out,
                                  a.skip)
        busy = BusyLoop() if sc == 'busy' and not a.report_only else None
        if busy:
            busy.__enter__()
        try:
            for st in ([] if a.report_only else ss):
                n += 1
                group = [Run(sc, inp, st, k, os.path.join(out, f'{sc}-{size}-{st.key}-s{k}'))
                         for k in range(1, streams + 1)]
                run_together(group, livelat, env, shim, limit_s)
                for r in group:
                    analyse(r, a.skip)
                runs += group
                el = (time.monotonic() - t_start) / 60
                log(f'[{n}/{total} {el:.1f} min] {title} {st.label}: ' + '; '.join(
                    f'late {r.m["late"]}/{r.m["counted"]}, dropped {r.m["dropped"]}, latency '
                    f'median {ms(r.m["lat_med"])} max {ms(r.m["lat_max"])} ms, '
                    f'{r.m["kbps"]:.0f} kbit/s' + ('' if r.rc == 0 else ', stopped at the limit'
                                                   if r.rc == 3 else f', rc {r.rc}')
                    for r in group))
        finally:
            if busy:
                busy.__exit__(None, None, None)
        if not a.no_quality and not a.report_only:
            for r in runs:
                if r.rc == 0 and os.path.exists(r.mkv):
                    quality(r)
            log(f'quality {title}: done ({(time.monotonic() - t_start) / 60:.1f} min)')
        all_runs += runs
        groups.append((title, runs, ss))
        md += table(f'{title}, {kbps_for(size)} kbit/s', runs, ss, streams)
        checks += targets(sc if streams == 1 else 'streams', size, runs,
                          1000 * inp.fps_d / inp.fps_n)
        if not a.report_only:
            write_runs_csv(all_runs, os.path.join(out, 'runs.csv'))

    # The element settings and the options the library ran with, once per size.
    sl, seen = ['# Settings of the live benchmark\n'], set()
    for r in all_runs:
        if (r.inp.name, r.setting.key) in seen:
            continue
        seen.add((r.inp.name, r.setting.key))
        sl.append(f'- {r.inp.name} {r.setting.label}: `{r.setting.element} '
                  f'{" ".join(r.setting.props)}`')
        if os.path.exists(r.opts):
            with open(r.opts) as f:
                got = [ln.strip() for ln in f if ln.strip()]
            if got:
                sl.append(f'  - {"x264" if a.codec == "h264" else "x265"} options: `{got[-1]}`')
    with open(os.path.join(out, 'settings.md'), 'w') as f:
        f.write('\n'.join(sl) + '\n')

    lines = header + md + ['\n### Targets\n'] + [
        f'- {"n/a" if ok is None else "met" if ok else "**NOT met**"}: {text}'
        for text, ok in checks]
    text = '\n'.join(lines) + '\n'
    with open(os.path.join(out, 'results.md'), 'w') as f:
        f.write(text)
    png = os.path.join(out, 'live.png')
    plotted = plot(groups, png, a.skip)
    print(text)
    print(f'per run: {out}/runs.csv, {out}/*.csv (livelat records); settings: {out}/settings.md'
          + (f'; plot: {png}' if plotted else ''))
    print(f'wall time: {(time.monotonic() - t_start) / 60:.1f} min')


if __name__ == '__main__':
    main()
