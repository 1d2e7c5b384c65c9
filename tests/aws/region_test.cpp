// Region resolution: --region > AWS_REGION > AWS_DEFAULT_REGION > the profile's region; no default.
#include <gtest/gtest.h>

#include "aws/region.hpp"

namespace ld::aws {
namespace {

const SharedConfig kFiles = SharedConfig::parse(
    "[default]\nregion = eu-west-1\n[profile dev]\nregion = ap-southeast-2\n[profile bare]\n"
    "output = json\n[profile broken]\nregion = not a region\n",
    "/home/u/.aws/config", "[creds-only]\nregion = ca-central-1\n", "/home/u/.aws/credentials");

std::string region_of(std::string_view explicit_region, std::map<std::string, std::string> env,
                      std::string_view profile = "default") {
  return resolve_region(explicit_region, environment_from(std::move(env)), kFiles, profile).region;
}

TEST(Region, PrecedenceOfTheFourPlaces) {
  std::map<std::string, std::string> all{{"AWS_REGION", "us-east-2"},
                                         {"AWS_DEFAULT_REGION", "us-west-1"}};
  EXPECT_EQ(region_of("eu-central-1", all), "eu-central-1");
  EXPECT_EQ(region_of("", all), "us-east-2");
  EXPECT_EQ(region_of("", {{"AWS_DEFAULT_REGION", "us-west-1"}}), "us-west-1");
  EXPECT_EQ(region_of("", {}), "eu-west-1");
  EXPECT_EQ(region_of("", {}, "dev"), "ap-southeast-2");
  // An empty variable counts as unset.
  EXPECT_EQ(region_of("", {{"AWS_REGION", ""}, {"AWS_DEFAULT_REGION", ""}}, "dev"),
            "ap-southeast-2");
  // A region in the credentials file's section counts too (the SDKs merge the two files).
  EXPECT_EQ(region_of("", {}, "creds-only"), "ca-central-1");
}

TEST(Region, SourceSaysWhereItCameFrom) {
  auto env = environment_from({{"AWS_DEFAULT_REGION", "us-west-1"}});
  EXPECT_EQ(resolve_region("", env, kFiles, "dev").source, "AWS_DEFAULT_REGION");
  EXPECT_EQ(resolve_region("us-east-1", env, kFiles, "dev").source, "--region");
  EXPECT_EQ(resolve_region("", environment_from({}), kFiles, "dev").source,
            "profile 'dev' (/home/u/.aws/config line 4)");
}

TEST(Region, NoneFoundSaysHowToSetOne) {
  EXPECT_FALSE(find_region("", environment_from({}), kFiles, "bare").has_value());
  try {
    resolve_region("", environment_from({}), kFiles, "bare");
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_EQ(std::string(e.what()),
              "no AWS region is set. Set one with --region REGION, the AWS_REGION or "
              "AWS_DEFAULT_REGION environment variable, or 'region = REGION' under "
              "[profile bare] in /home/u/.aws/config (for example: aws configure set region "
              "eu-west-1 --profile bare)");
  }
  SharedConfig empty;
  try {
    resolve_region("", environment_from({}), empty, "default");
    FAIL() << "expected an error";
  } catch (const Error& e) {
    std::string m = e.what();
    EXPECT_NE(m.find("'region = REGION' under [default] in ~/.aws/config"), std::string::npos) << m;
    EXPECT_NE(m.find("aws configure set region eu-west-1)"), std::string::npos) << m;
  }
}

TEST(Region, MalformedRegionNamesItsSource) {
  try {
    region_of("", {{"AWS_REGION", "eu west 1"}});
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_EQ(std::string(e.what()),
              "region 'eu west 1' (from AWS_REGION) is not a valid region name; expected "
              "something like us-east-1");
  }
  try {
    region_of("", {}, "broken");
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_EQ(std::string(e.what()),
              "region 'not a region' (from profile 'broken' (/home/u/.aws/config line 8)) is not "
              "a valid region name; expected something like us-east-1");
  }
}

TEST(Region, ValidRegionNames) {
  for (std::string_view ok :
       {"us-east-1", "cn-north-1", "us-gov-west-1", "us-isob-east-1", "aws-global", "local", "a"})
    EXPECT_TRUE(valid_region_name(ok)) << ok;
  for (std::string_view bad :
       {"", "-us-east-1", "us-east-1-", "us_east_1", "us east 1", "us-east-1/", "x.y"})
    EXPECT_FALSE(valid_region_name(bad)) << bad;
  EXPECT_FALSE(valid_region_name(std::string(64, 'a')));
  EXPECT_TRUE(valid_region_name(std::string(63, 'a')));
}

}  // namespace
}  // namespace ld::aws
