// TerminalProgress (see terminal_progress.h).
#include "tools/rebuild_index/terminal_progress.h"

#include <algorithm>
#include <cmath>

namespace busca::tools {

std::string WithThousands(uint64_t n) {
  std::string digits = std::to_string(n);
  std::string out;
  for (size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) out.push_back(',');
    out.push_back(digits[i]);
  }
  return out;
}

std::string FormatDuration(double seconds) {
  char buf[64];
  if (seconds < 60) {
    std::snprintf(buf, sizeof buf, "%.1fs", seconds);
  } else {
    const long total = std::lround(seconds);
    if (total < 3600) {
      std::snprintf(buf, sizeof buf, "%ldm %lds", total / 60, total % 60);
    } else {
      std::snprintf(buf, sizeof buf, "%ldh %ldm %lds", total / 3600, (total / 60) % 60, total % 60);
    }
  }
  return buf;
}

void TerminalProgress::EndBarLine() {
  if (bar_open_) {
    std::fputc('\n', out_);
    bar_open_ = false;
  }
}

void TerminalProgress::OnPhase(std::string_view collection, indexer::RebuildPhase phase,
                               std::string_view detail) {
  using indexer::RebuildPhase;
  if (interactive_) {
    // The bar itself shows streaming; only the phases after it get a line of their own.
    if (phase == RebuildPhase::kStream || phase == RebuildPhase::kLock ||
        phase == RebuildPhase::kConnect || phase == RebuildPhase::kDone ||
        phase == RebuildPhase::kCleanup) {
      return;
    }
    EndBarLine();
    std::fprintf(out_, "  %-10.*s %s%s%.*s\n", static_cast<int>(collection.size()),
                 collection.data(), std::string(indexer::RebuildPhaseName(phase)).c_str(),
                 detail.empty() ? "" : ": ", static_cast<int>(detail.size()), detail.data());
    std::fflush(out_);
    return;
  }
  std::fprintf(out_, "rebuild-index: %s%s%s%s%.*s\n",
               collection.empty() ? "" : std::string(collection).c_str(),
               collection.empty() ? "" : ": ", std::string(indexer::RebuildPhaseName(phase)).c_str(),
               detail.empty() ? "" : " ", static_cast<int>(detail.size()), detail.data());
  std::fflush(out_);
}

void TerminalProgress::OnProgress(std::string_view collection, uint64_t rows,
                                  uint64_t estimated_rows, double elapsed) {
  const double rate = elapsed > 0 ? static_cast<double>(rows) / elapsed : 0;
  // The planner's estimate counts all rows of the table (live or not) and may be stale: never
  // let the bar pass 100% or the ETA go negative.
  const uint64_t total = std::max(estimated_rows, rows);
  const double fraction = total > 0 ? static_cast<double>(rows) / static_cast<double>(total) : 0;
  const double eta = rate > 0 ? static_cast<double>(total - rows) / rate : 0;
  if (interactive_) {
    if (bar_open_ && bar_collection_ != collection) EndBarLine();
    bar_collection_ = std::string(collection);
    constexpr int kWidth = 24;
    const int filled = static_cast<int>(std::lround(fraction * kWidth));
    std::string bar(static_cast<size_t>(filled), '#');
    bar.append(static_cast<size_t>(kWidth - filled), '.');
    std::fprintf(out_, "\r  %-10.*s [%s] %11s / ~%-11s %9s rows/s  ETA %-8s",
                 static_cast<int>(collection.size()), collection.data(), bar.c_str(),
                 WithThousands(rows).c_str(), WithThousands(total).c_str(),
                 WithThousands(static_cast<uint64_t>(rate)).c_str(), FormatDuration(eta).c_str());
    bar_open_ = true;
    std::fflush(out_);
    return;
  }
  double& last = last_line_[std::string(collection)];
  if (elapsed - last < 1.0 && rows < total) return;
  last = elapsed;
  std::fprintf(out_, "rebuild-index: %.*s: %s rows (~%s estimated), %s rows/s, ETA %s\n",
               static_cast<int>(collection.size()), collection.data(), WithThousands(rows).c_str(),
               WithThousands(total).c_str(), WithThousands(static_cast<uint64_t>(rate)).c_str(),
               FormatDuration(eta).c_str());
  std::fflush(out_);
}

std::string TerminalProgress::RebuildSummaryText(const indexer::RebuildSummary& summary) {
  std::string out;
  for (const auto& c : summary.collections) {
    out += "✅ Rebuilt " + WithThousands(c.documents) + " " + c.collection + "  (" +
           c.generation + (c.previous_generation.empty() ? "" : ", was " + c.previous_generation) +
           ")\n";
  }
  out += "Completed in " + FormatDuration(summary.seconds) + "\n";
  return out;
}

std::string TerminalProgress::RollbackSummaryText(const indexer::RebuildSummary& summary) {
  std::string out;
  for (const auto& c : summary.collections) {
    out += "↩️  Rolled back " + c.collection + " to " + c.generation + " (" +
           WithThousands(c.documents) + " documents; " + c.previous_generation + " kept)\n";
  }
  out += "Completed in " + FormatDuration(summary.seconds) + "\n";
  return out;
}

}  // namespace busca::tools
