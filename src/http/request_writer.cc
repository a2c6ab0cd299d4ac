#include "http/request_writer.h"

#include <utility>

#include "http/session.h"

namespace protogate::http {

RequestWriter::RequestWriter(std::shared_ptr<Session> session, uint64_t seq)
    : session_(std::move(session)), seq_(seq) {}

// Nothing to do here: while a request waits for its answer only Responders
// own the Session, so dropping the last one destroys it, and ~Session closes
// the connection and settles the in-flight count.
RequestWriter::~RequestWriter() = default;

void RequestWriter::Post(absl::AnyInvocable<void()> task) { session_->PostToLoop(std::move(task)); }

bool RequestWriter::OnLoop() const { return session_->OnLoop(); }

void RequestWriter::Respond(Response response) { session_->Respond(seq_, std::move(response)); }

void RequestWriter::WriteHead(int status, HeaderList headers) {
  session_->StreamHead(seq_, status, std::move(headers));
}

void RequestWriter::WriteChunk(std::string bytes, absl::AnyInvocable<void(bool written)> written) {
  session_->StreamChunk(seq_, std::move(bytes), std::move(written));
}

void RequestWriter::Finish(HeaderList trailers) {
  session_->StreamFinish(seq_, std::move(trailers));
}

void RequestWriter::OnCancel(absl::AnyInvocable<void()> callback) {
  if (cancelled()) {
    callback();
    return;
  }
  on_cancel_.push_back(std::move(callback));
  session_->WatchForCancel(seq_);
}

void RequestWriter::Cancel() {
  if (cancelled_.exchange(true, std::memory_order_acq_rel)) return;
  for (auto& callback : on_cancel_) session_->PostToLoop(std::move(callback));
  on_cancel_.clear();
}

}  // namespace protogate::http
