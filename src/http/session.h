#pragma once

// Internal to the http folder: the state a Server shares with its event loops
// and connections, and the per-connection Session. Not part of the public API.

#include <atomic>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/serializer.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/websocket/stream.hpp>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_set>

#include "absl/functional/any_invocable.h"
#include "absl/strings/string_view.h"
#include "http/message.h"
#include "http/request_parser.h"
#include "http/server.h"

namespace protogate::http {

// Concrete executor types: every session runs on exactly one io_context, so
// the type-erased any_io_executor would only cost an indirection per call.
using LoopExecutor = boost::asio::io_context::executor_type;
using LoopSocket = boost::asio::basic_stream_socket<boost::asio::ip::tcp, LoopExecutor>;
using LoopTimer = boost::asio::basic_waitable_timer<
    std::chrono::steady_clock, boost::asio::wait_traits<std::chrono::steady_clock>, LoopExecutor>;

class Session;
class RequestWriter;

// Writes a last-resort report of an exception caught on an event loop.
void ReportEscapedException(const char* what) noexcept;

// Shared by the Server and all its sessions; outlives both (shared_ptr), so a
// Responder kept by the handler past Shutdown() never dangles.
struct ServerState {
  ServerState(ServerOptions opts, Handler* h) : options(std::move(opts)), handler(h) {}

  const ServerOptions options;
  Handler* const handler;
  std::atomic<int> in_flight{0};
  std::atomic<bool> draining{false};
  // Connections not yet closed. Shutdown() waits on drain_cv for zero.
  std::atomic<int> open_connections{0};
  std::mutex drain_mu;
  std::condition_variable drain_cv;
};

// One per event loop. `mu` guards `stopped` and `sessions`; it is taken on
// connect/disconnect and when a response arrives from a foreign thread.
struct LoopState {
  explicit LoopState(boost::asio::io_context& context) : ioc(context) {}

  // The loop the calling thread runs, if any (set by the loop thread).
  static inline thread_local const LoopState* current = nullptr;

  boost::asio::io_context& ioc;  // usable only while !stopped (under mu)
  std::mutex mu;
  bool stopped = false;
  std::unordered_set<Session*> sessions;
};

// One HTTP/1.1 connection. Every member function except Respond(),
// PostToLoop(), OnLoop() and ReleaseIo() runs on the session's event-loop
// thread. Lifetime: owned by shared_ptrs held by its pending I/O operation or
// by the RequestWriter of the request being handled; when neither exists the
// connection is gone.
class Session : public std::enable_shared_from_this<Session> {
 public:
  Session(LoopSocket socket, std::shared_ptr<ServerState> server, std::shared_ptr<LoopState> loop);
  ~Session();
  Session(const Session&) = delete;
  Session& operator=(const Session&) = delete;

  // Starts reading the first request.
  void Start();
  // Answers 503 with Retry-After at once, without reading a request, then
  // closes: the server is over its max_connections.
  void Refuse();
  // Server began draining: close now if waiting for a request.
  void Drain();
  // The drain timeout passed: the request in flight, if any, is told to end
  // (its writer's OnShutdown callbacks).
  void EndRequest();
  // Destroys the socket and timer. Only after the loop has stopped for good
  // (their io_context is about to go), under LoopState::mu. Returns a
  // WebSocket's handlers, for the caller to drop once it has let go of the
  // lock: they may hold the last reference to this session.
  WebSocket::Handlers ReleaseIo();

 private:
  friend class RequestWriter;      // answers the request it was made for
  friend class RequestBodyReader;  // reads the body of the request it was made for
  friend class SessionWebSocket;   // the WebSocket its request was answered with

  // kStreaming: a streamed answer's head is out (or going out); chunks
  // follow as the handler produces them.
  // kWebSocket: the request was answered by opening a WebSocket; the
  // connection is its until it closes.
  enum class Phase {
    kIdle,
    kReading,
    kHandling,
    kStreaming,
    kWebSocket,
    kWriting,
    kLingering,
    kClosed
  };
  Response RenderError(int status, absl::string_view message) const;
  using BeastResponse = boost::beast::http::response<boost::beast::http::string_body>;
  using Serializer = boost::beast::http::response_serializer<boost::beast::http::string_body>;
  using Clock = std::chrono::steady_clock;

  struct Io {
    explicit Io(LoopSocket s) : socket(std::move(s)), timer(socket.get_executor()) {}
    LoopSocket socket;
    LoopTimer timer;
  };

  LoopSocket& socket() { return io_->socket; }

  // Reading.
  void ReadNext();
  void OnFirstBytes(const boost::system::error_code& ec, size_t n);
  void ReadHeader();
  void OnHeader(const boost::system::error_code& ec);
  void ReadBody();
  void OnBody(const boost::system::error_code& ec);
  void OnReadError(const boost::system::error_code& ec);

  // A body the handler reads as it arrives (BodyStream); see session.cc.
  void ReadBodyPiece(uint64_t seq, std::chrono::milliseconds timeout,
                     absl::AnyInvocable<void(BodyPiece)> done);
  void ReadBodySome();
  void OnBodyPiece(const boost::system::error_code& ec);
  void DeliverPiece(absl::AnyInvocable<void(BodyPiece)> done, BodyPiece piece);
  // The streamed body has bytes the handler never read: the connection
  // cannot carry another request.
  bool BodyUnread() const;
  // An answer goes out while a body read is on its way: that read ends.
  void AbandonBodyRead();

  // A WebSocket the request was answered with; see session.cc.
  std::shared_ptr<WebSocket> AcceptWebSocket(uint64_t seq, WebSocketOptions options,
                                             WebSocket::Handlers handlers);
  void OnWsAccepted(const boost::system::error_code& ec);
  void WsRead();
  void OnWsRead(const boost::system::error_code& ec);
  void WsSend(std::string text, absl::AnyInvocable<void(bool)> written);
  void OnWsSent(const boost::system::error_code& ec);
  void WsClose(int code, std::string reason);
  void StartWsClose();
  void WsEnded(int code, std::string reason);

  // Handling.
  void Dispatch();
  void Respond(uint64_t seq, Response response);                                // any thread
  void PostToLoop(absl::AnyInvocable<void()> task);                             // any thread
  void PostToLoopAfter(absl::Duration delay, absl::AnyInvocable<void()> task);  // any thread
  bool OnLoop() const { return LoopState::current == loop_.get(); }
  // A request is being handled and not yet answered in full.
  bool RequestInProgress() const;

  // Streaming: the writes of a streamed answer go out one at a time, in the
  // order they were asked for; see session.cc.
  struct Outbound {
    std::string framing = {};  // the head, a chunk-size line or the last chunk
    std::string data = {};     // a chunk's bytes
    bool crlf = false;         // a chunk's closing CRLF
    bool ends_stream = false;
    bool aborts = false;  // the end closes the connection, the body unfinished
    absl::AnyInvocable<void(bool)> written = {};  // a chunk's; empty for the others
  };
  void StreamHead(uint64_t seq, int status, HeaderList headers);
  void StreamChunk(uint64_t seq, std::string bytes, absl::AnyInvocable<void(bool)> written);
  void StreamFinish(uint64_t seq, HeaderList trailers);
  void StreamAbort(uint64_t seq);
  void StartStreamWrite();
  void OnStreamWritten(const boost::system::error_code& ec);
  void EndStreamInFlight();

  // Cancellation: a read-side watch, armed on the first OnCancel, that tells
  // a client's close from its pipelined bytes; see session.cc.
  void WatchForCancel(uint64_t seq);
  void ArmWatch();
  void StopWatch();
  void OnReadable(const boost::system::error_code& ec, uint64_t generation);
  void CancelRequest();

  // Writing and closing.
  void WriteResponse(Response response, bool keep_alive, bool linger);
  void WriteError(int status, absl::string_view message);
  // An answer of the server's own to the request being read: rendered,
  // reported to on_local_answer, written, then the connection closes.
  void AnswerLocally(int status, absl::string_view message);
  void ReportLocalAnswer(int status, Clock::duration elapsed);
  void OnWritten(const boost::system::error_code& ec);
  void CloseGracefully(bool linger);
  void DiscardUntilEof();
  void Close();
  void MarkClosed();  // phase_ = kClosed, counted once

  // One lazily re-armed timer serves every timeout; see session.cc.
  void SetDeadline(std::chrono::milliseconds timeout);
  void ClearDeadline();
  void ArmTimer(Clock::time_point at);
  void OnTimer(uint64_t generation);
  void OnDeadline();

  const std::shared_ptr<ServerState> server_;
  const std::shared_ptr<LoopState> loop_;
  std::optional<Io> io_;
  std::string remote_address_;
  boost::beast::flat_buffer buffer_;
  std::optional<RequestParser> parser_;
  std::optional<BeastResponse> response_;
  std::optional<Serializer> serializer_;
  Phase phase_ = Phase::kIdle;

  // The request being handled.
  unsigned request_version_ = 11;
  bool request_keep_alive_ = true;
  bool request_is_head_ = false;
  bool keep_alive_after_write_ = false;
  bool linger_after_write_ = false;
  bool read_timed_out_ = false;
  Clock::time_point request_start_{};  // the request's first byte

  // The body of the request being handled, when the handler streams it
  // (loop only). body_end_ is how it ended, reported again to later reads.
  bool body_streaming_ = false;
  bool body_reading_ = false;  // a read for the handler is on its way
  bool body_abandoned_ = false;
  bool continue_sent_ = false;
  bool discard_after_body_read_ = false;  // lingering waits for the body read to end
  std::chrono::milliseconds body_timeout_{0};
  absl::AnyInvocable<void(BodyPiece)> body_done_;
  std::optional<BodyPiece> body_end_;

  // The WebSocket (loop only). ws_ refers to io_'s socket and goes before it.
  using WsStream = boost::beast::websocket::stream<LoopSocket&>;
  std::optional<Request> upgrade_head_;  // the request's head, kept when it asks to upgrade
  std::unique_ptr<WsStream> ws_;
  boost::beast::flat_buffer ws_in_;
  std::string ws_out_;
  WebSocket::Handlers ws_handlers_;
  absl::AnyInvocable<void(bool)> ws_written_;
  bool ws_open_ = false;  // the handshake is done and the socket not yet closed
  bool ws_read_wanted_ = false;
  bool ws_reading_ = false;
  bool ws_sending_ = false;
  bool ws_closing_ = false;
  bool ws_ended_ = false;  // `closed` was delivered
  std::optional<std::pair<int, std::string>> ws_close_queued_;

  // Sequence number of the request awaiting its Responder, 0 when none; the
  // only member touched from foreign threads.
  uint64_t next_seq_ = 0;
  std::atomic<uint64_t> pending_seq_{0};
  // The writer of the request being handled, to cancel it.
  std::weak_ptr<RequestWriter> writer_;
  bool request_accepts_trailers_ = false;  // "TE: trailers"

  // The streamed answer (loop only). stream_seq_ is the request whose stream
  // is open (0: none, or it ended or failed); while stream_in_flight_, the
  // request still counts in ServerState::in_flight.
  uint64_t stream_seq_ = 0;
  bool stream_in_flight_ = false;
  bool stream_body_ = false;     // the body goes to the wire (not HEAD, 204, 304)
  bool stream_chunked_ = false;  // HTTP/1.1 chunked, else close-delimited
  bool stream_finished_ = false;
  bool chunk_outstanding_ = false;
  size_t ops_writing_ = 0;  // outbound_'s first ops, being written
  std::deque<Outbound> outbound_;

  uint64_t watch_seq_ = 0;  // the request the watch is for
  bool watch_armed_ = false;
  uint64_t watch_generation_ = 0;

  Clock::time_point deadline_ = Clock::time_point::max();
  Clock::time_point timer_expiry_{};
  bool timer_armed_ = false;
  uint64_t timer_generation_ = 0;
};

}  // namespace protogate::http
