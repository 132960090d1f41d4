// progress.h — a one-line progress bar on a terminal; nothing when piped.
#pragma once
#include <unistd.h>

#include <chrono>
#include <cstdio>

namespace og::cli {

class Progress {
 public:
  explicit Progress(const char* label) : label_(label), tty_(isatty(fileno(stderr)) != 0) {}
  void update(long done, long total, double loss, long batch) {
    if (!tty_) return;
    const auto now = std::chrono::steady_clock::now();
    if (done != total && now - last_ < std::chrono::milliseconds(200)) return;
    last_ = now;
    const double secs = std::chrono::duration<double>(now - start_).count();
    const double rate = secs > 0 ? done * batch / secs : 0;
    const double eta = done > 0 ? secs * (total - done) / done : 0;
    const int width = 30, filled = static_cast<int>(width * done / (total ? total : 1));
    std::fprintf(stderr, "\r%s [%.*s%*s] %ld/%ld | loss %.4f | %.0f img/s | ETA %.0fs ", label_,
                 filled, "==============================", width - filled, "", done, total, loss,
                 rate, eta);
    if (done == total) std::fputs("\r\033[K", stderr);
    std::fflush(stderr);
  }
  // Erase a half-drawn bar, e.g. before an error line.
  void clear() {
    if (!tty_) return;
    std::fputs("\r\033[K", stderr);
    std::fflush(stderr);
  }

 private:
  const char* label_;
  bool tty_;
  std::chrono::steady_clock::time_point start_ = std::chrono::steady_clock::now(), last_{};
};

}  // namespace og::cli
