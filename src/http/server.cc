#include "http/server.h"

#include <pthread.h>
#include <sched.h>

#include <algorithm>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/address.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <memory>
#include <optional>
#include <thread>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "http/session.h"

namespace protogate::http {
namespace {

using boost::system::error_code;
using Acceptor = boost::asio::basic_socket_acceptor<boost::asio::ip::tcp, LoopExecutor>;

// After a failed accept (e.g. out of file descriptors) retry later instead of
// spinning on the same error.
constexpr std::chrono::milliseconds kAcceptRetryDelay{50};

struct Loop {
  boost::asio::io_context ioc{1};  // one thread runs it: no cross-thread handler locking
  std::shared_ptr<LoopState> state = std::make_shared<LoopState>(ioc);
  std::optional<boost::asio::executor_work_guard<LoopExecutor>> work;
  std::thread thread;
};

absl::Status BindError(const error_code& ec, const std::string& where) {
  const std::string message =
      absl::StrCat("http server cannot listen on ", where, ": ", ec.message());
  if (ec == boost::asio::error::address_in_use) {
    return absl::UnavailableError(
        absl::StrCat(message, " (address already in use: another process listens there)"));
  }
  if (ec == boost::asio::error::access_denied) return absl::PermissionDeniedError(message);
  if (ec == boost::system::errc::address_not_available) return absl::InvalidArgumentError(message);
  return absl::InternalError(message);
}

// Runs `action` on every session of `loop`, on the loop.
void PostToSessions(Loop& loop, void (Session::*action)()) {
  boost::asio::post(loop.ioc, [loop_state = loop.state, action] {
    // Collect owners first: the action may end a session, whose destructor
    // takes the same lock.
    std::vector<std::shared_ptr<Session>> sessions;
    {
      std::lock_guard<std::mutex> lock(loop_state->mu);
      sessions.reserve(loop_state->sessions.size());
      for (Session* session : loop_state->sessions) {
        if (auto owner = session->weak_from_this().lock()) sessions.push_back(std::move(owner));
      }
    }
    for (auto& session : sessions) ((*session).*action)();
  });
}

}  // namespace

// A single acceptor hands sockets round-robin to the loops. SO_REUSEPORT with
// one acceptor per loop would spread connections by a hash of their
// addresses, which is lopsided for the few long-lived keep-alive connections
// a gateway typically gets from its load balancer; accepting is rare compared
// with requests, so one acceptor is not a bottleneck.
struct Server::Impl {
  enum class Lifecycle { kNew, kRunning, kStopped };

  Impl(ServerOptions options, Handler* handler)
      : state(std::make_shared<ServerState>(std::move(options), handler)) {}

  absl::StatusOr<int> Listen();
  void Accept();
  void OnAccept(const error_code& ec, size_t loop_index, LoopSocket socket);
  void RunLoops();
  void BeginDrain();
  // True once every connection is gone, false when `timeout` passed first.
  bool WaitForSessions(std::chrono::milliseconds timeout);
  void EndRequests();
  void StopLoops();

  std::shared_ptr<ServerState> state;
  std::vector<std::unique_ptr<Loop>> loops;
  std::optional<Acceptor> acceptor;  // runs on loops[0]
  std::optional<LoopTimer> accept_retry;
  size_t next_loop = 0;  // acceptor thread only
  Lifecycle lifecycle = Lifecycle::kNew;
};

absl::StatusOr<int> Server::Impl::Listen() {
  const ServerOptions& options = state->options;
  const std::string where = absl::StrCat(options.host, ":", options.port);
  if (options.port < 0 || options.port > 65535) {
    return absl::InvalidArgumentError(absl::StrCat("http server: invalid port in ", where));
  }
  error_code ec;
  const auto address = boost::asio::ip::make_address(options.host, ec);
  if (ec) {
    return absl::InvalidArgumentError(
        absl::StrCat("http server: invalid listen address '", options.host, "': ", ec.message()));
  }
  const boost::asio::ip::tcp::endpoint endpoint(address, static_cast<unsigned short>(options.port));
  acceptor.emplace(loops[0]->ioc);
  accept_retry.emplace(loops[0]->ioc);
  acceptor->open(endpoint.protocol(), ec);
  // SO_REUSEADDR: a restarted gateway binds even while its old connections
  // linger in TIME_WAIT; a live listener on the port still fails the bind.
  if (!ec) acceptor->set_option(Acceptor::reuse_address(true), ec);
  if (!ec) acceptor->bind(endpoint, ec);
  if (!ec) acceptor->listen(Acceptor::max_listen_connections, ec);
  if (ec) return BindError(ec, where);
  const auto bound = acceptor->local_endpoint(ec);
  if (ec) return BindError(ec, where);
  return bound.port();
}

void Server::Impl::Accept() {
  const size_t index = next_loop;
  next_loop = (next_loop + 1) % loops.size();
  // The socket is created on the target loop's io_context directly.
  acceptor->async_accept(loops[index]->ioc, [this, index](const error_code& ec, LoopSocket socket) {
    OnAccept(ec, index, std::move(socket));
  });
}

void Server::Impl::OnAccept(const error_code& ec, size_t loop_index, LoopSocket socket) {
  if (ec == boost::asio::error::operation_aborted || !acceptor->is_open() ||
      state->draining.load(std::memory_order_acquire)) {
    return;
  }
  if (ec) {
    accept_retry->expires_after(kAcceptRetryDelay);
    accept_retry->async_wait([this](const error_code& wait_ec) {
      if (!wait_ec && acceptor->is_open()) Accept();
    });
    return;
  }
  // Over max_connections the session answers 503 and closes instead of
  // reading: a flood of idle connections must not take every descriptor.
  const bool refuse =
      state->open_connections.load(std::memory_order_relaxed) >= state->options.max_connections;
  const LoopExecutor executor = socket.get_executor();
  boost::asio::post(executor, [server = state, loop = loops[loop_index]->state,
                               socket = std::move(socket), refuse]() mutable {
    auto session = std::make_shared<Session>(std::move(socket), std::move(server), std::move(loop));
    if (refuse) {
      session->Refuse();
    } else {
      session->Start();
    }
  });
  Accept();
}

void Server::Impl::RunLoops() {
  for (auto& loop : loops) {
    loop->work.emplace(loop->ioc.get_executor());
    loop->thread = std::thread([raw = loop.get()] {
      // An event loop trades work with other threads (a handler's upstream
      // completions) all the time; on a shared CPU, wake-up preemption turns
      // each of those hand-offs into a switch there and one back. SCHED_BATCH
      // (same share of the CPU, no wake-up preemption) lets both sides finish
      // what they hold and batch the rest. Best effort.
      sched_param param{};
      pthread_setschedparam(pthread_self(), SCHED_BATCH, &param);
      LoopState::current = raw->state.get();
      // No exception may end an event loop: report it and go on serving
      // (run() returns normally only once the loop is stopped).
      for (;;) {
        try {
          raw->ioc.run();
          break;
        } catch (const std::exception& e) {
          ReportEscapedException(e.what());
        } catch (...) {
          ReportEscapedException("unknown exception");
        }
      }
      LoopState::current = nullptr;
    });
  }
}

void Server::Impl::BeginDrain() {
  state->draining.store(true, std::memory_order_release);
  boost::asio::post(loops[0]->ioc, [this] {
    error_code ec;
    acceptor->close(ec);
    accept_retry->cancel();
  });
  for (auto& loop : loops) PostToSessions(*loop, &Session::Drain);
}

bool Server::Impl::WaitForSessions(std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  std::unique_lock<std::mutex> lock(state->drain_mu);
  return state->drain_cv.wait_until(lock, deadline, [this] {
    return state->open_connections.load(std::memory_order_acquire) == 0;
  });
}

// The drain timeout has passed: every request still in flight is told to
// end (its OnShutdown callbacks), so a stream's client learns why it ends.
void Server::Impl::EndRequests() {
  for (auto& loop : loops) PostToSessions(*loop, &Session::EndRequest);
}

void Server::Impl::StopLoops() {
  for (auto& loop : loops) {
    {
      std::lock_guard<std::mutex> lock(loop->state->mu);
      loop->state->stopped = true;  // late Responders now drop their answer
    }
    loop->work.reset();
    loop->ioc.stop();
  }
  for (auto& loop : loops) {
    if (loop->thread.joinable()) loop->thread.join();
  }
  acceptor.reset();
  accept_retry.reset();
  // Sessions that outlived the drain (a handler still holds their Responder)
  // must give up their sockets before the io_contexts go away.
  std::vector<WebSocket::Handlers> orphans;
  for (auto& loop : loops) {
    std::lock_guard<std::mutex> lock(loop->state->mu);
    for (Session* session : loop->state->sessions) orphans.push_back(session->ReleaseIo());
  }
  orphans.clear();  // outside the locks: may end sessions
  loops.clear();    // destroys queued handlers, and with them idle sessions
}

Server::Server(ServerOptions options, Handler* handler)
    : impl_(std::make_unique<Impl>(std::move(options), handler)) {}

Server::~Server() { Shutdown(); }

absl::StatusOr<int> Server::Start() {
  if (impl_->lifecycle != Impl::Lifecycle::kNew) {
    return absl::FailedPreconditionError("http server: Start() after Start() or Shutdown()");
  }
  const ServerOptions& options = impl_->state->options;
  if (impl_->state->handler == nullptr) {
    return absl::InvalidArgumentError("http server: no handler");
  }
  if (!options.error_renderer) {
    return absl::InvalidArgumentError("http server: ServerOptions.error_renderer is required");
  }
  if (options.threads < 0) {
    return absl::InvalidArgumentError(
        absl::StrCat("http server: invalid thread count ", options.threads));
  }
  const int threads = options.threads > 0
                          ? options.threads
                          : std::max(1, static_cast<int>(std::thread::hardware_concurrency()));
  for (int i = 0; i < threads; ++i) impl_->loops.push_back(std::make_unique<Loop>());
  absl::StatusOr<int> port = impl_->Listen();
  if (!port.ok()) {
    impl_->accept_retry.reset();
    impl_->acceptor.reset();
    impl_->loops.clear();
    return port.status();
  }
  impl_->Accept();
  impl_->RunLoops();
  impl_->lifecycle = Impl::Lifecycle::kRunning;
  return port;
}

void Server::Shutdown() {
  if (impl_->lifecycle == Impl::Lifecycle::kStopped) return;
  const bool running = impl_->lifecycle == Impl::Lifecycle::kRunning;
  impl_->lifecycle = Impl::Lifecycle::kStopped;
  if (!running) return;
  impl_->BeginDrain();
  if (!impl_->WaitForSessions(impl_->state->options.drain_timeout)) {
    impl_->EndRequests();
    impl_->WaitForSessions(impl_->state->options.shutdown_grace);
  }
  impl_->StopLoops();
}

int Server::in_flight() const { return impl_->state->in_flight.load(std::memory_order_acquire); }

}  // namespace protogate::http
