#ifndef NPSBUNDLE_CORE_ESCAPE_H_
#define NPSBUNDLE_CORE_ESCAPE_H_

#include <string>
#include <string_view>

namespace npsbundle {

// Escaping for each output format, written once. Each returns the text to
// place between the format's delimiters (without quotes).

// JSON string content: quotes, backslash, control characters as \uXXXX.
// JSON and XML escaping also replace invalid UTF-8 bytes with U+FFFD.
std::string JsonEscape(std::string_view text);

// XML attribute or text content: & < > " ' and control characters dropped
// (XML 1.0 cannot carry them).
std::string XmlEscape(std::string_view text);

// GitHub workflow command message: % CR LF percent-encoded.
std::string GithubDataEscape(std::string_view text);

// GitHub workflow command property (file=, title=): as above plus : and ,.
std::string GithubPropertyEscape(std::string_view text);

// Markdown table cell: | and backslash escaped, newlines to spaces, and
// characters that start inline markup (` * _ < >) escaped.
std::string MarkdownCellEscape(std::string_view text);

}  // namespace npsbundle

#endif  // NPSBUNDLE_CORE_ESCAPE_H_
