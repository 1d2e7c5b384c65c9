#include "support/script_function.hpp"

#include "core/encoding.hpp"
#include "deploy/package/zip_writer.hpp"
#include "support/conformance.hpp"

namespace ld::test {

using nlohmann::json;

json create_script_function(const aws::LambdaClient& lambda, const std::filesystem::path& dir,
                            const std::string& name, const std::string& script, const json& extra) {
  const deploy::ZipFacts zip =
      deploy::write_deterministic_zip(dir / (name + ".zip"), {{"bootstrap", script, true}});
  json input = {{"FunctionName", name},
                {"Runtime", "provided.al2023"},
                {"Handler", "bootstrap"},
                {"Role", "arn:aws:iam::000000000000:role/" + name},
                {"Code", {{"ZipFile", base64_encode(read_file(zip.path))}}}};
  input.update(extra);
  return lambda.create_function(input);
}

std::string public_function_url(const aws::LambdaClient& lambda, const std::string& name) {
  json url = lambda.create_function_url_config({{"FunctionName", name}, {"AuthType", "NONE"}});
  lambda.add_permission({{"FunctionName", name},
                         {"StatementId", "url"},
                         {"Action", "lambda:InvokeFunctionUrl"},
                         {"Principal", "*"},
                         {"FunctionUrlAuthType", "NONE"}});
  lambda.add_permission({{"FunctionName", name},
                         {"StatementId", "invoke"},
                         {"Action", "lambda:InvokeFunction"},
                         {"Principal", "*"}});
  return url["FunctionUrl"];
}

std::string function_url_host(const std::string& url) {
  return url.substr(7, url.find(':', 7) - 7);
}

}  // namespace ld::test
