#include "http/session.h"

#include <sys/socket.h>

#include <algorithm>
#include <array>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/buffers_range.hpp>
#include <boost/beast/core/buffers_to_string.hpp>
#include <boost/beast/core/read_size.hpp>
#include <boost/beast/http/empty_body.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/write.hpp>
#include <boost/beast/websocket.hpp>
#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <ctime>
#include <limits>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "http/request_writer.h"

namespace protogate::http {
namespace {

namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using boost::system::error_code;

// Upper bound on one read; also what Beast itself asks for.
constexpr size_t kReadChunk = 65536;
// How long unread request bytes are drained after an answer that closes the
// connection. Closing with unread input makes the kernel send RST, which can
// destroy the answer before the client has read it.
constexpr std::chrono::milliseconds kMaxLinger{2000};
constexpr char kContinue[] = "HTTP/1.1 100 Continue\r\n\r\n";

// RFC 7231 IMF-fixdate, formatted at most once per second per loop thread.
absl::string_view HttpDate() {
  static constexpr const char* kDays[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
  static constexpr const char* kMonths[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                            "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  thread_local std::time_t cached_second = -1;
  thread_local std::string text;
  const std::time_t now = std::time(nullptr);
  if (now != cached_second) {
    std::tm tm{};
    gmtime_r(&now, &tm);
    char buf[40];
    std::snprintf(buf, sizeof(buf), "%s, %02d %s %04d %02d:%02d:%02d GMT", kDays[tm.tm_wday % 7],
                  tm.tm_mday, kMonths[tm.tm_mon % 12], tm.tm_year + 1900, tm.tm_hour, tm.tm_min,
                  tm.tm_sec);
    text = buf;
    cached_second = now;
  }
  return text;
}

bool IsTokenChar(char c) {
  if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) return true;
  return absl::string_view("!#$%&'*+-.^_`|~").find(c) != absl::string_view::npos;
}

// Handler-supplied fields go to the wire verbatim, so reject what would split
// the response or make Beast throw (it caps names and values below 64 KiB).
bool IsValidField(absl::string_view name, absl::string_view value) {
  constexpr size_t kMaxFieldBytes = 65000;
  if (name.empty() || name.size() > kMaxFieldBytes || value.size() > kMaxFieldBytes) return false;
  if (!std::all_of(name.begin(), name.end(), IsTokenChar)) return false;
  return value.find_first_of(absl::string_view("\r\n\0", 3)) == absl::string_view::npos;
}

// Framing and connection management belong to the server.
bool IsServerManagedField(absl::string_view name) {
  for (absl::string_view managed :
       {"content-length", "connection", "transfer-encoding", "date", "keep-alive"}) {
    if (absl::EqualsIgnoreCase(name, managed)) return true;
  }
  return false;
}

bool IsHttpError(const error_code& ec) {
  return ec.category() == bhttp::make_error_code(bhttp::error::bad_method).category();
}

// Status and the handler's valid header fields into `res`, plus what the
// server owns: Date, and Server unless the handler set one.
template <class Body>
void FillHead(int status, const HeaderList& headers, bhttp::response<Body>& res) {
  res.result(static_cast<unsigned>(status));
  bool has_server = false;
  for (const auto& [name, value] : headers) {
    if (IsServerManagedField(name) || !IsValidField(name, value)) continue;
    has_server = has_server || absl::EqualsIgnoreCase(name, "server");
    res.insert(beast::string_view(name.data(), name.size()),
               beast::string_view(value.data(), value.size()));
  }
  if (!has_server) res.set(bhttp::field::server, "protogate");
  const absl::string_view date = HttpDate();
  res.set(bhttp::field::date, beast::string_view(date.data(), date.size()));
}

template <class Body>
void SetConnection(bool keep_alive, bhttp::response<Body>& res) {
  res.keep_alive(keep_alive);
  if (!keep_alive) res.set(bhttp::field::connection, "close");  // explicit for HTTP/1.0 too
}

bool StatusHasBody(int status) { return status != 204 && status != 304; }

// The whole of `response` into `res`, framed by Content-Length.
void FillResponse(Response response, bool keep_alive, bhttp::response<bhttp::string_body>& res) {
  FillHead(response.status, response.headers, res);
  if (!StatusHasBody(response.status)) {
    response.body.clear();
  } else {
    res.content_length(response.body.size());  // also for HEAD: the size a GET would get
  }
  res.body() = std::move(response.body);
  SetConnection(keep_alive, res);
}

// Status line, fields and the empty line ending them.
std::string SerializeHead(const bhttp::response<bhttp::empty_body>& res) {
  bhttp::fields::writer writer(res.base(), res.version(), res.result_int());
  std::string out;
  const auto buffers = writer.get();
  for (const auto buffer : beast::buffers_range_ref(buffers)) {
    out.append(static_cast<const char*>(buffer.data()), buffer.size());
  }
  return out;
}

// RFC 9112 7.1: the last chunk, then the trailer section, then CRLF. The
// handler's trailers are filtered as its header fields are.
std::string LastChunk(const HeaderList& trailers) {
  std::string out = "0\r\n";
  for (const auto& [name, value] : trailers) {
    if (IsServerManagedField(name) || !IsValidField(name, value)) continue;
    absl::StrAppend(&out, name, ": ", value, "\r\n");
  }
  out += "\r\n";
  return out;
}

std::string FormatEndpoint(const boost::asio::ip::tcp::endpoint& endpoint) {
  const auto& address = endpoint.address();
  if (address.is_v6()) return absl::StrCat("[", address.to_string(), "]:", endpoint.port());
  return absl::StrCat(address.to_string(), ":", endpoint.port());
}

}  // namespace

// The http folder has no logger of its own; this is rare enough for stderr.
void ReportEscapedException(const char* what) noexcept {
  std::fprintf(stderr, "http: internal error: exception escaped a handler: %s\n", what);
}

Session::Session(LoopSocket socket, std::shared_ptr<ServerState> server,
                 std::shared_ptr<LoopState> loop)
    : server_(std::move(server)),
      loop_(std::move(loop)),
      io_(std::in_place, std::move(socket)),
      // The parser rejects oversized headers first; this only bounds what a
      // pipelining client can make us buffer ahead.
      buffer_(server_->options.max_header_bytes + kReadChunk) {
  server_->open_connections.fetch_add(1, std::memory_order_relaxed);
  std::lock_guard<std::mutex> lock(loop_->mu);
  loop_->sessions.insert(this);
}

Session::~Session() {
  if (pending_seq_.load(std::memory_order_acquire) != 0) {
    // The handler dropped its Responder without answering.
    server_->in_flight.fetch_sub(1, std::memory_order_relaxed);
  }
  {
    // The socket must go while the loop's io_context surely exists: either
    // here, or in ReleaseIo() under the same lock before Shutdown destroys it.
    std::lock_guard<std::mutex> lock(loop_->mu);
    ws_.reset();  // its timer and its socket are io_'s loop's
    io_.reset();
    loop_->sessions.erase(this);
  }
  MarkClosed();  // counts only if the handler dropped its Responder mid-request
}

void Session::Start() {
  if (server_->draining.load(std::memory_order_acquire)) {
    Close();
    return;
  }
  error_code ec;
  socket().set_option(boost::asio::ip::tcp::no_delay(true), ec);
  const auto endpoint = socket().remote_endpoint(ec);
  if (ec) {  // the peer is already gone
    Close();
    return;
  }
  remote_address_ = FormatEndpoint(endpoint);
  ReadNext();
}

void Session::Drain() {
  if (phase_ == Phase::kIdle) Close();
}

void Session::EndRequest() {
  if (!RequestInProgress()) return;
  if (auto writer = writer_.lock()) {
    if (writer->seq() == next_seq_) writer->Shutdown();
  }
}

WebSocket::Handlers Session::ReleaseIo() {
  // The loop is gone, so OnCancel callbacks cannot run on it any more: they
  // are destroyed with the writer, which only reports cancelled().
  if (RequestInProgress()) {
    if (auto writer = writer_.lock()) writer->Abandon();
  }
  MarkClosed();
  ws_.reset();
  io_.reset();
  WebSocket::Handlers handlers = std::move(ws_handlers_);
  ws_handlers_ = {};
  return handlers;
}

void Session::ReadNext() {
  StopWatch();
  if (server_->draining.load(std::memory_order_acquire)) {
    CloseGracefully(/*linger=*/false);
    return;
  }
  const ServerOptions& options = server_->options;
  // The parser is the session's: `this` outlives it.
  parser_.emplace(static_cast<std::uint32_t>(std::min<size_t>(
                      options.max_header_bytes, std::numeric_limits<std::uint32_t>::max())),
                  options.max_body_bytes, options.max_stream_body_bytes,
                  [this](const Request& head) { return server_->handler->StreamsBody(head); });
  body_streaming_ = false;
  body_abandoned_ = false;
  continue_sent_ = false;
  body_end_.reset();
  request_version_ = 11;
  request_keep_alive_ = true;
  request_is_head_ = false;
  read_timed_out_ = false;
  if (buffer_.size() > 0) {  // a pipelined request is already here
    ReadHeader();
    return;
  }
  // Wait for the first byte on our own, so that the idle timeout can switch
  // to the read timeout the moment a request starts.
  phase_ = Phase::kIdle;
  SetDeadline(options.idle_timeout);
  socket().async_read_some(
      buffer_.prepare(beast::read_size(buffer_, kReadChunk)),
      [self = shared_from_this()](const error_code& ec, size_t n) { self->OnFirstBytes(ec, n); });
}

void Session::OnFirstBytes(const error_code& ec, size_t n) {
  if (phase_ == Phase::kClosed) return;
  if (ec) {  // peer closed, idle timeout, or drain: nothing to answer
    Close();
    return;
  }
  buffer_.commit(n);
  ReadHeader();
}

void Session::ReadHeader() {
  request_start_ = Clock::now();
  phase_ = Phase::kReading;
  SetDeadline(server_->options.read_timeout);
  bhttp::async_read_header(
      socket(), buffer_, *parser_,
      [self = shared_from_this()](const error_code& ec, size_t) { self->OnHeader(ec); });
}

void Session::OnHeader(const error_code& ec) {
  if (phase_ == Phase::kClosed) return;
  if (ec || read_timed_out_) {
    OnReadError(ec);
    return;
  }
  request_version_ = parser_->version();
  request_keep_alive_ = parser_->keep_alive();
  request_is_head_ = parser_->is_head();
  if (server_->draining.load(std::memory_order_acquire)) {
    AnswerLocally(503, "the server is shutting down");
    return;
  }
  // A streamed body is read as the handler asks (its first read sends the
  // 100 Continue a client may wait for).
  if (parser_->is_done() || parser_->streams_body()) {
    body_streaming_ = !parser_->is_done();
    Dispatch();
    return;
  }
  if (request_version_ >= 11 && parser_->expects_continue()) {
    boost::asio::async_write(socket(), boost::asio::buffer(kContinue, sizeof(kContinue) - 1),
                             [self = shared_from_this()](const error_code& ec, size_t) {
                               if (self->phase_ == Phase::kClosed) return;
                               if (ec || self->read_timed_out_) {
                                 self->OnReadError(ec);
                               } else {
                                 self->ReadBody();
                               }
                             });
    return;
  }
  ReadBody();
}

void Session::ReadBody() {
  bhttp::async_read(
      socket(), buffer_, *parser_,
      [self = shared_from_this()](const error_code& ec, size_t) { self->OnBody(ec); });
}

void Session::OnBody(const error_code& ec) {
  if (phase_ == Phase::kClosed) return;
  if (ec || read_timed_out_) {
    OnReadError(ec);
    return;
  }
  Dispatch();
}

void Session::OnReadError(const error_code& ec) {
  const ServerOptions& options = server_->options;
  if (read_timed_out_) {
    AnswerLocally(
        408, absl::StrCat("request not received within ", options.read_timeout.count(), " ms"));
  } else if (ec == bhttp::error::header_limit || ec == bhttp::error::buffer_overflow) {
    AnswerLocally(431, absl::StrCat("request header exceeds ", options.max_header_bytes, " bytes"));
  } else if (ec == bhttp::error::body_limit) {
    const uint64_t limit =
        parser_->streams_body() ? options.max_stream_body_bytes : options.max_body_bytes;
    AnswerLocally(413, absl::StrCat("request body exceeds ", limit, " bytes"));
  } else if (IsHttpError(ec) && ec != bhttp::error::end_of_stream &&
             ec != bhttp::error::partial_message) {
    const std::string& problem = parser_->problem();
    AnswerLocally(
        400, absl::StrCat("malformed HTTP request: ", problem.empty() ? ec.message() : problem));
  } else {
    Close();  // the peer went away mid-request; nobody to answer
  }
}

void Session::Dispatch() {
  Request request = parser_->Release();
  request.remote_address = remote_address_;
  upgrade_head_.reset();
  if (!request.Header("upgrade").empty()) {  // kept for AcceptWebSocket
    upgrade_head_ = Request{.method = request.method,
                            .target = request.target,
                            .headers = request.headers,
                            .body = {},
                            .body_stream = nullptr,
                            .remote_address = {}};
  }
  request_accepts_trailers_ = request.AcceptsTrailers();
  phase_ = Phase::kHandling;
  ClearDeadline();  // the handler owns the time now (upstream deadlines)
  const uint64_t seq = ++next_seq_;
  pending_seq_.store(seq, std::memory_order_release);
  server_->in_flight.fetch_add(1, std::memory_order_relaxed);
  if (body_streaming_)
    request.body_stream = std::make_shared<RequestBodyReader>(shared_from_this(), seq);
  auto writer = std::make_shared<RequestWriter>(shared_from_this(), seq);
  writer_ = writer;
  // The last resort: a handler that throws answers 500 (unless it had
  // answered already) and the loop serves on.
  try {
    server_->handler->Handle(std::move(request), Responder(std::move(writer)));
  } catch (const std::exception& e) {
    ReportEscapedException(e.what());
    Respond(seq, RenderError(500, "internal error"));
  } catch (...) {
    ReportEscapedException("unknown exception");
    Respond(seq, RenderError(500, "internal error"));
  }
}

// A streamed body: each Read parses what the buffer holds and, when that is
// no body byte yet, reads the socket once more (bounded by the handler's
// timeout), so bytes are only read as fast as the handler asks for them.
// Pieces are delivered by post, never inline.
void Session::ReadBodyPiece(uint64_t seq, std::chrono::milliseconds timeout,
                            absl::AnyInvocable<void(BodyPiece)> done) {
  if (seq != next_seq_ || !body_streaming_ || phase_ == Phase::kClosed || body_abandoned_) {
    return DeliverPiece(std::move(done), {.error_status = 400, .error = "the request has ended"});
  }
  if (body_reading_) {
    return DeliverPiece(std::move(done),
                        {.error_status = 500, .error = "a body read is already on its way"});
  }
  if (body_end_) return DeliverPiece(std::move(done), *body_end_);
  std::string bytes = parser_->TakeBody();
  if (!bytes.empty() || parser_->is_done()) {
    const bool last = parser_->is_done();
    if (last) body_end_ = BodyPiece{.last = true};
    return DeliverPiece(std::move(done), {.bytes = std::move(bytes), .last = last});
  }
  body_reading_ = true;
  body_done_ = std::move(done);
  body_timeout_ = timeout;
  if (request_version_ >= 11 && parser_->expects_continue() && !continue_sent_) {
    continue_sent_ = true;
    boost::asio::async_write(
        socket(), boost::asio::buffer(kContinue, sizeof(kContinue) - 1),
        [self = shared_from_this()](const error_code& ec, size_t) {
          if (ec || self->phase_ == Phase::kClosed || self->body_abandoned_) {
            return self->OnBodyPiece(ec ? ec : boost::asio::error::operation_aborted);
          }
          self->ReadBodySome();
        });
    return;
  }
  ReadBodySome();
}

void Session::ReadBodySome() {
  SetDeadline(body_timeout_);
  bhttp::async_read_some(
      socket(), buffer_, *parser_,
      [self = shared_from_this()](const error_code& ec, size_t) { self->OnBodyPiece(ec); });
}

void Session::OnBodyPiece(const error_code& ec) {
  if (phase_ == Phase::kHandling) ClearDeadline();
  const bool abandoned = body_abandoned_ || phase_ == Phase::kClosed;
  std::optional<BodyPiece> piece;
  if (!ec && !read_timed_out_ && !abandoned) {
    std::string bytes = parser_->TakeBody();
    // Framing only (a chunk header): the handler waits for body bytes.
    if (bytes.empty() && !parser_->is_done()) return ReadBodySome();
    piece = BodyPiece{.bytes = std::move(bytes), .last = parser_->is_done()};
    if (piece->last) body_end_ = BodyPiece{.last = true};
  } else if (abandoned) {
    piece = BodyPiece{.error_status = 400, .error = "the request has ended"};
  } else if (read_timed_out_) {
    piece = BodyPiece{
        .error_status = 408,
        .error = absl::StrCat("request body not received within ", body_timeout_.count(), " ms")};
  } else if (ec == bhttp::error::body_limit) {
    piece = BodyPiece{.error_status = 413,
                      .error = absl::StrCat("request body exceeds ",
                                            server_->options.max_stream_body_bytes, " bytes")};
  } else if (IsHttpError(ec) && ec != bhttp::error::end_of_stream &&
             ec != bhttp::error::partial_message) {
    const std::string& problem = parser_->problem();
    piece = BodyPiece{.error_status = 400,
                      .error = absl::StrCat("malformed HTTP request body: ",
                                            problem.empty() ? ec.message() : problem)};
  } else {
    piece = BodyPiece{.error_status = 400,
                      .error = "the client closed the connection before the body ended"};
  }
  if (piece->error_status != 0 && !abandoned) body_end_ = *piece;
  body_reading_ = false;
  if (discard_after_body_read_) {
    discard_after_body_read_ = false;
    if (phase_ == Phase::kLingering) DiscardUntilEof();
  } else if (piece->last && watch_seq_ == next_seq_ && !watch_armed_ && RequestInProgress()) {
    ArmWatch();  // asked for while the body was still coming
  }
  DeliverPiece(std::move(body_done_), *std::move(piece));
}

void Session::DeliverPiece(absl::AnyInvocable<void(BodyPiece)> done, BodyPiece piece) {
  PostToLoop([done = std::move(done), piece = std::move(piece)]() mutable {
    if (done) done(std::move(piece));
  });
}

bool Session::BodyUnread() const { return body_streaming_ && parser_ && !parser_->is_done(); }

void Session::AbandonBodyRead() {
  if (!body_streaming_ || body_abandoned_) return;
  body_abandoned_ = true;
  if (!body_reading_) return;
  error_code ec;
  socket().cancel(ec);  // before the answer's write starts: it is not cancelled
}

void Session::Respond(uint64_t seq, Response response) {
  uint64_t expected = seq;
  if (!pending_seq_.compare_exchange_strong(expected, 0, std::memory_order_acq_rel)) {
    return;  // a second call for the same request
  }
  server_->in_flight.fetch_sub(1, std::memory_order_relaxed);
  auto deliver = [self = shared_from_this(), response = std::move(response)]() mutable {
    if (self->phase_ != Phase::kHandling) return;
    const bool keep_alive =
        self->request_keep_alive_ && !self->server_->draining.load(std::memory_order_acquire);
    self->WriteResponse(std::move(response), keep_alive, /*linger=*/false);
  };
  if (LoopState::current == loop_.get()) {  // answered synchronously: skip the queue
    deliver();
    return;
  }
  std::lock_guard<std::mutex> lock(loop_->mu);
  if (loop_->stopped) return;  // answered after the drain timeout: the connection is gone
  boost::asio::post(loop_->ioc, std::move(deliver));
}

void Session::PostToLoop(absl::AnyInvocable<void()> task) {
  {
    std::lock_guard<std::mutex> lock(loop_->mu);
    if (!loop_->stopped) {
      boost::asio::post(loop_->ioc, [task = std::move(task)]() mutable { task(); });
      return;
    }
  }
  // The loop is gone for good: `task` is destroyed here, outside the lock, as
  // its captures may take it again.
}

void Session::PostToLoopAfter(absl::Duration delay, absl::AnyInvocable<void()> task) {
  std::unique_lock<std::mutex> lock(loop_->mu);
  if (loop_->stopped) {
    lock.unlock();
    return;  // `task` is destroyed outside the lock, as in PostToLoop
  }
  // The timer lives in its own handler: a stopped loop destroys both unrun.
  auto timer = std::make_shared<boost::asio::steady_timer>(loop_->ioc);
  timer->expires_after(absl::ToChronoNanoseconds(delay));
  timer->async_wait([timer, task = std::move(task)](const error_code&) mutable { task(); });
}

bool Session::RequestInProgress() const {
  if (phase_ == Phase::kHandling) return pending_seq_.load(std::memory_order_acquire) == next_seq_;
  if (phase_ == Phase::kWebSocket) return !ws_ended_;
  return phase_ == Phase::kStreaming && !stream_finished_;
}

// A streamed answer counts in in_flight from its request's dispatch until
// Finish (or until the connection ends under it), like a whole answer does
// until Respond.
void Session::StreamHead(uint64_t seq, int status, HeaderList headers) {
  uint64_t expected = seq;
  if (!pending_seq_.compare_exchange_strong(expected, 0, std::memory_order_acq_rel)) {
    return;  // answered already, or a Responder kept past its request
  }
  if (phase_ != Phase::kHandling) {  // the connection is gone
    server_->in_flight.fetch_sub(1, std::memory_order_relaxed);
    return;
  }
  if (status < 200 || status > 999) {
    server_->in_flight.fetch_sub(1, std::memory_order_relaxed);
    WriteError(500, absl::StrCat("handler answered with invalid status ", status));
    return;
  }
  stream_seq_ = seq;
  stream_in_flight_ = true;
  stream_finished_ = false;
  chunk_outstanding_ = false;
  stream_body_ = !request_is_head_ && StatusHasBody(status);
  // A HEAD answer is framed as its GET would be, and has no body either way.
  stream_chunked_ = request_version_ >= 11 && StatusHasBody(status);
  // An HTTP/1.0 body ends where the connection does.
  const bool close_delimited = stream_body_ && !stream_chunked_;
  keep_alive_after_write_ = request_keep_alive_ && !close_delimited && !BodyUnread() &&
                            !server_->draining.load(std::memory_order_acquire);
  linger_after_write_ = false;

  bhttp::response<bhttp::empty_body> head;
  head.version(request_version_);
  FillHead(status, headers, head);
  if (stream_chunked_) head.chunked(true);
  SetConnection(keep_alive_after_write_, head);
  phase_ = Phase::kStreaming;
  outbound_.push_back(Outbound{.framing = SerializeHead(head)});
  StartStreamWrite();
}

void Session::StreamChunk(uint64_t seq, std::string bytes, absl::AnyInvocable<void(bool)> written) {
  if (stream_seq_ != seq || phase_ != Phase::kStreaming || stream_finished_ || chunk_outstanding_) {
    // Not a stream of ours (any more), or a chunk before the last one was
    // reported written: never on the wire, and said so off this call stack.
    PostToLoop([written = std::move(written)]() mutable {
      if (written) written(false);
    });
    return;
  }
  chunk_outstanding_ = true;
  if (!written) written = [](bool) {};  // an op with a callback is the chunk
  Outbound chunk{.written = std::move(written)};
  // An empty chunk would end a chunked body: it is reported written only,
  // in order, like the chunks of an answer without a body.
  if (stream_body_ && !bytes.empty()) {
    if (stream_chunked_) {
      chunk.framing = absl::StrCat(absl::Hex(bytes.size()), "\r\n");
      chunk.crlf = true;
    }
    chunk.data = std::move(bytes);
  }
  outbound_.push_back(std::move(chunk));
  StartStreamWrite();
}

void Session::StreamFinish(uint64_t seq, HeaderList trailers) {
  if (stream_seq_ != seq || phase_ != Phase::kStreaming || stream_finished_) return;
  stream_finished_ = true;
  EndStreamInFlight();
  Outbound last{.ends_stream = true};
  if (stream_body_ && stream_chunked_) {
    last.framing = LastChunk(request_accepts_trailers_ ? trailers : HeaderList());
  }
  outbound_.push_back(std::move(last));
  StartStreamWrite();
}

void Session::StreamAbort(uint64_t seq) {
  if (stream_seq_ != seq || phase_ != Phase::kStreaming || stream_finished_) return;
  stream_finished_ = true;
  EndStreamInFlight();
  outbound_.push_back({.ends_stream = true, .aborts = true});
  StartStreamWrite();
}

// Everything queued goes out in one gathered write; ops queued meanwhile wait
// for its completion. Each write is bounded by idle_timeout: a client that
// never reads is closed.
void Session::StartStreamWrite() {
  if (ops_writing_ > 0 || outbound_.empty()) return;
  static constexpr char kCrlf[] = "\r\n";
  std::vector<boost::asio::const_buffer> buffers;
  buffers.reserve(outbound_.size() * 3);
  for (const Outbound& op : outbound_) {
    if (!op.framing.empty()) buffers.emplace_back(op.framing.data(), op.framing.size());
    if (!op.data.empty()) buffers.emplace_back(op.data.data(), op.data.size());
    if (op.crlf) buffers.emplace_back(kCrlf, 2);
  }
  ops_writing_ = outbound_.size();
  SetDeadline(server_->options.idle_timeout);
  boost::asio::async_write(
      socket(), std::move(buffers),
      [self = shared_from_this()](const error_code& ec, size_t) { self->OnStreamWritten(ec); });
}

void Session::OnStreamWritten(const error_code& ec) {
  std::vector<Outbound> done;
  done.reserve(ops_writing_);
  for (; ops_writing_ > 0; --ops_writing_) {
    done.push_back(std::move(outbound_.front()));
    outbound_.pop_front();
  }
  const bool ok = !ec && phase_ == Phase::kStreaming;
  bool ended = false;
  bool aborted = false;
  for (const Outbound& op : done) {
    ended = ended || op.ends_stream;
    aborted = aborted || op.aborts;
  }
  if (!ok) {
    // Whatever is still queued will never be written either.
    while (!outbound_.empty()) {
      done.push_back(std::move(outbound_.front()));
      outbound_.pop_front();
    }
    stream_seq_ = 0;
    Close();  // cancels the request
  } else if (ended) {
    stream_seq_ = 0;
    if (aborted) {
      Close();
    } else if (!keep_alive_after_write_) {
      CloseGracefully(/*linger=*/BodyUnread());
    } else {
      ReadNext();
    }
  } else if (outbound_.empty()) {
    ClearDeadline();  // waiting for the handler's next chunk
  } else {
    StartStreamWrite();
  }
  // Last, as they may write again (or drop the request's last Responder).
  for (Outbound& op : done) {
    if (!op.written) continue;
    chunk_outstanding_ = false;
    std::move(op.written)(ok);
  }
}

// A WebSocket takes over the connection from the request that asked for it:
// the answer is Beast's 101 handshake, the request counts in in_flight until
// the socket closes (as a stream does until Finish), and every operation is
// Beast's on the session's socket. One read and one send at a time, each
// only when the handler asks; `closed` ends it once, and the connection with
// it.
std::shared_ptr<WebSocket> Session::AcceptWebSocket(uint64_t seq, WebSocketOptions options,
                                                    WebSocket::Handlers handlers) {
  if (seq != next_seq_ || phase_ != Phase::kHandling || !upgrade_head_ || request_version_ < 11 ||
      BodyUnread()) {
    return nullptr;
  }
  bhttp::request<bhttp::empty_body> upgrade;
  upgrade.version(request_version_);
  upgrade.method_string(upgrade_head_->method);
  upgrade.target(upgrade_head_->target);
  for (const auto& [name, value] : upgrade_head_->headers) upgrade.insert(name, value);
  if (!boost::beast::websocket::is_upgrade(upgrade)) return nullptr;
  uint64_t expected = seq;
  if (!pending_seq_.compare_exchange_strong(expected, 0, std::memory_order_acq_rel)) {
    return nullptr;  // answered already
  }
  stream_in_flight_ = true;  // ends with the connection (MarkClosed)
  phase_ = Phase::kWebSocket;
  StopWatch();
  ClearDeadline();
  ws_handlers_ = std::move(handlers);
  ws_ = std::make_unique<WsStream>(socket());
  ws_->read_message_max(options.max_message_bytes);
  boost::beast::websocket::stream_base::timeout timeouts{};
  timeouts.handshake_timeout = server_->options.read_timeout;
  timeouts.idle_timeout = options.idle_timeout == absl::InfiniteDuration()
                              ? boost::beast::websocket::stream_base::none()
                              : std::chrono::duration_cast<std::chrono::steady_clock::duration>(
                                    absl::ToChronoNanoseconds(options.idle_timeout));
  timeouts.keep_alive_pings = true;
  ws_->set_option(timeouts);
  ws_->set_option(boost::beast::websocket::stream_base::decorator(
      [protocol = options.subprotocol](boost::beast::websocket::response_type& response) {
        response.set(bhttp::field::server, "protogate");
        if (!protocol.empty()) response.set(bhttp::field::sec_websocket_protocol, protocol);
      }));
  ws_->async_accept(upgrade,
                    [self = shared_from_this()](const error_code& ec) { self->OnWsAccepted(ec); });
  return std::make_shared<SessionWebSocket>(shared_from_this());
}

void Session::OnWsAccepted(const error_code& ec) {
  if (ec || phase_ != Phase::kWebSocket) {
    return WsEnded(1002, absl::StrCat("WebSocket handshake failed: ", ec.message()));
  }
  ws_open_ = true;
  if (ws_close_queued_) return StartWsClose();
  if (ws_read_wanted_) WsRead();
}

void Session::WsRead() {
  if (ws_ended_ || ws_reading_ || ws_closing_) return;
  if (!ws_open_) {  // before the handshake is done: right after it
    ws_read_wanted_ = true;
    return;
  }
  ws_reading_ = true;
  ws_in_.clear();
  ws_->async_read(
      ws_in_, [self = shared_from_this()](const error_code& ec, size_t) { self->OnWsRead(ec); });
}

void Session::OnWsRead(const error_code& ec) {
  ws_reading_ = false;
  if (ws_ended_) return;
  namespace websocket = boost::beast::websocket;
  if (ec == websocket::error::closed) {
    return WsEnded(static_cast<int>(ws_->reason().code), std::string(ws_->reason().reason.c_str()));
  }
  if (ec == websocket::error::message_too_big || ec == websocket::error::buffer_overflow) {
    return WsEnded(1009, "message too big");
  }
  if (ec) return WsEnded(1006, ec.message());
  std::string message = boost::beast::buffers_to_string(ws_in_.data());
  ws_in_.clear();
  if (ws_handlers_.message) ws_handlers_.message(std::move(message));
}

void Session::WsSend(std::string text, absl::AnyInvocable<void(bool)> written) {
  if (!ws_open_ || ws_ended_ || ws_closing_ || ws_sending_ || ws_close_queued_) {
    PostToLoop([written = std::move(written)]() mutable {
      if (written) written(false);
    });
    return;
  }
  ws_sending_ = true;
  ws_out_ = std::move(text);
  ws_written_ = std::move(written);
  ws_->text(true);
  ws_->async_write(
      boost::asio::buffer(ws_out_),
      [self = shared_from_this()](const error_code& ec, size_t) { self->OnWsSent(ec); });
}

void Session::OnWsSent(const error_code& ec) {
  ws_sending_ = false;
  ws_out_.clear();
  auto written = std::move(ws_written_);
  ws_written_ = nullptr;
  if (written) written(!ec && !ws_ended_);
  if (ec) return WsEnded(1006, ec.message());
  if (ws_close_queued_ && ws_open_) StartWsClose();
}

void Session::WsClose(int code, std::string reason) {
  if (ws_ended_ || ws_closing_ || ws_close_queued_) return;
  ws_close_queued_ = std::make_pair(code, std::move(reason));
  if (ws_open_ && !ws_sending_) StartWsClose();
}

// Beast sends the close frame, waits for the client's (reading on its own
// when no read is on its way), then closes the connection.
void Session::StartWsClose() {
  if (ws_closing_ || ws_ended_) return;
  ws_closing_ = true;
  const auto [code, reason] = *ws_close_queued_;
  boost::beast::websocket::close_reason frame(static_cast<std::uint16_t>(code));
  frame.reason = reason.substr(0, 123);  // a control frame's payload is at most 125 bytes
  ws_->async_close(frame, [self = shared_from_this(), code = code](const error_code& ec) {
    self->WsEnded(code, ec ? ec.message() : "");
  });
}

void Session::WsEnded(int code, std::string reason) {
  if (ws_ended_) return;
  ws_ended_ = true;
  ws_open_ = false;
  // The handlers hold the handler's state, which holds this socket: let go.
  WebSocket::Handlers handlers = std::move(ws_handlers_);
  ws_handlers_ = {};
  Close();
  if (handlers.closed) handlers.closed(code, std::move(reason));
}

void Session::EndStreamInFlight() {
  if (!stream_in_flight_) return;
  stream_in_flight_ = false;
  server_->in_flight.fetch_sub(1, std::memory_order_relaxed);
}

// A session does not read while its request is handled, so a client's close
// would go unnoticed until the answer is written. The watch, armed on the
// first OnCancel only, waits for readability without reading and only then
// peeks: end of stream or a reset is a close; bytes are a pipelined request,
// left in the kernel to be served next, and end the watch (a close behind them
// is seen at the first write that fails). Arming costs one epoll_ctl (Asio
// re-arms the descriptor for a wait), which also makes the wait fire at once
// for bytes or a close already there; requests whose handler never asks cost
// nothing.
void Session::WatchForCancel(uint64_t seq) {
  if (seq != next_seq_ || !RequestInProgress() || !io_) return;
  watch_seq_ = seq;
  // While a streamed body comes, its reads see a close; armed at its end.
  if (!watch_armed_ && !BodyUnread()) ArmWatch();
}

void Session::ArmWatch() {
  watch_armed_ = true;
  const uint64_t generation = ++watch_generation_;
  socket().async_wait(LoopSocket::wait_read,
                      [weak = weak_from_this(), generation](const error_code& ec) {
                        if (auto self = weak.lock()) self->OnReadable(ec, generation);
                      });
}

// Before the session reads again: a queued wait would make Asio queue the
// read behind it rather than try it at once, and bytes already in the kernel
// would then wait for the next edge. Cancelling costs no system call.
void Session::StopWatch() {
  if (!watch_armed_) return;
  watch_armed_ = false;
  ++watch_generation_;
  error_code ec;
  socket().cancel(ec);
}

void Session::OnReadable(const error_code& ec, uint64_t generation) {
  if (generation != watch_generation_) return;
  watch_armed_ = false;
  if (ec || phase_ == Phase::kClosed || watch_seq_ != next_seq_ || !RequestInProgress()) return;
  char byte = 0;
  const ssize_t n = ::recv(socket().native_handle(), &byte, 1, MSG_PEEK | MSG_DONTWAIT);
  if (n > 0) return;  // a pipelined request
  if (n == 0) {
    // A pipelined request already read is not given up on: the client may
    // only have closed its sending side and wait for both answers.
    if (buffer_.size() == 0) CancelRequest();
    return;
  }
  if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR) {
    ArmWatch();
    return;
  }
  Close();  // reset: nothing can reach the client any more
}

void Session::CancelRequest() {
  if (auto writer = writer_.lock()) {
    if (writer->seq() == next_seq_) writer->Cancel();
  }
}

Response Session::RenderError(int status, absl::string_view message) const {
  Response response;
  if (server_->options.error_renderer) {
    response = server_->options.error_renderer(status, message);
  } else {
    response.headers.emplace_back("content-type", "text/plain");
    response.body = absl::StrCat(message, "\n");
  }
  response.status = status;
  return response;
}

void Session::WriteError(int status, absl::string_view message) {
  WriteResponse(RenderError(status, message), /*keep_alive=*/false, /*linger=*/true);
}

void Session::AnswerLocally(int status, absl::string_view message) {
  Response response = RenderError(status, message);
  ReportLocalAnswer(status, Clock::now() - request_start_);
  WriteResponse(std::move(response), /*keep_alive=*/false, /*linger=*/true);
}

void Session::ReportLocalAnswer(int status, Clock::duration elapsed) {
  const LocalAnswerObserver& observer = server_->options.on_local_answer;
  if (!observer) return;
  LocalAnswer answer{.status = status, .remote_address = remote_address_, .elapsed = elapsed};
  if (parser_) {
    const Request& partial = parser_->partial();
    answer.method = partial.method;
    answer.target = partial.target;
  }
  observer(answer);
}

void Session::Refuse() {
  Response response = RenderError(503, "too many open connections");
  response.headers.emplace_back("retry-after", "1");
  if (remote_address_.empty()) {
    error_code ec;
    const auto endpoint = socket().remote_endpoint(ec);
    if (!ec) remote_address_ = FormatEndpoint(endpoint);
  }
  ReportLocalAnswer(503, Clock::duration::zero());
  // Closed at once unless the client already sent bytes: only then does the
  // session linger, so that closing does not reset the answer away.
  WriteResponse(std::move(response), /*keep_alive=*/false, /*linger=*/false);
}

void Session::WriteResponse(Response response, bool keep_alive, bool linger) {
  if (response.status < 200 || response.status > 999) {
    WriteError(500, absl::StrCat("handler answered with invalid status ", response.status));
    return;
  }
  if (BodyUnread()) {  // the rest of the body is read only to be dropped
    keep_alive = false;
    linger = true;
    AbandonBodyRead();
  }
  BeastResponse& res = response_.emplace();
  res.version(request_version_);
  FillResponse(std::move(response), keep_alive, res);
  keep_alive_after_write_ = keep_alive;
  linger_after_write_ = linger;

  phase_ = Phase::kWriting;
  SetDeadline(server_->options.idle_timeout);  // a client that never reads is idle too
  Serializer& serializer = serializer_.emplace(res);
  auto on_written = [self = shared_from_this()](const error_code& ec, size_t) {
    self->OnWritten(ec);
  };
  if (request_is_head_) {
    bhttp::async_write_header(socket(), serializer, std::move(on_written));
  } else {
    bhttp::async_write(socket(), serializer, std::move(on_written));
  }
}

void Session::OnWritten(const error_code& ec) {
  if (phase_ == Phase::kClosed) return;
  serializer_.reset();
  response_.reset();
  if (ec) {
    Close();
  } else if (!keep_alive_after_write_) {
    CloseGracefully(linger_after_write_);
  } else {
    ReadNext();
  }
}

void Session::CloseGracefully(bool linger) {
  StopWatch();
  error_code ec;
  if (!linger && buffer_.size() == 0 && socket().available(ec) == 0) {
    Close();
    return;
  }
  socket().shutdown(LoopSocket::shutdown_send, ec);
  if (ec) {
    Close();
    return;
  }
  buffer_.consume(buffer_.size());
  phase_ = Phase::kLingering;
  SetDeadline(std::min(kMaxLinger, server_->options.read_timeout));
  DiscardUntilEof();
}

void Session::DiscardUntilEof() {
  if (body_reading_) {  // one read at a time: after the body's, which was cancelled
    discard_after_body_read_ = true;
    return;
  }
  // Received bytes are never committed: the buffer is only scratch space.
  socket().async_read_some(buffer_.prepare(beast::read_size(buffer_, kReadChunk)),
                           [self = shared_from_this()](const error_code& ec, size_t) {
                             if (self->phase_ == Phase::kClosed) return;
                             if (ec) {
                               self->Close();
                             } else {
                               self->DiscardUntilEof();
                             }
                           });
}

void Session::Close() {
  if (phase_ == Phase::kClosed) return;
  const bool cancel = RequestInProgress();
  MarkClosed();
  if (io_) {
    error_code ec;
    io_->socket.close(ec);
    io_->timer.cancel();
  }
  if (cancel) CancelRequest();
}

// Shutdown() waits for open connections, not for Session objects: a handler
// may keep a Responder (and so the Session) long after the answer.
void Session::MarkClosed() {
  if (phase_ == Phase::kClosed) return;
  phase_ = Phase::kClosed;
  EndStreamInFlight();
  if (server_->open_connections.fetch_sub(1, std::memory_order_acq_rel) == 1 &&
      server_->draining.load(std::memory_order_acquire)) {
    std::lock_guard<std::mutex> lock(server_->drain_mu);
    server_->drain_cv.notify_all();
  }
}

// Timeouts: a single timer per session whose wake-up is moved only when a
// deadline comes earlier than the armed one. Later deadlines (the common case:
// read → idle) just update deadline_ and the wake-up re-arms itself, so most
// requests cost no timer syscall.
void Session::SetDeadline(std::chrono::milliseconds timeout) {
  deadline_ = Clock::now() + timeout;
  if (timer_armed_ && timer_expiry_ <= deadline_) return;
  ArmTimer(deadline_);
}

void Session::ClearDeadline() { deadline_ = Clock::time_point::max(); }

void Session::ArmTimer(Clock::time_point at) {
  timer_armed_ = true;
  timer_expiry_ = at;
  const uint64_t generation = ++timer_generation_;
  io_->timer.expires_at(at);
  // A weak reference: a pending wake-up must not keep a finished connection.
  io_->timer.async_wait([weak = weak_from_this(), generation](const error_code&) {
    if (auto self = weak.lock()) self->OnTimer(generation);
  });
}

void Session::OnTimer(uint64_t generation) {
  if (generation != timer_generation_ || phase_ == Phase::kClosed) return;
  timer_armed_ = false;
  if (deadline_ == Clock::time_point::max()) return;
  if (Clock::now() < deadline_) {
    ArmTimer(deadline_);
    return;
  }
  OnDeadline();
}

void Session::OnDeadline() {
  if (body_reading_ && (phase_ == Phase::kHandling || phase_ == Phase::kStreaming)) {
    // As for a request being read: the read fails, and its piece says 408.
    read_timed_out_ = true;
    error_code ec;
    socket().cancel(ec);
    return;
  }
  switch (phase_) {
    case Phase::kReading: {
      // Not Close(): the pending read fails with operation_aborted and
      // OnReadError answers 408 on the still-open socket.
      read_timed_out_ = true;
      error_code ec;
      socket().cancel(ec);
      return;
    }
    case Phase::kStreaming:
      if (ops_writing_ > 0) Close();  // the client does not read
      return;
    case Phase::kHandling:
    case Phase::kWebSocket:  // Beast's own timeouts: handshake, idle with pings
    case Phase::kClosed:
      return;
    case Phase::kIdle:
    case Phase::kWriting:
    case Phase::kLingering:
      Close();
      return;
  }
}

}  // namespace protogate::http
