/* tiny-vm: runs a program of its little language (README.md) on the
 * interpreter tier, moving hot `for` loops to the GPU tier (irc-gpu). */
#include "vm.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

static const char *usage =
    "usage: tiny-vm [--device auto|interp|sim|cuda:N] [--threshold N] "
    "[--no-jit]\n               [--jit-sync] [--verbose] [--time] "
    "[--set NAME=INT]... PROGRAM\n";

static char *read_file(const char *path) {
  FILE *f = fopen(path, "rb");
  if (!f)
    return NULL;
  size_t cap = 4096, n = 0, got;
  char *s = malloc(cap);
  while (s && (got = fread(s + n, 1, cap - n - 1, f)) > 0) {
    n += got;
    if (n + 1 == cap)
      s = realloc(s, cap *= 2);
  }
  fclose(f);
  if (s)
    s[n] = 0;
  return s;
}

static double now(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

int main(int argc, char **argv) {
  const char *device = "auto", *file = NULL;
  int64_t threshold = 1000;
  int nojit = 0, timing = 0, sync = 0;
  char **sets = calloc(argc + 1, sizeof *sets);
  int nsets = 0;
  /* Static: what the program allocated stays reachable until exit (leak
   * checkers), and the OS frees it faster than the VM would. */
  static Program P;
  P.out = stdout;
  for (int i = 1; i < argc; ++i) {
    const char *a = argv[i];
    if (!strcmp(a, "--device") && i + 1 < argc)
      device = argv[++i];
    else if (!strcmp(a, "--threshold") && i + 1 < argc)
      threshold = strtoll(argv[++i], NULL, 10);
    else if (!strcmp(a, "--set") && i + 1 < argc)
      sets[nsets++] = argv[++i];
    else if (!strcmp(a, "--jit-sync"))
      sync = 1;
    else if (!strcmp(a, "--no-jit"))
      nojit = 1;
    else if (!strcmp(a, "--verbose"))
      P.verbose = 1;
    else if (!strcmp(a, "--time"))
      timing = 1;
    else if (a[0] != '-' && !file)
      file = a;
    else {
      fputs(usage, stderr);
      return 2;
    }
  }
  if (!file || threshold < 1) {
    fputs(usage, stderr);
    return 2;
  }
  char *src = read_file(file);
  if (!src) {
    fprintf(stderr, "tiny-vm: cannot read %s\n", file);
    return 2;
  }
  if (parse_program(&P, file, src, sets, nsets))
    return 1;
  compile_program(&P);
  P.slots = calloc(P.nvars + 1, sizeof *P.slots);
  if (!nojit) {
    const char *err = "";
    P.jit = jit_create(&P, device, threshold, sync, &err);
    if (!P.jit) {
      fprintf(stderr, "tiny-vm: device %s: %s\n", device, err);
      return 2;
    }
  }
  double t0 = now();
  int rc = run_program(&P);
  fflush(stdout);
  double wall = now() - t0;
  if (timing) {
    fprintf(stderr, "time: %.3f s (%s), %lld back-edges interpreted\n", wall,
            nojit ? "interpreter tier only" : "interpreter + gpu tier",
            (long long)P.total_backedges);
    if (P.jit)
      jit_report(P.jit, stderr);
  }
  if (P.jit)
    jit_destroy(P.jit, &P);
  return rc;
}
