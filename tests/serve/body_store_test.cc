// BodyStore packs bodies into one sealed memory file: the views hold the
// bytes, the file holds the same bytes at OffsetOf, and nothing can write
// to it afterwards.

#include "serve/body_store.h"

#include <fcntl.h>
#include <unistd.h>

#include <catch2/catch.hpp>

namespace npsbundle::testing {
namespace {

std::string ReadAt(int fd, uint64_t offset, size_t size) {
  std::string out(size, '\0');
  REQUIRE(pread(fd, out.data(), size, static_cast<off_t>(offset)) == static_cast<ssize_t>(size));
  return out;
}

TEST_CASE("body store: views and the memory file hold the parts in order", "[body_store]") {
  std::string large(100'000, '\0');
  for (size_t i = 0; i < large.size(); ++i) large[i] = static_cast<char>(i * 7 % 251);
  std::vector<std::string_view> parts = {"first", "", large, "last"};
  std::vector<std::string_view> views;
  auto store = BodyStore::Pack(parts, &views);
  REQUIRE(views.size() == parts.size());
  CHECK(store->size() == 5 + 100'000 + 4);
  for (size_t i = 0; i < parts.size(); ++i) {
    INFO(i);
    CHECK(views[i] == parts[i]);
    CHECK(views[i].data() != parts[i].data());  // a copy, owned by the store
  }
  REQUIRE(store->fd() >= 0);
  CHECK(store->OffsetOf(views[0]) == 0);
  CHECK(store->OffsetOf(views[2]) == 5);
  CHECK(ReadAt(store->fd(), store->OffsetOf(views[2]), large.size()) == large);
  CHECK(ReadAt(store->fd(), store->OffsetOf(views[3]), 4) == "last");
  // A slice of a view has its own offset: ranges are sent from there.
  CHECK(ReadAt(store->fd(), store->OffsetOf(views[2].substr(99'990)), 10) == large.substr(99'990));
}

TEST_CASE("body store: the memory file is sealed against change", "[body_store]") {
  std::vector<std::string_view> views;
  auto store = BodyStore::Pack({"immutable bytes"}, &views);
  REQUIRE(store->fd() >= 0);
  CHECK(pwrite(store->fd(), "X", 1, 0) == -1);
  CHECK(ftruncate(store->fd(), 1) == -1);
  CHECK(views[0] == "immutable bytes");
}

TEST_CASE("body store: nothing to hold is an empty store", "[body_store]") {
  std::vector<std::string_view> views;
  auto store = BodyStore::Pack({"", ""}, &views);
  CHECK(store->size() == 0);
  CHECK(store->fd() == -1);
  REQUIRE(views.size() == 2);
  CHECK(views[0].empty());
  CHECK(BodyStore::Pack({}, &views)->size() == 0);
  CHECK(views.empty());
}

}  // namespace
}  // namespace npsbundle::testing
