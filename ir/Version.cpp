#include "ircgpu/Version.h"

const char *ircgpu::compilerVersion() { return IRCGPU_VERSION_STRING; }
