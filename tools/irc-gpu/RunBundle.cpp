//===- RunBundle.cpp - `irc-gpu run` of a bundle --------------------------===//
//
// A bundle fixes what `run` would otherwise choose: the entry, the target
// and the options its plan and code were made with. A command line that asks
// for something else is a mistake the user should hear about (exit 2), not
// be silently overruled.
//
//===----------------------------------------------------------------------===//
#include "RunGpu.h"

#include "ircgpu/Parser.h"

using namespace llvm;

namespace irctool {

Expected<LoadedBundle> loadBundleForRun(const Source &Src,
                                        const RunOptions &Opts) {
  auto B = ircgpu::readBundle(Src.text(), Src.DisplayName);
  if (!B)
    return inputError(toString(B.takeError()));

  StringRef Entry = Opts.Entry;
  Entry.consume_front("@");
  if (Entry != B->Entry)
    return usageError("--entry: " + Src.DisplayName + " is a bundle of @" +
                      B->Entry + ", not of @" + Entry);
  const CodegenOptions &C = Opts.Codegen;
  auto Mismatch = [&](const Twine &Opt, const Twine &Has) {
    return usageError(Opt + ": " + Src.DisplayName + " was compiled " + Has +
                      "; compile it again to change that");
  };
  if (!C.Target.empty() && C.Target != B->Options.Target)
    return Mismatch("--target " + C.Target,
                    "with --target " + B->Options.Target);
  if (C.OptLevelGiven && C.OptLevel != B->Options.OptLevel)
    return Mismatch("-O" + Twine(C.OptLevel),
                    "with -O" + Twine(B->Options.OptLevel));
  if (C.Checked && !B->Options.Checked)
    return Mismatch("--checked", "without --checked");
  if (C.AllowSequential && !B->AllowSequential)
    return Mismatch("--allow-sequential", "without --allow-sequential");

  // The source module gives the entry's signature (argument binding, result
  // printing) and the interpreter its code; readBundle has verified it.
  if (B->Source.empty())
    return inputError(Src.DisplayName +
                      ": the bundle holds no source module, which `irc-gpu "
                      "run` needs for the entry's signature");
  auto M = ircgpu::parseAndVerify(B->Source);
  if (!M)
    return inputError(Src.DisplayName + ": " + toString(M.takeError()));
  return LoadedBundle{std::move(*B), std::move(*M)};
}

} // namespace irctool
