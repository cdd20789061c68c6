//! The root ids a pull has seen in the platform's listing, to find afterwards what it no longer has. The only part
//! of a pull's memory that grows with the workspace, so it is kept small: a UUID (every id the platform issues) as
//! its 16 bytes, anything else as text.

use std::collections::HashSet;

#[derive(Debug, Default)]
pub(crate) struct SeenRoots {
    uuids: HashSet<u128>,
    others: HashSet<String>,
}

impl SeenRoots {
    pub(crate) fn insert(&mut self, root: &str) {
        match uuid::Uuid::try_parse(root) {
            Ok(id) => {
                self.uuids.insert(id.as_u128());
            }
            Err(_) => {
                self.others.insert(root.to_owned());
            }
        }
    }

    pub(crate) fn contains(&self, root: &str) -> bool {
        match uuid::Uuid::try_parse(root) {
            Ok(id) => self.uuids.contains(&id.as_u128()),
            Err(_) => self.others.contains(root),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::SeenRoots;

    #[test]
    fn uuids_and_other_ids_are_both_remembered() {
        let mut seen = SeenRoots::default();
        seen.insert("0190a5c2-7d3e-7f00-8a00-000000000001");
        seen.insert("not-a-uuid");
        assert!(seen.contains("0190a5c2-7d3e-7f00-8a00-000000000001"));
        assert!(seen.contains("0190A5C2-7D3E-7F00-8A00-000000000001"), "a UUID is the same in either case");
        assert!(seen.contains("not-a-uuid"));
        assert!(!seen.contains("0190a5c2-7d3e-7f00-8a00-000000000002"));
        assert!(!seen.contains("Not-a-uuid"));
    }
}
