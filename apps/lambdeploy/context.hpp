#pragma once
// What every command shares: the global options parsed once, the config file and the chosen
// stage loaded on first use, the aws::Session (and clients) built from them, the Output, and
// the cancellation flag Ctrl-C sets.
#include <atomic>
#include <memory>
#include <optional>
#include <string>

#include "aws/session.hpp"
#include "deploy/clients.hpp"
#include "deploy/config.hpp"
#include "output.hpp"

namespace ld::cli {

// The options every command takes.
struct GlobalOptions {
  std::string config;
  std::string region;
  std::string profile;
  std::string endpoint_url;
  bool local = false;
  bool json = false;
  bool quiet = false;
  bool no_color = false;
  int verbose = 0;
};

// Exit codes (README: "Exit codes").
inline constexpr int kExitOk = 0;
inline constexpr int kExitFailed = 1;       // the command did not do what it was asked
inline constexpr int kExitChanges = 2;      // `plan`: there are changes
inline constexpr int kExitBadInput = 3;     // the config, an option or a value is wrong
inline constexpr int kExitCancelled = 130;  // Ctrl-C

class Context {
 public:
  GlobalOptions options;
  std::atomic<bool> cancelled{false};

  // Made from `options` on first use, after parsing.
  Output& out();

  // The config file (--config, or lambdeploy.toml searched upward from the current folder).
  const deploy::Config& config();
  const deploy::StageSpec& stage(const std::string& name);
  // The session for `stage`: its region is --region, else the stage's, else the SDKs' chain
  // (else us-east-1 with --local). Built once.
  const aws::Session& session(const std::string& stage);
  const deploy::Clients& clients(const std::string& stage);
  // True with --local: the endpoint is `lambdeploy local`'s.
  bool local() const { return options.local; }
  // Where requests go, for messages ("AWS" or the URL).
  std::string endpoint_text() const;

 private:
  std::unique_ptr<Output> output_;
  std::optional<deploy::Config> config_;
  std::unique_ptr<aws::Session> session_;
  std::unique_ptr<deploy::Clients> clients_;
  std::string endpoint_;
};

}  // namespace ld::cli
