#include "engine/query/query_parser.h"

#include <string>

#include "engine/query/query_limits.h"

namespace busca::query {
namespace {

bool IsSpace(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v'; }

// One lexical element with its byte offset.
struct Lexeme {
  enum class Kind { kWord, kPhrase, kOr, kMinus };
  Kind kind;
  std::string text;
  size_t offset;  // byte offset of the first character
};

class Parser {
 public:
  explicit Parser(std::string_view text) : text_(text) {}

  Result<ParsedQuery> Parse() {
    if (text_.size() > kMaxQueryBytes) {
      return Status::InvalidArgument("query is " + std::to_string(text_.size()) +
                                     " bytes long; the limit is " + std::to_string(kMaxQueryBytes));
    }
    BUSCA_RETURN_IF_ERROR(Lex());
    if (lexemes_.empty()) return Status::InvalidArgument("query is empty");
    ParsedQuery query;
    size_t i = 0;
    while (i < lexemes_.size()) {
      const Lexeme& lx = lexemes_[i];
      QueryClause clause;
      if (lx.kind == Lexeme::Kind::kOr) {
        return Error(lx.offset, "'OR' needs a word or phrase before it");
      }
      if (lx.kind == Lexeme::Kind::kMinus) {
        // Lex() guarantees an item follows a minus.
        clause.excluded = true;
        BUSCA_ASSIGN_OR_RETURN(QueryItem item, MakeItem(lexemes_[i + 1]));
        clause.alternatives.push_back(std::move(item));
        i += 2;
        if (i < lexemes_.size() && lexemes_[i].kind == Lexeme::Kind::kOr) {
          return Error(lexemes_[i].offset, "an excluded item ('-') cannot be part of an OR");
        }
        query.clauses.push_back(std::move(clause));
        continue;
      }
      BUSCA_ASSIGN_OR_RETURN(QueryItem first, MakeItem(lx));
      clause.alternatives.push_back(std::move(first));
      ++i;
      while (i < lexemes_.size() && lexemes_[i].kind == Lexeme::Kind::kOr) {
        size_t or_offset = lexemes_[i].offset;
        ++i;
        if (i >= lexemes_.size()) return Error(or_offset, "'OR' needs a word or phrase after it");
        if (lexemes_[i].kind == Lexeme::Kind::kOr) {
          return Error(lexemes_[i].offset, "'OR' cannot follow 'OR'");
        }
        if (lexemes_[i].kind == Lexeme::Kind::kMinus) {
          return Error(lexemes_[i].offset, "an excluded item ('-') cannot be part of an OR");
        }
        BUSCA_ASSIGN_OR_RETURN(QueryItem next, MakeItem(lexemes_[i]));
        clause.alternatives.push_back(std::move(next));
        ++i;
      }
      query.clauses.push_back(std::move(clause));
    }
    return query;
  }

 private:
  // 1-based code point position of a byte offset.
  uint32_t CharPosition(size_t offset) const {
    uint32_t pos = 1;
    for (size_t i = 0; i < offset && i < text_.size(); ++i) {
      if ((static_cast<unsigned char>(text_[i]) & 0xC0) != 0x80) ++pos;
    }
    return pos;
  }

  Status Error(size_t offset, const std::string& what) const {
    return Status::InvalidArgument("query syntax: " + what + " (at character " +
                                   std::to_string(CharPosition(offset)) + ")");
  }

  Result<QueryItem> MakeItem(const Lexeme& lx) const {
    QueryItem item;
    item.position = CharPosition(lx.offset);
    if (lx.kind == Lexeme::Kind::kPhrase) {
      item.kind = QueryItem::Kind::kPhrase;
      item.text = lx.text;
      return item;
    }
    // A word: '*' only at the end, once.
    std::string_view w = lx.text;
    size_t star = w.find('*');
    if (star == std::string_view::npos) {
      item.kind = QueryItem::Kind::kWord;
      item.text = std::string(w);
      return item;
    }
    if (star + 1 != w.size()) {
      return Error(lx.offset + star, "'*' is only allowed at the end of a word (prefix search)");
    }
    if (star == 0) return Error(lx.offset, "'*' needs a prefix before it");
    item.kind = QueryItem::Kind::kPrefix;
    item.text = std::string(w.substr(0, star));
    return item;
  }

  Status Lex() {
    size_t i = 0;
    const size_t n = text_.size();
    while (i < n) {
      char c = text_[i];
      if (IsSpace(c)) {
        ++i;
        continue;
      }
      if (c == '"') {
        size_t close = text_.find('"', i + 1);
        if (close == std::string_view::npos) {
          return Error(i, "unterminated phrase: '\"' has no closing '\"'");
        }
        std::string_view inner = text_.substr(i + 1, close - i - 1);
        bool blank = true;
        for (char ch : inner) blank = blank && IsSpace(ch);
        if (blank) return Error(i, "empty phrase");
        lexemes_.push_back({Lexeme::Kind::kPhrase, std::string(inner), i});
        i = close + 1;
        continue;
      }
      if (c == '-') {
        // Exclusion when the minus starts an item and an item follows directly.
        if (i + 1 >= n || IsSpace(text_[i + 1])) {
          return Error(i, "'-' must be followed directly by a word or phrase to exclude");
        }
        if (text_[i + 1] == '-') return Error(i + 1, "'-' cannot follow '-'");
        lexemes_.push_back({Lexeme::Kind::kMinus, "-", i});
        ++i;
        // The next item (word or phrase) follows without space.
        if (text_[i] == '"') continue;
        size_t start = i;
        while (i < n && !IsSpace(text_[i]) && text_[i] != '"') ++i;
        std::string word(text_.substr(start, i - start));
        if (word == "OR") return Error(start, "'OR' cannot be excluded");
        lexemes_.push_back({Lexeme::Kind::kWord, std::move(word), start});
        continue;
      }
      size_t start = i;
      while (i < n && !IsSpace(text_[i]) && text_[i] != '"') ++i;
      std::string word(text_.substr(start, i - start));
      if (word == "OR") {
        lexemes_.push_back({Lexeme::Kind::kOr, std::move(word), start});
      } else {
        lexemes_.push_back({Lexeme::Kind::kWord, std::move(word), start});
      }
    }
    return Status::Ok();
  }

  std::string_view text_;
  std::vector<Lexeme> lexemes_;
};

std::string ItemToString(const QueryItem& item) {
  switch (item.kind) {
    case QueryItem::Kind::kWord:
      return item.text;
    case QueryItem::Kind::kPrefix:
      return item.text + "*";
    case QueryItem::Kind::kPhrase:
      return "\"" + item.text + "\"";
  }
  return item.text;
}

}  // namespace

Result<ParsedQuery> ParseQuery(std::string_view text) { return Parser(text).Parse(); }

std::string ParsedQuery::ToString() const {
  std::string out;
  for (const QueryClause& clause : clauses) {
    if (!out.empty()) out += ' ';
    if (clause.excluded) {
      out += '-';
      out += ItemToString(clause.alternatives.front());
      continue;
    }
    if (clause.alternatives.size() == 1) {
      out += ItemToString(clause.alternatives.front());
      continue;
    }
    for (size_t i = 0; i < clause.alternatives.size(); ++i) {
      if (i > 0) out += " OR ";
      out += ItemToString(clause.alternatives[i]);
    }
  }
  return out;
}

}  // namespace busca::query
