#pragma once
// Incremental HTTP/1.1 request parser used by the local server (private to web/server.cpp and
// its tests): bytes in as they arrive, a filled web::Request out.
#include <cstddef>
#include <string_view>

#include "web/request.hpp"

namespace ld::web {

// Parses one request at a time from a connection's input; keeps its state between reads.
class RequestParser {
 public:
  enum class Status { Incomplete, Complete, Error };

  struct Limits {
    std::size_t max_header_bytes = 16 * 1024;      // request line + headers → 431 beyond
    std::size_t max_body_bytes = 6 * 1024 * 1024;  // decoded body → 413 beyond
  };

  explicit RequestParser(Limits limits) : limits_(limits) {}

  // Parses as much of `data` (the unconsumed input) as it can into `out`. Sets `consumed` to the
  // bytes of `data` used; they must be dropped before the next call. Complete: `out` holds the
  // whole request (method, raw target split into raw_path/raw_query, headers, body).
  Status parse(std::string_view data, std::size_t& consumed, Request& out);

  // After an Error: the status to answer (400, 413, 431, 501, 505) and why.
  int error_status() const { return error_status_; }
  std::string_view error_reason() const { return error_reason_; }
  // After the headers: whether the client asked to keep the connection open.
  bool keep_alive() const { return keep_alive_; }
  // After the headers: whether the request line said HTTP/1.0.
  bool http10() const { return http10_; }
  // Whether the request line and headers of the current request have been read.
  bool headers_done() const { return state_ != State::Head; }
  // Headers read and a body is still to come: the request carried "Expect: 100-continue".
  bool wants_continue() const { return state_ != State::Head && expect_continue_; }
  // Whether any byte of the current request was seen (for time-outs and idle detection).
  bool in_request() const { return state_ != State::Head || started_; }
  // Forgets the current request, ready for the next one on the connection.
  void reset();

 private:
  enum class State { Head, Body, ChunkSize, ChunkData, ChunkDataEnd, Trailers };

  Status fail(int status, std::string_view reason);
  Status parse_head(std::string_view head, Request& out);

  Limits limits_;
  State state_ = State::Head;
  bool started_ = false;
  bool keep_alive_ = true;
  bool http10_ = false;
  bool expect_continue_ = false;
  std::size_t scanned_ = 0;    // bytes of the head already searched for the blank line
  std::size_t remaining_ = 0;  // body or chunk bytes still to read
  int error_status_ = 0;
  std::string_view error_reason_;
};

}  // namespace ld::web
