// SPDX-License-Identifier: GPL-2.0-or-later
// LD_PRELOAD helper for tests/bench/bench.py (not part of the build): wraps x264_encoder_open and
// appends the option string x264 writes into its version SEI ("options: cabac=1 ref=3 ...") to
// the file named by $BENCH_X264_OPTS, one line per encoder opened. That string is x264's own
// account of the parameters it runs with, for any program (x264enc, vth264enc) that uses libx264.
#define _GNU_SOURCE
#include <dlfcn.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <x264.h>

#define STR_(x) #x
#define STR(x) STR_(x)

x264_t* x264_encoder_open(x264_param_t* param) {
  static x264_t* (*real_open)(x264_param_t*);
  if (!real_open) {
    const char* name = "x264_encoder_open_" STR(X264_BUILD);
    void* sym = dlsym(RTLD_NEXT, name);
    // A GStreamer plugin is dlopen'ed with local scope: its libx264 is not in the global search
    // list that RTLD_NEXT walks, but it is loaded already, so RTLD_NOLOAD finds it.
    if (!sym) {
      void* lib = dlopen("libx264.so." STR(X264_BUILD), RTLD_NOW | RTLD_NOLOAD);
      if (lib) sym = dlsym(lib, name);
    }
    if (!sym) {
      fprintf(stderr, "x264opts: %s not found\n", name);
      return NULL;
    }
    real_open = (x264_t * (*)(x264_param_t*)) sym;
  }
  x264_t* h = real_open(param);
  const char* path = getenv("BENCH_X264_OPTS");
  if (!h || !path) return h;
  x264_nal_t* nal = NULL;
  int n = 0;
  FILE* f = fopen(path, "a");
  if (!f) return h;
  if (x264_encoder_headers(h, &nal, &n) >= 0) {
    for (int i = 0; i < n; ++i) {
      if (nal[i].i_type != NAL_SEI) continue;
      const char* p = (const char*)nal[i].p_payload;
      const char* end = p + nal[i].i_payload;
      const char* key = "options: ";
      for (; p + strlen(key) <= end; ++p) {
        if (memcmp(p, key, strlen(key)) == 0) {
          p += strlen(key);
          const char* q = p;
          while (q < end && *q) ++q;
          fprintf(f, "%.*s\n", (int)(q - p), p);
          break;
        }
      }
    }
  }
  fclose(f);
  return h;
}
