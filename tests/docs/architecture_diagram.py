#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Draws docs/architecture.png: the layers, the threads and the data path from a GstBuffer to
downstream. Debian's python3-matplotlib (./dev installs it):

    /usr/bin/python3 tests/docs/architecture_diagram.py docs/architecture.png
"""
import sys

import matplotlib

matplotlib.use('Agg')
import matplotlib.pyplot as plt  # noqa: E402
from matplotlib.patches import FancyArrowPatch, FancyBboxPatch  # noqa: E402

W, H = 16.0, 10.2
fig = plt.figure(figsize=(W, H), dpi=100)
ax = fig.add_axes([0, 0, 1, 1])
ax.set_xlim(0, W)
ax.set_ylim(0, H)
ax.axis('off')

STREAMING = '#dbe9f6'  # the element's streaming thread
WORKER = '#fde5cc'     # the session's worker thread
LIBRARY = '#e4f2dc'    # x264 / x265 and their threads
OUTSIDE = '#eeeeee'


def box(x, y, w, h, title, lines=(), color='white', edge='#333333', size=10):
    ax.add_patch(FancyBboxPatch((x, y), w, h, boxstyle='round,pad=0.02,rounding_size=0.12',
                                facecolor=color, edgecolor=edge, linewidth=1.2))
    ax.text(x + 0.15, y + h - 0.18, title, ha='left', va='top', fontsize=size + 1,
            fontweight='bold')
    for i, line in enumerate(lines):
        ax.text(x + 0.15, y + h - 0.55 - 0.3 * i, line, ha='left', va='top', fontsize=size)


def arrow(x0, y0, x1, y1, label='', color='#222222', dy=0.12, style='-|>'):
    ax.add_patch(FancyArrowPatch((x0, y0), (x1, y1), arrowstyle=style, mutation_scale=16,
                                 color=color, linewidth=1.6))
    if label:
        ax.text((x0 + x1) / 2, (y0 + y1) / 2 + dy, label, ha='center', va='bottom', fontsize=9,
                color=color)


ax.text(0.3, H - 0.25, 'gst-vtcompress: layers, threads and the data path', fontsize=16,
        fontweight='bold', va='top')

# Layer bands.
ax.add_patch(FancyBboxPatch((0.2, 5.55), W - 0.4, 3.75, boxstyle='round,pad=0.02',
                            facecolor='none', edgecolor='#7a9cc6', linestyle='--'))
ax.text(W - 0.35, 9.2, 'GStreamer plugin (gst/, plugin/)', ha='right', va='top', fontsize=10,
        color='#3f6fa8', fontstyle='italic')
ax.add_patch(FancyBboxPatch((0.2, 0.35), W - 0.4, 4.95, boxstyle='round,pad=0.02',
                            facecolor='none', edgecolor='#c69a6d', linestyle='--'))
ax.text(W - 0.35, 5.2, 'session library libvtcompress (session/): no GLib, no GStreamer',
        ha='right', va='top', fontsize=10, color='#9a6a3a', fontstyle='italic')

# Upstream and downstream.
box(0.4, 6.9, 2.6, 2.0, 'Upstream', ['raw video GstBuffer,', 'from the element\'s pool', '(GstVtcBufferPool: the', 'session\'s pixel buffers)'],
    OUTSIDE)
box(13.2, 6.9, 2.5, 2.0, 'Downstream', ['h264parse / h265parse,', 'mp4mux, mpegtsmux,', 'rtph264pay, ...', 'GstBuffer + caps'],
    OUTSIDE)

# The element, streaming thread.
box(3.4, 5.75, 4.9, 3.2, 'GstVtcEncoder (vth264enc, vth265enc)',
    ['streaming thread, STREAM_LOCK:',
     'set_format: negotiate caps with downstream,',
     '  property table -> session dictionaries, Create',
     'handle_frame: planes wrapped as a PixelBuffer',
     '  (no copy); metas -> frame options: key unit,',
     '  captions/user data (SEIPayloads), ROI;',
     '  EncodeFrame with STREAM_LOCK released',
     'properties (any thread, OBJECT_LOCK): live keys'],
    STREAMING, size=9)
box(8.7, 5.75, 4.2, 3.2, 'Output callback',
    ['session worker thread, takes STREAM_LOCK:',
     'SampleBuffer -> GstBuffer (avc/hvc1 or',
     '  byte-stream + parameter sets in band)',
     'caps with codec_data on a new description',
     'DTS kept increasing, never past PTS',
     'gst_video_encoder_finish_frame -> push',
     'dropped frame: finish without buffer + QoS'],
    WORKER, size=9)

# The session.
box(3.4, 2.55, 4.9, 2.45, 'CompressionSession: caller side',
    ['the VideoToolbox verbs (compression_session.h)',
     'EncodeFrame: validate buffer, PTS, options;',
     '  retain the PixelBuffer; queue it (at most 3',
     '  waiting: blocks, never drops); wait for frame',
     '  N-M under MaxFrameDelayCount',
     'SetProperty / CompleteFrames / Invalidate'],
    '#ffffff', size=9)
box(8.7, 2.55, 4.2, 2.45, 'Session worker thread',
    ['one per session, owns the encoder:',
     'pixel transfer (libyuv) if needed',
     'key frames, DTS, RealTime governor',
     'AbrSteering (bit rate on target)',
     'SEI inserted in the frame\'s own AU',
     'SampleBuffer: AVCC/HVCC + attachments'],
    WORKER, size=9)
box(8.7, 0.55, 4.2, 1.6, 'VideoEncoder backend (backend.h)',
    ['x264 (avc1) or x265 (hvc1): their own',
     'lookahead and frame threads; the picture',
     'is copied in; the buffer goes back at once'],
    LIBRARY, size=9)
box(3.4, 0.55, 4.9, 1.6, 'Registry, properties, pools',
    ['backends.cpp: codec type + EncoderID -> backend',
     'properties.cpp: keys, defaults, live rules',
     'PixelBufferPool: the planes upstream fills'],
    '#ffffff', size=9)
box(0.4, 0.55, 2.6, 4.45, 'Your program', ['C++ (vtc::) today;', 'VideoToolbox\'s C API', 'next (issue 18).', '', 'Same verbs, same', 'callback, same', 'contracts as the', 'element uses.'],
    OUTSIDE, size=9)

# Data path.
arrow(3.0, 7.9, 3.4, 7.9, '')
arrow(5.85, 5.75, 5.85, 5.0, 'EncodeFrame(PixelBuffer, PTS, options)', dy=-0.05)
arrow(8.3, 3.8, 8.7, 3.8, 'queue')
arrow(10.4, 2.55, 10.4, 2.15, '')
arrow(11.2, 2.15, 11.2, 2.55, '')
ax.text(10.55, 2.3, 'Encode', fontsize=9, va='center')
arrow(10.8, 5.0, 10.8, 5.75, 'callback(SampleBuffer)', dy=-0.05)
arrow(12.9, 7.9, 13.2, 7.9, '')
arrow(3.0, 2.8, 3.4, 2.8, '')

# Threads and locks legend.
legend = [(STREAMING, 'streaming thread (GstVideoEncoder)'),
          (WORKER, 'session worker thread'),
          (LIBRARY, 'x264 / x265 threads')]
for i, (c, t) in enumerate(legend):
    ax.add_patch(FancyBboxPatch((13.25, 4.55 - 0.45 * i), 0.35, 0.28, boxstyle='round,pad=0.01',
                                facecolor=c, edgecolor='#333333'))
    ax.text(13.7, 4.69 - 0.45 * i, t, fontsize=8.5, va='center')
ax.text(13.25, 3.0, 'Lock order (outer to inner):', fontsize=9, fontweight='bold', va='top')
for i, t in enumerate(['1. STREAM_LOCK', '2. OBJECT_LOCK (settings)', '3. session pointer lock',
                       '4. session mu_ (queue, state)', '5. log, pool locks (leaves)',
                       'No lock is held while x264/x265', 'or a callback runs.']):
    ax.text(13.25, 2.7 - 0.27 * i, t, fontsize=8.5, va='top')

fig.savefig(sys.argv[1] if len(sys.argv) > 1 else 'architecture.png')
