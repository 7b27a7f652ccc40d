// COPY text-format escaping and PostgreSQL array literals.
#include "tools/seed_data/copy_format.h"

#include <cctype>

namespace busca::seed {
namespace {

bool ElementNeedsQuotes(std::string_view e) {
  if (e.empty()) return true;
  if (e.size() == 4 && (e[0] | 0x20) == 'n' && (e[1] | 0x20) == 'u' && (e[2] | 0x20) == 'l' &&
      (e[3] | 0x20) == 'l') {
    return true;
  }
  for (const char c : e) {
    switch (c) {
      case '{':
      case '}':
      case ',':
      case '"':
      case '\\':
      case ' ':
      case '\t':
      case '\n':
      case '\r':
      case '\v':
      case '\f':
        return true;
      default:
        break;
    }
  }
  return false;
}

}  // namespace

void AppendCopyEscaped(std::string_view value, std::string* out) {
  size_t run = 0;  // start of the current run of bytes that need no escaping
  for (size_t i = 0; i < value.size(); ++i) {
    const char c = value[i];
    const char* esc = nullptr;
    switch (c) {
      case '\\':
        esc = "\\\\";
        break;
      case '\t':
        esc = "\\t";
        break;
      case '\n':
        esc = "\\n";
        break;
      case '\r':
        esc = "\\r";
        break;
      default:
        continue;
    }
    out->append(value.data() + run, i - run);
    out->append(esc);
    run = i + 1;
  }
  out->append(value.data() + run, value.size() - run);
}

std::string ArrayLiteral(const std::vector<std::optional<std::string>>& elements) {
  std::string s = "{";
  for (size_t i = 0; i < elements.size(); ++i) {
    if (i > 0) s += ',';
    if (!elements[i].has_value()) {
      s += "NULL";
      continue;
    }
    const std::string& e = *elements[i];
    if (!ElementNeedsQuotes(e)) {
      s += e;
      continue;
    }
    s += '"';
    for (const char c : e) {
      if (c == '"' || c == '\\') s += '\\';
      s += c;
    }
    s += '"';
  }
  s += '}';
  return s;
}

void CopyLineBuilder::Separator() {
  if (!first_) out_->push_back('\t');
  first_ = false;
}

CopyLineBuilder& CopyLineBuilder::Text(std::string_view value) {
  Separator();
  AppendCopyEscaped(value, out_);
  return *this;
}

CopyLineBuilder& CopyLineBuilder::Null() {
  Separator();
  out_->append("\\N");
  return *this;
}

CopyLineBuilder& CopyLineBuilder::NullableText(const std::optional<std::string>& value) {
  return value.has_value() ? Text(*value) : Null();
}

CopyLineBuilder& CopyLineBuilder::Array(const std::vector<std::optional<std::string>>& elements) {
  return Text(ArrayLiteral(elements));
}

CopyLineBuilder& CopyLineBuilder::Array(const std::vector<std::string>& elements) {
  std::vector<std::optional<std::string>> opt(elements.begin(), elements.end());
  return Text(ArrayLiteral(opt));
}

CopyLineBuilder& CopyLineBuilder::Bool(bool value) {
  Separator();
  out_->push_back(value ? 't' : 'f');
  return *this;
}

CopyLineBuilder& CopyLineBuilder::Raw(std::string_view value) {
  Separator();
  out_->append(value);
  return *this;
}

void CopyLineBuilder::End() {
  out_->push_back('\n');
  first_ = true;
}

}  // namespace busca::seed
