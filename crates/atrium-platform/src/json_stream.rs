//! Splits a JSON array arriving in chunks into its items, so a listing of 50k artifacts is applied as it
//! arrives and never held whole (the platform does not paginate listings).

/// An incremental splitter of one top-level JSON array. Feed it chunks; it hands back each complete item's bytes.
#[derive(Debug, Default)]
pub struct ArraySplitter {
    buf: Vec<u8>,
    /// Where scanning resumes in `buf`.
    scan: usize,
    /// Start of the item being read, if one is open.
    item_start: Option<usize>,
    /// 0 before `[`, 1 inside the array, deeper inside an item.
    depth: u32,
    in_string: bool,
    escaped: bool,
    finished: bool,
}

/// The stream is not one JSON array.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NotAnArray(pub String);

impl ArraySplitter {
    /// Whether the closing `]` was seen.
    pub fn finished(&self) -> bool {
        self.finished
    }

    /// Adds a chunk and appends every item it completes to `items`.
    pub fn push(&mut self, chunk: &[u8], items: &mut Vec<Vec<u8>>) -> Result<(), NotAnArray> {
        if self.finished {
            return if chunk.iter().all(u8::is_ascii_whitespace) {
                Ok(())
            } else {
                Err(NotAnArray("data after the end of the array".into()))
            };
        }
        self.buf.extend_from_slice(chunk);
        let mut i = self.scan;
        while i < self.buf.len() {
            let b = self.buf[i];
            if self.in_string {
                if self.escaped {
                    self.escaped = false;
                } else if b == b'\\' {
                    self.escaped = true;
                } else if b == b'"' {
                    self.in_string = false;
                    if self.depth == 1 {
                        self.emit(i + 1, items);
                    }
                }
                i += 1;
                continue;
            }
            match (self.depth, b) {
                (0, b'[') => self.depth = 1,
                (0, b) if b.is_ascii_whitespace() => {}
                (0, _) => return Err(NotAnArray("it does not start with [".into())),
                (1, b']') => {
                    self.emit(i, items);
                    self.finished = true;
                    self.buf.clear();
                    self.scan = 0;
                    return Ok(());
                }
                (1, b',') => self.emit(i, items),
                (1, b) if b.is_ascii_whitespace() && self.item_start.is_some() => self.emit(i, items),
                (1, b) if b.is_ascii_whitespace() => {}
                (d, b'{' | b'[') => {
                    if d == 1 && self.item_start.is_none() {
                        self.item_start = Some(i);
                    }
                    self.depth += 1;
                }
                (d, b'}' | b']') => {
                    if d <= 1 {
                        return Err(NotAnArray("unbalanced brackets".into()));
                    }
                    self.depth -= 1;
                    if self.depth == 1 {
                        self.emit(i + 1, items);
                    }
                }
                (d, b'"') => {
                    if d == 1 && self.item_start.is_none() {
                        self.item_start = Some(i);
                    }
                    self.in_string = true;
                }
                (1, _) if self.item_start.is_none() => self.item_start = Some(i),
                _ => {}
            }
            i += 1;
        }
        // Keep only the open item's bytes.
        let keep_from = self.item_start.unwrap_or(self.buf.len());
        self.buf.drain(..keep_from);
        self.scan = self.buf.len();
        if let Some(start) = self.item_start.as_mut() {
            *start -= keep_from.min(*start);
        }
        Ok(())
    }

    fn emit(&mut self, end: usize, items: &mut Vec<Vec<u8>>) {
        if let Some(start) = self.item_start.take()
            && end > start
        {
            items.push(self.buf[start..end].to_vec());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn split_in(text: &str, chunk: usize) -> (Vec<String>, bool) {
        let mut splitter = ArraySplitter::default();
        let mut items = Vec::new();
        for part in text.as_bytes().chunks(chunk) {
            splitter.push(part, &mut items).expect("an array");
        }
        (items.into_iter().map(|b| String::from_utf8(b).expect("utf8")).collect(), splitter.finished())
    }

    #[test]
    fn items_come_out_whole_whatever_the_chunking() {
        let text = r#" [ {"a":"x]}\"{","b":[1,{"c":2}]}, {"d":"é"} ,"s,]",12 , true ] "#;
        for chunk in 1..text.len() {
            let (items, finished) = split_in(text, chunk);
            assert!(finished, "chunk {chunk}");
            assert_eq!(
                items,
                [r#"{"a":"x]}\"{","b":[1,{"c":2}]}"#, r#"{"d":"é"}"#, r#""s,]""#, "12", "true"],
                "chunk {chunk}"
            );
        }
        assert_eq!(split_in("[]", 1), (vec![], true));
    }

    #[test]
    fn a_truncated_array_is_not_finished_and_junk_is_refused() {
        let (items, finished) = split_in(r#"[{"a":1},{"b":"#, 3);
        assert_eq!((items.len(), finished), (1, false));
        let mut splitter = ArraySplitter::default();
        assert!(splitter.push(b"{\"not\":\"array\"}", &mut Vec::new()).is_err());
    }
}
