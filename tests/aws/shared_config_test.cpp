// The shared files ~/.aws/config and ~/.aws/credentials: sections, nesting, comments, errors.
#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <fstream>

#include "aws/shared_config.hpp"

#include "support/temp_dir.hpp"

namespace ld::aws {
namespace {

namespace fs = std::filesystem;
using test::TempDir;

std::string error_of(std::string_view text, const std::string& file = "/h/.aws/config") {
  try {
    parse_ini(text, file);
  } catch (const SharedConfigError& e) {
    return e.what();
  }
  return "no error";
}

TEST(SharedConfig, ProfilesAreNamedDifferentlyInEachFile) {
  auto c = SharedConfig::parse(
      "[default]\nregion = eu-west-1\n"
      "[profile dev]\nregion = us-east-2\n"
      "[stray]\nregion = ap-south-1\n",  // not a profile in the config file
      "config",
      "[default]\naws_access_key_id = AKIDDEFAULT\n"
      "[dev]\naws_access_key_id = AKIDDEV\n"
      "[profile weird]\naws_access_key_id = AKIDWEIRD\n",  // literally "profile weird" here
      "credentials");
  ASSERT_NE(c.config_profile("default"), nullptr);
  EXPECT_EQ(c.config_profile("default")->get("region"), "eu-west-1");
  EXPECT_EQ(c.config_profile("dev")->get("region"), "us-east-2");
  EXPECT_EQ(c.config_profile("stray"), nullptr);
  EXPECT_EQ(c.credentials_profile("dev")->get("aws_access_key_id"), "AKIDDEV");
  EXPECT_EQ(c.credentials_profile("weird"), nullptr);
  EXPECT_EQ(c.credentials_profile("profile weird")->get("aws_access_key_id"), "AKIDWEIRD");
  EXPECT_EQ(c.profile_names(), (std::vector<std::string>{"default", "dev", "profile weird"}));
}

TEST(SharedConfig, CredentialsFileWinsForTheSameProfile) {
  auto c = SharedConfig::parse(
      "[profile dev]\nregion = us-east-2\naws_access_key_id = FROMCONFIG\noutput = json\n",
      "config", "[dev]\naws_access_key_id = FROMCREDENTIALS\n", "credentials");
  auto p = c.profile("dev");
  ASSERT_TRUE(p.has_value());
  EXPECT_EQ(p->get("aws_access_key_id"), "FROMCREDENTIALS");
  EXPECT_EQ(p->get("region"), "us-east-2");
  EXPECT_EQ(p->get("output"), "json");
  EXPECT_EQ(p->where("aws_access_key_id"), "credentials line 2");
  EXPECT_EQ(p->where("region"), "config line 2");
  EXPECT_FALSE(c.profile("missing").has_value());
}

TEST(SharedConfig, ProfileDefaultWinsOverDefault) {
  auto c = SharedConfig::parse("[default]\nregion = a-1\n[profile default]\nregion = b-2\n", "c",
                               "", "k");
  EXPECT_EQ(c.profile("default")->get("region"), "b-2");
  auto d = SharedConfig::parse("[default]\nregion = a-1\n", "c", "", "k");
  EXPECT_EQ(d.profile("default")->get("region"), "a-1");
}

TEST(SharedConfig, CommentsBlankLinesAndWhitespace) {
  auto sections = parse_ini(
      "# a comment\n"
      "; another\n"
      "\n"
      "[profile  spaced ]   # header comment\n"
      "   # indented comment\n"
      "Region=eu-central-1\n"
      "output   =   text  \n"
      "credential_process = tool --flag=1 --other=two\n"
      "\t; tab-indented comment\n",
      "f");
  ASSERT_EQ(sections.count("profile  spaced"), 1u);
  const ConfigSection& s = sections.at("profile  spaced");
  EXPECT_EQ(s.get("region"), "eu-central-1");  // keys are case-insensitive
  EXPECT_EQ(s.get("REGION"), "eu-central-1");
  EXPECT_EQ(s.get("output"), "text");
  EXPECT_EQ(s.get("credential_process"), "tool --flag=1 --other=two");
  EXPECT_EQ(s.properties.size(), 3u);
  // "profile  spaced" names profile "spaced".
  auto c = SharedConfig::parse("[profile  spaced ]\nregion = x-1\n", "c", "", "k");
  EXPECT_EQ(c.profile("spaced")->get("region"), "x-1");
}

TEST(SharedConfig, NestedSubPropertiesAndServicesSections) {
  auto c = SharedConfig::parse(
      "[profile local]\n"
      "services = local-services\n"
      "s3 =\n"
      "  addressing_style = path\n"
      "  Max_Concurrent_Requests = 20\n"
      "region = us-east-1\n"
      "[services local-services]\n"
      "lambda =\n"
      "  endpoint_url = http://127.0.0.1:4566\n"
      "cloudwatch_logs =\n"
      "\tendpoint_url = http://127.0.0.1:4567/logs\n"
      "  # a comment inside the block\n"
      "  other = x\n",
      "config", "", "credentials");
  auto p = c.profile("local");
  ASSERT_TRUE(p.has_value());
  EXPECT_EQ(p->get("s3", "addressing_style"), "path");
  EXPECT_EQ(p->get("s3", "max_concurrent_requests"), "20");
  EXPECT_FALSE(p->get("s3").has_value());    // a block has no plain value
  EXPECT_EQ(p->get("region"), "us-east-1");  // the block ended at the unindented line
  const ConfigSection* services = c.services("local-services");
  ASSERT_NE(services, nullptr);
  EXPECT_EQ(services->get("lambda", "endpoint_url"), "http://127.0.0.1:4566");
  EXPECT_EQ(services->get("cloudwatch_logs", "endpoint_url"), "http://127.0.0.1:4567/logs");
  EXPECT_EQ(services->get("cloudwatch_logs", "other"), "x");
  EXPECT_FALSE(services->get("lambda", "missing").has_value());
  EXPECT_EQ(c.services("nope"), nullptr);
  EXPECT_EQ(c.profile("local-services"), std::nullopt);
}

TEST(SharedConfig, IndentedLinesContinueANonEmptyValue) {
  auto sections = parse_ini("[a]\nkey = first\n  second\n    third\nnext = 1\n", "f");
  EXPECT_EQ(sections.at("a").get("key"), "first\nsecond\nthird");
  EXPECT_EQ(sections.at("a").get("next"), "1");
}

TEST(SharedConfig, IndentedKeyRightAfterAHeaderIsAProperty) {
  auto sections = parse_ini("[a]\n  region = r-1\n  output = json\n", "f");
  EXPECT_EQ(sections.at("a").get("region"), "r-1");
  EXPECT_EQ(sections.at("a").get("output"), "json");
}

TEST(SharedConfig, CrLfLineEndsAndByteOrderMark) {
  auto sections =
      parse_ini("\xEF\xBB\xBF[default]\r\nregion = eu-west-3\r\ns3 =\r\n  a = b\r\n", "f");
  EXPECT_EQ(sections.at("default").get("region"), "eu-west-3");
  EXPECT_EQ(sections.at("default").get("s3", "a"), "b");
}

TEST(SharedConfig, RepeatedSectionsMergeAndLaterKeysWin) {
  auto sections = parse_ini("[a]\nx = 1\ny = 2\n[b]\nz = 3\n[a]\nx = 4\n", "f");
  EXPECT_EQ(sections.at("a").get("x"), "4");
  EXPECT_EQ(sections.at("a").get("y"), "2");
  EXPECT_EQ(sections.at("a").where("x"), "f line 7");
}

TEST(SharedConfig, ErrorsNameTheFileAndTheLine) {
  EXPECT_EQ(error_of("region = x\n"),
            "/h/.aws/config line 1: 'region = x' is outside of any section; put a [default] or "
            "[profile NAME] header above it");
  EXPECT_EQ(error_of("[default]\nregion = x\n[profile dev\n"),
            "/h/.aws/config line 3: section header '[profile dev' is missing its closing ']'");
  EXPECT_EQ(error_of("[default]\n\n# c\nthis is not a property\n"),
            "/h/.aws/config line 4: expected 'key = value', a [section] header or a comment, got "
            "'this is not a property'");
  EXPECT_EQ(error_of("[default]\ns3 =\n  addressing_style path\n"),
            "/h/.aws/config line 3: expected 'key = value' under 's3 =', got "
            "'addressing_style path'");
  EXPECT_EQ(error_of("[ ]\n"), "/h/.aws/config line 1: empty section name '[]'");
  EXPECT_EQ(error_of("[default] junk\n"),
            "/h/.aws/config line 1: unexpected text 'junk' after the section header");
  EXPECT_EQ(error_of("[default]\n = value\n"),
            "/h/.aws/config line 2: a property has no name before '='");
  EXPECT_EQ(error_of("[default]\ns3 =\n  = x\n"),
            "/h/.aws/config line 3: a sub-property of 's3' has no name before '='");
}

TEST(SharedConfig, LoadReadsTheFilesTheEnvironmentNames) {
  TempDir dir;
  dir.write("home/.aws/config", "[default]\nregion = eu-north-1\n");
  dir.write("home/.aws/credentials", "[default]\naws_access_key_id = AKIDHOME\n");
  dir.write("elsewhere/cfg", "[profile other]\nregion = sa-east-1\n");
  dir.write("elsewhere/creds", "[other]\naws_access_key_id = AKIDOTHER\n");

  auto home = SharedConfig::load(environment_from({{"HOME", (dir.path() / "home").string()}}));
  EXPECT_TRUE(home.config_file_found());
  EXPECT_TRUE(home.credentials_file_found());
  EXPECT_EQ(home.config_file(), (dir.path() / "home/.aws/config").string());
  EXPECT_EQ(home.profile("default")->get("region"), "eu-north-1");
  EXPECT_EQ(home.profile("default")->get("aws_access_key_id"), "AKIDHOME");

  auto other = SharedConfig::load(environment_from(
      {{"HOME", (dir.path() / "home").string()},
       {"AWS_CONFIG_FILE", (dir.path() / "elsewhere/cfg").string()},
       {"AWS_SHARED_CREDENTIALS_FILE", (dir.path() / "elsewhere/creds").string()}}));
  EXPECT_FALSE(other.profile("default").has_value());
  EXPECT_EQ(other.profile("other")->get("region"), "sa-east-1");
  EXPECT_EQ(other.profile("other")->get("aws_access_key_id"), "AKIDOTHER");

  // "~" in the variables is HOME.
  auto tilde = SharedConfig::load(
      environment_from({{"HOME", dir.path().string()}, {"AWS_CONFIG_FILE", "~/elsewhere/cfg"}}));
  EXPECT_EQ(tilde.profile("other")->get("region"), "sa-east-1");
  EXPECT_EQ(tilde.config_file(), (dir.path() / "elsewhere/cfg").string());
}

TEST(SharedConfig, MissingFilesReadAsEmpty) {
  TempDir dir;
  auto c = SharedConfig::load(environment_from({{"HOME", dir.path().string()}}));
  EXPECT_FALSE(c.config_file_found());
  EXPECT_FALSE(c.credentials_file_found());
  EXPECT_TRUE(c.profile_names().empty());
  // No HOME at all: the default paths cannot be found, and that is not an error.
  auto none = SharedConfig::load(environment_from({}));
  EXPECT_TRUE(none.config_file().empty());
  EXPECT_FALSE(none.config_file_found());
}

TEST(SharedConfig, MalformedOrUnreadableFileIsAnError) {
  TempDir dir;
  auto bad = dir.write("bad-config", "[default]\nregion = x\n[oops\n");
  try {
    SharedConfig::load(
        environment_from({{"HOME", dir.path().string()}, {"AWS_CONFIG_FILE", bad.string()}}));
    FAIL() << "expected an error";
  } catch (const SharedConfigError& e) {
    EXPECT_EQ(std::string(e.what()),
              bad.string() + " line 3: section header '[oops' is missing its closing ']'");
  }
  fs::create_directories(dir.path() / "adir");
  try {
    SharedConfig::load(
        environment_from({{"HOME", dir.path().string()},
                          {"AWS_SHARED_CREDENTIALS_FILE", (dir.path() / "adir").string()}}));
    FAIL() << "expected an error";
  } catch (const SharedConfigError& e) {
    EXPECT_EQ(std::string(e.what()),
              "cannot read " + (dir.path() / "adir").string() + ": it is a directory");
  }
}

TEST(SharedConfig, ProfileNamePrecedence) {
  EXPECT_EQ(profile_name("", environment_from({})), "default");
  EXPECT_EQ(profile_name("", environment_from({{"AWS_DEFAULT_PROFILE", "b"}})), "b");
  EXPECT_EQ(
      profile_name("", environment_from({{"AWS_PROFILE", "a"}, {"AWS_DEFAULT_PROFILE", "b"}})),
      "a");
  EXPECT_EQ(profile_name("cli", environment_from({{"AWS_PROFILE", "a"}})), "cli");
  EXPECT_EQ(profile_name("", environment_from({{"AWS_PROFILE", ""}})), "default");  // empty = unset
}

TEST(SharedConfig, EnvironmentHelpers) {
  auto env = environment_from({{"A", "TRUE"}, {"B", "false"}, {"C", ""}});
  EXPECT_TRUE(env_true(env, "A"));
  EXPECT_FALSE(env_true(env, "B"));
  EXPECT_FALSE(env_true(env, "C"));
  EXPECT_FALSE(env_value(env, "C").has_value());
  EXPECT_FALSE(env_value(env, "D").has_value());
  ::setenv("LD_SHARED_CONFIG_TEST_VAR", "here", 1);
  EXPECT_EQ(env_value(process_environment(), "LD_SHARED_CONFIG_TEST_VAR"), "here");
  ::unsetenv("LD_SHARED_CONFIG_TEST_VAR");
}

}  // namespace
}  // namespace ld::aws
