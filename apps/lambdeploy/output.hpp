#pragma once
// What the CLI prints: human lines (progress redrawn in place only on a terminal) or, with
// --json, one JSON document on stdout and nothing else there. Deploy progress arrives as
// deploy::Progress events; commands add their results to the document.
#include <chrono>
#include <cstdio>
#include <string>

#include <nlohmann/json.hpp>

#include "deploy/plan.hpp"
#include "deploy/progress.hpp"
#include "deploy/smoke.hpp"

namespace ld::cli {

// Human or JSON output for one command run.
class Output : public deploy::Progress {
 public:
  struct Mode {
    bool json = false;
    bool quiet = false;
    bool color = true;
    int verbose = 0;
  };
  explicit Output(Mode mode, std::FILE* out = stdout, std::FILE* err = stderr);

  bool json() const { return mode_.json; }
  bool quiet() const { return mode_.quiet; }
  int verbose() const { return mode_.verbose; }
  // The document --json prints (commands fill it in).
  nlohmann::json& doc() { return doc_; }

  // A line for people (nothing with --json or --quiet).
  void line(const std::string& text);
  // A result line that --quiet still prints (the URL, an answer): stdout, not with --json.
  void result(const std::string& text);
  // A detail shown with -v only.
  void detail(const std::string& text);
  // A warning or error on stderr (also with --json, where stdout stays one document).
  void problem(const std::string& text);

  // The plan, an action a line with its diff indented; into doc()["plan"] as well.
  void plan(const deploy::Plan& plan);
  // Check results ("smoke"), a line each; into doc()[key].
  void checks(const std::vector<deploy::CheckResult>& checks, const std::string& key = "checks");

  // deploy::Progress
  void action_started(std::size_t index, const deploy::Action& action) override;
  void action_finished(std::size_t index, const deploy::Action& action,
                       std::chrono::milliseconds took, const std::string& detail) override;
  void waiting(const std::string& what) override;
  void retrying(const std::string& what, int attempt, const std::string& reason) override;

  // Prints the JSON document (once) when in JSON mode.
  void finish();

  // "✓" / "✗" and colours, or plain text when colour is off.
  std::string ok_mark() const;
  std::string fail_mark() const;
  std::string dim(const std::string& text) const;

 private:
  void clear_status();
  Mode mode_;
  std::FILE* out_;
  std::FILE* err_;
  bool tty_ = false;
  bool status_shown_ = false;
  bool finished_ = false;
  nlohmann::json doc_ = nlohmann::json::object();
};

// "12 ms", "1.4 s".
std::string duration_text(std::chrono::milliseconds took);

}  // namespace ld::cli
