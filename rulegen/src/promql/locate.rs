//! Finding where a PromQL expression that promql-parser rejected goes wrong.
//!
//! promql-parser says *that* an expression is invalid, and for grammar errors not even why.
//! Three passes recover a place:
//! 1. lexer errors (an unexpected character, an unterminated string, an unclosed parenthesis)
//!    are found by lexing ever longer prefixes until the same error appears;
//! 2. grammar errors by a tolerant recursive-descent recognizer over promql-parser's own
//!    tokens, which stops at the first token that cannot continue an expression;
//! 3. semantic errors (unknown function, wrong argument type) quote a name, which is then
//!    found among the tokens.
//!
//! The recognizer only locates: promql-parser stays the judge of validity. Where the
//! recognizer is more lenient than the grammar the whole expression is blamed instead.

use lrpar::{Lexeme, Lexer};
use promql_parser::parser::lex;
use promql_parser::parser::token::*;

use super::PromqlError;

/// The longest expression whose lexer errors we locate by prefix lexing (quadratic).
const MAX_PREFIX_SCAN: usize = 4096;

/// Builds the positioned error for `expr`, which promql-parser rejected with `message`.
pub(super) fn locate(expr: &str, message: &str) -> PromqlError {
    let whole = |message: String| PromqlError {
        message,
        offset: 0,
        len: expr.len(),
    };
    let tokens = match lex::lexer(expr) {
        Ok(lexer) => lexer
            .iter()
            .filter_map(Result::ok)
            .filter(|l| l.tok_id() != T_EOF)
            .map(|l| Token {
                id: l.tok_id(),
                offset: l.span().start(),
                len: l.span().len(),
            })
            .collect::<Vec<_>>(),
        Err(lex_error) => return lexer_error(expr, &lex_error).unwrap_or_else(|| whole(lex_error)),
    };
    if tokens.is_empty() {
        return whole("the expression is empty".to_owned());
    }
    if let Some(quoted) = quoted_name(message) {
        if let Some(token) = tokens
            .iter()
            .find(|t| &expr[t.offset..t.offset + t.len] == quoted)
        {
            return PromqlError {
                message: message.to_owned(),
                offset: token.offset,
                len: token.len,
            };
        }
    }
    match Recognizer::new(expr, &tokens).expression_only() {
        Err(at) => grammar_error(expr, &tokens, at, message),
        Ok(()) => whole(message.to_owned()),
    }
}

/// A lexeme of promql-parser's lexer.
#[derive(Clone, Copy, Debug)]
struct Token {
    id: TokenId,
    offset: usize,
    len: usize,
}

fn lexer_error(expr: &str, message: &str) -> Option<PromqlError> {
    if expr.len() > MAX_PREFIX_SCAN {
        return None;
    }
    let end = expr
        .char_indices()
        .map(|(i, c)| i + c.len_utf8())
        .find(|&end| matches!(lex::lexer(&expr[..end]), Err(e) if e == message))?;
    let last = expr[..end].chars().next_back()?;
    Some(PromqlError {
        message: message.to_owned(),
        offset: end - last.len_utf8(),
        len: last.len_utf8(),
    })
}

/// The first `'single-quoted'` word of a promql-parser message.
fn quoted_name(message: &str) -> Option<&str> {
    let start = message.find('\'')? + 1;
    let len = message[start..].find('\'')?;
    let name = &message[start..start + len];
    (!name.is_empty()).then_some(name)
}

fn grammar_error(expr: &str, tokens: &[Token], at: usize, message: &str) -> PromqlError {
    match tokens.get(at) {
        Some(token) => {
            let text = &expr[token.offset..token.offset + token.len];
            PromqlError {
                message: format!("unexpected `{text}` ({message})"),
                offset: token.offset,
                len: token.len,
            }
        }
        None => PromqlError {
            message: format!("unexpected end of the expression ({message})"),
            offset: expr.trim_end().len(),
            len: 0,
        },
    }
}

/// A recursive-descent recognizer over tokens; each method returns the index of the first
/// token it cannot accept.
struct Recognizer<'a> {
    #[cfg_attr(not(test), allow(dead_code))]
    expr: &'a str,
    tokens: &'a [Token],
    at: usize,
    depth: usize,
}

/// Deeper nesting is blamed on the token where it happens rather than overflowing the stack.
const MAX_DEPTH: usize = 256;

type Step = Result<(), usize>;

impl<'a> Recognizer<'a> {
    fn new(expr: &'a str, tokens: &'a [Token]) -> Recognizer<'a> {
        Recognizer {
            expr,
            tokens,
            at: 0,
            depth: 0,
        }
    }

    fn peek(&self) -> Option<TokenId> {
        self.tokens.get(self.at).map(|t| t.id)
    }

    fn peek_at(&self, ahead: usize) -> Option<TokenId> {
        self.tokens.get(self.at + ahead).map(|t| t.id)
    }

    fn bump(&mut self) {
        self.at += 1;
    }

    fn fail(&self) -> Step {
        Err(self.at)
    }

    fn expect(&mut self, id: TokenId) -> Step {
        if self.peek() == Some(id) {
            self.bump();
            Ok(())
        } else {
            self.fail()
        }
    }

    fn eat(&mut self, id: TokenId) -> bool {
        let found = self.peek() == Some(id);
        if found {
            self.bump();
        }
        found
    }

    fn expression_only(mut self) -> Step {
        self.expression()?;
        match self.peek() {
            None => Ok(()),
            Some(_) => self.fail(),
        }
    }

    fn expression(&mut self) -> Step {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return self.fail();
        }
        self.unary()?;
        while self.peek().is_some_and(is_binary_operator) {
            self.bump();
            self.binary_modifiers()?;
            self.unary()?;
        }
        self.depth -= 1;
        Ok(())
    }

    fn unary(&mut self) -> Step {
        while matches!(self.peek(), Some(T_ADD | T_SUB)) {
            self.bump();
        }
        self.primary()?;
        self.postfix()
    }

    fn binary_modifiers(&mut self) -> Step {
        self.eat(T_BOOL);
        if self.eat(T_ON) || self.eat(T_IGNORING) {
            self.label_list()?;
            let grouped = self.eat(T_GROUP_LEFT) || self.eat(T_GROUP_RIGHT);
            if grouped && self.peek() == Some(T_LEFT_PAREN) {
                self.label_list()?;
            }
        }
        while matches!(self.peek(), Some(T_FILL | T_FILL_LEFT | T_FILL_RIGHT)) {
            self.bump();
            self.skip_parenthesised()?;
        }
        Ok(())
    }

    fn postfix(&mut self) -> Step {
        loop {
            match self.peek() {
                Some(T_LEFT_BRACKET) => self.skip_until(T_RIGHT_BRACKET)?,
                Some(T_OFFSET) => {
                    self.bump();
                    self.eat(T_SUB);
                    match self.peek() {
                        Some(T_DURATION | T_NUMBER) => self.bump(),
                        _ => return self.fail(),
                    }
                }
                Some(T_AT) => {
                    self.bump();
                    match self.peek() {
                        Some(T_NUMBER) => self.bump(),
                        Some(T_START | T_END) => {
                            self.bump();
                            self.expect(T_LEFT_PAREN)?;
                            self.expect(T_RIGHT_PAREN)?;
                        }
                        _ => return self.fail(),
                    }
                }
                Some(T_SMOOTHED | T_ANCHORED) => self.bump(),
                _ => return Ok(()),
            }
        }
    }

    fn primary(&mut self) -> Step {
        let Some(id) = self.peek() else {
            return self.fail();
        };
        match id {
            T_NUMBER | T_STRING | T_DURATION => {
                self.bump();
                Ok(())
            }
            T_LEFT_PAREN => {
                self.bump();
                self.expression()?;
                self.expect(T_RIGHT_PAREN)
            }
            T_LEFT_BRACE => self.matchers(),
            id if is_aggregator(id) && self.aggregation_follows() => self.aggregation(),
            id if is_name(id) => {
                self.bump();
                match self.peek() {
                    Some(T_LEFT_PAREN) if id == T_IDENTIFIER || is_aggregator(id) => {
                        self.arguments()
                    }
                    Some(T_LEFT_BRACE) => self.matchers(),
                    _ => Ok(()),
                }
            }
            _ => self.fail(),
        }
    }

    /// `sum(`, `sum by`, `sum without`: an aggregation; a bare `sum` is a metric name.
    fn aggregation_follows(&self) -> bool {
        matches!(self.peek_at(1), Some(T_LEFT_PAREN | T_BY | T_WITHOUT))
    }

    fn aggregation(&mut self) -> Step {
        self.bump();
        let grouped_before = self.grouping()?;
        self.arguments()?;
        if !grouped_before {
            self.grouping()?;
        }
        Ok(())
    }

    fn grouping(&mut self) -> Result<bool, usize> {
        if self.eat(T_BY) || self.eat(T_WITHOUT) {
            self.label_list()?;
            Ok(true)
        } else {
            Ok(false)
        }
    }

    fn arguments(&mut self) -> Step {
        self.expect(T_LEFT_PAREN)?;
        if self.eat(T_RIGHT_PAREN) {
            return Ok(());
        }
        loop {
            self.expression()?;
            if self.eat(T_COMMA) {
                continue;
            }
            return self.expect(T_RIGHT_PAREN);
        }
    }

    fn label_list(&mut self) -> Step {
        self.expect(T_LEFT_PAREN)?;
        loop {
            match self.peek() {
                Some(T_RIGHT_PAREN) => {
                    self.bump();
                    return Ok(());
                }
                Some(id) if is_name(id) || id == T_STRING => {
                    self.bump();
                    if !self.eat(T_COMMA) {
                        return self.expect(T_RIGHT_PAREN);
                    }
                }
                _ => return self.fail(),
            }
        }
    }

    fn matchers(&mut self) -> Step {
        self.expect(T_LEFT_BRACE)?;
        loop {
            match self.peek() {
                Some(T_RIGHT_BRACE) => {
                    self.bump();
                    return Ok(());
                }
                Some(id) if is_name(id) || id == T_STRING => {
                    self.bump();
                    if matches!(self.peek(), Some(T_EQL | T_NEQ | T_EQL_REGEX | T_NEQ_REGEX)) {
                        self.bump();
                        self.expect(T_STRING)?;
                    } else if id != T_STRING {
                        return self.fail();
                    }
                    if !self.eat(T_COMMA) {
                        return self.expect(T_RIGHT_BRACE);
                    }
                }
                _ => return self.fail(),
            }
        }
    }

    fn skip_parenthesised(&mut self) -> Step {
        self.expect(T_LEFT_PAREN)?;
        self.skip_until(T_RIGHT_PAREN)
    }

    /// Skips to just past the next `close`; brackets and fill values are checked by the
    /// lexer and promql-parser, not here.
    fn skip_until(&mut self, close: TokenId) -> Step {
        while let Some(id) = self.peek() {
            self.bump();
            if id == close {
                return Ok(());
            }
        }
        self.fail()
    }

    #[cfg(test)]
    fn text(&self, index: usize) -> &str {
        let token = self.tokens[index];
        &self.expr[token.offset..token.offset + token.len]
    }
}

fn is_binary_operator(id: TokenId) -> bool {
    matches!(
        id,
        T_ADD
            | T_SUB
            | T_MUL
            | T_DIV
            | T_MOD
            | T_POW
            | T_EQLC
            | T_NEQ
            | T_GTR
            | T_LSS
            | T_GTE
            | T_LTE
            | T_LAND
            | T_LOR
            | T_LUNLESS
            | T_ATAN2
    )
}

fn is_aggregator(id: TokenId) -> bool {
    id > T_AGGREGATORS_START && id < T_AGGREGATORS_END
}

/// Tokens that can stand where a metric or label name is expected: identifiers and every
/// keyword, since PromQL lets `by`, `sum` or `offset` name a label.
fn is_name(id: TokenId) -> bool {
    id == T_IDENTIFIER
        || id == T_METRIC_IDENTIFIER
        || is_aggregator(id)
        || (id > T_KEYWORDS_START && id < T_KEYWORDS_END)
        || (id > T_PREPROCESSOR_START && id < T_PREPROCESSOR_END)
        || matches!(id, T_LAND | T_LOR | T_LUNLESS | T_ATAN2)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn recognize(expr: &str) -> Result<(), String> {
        let lexer = lex::lexer(expr).map_err(|e| e.to_string())?;
        let tokens: Vec<Token> = lexer
            .iter()
            .filter_map(Result::ok)
            .filter(|l| l.tok_id() != T_EOF)
            .map(|l| Token {
                id: l.tok_id(),
                offset: l.span().start(),
                len: l.span().len(),
            })
            .collect();
        let recognizer = Recognizer::new(expr, &tokens);
        let texts: Vec<String> = (0..tokens.len())
            .map(|i| recognizer.text(i).to_owned())
            .collect();
        recognizer
            .expression_only()
            .map_err(|at| texts.get(at).cloned().unwrap_or_else(|| "<end>".into()))
    }

    #[test]
    fn the_recognizer_accepts_what_promql_parser_accepts() {
        for expr in [
            "sum by (a) (rate(x[5m])) / on (a) group_left (b) sum without (c) (y) > bool 0",
            "sum(rate(x{a=~\"b|c\"}[5m] offset -1h)) by (a, b,)",
            "histogram_quantile(0.99, sum by (le) (rate(x_bucket[5m])))",
            "x offset 5m @ 100",
            "x @ start()",
            "max_over_time(x[1h:5m])",
            "max_over_time(rate(x[5m])[1h:])",
            "-x ^ 2 and on () vector(1)",
            "topk(3, x)",
            "count_values(\"v\", x)",
            "{__name__=\"x\", a!~\"b.*\",}",
            "sum",
            "time() - x > 3 * 24 * 3600",
            "label_replace(x, \"a\", \"$1\", \"b\", \"(.*)\")",
            "(x unless y) or z",
        ] {
            assert!(promql_parser::parser::parse(expr).is_ok(), "{expr}");
            assert_eq!(recognize(expr), Ok(()), "{expr}");
        }
    }
}
