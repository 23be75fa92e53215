#include "serve/serve_handler.h"

#include <algorithm>

#include "build/asset_names.h"
#include "policy/preload.h"
#include "policy/serving.h"

namespace npsbundle {

HttpResponse TextResponse(int status, std::string_view text) {
  HttpResponse response;
  response.status = status;
  response.owned_body = std::string(text);
  response.content_length = text.size();
  response.headers.emplace_back("Content-Type", std::string(kErrorContentType));
  for (const auto& [name, value] : SecurityHeaders()) response.headers.emplace_back(name, value);
  return response;
}

HttpResponse ErrorResponse(int status) { return TextResponse(status, ErrorBody(status)); }

HttpResponse RequestHandler::Refuse(int status) const { return ErrorResponse(status); }

RequestHandler::RequestHandler(std::shared_ptr<const StaticIndex> index, HandlerOptions options)
    : index_(std::move(index)), options_(std::move(options)) {}

HttpResponse RequestHandler::Handle(const HttpRequest& request) const {
  if (request.method != "GET" && request.method != "HEAD") {
    HttpResponse response = ErrorResponse(405);
    response.headers.emplace_back("Allow", std::string(kAllowedMethods));
    return response;
  }
  // A GET or HEAD that carries a body (or ambiguous framing) is how request
  // smuggling starts; refuse it instead of guessing where the next request
  // begins.
  std::optional<std::string> content_length = request.Header("Content-Length");
  if (request.HeaderCount("Transfer-Encoding") > 0 || request.HeaderCount("Content-Length") > 1 ||
      (content_length && *content_length != "0")) {
    return TextResponse(400, kBodyOnGetBody);
  }
  RequestPath target = NormalizeRequestPath(request.target);
  if (target.verdict != PathVerdict::kOk) return ErrorResponse(400);

  std::string path = target.path;
  std::string base_dir = options_.base.substr(1);  // "app/" or ""
  if (!base_dir.empty()) {
    std::string bare = base_dir.substr(0, base_dir.size() - 1);
    if (path == bare && !target.trailing_slash) {
      HttpResponse response = ErrorResponse(302);
      response.headers.emplace_back("Location", options_.base);
      return response;
    }
    if (path == bare) {
      path.clear();
    } else if (path.rfind(base_dir, 0) == 0) {
      path = path.substr(base_dir.size());
    } else {
      return ErrorResponse(404);
    }
  }
  // A host's own config (/_headers) is no page either: never the SPA fallback.
  if (IsHiddenPath(path) || IsHostConfigFile(path)) return ErrorResponse(404);

  const StaticFile* file = Resolve(path, target.trailing_slash);
  if (!file && options_.spa && IsSpaNavigation(path, request.Header("Accept").value_or(""))) {
    file = Fallback(path);
  }
  if (!file) return ErrorResponse(404);
  // A page reached by its route ("/", "/oracle") sends that route's hints
  // (the entry's and the page's, capped as one list), whether the HTML was
  // found directly or by fallback; other HTML sends its own.
  static const std::vector<std::string> kNoLinks;
  const std::vector<std::string>* links = &kNoLinks;
  if (IsHtmlContentType(file->content_type)) {
    const std::vector<std::string>& route = index_->RouteLinks("/" + path);
    links = route.empty() ? &file->preload_links : &route;
  }
  HttpResponse response = Serve(request, *file, *links);
  if (options_.early_hints && !links->empty() &&
      WantsEarlyHints(request.method, response.status, request.Header("Sec-Fetch-Mode"))) {
    response.early_hints = *links;
  }
  if (request.method == "HEAD") {
    response.send_body = false;
    response.body = {};
    response.owned_body.clear();
  }
  return response;
}

const StaticFile* RequestHandler::Resolve(const std::string& path, bool trailing_slash) const {
  if (path.empty()) return index_->Find("index.html");
  if (trailing_slash) return index_->Find(path + "/index.html");
  if (const StaticFile* file = index_->Find(path)) return file;
  // "/admin" may be a folder with its own page, or a page of a multi-page
  // build ("admin.html"), as Vite's own preview server resolves it.
  if (const StaticFile* file = index_->Find(path + "/index.html")) return file;
  return index_->Find(path + ".html");
}

const StaticFile* RequestHandler::Fallback(const std::string& path) const {
  // The nearest index.html up the path: "/admin/users/7" uses
  // admin/index.html when a multi-page build has one.
  std::string dir = path;
  while (true) {
    size_t slash = dir.rfind('/');
    dir = slash == std::string::npos ? "" : dir.substr(0, slash);
    if (const StaticFile* file = index_->Find(dir.empty() ? "index.html" : dir + "/index.html")) {
      return file;
    }
    if (dir.empty()) return nullptr;
  }
}

HttpResponse RequestHandler::Serve(const HttpRequest& request, const StaticFile& file,
                                   const std::vector<std::string>& links) const {
  // One snapshot of the file's representations for the whole response: the
  // background compressor may publish a new set meanwhile.
  const RepresentationSet& set = file.current();
  ContentCoding coding = set.negotiable()
                             ? ChooseEncoding(request.Header("Accept-Encoding"), set.available())
                             : ContentCoding::kIdentity;
  if (!set.Get(coding)) coding = ContentCoding::kIdentity;
  const Representation& representation = *set.Get(coding);
  std::string_view bytes = representation.bytes;

  HttpResponse response;
  // Validators and caching first: a 304 repeats exactly these.
  response.headers.emplace_back("ETag", representation.etag);
  // Formatting a date costs as much as the rest of the head; the index
  // formats it once.
  response.headers.emplace_back("Last-Modified", file.last_modified_text.empty()
                                                     ? FormatHttpDate(file.last_modified)
                                                     : file.last_modified_text);
  response.headers.emplace_back("Cache-Control", std::string(CacheControlFor(file.immutable)));
  if (set.vary()) response.headers.emplace_back("Vary", "Accept-Encoding");
  for (const auto& [name, value] : SecurityHeaders()) response.headers.emplace_back(name, value);

  std::optional<std::string> if_none_match = request.Header("If-None-Match");
  std::optional<std::string> if_modified_since = request.Header("If-Modified-Since");
  bool not_modified = if_none_match
                          ? IfNoneMatchMatches(*if_none_match, representation.etag)
                          : if_modified_since && NotModifiedSince(*if_modified_since, file.last_modified);
  if (not_modified) {
    response.status = 304;
    response.content_length = bytes.size();
    response.send_body = false;
    return response;
  }

  response.headers.emplace_back("Content-Type", file.content_type);
  if (coding != ContentCoding::kIdentity) {
    response.headers.emplace_back("Content-Encoding", std::string(CodingName(coding)));
  }
  response.headers.emplace_back("Accept-Ranges", "bytes");
  for (const std::string& link : links) response.headers.emplace_back("Link", link);

  response.status = 200;
  response.body = bytes;
  response.content_length = bytes.size();
  std::optional<std::string> range = request.Header("Range");
  std::optional<std::string> if_range = request.Header("If-Range");
  if (range && request.HeaderCount("Range") == 1 &&
      (!if_range || IfRangeHolds(*if_range, representation.etag, file.last_modified))) {
    RangeDecision decision = ParseRange(*range, bytes.size());
    if (decision.outcome == RangeOutcome::kPartial) {
      response.status = 206;
      response.body = bytes.substr(decision.first, decision.length);
      response.content_length = decision.length;
      response.headers.emplace_back("Content-Range",
                                    "bytes " + std::to_string(decision.first) + "-" +
                                        std::to_string(decision.first + decision.length - 1) + "/" +
                                        std::to_string(bytes.size()));
    } else if (decision.outcome == RangeOutcome::kUnsatisfiable) {
      HttpResponse unsatisfiable = ErrorResponse(416);
      unsatisfiable.headers.emplace_back("Content-Range", "bytes */" + std::to_string(bytes.size()));
      if (set.vary()) unsatisfiable.headers.emplace_back("Vary", "Accept-Encoding");
      return unsatisfiable;
    }
  }
  if (representation.store) {
    response.body_fd = representation.store->fd();
    response.body_offset = representation.store->OffsetOf(response.body);
  }
  return response;
}

}  // namespace npsbundle
