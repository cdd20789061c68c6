//! `cargo bench -p atrium-store --bench store`: bulk insert of 100k artifacts and full-text search over them,
//! on a real SQLite file in a temporary home. Prints figures; asserts nothing (targets live in the README).

use std::time::{Duration, Instant};

use atrium_store::{AtriumPaths, NewArtifact, NewWorkspace, SearchQuery, Store};

const ARTIFACTS: usize = 100_000;
const BATCH: usize = 1_000;
const QUERIES: usize = 1_000;
const VOCABULARY: usize = 5_000;

/// A small deterministic generator so every run measures the same data.
struct Words(u64);

impl Words {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    /// Word ranks follow a rough Zipf law, like prose: a few words are everywhere, most are rare.
    fn word(&mut self) -> String {
        let u = (self.next() % 1_000_000) as f64 / 1_000_000.0;
        let rank = ((VOCABULARY as f64).powf(u) as usize).min(VOCABULARY - 1);
        let syllables = ["ka", "lo", "mi", "ren", "tu", "sa", "vo", "ne", "di", "pra", "ul", "go"];
        let mut n = rank + 1;
        let mut word = String::new();
        while n > 0 {
            word.push_str(syllables[n % syllables.len()]);
            n /= syllables.len();
        }
        word
    }

    fn text(&mut self, words: usize) -> String {
        (0..words).map(|_| self.word()).collect::<Vec<_>>().join(" ")
    }
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    sorted[((sorted.len() as f64 - 1.0) * p).round() as usize]
}

fn main() {
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build().expect("runtime");
    runtime.block_on(async {
        let dir = tempfile::tempdir().expect("temp dir");
        let store = Store::open(&AtriumPaths::at(dir.path())).await.expect("open");
        let ws = store.create_workspace(NewWorkspace { title: "Bench".into(), description: None }).await.expect("ws");
        let mut words = Words(0x9E37_79B9_7F4A_7C15);

        let batches: Vec<Vec<NewArtifact>> = (0..ARTIFACTS / BATCH)
            .map(|_| {
                (0..BATCH)
                    .map(|_| NewArtifact {
                        workspace_id: ws.id.clone(),
                        title: words.text(4),
                        content_type: "text/markdown".into(),
                        content: Some(words.text(80)),
                        ..Default::default()
                    })
                    .collect()
            })
            .collect();

        let started = Instant::now();
        for batch in batches {
            store.create_artifacts(batch).await.expect("insert");
        }
        let insert = started.elapsed();
        println!(
            "store.insert        {ARTIFACTS} artifacts in {:.2} s = {:.0} artifacts/s (batches of {BATCH}, revisions + FTS included)",
            insert.as_secs_f64(),
            ARTIFACTS as f64 / insert.as_secs_f64()
        );

        let queries: Vec<String> =
            (0..QUERIES).map(|i| if i % 3 == 0 { words.text(2) } else { words.text(1) }).collect();
        let mut times = Vec::with_capacity(QUERIES);
        let mut total_hits = 0usize;
        for text in &queries {
            let started = Instant::now();
            let hits = store.search(&SearchQuery { text: text.clone(), ..Default::default() }).await.expect("search");
            times.push(started.elapsed());
            total_hits += hits.len();
        }
        times.sort();
        println!(
            "store.search        {QUERIES} queries over {ARTIFACTS}: p50 {:.2} ms, p95 {:.2} ms, p99 {:.2} ms, max {:.2} ms ({:.1} hits/query, limit 50, with highlights)",
            percentile(&times, 0.50).as_secs_f64() * 1e3,
            percentile(&times, 0.95).as_secs_f64() * 1e3,
            percentile(&times, 0.99).as_secs_f64() * 1e3,
            times.last().copied().unwrap_or_default().as_secs_f64() * 1e3,
            total_hits as f64 / QUERIES as f64
        );
        let size = std::fs::metadata(store.path()).map(|m| m.len()).unwrap_or(0);
        println!("store.size          {:.1} MiB database file", size as f64 / (1024.0 * 1024.0));
        store.close().await;
    });
}
