#include "deploy/limits.hpp"

#include <cstdio>

#include "deploy/package/zip_contents.hpp"

namespace ld::deploy {

namespace {

std::string mb(std::uint64_t bytes) {
  char text[32];
  std::snprintf(text, sizeof text, "%.1f MB", static_cast<double>(bytes) / 1'048'576.0);
  return text;
}

}  // namespace

std::uint64_t environment_size(const Desired& desired) {
  std::uint64_t size = 0;
  for (const auto& [name, value] : desired.env) size += name.size() + value.value.size();
  return size;
}

void check_limits(const Desired& desired, const LambdaLimits& limits, bool inline_upload) {
  std::vector<std::string> problems;
  if (inline_upload && desired.code.size > limits.direct_upload_zip) {
    problems.push_back("the code zip is " + mb(desired.code.size) + ", over the " +
                       mb(limits.direct_upload_zip) +
                       " of a direct upload: upload it through S3 (the default) or move "
                       "libraries into a [dependencies] layer");
  }
  std::uint64_t unzipped = read_zip_contents(desired.code.path).unzipped_size;
  std::string parts = "code " + mb(unzipped);
  for (const auto& dependency : desired.dependencies) {
    const std::uint64_t size = read_zip_contents(dependency.zip.path).unzipped_size;
    unzipped += size;
    parts += ", " + dependency.name + " " + mb(size);
  }
  if (unzipped > limits.unzipped_with_layers) {
    problems.push_back("the function and its layers unzip to " + mb(unzipped) + " (" + parts +
                       "), over Lambda's " + mb(limits.unzipped_with_layers) +
                       ": strip the binaries (lambdeploy_package STRIP ON), link statically only "
                       "what is used, or ship the function as a container image");
  }
  if (desired.dependencies.size() > limits.layers) {
    problems.push_back(std::to_string(desired.dependencies.size()) +
                       " dependencies, but a function takes at most " +
                       std::to_string(limits.layers) +
                       " layers: merge them into fewer [dependencies] entries");
  }
  const std::uint64_t env = environment_size(desired);
  if (env > limits.environment) {
    std::string largest;
    std::size_t largest_size = 0;
    for (const auto& [name, value] : desired.env) {
      if (value.value.size() > largest_size) {
        largest_size = value.value.size();
        largest = name;
      }
    }
    problems.push_back("the environment is " + std::to_string(env) + " bytes, over Lambda's " +
                       std::to_string(limits.environment) + ": move large values (the largest is " +
                       largest + ", " + std::to_string(largest_size) +
                       " bytes) into SSM parameters the function reads at start, or into files "
                       "in the package");
  }
  if (problems.empty()) return;
  std::string text = "stage " + desired.names.stage + " breaks Lambda's limits:";
  for (const auto& problem : problems) text += "\n  - " + problem;
  throw Error(text);
}

}  // namespace ld::deploy
