//===- codegen/amdgpu/AssembleText.cpp - AMDGPU assembly to an object -----===//
//
// What `llvm-mc -filetype=obj` does, in-process: the AMDGPU assembly that
// emitAssembly prints (kernel descriptors, .amdgpu_metadata and all) parsed
// by the target's MC assembler into a relocatable ELF. The compile path does
// not come here (the backend writes the object directly, emitObject); this
// is for assembly from elsewhere, e.g. edited by hand.
//
//===----------------------------------------------------------------------===//
#include "codegen/amdgpu/LinkCodeObject.h"

#include "llvm/ADT/SmallString.h"
#include "llvm/MC/MCAsmBackend.h"
#include "llvm/MC/MCAsmInfo.h"
#include "llvm/MC/MCCodeEmitter.h"
#include "llvm/MC/MCContext.h"
#include "llvm/MC/MCInstrInfo.h"
#include "llvm/MC/MCObjectFileInfo.h"
#include "llvm/MC/MCObjectWriter.h"
#include "llvm/MC/MCParser/MCAsmParser.h"
#include "llvm/MC/MCParser/MCTargetAsmParser.h"
#include "llvm/MC/MCRegisterInfo.h"
#include "llvm/MC/MCStreamer.h"
#include "llvm/MC/MCSubtargetInfo.h"
#include "llvm/MC/MCTargetOptions.h"
#include "llvm/MC/TargetRegistry.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/SourceMgr.h"
#include "llvm/Support/raw_ostream.h"
#include "llvm/TargetParser/Triple.h"

using namespace llvm;

namespace ircgpu::amdgpu {

Expected<std::string> assembleText(StringRef Assembly, StringRef TripleName,
                                   StringRef CPU, StringRef Features) {
  auto Fail = [](const Twine &Msg) {
    return createStringError(inconvertibleErrorCode(), Msg);
  };
  std::string Err;
  const llvm::Target *T = TargetRegistry::lookupTarget(TripleName.str(), Err);
  if (!T)
    return Fail(Err);
  Triple TT(TripleName);
  MCTargetOptions Opts;
  std::unique_ptr<MCRegisterInfo> MRI(T->createMCRegInfo(TripleName));
  std::unique_ptr<MCAsmInfo> MAI(T->createMCAsmInfo(*MRI, TripleName, Opts));
  std::unique_ptr<MCSubtargetInfo> STI(
      T->createMCSubtargetInfo(TripleName, CPU, Features));
  std::unique_ptr<MCInstrInfo> MII(T->createMCInstrInfo());
  if (!MRI || !MAI || !STI || !MII)
    return Fail("the AMDGPU assembler is not available");

  // Diagnostics go to a string, not stderr: they become the error.
  std::string Log;
  raw_string_ostream LogOS(Log);
  SourceMgr SrcMgr;
  SrcMgr.AddNewSourceBuffer(
      MemoryBuffer::getMemBuffer(Assembly, "<amdgpu assembly>", false),
      SMLoc());
  SrcMgr.setDiagHandler(
      [](const SMDiagnostic &D, void *Ctx) {
        D.print(nullptr, *static_cast<raw_string_ostream *>(Ctx), false);
      },
      &LogOS);
  MCContext Ctx(TT, MAI.get(), MRI.get(), STI.get(), &SrcMgr, &Opts);
  std::unique_ptr<MCObjectFileInfo> MOFI(
      T->createMCObjectFileInfo(Ctx, /*PIC=*/true));
  Ctx.setObjectFileInfo(MOFI.get());

  SmallString<0> Obj;
  raw_svector_ostream OS(Obj);
  std::unique_ptr<MCAsmBackend> MAB(T->createMCAsmBackend(*STI, *MRI, Opts));
  std::unique_ptr<MCCodeEmitter> CE(T->createMCCodeEmitter(*MII, Ctx));
  if (!MAB || !CE)
    return Fail("the AMDGPU assembler is not available");
  std::unique_ptr<MCObjectWriter> OW = MAB->createObjectWriter(OS);
  std::unique_ptr<MCStreamer> Str(T->createMCObjectStreamer(
      TT, Ctx, std::move(MAB), std::move(OW), std::move(CE), *STI));
  std::unique_ptr<MCAsmParser> Parser(
      createMCAsmParser(SrcMgr, Ctx, *Str, *MAI));
  std::unique_ptr<MCTargetAsmParser> TAP(
      T->createMCAsmParser(*STI, *Parser, *MII, Opts));
  if (!TAP)
    return Fail("the AMDGPU assembly parser is not available");
  Parser->setTargetParser(*TAP);
  if (Parser->Run(/*NoInitialTextSection=*/false))
    return Fail("AMDGPU assembly does not assemble: " + StringRef(Log).trim());
  Str->finish();
  return std::string(Obj.str());
}

} // namespace ircgpu::amdgpu
