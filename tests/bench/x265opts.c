// SPDX-License-Identifier: GPL-2.0-or-later
// LD_PRELOAD helper for tests/bench/bench.py (not part of the build), the x265 twin of
// x264opts.c: wraps x265_api_get so that every encoder_open of the API tables it hands out also
// appends x265's own option string (the text x265 writes into its info SEI, "cpuid=... wpp ...")
// of the opened encoder to the file named by $BENCH_X264_OPTS, one line per encoder opened. The
// string is made from the parameters the encoder really runs with (x265_encoder_parameters after
// open), so it is the same account for x265enc and vth265enc, whether or not they emit the SEI.
// Debian's libx265 is a multilib build: the 8-, 10- and 12-bit encoders live in the namespaces
// x265, x265_10bit and x265_12bit, each with its own x265_param2string (exported, C++ names).
#define _GNU_SOURCE
#include <dlfcn.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <x265.h>

#define STR_(x) #x
#define STR(x) STR_(x)
#define LIBNAME "libx265.so." STR(X265_BUILD)

typedef char* (*param2string_fn)(x265_param*, int, int);
typedef x265_encoder* (*open_fn)(x265_param*);

// One wrapped table per bit depth (8, 10, 12).
static struct {
  x265_api api;
  open_fn real_open;
  param2string_fn to_string;
  int ready;
} slots[3];
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;

static void* lib_symbol(const char* name) {
  void* sym = dlsym(RTLD_NEXT, name);
  // A GStreamer plugin is dlopen'ed with local scope: its libx265 is not in the global search
  // list that RTLD_NEXT walks, but it is loaded already, so RTLD_NOLOAD finds it.
  if (!sym) {
    void* lib = dlopen(LIBNAME, RTLD_NOW | RTLD_NOLOAD);
    if (lib) sym = dlsym(lib, name);
  }
  return sym;
}

static int slot_of(int depth) {
  return depth == 10 ? 1 : depth == 12 ? 2 : 0;
}

static x265_encoder* wrapped_open(x265_param* param) {
  const int s = slot_of(param->internalBitDepth);
  x265_encoder* enc = slots[s].real_open(param);
  const char* path = getenv("BENCH_X264_OPTS");
  if (!enc || !path || !slots[s].to_string) return enc;
  x265_param* p = slots[s].api.param_alloc();
  if (!p) return enc;
  slots[s].api.encoder_parameters(enc, p);
  char* text = slots[s].to_string(p, 0, 0);  // x265 allocated: left to the process's end
  FILE* f = fopen(path, "a");
  if (f && text) fprintf(f, "%s\n", text);
  if (f) fclose(f);
  slots[s].api.param_free(p);
  return enc;
}

static const x265_api* wrap(const x265_api* api) {
  if (!api) return api;
  const int s = slot_of(api->bit_depth);
  pthread_mutex_lock(&lock);
  if (!slots[s].ready) {
    static const char* const names[3] = {"_ZN4x26517x265_param2stringEP10x265_paramii",
                                         "_ZN10x265_10bit17x265_param2stringEP10x265_paramii",
                                         "_ZN10x265_12bit17x265_param2stringEP10x265_paramii"};
    slots[s].api = *api;
    slots[s].real_open = api->encoder_open;
    slots[s].api.encoder_open = wrapped_open;
    slots[s].to_string = (param2string_fn)lib_symbol(names[s]);
    if (!slots[s].to_string) fprintf(stderr, "x265opts: %s not found\n", names[s]);
    slots[s].ready = 1;
  }
  pthread_mutex_unlock(&lock);
  return &slots[s].api;
}

const x265_api* x265_api_get(int depth) {
  static const x265_api* (*real_get)(int);
  if (!real_get) real_get = (const x265_api* (*)(int))lib_symbol("x265_api_get_" STR(X265_BUILD));
  if (!real_get) {
    fprintf(stderr, "x265opts: x265_api_get_" STR(X265_BUILD) " not found\n");
    return NULL;
  }
  return wrap(real_get(depth));
}

const x265_api* x265_api_query(int depth, int version, int* err) {
  static const x265_api* (*real_query)(int, int, int*);
  if (!real_query) real_query = (const x265_api* (*)(int, int, int*))lib_symbol("x265_api_query");
  if (!real_query) {
    if (err) *err = X265_API_QUERY_ERR_FUNC_NOT_FOUND;
    return NULL;
  }
  return wrap(real_query(depth, version, err));
}
