// The Lambda runtime's own cost: invocations per second through run() against a Runtime API on
// loopback (one kept-alive connection), and the event → Request → Response → result mapping.
#include <benchmark/benchmark.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <cstring>
#include <string>
#include <thread>

#include <nlohmann/json.hpp>

#include "runtime/http_event.hpp"
#include "runtime/runtime.hpp"

namespace {

using nlohmann::json;

std::string sample_event() {
  ld::web::Request request;
  request.method = "GET";
  request.raw_path = "/github-api/repository";
  request.raw_query = "owner=octocat&name=hello-world&ref=main";
  request.headers.add("accept", "application/json");
  request.headers.add("user-agent", "curl/8.5.0");
  request.headers.add("x-api-key", "0123456789abcdef");
  request.headers.add("x-forwarded-for", "203.0.113.7");
  request.headers.add("host", "abc.lambda-url.us-east-1.on.aws");
  request.cookies = {{"session", "s1"}};
  request.source_ip = "203.0.113.7";
  request.request_id = "c6af9ac6-7b61-11e6-9a41-93e8deadbeef";
  return ld::runtime::event_from_request(request).dump();
}

ld::web::Response sample_handler(ld::web::Request& request) {
  auto response = ld::web::Response::json(200, {{"path", request.path}, {"ok", true}});
  response.headers.add("x-request-id", request.request_id);
  return response;
}

// A minimal Runtime API: one connection, GET /next answers the canned event, POST answers 202.
class BenchRuntimeApi {
 public:
  explicit BenchRuntimeApi(std::string event) : event_(std::move(event)) {
    listen_fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ::bind(listen_fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
    ::listen(listen_fd_, 4);
    socklen_t len = sizeof addr;
    ::getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&addr), &len);
    port_ = ntohs(addr.sin_port);
    thread_ = std::thread([this] { serve(); });
  }
  ~BenchRuntimeApi() {
    ::shutdown(listen_fd_, SHUT_RDWR);
    ::close(listen_fd_);
    thread_.join();
  }
  std::string address() const { return "127.0.0.1:" + std::to_string(port_); }

 private:
  void serve() {
    int fd = ::accept(listen_fd_, nullptr, nullptr);
    if (fd < 0) return;
    int one = 1;
    ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    std::string next =
        "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
        "Lambda-Runtime-Aws-Request-Id: 8476a536-e9f4-11e8-9739-2dfe598c3fcd\r\n"
        "Lambda-Runtime-Deadline-Ms: 4102444800000\r\n"
        "Lambda-Runtime-Trace-Id: Root=1-5bef4de7-ad49b0e87f6ef6c87fc2e700\r\n"
        "Content-Length: " +
        std::to_string(event_.size()) + "\r\n\r\n" + event_;
    std::string accepted =
        "HTTP/1.1 202 Accepted\r\nContent-Type: application/json\r\nContent-Length: 15\r\n\r\n"
        "{\"status\":\"OK\"}";
    std::string in;
    char buffer[65536];
    for (;;) {
      auto head_end = in.find("\r\n\r\n");
      if (head_end == std::string::npos) {
        ssize_t got = ::recv(fd, buffer, sizeof buffer, 0);
        if (got <= 0) break;
        in.append(buffer, static_cast<std::size_t>(got));
        continue;
      }
      std::size_t length = 0;
      if (auto cl = in.find("Content-Length: "); cl != std::string::npos && cl < head_end)
        length = std::stoul(in.substr(cl + 16));
      std::size_t total = head_end + 4 + length;
      while (in.size() < total) {
        ssize_t got = ::recv(fd, buffer, sizeof buffer, 0);
        if (got <= 0) break;
        in.append(buffer, static_cast<std::size_t>(got));
      }
      const std::string& answer = in.starts_with("GET") ? next : accepted;
      in.erase(0, total);
      if (::send(fd, answer.data(), answer.size(), MSG_NOSIGNAL) < 0) break;
    }
    ::close(fd);
  }

  std::string event_;
  int listen_fd_ = -1;
  int port_ = 0;
  std::thread thread_;
};

void BM_InvocationsThroughTheLoop(benchmark::State& state) {
  const auto batch = static_cast<std::size_t>(state.range(0));
  std::size_t invocations = 0;
  for (auto _ : state) {
    BenchRuntimeApi api(sample_event());
    ld::runtime::RuntimeOptions options;
    options.api = api.address();
    options.max_invocations = batch;
    if (ld::runtime::run(sample_handler, options) != 0) state.SkipWithError("run failed");
    invocations += batch;
  }
  state.counters["invokes/s"] =
      benchmark::Counter(static_cast<double>(invocations), benchmark::Counter::kIsRate);
}
BENCHMARK(BM_InvocationsThroughTheLoop)->Arg(2000)->Unit(benchmark::kMillisecond)->UseRealTime();

void BM_EventToResult(benchmark::State& state) {
  std::string event_text = sample_event();
  std::string result;
  for (auto _ : state) {
    json event = json::parse(event_text);
    ld::web::Request request = ld::runtime::request_from_event(event, "id");
    ld::web::Response response = sample_handler(request);
    ld::runtime::write_result(response, result);
    benchmark::DoNotOptimize(result.data());
  }
}
BENCHMARK(BM_EventToResult);

// The parts of the mapping: parsing the event text, and writing the result.
void BM_ParseEvent(benchmark::State& state) {
  std::string event_text = sample_event();
  for (auto _ : state) {
    json event = json::parse(event_text);
    ld::web::Request request = ld::runtime::request_from_event(event, "id");
    benchmark::DoNotOptimize(request.path.data());
  }
}
BENCHMARK(BM_ParseEvent);

void BM_WriteResult(benchmark::State& state) {
  ld::web::Request request;
  request.path = "/github-api/repository";
  ld::web::Response response = sample_handler(request);
  std::string result;
  for (auto _ : state) {
    ld::runtime::write_result(response, result);
    benchmark::DoNotOptimize(result.data());
  }
}
BENCHMARK(BM_WriteResult);

}  // namespace
