// Debian's AWS CLI v2 (/usr/bin/aws) against the local endpoint's Lambda: it must parse every
// answer (exit code 0, JSON on stdout) and show what AWS would.
#include <gtest/gtest.h>

#include <array>
#include <cstdio>
#include <filesystem>
#include <memory>
#include <regex>

#include <nlohmann/json.hpp>

#include "local/front_end.hpp"
#include "local/key_ring.hpp"
#include "local/server.hpp"
#include "local/services/lambda.hpp"
#include "local/state.hpp"
#include "support/temp_dir.hpp"

namespace ld::local {
namespace {

using nlohmann::json;

// A one-entry stored zip (bootstrap), enough for the control plane.
std::string bootstrap_zip() {
  auto le = [](std::string& out, std::uint32_t value, int bytes) {
    for (int i = 0; i < bytes; ++i) out.push_back(static_cast<char>((value >> (8 * i)) & 0xff));
  };
  const std::string name = "bootstrap";
  const std::string data = "#!/bin/sh\n";
  std::uint32_t crc = 0xffffffffu;
  for (unsigned char c : data) {
    crc ^= c;
    for (int k = 0; k < 8; ++k) crc = (crc >> 1) ^ (0xedb88320u & (0u - (crc & 1u)));
  }
  crc = ~crc;
  std::string zip;
  le(zip, 0x04034b50, 4);
  for (std::uint32_t v : {10u, 0u, 0u}) le(zip, v, 2);
  le(zip, 0, 4);
  le(zip, crc, 4);
  le(zip, static_cast<std::uint32_t>(data.size()), 4);
  le(zip, static_cast<std::uint32_t>(data.size()), 4);
  le(zip, static_cast<std::uint32_t>(name.size()), 2);
  le(zip, 0, 2);
  zip += name + data;
  const auto central_at = static_cast<std::uint32_t>(zip.size());
  le(zip, 0x02014b50, 4);
  for (std::uint32_t v : {0x031eu, 10u, 0u, 0u}) le(zip, v, 2);
  le(zip, 0, 4);
  le(zip, crc, 4);
  le(zip, static_cast<std::uint32_t>(data.size()), 4);
  le(zip, static_cast<std::uint32_t>(data.size()), 4);
  le(zip, static_cast<std::uint32_t>(name.size()), 2);
  for (int i = 0; i < 4; ++i) le(zip, 0, 2);
  le(zip, 0100755u << 16, 4);
  le(zip, 0, 4);
  zip += name;
  const auto central_size = static_cast<std::uint32_t>(zip.size()) - central_at;
  le(zip, 0x06054b50, 4);
  for (std::uint32_t v : {0u, 0u, 1u, 1u}) le(zip, v, 2);
  le(zip, central_size, 4);
  le(zip, central_at, 4);
  le(zip, 0, 2);
  return zip;
}

struct CliResult {
  int exit_code = -1;
  std::string out;
  std::string err;
};

class LambdaCliTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!std::filesystem::exists("/usr/bin/aws")) GTEST_SKIP() << "/usr/bin/aws is not installed";
    service_ = std::make_shared<LambdaService>(State::open(dir_.path() / "data"), nullptr,
                                               LambdaOptions{std::chrono::milliseconds(0), 0});
    front_end_.add(service_);
    ServerOptions options;
    options.port = 0;
    options.threads = 4;
    server_ = std::make_unique<Server>(front_end_, options);
    server_->start();
    service_->set_endpoint_port(server_->port());
  }
  void TearDown() override {
    if (server_) server_->stop();
  }

  // Runs /usr/bin/aws lambda <args> against the endpoint.
  CliResult aws(const std::string& args) {
    const auto err_file = dir_.path() / "stderr.txt";
    const std::string command = "env -i PATH=/usr/bin:/bin HOME=" + dir_.path().string() +
                                " AWS_ACCESS_KEY_ID=test AWS_SECRET_ACCESS_KEY=test AWS_PAGER= "
                                "AWS_CONFIG_FILE=/dev/null AWS_SHARED_CREDENTIALS_FILE=/dev/null "
                                "/usr/bin/aws --endpoint-url " +
                                server_->url() + " --region us-east-1 --output json lambda " +
                                args + " 2>" + err_file.string();
    CliResult result;
    std::unique_ptr<FILE, int (*)(FILE*)> pipe(popen(command.c_str(), "r"), pclose);
    std::array<char, 4096> buffer{};
    std::size_t n = 0;
    while ((n = fread(buffer.data(), 1, buffer.size(), pipe.get())) > 0)
      result.out.append(buffer.data(), n);
    const int status = pclose(pipe.release());
    result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    result.err = test_read(err_file);
    return result;
  }

  json aws_json(const std::string& args) {
    CliResult result = aws(args);
    EXPECT_EQ(result.exit_code, 0) << args << "\n" << result.err;
    json parsed = json::parse(result.out, nullptr, false);
    EXPECT_FALSE(parsed.is_discarded()) << result.out;
    return parsed;
  }

  static std::string test_read(const std::filesystem::path& path) {
    std::FILE* file = std::fopen(path.c_str(), "rb");
    if (!file) return {};
    std::string text;
    std::array<char, 4096> buffer{};
    std::size_t n = 0;
    while ((n = std::fread(buffer.data(), 1, buffer.size(), file)) > 0)
      text.append(buffer.data(), n);
    std::fclose(file);
    return text;
  }

  test::TempDir dir_{"lambda-cli"};
  std::shared_ptr<LambdaService> service_;
  FrontEnd front_end_{std::make_shared<KeyRing>()};
  std::unique_ptr<Server> server_;
};

TEST_F(LambdaCliTest, CliParsesTheControlPlane) {
  const auto zip = dir_.write("function.zip", bootstrap_zip());
  const json created = aws_json(
      "create-function --function-name cli-fn --runtime provided.al2023 --handler bootstrap "
      "--role arn:aws:iam::000000000000:role/r --zip-file fileb://" +
      zip.string());
  EXPECT_EQ(created["FunctionArn"], "arn:aws:lambda:us-east-1:000000000000:function:cli-fn");
  EXPECT_EQ(created["CodeSize"], 10 + 9 + 30 + 46 + 9 + 22);

  const json got = aws_json("get-function --function-name cli-fn");
  EXPECT_EQ(got["Configuration"]["State"], "Active");
  EXPECT_EQ(got["Code"]["RepositoryType"], "S3");

  const json url = aws_json("create-function-url-config --function-name cli-fn --auth-type NONE");
  EXPECT_TRUE(
      std::regex_match(url["FunctionUrl"].get<std::string>(),
                       std::regex(R"(http://[a-z0-9]{32}\.lambda-url\.us-east-1\.localhost:\d+/)")))
      << url.dump();

  const json permission = aws_json(
      "add-permission --function-name cli-fn --statement-id public --action "
      "lambda:InvokeFunctionUrl --principal '*' --function-url-auth-type NONE");
  EXPECT_EQ(json::parse(permission["Statement"].get<std::string>())["Principal"], "*");

  const json policy = aws_json("get-policy --function-name cli-fn");
  const json document = json::parse(policy["Policy"].get<std::string>());
  EXPECT_EQ(document["Statement"][0]["Condition"]["StringEquals"]["lambda:FunctionUrlAuthType"],
            "NONE");

  const json versions = aws_json("list-versions-by-function --function-name cli-fn");
  ASSERT_EQ(versions["Versions"].size(), 1u);
  EXPECT_EQ(versions["Versions"][0]["Version"], "$LATEST");

  const CliResult missing = aws("get-function --function-name nope");
  EXPECT_EQ(missing.exit_code, 254);
  EXPECT_NE(missing.err.find("ResourceNotFoundException"), std::string::npos) << missing.err;
  EXPECT_NE(
      missing.err.find("Function not found: arn:aws:lambda:us-east-1:000000000000:function:nope"),
      std::string::npos)
      << missing.err;
}

}  // namespace
}  // namespace ld::local
