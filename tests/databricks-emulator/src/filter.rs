//! The workspace SCIM filter language as Databricks documents it: `attr op value` with
//! `eq`, `ne`, `co`, `sw`, joined by `and` / `or` ("we currently only support simple
//! expressions" — no parentheses, `not`, `pr`, `gt`/`lt`, or bracketed value paths).
//! `and` binds tighter than `or`. Values may be double-quoted (with `\"` escapes),
//! single-quoted, or bare words (`userName eq example@databricks.com`); bare `true`/`false` are
//! booleans.

use crate::error::ScimError;

/// A comparison operator.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Op {
    Eq,
    Ne,
    Co,
    Sw,
}

/// A comparison value: a string (quoted or a bare word) or a bare `true` / `false`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Literal {
    Str(String),
    Bool(bool),
}

/// One comparison; `attr` is lower-cased, with any schema URN prefix removed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Comparison {
    pub(crate) attr: String,
    pub(crate) op: Op,
    pub(crate) value: Literal,
}

/// Disjunction of conjunctions.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Filter {
    pub(crate) any_of: Vec<Vec<Comparison>>,
}

/// The value of an attribute of a resource, as the filter sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum AttrValue<'a> {
    /// A string; `case_exact` says whether comparisons respect case.
    Str {
        value: std::borrow::Cow<'a, str>,
        case_exact: bool,
    },
    Bool(bool),
    /// The attribute exists on this resource type but is unset here.
    Absent,
}

impl Filter {
    pub(crate) fn comparisons(&self) -> impl Iterator<Item = &Comparison> {
        self.any_of.iter().flatten()
    }

    /// Evaluates the filter; `lookup` gives the value of a (lower-cased) attribute and is only
    /// called with attributes that were validated beforehand. A comparison that makes no sense
    /// for the attribute's type (`active co "x"`) is an invalid filter.
    pub(crate) fn matches<'a>(&self, lookup: impl Fn(&str) -> AttrValue<'a>) -> Result<bool, ScimError> {
        for all_of in &self.any_of {
            let mut ok = true;
            for cmp in all_of {
                if !cmp.matches(lookup(&cmp.attr))? {
                    ok = false;
                    break;
                }
            }
            if ok {
                return Ok(true);
            }
        }
        Ok(false)
    }
}

impl Comparison {
    fn matches(&self, actual: AttrValue<'_>) -> Result<bool, ScimError> {
        match actual {
            AttrValue::Absent => Ok(self.op == Op::Ne),
            AttrValue::Bool(actual) => {
                let wanted = match &self.value {
                    Literal::Bool(b) => *b,
                    Literal::Str(s) if s.eq_ignore_ascii_case("true") => true,
                    Literal::Str(s) if s.eq_ignore_ascii_case("false") => false,
                    Literal::Str(_) => return Err(ScimError::invalid_filter()),
                };
                match self.op {
                    Op::Eq => Ok(actual == wanted),
                    Op::Ne => Ok(actual != wanted),
                    Op::Co | Op::Sw => Err(ScimError::invalid_filter()),
                }
            }
            AttrValue::Str { value, case_exact } => {
                let wanted = match &self.value {
                    Literal::Str(s) => s.clone(),
                    Literal::Bool(b) => b.to_string(),
                };
                let (actual, wanted) = if case_exact {
                    (value.into_owned(), wanted)
                } else {
                    (value.to_lowercase(), wanted.to_lowercase())
                };
                Ok(match self.op {
                    Op::Eq => actual == wanted,
                    Op::Ne => actual != wanted,
                    Op::Co => actual.contains(&wanted),
                    Op::Sw => actual.starts_with(&wanted),
                })
            }
        }
    }
}

/// How the emulator reads a `filter` parameter: one list of `(attribute, operator, value)` per
/// `or` branch (attributes lower-cased, URN prefixes removed), or `None` where it answers
/// `400 InvalidFilter request failed`. For tests of the filters a client sends.
pub fn read(text: &str) -> Option<Vec<Vec<(String, Op, Literal)>>> {
    let filter = parse(text).ok()?;
    Some(filter.any_of.into_iter().map(|all| all.into_iter().map(|c| (c.attr, c.op, c.value)).collect()).collect())
}

/// Parses a filter expression. Every failure is the documented 400 `InvalidFilter request failed`.
pub(crate) fn parse(text: &str) -> Result<Filter, ScimError> {
    let tokens = tokenize(text)?;
    let mut tokens = tokens.into_iter();
    let mut any_of = Vec::new();
    let mut all_of = Vec::new();
    loop {
        let attr = match tokens.next() {
            Some(Token::Word(w)) => attribute_name(&w)?,
            _ => return Err(ScimError::invalid_filter()),
        };
        let op = match tokens.next() {
            Some(Token::Word(w)) => operator(&w)?,
            _ => return Err(ScimError::invalid_filter()),
        };
        let value = match tokens.next() {
            Some(Token::Quoted(s)) => Literal::Str(s),
            Some(Token::Word(w)) if w.eq_ignore_ascii_case("true") => Literal::Bool(true),
            Some(Token::Word(w)) if w.eq_ignore_ascii_case("false") => Literal::Bool(false),
            Some(Token::Word(w)) => Literal::Str(w),
            None => return Err(ScimError::invalid_filter()),
        };
        all_of.push(Comparison { attr, op, value });
        match tokens.next() {
            None => break,
            Some(Token::Word(w)) if w.eq_ignore_ascii_case("and") => {}
            Some(Token::Word(w)) if w.eq_ignore_ascii_case("or") => {
                any_of.push(std::mem::take(&mut all_of));
            }
            Some(_) => return Err(ScimError::invalid_filter()),
        }
    }
    any_of.push(all_of);
    Ok(Filter { any_of })
}

fn attribute_name(word: &str) -> Result<String, ScimError> {
    // `urn:ietf:params:scim:schemas:core:2.0:User:userName` → `userName`
    let name =
        if word.to_ascii_lowercase().starts_with("urn:") { word.rsplit(':').next().unwrap_or(word) } else { word };
    let valid = name.chars().next().is_some_and(|c| c.is_ascii_alphabetic())
        && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '.' || c == '_' || c == '-' || c == '$');
    if valid { Ok(name.to_ascii_lowercase()) } else { Err(ScimError::invalid_filter()) }
}

fn operator(word: &str) -> Result<Op, ScimError> {
    match word.to_ascii_lowercase().as_str() {
        "eq" => Ok(Op::Eq),
        "ne" => Ok(Op::Ne),
        "co" => Ok(Op::Co),
        "sw" => Ok(Op::Sw),
        _ => Err(ScimError::invalid_filter()),
    }
}

#[derive(Debug, PartialEq, Eq)]
enum Token {
    Word(String),
    Quoted(String),
}

fn tokenize(text: &str) -> Result<Vec<Token>, ScimError> {
    let mut tokens = Vec::new();
    let mut chars = text.chars().peekable();
    while let Some(&c) = chars.peek() {
        if c.is_whitespace() {
            chars.next();
            continue;
        }
        match c {
            '(' | ')' | '[' | ']' => return Err(ScimError::invalid_filter()),
            '"' | '\'' => {
                chars.next();
                let mut value = String::new();
                let mut closed = false;
                while let Some(c2) = chars.next() {
                    if c2 == '\\' {
                        match chars.next() {
                            Some(escaped) => value.push(escaped),
                            None => return Err(ScimError::invalid_filter()),
                        }
                    } else if c2 == c {
                        closed = true;
                        break;
                    } else {
                        value.push(c2);
                    }
                }
                if !closed {
                    return Err(ScimError::invalid_filter());
                }
                tokens.push(Token::Quoted(value));
            }
            _ => {
                let mut word = String::new();
                while let Some(&c2) = chars.peek() {
                    if c2.is_whitespace() {
                        break;
                    }
                    if matches!(c2, '(' | ')' | '[' | ']') {
                        return Err(ScimError::invalid_filter());
                    }
                    word.push(c2);
                    chars.next();
                }
                tokens.push(Token::Word(word));
            }
        }
    }
    Ok(tokens)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(v: &str) -> Literal {
        Literal::Str(v.to_owned())
    }

    #[test]
    fn quoted_single_quoted_and_bare_values_parse_alike() {
        for text in [r#"userName eq "a@b.com""#, "userName eq 'a@b.com'", "userName eq a@b.com", "USERNAME EQ a@b.com"]
        {
            let f = parse(text).unwrap_or_else(|e| panic!("{text}: {e}"));
            assert_eq!(
                f.any_of,
                vec![vec![Comparison { attr: "username".into(), op: Op::Eq, value: s("a@b.com") }]],
                "{text}"
            );
        }
    }

    #[test]
    fn escaped_quotes_stay_inside_the_value() {
        let f = parse(r#"displayName eq "say \"hi\" now""#).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(f.any_of[0][0].value, s(r#"say "hi" now"#));
    }

    #[test]
    fn and_binds_tighter_than_or() {
        let f = parse("a eq 1 or b eq 2 and c eq 3").unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(f.any_of.len(), 2);
        assert_eq!(f.any_of[0].len(), 1);
        assert_eq!(f.any_of[1].len(), 2);
    }

    #[test]
    fn unsupported_syntax_is_an_invalid_filter() {
        for text in [
            "",
            "abcdefghijkl",
            "userName pr",
            "userName gt \"a\"",
            "not (userName eq \"a\")",
            "(userName eq \"a\")",
            "emails[type eq \"work\"]",
            "userName eq \"unterminated",
            "userName eq a b",
            "userName eq a and",
        ] {
            assert_eq!(parse(text), Err(ScimError::invalid_filter()), "{text:?} should be rejected");
        }
    }

    #[test]
    fn booleans_compare_with_bare_or_quoted_values() {
        let f = parse("active eq false").unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(f.matches(|_| AttrValue::Bool(false)), Ok(true));
        let f = parse("active eq \"TRUE\"").unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(f.matches(|_| AttrValue::Bool(true)), Ok(true));
        let f = parse("active co true").unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(f.matches(|_| AttrValue::Bool(true)), Err(ScimError::invalid_filter()));
    }

    #[test]
    fn string_operators_respect_case_exactness() {
        let exact = |_: &str| AttrValue::Str { value: "Engineering".into(), case_exact: true };
        let loose = |_: &str| AttrValue::Str { value: "Engineering".into(), case_exact: false };
        let sw = parse("displayName sw eng").unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(sw.matches(exact), Ok(false));
        assert_eq!(sw.matches(loose), Ok(true));
        let co = parse("displayName co 'neer'").unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(co.matches(exact), Ok(true));
        let ne = parse("displayName ne Engineering").unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(ne.matches(exact), Ok(false));
        assert_eq!(ne.matches(|_| AttrValue::Absent), Ok(true));
    }

    #[test]
    fn urn_prefixed_attribute_names_are_reduced_to_the_attribute() {
        let f = parse("urn:ietf:params:scim:schemas:core:2.0:User:userName eq x").unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(f.any_of[0][0].attr, "username");
    }
}
