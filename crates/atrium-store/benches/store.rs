//! `cargo bench -p atrium-store --bench store`: bulk insert of 100k artifacts and full-text search over them,
//! on a real SQLite file in a temporary home. Prints figures beside their targets (DESIGN §8); asserts nothing.
//!
//! The insert rate counts until the last artifact is in the full-text index (the index catches up off the write
//! path: see the store's `index_queue`), not merely committed; both are printed. Freshness is how long a search
//! takes to find an artifact written just before it: right after the bulk insert (the whole backlog still to
//! index) and in steady use.

use std::time::{Duration, Instant};

use atrium_store::{AtriumPaths, NewArtifact, NewWorkspace, SearchQuery, Store};

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

/// CPU seconds this process has used so far (all threads), from /proc: a figure the other processes on a busy
/// machine disturb far less than the wall clock.
fn cpu_seconds() -> f64 {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    let fields: Vec<&str> = stat.rsplit(')').next().unwrap_or_default().split_whitespace().collect();
    let ticks = |i: usize| fields.get(i).and_then(|v| v.parse::<f64>().ok()).unwrap_or(0.0);
    // utime and stime, fields 14 and 15 of the line (11 and 12 after the command name); 100 ticks a second.
    (ticks(11) + ticks(12)) / 100.0
}

fn verdict(met: bool) -> &'static str {
    if met { "✔" } else { "✗" }
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1e3
}

/// Writes an artifact holding a word found nowhere else and searches for it at once: how long until it is found.
async fn freshness(store: &Store, workspace_id: &str, n: usize) -> Duration {
    let word = format!("fresh{n}x");
    let started = Instant::now();
    store
        .create_artifact(NewArtifact {
            workspace_id: workspace_id.into(),
            title: format!("Fresh {n}"),
            content_type: "text/markdown".into(),
            content: Some(format!("written just now: {word}")),
            ..Default::default()
        })
        .await
        .expect("fresh artifact");
    loop {
        let hits = store.search(&SearchQuery { text: word.clone(), ..Default::default() }).await.expect("search");
        if !hits.is_empty() {
            return started.elapsed();
        }
    }
}

fn main() {
    // BENCH_ARTIFACTS scales the run down while iterating; the figures that count use the default.
    let artifacts: usize = std::env::var("BENCH_ARTIFACTS").ok().and_then(|v| v.parse().ok()).unwrap_or(100_000);
    let content_words: usize = std::env::var("BENCH_WORDS").ok().and_then(|v| v.parse().ok()).unwrap_or(80);
    let batch: usize = std::env::var("BENCH_BATCH").ok().and_then(|v| v.parse().ok()).unwrap_or(1_000);
    // BENCH_QUERIES=0 stops after the insert (to profile it alone).
    let queries: usize = std::env::var("BENCH_QUERIES").ok().and_then(|v| v.parse().ok()).unwrap_or(1_000);
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
        let cpu_before = cpu_seconds();
        for batch in batches {
            store.create_artifacts(batch).await.expect("insert");
        }
        let committed = started.elapsed();
        // The first search after the bulk insert indexes whatever backlog the background passes left. The rate
        // counts until then (that search and its one extra artifact included): committed alone is not searchable.
        let after_bulk = freshness(&store, &ws.id, 0).await;
        store.flush_index().await.expect("index");
        let indexed = started.elapsed();
        let cpu = cpu_seconds() - cpu_before;
        let rate = artifacts as f64 / indexed.as_secs_f64();
        println!(
            "store.insert        {artifacts} artifacts, full-text index included: {:.2} s = {rate:.0} artifacts/s   target ≥ 50000/s {}",
            indexed.as_secs_f64(),
            verdict(rate >= 50_000.0)
        );
        println!(
            "                    ({content_words}-word bodies, batches of {batch}; all committed after {:.2} s = {:.0}/s, indexed {:.2} s later; {cpu:.2} CPU s)",
            committed.as_secs_f64(),
            artifacts as f64 / committed.as_secs_f64(),
            (indexed.saturating_sub(committed)).as_secs_f64()
        );
        let mut fresh: Vec<Duration> = Vec::new();
        for n in 1..=50 {
            fresh.push(freshness(&store, &ws.id, n).await);
        }
        fresh.sort();
        let worst = after_bulk.max(fresh.last().copied().unwrap_or_default());
        println!(
            "store.freshness     write to found by search: {:.0} ms right after the bulk insert, p50 {:.1} ms in steady use (max {:.1} ms)   target ≤ 1000 ms {}",
            ms(after_bulk),
            ms(percentile(&fresh, 0.5)),
            ms(fresh.last().copied().unwrap_or_default()),
            verdict(worst <= Duration::from_secs(1))
        );

        if queries == 0 {
            return;
        }
        let queries: Vec<String> =
            (0..queries).map(|i| if i % 3 == 0 { words.text(&vocabulary, 2) } else { words.text(&vocabulary, 1) }).collect();
        let mut times = Vec::with_capacity(queries.len());
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
        let p95 = percentile(&times, 0.95);
        println!(
            "store.search        {} queries over {artifacts}: p50 {:.2} ms, p95 {:.2} ms, p99 {:.2} ms, max {:.2} ms   target p95 ≤ 10 ms {}",
            queries.len(),
            ms(percentile(&times, 0.50)),
            ms(p95),
            ms(percentile(&times, 0.99)),
            ms(times.last().copied().unwrap_or_default()),
            verdict(p95 <= Duration::from_millis(10))
        );
        println!("                    ({:.1} hits/query, limit 50, with highlights)", total_hits as f64 / queries.len() as f64);
        slowest.sort_by_key(|s| std::cmp::Reverse(s.0));
        for (took, text, hits) in slowest.iter().take(5) {
            println!("  slow query {:>6.2} ms  {text:?} ({hits} hits)", took.as_secs_f64() * 1e3);
        }
        let mib = |path: std::path::PathBuf| std::fs::metadata(path).map(|m| m.len()).unwrap_or(0) as f64 / (1024.0 * 1024.0);
        println!(
            "store.size          {:.1} MiB database file, {:.1} MiB search index file",
            mib(store.path()),
            mib(store.search_index_path())
        );
        store.close().await;
    });
}
