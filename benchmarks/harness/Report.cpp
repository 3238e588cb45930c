//===- Report.cpp - benchmark records: ratio, JSON lines, table -----------===//
#include "Report.h"

#include "llvm/Support/Format.h"

using namespace llvm;

namespace ircbench {

bool higherIsBetter(StringRef Metric) {
  return Metric == "GBps" || Metric == "TFLOPs";
}

std::optional<double> ratio(StringRef Metric, std::optional<double> Irc,
                            std::optional<double> Ref) {
  if (!Irc || !Ref || !(*Irc > 0) || !(*Ref > 0))
    return std::nullopt;
  return higherIsBetter(Metric) ? *Irc / *Ref : *Ref / *Irc;
}

namespace {
json::Value optional(std::optional<double> V) {
  return V ? json::Value(*V) : json::Value(nullptr);
}
} // namespace

json::Object toJSON(const Record &R, const RunInfo &Info) {
  json::Object O{{"workload", R.Workload},
                 {"measure", R.Measure},
                 {"metric", R.Metric},
                 {"irc_gpu", optional(R.Irc)},
                 {"reference", optional(R.Ref)},
                 {"ratio", optional(ratio(R.Metric, R.Irc, R.Ref))},
                 {"vs", R.Vs},
                 {"gpu", Info.Gpu},
                 {"driver", Info.Driver},
                 {"date", Info.Date},
                 {"n", int64_t(R.N)},
                 {"size", R.Size},
                 {"check", R.Check}};
  for (const auto &KV : R.Extra)
    O.try_emplace(KV.first, KV.second);
  return O;
}

std::string jsonLine(const Record &R, const RunInfo &Info) {
  std::string S;
  raw_string_ostream OS(S);
  OS << json::Value(toJSON(R, Info));
  return S;
}

void printTable(raw_ostream &OS, ArrayRef<Record> Records,
                const RunInfo &Info) {
  OS << "irc-gpu bench: " << Info.Gpu << ", driver " << Info.Driver << ", "
     << Info.Date << "\n";
  const char *Head[] = {"workload",  "measure", "metric", "irc-gpu",
                        "reference", "vs",      "ratio",  "check"};
  OS << format("%-10s %-22s %-6s %12s %12s %-10s %7s  %s\n", Head[0], Head[1],
               Head[2], Head[3], Head[4], Head[5], Head[6], Head[7]);
  auto Num = [](std::optional<double> V) {
    if (!V)
      return std::string("-");
    std::string S;
    raw_string_ostream OS(S);
    OS << format(*V >= 100 ? "%.1f" : *V >= 1 ? "%.3f" : "%.4f", *V);
    return S;
  };
  for (const Record &R : Records) {
    auto Rat = ratio(R.Metric, R.Irc, R.Ref);
    std::string RatS = Rat ? Num(Rat) + "x" : "-";
    OS << format("%-10s %-22s %-6s %12s %12s %-10s %7s  %s\n",
                 R.Workload.c_str(), R.Measure.c_str(), R.Metric.c_str(),
                 Num(R.Irc).c_str(), Num(R.Ref).c_str(),
                 R.Vs.empty() ? "-" : R.Vs.c_str(), RatS.c_str(),
                 R.Check.c_str());
  }
}

} // namespace ircbench
