#include "engine/index/document.h"

#include <cstdio>
#include <limits>

namespace busca::index {
namespace {

constexpr int64_t kPow10[] = {1,          10,          100,          1000,          10000,
                              100000,     1000000,     10000000,     100000000,     1000000000};

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm).
int64_t DaysFromCivil(int64_t y, unsigned m, unsigned d) {
  y -= m <= 2;
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const unsigned yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<int64_t>(doe) - 719468;
}

void CivilFromDays(int64_t z, int64_t* y, unsigned* m, unsigned* d) {
  z += 719468;
  const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const unsigned doe = static_cast<unsigned>(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  *d = doy - (153 * mp + 2) / 5 + 1;
  *m = mp < 10 ? mp + 3 : mp - 9;
  *y = static_cast<int64_t>(yoe) + era * 400 + (*m <= 2);
}

bool IsLeap(int64_t y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }
unsigned DaysInMonth(int64_t y, unsigned m) {
  static const unsigned kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return m == 2 && IsLeap(y) ? 29 : kDays[m - 1];
}

class Scanner {
 public:
  explicit Scanner(std::string_view s) : s_(s) {}
  bool Done() const { return pos_ >= s_.size(); }
  char Peek() const { return Done() ? '\0' : s_[pos_]; }
  size_t pos() const { return pos_; }
  void Skip() { ++pos_; }
  // Exactly n digits.
  bool Digits(int n, int64_t* out) {
    int64_t v = 0;
    for (int i = 0; i < n; ++i) {
      if (Done() || !IsDigit(s_[pos_])) return false;
      v = v * 10 + (s_[pos_++] - '0');
    }
    *out = v;
    return true;
  }
  bool Consume(char c) {
    if (Peek() == c) {
      ++pos_;
      return true;
    }
    return false;
  }

 private:
  std::string_view s_;
  size_t pos_ = 0;
};

}  // namespace

Result<int64_t> ParseScaledDecimal(std::string_view text, int scale) {
  auto bad = [&](std::string_view why) {
    return Status::InvalidArgument("invalid decimal \"" + std::string(text) + "\": " + std::string(why));
  };
  if (scale < 0 || scale > 9) return bad("scale must be between 0 and 9");
  size_t i = 0;
  bool negative = false;
  if (i < text.size() && (text[i] == '-' || text[i] == '+')) {
    negative = text[i] == '-';
    ++i;
  }
  size_t int_start = i;
  // Accumulate as a negative number so INT64_MIN is representable.
  int64_t acc = 0;
  auto push_digit = [&](int d) -> bool {
    if (acc < (std::numeric_limits<int64_t>::min() + d) / 10) return false;
    acc = acc * 10 - d;
    return true;
  };
  for (; i < text.size() && IsDigit(text[i]); ++i) {
    if (!push_digit(text[i] - '0')) return bad("out of range");
  }
  size_t int_digits = i - int_start;
  size_t frac_digits = 0;
  int used_frac = 0;
  if (i < text.size() && text[i] == '.') {
    ++i;
    for (; i < text.size() && IsDigit(text[i]); ++i, ++frac_digits) {
      int d = text[i] - '0';
      if (used_frac < scale) {
        if (!push_digit(d)) return bad("out of range");
        ++used_frac;
      } else if (d != 0) {
        return bad("more than " + std::to_string(scale) + " digit(s) after the decimal point");
      }
    }
  }
  if (int_digits == 0 && frac_digits == 0) return bad("no digits");
  if (i != text.size()) return bad("unexpected character at position " + std::to_string(i));
  for (; used_frac < scale; ++used_frac) {
    if (!push_digit(0)) return bad("out of range");
  }
  if (!negative) {
    if (acc == std::numeric_limits<int64_t>::min()) return bad("out of range");
    return -acc;
  }
  return acc;
}

std::string FormatScaledDecimal(int64_t value, int scale) {
  if (scale <= 0) return std::to_string(value);
  bool negative = value < 0;
  // Work on the unsigned magnitude (INT64_MIN safe).
  uint64_t mag = negative ? static_cast<uint64_t>(0) - static_cast<uint64_t>(value) : static_cast<uint64_t>(value);
  uint64_t div = static_cast<uint64_t>(kPow10[scale]);
  std::string frac = std::to_string(mag % div);
  frac.insert(0, static_cast<size_t>(scale) - frac.size(), '0');
  return (negative ? "-" : "") + std::to_string(mag / div) + "." + frac;
}

Result<int64_t> ParseTimestampMicros(std::string_view text) {
  auto bad = [&](std::string_view why, size_t pos) {
    return Status::InvalidArgument("invalid timestamp \"" + std::string(text) + "\" at position " +
                                   std::to_string(pos) + ": " + std::string(why) +
                                   " (expected ISO-8601 like 2024-03-01T10:00:00Z)");
  };
  Scanner s(text);
  int64_t year, month, day, hour = 0, minute = 0, second = 0, micros = 0;
  if (!s.Digits(4, &year)) return bad("year (4 digits)", s.pos());
  if (!s.Consume('-')) return bad("'-'", s.pos());
  if (!s.Digits(2, &month) || month < 1 || month > 12) return bad("month 01-12", s.pos());
  if (!s.Consume('-')) return bad("'-'", s.pos());
  if (!s.Digits(2, &day) || day < 1 || day > DaysInMonth(year, static_cast<unsigned>(month))) {
    return bad("day of month", s.pos());
  }
  int64_t offset_minutes = 0;
  if (!s.Done()) {
    if (!s.Consume('T') && !s.Consume('t') && !s.Consume(' ')) return bad("'T' or ' ' after the date", s.pos());
    if (!s.Digits(2, &hour) || hour > 23) return bad("hour 00-23", s.pos());
    if (!s.Consume(':')) return bad("':'", s.pos());
    if (!s.Digits(2, &minute) || minute > 59) return bad("minute 00-59", s.pos());
    if (s.Consume(':')) {
      if (!s.Digits(2, &second) || second > 59) return bad("second 00-59", s.pos());
      if (s.Consume('.') || s.Consume(',')) {
        int digits = 0;
        while (IsDigit(s.Peek())) {
          if (digits < 6) micros = micros * 10 + (s.Peek() - '0');
          ++digits;
          s.Skip();
        }
        if (digits == 0) return bad("digits after the decimal point", s.pos());
        if (digits > 9) return bad("at most 9 fractional digits", s.pos());
        for (int d = digits; d < 6; ++d) micros *= 10;
      }
    }
    if (!s.Done()) {
      if (s.Consume('Z') || s.Consume('z')) {
      } else if (s.Peek() == '+' || s.Peek() == '-') {
        bool minus = s.Peek() == '-';
        s.Skip();
        int64_t oh, om = 0;
        if (!s.Digits(2, &oh) || oh > 15) return bad("UTC offset hours", s.pos());
        if (s.Consume(':')) {
          if (!s.Digits(2, &om) || om > 59) return bad("UTC offset minutes", s.pos());
        } else if (!s.Done()) {
          if (!s.Digits(2, &om) || om > 59) return bad("UTC offset minutes", s.pos());
        }
        offset_minutes = (minus ? -1 : 1) * (oh * 60 + om);
      } else {
        return bad("time zone (Z or +HH:MM)", s.pos());
      }
    }
    if (!s.Done()) return bad("unexpected trailing characters", s.pos());
  }
  int64_t days = DaysFromCivil(year, static_cast<unsigned>(month), static_cast<unsigned>(day));
  int64_t seconds = days * 86400 + hour * 3600 + minute * 60 + second - offset_minutes * 60;
  return seconds * 1000000 + micros;
}

std::string FormatTimestampMicros(int64_t micros) {
  int64_t secs = micros / 1000000;
  int64_t frac = micros % 1000000;
  if (frac < 0) {
    frac += 1000000;
    --secs;
  }
  int64_t days = secs / 86400;
  int64_t rem = secs % 86400;
  if (rem < 0) {
    rem += 86400;
    --days;
  }
  int64_t y;
  unsigned m, d;
  CivilFromDays(days, &y, &m, &d);
  char buf[64];
  if (frac == 0) {
    std::snprintf(buf, sizeof(buf), "%04lld-%02u-%02uT%02lld:%02lld:%02lldZ", static_cast<long long>(y), m, d,
                  static_cast<long long>(rem / 3600), static_cast<long long>(rem / 60 % 60),
                  static_cast<long long>(rem % 60));
  } else {
    std::snprintf(buf, sizeof(buf), "%04lld-%02u-%02uT%02lld:%02lld:%02lld.%06lldZ", static_cast<long long>(y), m, d,
                  static_cast<long long>(rem / 3600), static_cast<long long>(rem / 60 % 60),
                  static_cast<long long>(rem % 60), static_cast<long long>(frac));
  }
  return buf;
}

Status ValidateDocument(const CollectionSchema& schema, const Document& doc) {
  if (doc.id.empty()) return Status::InvalidArgument("document without an id");
  if (doc.id.size() > 512) return Status::InvalidArgument("document id longer than 512 bytes: " + doc.id.substr(0, 64) + "...");
  if (doc.values.size() != schema.fields.size()) {
    return Status::InvalidArgument("document " + doc.id + ": " + std::to_string(doc.values.size()) +
                                   " values for " + std::to_string(schema.fields.size()) + " fields");
  }
  for (size_t i = 0; i < schema.fields.size(); ++i) {
    const FieldSpec& f = schema.fields[i];
    const FieldValue& v = doc.values[i];
    if (std::holds_alternative<std::monostate>(v)) continue;
    bool ok = false;
    switch (f.type) {
      case FieldType::kText: ok = std::holds_alternative<std::string>(v); break;
      case FieldType::kKeyword:
        ok = std::holds_alternative<std::vector<std::string>>(v) &&
             (f.multi || std::get<std::vector<std::string>>(v).size() <= 1);
        break;
      case FieldType::kNumber:
      case FieldType::kTimestamp: ok = std::holds_alternative<int64_t>(v); break;
      case FieldType::kBoolean: ok = std::holds_alternative<bool>(v); break;
    }
    if (!ok) {
      return Status::InvalidArgument("document " + doc.id + ": field \"" + f.name + "\" (" +
                                     std::string(FieldTypeName(f.type)) + (f.multi ? ", multi" : "") +
                                     ") holds a value of the wrong kind");
    }
  }
  return Status::Ok();
}

}  // namespace busca::index
