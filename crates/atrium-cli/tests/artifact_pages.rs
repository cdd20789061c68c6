//! `atrium artifact import` and a paged `artifact list` over more artifacts than one page holds: every row once,
//! in order, sorted and filtered over the whole workspace.

use serde_json::Value;

mod support;

use support::{Home, code};

fn titles(listed: &Value) -> Vec<String> {
    listed.as_array().expect("an array").iter().map(|a| a["title"].as_str().expect("title").to_owned()).collect()
}

#[test]
fn thousands_import_and_list_page_by_page_in_order() {
    let cli = Home::new();
    cli.json(&["workspace", "create", "Bulk"]);
    // 2,500 rows: three pages of the list and three import batches.
    let mut lines: String =
        (0..2_500).map(|i| format!("{{\"title\":\"Note {i:04}\",\"content\":\"body {i}\"}}\n")).collect();
    lines.push_str("{\"title\":\"Étude\",\"content_type\":\"application/json\",\"content\":\"[]\"}\n");
    let imported = cli.json_with_stdin(&["artifact", "import", "Bulk", "-"], &lines);
    assert_eq!(imported["created"], 2_501);

    let all = cli.json(&["artifact", "list", "Bulk", "--sort", "title"]);
    let all = titles(&all);
    assert_eq!(all.len(), 2_501, "every artifact once");
    // Étude files under e (accents folded), before the notes.
    assert_eq!((all[0].as_str(), all[1].as_str(), all[2_500].as_str()), ("Étude", "Note 0000", "Note 2499"));

    let window =
        titles(&cli.json(&["artifact", "list", "Bulk", "--sort", "title", "--offset", "2000", "--limit", "3"]));
    assert_eq!(window, ["Note 1999", "Note 2000", "Note 2001"]);
    let filtered = titles(&cli.json(&["artifact", "list", "Bulk", "--filter", "ETUDE"]));
    assert_eq!(filtered, ["Étude"], "case and accents folded");
    let typed = titles(&cli.json(&["artifact", "list", "Bulk", "--type", "application/json"]));
    assert_eq!(typed, ["Étude"]);
    assert_eq!(cli.json(&["artifact", "list", "Bulk", "--filter", "nothing like it"]), serde_json::json!([]));

    let text = cli.ok(&["artifact", "list", "Bulk", "--sort", "title", "--limit", "2"]);
    assert_eq!(text.lines().count(), 2);
    assert!(text.lines().nth(1).is_some_and(|l| l.ends_with("Note 0000")), "{text}");
}

#[test]
fn an_import_stops_at_a_bad_line_and_refuses_server_registrations() {
    let cli = Home::new();
    cli.json(&["workspace", "create", "W"]);
    let out = cli.run(&["artifact", "import", "W", "-"], "{\"title\":\"ok\"}\nnot json\n");
    assert_eq!(code(&out), 65, "invalid input");
    assert!(String::from_utf8_lossy(&out.stderr).contains("line 2"), "{}", String::from_utf8_lossy(&out.stderr));

    let server = "{\"title\":\"s\",\"content_type\":\"application/vnd.agience.mcp-server+json\",\"content\":\"{}\"}\n";
    let out = cli.run(&["artifact", "import", "W", "-"], server);
    assert_eq!(code(&out), 65);
    assert_eq!(cli.json(&["artifact", "list", "W"]), serde_json::json!([]), "nothing written");
}
