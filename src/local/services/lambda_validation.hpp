#pragma once
// Lambda's input checks, with the error codes and messages AWS answers: function names and
// ARNs, qualifiers, memory, timeout, environment size, runtimes, roles and zip sizes.
#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

namespace ld::local::lambda {

// A FunctionName member split: a name, a partial ARN or a full ARN, with an optional qualifier.
struct FunctionRef {
  std::string name;
  std::string qualifier;  // "" when the ARN carries none
};

// Parses FunctionName (throws ValidationException when it does not match Lambda's pattern).
FunctionRef parse_function_name(const std::string& value);
// CreateFunction's FunctionName: a plain name (or ARN) of at most 64 characters, no qualifier.
std::string checked_new_function_name(const std::string& value);
// A Qualifier: $LATEST, a version number or an alias name (ValidationException otherwise).
void check_qualifier(const std::string& qualifier);
// True for a version number ("1", "42").
bool is_version_number(std::string_view qualifier);
// An alias name: 1–128 of [a-zA-Z0-9-_], not only digits.
void check_alias_name(const std::string& name);

// The configuration members CreateFunction and UpdateFunctionConfiguration share.
void check_memory(const nlohmann::json& input);
void check_timeout(const nlohmann::json& input);
void check_environment(const nlohmann::json& input);
void check_runtime(const nlohmann::json& input);
void check_role(const nlohmann::json& input);
void check_ephemeral_storage(const nlohmann::json& input);
void check_architectures(const nlohmann::json& input);
// Handler is required for every runtime but the OS-only ones (provided, provided.al2, …).
void check_handler(const std::string& runtime, const nlohmann::json& input);

// A deployment package: at most 50 MB zipped (RequestEntityTooLargeException 413), a zip that
// ZipArchive accepts (InvalidParameterValueException "Could not unzip uploaded file. …", with
// the reason after AWS's words) and at most 250 MB unzipped.
void check_zip(std::string_view zip, bool uploaded_inline = true);
// The sum of the entries' declared uncompressed sizes, read by ZipArchive (the reader that
// extracts them); InvalidParameterValueException as check_zip's when it refuses the zip.
std::uint64_t unzipped_size(std::string_view zip);
// Lambda's limit on a function's code (`code_unzipped` bytes) and its layers (ARN → zip file)
// unzipped together: InvalidParameterValueException with AWS's message when it is passed.
void check_code_with_layers(
    std::uint64_t code_unzipped,
    const std::vector<std::pair<std::string, std::filesystem::path>>& layer_zips);

// "1 validation error detected: Value 'v' at 'field' failed to satisfy constraint: what".
[[noreturn]] void fail_validation(const std::string& value, const std::string& field,
                                  const std::string& constraint);
[[noreturn]] void fail_invalid(const std::string& message);

}  // namespace ld::local::lambda
