// The helpers Lambda's operations share (declared in lambda_records.hpp).
#include "local/services/lambda_records.hpp"

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <ctime>

#include "core/encoding.hpp"
#include "core/hash.hpp"
#include "local/services/s3_request.hpp"

namespace ld::local::lambda {

namespace {

using nlohmann::json;

// 2024-01-01T00:00:00.000, in UTC.
std::string utc_millis(Timestamp t) {
  const auto seconds = static_cast<std::time_t>(millis(t) / 1000);
  std::tm tm{};
  gmtime_r(&seconds, &tm);
  char buffer[96];
  std::snprintf(buffer, sizeof buffer, "%04d-%02d-%02dT%02d:%02d:%02d.%03d", tm.tm_year + 1900,
                tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
                static_cast<int>(millis(t) % 1000));
  return buffer;
}

std::string padded(long long number) {
  char buffer[24];
  std::snprintf(buffer, sizeof buffer, "%010lld", number);
  return buffer;
}

// The zip an S3 location names, read from this endpoint's own S3, with Lambda's errors for a
// missing bucket or key.
std::string zip_from_s3(const State& state, const json& code) {
  const std::string bucket = code.value("S3Bucket", "");
  const std::string key = code.value("S3Key", "");
  if (bucket.empty() || key.empty()) fail_invalid("Please provide a source for function code.");
  auto object = state.records->get(s3::kObjectKind, s3::object_key(bucket, key));
  if (!object) {
    if (!state.records->get(s3::kBucketKind, bucket)) {
      fail_invalid(
          "Error occurred while GetObject. S3 Error Code: NoSuchBucket. S3 Error Message: The "
          "specified bucket does not exist");
    }
    fail_invalid(
        "Error occurred while GetObject. S3 Error Code: NoSuchKey. S3 Error Message: The "
        "specified key does not exist.");
  }
  // Buckets here keep one version of each object, whose id S3 reports as "null".
  const std::string version = code.value("S3ObjectVersion", "");
  if (!version.empty() && version != "null") {
    fail_invalid(
        "Error occurred while GetObject. S3 Error Code: NoSuchVersion. S3 Error Message: The "
        "specified version does not exist.");
  }
  std::string bytes = state.blobs->read(object->document.at("Digest").get<std::string>());
  check_zip(bytes, false);  // no 50 MB limit from S3; the 250 MB unzipped one holds
  return bytes;
}

}  // namespace

ListOptions all_with_prefix(std::string prefix) {
  ListOptions options;
  options.prefix = std::move(prefix);
  options.limit = 0;
  return options;
}

std::string text(const json& input, const char* name) {
  auto it = input.find(name);
  return it != input.end() && it->is_string() ? it->get<std::string>() : std::string();
}

bool has(const json& input, const char* name) {
  auto it = input.find(name);
  return it != input.end() && !it->is_null();
}

long long millis(Timestamp t) {
  return t.time_since_epoch().count();
}

std::string lambda_time(Timestamp t) {
  return utc_millis(t) + "+0000";
}

std::string url_time(Timestamp t) {
  return utc_millis(t) + "000Z";
}

// A UUID-shaped id that is a function of `seed` (RevisionIds follow the records' revisions).
std::string uuid_of(const std::string& seed) {
  std::string hex = sha256_hex(seed).substr(0, 32);
  hex[12] = '4';
  return hex.substr(0, 8) + "-" + hex.substr(8, 4) + "-" + hex.substr(12, 4) + "-" +
         hex.substr(16, 4) + "-" + hex.substr(20, 12);
}

std::string function_arn(const std::string& account, const std::string& region,
                         const std::string& name) {
  return "arn:aws:lambda:" + region + ":" + account + ":function:" + name;
}

std::string qualified(const std::string& arn, const std::string& qualifier) {
  return qualifier.empty() ? arn : arn + ":" + qualifier;
}

[[noreturn]] void not_found(const std::string& message) {
  throw ApiError("ResourceNotFoundException", message, 404);
}

[[noreturn]] void conflict(const std::string& message) {
  throw ApiError("ResourceConflictException", message, 409);
}

[[noreturn]] void precondition_failed() {
  throw ApiError("PreconditionFailedException",
                 "The Revision Id provided does not match the latest Revision Id. Call the "
                 "GetFunction/GetAlias API to retrieve the latest Revision Id",
                 412);
}

// The zip a Code or Content member carries: ZipFile (base64), or S3Bucket + S3Key.
std::string zip_from(const State& state, const json& code) {
  if (has(code, "ImageUri")) fail_invalid("PackageType Image is not supported locally");
  const bool from_s3 = has(code, "S3Bucket") || has(code, "S3Key");
  if (from_s3 && has(code, "ZipFile")) {
    fail_invalid(
        "Please provide only one source for function code: ZipFile, or S3Bucket and S3Key.");
  }
  if (from_s3) return zip_from_s3(state, code);
  auto zip_file = code.find("ZipFile");
  if (zip_file == code.end() || !zip_file->is_string()) {
    fail_invalid("Please provide a source for function code.");
  }
  auto bytes = base64_decode(zip_file->get<std::string>());
  if (!bytes) {
    fail_invalid(
        "Could not unzip uploaded file. Please check your file, then try to upload again.");
  }
  check_zip(*bytes);
  return std::move(*bytes);
}

json code_of(BlobStore& blobs, const std::string& zip) {
  BlobRef ref = blobs.put(zip);
  return {
      {"digest", ref.digest}, {"size", ref.size}, {"sha256", base64_encode(as_chars(sha256(zip)))}};
}

std::string doc_arn(const json& doc) {
  return function_arn(doc.at("account"), doc.at("region"), doc.at("name"));
}

bool settling(const Context& ctx, const json& doc) {
  return ctx.now.time_since_epoch().count() <
         doc.value("modified_ms", 0LL) + ctx.options.settle_delay.count();
}

std::string latest_revision_id(const Context& ctx, const Record& record) {
  return uuid_of(record.key + "#" + std::to_string(record.revision) +
                 (settling(ctx, record.document) ? "#settling" : "#settled"));
}

Record load_function(const Context& ctx, const std::string& name) {
  auto record = ctx.records().get(kFunction, name);
  if (!record) not_found("Function not found: " + ctx.arn_of(name));
  return *record;
}

std::string version_revision_id(const Record& version) {
  return uuid_of(version.key + "#" + std::to_string(version.revision));
}

std::string version_key(const std::string& name, const std::string& number) {
  return name + "/" + padded(std::stoll(number));
}

std::optional<Record> find_version(const Context& ctx, const std::string& name,
                                   const std::string& number) {
  if (number.size() > 10) return std::nullopt;
  return ctx.records().get(kVersion, version_key(name, number));
}

std::optional<Record> find_alias(const Context& ctx, const std::string& name,
                                 const std::string& alias) {
  return ctx.records().get(kAlias, name + "/" + alias);
}

Record load_alias(const Context& ctx, const std::string& name, const std::string& alias) {
  auto record = find_alias(ctx, name, alias);
  if (!record) not_found("Cannot find alias arn: " + ctx.arn_of(name) + ":" + alias);
  return *record;
}

long long checked_max_items(const json& input, long long most) {
  long long max_items = 50;
  if (has(input, "MaxItems")) {
    const json& value = input["MaxItems"];
    max_items = value.is_number_integer() ? value.get<long long>()
                                          : std::atoll(value.get<std::string>().c_str());
    if (max_items < 1 || max_items > most)
      fail_validation(std::to_string(max_items), "maxItems",
                      "Member must have value between 1 and " + std::to_string(most));
  }
  return max_items;
}

json page_of(const std::vector<std::pair<std::string, json>>& items, const json& in, long long most,
             const char* member) {
  std::size_t start = 0;
  const std::string marker = text(in, "Marker");
  if (!marker.empty()) {
    while (start < items.size() && items[start].first != marker) ++start;
    if (start == items.size()) fail_invalid("Invalid marker: " + marker);
    ++start;
  }
  const long long max_items = checked_max_items(in, most);
  json out = {{member, json::array()}};
  const std::size_t end = std::min(items.size(), start + static_cast<std::size_t>(max_items));
  for (std::size_t i = start; i < end; ++i) out[member].push_back(items[i].second);
  if (end < items.size()) out["NextMarker"] = items[end - 1].first;
  return out;
}

// FunctionName and Qualifier (from the member or the ARN).
FunctionRef function_ref(const json& in) {
  FunctionRef ref = parse_function_name(text(in, "FunctionName"));
  const std::string qualifier = text(in, "Qualifier");
  if (!qualifier.empty()) {
    check_qualifier(qualifier);
    if (!ref.qualifier.empty() && ref.qualifier != qualifier) {
      fail_invalid(
          "The derived qualifier from the function name does not match the specified "
          "qualifier.");
    }
    ref.qualifier = qualifier;
  }
  return ref;
}

}  // namespace ld::local::lambda
