/* tests/install/consumer/c_main.c - a C99 client of the installed package.
 *
 * Built by tests/install/run.sh where the installed headers have the C API
 * (ircgpu/ircgpu.h): C only, no C++ and no LLVM headers.
 * TODO(lead): once the C API has settled, also compile and run a kernel on
 * the interpreter here, as main.cpp does through the C++ API. */
#include "ircgpu/ircgpu.h"

#include <stdio.h>

int main(void) {
  printf("C API: irc-gpu %s\n", ircgpu_version());
  return 0;
}
