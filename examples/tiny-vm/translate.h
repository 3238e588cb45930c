/* tiny-vm's translator from a `for` loop nest to VIR text (translate.c). */
#ifndef TINY_VM_TRANSLATE_H
#define TINY_VM_TRANSLATE_H

#include "vm.h"

#include <stddef.h>

/* The parameters of the translated function, in order: %lo, %hi, then the
 * scalars read (reads), the scalars assigned (carried: also the results, in
 * this order), and the arrays. */
typedef struct {
  char entry[48];
  int *reads, nreads;
  int *carried, ncarried;
  int *arrays, narrays;
  unsigned char *stored; /* by array id: the loop stores into it */
  char *text;            /* the VIR module */
} Translation;

/* 1 with T filled, or 0 with the reason the loop stays interpreted in why. */
int translate_loop(Program *P, int loop, Translation *T, char *why,
                   size_t whylen);
void translation_free(Translation *T);

#endif
