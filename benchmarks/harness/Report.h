//===- Report.h - benchmark records: ratio, JSON lines, table ---*- C++ -*-===//
//
// One Record per measurement. `ratio` is irc-gpu / reference for
// higher-is-better metrics (GBps, TFLOPs) and reference / irc-gpu for
// lower-is-better ones (ms, us), so that ratio >= 1 always means irc-gpu
// wins. A record with no reference (or a failed check) has no ratio.
//
//===----------------------------------------------------------------------===//
#ifndef IRCGPU_BENCH_REPORT_H
#define IRCGPU_BENCH_REPORT_H

#include "llvm/ADT/ArrayRef.h"
#include "llvm/Support/JSON.h"
#include "llvm/Support/raw_ostream.h"

#include <optional>
#include <string>
#include <vector>

namespace ircbench {

/// Whether a larger value of Metric is better: GBps and TFLOPs yes; ms and
/// us no.
bool higherIsBetter(llvm::StringRef Metric);

/// irc_gpu / reference (higher is better) or reference / irc_gpu; nothing if
/// either is missing or not positive.
std::optional<double> ratio(llvm::StringRef Metric, std::optional<double> Irc,
                            std::optional<double> Ref);

/// What the whole run shares.
struct RunInfo {
  std::string Gpu = "none", Driver = "unknown", Date;
};

struct Record {
  std::string Workload; ///< saxpy, ...
  std::string Measure;  ///< throughput, time, kernel, cold-compile, ...
  std::string Metric;   ///< GBps TFLOPs ms us
  /// What `reference` is: "cuda" (the hand-written kernel), "copy" (the
  /// device-to-device copy ceiling), "raw-launch", "target" (the issue's
  /// goal for a compile or cache time), or "" (none).
  std::string Vs;
  std::optional<double> Irc, Ref;
  std::string Size;  ///< "67108864", "8192x8192"
  uint64_t N = 0;    ///< elements (or the matrix order)
  std::string Check; ///< "ok", "FAILED: ...", "" when nothing was checked
  llvm::json::Object Extra; ///< min/max, repetitions, bytes, ...
};

/// The JSON object of R: workload, measure, metric, irc_gpu, reference,
/// ratio, vs, gpu, driver, date, n, size, check, then R.Extra.
llvm::json::Object toJSON(const Record &R, const RunInfo &Info);
/// One line of JSON (no newline).
std::string jsonLine(const Record &R, const RunInfo &Info);

/// The readable table: one line per record.
void printTable(llvm::raw_ostream &OS, llvm::ArrayRef<Record> Records,
                const RunInfo &Info);

} // namespace ircbench

#endif
