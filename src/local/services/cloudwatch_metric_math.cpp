#include "local/services/cloudwatch_metric_math.hpp"

#include <cctype>
#include <charconv>
#include <cmath>
#include <optional>
#include <utility>

#include "local/services/cloudwatch_input.hpp"

namespace ld::local::cloudwatch {

namespace {

// A metric-math value: a time series, or a constant when `series` is empty and `scalar` is set.
struct MathValue {
  std::optional<Series> series;
  double scalar = 0;
};

[[noreturn]] void math_error(const std::string& id, const std::string& message) {
  validation_error("Error in expression '" + id + "': " + message);
}

// Metric math over other queries' ids: + - * / with constants, parentheses and unary minus.
class MathExpression {
 public:
  MathExpression(std::string id, std::string text, const std::map<std::string, Series>& known)
      : id_(std::move(id)), text_(std::move(text)), known_(known) {}

  // The expression's time series (a constant expression is refused: AWS wants a series).
  Series evaluate() {
    MathValue value = sum();
    skip_space();
    if (pos_ != text_.size()) math_error(id_, "Syntax error at position " + std::to_string(pos_));
    if (!value.series) math_error(id_, "The expression must return a time series.");
    return *value.series;
  }

 private:
  void skip_space() {
    while (pos_ < text_.size() && std::isspace(static_cast<unsigned char>(text_[pos_]))) ++pos_;
  }
  bool take(char c) {
    skip_space();
    if (pos_ < text_.size() && text_[pos_] == c) {
      ++pos_;
      return true;
    }
    return false;
  }
  MathValue sum() {
    MathValue left = product();
    for (;;) {
      if (take('+')) {
        left = combine(left, product(), '+');
      } else if (take('-')) {
        left = combine(left, product(), '-');
      } else {
        return left;
      }
    }
  }
  MathValue product() {
    MathValue left = unary();
    for (;;) {
      if (take('*')) {
        left = combine(left, unary(), '*');
      } else if (take('/')) {
        left = combine(left, unary(), '/');
      } else {
        return left;
      }
    }
  }
  MathValue unary() {
    if (take('-')) return combine(MathValue{std::nullopt, 0}, unary(), '-');
    if (take('+')) return unary();
    return primary();
  }
  MathValue primary() {
    skip_space();
    if (take('(')) {
      MathValue inner = sum();
      if (!take(')')) math_error(id_, "Syntax error: missing ')'");
      return inner;
    }
    if (pos_ >= text_.size()) math_error(id_, "Syntax error: unexpected end of expression");
    const char c = text_[pos_];
    if (std::isdigit(static_cast<unsigned char>(c)) || c == '.') {
      std::size_t end = pos_;
      while (end < text_.size() &&
             (std::isdigit(static_cast<unsigned char>(text_[end])) || text_[end] == '.'))
        ++end;
      double out = 0;
      auto [stop, ec] = std::from_chars(text_.data() + pos_, text_.data() + end, out);
      if (ec != std::errc() || stop != text_.data() + end)
        math_error(id_, "Syntax error at position " + std::to_string(pos_));
      pos_ = end;
      return MathValue{std::nullopt, out};
    }
    if (std::isalpha(static_cast<unsigned char>(c))) {
      std::size_t end = pos_;
      while (end < text_.size() &&
             (std::isalnum(static_cast<unsigned char>(text_[end])) || text_[end] == '_'))
        ++end;
      const std::string name = text_.substr(pos_, end - pos_);
      pos_ = end;
      skip_space();
      if (pos_ < text_.size() && text_[pos_] == '(') {
        math_error(id_, "The function " + name +
                            " is not supported by lambdeploy local's CloudWatch (only + - * / "
                            "over ids and constants).");
      }
      auto it = known_.find(name);
      if (it == known_.end()) math_error(id_, "Unrecognized identifier '" + name + "'");
      return MathValue{it->second, 0};
    }
    math_error(id_, "Syntax error at position " + std::to_string(pos_));
  }
  static double apply(double a, double b, char op) {
    switch (op) {
      case '+':
        return a + b;
      case '-':
        return a - b;
      case '*':
        return a * b;
      default:
        return a / b;
    }
  }
  // Point by point; two series meet on the timestamps both have; non-finite results are dropped.
  static MathValue combine(const MathValue& a, const MathValue& b, char op) {
    if (!a.series && !b.series) return MathValue{std::nullopt, apply(a.scalar, b.scalar, op)};
    Series out;
    if (a.series && b.series) {
      for (const auto& [t, v] : *a.series) {
        auto it = b.series->find(t);
        if (it != b.series->end()) out[t] = apply(v, it->second, op);
      }
    } else if (a.series) {
      for (const auto& [t, v] : *a.series) out[t] = apply(v, b.scalar, op);
    } else {
      for (const auto& [t, v] : *b.series) out[t] = apply(a.scalar, v, op);
    }
    std::erase_if(out, [](const auto& point) { return !std::isfinite(point.second); });
    return MathValue{std::move(out), 0};
  }

  std::string id_;
  std::string text_;
  const std::map<std::string, Series>& known_;
  std::size_t pos_ = 0;
};

}  // namespace

Series evaluate_metric_math(const std::string& id, const std::string& expression,
                            const std::map<std::string, Series>& known) {
  return MathExpression(id, expression, known).evaluate();
}

}  // namespace ld::local::cloudwatch
