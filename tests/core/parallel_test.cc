#include "core/parallel.h"

#include <atomic>
#include <mutex>
#include <set>
#include <stdexcept>
#include <thread>
#include <vector>

#include <catch2/catch.hpp>

namespace npsbundle {

TEST_CASE("parallel for: every index once, on several threads", "[parallel]") {
  for (unsigned threads : {0u, 1u, 3u, 64u}) {
    std::vector<std::atomic<int>> calls(1000);
    std::mutex mutex;
    std::set<std::thread::id> ids;
    ParallelFor(calls.size(), threads, [&](size_t i) {
      ++calls[i];
      std::lock_guard<std::mutex> lock(mutex);
      ids.insert(std::this_thread::get_id());
    });
    for (const auto& count : calls) CHECK(count == 1);
    if (threads == 1) CHECK(ids == std::set<std::thread::id>{std::this_thread::get_id()});
    if (threads == 3) CHECK(ids.size() <= 3);
  }
  int calls = 0;
  ParallelFor(0, 4, [&](size_t) { ++calls; });
  CHECK(calls == 0);
}

TEST_CASE("parallel for: the first exception is rethrown and stops new work", "[parallel]") {
  std::atomic<size_t> started{0};
  CHECK_THROWS_WITH(ParallelFor(100000, 4,
                                [&](size_t i) {
                                  ++started;
                                  if (i == 10) throw std::runtime_error("index 10");
                                  if (i > 10) std::this_thread::sleep_for(std::chrono::microseconds(50));
                                }),
                    "index 10");
  CHECK(started < 100000);
  // One thread: indices run in order, so the failure is the first one thrown.
  std::vector<size_t> seen;
  CHECK_THROWS_WITH(ParallelFor(10, 1,
                                [&](size_t i) {
                                  seen.push_back(i);
                                  if (i >= 3) throw std::runtime_error("at " + std::to_string(i));
                                }),
                    "at 3");
  CHECK(seen == std::vector<size_t>{0, 1, 2, 3});
}

}  // namespace npsbundle
