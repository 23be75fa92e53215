#ifndef NPSBUNDLE_DEPLOY_BLOCK_WRITER_H_
#define NPSBUNDLE_DEPLOY_BLOCK_WRITER_H_

#include <sstream>
#include <string>
#include <string_view>

namespace npsbundle {

// Writes a brace-nested config (nginx, Caddyfile) one block level at a
// time; every line is indented by `indent` per level.
class BlockWriter {
 public:
  explicit BlockWriter(std::string indent) : indent_(std::move(indent)) {}
  void Line(std::string_view text = {}) {
    if (!text.empty()) {
      for (int i = 0; i < depth_; ++i) out_ << indent_;
      out_ << text;
    }
    out_ << '\n';
  }
  void Open(std::string_view head) {
    Line(std::string(head) + " {");
    ++depth_;
  }
  void Close() {
    --depth_;
    Line("}");
  }
  std::string str() const { return out_.str(); }

 private:
  std::string indent_;
  std::ostringstream out_;
  int depth_ = 0;
};

}  // namespace npsbundle

#endif  // NPSBUNDLE_DEPLOY_BLOCK_WRITER_H_
