//===- Devices.cpp - `irc-gpu devices`: the GPUs this process sees --------===//
//
// One line per GPU the device manager finds, in the order `--device auto`
// goes by (the first line is what auto takes); or, when there is none, why
// not, one line per backend. Finding none is an answer, not an error.
//
//===----------------------------------------------------------------------===//
#include "Tool.h"

#include "ircgpu/DeviceManager.h"

#include "llvm/Support/Format.h"
#include "llvm/Support/raw_ostream.h"

using namespace llvm;

namespace irctool {

Error runDevices() {
  ircgpu::DeviceManager &DM = ircgpu::processDeviceManager();
  std::vector<ircgpu::FoundDevice> Found = DM.devices();
  if (Found.empty()) {
    outs() << "no GPU device found\n";
    for (const std::string &Why : DM.reasonsForNone())
      outs() << "  " << Why << "\n";
    return Error::success();
  }
  std::string Failed;
  for (const ircgpu::FoundDevice &F : Found) {
    auto Dev = DM.get(F.Spec);
    if (!Dev) {
      // Listed by the count but not openable (busy, exclusive mode): say so
      // and go on with the others.
      std::string Msg = toString(Dev.takeError());
      outs() << F.Spec << "  cannot be opened: " << Msg << "\n";
      if (Failed.empty())
        Failed = Msg;
      continue;
    }
    const ircgpu::DeviceInfo &I = Dev->info();
    outs() << F.Spec << "  " << I.Name << "  " << I.archName() << "  "
           << format("%.1f GiB", double(I.TotalMemory) / (1ull << 30)) << "  "
           << I.MultiProcessorCount << " SMs\n";
  }
  outs().flush();
  if (!Failed.empty())
    return runtimeError(Failed);
  return Error::success();
}

} // namespace irctool
