// TerminalProgress: rebuild-index's view of a rebuild (a ProgressSink).
//
// On a terminal (stderr is a TTY): one live progress bar per collection, redrawn in place
//   posts      [##############......]  31,204 / ~45,300   61,230 rows/s  ETA 0.2s
// Otherwise (CI, cron, pipes): plain lines, at most one per second per collection, plus one per
// phase. Also renders the runbook-shaped summary ("✅ Rebuilt 45,234 posts", "Completed in
// 1.9s"). Writes to the FILE* it is given; single-threaded use (RunRebuild never calls a sink
// concurrently).
#pragma once

#include <cstdint>
#include <cstdio>
#include <map>
#include <string>
#include <string_view>

#include "indexer/rebuild.h"

namespace busca::tools {

class TerminalProgress : public indexer::ProgressSink {
 public:
  TerminalProgress(std::FILE* out, bool interactive) : out_(out), interactive_(interactive) {}

  void OnPhase(std::string_view collection, indexer::RebuildPhase phase,
               std::string_view detail) override;
  void OnProgress(std::string_view collection, uint64_t rows, uint64_t estimated_rows,
                  double elapsed_seconds) override;
  void OnCollectionDone(const indexer::CollectionSummary& summary) override {}
  // Ends a progress bar line still being redrawn (call before printing anything else).
  void Close() { EndBarLine(); }

  // "✅ Rebuilt 45,234 posts" per collection, then "Completed in 1.9s".
  static std::string RebuildSummaryText(const indexer::RebuildSummary& summary);
  static std::string RollbackSummaryText(const indexer::RebuildSummary& summary);

 private:
  void EndBarLine();
  std::FILE* out_;
  bool interactive_;
  bool bar_open_ = false;  // a progress bar line is being redrawn (no newline yet)
  std::string bar_collection_;
  std::map<std::string, double> last_line_;
};

// 45234 -> "45,234".
std::string WithThousands(uint64_t n);
// 1.94 -> "1.9s", 342 -> "5m 42s".
std::string FormatDuration(double seconds);

}  // namespace busca::tools
