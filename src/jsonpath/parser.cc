#include "jsonpath/parser.h"

#include <utility>
#include <vector>

#include "jsonpath/lexer.h"

namespace chaosrun::jsonpath::internal {
namespace {

class Parser {
 public:
  explicit Parser(std::vector<Token> tokens) : tokens_(std::move(tokens)) {}

  Result<std::shared_ptr<const Node>> ParseTop() {
    if (Peek().kind != Tok::kRoot) return Err(Error(Peek(), "a JSONPath must start with '$'"));
    auto node = ParsePath();
    if (!node) return Err(node.error());
    if (Peek().kind != Tok::kEnd) return Err(Error(Peek(), "unexpected " + Describe(Peek())));
    return std::shared_ptr<const Node>(std::move(*node));
  }

 private:
  // Counts nesting for the lifetime of one recursive construct.
  class DepthGuard {
   public:
    explicit DepthGuard(int* depth) : depth_(depth) { ++*depth_; }
    ~DepthGuard() { --*depth_; }
    DepthGuard(const DepthGuard&) = delete;
    DepthGuard& operator=(const DepthGuard&) = delete;

   private:
    int* depth_;
  };

  const Token& Peek(size_t ahead = 0) const {
    size_t i = std::min(pos_ + ahead, tokens_.size() - 1);
    return tokens_[i];
  }
  const Token& Next() {
    const Token& t = Peek();
    if (pos_ + 1 < tokens_.size()) ++pos_;
    return t;
  }
  bool IsWord(const Token& t, std::string_view word) const {
    return t.kind == Tok::kIdentifier && t.text == word;
  }

  static std::string Describe(const Token& t) {
    switch (t.kind) {
      case Tok::kEnd:
        return "end of expression";
      case Tok::kIdentifier:
        return "'" + t.text + "'";
      case Tok::kOp:
        return "'" + t.text + "'";
      case Tok::kString:
        return "string";
      case Tok::kNumber:
        return "number";
      default:
        return "token";
    }
  }
  Status Error(const Token& t, const std::string& what) const {
    return Status::ParseError("JSONPath column " + std::to_string(t.column) + ": " + what);
  }
  Status Expect(Tok kind, const char* what) {
    if (Peek().kind != kind) {
      return Error(Peek(), std::string("expected ") + what + ", found " + Describe(Peek()));
    }
    Next();
    return Status::Ok();
  }
  Status CheckDepth() const {
    if (depth_ > kMaxNesting) return Error(Peek(), "expression nested too deeply");
    return Status::Ok();
  }

  // path := ('$' | '@') step*
  Result<std::shared_ptr<Node>> ParsePath() {
    DepthGuard guard(&depth_);
    if (Status s = CheckDepth(); !s.ok()) return Err(s);
    auto node = std::make_shared<Node>();
    node->from_root = Next().kind == Tok::kRoot;
    while (true) {
      Tok k = Peek().kind;
      if (k == Tok::kDot || k == Tok::kDotDot) {
        Next();
        Step step;
        step.recursive = k == Tok::kDotDot;
        if (step.recursive && Peek().kind == Tok::kLBracket) {
          if (Status s = ParseBracket(&step); !s.ok()) return Err(s);
        } else {
          auto sel = ParseBareword();
          if (!sel) return Err(sel.error());
          step.selectors.push_back(std::move(*sel));
        }
        node->steps.push_back(std::move(step));
      } else if (k == Tok::kLBracket) {
        Step step;
        if (Status s = ParseBracket(&step); !s.ok()) return Err(s);
        node->steps.push_back(std::move(step));
      } else {
        return node;
      }
    }
  }

  // bareword := '*' | identifier | identifier '(' arguments ')'
  Result<Selector> ParseBareword() {
    Selector sel;
    if (Peek().kind == Tok::kStar) {
      Next();
      return sel;
    }
    if (Peek().kind != Tok::kIdentifier) {
      return Err(Error(Peek(), "expected a member name or '*', found " + Describe(Peek())));
    }
    if (Peek(1).kind == Tok::kLParen) return ParseFunction();
    sel.kind = Selector::Kind::kName;
    sel.name = Next().text;
    return sel;
  }

  Result<Selector> ParseFunction() {
    static const std::pair<const char*, Function> kNames[] = {
        {"length", Function::kLength}, {"keys", Function::kKeys},
        {"values", Function::kValues}, {"entries", Function::kEntries},
        {"charAt", Function::kCharAt}, {"substring", Function::kSubstring}};
    const Token& name = Next();
    Selector sel;
    sel.kind = Selector::Kind::kFunction;
    bool known = false;
    for (const auto& [text, fn] : kNames) {
      if (name.text == text) {
        sel.function = fn;
        known = true;
      }
    }
    if (!known) return Err(Error(name, "unknown function '" + name.text + "'"));
    Next();  // '('
    if (Peek().kind != Tok::kRParen) {
      while (true) {
        auto arg = ParseOperand();
        if (!arg) return Err(arg.error());
        sel.arguments.push_back(std::move(*arg));
        if (Peek().kind != Tok::kComma) break;
        Next();
      }
    }
    if (Status s = Expect(Tok::kRParen, "')'"); !s.ok()) return Err(s);
    size_t n = sel.arguments.size();
    bool arity_ok = sel.function == Function::kCharAt      ? n == 1
                    : sel.function == Function::kSubstring ? (n == 1 || n == 2)
                                                           : n == 0;
    if (!arity_ok) {
      return Err(Error(name, "wrong number of arguments for '" + name.text + "()'"));
    }
    return sel;
  }

  // bracket := '[' subscriptable (',' subscriptable)* ']'
  Status ParseBracket(Step* step) {
    DepthGuard guard(&depth_);
    if (Status s = CheckDepth(); !s.ok()) return s;
    Next();  // '['
    while (true) {
      auto sel = ParseSubscriptable();
      if (!sel) return sel.error();
      step->selectors.push_back(std::move(*sel));
      if (Peek().kind != Tok::kComma) break;
      Next();
    }
    return Expect(Tok::kRBracket, "']' or ','");
  }

  Result<int64_t> ParseInteger() {
    const Token& t = Next();
    if (!t.number.is_number_integer() ||
        (t.number.is_number_unsigned() && t.number.get<uint64_t>() > INT64_MAX)) {
      return Err(Error(t, "expected an integer index"));
    }
    return t.number.get<int64_t>();
  }

  Result<Selector> ParseSubscriptable() {
    Selector sel;
    const Token& t = Peek();
    switch (t.kind) {
      case Tok::kString:
        sel.kind = Selector::Kind::kName;
        sel.name = Next().text;
        return sel;
      case Tok::kStar:
        Next();
        return sel;
      case Tok::kNumber: {
        auto index = ParseInteger();
        if (!index) return Err(index.error());
        if (Peek().kind == Tok::kColon) return ParseSlice(*index);
        sel.kind = Selector::Kind::kIndex;
        sel.index = *index;
        return sel;
      }
      case Tok::kColon:
        return ParseSlice(std::nullopt);
      case Tok::kQuestion: {
        Next();
        if (Status s = Expect(Tok::kLParen, "'(' after '?'"); !s.ok()) return Err(s);
        auto expr = ParseAnd();
        if (!expr) return Err(expr.error());
        if (Status s = Expect(Tok::kRParen, "')' closing the filter"); !s.ok()) return Err(s);
        sel.kind = Selector::Kind::kFilter;
        sel.filter = std::move(*expr);
        return sel;
      }
      case Tok::kRoot:
      case Tok::kCurrent: {
        auto path = ParsePath();
        if (!path) return Err(path.error());
        sel.kind = Selector::Kind::kPath;
        sel.path = std::move(*path);
        return sel;
      }
      case Tok::kIdentifier:
        if (Peek(1).kind == Tok::kLParen) return ParseFunction();
        return Err(Error(t, "member names in brackets must be double-quoted strings"));
      default:
        return Err(Error(t, "unexpected " + Describe(t) + " in brackets"));
    }
  }

  // slice := start? ':' stop? (':' step?)?   (the first ':' is next)
  Result<Selector> ParseSlice(std::optional<int64_t> start) {
    Selector sel;
    sel.kind = Selector::Kind::kSlice;
    sel.start = start;
    Next();  // ':'
    if (Peek().kind == Tok::kNumber) {
      auto stop = ParseInteger();
      if (!stop) return Err(stop.error());
      sel.stop = *stop;
    }
    if (Peek().kind == Tok::kColon) {
      Next();
      if (Peek().kind == Tok::kNumber) {
        auto step = ParseInteger();
        if (!step) return Err(step.error());
        sel.step = *step;
      }
    }
    return sel;
  }

  // and := or ('and' and)?     (jsonpath2: `or` binds tighter than `and`)
  Result<std::shared_ptr<const Expr>> ParseAnd() { return ParseBinary(true); }
  // or := not ('or' or)?
  Result<std::shared_ptr<const Expr>> ParseOr() { return ParseBinary(false); }

  Result<std::shared_ptr<const Expr>> ParseBinary(bool is_and) {
    DepthGuard guard(&depth_);
    if (Status s = CheckDepth(); !s.ok()) return Err(s);
    auto lhs = is_and ? ParseOr() : ParseNot();
    if (!lhs) return lhs;
    if (!IsWord(Peek(), is_and ? "and" : "or")) return lhs;
    Next();
    auto rhs = is_and ? ParseAnd() : ParseOr();
    if (!rhs) return rhs;
    auto e = std::make_shared<Expr>();
    e->kind = is_and ? Expr::Kind::kAnd : Expr::Kind::kOr;
    e->lhs = std::move(*lhs);
    e->rhs = std::move(*rhs);
    return std::shared_ptr<const Expr>(std::move(e));
  }

  // not := 'not' not | '(' and ')' | path (op operand)?
  Result<std::shared_ptr<const Expr>> ParseNot() {
    DepthGuard guard(&depth_);
    if (Status s = CheckDepth(); !s.ok()) return Err(s);
    auto e = std::make_shared<Expr>();
    if (IsWord(Peek(), "not")) {
      Next();
      auto inner = ParseNot();
      if (!inner) return inner;
      e->kind = Expr::Kind::kNot;
      e->lhs = std::move(*inner);
      return std::shared_ptr<const Expr>(std::move(e));
    }
    if (Peek().kind == Tok::kLParen) {
      Next();
      auto inner = ParseAnd();
      if (!inner) return inner;
      if (Status s = Expect(Tok::kRParen, "')'"); !s.ok()) return Err(s);
      return inner;
    }
    if (Peek().kind != Tok::kRoot && Peek().kind != Tok::kCurrent) {
      return Err(
          Error(Peek(), "expected '@', '$', 'not' or '(' in filter, found " + Describe(Peek())));
    }
    auto path = ParsePath();
    if (!path) return Err(path.error());
    e->path = std::move(*path);
    std::optional<CompareOp> op = ParseCompareOp();
    if (!op) {
      e->kind = Expr::Kind::kExists;
      return std::shared_ptr<const Expr>(std::move(e));
    }
    e->kind = Expr::Kind::kCompare;
    e->op = *op;
    auto right = ParseOperand();
    if (!right) return Err(right.error());
    e->right = std::move(*right);
    return std::shared_ptr<const Expr>(std::move(e));
  }

  std::optional<CompareOp> ParseCompareOp() {
    const Token& t = Peek();
    std::optional<CompareOp> op;
    if (IsWord(t, "contains")) {
      op = CompareOp::kContains;
    } else if (t.kind == Tok::kOp) {
      static const std::pair<const char*, CompareOp> kOps[] = {
          {"=", CompareOp::kEq}, {"==", CompareOp::kEq}, {"!=", CompareOp::kNe},
          {"<", CompareOp::kLt}, {"<=", CompareOp::kLe}, {">", CompareOp::kGt},
          {">=", CompareOp::kGe}};
      for (const auto& [text, o] : kOps) {
        if (t.text == text) op = o;
      }
    }
    if (op) Next();
    return op;
  }

  // operand := path | JSON literal
  Result<Operand> ParseOperand() {
    Operand out;
    if (Peek().kind == Tok::kRoot || Peek().kind == Tok::kCurrent) {
      auto path = ParsePath();
      if (!path) return Err(path.error());
      out.path = std::move(*path);
      return out;
    }
    auto lit = ParseLiteral();
    if (!lit) return Err(lit.error());
    out.literal = std::move(*lit);
    return out;
  }

  Result<Json> ParseLiteral() {
    DepthGuard guard(&depth_);
    if (Status s = CheckDepth(); !s.ok()) return Err(s);
    const Token& t = Peek();
    if (t.kind == Tok::kString) return Json(Next().text);
    if (t.kind == Tok::kNumber) return Next().number;
    if (IsWord(t, "true") || IsWord(t, "false") || IsWord(t, "null")) {
      std::string word = Next().text;
      return word == "null" ? Json(nullptr) : Json(word == "true");
    }
    if (t.kind == Tok::kLBracket) return ParseContainer(true);
    if (t.kind == Tok::kLBrace) return ParseContainer(false);
    return Err(Error(t, "expected a JSON value or a path, found " + Describe(t)));
  }

  Result<Json> ParseContainer(bool array) {
    Next();  // '[' or '{'
    Json out = array ? Json::array() : Json::object();
    Tok close = array ? Tok::kRBracket : Tok::kRBrace;
    if (Peek().kind == close) {
      Next();
      return out;
    }
    while (true) {
      std::string key;
      if (!array) {
        if (Peek().kind != Tok::kString) return Err(Error(Peek(), "expected an object key"));
        key = Next().text;
        if (Status s = Expect(Tok::kColon, "':'"); !s.ok()) return Err(s);
      }
      auto value = ParseLiteral();
      if (!value) return value;
      if (array) {
        out.push_back(std::move(*value));
      } else {
        out[key] = std::move(*value);
      }
      if (Peek().kind != Tok::kComma) break;
      Next();
    }
    if (Status s = Expect(close, array ? "']'" : "'}'"); !s.ok()) return Err(s);
    return out;
  }

  std::vector<Token> tokens_;
  size_t pos_ = 0;
  int depth_ = 0;
};

}  // namespace

Result<std::shared_ptr<const Node>> Parse(std::string_view expression) {
  auto tokens = Tokenize(expression);
  if (!tokens) return Err(tokens.error());
  return Parser(std::move(*tokens)).ParseTop();
}

}  // namespace chaosrun::jsonpath::internal
