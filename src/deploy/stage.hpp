#pragma once
// One stage resolved: the config's values for that stage only, the environment's and SSM's
// values for its variables, and the packaged zips, into a Desired. Stage isolation: nothing of
// another stage is read.
#include <functional>
#include <map>
#include <optional>
#include <string>

#include "deploy/config.hpp"
#include "deploy/desired.hpp"
#include "deploy/package/zip_writer.hpp"

namespace ld::deploy {

// Looks a name up (an environment variable, an SSM parameter); nullopt when there is none.
using Lookup = std::function<std::optional<std::string>(const std::string&)>;

// What resolving a stage needs beyond the config.
struct StageInputs {
  std::string account;  // the caller's account (STS)
  std::string region;
  std::string version;  // the package's version (its `version` file)
  std::string commit;
  ZipFacts code;
  // Dependency zips by name; a dependency that is absent has nothing to ship (a closure that
  // is glibc only) and gets no layer.
  std::map<std::string, ZipFacts> dependencies;
  Lookup env;  // the deployer's environment
  Lookup ssm;  // SSM parameters, decrypted
  // On the local endpoint only: a secret with an SSM name that nothing gives is generated
  // (random_secret) and created as that SecureString. On AWS it is an error.
  bool generate_missing_secrets = false;
  std::function<std::string()> random_secret;
};

// Resolves `stage` of `config`. Throws ConfigError (at the variable's place in the file) for a
// variable that nothing gives a value, naming what to set; ld::Error when the stage's account
// differs from the caller's.
Desired resolve_stage(const Config& config, const StageSpec& stage, const StageInputs& inputs);

// The names of `stage`'s resources for the caller's account and region.
Names names_of(const Config& config, const StageSpec& stage, const std::string& account,
               const std::string& region);

// An SSM name with {stage} and {service} replaced.
std::string expand_parameter_name(const std::string& name, const Config& config,
                                  const std::string& stage);

// 32 random hex characters from the system's random source (a generated API key).
std::string random_hex_secret();

}  // namespace ld::deploy
