// Differential test against a real PostgreSQL 15 (label "postgres"; needs
// BUSCA_TEST_DATABASE_URL, skips with a message when it is unset):
//  (a) on every word of /usr/share/dict/brazilian, Analyzer::Stem equals
//      ts_lexize('portuguese_stem', word), and our stopwords are exactly the words it drops;
//  (b) on a few thousand sentences of real Portuguese (the Debian Reference, package
//      debian-reference-pt-br, read at test time and stripped of HTML), the stems of our
//      non-stopword tokens equal the lexemes of to_tsvector('portuguese', sentence). Every
//      remaining difference is classified by what causes it (PostgreSQL's parser and ICU's word
//      segmentation disagree on what a word is for hyphenated compounds, URLs, e-mails, file
//      paths, version numbers, ...) using ts_debug; unexplained differences must be zero.
// The cluster must be UTF8 (initdb -E UTF8 --locale=C.UTF-8): asserted.
#include <gtest/gtest.h>
#include <unicode/uchar.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <pqxx/pqxx>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "engine/analysis/analyzer.h"
#include "engine/analysis/utf8.h"

namespace busca::analysis {
namespace {

namespace fs = std::filesystem;

// A PostgreSQL text[] literal holding `items`.
std::string ArrayLiteral(const std::vector<std::string>& items, size_t begin, size_t end) {
  std::string out = "{";
  for (size_t i = begin; i < end; ++i) {
    if (i > begin) out += ',';
    out += '"';
    for (char c : items[i]) {
      if (c == '"' || c == '\\') out += '\\';
      out += c;
    }
    out += '"';
  }
  out += '}';
  return out;
}

std::vector<std::string> Split(const std::string& s, char sep) {
  std::vector<std::string> out;
  if (s.empty()) return out;
  std::string cur;
  for (char c : s) {
    if (c == sep) {
      out.push_back(cur);
      cur.clear();
    } else {
      cur += c;
    }
  }
  out.push_back(cur);
  return out;
}

class PostgresDifferentialTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const char* url = std::getenv("BUSCA_TEST_DATABASE_URL");
    if (url == nullptr || *url == '\0') {
      GTEST_SKIP() << "BUSCA_TEST_DATABASE_URL is not set: skipping the PostgreSQL differential "
                      "test (set it to a UTF8 PostgreSQL 15 cluster, e.g. "
                      "postgresql:///postgres?host=/tmp/pg&port=55433)";
    }
    try {
      conn_ = std::make_unique<pqxx::connection>(url);
      pqxx::nontransaction txn(*conn_);
      const std::string encoding = txn.exec1("SHOW server_encoding")[0].c_str();
      ASSERT_EQ(encoding, "UTF8") << "the test cluster must be created with initdb -E UTF8 "
                                     "--locale=C.UTF-8 (SQL_ASCII mangles accented words)";
    } catch (const std::exception& e) {
      FAIL() << "cannot connect to BUSCA_TEST_DATABASE_URL: " << e.what();
    }
  }

  // Runs `sql` with one text[] parameter, returning the rows as vectors of strings (NULL -> "").
  std::vector<std::vector<std::string>> Query(const std::string& sql, const std::string& array) {
    std::vector<std::vector<std::string>> rows;
    try {
      pqxx::nontransaction txn(*conn_);
      pqxx::result r = txn.exec_params(sql, array);
      rows.reserve(r.size());
      for (const auto& row : r) {
        std::vector<std::string> cells;
        for (const auto& field : row) cells.emplace_back(field.is_null() ? "" : field.c_str());
        rows.push_back(std::move(cells));
      }
    } catch (const std::exception& e) {
      ADD_FAILURE() << "query failed: " << e.what();
    }
    return rows;
  }

  std::unique_ptr<pqxx::connection> conn_;
  Analyzer analyzer_;
};

TEST_F(PostgresDifferentialTest, StemsEqualTsLexizeOnTheWholeWordList) {
  std::ifstream in("/usr/share/dict/brazilian");
  ASSERT_TRUE(in.good()) << "/usr/share/dict/brazilian is missing: install wbrazilian";
  std::vector<std::string> words;
  for (std::string line; std::getline(in, line);) {
    if (!line.empty()) words.push_back(line);
  }
  ASSERT_GT(words.size(), 270000u);

  constexpr size_t kBatch = 40000;
  size_t compared = 0, stopwords = 0, mismatches = 0;
  for (size_t begin = 0; begin < words.size(); begin += kBatch) {
    const size_t end = std::min(words.size(), begin + kBatch);
    const auto rows = Query(
        "SELECT coalesce(array_to_string(ts_lexize('portuguese_stem', w), chr(31)), chr(30)) "
        "FROM unnest($1::text[]) WITH ORDINALITY AS t(w, i) ORDER BY i",
        ArrayLiteral(words, begin, end));
    ASSERT_EQ(rows.size(), end - begin);
    for (size_t i = begin; i < end; ++i) {
      const std::string& pg = rows[i - begin][0];
      const std::string surface = Analyzer::Normalize(words[i]);
      const bool stop = Analyzer::IsStopword(surface);
      const std::string ours = stop ? std::string() : analyzer_.Stem(surface);
      ++compared;
      stopwords += stop;
      if (ours != pg) {
        if (++mismatches <= 20) {
          ADD_FAILURE() << "word \"" << words[i] << "\": ours \"" << ours << "\" (stopword " << stop
                        << "), ts_lexize \"" << pg << "\"";
        }
      }
    }
  }
  std::printf("ts_lexize differential: %zu words compared (%zu stopwords), %zu mismatches\n",
              compared, stopwords, mismatches);
  EXPECT_EQ(mismatches, 0u);
}

// ---------------------------------------------------------------------------------------------
// Sentences from the Debian Reference (pt-BR).

std::string DecodeEntities(const std::string& s) {
  std::string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] != '&') {
      out += s[i];
      continue;
    }
    const size_t semi = s.find(';', i);
    if (semi == std::string::npos || semi - i > 10) {
      out += s[i];
      continue;
    }
    const std::string name = s.substr(i + 1, semi - i - 1);
    char32_t cp = 0;
    if (name == "lt")
      cp = '<';
    else if (name == "gt")
      cp = '>';
    else if (name == "amp")
      cp = '&';
    else if (name == "quot")
      cp = '"';
    else if (name == "apos")
      cp = '\'';
    else if (name == "nbsp")
      cp = 0xA0;
    else if (name.size() > 2 && name[0] == '#' && (name[1] == 'x' || name[1] == 'X')) {
      cp = static_cast<char32_t>(std::strtoul(name.c_str() + 2, nullptr, 16));
    } else if (name.size() > 1 && name[0] == '#') {
      cp = static_cast<char32_t>(std::strtoul(name.c_str() + 1, nullptr, 10));
    }
    if (cp == 0 || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) {
      out += s[i];
      continue;
    }
    utf8::Append(cp, &out);
    i = semi;
  }
  return out;
}

// Visible prose of an HTML file: <pre> blocks (command listings) and tags removed, entities
// decoded, whitespace collapsed.
std::string HtmlToText(const std::string& html) {
  std::string text;
  size_t i = 0;
  while (i < html.size()) {
    if (html[i] == '<') {
      if (html.compare(i, 4, "<pre") == 0) {
        const size_t close = html.find("</pre>", i);
        i = close == std::string::npos ? html.size() : close + 6;
        text += ' ';
        continue;
      }
      const size_t close = html.find('>', i);
      i = close == std::string::npos ? html.size() : close + 1;
      text += ' ';
      continue;
    }
    text += html[i++];
  }
  text = DecodeEntities(text);
  std::string collapsed;
  bool space = false;
  for (char c : text) {
    const bool ws = c == ' ' || c == '\n' || c == '\t' || c == '\r';
    if (ws) {
      space = true;
      continue;
    }
    if (space && !collapsed.empty()) collapsed += ' ';
    space = false;
    collapsed += c;
  }
  return collapsed;
}

// Splits prose into sentences at ". ", "! ", "? " and keeps those of 4 to 60 words.
std::vector<std::string> Sentences(const std::string& text) {
  std::vector<std::string> out;
  size_t begin = 0;
  for (size_t i = 0; i <= text.size(); ++i) {
    const bool end = i == text.size() || ((text[i] == '.' || text[i] == '!' || text[i] == '?') &&
                                          (i + 1 == text.size() || text[i + 1] == ' '));
    if (!end) continue;
    std::string s = text.substr(begin, i - begin + (i < text.size() ? 1 : 0));
    begin = i + 1;
    while (!s.empty() && s.front() == ' ') s.erase(s.begin());
    const size_t words = std::count(s.begin(), s.end(), ' ') + 1;
    if (words >= 4 && words <= 60) out.push_back(s);
  }
  return out;
}

std::vector<std::string> DebianReferenceSentences(size_t want) {
  std::set<fs::path> files;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator("/usr/share/doc", ec)) {
    if (entry.path().filename().string().rfind("debian-reference", 0) != 0) continue;
    for (auto it = fs::recursive_directory_iterator(
             entry.path(), fs::directory_options::follow_directory_symlink, ec);
         it != fs::recursive_directory_iterator(); it.increment(ec)) {
      const std::string name = it->path().filename().string();
      if (name.size() > 11 && name.compare(name.size() - 11, 11, ".pt-br.html") == 0) {
        files.insert(fs::canonical(it->path(), ec));
      }
    }
  }
  std::vector<std::string> all;
  std::set<std::string> seen;
  for (const fs::path& file : files) {
    std::ifstream in(file);
    std::stringstream buffer;
    buffer << in.rdbuf();
    for (std::string& s : Sentences(HtmlToText(buffer.str()))) {
      if (seen.insert(s).second) all.push_back(std::move(s));
    }
  }
  if (all.size() <= want) return all;
  std::vector<std::string> picked;  // evenly spread over the whole book
  for (size_t i = 0; i < want; ++i) picked.push_back(all[i * all.size() / want]);
  return picked;
}

struct PgToken {
  std::string alias;
  std::string token;
  std::vector<std::string> lexemes;
  size_t start = 0, end = 0;  // byte range in the sentence
};

enum class Cause {
  kHyphenatedCompound,  // PG indexes "x-tudo" whole besides its parts; we index the parts
  kUrlEmailHostPath,    // PG has url/host/email/file tokens; ICU splits at ':' and '/'
  kNumberFormat,        // PG's int/float/version tokens vs ICU's numbers
  kUax29Join,           // ICU keeps letters joined by '.', '\'', '’', '_', ',' or ':' together
  kPgTagOrEntity,       // PG's parser drops "<...>" as an XML tag and "&...;" as an entity
  kPgBlank,             // PG's parser sees no word where ICU does (symbols, other scripts)
  kNormalization,       // NFKC + case folding vs PostgreSQL's lower()
  kUnexplained,
};

const char* CauseName(Cause c) {
  switch (c) {
    case Cause::kHyphenatedCompound:
      return "hyphenated compound (PG also indexes the whole)";
    case Cause::kUrlEmailHostPath:
      return "URL / e-mail / host / file path";
    case Cause::kNumberFormat:
      return "number format (PG int/float/version tokens)";
    case Cause::kUax29Join:
      return "ICU joins across . ' _ , (PG splits)";
    case Cause::kPgTagOrEntity:
      return "PG parser drops <tag> / &entity;";
    case Cause::kPgBlank:
      return "PG parser sees no word (symbols / non-Latin)";
    case Cause::kNormalization:
      return "NFKC + case folding vs lower()";
    case Cause::kUnexplained:
      return "UNEXPLAINED";
  }
  return "?";
}

bool IsOneOf(const std::string& s, std::initializer_list<const char*> set) {
  for (const char* x : set) {
    if (s == x) return true;
  }
  return false;
}

// Lower-cases like PostgreSQL's lower() (per code point simple mapping).
std::string SimpleLower(std::string_view text) {
  std::string out;
  size_t i = 0;
  while (i < text.size()) utf8::Append(u_tolower(utf8::Decode(text, &i)), &out);
  return out;
}

TEST_F(PostgresDifferentialTest, SentenceStemsEqualToTsvectorLexemes) {
  const std::vector<std::string> sentences = DebianReferenceSentences(4000);
  ASSERT_GE(sentences.size(), 2000u)
      << "too few sentences: is debian-reference-pt-br installed (scripts/setup-deps.sh)?";

  // PostgreSQL's view of every sentence: ts_debug rows and the tsvector's lexemes.
  std::vector<std::vector<PgToken>> pg_tokens(sentences.size());
  std::vector<std::set<std::string>> pg_lexemes(sentences.size());
  constexpr size_t kBatch = 1000;
  for (size_t begin = 0; begin < sentences.size(); begin += kBatch) {
    const size_t end = std::min(sentences.size(), begin + kBatch);
    const std::string array = ArrayLiteral(sentences, begin, end);
    for (const auto& row :
         Query("SELECT t.i, d.alias, d.token, "
               "coalesce(array_to_string(d.lexemes, chr(31)), '') "
               "FROM unnest($1::text[]) WITH ORDINALITY AS t(s, i), "
               "LATERAL ts_debug('portuguese', t.s) WITH ORDINALITY "
               "AS d(alias, description, token, dictionaries, dictionary, lexemes, j) "
               "ORDER BY t.i, d.j",
               array)) {
      const size_t i = begin + std::stoul(row[0]) - 1;
      PgToken tok{row[1], row[2], Split(row[3], '\x1f')};
      pg_tokens[i].push_back(std::move(tok));
    }
    for (const auto& row :
         Query("SELECT t.i, l.lexeme FROM unnest($1::text[]) WITH ORDINALITY AS t(s, i), "
               "LATERAL unnest(to_tsvector('portuguese', t.s)) AS l",
               array)) {
      pg_lexemes[begin + std::stoul(row[0]) - 1].insert(row[1]);
    }
  }

  std::map<Cause, size_t> by_cause;
  std::map<Cause, std::vector<std::string>> examples;
  size_t identical = 0, tokens_compared = 0;
  size_t content_tokens = 0, content_tokens_agreeing = 0;  // non-stopword tokens
  for (size_t si = 0; si < sentences.size(); ++si) {
    const std::string& sentence = sentences[si];
    // Byte ranges of PostgreSQL's tokens (ts_debug returns them in order).
    size_t cursor = 0;
    for (PgToken& t : pg_tokens[si]) {
      const size_t at = sentence.find(t.token, cursor);
      t.start = at == std::string::npos ? cursor : at;
      t.end = t.start + t.token.size();
      // A hyphenated compound is followed by its parts, a URL by its host and path: those
      // tokens lie inside it, so the search for the next token starts at its beginning.
      const bool has_parts = IsOneOf(t.alias, {"hword", "asciihword", "numhword", "url"});
      if (at != std::string::npos) cursor = has_parts ? t.start : t.end;
    }
    std::vector<Token> ours = analyzer_.Analyze(sentence);
    std::set<std::string> our_stems;
    for (const Token& t : ours) {
      if (!t.stopword) our_stems.insert(t.stem);
    }
    tokens_compared += ours.size();
    const std::set<std::string>& pg = pg_lexemes[si];
    for (const Token& t : ours) {
      if (t.stopword) continue;
      ++content_tokens;
      content_tokens_agreeing += pg.count(t.stem);
    }
    if (our_stems == pg) {
      ++identical;
      continue;
    }
    auto overlaps = [](size_t a0, size_t a1, size_t b0, size_t b1) { return a0 < b1 && b0 < a1; };
    auto record = [&](Cause cause, const std::string& what) {
      ++by_cause[cause];
      if (examples[cause].size() < (cause == Cause::kUnexplained ? 30u : 3u)) {
        std::string ex = what + "   in: " + sentence.substr(0, 200);
        if (cause == Cause::kUnexplained) {
          ex += "\n      ours:";
          for (const Token& t : ours)
            ex += " [" + t.surface + "->" + t.stem + " " + std::to_string(t.start) + "-" +
                  std::to_string(t.end) + "]";
          ex += "\n      pg:";
          for (const PgToken& t : pg_tokens[si]) {
            if (t.alias != "blank") ex += " [" + t.alias + ":" + t.token + "]";
          }
        }
        examples[cause].push_back(ex);
      }
    };

    // Lexemes PostgreSQL has and we do not.
    for (const std::string& lexeme : pg) {
      if (our_stems.count(lexeme)) continue;
      const PgToken* source = nullptr;
      for (const PgToken& t : pg_tokens[si]) {
        if (std::find(t.lexemes.begin(), t.lexemes.end(), lexeme) != t.lexemes.end()) {
          source = &t;
          break;
        }
      }
      Cause cause = Cause::kUnexplained;
      if (source != nullptr) {
        if (IsOneOf(source->alias, {"hword", "asciihword", "numhword"})) {
          cause = Cause::kHyphenatedCompound;
        } else if (IsOneOf(source->alias,
                           {"url", "host", "url_path", "email", "file", "protocol"})) {
          cause = Cause::kUrlEmailHostPath;
        } else if (IsOneOf(source->alias,
                           {"int", "uint", "float", "sfloat", "version", "scientific"})) {
          cause = Cause::kNumberFormat;
        } else {
          // A plain word for PostgreSQL: ICU must have made a longer word around it, either
          // because PostgreSQL's parser cut a path-like string ("maiúsculas/minúsculas" ->
          // file "maiúsculas/min" + word "úsculas") or because UAX #29 joins across a '.',
          // '\'', '_' or ',' where PostgreSQL splits.
          for (const Token& t : ours) {
            if (overlaps(t.start, t.end, source->start, source->end) &&
                (t.start < source->start || t.end > source->end)) {
              cause = Cause::kUax29Join;
              for (const PgToken& p : pg_tokens[si]) {
                if (overlaps(t.start, t.end, p.start, p.end) &&
                    IsOneOf(p.alias, {"url", "host", "url_path", "email", "file", "protocol"})) {
                  cause = Cause::kUrlEmailHostPath;
                }
              }
            }
          }
          // Or the same word, normalised differently.
          for (const Token& t : ours) {
            if (t.start == source->start && t.end == source->end &&
                t.surface != SimpleLower(source->token)) {
              cause = Cause::kNormalization;
            }
          }
        }
      }
      record(cause,
             "pg-only lexeme '" + lexeme + "' (" + (source ? source->alias : "?") + " " +
                 (source ? std::to_string(source->start) + "-" + std::to_string(source->end) : "") +
                 ")");
    }

    // Stems we have and PostgreSQL does not.
    for (const Token& t : ours) {
      if (t.stopword || pg.count(t.stem)) continue;
      Cause cause = Cause::kUnexplained;
      bool covered = false;
      for (const PgToken& p : pg_tokens[si]) {
        if (!overlaps(t.start, t.end, p.start, p.end)) continue;
        covered = true;
        if (IsOneOf(p.alias, {"url", "host", "url_path", "email", "file", "protocol"})) {
          cause = Cause::kUrlEmailHostPath;
          break;
        }
        if (IsOneOf(p.alias, {"int", "uint", "float", "sfloat", "version", "scientific"})) {
          cause = Cause::kNumberFormat;
          break;
        }
        if (IsOneOf(p.alias, {"tag", "entity"})) {
          cause = Cause::kPgTagOrEntity;
          break;
        }
        if (p.start > t.start || p.end < t.end) {
          if (p.alias == "blank" && cause == Cause::kUnexplained) continue;
          cause = Cause::kUax29Join;
        } else if (p.alias == "blank") {
          cause = Cause::kPgBlank;
        } else if (t.surface != SimpleLower(p.token)) {
          cause = Cause::kNormalization;
        }
      }
      if (!covered) cause = Cause::kPgBlank;
      record(cause, "our-only stem '" + t.stem + "' of '" + t.surface + "'");
    }
    // Keep the per-sentence loop honest: a sentence that differs contributes at least one
    // classified difference (sets differ, so one side has an element the other lacks).
  }

  size_t differences = 0;
  for (const auto& [cause, n] : by_cause) differences += n;
  std::printf(
      "to_tsvector differential: %zu sentences (%zu tokens), %zu identical, %zu "
      "differences\n",
      sentences.size(), tokens_compared, identical, differences);
  for (const auto& [cause, n] : by_cause) {
    std::printf("  %-50s %zu\n", CauseName(cause), n);
    for (const std::string& e : examples[cause]) std::printf("      e.g. %s\n", e.c_str());
  }
  std::printf(
      "non-stopword tokens whose stem is a lexeme of the sentence's tsvector: %zu/%zu = "
      "%.2f%%\n",
      content_tokens_agreeing, content_tokens,
      content_tokens ? 100.0 * content_tokens_agreeing / content_tokens : 0.0);
  EXPECT_EQ(by_cause[Cause::kUnexplained], 0u);
  // Sanity: the classifier must not be explaining away a general disagreement. The Debian
  // Reference is full of paths, URLs, commands and hyphenated words, which make many sentences
  // differ, but nearly every word agrees.
  EXPECT_GT(identical * 2, sentences.size());
  EXPECT_GT(content_tokens_agreeing * 100, content_tokens * 90);
}

}  // namespace
}  // namespace busca::analysis
