//! Folding text the way the full-text index compares it: lower case, accents removed (`Élan` → `elan`). Used to
//! highlight matches and to sort and filter titles (`artifacts.title_key`).

use unicode_normalization::UnicodeNormalization;
use unicode_normalization::char::is_combining_mark;

/// Lower-cases and strips accents, as the index's tokenizer does.
pub(crate) fn fold(text: &str) -> String {
    text.nfd().filter(|c| !is_combining_mark(*c)).flat_map(char::to_lowercase).collect()
}

/// The folded title stored beside every title (`artifacts.title_key`), for sorting and filtering.
pub(crate) fn title_key(title: &str) -> String {
    fold(title)
}

#[cfg(test)]
mod tests {
    use super::fold;

    #[test]
    fn case_and_accents_fold_away() {
        assert_eq!(fold("Élan Café ÅNGSTRÖM"), "elan cafe angstrom");
    }
}
