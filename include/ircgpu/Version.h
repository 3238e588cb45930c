#ifndef IRCGPU_VERSION_H
#define IRCGPU_VERSION_H

namespace ircgpu {
/// The compiler version: printed by `irc-gpu --version`, part of every hash.
const char *compilerVersion();
} // namespace ircgpu

#endif
