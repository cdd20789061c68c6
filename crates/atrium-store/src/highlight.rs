//! Marks query words in titles and content for display. Done here rather than with FTS5's `highlight()` and
//! `snippet()`, which re-run the whole MATCH for every row shown; tokenizing a few short texts is far cheaper.
//! Tokens follow the index's tokenizer (`unicode61 remove_diacritics 2`): runs of letters and digits, compared
//! case- and accent-insensitively.

use crate::TextSpan;
use crate::fold::fold;

/// Words of a snippet around the best match.
const SNIPPET_TOKENS: usize = 18;

/// The words a query looks for, folded like the index folds them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct QueryWords {
    words: Vec<String>,
    /// Whether the last word also matches longer words that start with it.
    last_is_prefix: bool,
}

/// Byte ranges of the tokens in `text`.
fn tokens(text: &str) -> impl Iterator<Item = (usize, usize)> + '_ {
    let mut chars = text.char_indices().peekable();
    std::iter::from_fn(move || {
        let (start, _) = chars.by_ref().find(|(_, c)| c.is_alphanumeric())?;
        let mut end = text.len();
        while let Some(&(i, c)) = chars.peek() {
            if !c.is_alphanumeric() {
                end = i;
                break;
            }
            chars.next();
        }
        Some((start, end))
    })
}

impl QueryWords {
    /// The typed words split into tokens the way the index splits text (`sour-dough` is `sour` and `dough`, as
    /// FTS5 reads the phrase); `last_is_prefix` applies to the final token.
    pub(crate) fn new(words: &[String], last_is_prefix: bool) -> Self {
        let joined = words.join(" ");
        Self { words: tokens(&joined).map(|(s, e)| fold(&joined[s..e])).collect(), last_is_prefix }
    }

    fn matches(&self, token: &str) -> bool {
        let token = fold(token);
        let last = self.words.len().saturating_sub(1);
        self.words
            .iter()
            .enumerate()
            .any(|(i, w)| if i == last && self.last_is_prefix { token.starts_with(w.as_str()) } else { token == *w })
    }

    /// `text` as spans, matching words marked.
    pub(crate) fn highlight(&self, text: &str) -> Vec<TextSpan> {
        self.spans(text, 0, text.len())
    }

    /// A short excerpt of `text` around its densest run of matches (its start when nothing matches), on one line.
    pub(crate) fn snippet(&self, text: &str) -> Vec<TextSpan> {
        let all: Vec<(usize, usize)> = tokens(text).collect();
        if all.is_empty() {
            return Vec::new();
        }
        let hits: Vec<bool> = all.iter().map(|&(s, e)| self.matches(&text[s..e])).collect();
        let window = SNIPPET_TOKENS.min(all.len());
        let best = (0..=all.len() - window)
            .max_by_key(|&start| (hits[start..start + window].iter().filter(|h| **h).count(), std::cmp::Reverse(start)))
            .unwrap_or(0);
        // Whole text at either end, so an excerpt keeps its closing punctuation.
        let from = if best == 0 { 0 } else { all[best].0 };
        let to = if best + window == all.len() { text.len() } else { all[best + window - 1].1 };
        let mut spans = Vec::new();
        if best > 0 {
            spans.push(TextSpan { text: "…".into(), hit: false });
        }
        spans.extend(self.spans(text, from, to));
        if best + window < all.len() {
            spans.push(TextSpan { text: "…".into(), hit: false });
        }
        for span in &mut spans {
            span.text = squash_whitespace(&span.text);
        }
        if let Some(first) = spans.first_mut() {
            first.text = first.text.trim_start().to_owned();
        }
        if let Some(last) = spans.last_mut() {
            last.text = last.text.trim_end().to_owned();
        }
        merge(spans)
    }

    fn spans(&self, text: &str, from: usize, to: usize) -> Vec<TextSpan> {
        let mut spans = Vec::new();
        let mut cursor = from;
        for (start, end) in tokens(&text[from..to]).map(|(s, e)| (s + from, e + from)) {
            if self.matches(&text[start..end]) {
                if start > cursor {
                    spans.push(TextSpan { text: text[cursor..start].to_owned(), hit: false });
                }
                spans.push(TextSpan { text: text[start..end].to_owned(), hit: true });
                cursor = end;
            }
        }
        if cursor < to {
            spans.push(TextSpan { text: text[cursor..to].to_owned(), hit: false });
        }
        spans
    }
}

/// Every run of white space (line breaks included) as one space.
fn squash_whitespace(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut in_space = false;
    for c in text.chars() {
        if c.is_whitespace() {
            if !in_space {
                out.push(' ');
            }
            in_space = true;
        } else {
            out.push(c);
            in_space = false;
        }
    }
    out
}

/// Joins neighbouring spans of the same kind.
fn merge(spans: Vec<TextSpan>) -> Vec<TextSpan> {
    let mut merged: Vec<TextSpan> = Vec::with_capacity(spans.len());
    for span in spans.into_iter().filter(|s| !s.text.is_empty()) {
        match merged.last_mut() {
            Some(last) if last.hit == span.hit => last.text.push_str(&span.text),
            _ => merged.push(span),
        }
    }
    merged
}

#[cfg(test)]
mod tests {
    use super::*;

    fn marked(spans: &[TextSpan]) -> String {
        spans.iter().map(|s| if s.hit { format!("[{}]", s.text) } else { s.text.clone() }).collect()
    }

    #[test]
    fn marks_whole_words_case_and_accent_insensitively() {
        let q = QueryWords::new(&["cafe".into(), "plan".into()], false);
        assert_eq!(marked(&q.highlight("Café plans: the CAFE plan.")), "[Café] plans: the [CAFE] [plan].");
    }

    #[test]
    fn the_last_word_can_be_a_prefix() {
        let q = QueryWords::new(&["sour".into()], true);
        assert_eq!(marked(&q.highlight("Sourdough, not sour-ish")), "[Sourdough], not [sour]-ish");
    }

    #[test]
    fn hyphenated_query_words_mark_each_part() {
        let q = QueryWords::new(&["sour-dough".into()], false);
        assert_eq!(marked(&q.highlight("A sour-dough loaf")), "A [sour]-[dough] loaf");
    }

    #[test]
    fn snippets_centre_on_the_matches_and_stay_on_one_line() {
        let text = format!("{} needle\nin the haystack {}", "filler ".repeat(40), "tail ".repeat(40));
        let q = QueryWords::new(&["needle".into(), "haystack".into()], false);
        let got = marked(&q.snippet(&text));
        assert!(got.starts_with('…') && got.ends_with('…'), "{got}");
        assert!(got.contains("[needle] in the [haystack]"), "{got}");
        assert!(!got.contains('\n'));
        let words = got.split_whitespace().filter(|w| w.chars().any(char::is_alphanumeric)).count();
        assert_eq!(words, SNIPPET_TOKENS);
    }

    #[test]
    fn a_title_only_match_shows_the_start_of_the_content() {
        let q = QueryWords::new(&["zzz".into()], false);
        assert_eq!(marked(&q.snippet("Short body.")), "Short body.");
        assert!(q.snippet("").is_empty());
    }
}
