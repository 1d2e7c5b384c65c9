// Endpoint resolution: the standard endpoints, checked against botocore's endpoints.json read in
// place, and the custom endpoints of the SDKs' "service-specific endpoints" feature.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <set>

#include "aws/endpoints.hpp"
#include "aws/services/cloudwatch.hpp"
#include "aws/services/iam.hpp"
#include "aws/services/lambda.hpp"
#include "aws/services/logs.hpp"
#include "aws/services/s3.hpp"
#include "aws/services/ssm.hpp"
#include "aws/services/sts.hpp"
#include "support/conformance.hpp"

namespace ld::aws {
namespace {

using nlohmann::json;

const ServiceInfo* const kServices[] = {&kLambda, &kS3, &kIam, &kSts, &kLogs, &kCloudWatch, &kSsm};

std::string expand(std::string templ, std::string_view service, std::string_view region,
                   std::string_view dns) {
  for (auto [key, value] : {std::pair{std::string_view("{service}"), service},
                            std::pair{std::string_view("{region}"), region},
                            std::pair{std::string_view("{dnsSuffix}"), dns}}) {
    for (auto pos = templ.find(key); pos != std::string::npos; pos = templ.find(key))
      templ.replace(pos, key.size(), value);
  }
  return templ;
}

std::string scope_region(const json& entry) {
  if (entry.contains("credentialScope") && entry["credentialScope"].contains("region"))
    return entry["credentialScope"]["region"];
  return {};
}

TEST(Endpoints, StandardEndpointsMatchBotocoreEndpointsJson) {
  json data = json::parse(test::read_file(test::conformance_dir() / "models/endpoints.json"));
  int checked = 0, skipped_deprecated = 0;
  std::set<std::string> partitions_seen;
  for (const json& partition : data["partitions"]) {
    std::string id = partition["partition"];
    if (id != "aws" && id != "aws-cn" && id != "aws-us-gov") continue;
    partitions_seen.insert(id);
    std::string dns = partition["dnsSuffix"];
    std::string partition_template = partition["defaults"]["hostname"];
    for (const ServiceInfo* service : kServices) {
      std::string prefix(service->endpoint_prefix);
      const json& s = partition["services"].at(prefix);
      const json& endpoints = s["endpoints"];
      json defaults = s.value("defaults", json::object());
      bool regionalized = s.value("isRegionalized", true);
      // Every region of the partition, and every endpoint key the service lists besides.
      std::vector<std::string> keys;
      for (const auto& [region, _] : partition["regions"].items()) keys.push_back(region);
      for (const auto& [key, _] : endpoints.items())
        if (std::find(keys.begin(), keys.end(), key) == keys.end()) keys.push_back(key);

      for (const std::string& key : keys) {
        json entry = endpoints.value(key, json());
        if (!entry.is_null() && entry.value("deprecated", false)) {
          ++skipped_deprecated;
          continue;
        }
        if (entry.is_null() && !regionalized) entry = endpoints.at(s["partitionEndpoint"]);
        if (entry.is_null()) entry = json::object();
        std::string host =
            expand(entry.value("hostname", defaults.value("hostname", partition_template)), prefix,
                   key, dns);
        std::string scope = scope_region(entry);
        if (scope.empty()) scope = scope_region(defaults);
        if (scope.empty()) scope = key;

        SCOPED_TRACE(id + " " + prefix + " " + key);
        ResolvedEndpoint resolved = standard_endpoint(*service, key);
        EXPECT_EQ(resolved.endpoint.host, host);
        EXPECT_EQ(resolved.signing_region, scope);
        EXPECT_EQ(resolved.endpoint.scheme, "https");
        EXPECT_FALSE(resolved.endpoint.port.has_value());
        EXPECT_EQ(resolved.endpoint.base_path, "");
        EXPECT_FALSE(resolved.custom);
        ++checked;
      }
    }
  }
  EXPECT_EQ(partitions_seen.size(), 3u);
  // 30 regions x 7 services, plus aws-global (S3, IAM, STS), s3-external-1, aws-cn-global and
  // aws-us-gov-global (IAM).
  EXPECT_EQ(checked, 216);
  EXPECT_EQ(skipped_deprecated, 44);
}

TEST(Endpoints, PartitionsByRegionPrefix) {
  EXPECT_EQ(partition_of("eu-west-1").id, "aws");
  EXPECT_EQ(partition_of("cn-northwest-1").id, "aws-cn");
  EXPECT_EQ(partition_of("cn-northwest-1").dns_suffix, "amazonaws.com.cn");
  EXPECT_EQ(partition_of("us-gov-east-1").id, "aws-us-gov");
  EXPECT_EQ(partition_of("us-gov-east-1").dns_suffix, "amazonaws.com");
  EXPECT_EQ(partition_of("us-iso-east-1").dns_suffix, "c2s.ic.gov");
  EXPECT_EQ(partition_of("us-isob-east-1").dns_suffix, "sc2s.sgov.gov");
  EXPECT_EQ(partition_of("aws-us-gov-global").id, "aws-us-gov");
  EXPECT_EQ(partition_of("aws-cn-global").id, "aws-cn");
  EXPECT_EQ(partition_of("mars-central-1").id, "aws");  // unknown: the aws partition
}

TEST(Endpoints, GlobalIamPerPartition) {
  struct Case {
    const char *region, *host, *signing;
  } cases[] = {{"eu-west-1", "iam.amazonaws.com", "us-east-1"},
               {"cn-northwest-1", "iam.cn-north-1.amazonaws.com.cn", "cn-north-1"},
               {"us-gov-east-1", "iam.us-gov.amazonaws.com", "us-gov-west-1"},
               {"us-iso-west-1", "iam.us-iso-east-1.c2s.ic.gov", "us-iso-east-1"},
               {"us-isob-east-1", "iam.us-isob-east-1.sc2s.sgov.gov", "us-isob-east-1"}};
  for (const auto& c : cases) {
    auto r = standard_endpoint(kIam, c.region);
    EXPECT_EQ(r.endpoint.to_string(), std::string("https://") + c.host) << c.region;
    EXPECT_EQ(r.signing_region, c.signing) << c.region;
  }
  EXPECT_EQ(standard_endpoint(kSts, "eu-west-1").endpoint.host, "sts.eu-west-1.amazonaws.com");
  EXPECT_EQ(standard_endpoint(kLambda, "us-iso-east-1").endpoint.host,
            "lambda.us-iso-east-1.c2s.ic.gov");
  EXPECT_EQ(standard_endpoint(kLogs, "us-isob-east-1").endpoint.host,
            "logs.us-isob-east-1.sc2s.sgov.gov");
}

TEST(Endpoints, EmptyRegionIsAnError) {
  try {
    standard_endpoint(kLambda, "");
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_EQ(std::string(e.what()),
              "no region to find the Lambda endpoint for; set a region (--region or AWS_REGION)");
  }
}

// ---- custom endpoints ----

const SharedConfig kFiles = SharedConfig::parse(
    "[default]\n"
    "endpoint_url = http://profile-global:1000\n"
    "services = local\n"
    "[profile svc-only]\n"
    "services = local\n"
    "[profile plain]\n"
    "region = us-east-1\n"
    "[profile ignoring]\n"
    "ignore_configured_endpoint_urls = true\n"
    "endpoint_url = http://ignored:1\n"
    "[profile dangling]\n"
    "services = nowhere\n"
    "[profile bad-url]\n"
    "endpoint_url = ftp://x\n"
    "[services local]\n"
    "lambda =\n"
    "  endpoint_url = http://services-lambda:2000/base/\n"
    "cloudwatch_logs =\n"
    "  endpoint_url = http://services-logs:3000\n",
    "/h/.aws/config", "", "/h/.aws/credentials");

ResolvedEndpoint resolve(const ServiceInfo& service, std::map<std::string, std::string> env,
                         std::string profile = "default", std::string explicit_url = "",
                         std::string region = "eu-west-1") {
  EndpointSettings settings{std::move(explicit_url), environment_from(std::move(env)), &kFiles,
                            std::move(profile)};
  return resolve_endpoint(service, region, settings);
}

TEST(Endpoints, CustomEndpointPrecedence) {
  std::map<std::string, std::string> env{{"AWS_ENDPOINT_URL_LAMBDA", "http://env-lambda:1"},
                                         {"AWS_ENDPOINT_URL", "http://env-global:2"}};
  // --endpoint-url beats everything.
  auto r = resolve(kLambda, env, "default", "http://explicit:9/");
  EXPECT_EQ(r.endpoint.to_string(), "http://explicit:9");
  EXPECT_EQ(r.source, "--endpoint-url");
  EXPECT_TRUE(r.custom);
  // The service's variable, then the global one.
  EXPECT_EQ(resolve(kLambda, env).endpoint.to_string(), "http://env-lambda:1");
  EXPECT_EQ(resolve(kLambda, env).source, "AWS_ENDPOINT_URL_LAMBDA");
  EXPECT_EQ(resolve(kS3, env).endpoint.to_string(), "http://env-global:2");
  EXPECT_EQ(resolve(kS3, env).source, "AWS_ENDPOINT_URL");
  // A service id with a space: AWS_ENDPOINT_URL_CLOUDWATCH_LOGS.
  EXPECT_EQ(resolve(kLogs, {{"AWS_ENDPOINT_URL_CLOUDWATCH_LOGS", "http://env-logs:3"}})
                .endpoint.to_string(),
            "http://env-logs:3");
  // Then the [services] section, then the profile's endpoint_url.
  r = resolve(kLambda, {});
  EXPECT_EQ(r.endpoint.to_string(), "http://services-lambda:2000/base");
  EXPECT_EQ(r.endpoint.base_path, "/base");
  EXPECT_EQ(r.source, "[services local] lambda.endpoint_url (/h/.aws/config line 16)");
  EXPECT_EQ(resolve(kLogs, {}).endpoint.to_string(), "http://services-logs:3000");
  r = resolve(kSsm, {});
  EXPECT_EQ(r.endpoint.to_string(), "http://profile-global:1000");
  EXPECT_EQ(r.source, "profile 'default' endpoint_url (/h/.aws/config line 2)");
  // A profile with only a services section: other services get the standard endpoint.
  r = resolve(kSsm, {}, "svc-only");
  EXPECT_FALSE(r.custom);
  EXPECT_EQ(r.endpoint.to_string(), "https://ssm.eu-west-1.amazonaws.com");
  EXPECT_EQ(resolve(kLambda, {}, "svc-only").endpoint.host, "services-lambda");
  // Nothing configured.
  r = resolve(kLambda, {}, "plain");
  EXPECT_FALSE(r.custom);
  EXPECT_EQ(r.source, "standard");
  EXPECT_EQ(r.endpoint.to_string(), "https://lambda.eu-west-1.amazonaws.com");
}

TEST(Endpoints, IgnoreConfiguredEndpointUrls) {
  std::map<std::string, std::string> env{{"AWS_ENDPOINT_URL_LAMBDA", "http://env-lambda:1"},
                                         {"AWS_ENDPOINT_URL", "http://env-global:2"},
                                         {"AWS_IGNORE_CONFIGURED_ENDPOINT_URLS", "true"}};
  EXPECT_FALSE(resolve(kLambda, env).custom);
  EXPECT_FALSE(resolve(kS3, env).custom);
  EXPECT_FALSE(resolve(kSsm, env).custom);  // the profile's endpoint_url is ignored too
  // --endpoint-url is not a "configured" endpoint: it still wins.
  EXPECT_EQ(resolve(kLambda, env, "default", "http://explicit:9").endpoint.host, "explicit");
  // In the profile.
  EXPECT_FALSE(resolve(kLambda, {}, "ignoring").custom);
  EXPECT_FALSE(resolve(kLambda, {{"AWS_ENDPOINT_URL", "http://env-global:2"}}, "ignoring").custom);
  // The variable set to false beats the profile's true.
  auto r = resolve(kLambda, {{"AWS_IGNORE_CONFIGURED_ENDPOINT_URLS", "false"}}, "ignoring");
  EXPECT_TRUE(r.custom);
  EXPECT_EQ(r.endpoint.host, "ignored");
}

TEST(Endpoints, CustomEndpointIsSignedForTheRegion) {
  auto r =
      resolve(kIam, {{"AWS_ENDPOINT_URL", "http://127.0.0.1:4566"}}, "plain", "", "eu-central-1");
  EXPECT_EQ(r.signing_region, "eu-central-1");
  EXPECT_EQ(r.endpoint.port, 4566);
  r = resolve(kSts, {{"AWS_ENDPOINT_URL", "http://127.0.0.1:4566"}}, "plain", "", "aws-global");
  EXPECT_EQ(r.signing_region, "us-east-1");
  r = resolve(kSts, {{"AWS_ENDPOINT_URL", "http://127.0.0.1:4566"}}, "plain", "", "");
  EXPECT_EQ(r.signing_region, "us-east-1");
}

TEST(Endpoints, ConfigurationErrorsNameTheirSource) {
  try {
    resolve(kLambda, {}, "dangling");
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_EQ(std::string(e.what()),
              "profile 'dangling' (/h/.aws/config line 12) uses services section 'nowhere', but "
              "/h/.aws/config has no [services nowhere] section");
  }
  try {
    resolve(kLambda, {{"AWS_ENDPOINT_URL_LAMBDA", "localhost:4566"}});
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_EQ(std::string(e.what()),
              "endpoint URL 'localhost:4566' is not valid: it needs a scheme, as in "
              "http://127.0.0.1:4566 (set by AWS_ENDPOINT_URL_LAMBDA)");
  }
  try {
    resolve(kLambda, {}, "bad-url");
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_EQ(std::string(e.what()),
              "endpoint URL 'ftp://x' is not valid: the scheme must be http or https (set by "
              "profile 'bad-url' endpoint_url (/h/.aws/config line 14))");
  }
}

TEST(Endpoints, EnvAndConfigNamesDerivedFromTheServiceId) {
  ServiceInfo unnamed{.id = "CloudWatch Logs",
                      .endpoint_prefix = "logs",
                      .signing_name = "logs",
                      .api_version = "x",
                      .protocol = Protocol::Json,
                      .env_name = {},
                      .config_key = {}};
  EXPECT_EQ(endpoint_env_name(unnamed), "CLOUDWATCH_LOGS");
  EXPECT_EQ(endpoint_config_key(unnamed), "cloudwatch_logs");
  EXPECT_EQ(endpoint_env_name(kCloudWatch), "CLOUDWATCH");
  EXPECT_EQ(endpoint_config_key(kLogs), "cloudwatch_logs");
  EXPECT_EQ(resolve(unnamed, {{"AWS_ENDPOINT_URL_CLOUDWATCH_LOGS", "http://x:1"}}).endpoint.host,
            "x");
}

}  // namespace
}  // namespace ld::aws
