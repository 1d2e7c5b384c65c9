#pragma once
// Errors shared by every part: one base type so callers can catch "anything lambdeploy said".
#include <stdexcept>
#include <string>

namespace ld {

// Base of every error lambdeploy raises on purpose; what() is a sentence meant for a person.
class Error : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

}  // namespace ld
