// CopyTextDecoder and ParsePgTextArray (see copy_text_decoder.h for the formats).
#include "indexer/copy_text_decoder.h"

#include <cstring>
#include <string>

namespace busca::indexer {
namespace {

bool IsOctal(char c) { return c >= '0' && c <= '7'; }

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

}  // namespace

Status CopyTextDecoder::Decode(std::string_view line, size_t expected_fields) {
  if (!line.empty() && line.back() == '\n') line.remove_suffix(1);
  if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
  buffer_.clear();
  spans_.clear();
  if (buffer_.capacity() < line.size()) buffer_.reserve(line.size());

  const char* const begin = line.data();
  const char* const end = begin + line.size();
  const char* p = begin;
  while (true) {
    // One field: [p, field_end) up to the next unescaped TAB or the end of the line.
    Span span;
    span.begin = static_cast<uint32_t>(buffer_.size());
    if (end - p >= 2 && p[0] == '\\' && p[1] == 'N' && (p + 2 == end || p[2] == '\t')) {
      span.null = true;
      p += 2;
    } else {
      while (p < end && *p != '\t') {
        // Copy the run of plain bytes up to the next TAB or backslash in one go.
        const char* run = p;
        while (p < end && *p != '\t' && *p != '\\') ++p;
        buffer_.append(run, static_cast<size_t>(p - run));
        if (p == end || *p == '\t') break;
        // Backslash escape.
        if (p + 1 == end) {
          return Status::InvalidArgument("COPY line ends in a lone backslash at byte " +
                                         std::to_string(p - begin));
        }
        char c = p[1];
        p += 2;
        switch (c) {
          case 'b': buffer_.push_back('\b'); break;
          case 'f': buffer_.push_back('\f'); break;
          case 'n': buffer_.push_back('\n'); break;
          case 'r': buffer_.push_back('\r'); break;
          case 't': buffer_.push_back('\t'); break;
          case 'v': buffer_.push_back('\v'); break;
          case 'x': {
            int value = 0, digits = 0;
            while (digits < 2 && p < end && HexValue(*p) >= 0) {
              value = value * 16 + HexValue(*p);
              ++p;
              ++digits;
            }
            if (digits == 0) {
              buffer_.push_back('x');  // "\x" not followed by hex: a plain x, as COPY FROM does
            } else {
              buffer_.push_back(static_cast<char>(value));
            }
            break;
          }
          default:
            if (IsOctal(c)) {
              int value = c - '0', digits = 1;
              while (digits < 3 && p < end && IsOctal(*p)) {
                value = value * 8 + (*p - '0');
                ++p;
                ++digits;
              }
              buffer_.push_back(static_cast<char>(value & 0xff));
            } else {
              buffer_.push_back(c);  // \\ and any other escaped character stand for themselves
            }
        }
      }
    }
    span.length = static_cast<uint32_t>(buffer_.size() - span.begin);
    spans_.push_back(span);
    if (p == end) break;
    ++p;  // the TAB
  }
  if (spans_.size() != expected_fields) {
    return Status::InvalidArgument("COPY line has " + std::to_string(spans_.size()) +
                                   " fields, expected " + std::to_string(expected_fields));
  }
  return Status::Ok();
}

namespace {

bool IsArraySpace(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f';
}

}  // namespace

Status ParsePgTextArray(std::string_view text, std::vector<std::optional<std::string>>* out) {
  out->clear();
  size_t i = 0;
  const size_t n = text.size();
  auto error = [&](std::string_view what) {
    return Status::InvalidArgument("malformed array literal at byte " + std::to_string(i) + ": " +
                                   std::string(what));
  };
  while (i < n && IsArraySpace(text[i])) ++i;
  if (i < n && text[i] == '[') {  // dimension decoration: [1:3][2:4]={...}
    size_t eq = text.find('=', i);
    if (eq == std::string_view::npos) return error("dimension decoration without '='");
    i = eq + 1;
    while (i < n && IsArraySpace(text[i])) ++i;
  }
  if (i >= n || text[i] != '{') return error("expected '{'");
  int depth = 0;
  // State machine over the nesting; an element may follow '{' or ','.
  bool expect_element = false;
  bool after_open = false;  // the last token was '{'
  while (i < n) {
    char c = text[i];
    if (IsArraySpace(c)) {
      ++i;
      continue;
    }
    if (c == '{') {
      if (depth > 0 && !expect_element) return error("expected ',' before '{'");
      ++depth;
      ++i;
      expect_element = true;
      after_open = true;
      continue;
    }
    if (c == '}') {
      if (depth == 0) return error("unbalanced '}'");
      if (expect_element && !after_open) return error("empty element before '}'");
      after_open = false;
      --depth;
      ++i;
      expect_element = false;
      if (depth == 0) break;
      continue;
    }
    if (c == ',') {
      if (depth == 0) return error("',' outside braces");
      if (expect_element) return error("empty element before ','");
      ++i;
      expect_element = true;
      continue;
    }
    if (depth == 0) return error("text after the closing '}'");
    if (!expect_element) return error("expected ',' or '}'");
    after_open = false;
    // An element: quoted or unquoted.
    std::string value;
    if (c == '"') {
      ++i;
      bool closed = false;
      while (i < n) {
        char d = text[i];
        if (d == '\\') {
          if (i + 1 >= n) return error("lone backslash");
          value.push_back(text[i + 1]);
          i += 2;
        } else if (d == '"') {
          ++i;
          closed = true;
          break;
        } else {
          value.push_back(d);
          ++i;
        }
      }
      if (!closed) return error("unterminated quoted element");
      out->emplace_back(std::move(value));
    } else {
      bool any_escape = false;
      size_t last_non_space = 0;  // length of value up to its last non-space (or escaped) byte
      while (i < n) {
        char d = text[i];
        if (d == ',' || d == '}') break;
        if (d == '{' || d == '"') return error("unexpected character in unquoted element");
        if (d == '\\') {
          if (i + 1 >= n) return error("lone backslash");
          value.push_back(text[i + 1]);
          any_escape = true;
          last_non_space = value.size();
          i += 2;
          continue;
        }
        value.push_back(d);
        if (!IsArraySpace(d)) last_non_space = value.size();
        ++i;
      }
      value.resize(last_non_space);  // trailing blanks are not part of an unquoted element
      if (!any_escape && value.size() == 4 && (value[0] | 0x20) == 'n' &&
          (value[1] | 0x20) == 'u' && (value[2] | 0x20) == 'l' && (value[3] | 0x20) == 'l') {
        out->emplace_back(std::nullopt);
      } else {
        out->emplace_back(std::move(value));
      }
    }
    expect_element = false;
  }
  if (depth != 0) return error("unterminated array");
  while (i < n && IsArraySpace(text[i])) ++i;
  if (i != n) return error("text after the closing '}'");
  return Status::Ok();
}

}  // namespace busca::indexer
