// Implementation of analyze_command.h.
//
// --json prints one object per token and line:
//   {"token":"pães","position":0,"start":0,"end":5,"stopword":false,"stem":"pã","folded":"pa",
//    "folded_surface":"paes"}
// token = the word's surface form (NFKC + case-folded), stem = Snowball stem before accent
// folding, folded = the index term fold(stem), folded_surface = fold(token) (the surface
// dictionary key); start/end are byte offsets into the input. Without --json: a table.
#include "tools/search_cli/analyze_command.h"

#include <cstdio>
#include <iostream>
#include <iterator>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "engine/analysis/analyzer.h"
#include "tools/search_cli/commands.h"

namespace busca::cli {
namespace {

struct AnalyzeOptions {
  bool json = false;
  std::vector<std::string> text;
};

// Display width of a UTF-8 string, counting code points (good enough for Latin text).
size_t Width(const std::string& s) {
  size_t n = 0;
  for (unsigned char c : s) n += (c & 0xC0) != 0x80;
  return n;
}

std::string Pad(const std::string& s, size_t width) {
  const size_t w = Width(s);
  return w >= width ? s : s + std::string(width - w, ' ');
}

int RunAnalyze(const AnalyzeOptions& options) {
  std::string text;
  if (options.text.empty()) {
    text.assign(std::istreambuf_iterator<char>(std::cin), std::istreambuf_iterator<char>());
  } else {
    for (size_t i = 0; i < options.text.size(); ++i) {
      if (i > 0) text += ' ';
      text += options.text[i];
    }
  }
  analysis::Analyzer analyzer;
  std::vector<analysis::Token> tokens;
  analyzer.Analyze(text, &tokens);

  if (options.json) {
    for (const analysis::Token& t : tokens) {
      nlohmann::ordered_json j = {{"token", t.surface},     {"position", t.position},
                                  {"start", t.start},       {"end", t.end},
                                  {"stopword", t.stopword}, {"stem", t.stem},
                                  {"folded", t.term},       {"folded_surface", t.folded_surface}};
      std::cout << j.dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace) << '\n';
    }
    std::cout.flush();
    return 0;
  }

  size_t w_token = 5, w_stem = 4, w_term = 4;
  for (const analysis::Token& t : tokens) {
    w_token = std::max(w_token, Width(t.surface));
    w_stem = std::max(w_stem, Width(t.stem));
    w_term = std::max(w_term, Width(t.term));
  }
  std::cout << "pos    bytes        " << Pad("token", w_token) << "  " << Pad("stem", w_stem)
            << "  " << Pad("term", w_term) << "  note\n";
  for (const analysis::Token& t : tokens) {
    char head[32];
    std::snprintf(head, sizeof(head), "%-6u %-12s ", t.position,
                  (std::to_string(t.start) + "-" + std::to_string(t.end)).c_str());
    std::cout << head << Pad(t.surface, w_token) << "  " << Pad(t.stem, w_stem) << "  "
              << Pad(t.term, w_term) << "  " << (t.stopword ? "stopword" : "") << '\n';
  }
  std::cout << tokens.size() << " tokens\n";
  std::cout.flush();
  return 0;
}

}  // namespace

void RegisterAnalyzeCommand(CLI::App& app) {
  auto options = std::make_shared<AnalyzeOptions>();
  CLI::App* cmd = app.add_subcommand(
      "analyze", "Print the tokens of a text: surface, position, offsets, stem and index term");
  cmd->add_flag("--json", options->json,
                "One JSON object per token and line (keys token, position, start, end, "
                "stopword, stem, folded, folded_surface)");
  cmd->add_option("text", options->text, "Text to analyse (default: read stdin)");
  cmd->callback([options] { SetExitCode(RunAnalyze(*options)); });
}

}  // namespace busca::cli
