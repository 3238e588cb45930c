#ifndef IRCGPU_VERSION_H
#define IRCGPU_VERSION_H

/* irc-gpu's version, for C and C++ (ircgpu/ircgpu.h may include this file).
   CMakeLists.txt checks that it matches project(VERSION); the soname is
   libircgpu.so.MAJOR. */
#define IRCGPU_VERSION_MAJOR 0
#define IRCGPU_VERSION_MINOR 1
#define IRCGPU_VERSION_PATCH 0
/* One number that grows with each release: 10000 * major + 100 * minor +
   patch (0.1.0 is 100). */
#define IRCGPU_VERSION                                                         \
  (IRCGPU_VERSION_MAJOR * 10000 + IRCGPU_VERSION_MINOR * 100 +                 \
   IRCGPU_VERSION_PATCH)

#ifdef __cplusplus
namespace ircgpu {
/// The compiler version: printed by `irc-gpu --version`, part of every hash.
const char *compilerVersion();
} // namespace ircgpu
#endif

#endif
