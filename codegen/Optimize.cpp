//===- codegen/Optimize.cpp - LLVM's default pipeline for a target --------===//

#include "codegen/Optimize.h"

#include "llvm/Analysis/TargetLibraryInfo.h"
#include "llvm/IR/Module.h"
#include "llvm/IR/Verifier.h"
#include "llvm/Passes/PassBuilder.h"
#include "llvm/Support/raw_ostream.h"
#include "llvm/Target/TargetMachine.h"
#include "llvm/TargetParser/Triple.h"
#include "llvm/Transforms/Scalar/InferAlignment.h"
#include "llvm/Transforms/Vectorize/LoadStoreVectorizer.h"

using namespace llvm;

namespace ircgpu {

Error optimizeModule(llvm::Module &M, TargetMachine &TM, unsigned OptLevel) {
  if (OptLevel > 3)
    return createStringError(inconvertibleErrorCode(),
                             "invalid optimisation level -O" + Twine(OptLevel) +
                                 " (expected 0 to 3)");
  static const OptimizationLevel Levels[] = {
      OptimizationLevel::O0, OptimizationLevel::O1, OptimizationLevel::O2,
      OptimizationLevel::O3};

  LoopAnalysisManager LAM;
  FunctionAnalysisManager FAM;
  CGSCCAnalysisManager CGAM;
  ModuleAnalysisManager MAM;
  PipelineTuningOptions PTO; // clang's choice: vectorise from -O2
  PTO.LoopVectorization = OptLevel >= 2;
  PTO.SLPVectorization = OptLevel >= 2;
  // The constructor calls TM.registerPassBuilderCallbacks(PB).
  PassBuilder PB(&TM, PTO);
  // A GPU has no C library: without this, LLVM would recognise and create
  // calls to libm names (sinf, memcpy's cousins) that nothing defines.
  TargetLibraryInfoImpl TLII{Triple(M.getTargetTriple())};
  TLII.disableAllFunctions();
  FAM.registerPass([&] { return TargetLibraryAnalysis(TLII); });
  // Adjacent accesses of one thread (the consecutive points of a coarse
  // grid kernel, EmitKernels.cpp) into vector accesses, first thing: the
  // pipeline's CFG simplification would sink the copies of the body that
  // end alike (the full path's last point and the partial path's) into one
  // block, after which the backend's own run of this pass finds only part of
  // each group.
  if (OptLevel >= 2)
    PB.registerPipelineStartEPCallback(
        [](ModulePassManager &MPM, OptimizationLevel) {
          // The vectorizer forms only accesses whose alignment the loads
          // already carry: infer it first (ptrmask, masked indices).
          FunctionPassManager FPM;
          FPM.addPass(InferAlignmentPass());
          FPM.addPass(LoadStoreVectorizerPass());
          MPM.addPass(createModuleToFunctionPassAdaptor(std::move(FPM)));
        });
  PB.registerModuleAnalyses(MAM);
  PB.registerCGSCCAnalyses(CGAM);
  PB.registerFunctionAnalyses(FAM);
  PB.registerLoopAnalyses(LAM);
  PB.crossRegisterProxies(LAM, FAM, CGAM, MAM);

  ModulePassManager MPM =
      OptLevel == 0 ? PB.buildO0DefaultPipeline(OptimizationLevel::O0)
                    : PB.buildPerModuleDefaultPipeline(Levels[OptLevel]);
  MPM.run(M, MAM);

  std::string Msg;
  raw_string_ostream OS(Msg);
  if (verifyModule(M, &OS))
    return createStringError(inconvertibleErrorCode(),
                             "internal error: invalid LLVM IR after -O" +
                                 Twine(OptLevel) + ": " + Msg);
  return Error::success();
}

} // namespace ircgpu
