#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Runs the launch lines of docs/recipes.md and checks what they make with ffprobe.

  run.py DOC --list            the recipe names the document has
  run.py DOC NAME WORKDIR      runs recipe NAME (all its blocks) in WORKDIR and checks it

A block is a ```sh fence whose first line is "# recipe: NAME [ROLE]". The lines are run as the
document has them, but for the SUBSTITUTIONS below (a live source must end, there is no X
display). GStreamer's environment (GST_PLUGIN_PATH_1_0, registry) comes from meson.
"""
import json
import os
import re
import signal
import subprocess
import sys
import time

FFPROBE = os.environ.get('VTC_FFPROBE') or 'ffprobe'

# (recipe, role) -> [(text in the document, what the test runs instead)]. Each must match.
LIVE_90 = ('videotestsrc is-live=true', 'videotestsrc is-live=true pattern=ball num-buffers=90')
SUBSTITUTIONS = {
    ('rtp-udp', 'sender'): [LIVE_90],
    ('srt', 'sender'): [('videotestsrc is-live=true',
                         'videotestsrc is-live=true pattern=ball num-buffers=150')],
    ('hls', ''): [('videotestsrc is-live=true',
                   'videotestsrc is-live=true pattern=ball num-buffers=150')],
    # No X display here: a moving test picture at a screen's size stands in for the screen.
    ('screen-capture', ''): [('ximagesrc use-damage=false ! video/x-raw,framerate=30/1',
                              'videotestsrc is-live=true pattern=ball num-buffers=90 ! '
                              'video/x-raw,width=1280,height=720,framerate=30/1')],
}


def fail(msg):
    print(f'FAIL: {msg}', flush=True)
    sys.exit(1)


def blocks(doc):
    """{name: {role: command}} from the document's recipe blocks."""
    out = {}
    for m in re.finditer(r'```sh\n# recipe: ([\w-]+)(?: ([\w-]+))?\n(.*?)```', doc, re.S):
        name, role, body = m.group(1), m.group(2) or '', m.group(3)
        command = re.sub(r'\\\n\s*', ' ', body).strip()
        out.setdefault(name, {})[role] = command
    return out


def command_for(recipes, name, role):
    cmd = recipes[name][role]
    for old, new in SUBSTITUTIONS.get((name, role), []):
        if old not in cmd:
            fail(f'{name} {role}: the test substitutes "{old}", which the document no longer has')
        cmd = cmd.replace(old, new)
    return cmd


def run(cmd, cwd, timeout=60):
    print(f'$ {cmd}', flush=True)
    p = subprocess.run(['bash', '-c', cmd], cwd=cwd, stdout=subprocess.PIPE,
                       stderr=subprocess.STDOUT, text=True, timeout=timeout)
    if p.returncode != 0:
        print(p.stdout)
        fail(f'exit status {p.returncode}')
    return p.stdout


def start(cmd, cwd):
    print(f'$ {cmd} &', flush=True)
    return subprocess.Popen(['bash', '-c', 'exec ' + cmd], cwd=cwd, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True)


def stop(proc, what):
    """Ctrl-C as a person would (gst-launch -e then finishes the file), then wait."""
    if proc.poll() is None:
        proc.send_signal(signal.SIGINT)
    try:
        out, _ = proc.communicate(timeout=20)
    except subprocess.TimeoutExpired:
        proc.kill()
        out, _ = proc.communicate()
        print(out)
        fail(f'{what} did not stop on SIGINT')
    return out


def probe(path, stream='v:0'):
    """ffprobe's view of one stream: codec, profile, frames counted by decoding."""
    p = subprocess.run([FFPROBE, '-v', 'error', '-count_frames', '-select_streams', stream,
                        '-show_entries', 'stream=codec_name,profile,width,height,nb_read_frames,'
                        'has_b_frames', '-of', 'json', path],
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, timeout=60)
    if p.returncode != 0 or p.stderr.strip():
        fail(f'ffprobe {path}: {p.stderr.strip() or p.returncode}')
    streams = json.loads(p.stdout).get('streams', [])
    if not streams:
        fail(f'{path}: no stream {stream}')
    s = streams[0]
    s['frames'] = int(s.get('nb_read_frames', 0))
    print(f'  {path} {stream}: {s}', flush=True)
    return s


def expect(cond, msg):
    if not cond:
        fail(msg)


def make_input(cwd, pattern='ball', size='width=320,height=240'):
    """3 s of video (x264enc, so the recipe decodes something) and audio in Matroska."""
    run(f'gst-launch-1.0 -q -e videotestsrc num-buffers=90 pattern={pattern} ! '
        f'video/x-raw,{size},framerate=30/1 ! x264enc ! h264parse ! '
        'matroskamux name=m ! filesink location=input.mkv '
        'audiotestsrc num-buffers=130 ! audioconvert ! vorbisenc ! m.', cwd)


def check_h264(path, frames_at_least, frames_at_most=None, no_b_frames=False):
    v = probe(path)
    expect(v['codec_name'] == 'h264', f'{path}: codec {v["codec_name"]}')
    expect(v['frames'] >= frames_at_least, f'{path}: {v["frames"]} frames, want {frames_at_least}+')
    if frames_at_most is not None:
        expect(v['frames'] <= frames_at_most, f'{path}: {v["frames"]} frames, want at most '
               f'{frames_at_most}')
    if no_b_frames:
        expect(int(v.get('has_b_frames', 0)) == 0, f'{path}: B-frames in a low-latency stream')
    return v


def live_pair(recipes, receiver_cmd, sender_cmd, cwd, sender_first=False):
    """Receiver and sender of a network recipe: the receiver records until the sender is done."""
    if sender_first:
        sender = start(sender_cmd, cwd)
        time.sleep(1.0)
        receiver = start(receiver_cmd, cwd)
    else:
        receiver = start(receiver_cmd, cwd)
        time.sleep(1.0)
        sender = start(sender_cmd, cwd)
    try:
        out, _ = sender.communicate(timeout=60)
    except subprocess.TimeoutExpired:
        sender.kill()
        stop(receiver, 'receiver')
        fail('the sender did not finish')
    if sender.returncode != 0:
        print(out)
        stop(receiver, 'receiver')
        fail(f'sender: exit status {sender.returncode}')
    time.sleep(1.0)  # the last packets
    print(stop(receiver, 'receiver')[-2000:])


def main():
    doc_path = sys.argv[1]
    with open(doc_path) as f:
        recipes = blocks(f.read())
    if sys.argv[2] == '--list':
        print('\n'.join(sorted(recipes)))
        return
    name, cwd = sys.argv[2], sys.argv[3]
    if name not in recipes:
        fail(f'no recipe {name} in {doc_path}')
    os.makedirs(cwd, exist_ok=True)
    for f in os.listdir(cwd):
        os.remove(os.path.join(cwd, f))

    if name == 'file-to-mp4':
        make_input(cwd)
        run(command_for(recipes, name, ''), cwd)
        check_h264(os.path.join(cwd, 'output.mp4'), 90, 90)
        a = probe(os.path.join(cwd, 'output.mp4'), 'a:0')
        expect(a['codec_name'] == 'aac', f'audio codec {a["codec_name"]}')
    elif name == 'rtp-udp':
        live_pair(recipes, command_for(recipes, name, 'receiver'),
                  command_for(recipes, name, 'sender'), cwd)
        # Loopback UDP at 2.5 Mbit/s: every frame should arrive; allow a few lost to scheduling.
        check_h264(os.path.join(cwd, 'received.mp4'), 80, 90, no_b_frames=True)
    elif name == 'srt':
        live_pair(recipes, command_for(recipes, name, 'receiver'),
                  command_for(recipes, name, 'sender'), cwd)
        # The caller connects a few hundred ms after the listener has started sending, as a
        # viewer joining a live stream does: it starts at the next key frame (every 2 s in this
        # preset). What it has from there on must decode, every frame of it.
        path = os.path.join(cwd, 'received.ts')
        p = subprocess.run([FFPROBE, '-v', 'error', '-select_streams', 'v:0', '-show_entries',
                            'packet=flags', '-of', 'csv=p=0', path],
                           stdout=subprocess.PIPE, text=True)
        flags = [f for f in p.stdout.split() if f]
        keys = [i for i, f in enumerate(flags) if f.startswith('K')]
        expect(keys, f'{path}: no key frame in {len(flags)} packets')
        from_key = len(flags) - keys[0]
        print(f'  {path}: {len(flags)} packets, {from_key} from the first key frame')
        expect(from_key >= 50, f'{path}: only {from_key} frames from the first key frame')
        d = subprocess.run([FFPROBE, '-v', 'quiet', '-count_frames', '-select_streams', 'v:0',
                            '-show_entries', 'stream=nb_read_frames,has_b_frames', '-of', 'json',
                            path], stdout=subprocess.PIPE, text=True)
        st = json.loads(d.stdout)['streams'][0]
        expect(int(st['nb_read_frames']) >= from_key,
               f'{path}: {st["nb_read_frames"]} frames decoded of {from_key} from the key frame')
        expect(int(st.get('has_b_frames', 0)) == 0, f'{path}: B-frames in a low-latency stream')
    elif name == 'hls':
        # GStreamer 1.22's hlssink2 sometimes does not let gst-launch return after EOS (about 3 runs
        # in 10, with x264enc too) although the playlist is complete: wait for the playlist's end,
        # then give the pipeline 3 s before stopping it.
        proc = start(command_for(recipes, name, ''), cwd)
        playlist_path = os.path.join(cwd, 'playlist.m3u8')
        deadline = time.time() + 60
        while time.time() < deadline and proc.poll() is None:
            if os.path.exists(playlist_path):
                with open(playlist_path) as f:
                    if '#EXT-X-ENDLIST' in f.read():
                        break
            time.sleep(0.2)
        try:
            out, _ = proc.communicate(timeout=3)
        except subprocess.TimeoutExpired:
            proc.kill()
            out, _ = proc.communicate()
            print('  gst-launch did not return after the playlist ended: stopped (hlssink2 on 1.22)')
        if proc.returncode not in (0, -signal.SIGKILL):
            print(out)
            fail(f'exit status {proc.returncode}')
        segments = sorted(f for f in os.listdir(cwd) if f.endswith('.ts'))
        expect(len(segments) >= 2, f'{len(segments)} segments for 5 s at 2 s each')
        with open(os.path.join(cwd, 'playlist.m3u8')) as f:
            playlist = f.read()
        expect('#EXT-X-ENDLIST' in playlist, 'the playlist was not finished')
        for seg in segments:
            expect(seg in playlist, f'{seg} not in the playlist')
            # Every segment starts with a key frame, so a player can start at any of them.
            p = subprocess.run([FFPROBE, '-v', 'error', '-select_streams', 'v:0', '-show_entries',
                                'packet=flags', '-read_intervals', '%+#1', '-of', 'csv=p=0',
                                os.path.join(cwd, seg)], stdout=subprocess.PIPE, text=True)
            expect(p.stdout.strip().startswith('K'), f'{seg} does not start with a key frame')
        check_h264(os.path.join(cwd, 'playlist.m3u8'), 150, 150)
    elif name == 'screen-capture':
        receiver = command_for(recipes, 'rtp-udp', 'receiver').replace('port=5004', 'port=5006')
        live_pair(recipes, receiver, command_for(recipes, name, ''), cwd)
        check_h264(os.path.join(cwd, 'received.mp4'), 80, 90, no_b_frames=True)
    elif name == 'two-pass':
        # Content that needs the bits (a ball on black at 1500 kbit/s sits at x264's QP floor).
        make_input(cwd, 'snow', 'width=640,height=360')
        run(command_for(recipes, name, 'pass1'), cwd)
        run(command_for(recipes, name, 'pass2'), cwd, timeout=120)
        v = check_h264(os.path.join(cwd, 'archive.mp4'), 90, 90)
        size = os.path.getsize(os.path.join(cwd, 'archive.mp4'))
        kbps = size * 8 / 3.0 / 1000
        print(f'  archive.mp4: {kbps:.0f} kbit/s for bitrate=1500')
        expect(800 <= kbps <= 1800, f'two-pass landed at {kbps:.0f} kbit/s for 1500')
    else:
        fail(f'recipe {name} has no check in run.py')
    print(f'recipe {name}: OK')


if __name__ == '__main__':
    main()
