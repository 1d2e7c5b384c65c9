#include "output.hpp"

#include <unistd.h>

namespace ld::cli {

using Json = nlohmann::json;

std::string duration_text(std::chrono::milliseconds took) {
  if (took.count() < 1000) return std::to_string(took.count()) + " ms";
  char text[32];
  std::snprintf(text, sizeof text, "%.1f s", static_cast<double>(took.count()) / 1000.0);
  return text;
}

Output::Output(Mode mode, std::FILE* out, std::FILE* err) : mode_(mode), out_(out), err_(err) {
  tty_ = ::isatty(::fileno(out_)) != 0;
  if (!tty_) mode_.color = false;
}

std::string Output::ok_mark() const {
  return mode_.color ? "\033[32m✓\033[0m" : "ok";
}
std::string Output::fail_mark() const {
  return mode_.color ? "\033[31m✗\033[0m" : "FAILED";
}
std::string Output::dim(const std::string& text) const {
  return mode_.color ? "\033[2m" + text + "\033[0m" : text;
}

void Output::clear_status() {
  if (!status_shown_) return;
  std::fputs("\r\033[K", out_);
  status_shown_ = false;
}

void Output::line(const std::string& text) {
  if (mode_.json || mode_.quiet) return;
  clear_status();
  std::fprintf(out_, "%s\n", text.c_str());
  std::fflush(out_);
}

void Output::result(const std::string& text) {
  if (mode_.json) return;
  clear_status();
  std::fprintf(out_, "%s\n", text.c_str());
  std::fflush(out_);
}

void Output::detail(const std::string& text) {
  if (mode_.verbose > 0) {
    clear_status();
    std::fprintf(err_, "%s\n", text.c_str());
  }
}

void Output::problem(const std::string& text) {
  clear_status();
  std::fprintf(err_, "%s\n", text.c_str());
  std::fflush(err_);
}

void Output::plan(const deploy::Plan& plan) {
  Json actions = Json::array();
  for (const auto& action : plan.actions) {
    actions.push_back({{"action", deploy::action_name(action.kind)},
                       {"subject", action.subject},
                       {"summary", action.summary},
                       {"diff", action.diff},
                       {"mutating", action.mutating}});
  }
  doc_["plan"] = actions;
  doc_["live_before"] = plan.live_before;
  if (plan.empty()) return;
  line("Plan: " + std::to_string(plan.actions.size()) + " step" +
       (plan.actions.size() == 1 ? "" : "s") + " (" + std::to_string(plan.mutating_count()) +
       " change" + (plan.mutating_count() == 1 ? "" : "s") + ")");
  for (std::size_t i = 0; i < plan.actions.size(); ++i) {
    const auto& action = plan.actions[i];
    line("  " + std::to_string(i + 1) + ". " + action.summary);
    for (const auto& diff : action.diff) line("       " + dim(diff));
  }
}

void Output::checks(const std::vector<deploy::CheckResult>& checks, const std::string& key) {
  Json list = Json::array();
  for (const auto& check : checks) {
    list.push_back({{"check", check.name},
                    {"passed", check.passed},
                    {"detail", check.detail},
                    {"duration_ms", check.took.count()}});
    line("  " + (check.passed ? ok_mark() : fail_mark()) + " " + check.name + "  " +
         dim(duration_text(check.took)));
    if (!check.passed || mode_.verbose > 0) line("      " + check.detail);
  }
  doc_[key] = list;
}

void Output::action_started(std::size_t index, const deploy::Action& action) {
  if (mode_.json || mode_.quiet || !tty_) return;
  clear_status();
  std::fprintf(out_, "  … %zu. %s", index + 1, action.summary.c_str());
  std::fflush(out_);
  status_shown_ = true;
}

void Output::action_finished(std::size_t index, const deploy::Action& action,
                             std::chrono::milliseconds took, const std::string& detail) {
  if (!doc_.contains("actions")) doc_["actions"] = Json::array();
  doc_["actions"].push_back({{"step", index + 1},
                             {"action", deploy::action_name(action.kind)},
                             {"subject", action.subject},
                             {"summary", action.summary},
                             {"result", detail},
                             {"duration_ms", took.count()}});
  line("  " + ok_mark() + " " + std::to_string(index + 1) + ". " + action.summary + "  " +
       dim(duration_text(took)));
  if (mode_.verbose > 0 && !detail.empty()) line("       " + dim(detail));
}

void Output::waiting(const std::string& what) {
  if (mode_.verbose > 1) detail("    waiting: " + what);
}

void Output::retrying(const std::string& what, int attempt, const std::string& reason) {
  if (!mode_.json && !mode_.quiet)
    problem("    retrying " + what + " (attempt " + std::to_string(attempt) + "): " + reason);
}

void Output::finish() {
  if (finished_) return;
  finished_ = true;
  clear_status();
  if (mode_.json) {
    std::fprintf(out_, "%s\n", doc_.dump(2).c_str());
    std::fflush(out_);
  }
}

}  // namespace ld::cli
