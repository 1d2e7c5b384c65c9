#pragma once
// What the deployer tells whoever shows progress (the CLI's Output): actions starting and
// ending, waits and retries, smoke checks. The deployer emits these; only the CLI prints.
#include <chrono>
#include <cstddef>
#include <string>

namespace ld::deploy {

struct Action;

// Receives progress events; every method has a do-nothing default.
class Progress {
 public:
  virtual ~Progress() = default;
  virtual void action_started(std::size_t /*index*/, const Action& /*action*/) {}
  // `detail` says what came of it ("version 3", "https://…/").
  virtual void action_finished(std::size_t /*index*/, const Action& /*action*/,
                               std::chrono::milliseconds /*took*/, const std::string& /*detail*/) {}
  // A wait in progress ("function X: LastUpdateStatus InProgress").
  virtual void waiting(const std::string& /*what*/) {}
  // A call being tried again ("ResourceConflictException: ...", attempt 2).
  virtual void retrying(const std::string& /*what*/, int /*attempt*/,
                        const std::string& /*reason*/) {}
};

}  // namespace ld::deploy
