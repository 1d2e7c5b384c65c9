#include "local/services/lambda_validation.hpp"

#include <algorithm>
#include <array>
#include <regex>

#include "local/api_call.hpp"
#include "local/zip_archive.hpp"

namespace ld::local::lambda {

namespace {

using nlohmann::json;

constexpr std::string_view kNamePattern =
    R"((arn:(aws[a-zA-Z-]*)?:lambda:)?([a-z]{2}(-gov)?-[a-z]+-\d{1}:)?(\d{12}:)?(function:)?([a-zA-Z0-9-_]+)(:(\$LATEST|[a-zA-Z0-9-_]+))?)";

// The model's Runtime enum and the runtimes AWS added after it was frozen.
constexpr std::array<std::string_view, 45> kRuntimes = {
    "nodejs",     "nodejs4.3",       "nodejs6.10",    "nodejs8.10",    "nodejs10.x",
    "nodejs12.x", "nodejs14.x",      "nodejs16.x",    "java8",         "java8.al2",
    "java11",     "python2.7",       "python3.6",     "python3.7",     "python3.8",
    "python3.9",  "dotnetcore1.0",   "dotnetcore2.0", "dotnetcore2.1", "dotnetcore3.1",
    "dotnet6",    "nodejs4.3-edge",  "go1.x",         "ruby2.5",       "ruby2.7",
    "provided",   "provided.al2",    "nodejs18.x",    "python3.10",    "python3.11",
    "python3.12", "python3.13",      "nodejs20.x",    "nodejs22.x",    "java17",
    "java21",     "dotnet7",         "dotnet8",       "ruby3.2",       "ruby3.3",
    "ruby3.4",    "provided.al2023", "python3.14",    "nodejs24.x",    "java25",
};

std::string runtime_list() {
  std::string list;
  for (auto runtime : kRuntimes) {
    if (!list.empty()) list += ", ";
    list += runtime;
  }
  return "[" + list + "]";
}

long long integer_member(const json& input, const char* name, long long fallback) {
  auto it = input.find(name);
  if (it == input.end() || it->is_null()) return fallback;
  if (it->is_number_integer()) return it->get<long long>();
  fail_validation(it->dump(), name, "Member must be an integer");
}

std::string field_name(std::string member) {
  if (!member.empty()) member[0] = static_cast<char>(std::tolower(member[0]));
  return member;
}

constexpr const char* kCouldNotUnzip =
    "Could not unzip uploaded file. Please check your file, then try to upload again.";

// AWS's answer to a zip ZipArchive refuses, with the reason after AWS's own words.
[[noreturn]] void fail_unzip(const ZipError& error) {
  if (error.kind() == ZipError::Kind::NotAZip) fail_invalid(kCouldNotUnzip);
  fail_invalid(std::string(kCouldNotUnzip) + " " + error.what());
}

}  // namespace

void fail_validation(const std::string& value, const std::string& field,
                     const std::string& constraint) {
  throw ApiError("ValidationException", "1 validation error detected: Value '" + value + "' at '" +
                                            field_name(field) +
                                            "' failed to satisfy constraint: " + constraint);
}

void fail_invalid(const std::string& message) {
  throw ApiError("InvalidParameterValueException", message);
}

FunctionRef parse_function_name(const std::string& value) {
  static const std::regex kPattern{std::string(kNamePattern)};
  std::smatch m;
  if (value.empty() || value.size() > 140 || !std::regex_match(value, m, kPattern)) {
    fail_validation(value, "functionName",
                    "Member must satisfy regular expression pattern: " + std::string(kNamePattern));
  }
  FunctionRef ref{m[7].str(), m[9].str()};
  // "name:qualifier" without an ARN prefix reads the same way.
  return ref;
}

std::string checked_new_function_name(const std::string& value) {
  FunctionRef ref = parse_function_name(value);
  if (!ref.qualifier.empty()) {
    fail_invalid("Unsupported function name: qualifier " + ref.qualifier +
                 " is not allowed in CreateFunction");
  }
  if (ref.name.size() > 64) {
    fail_validation(value, "functionName", "Member must have length less than or equal to 64");
  }
  return ref.name;
}

void check_qualifier(const std::string& qualifier) {
  static const std::regex kQualifier(R"(\$LATEST|[a-zA-Z0-9-_]+)");
  if (qualifier.size() > 128 || !std::regex_match(qualifier, kQualifier)) {
    fail_validation(qualifier, "qualifier",
                    R"(Member must satisfy regular expression pattern: (|[a-zA-Z0-9$_-]+))");
  }
}

bool is_version_number(std::string_view qualifier) {
  return !qualifier.empty() && std::all_of(qualifier.begin(), qualifier.end(),
                                           [](char c) { return c >= '0' && c <= '9'; });
}

void check_alias_name(const std::string& name) {
  static const std::regex kAlias(R"((?!^[0-9]+$)([a-zA-Z0-9-_]+))");
  if (name.empty() || name.size() > 128 || !std::regex_match(name, kAlias)) {
    fail_validation(
        name, "name",
        R"(Member must satisfy regular expression pattern: (?!^[0-9]+$)([a-zA-Z0-9-_]+))");
  }
}

void check_memory(const json& input) {
  const long long memory = integer_member(input, "MemorySize", 128);
  if (memory < 128)
    fail_validation(std::to_string(memory), "memorySize",
                    "Member must have value greater than or equal to 128");
  if (memory > 10240)
    fail_validation(std::to_string(memory), "memorySize",
                    "Member must have value less than or equal to 10240");
}

void check_timeout(const json& input) {
  const long long timeout = integer_member(input, "Timeout", 3);
  if (timeout < 1)
    fail_validation(std::to_string(timeout), "timeout",
                    "Member must have value greater than or equal to 1");
  if (timeout > 900)
    fail_validation(std::to_string(timeout), "timeout",
                    "Member must have value less than or equal to 900");
}

void check_environment(const json& input) {
  auto env = input.find("Environment");
  if (env == input.end() || env->is_null()) return;
  auto variables = env->find("Variables");
  if (variables == env->end() || variables->is_null()) return;
  if (!variables->is_object()) fail_invalid("Environment.Variables must be a map of strings");
  static const std::regex kKey(R"([a-zA-Z]([a-zA-Z0-9_])+)");
  for (const auto& [key, value] : variables->items()) {
    if (!value.is_string()) fail_invalid("Environment variable " + key + " must be a string");
    if (!std::regex_match(key, kKey)) {
      fail_validation("[" + key + "]", "environment.variables",
                      "Map keys must satisfy constraint: [Member must satisfy regular expression "
                      "pattern: [a-zA-Z]([a-zA-Z0-9_])+]");
    }
  }
  const std::string measured = variables->dump();
  if (measured.size() > 4096) {
    fail_invalid(
        "Lambda was unable to configure your environment variables because the environment "
        "variables you have provided exceeded the 4KB limit. String measured: " +
        measured);
  }
}

void check_runtime(const json& input) {
  auto runtime = input.find("Runtime");
  if (runtime == input.end() || runtime->is_null()) return;
  const std::string value = runtime->is_string() ? runtime->get<std::string>() : runtime->dump();
  if (std::find(kRuntimes.begin(), kRuntimes.end(), value) == kRuntimes.end()) {
    fail_invalid("Value " + value +
                 " at 'runtime' failed to satisfy constraint: Member must satisfy enum value "
                 "set: " +
                 runtime_list() + " or be a valid ARN");
  }
}

void check_role(const json& input) {
  auto role = input.find("Role");
  if (role == input.end() || role->is_null()) return;
  static const std::regex kRole(R"(arn:(aws[a-zA-Z-]*)?:iam::\d{12}:role/?[a-zA-Z_0-9+=,.@\-_/]+)");
  const std::string value = role->is_string() ? role->get<std::string>() : role->dump();
  if (!std::regex_match(value, kRole)) {
    fail_validation(
        value, "role",
        R"(Member must satisfy regular expression pattern: arn:(aws[a-zA-Z-]*)?:iam::\d{12}:role/?[a-zA-Z_0-9+=,.@\-_/]+)");
  }
}

void check_ephemeral_storage(const json& input) {
  auto storage = input.find("EphemeralStorage");
  if (storage == input.end() || storage->is_null()) return;
  const long long size = integer_member(*storage, "Size", 512);
  if (size < 512 || size > 10240) {
    fail_validation(std::to_string(size), "ephemeralStorage.size",
                    "Member must have value between 512 and 10240");
  }
}

void check_architectures(const json& input) {
  auto architectures = input.find("Architectures");
  if (architectures == input.end() || architectures->is_null()) return;
  if (!architectures->is_array() || architectures->size() != 1 ||
      !((*architectures)[0] == "x86_64" || (*architectures)[0] == "arm64")) {
    fail_validation(architectures->dump(), "architectures",
                    "Member must have length less than or equal to 1, Member must satisfy enum "
                    "value set: [x86_64, arm64]");
  }
}

void check_handler(const std::string& runtime, const json& input) {
  if (runtime.rfind("provided", 0) == 0) return;
  auto handler = input.find("Handler");
  if (handler == input.end() || !handler->is_string() || handler->get<std::string>().empty()) {
    fail_invalid("Handler is required for runtime " + runtime + ".");
  }
}

std::uint64_t unzipped_size(std::string_view zip) {
  try {
    return ZipArchive::read(zip).unzipped_size();
  } catch (const ZipError& error) {
    fail_unzip(error);
  }
}

void check_zip(std::string_view zip, bool uploaded_inline) {
  if (uploaded_inline && zip.size() > 52428800) {
    throw ApiError("RequestEntityTooLargeException",
                   "Zipped size must be smaller than 52428800 bytes", 413);
  }
  if (unzipped_size(zip) > kUnzippedLimit) {
    fail_invalid("Unzipped size must be smaller than " + std::to_string(kUnzippedLimit) + " bytes");
  }
}

void check_code_with_layers(
    std::uint64_t code_unzipped,
    const std::vector<std::pair<std::string, std::filesystem::path>>& layer_zips) {
  std::uint64_t total = code_unzipped;
  for (const auto& [arn, zip] : layer_zips) {
    try {
      total += ZipArchive::open(zip).unzipped_size();
    } catch (const ZipError& error) {
      fail_invalid("Layer version " + arn + " could not be unzipped. " + error.what());
    }
  }
  if (total > kUnzippedLimit) {
    fail_invalid("Function code combined with layers exceeds the maximum allowed size of " +
                 std::to_string(kUnzippedLimit) + " bytes. The actual size is " +
                 std::to_string(total) + " bytes.");
  }
}

}  // namespace ld::local::lambda
