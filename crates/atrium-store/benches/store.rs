//! `cargo bench -p atrium-store --bench store`: bulk insert of 100k artifacts and full-text search over them,
//! on a real SQLite file in a temporary home. Prints figures; asserts nothing (targets live in the README).

use std::time::{Duration, Instant};

use atrium_store::{AtriumPaths, NewArtifact, NewWorkspace, SearchQuery, Store};

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
    fn word(&mut self, vocabulary: &[String]) -> String {
        let u = (self.next() % 1_000_000) as f64 / 1_000_000.0;
        let rank = ((VOCABULARY as f64).powf(u) as usize).min(VOCABULARY - 1);
        vocabulary[rank].clone()
    }

    /// Independent random letter strings of 3–10 letters, so prefixes spread like a real language's.
    fn vocabulary(&mut self) -> Vec<String> {
        (0..VOCABULARY)
            .map(|_| {
                let len = 3 + (self.next() % 8) as usize;
                (0..len).map(|_| (b'a' + (self.next() % 26) as u8) as char).collect()
            })
            .collect()
    }

    fn text(&mut self, vocabulary: &[String], words: usize) -> String {
        (0..words).map(|_| self.word(vocabulary)).collect::<Vec<_>>().join(" ")
    }
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    sorted[((sorted.len() as f64 - 1.0) * p).round() as usize]
}

fn main() {
    // BENCH_ARTIFACTS scales the run down while iterating; the figures that count use the default.
    let artifacts: usize = std::env::var("BENCH_ARTIFACTS").ok().and_then(|v| v.parse().ok()).unwrap_or(100_000);
    let content_words: usize = std::env::var("BENCH_WORDS").ok().and_then(|v| v.parse().ok()).unwrap_or(80);
    let batch: usize = std::env::var("BENCH_BATCH").ok().and_then(|v| v.parse().ok()).unwrap_or(1_000);
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build().expect("runtime");
    runtime.block_on(async {
        let dir = tempfile::tempdir().expect("temp dir");
        // BENCH_HOME keeps the database for inspection after the run.
        let home = std::env::var_os("BENCH_HOME").map(std::path::PathBuf::from).unwrap_or_else(|| dir.path().into());
        let store = Store::open(&AtriumPaths::at(home)).await.expect("open");
        let ws = store.create_workspace(NewWorkspace { title: "Bench".into(), description: None }).await.expect("ws");
        let mut words = Words(0x9E37_79B9_7F4A_7C15);
        let vocabulary = words.vocabulary();

        let batches: Vec<Vec<NewArtifact>> = (0..artifacts / batch)
            .map(|_| {
                (0..batch)
                    .map(|_| NewArtifact {
                        workspace_id: ws.id.clone(),
                        title: words.text(&vocabulary, 4),
                        content_type: "text/markdown".into(),
                        content: Some(words.text(&vocabulary, content_words)),
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
            "store.insert        {artifacts} artifacts in {:.2} s = {:.0} artifacts/s ({content_words}-word bodies, batches of {batch}, FTS included)",
            insert.as_secs_f64(),
            artifacts as f64 / insert.as_secs_f64()
        );

        let queries: Vec<String> =
            (0..QUERIES).map(|i| if i % 3 == 0 { words.text(&vocabulary, 2) } else { words.text(&vocabulary, 1) }).collect();
        let mut times = Vec::with_capacity(QUERIES);
        let mut slowest: Vec<(Duration, &str, usize)> = Vec::new();
        let mut total_hits = 0usize;
        for text in &queries {
            let started = Instant::now();
            let hits = store.search(&SearchQuery { text: text.clone(), ..Default::default() }).await.expect("search");
            let took = started.elapsed();
            times.push(took);
            slowest.push((took, text, hits.len()));
            total_hits += hits.len();
        }
        times.sort();
        println!(
            "store.search        {QUERIES} queries over {artifacts}: p50 {:.2} ms, p95 {:.2} ms, p99 {:.2} ms, max {:.2} ms ({:.1} hits/query, limit 50, with highlights)",
            percentile(&times, 0.50).as_secs_f64() * 1e3,
            percentile(&times, 0.95).as_secs_f64() * 1e3,
            percentile(&times, 0.99).as_secs_f64() * 1e3,
            times.last().copied().unwrap_or_default().as_secs_f64() * 1e3,
            total_hits as f64 / QUERIES as f64
        );
        slowest.sort_by_key(|s| std::cmp::Reverse(s.0));
        for (took, text, hits) in slowest.iter().take(5) {
            println!("  slow query {:>6.2} ms  {text:?} ({hits} hits)", took.as_secs_f64() * 1e3);
        }
        let size = std::fs::metadata(store.path()).map(|m| m.len()).unwrap_or(0);
        println!("store.size          {:.1} MiB database file", size as f64 / (1024.0 * 1024.0));
        store.close().await;
    });
}
