# `cmake --install BUILD [--prefix P]` (docs/packaging.md):
#   lib/libircgpu.so.X.Y.Z (+ .so.X, .so)        the library a VM embeds
#   include/ircgpu/*.h, *.def                     its public headers
#   bin/irc-gpu, lib/irc-gpu/libircgpu-internal.so  the CLI and its library
#   lib/cmake/IrcGpu/                             find_package(IrcGpu)
#   lib/pkgconfig/ircgpu.pc                       pkg-config ircgpu
include(CMakePackageConfigHelpers)

set(IRCGPU_CMAKE_DIR ${CMAKE_INSTALL_LIBDIR}/cmake/IrcGpu)
set(IRCGPU_PRIVATE_LIBDIR ${CMAKE_INSTALL_LIBDIR}/irc-gpu)

install(TARGETS ircgpu EXPORT IrcGpuTargets
  LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR})
# Every public header, by glob, so that new ones are installed too.
install(DIRECTORY ${PROJECT_SOURCE_DIR}/include/ircgpu
  DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}
  FILES_MATCHING PATTERN "*.h" PATTERN "*.def")

# The CLI uses LLVM itself: it links libircgpu-internal.so (CMakeLists.txt),
# installed where no linker or loader looks but the CLI's RUNPATH.
install(TARGETS ircgpu-internal
  LIBRARY DESTINATION ${IRCGPU_PRIVATE_LIBDIR} NAMELINK_SKIP)
file(RELATIVE_PATH IRCGPU_BIN_TO_PRIVATE
  ${CMAKE_INSTALL_PREFIX}/${CMAKE_INSTALL_BINDIR}
  ${CMAKE_INSTALL_PREFIX}/${IRCGPU_PRIVATE_LIBDIR})
set_target_properties(irc-gpu PROPERTIES
  INSTALL_RPATH "$ORIGIN/${IRCGPU_BIN_TO_PRIVATE}")
install(TARGETS irc-gpu RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})

# find_package(IrcGpu) -> IrcGpu::ircgpu.
install(EXPORT IrcGpuTargets NAMESPACE IrcGpu:: DESTINATION ${IRCGPU_CMAKE_DIR})
configure_package_config_file(${PROJECT_SOURCE_DIR}/cmake/IrcGpuConfig.cmake.in
  ${PROJECT_BINARY_DIR}/IrcGpuConfig.cmake
  INSTALL_DESTINATION ${IRCGPU_CMAKE_DIR})
# Before 1.0 a minor version may change the API: same major and minor only.
write_basic_package_version_file(${PROJECT_BINARY_DIR}/IrcGpuConfigVersion.cmake
  COMPATIBILITY SameMinorVersion)
install(FILES ${PROJECT_BINARY_DIR}/IrcGpuConfig.cmake
  ${PROJECT_BINARY_DIR}/IrcGpuConfigVersion.cmake
  DESTINATION ${IRCGPU_CMAKE_DIR})

# pkg-config: paths relative to the .pc file, so that the installed tree can
# be moved (and `--prefix` at install time works).
file(RELATIVE_PATH IRCGPU_PC_TO_PREFIX
  ${CMAKE_INSTALL_PREFIX}/${CMAKE_INSTALL_LIBDIR}/pkgconfig ${CMAKE_INSTALL_PREFIX})
string(REGEX REPLACE "/$" "" IRCGPU_PC_TO_PREFIX "${IRCGPU_PC_TO_PREFIX}")
string(JOIN " -I" IRCGPU_PC_LLVM_CFLAGS "" ${LLVM_INCLUDE_DIRS})
configure_file(${PROJECT_SOURCE_DIR}/cmake/ircgpu.pc.in
  ${PROJECT_BINARY_DIR}/ircgpu.pc @ONLY)
install(FILES ${PROJECT_BINARY_DIR}/ircgpu.pc
  DESTINATION ${CMAKE_INSTALL_LIBDIR}/pkgconfig)
