#pragma once
// The AWS error a test expects a client call to fail with.
#include <gtest/gtest.h>

#include "aws/error.hpp"

namespace ld::test {

// The AwsError a call throws (fails the test if it does not throw).
template <typename F>
aws::AwsError error_of(F&& call) {
  try {
    call();
  } catch (const aws::AwsError& error) {
    return error;
  }
  ADD_FAILURE() << "the call did not fail";
  return aws::AwsError("none", "none", 0);
}

}  // namespace ld::test
