//! The landing page at `/`: what this exporter is, where its metrics are, and its targets.

use std::fmt::Write as _;

use crate::store::Store;

/// The HTML of the landing page.
pub fn page(store: &Store, telemetry_path: &str) -> String {
    let mut html = String::new();
    let version = env!("CARGO_PKG_VERSION");
    let path = escape(telemetry_path);
    let _ = write!(
        html,
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head><meta charset=\"utf-8\">\
         <title>meshward-exporter</title></head>\n<body>\n\
         <h1>meshward-exporter</h1>\n\
         <p>Service-mesh security signals for Prometheus. Version {version}.</p>\n\
         <ul>\n<li><a href=\"{path}\">Metrics</a></li>\n\
         <li><a href=\"/-/healthy\">Health</a></li>\n\
         <li><a href=\"/-/ready\">Readiness</a></li>\n</ul>\n"
    );

    let entries = store.read();
    let _ = writeln!(html, "<h2>Targets ({})</h2>", entries.len());
    html.push_str("<table>\n<tr><th>Target</th><th>Mesh</th><th>Up</th><th>Labels</th></tr>\n");
    for entry in entries.values() {
        let (target, report) = (&entry.target, &entry.report);
        let mesh = report
            .dialect
            .or(target.dialect)
            .map_or("not yet known", |d| d.as_str());
        let up = match report.up {
            Some(true) => "up",
            Some(false) => "down",
            None => "not scraped yet",
        };
        let labels: Vec<String> = target
            .labels
            .iter()
            .map(|(k, v)| format!("{k}=\"{v}\""))
            .collect();
        let url = escape(&target.url());
        let _ = writeln!(
            html,
            "<tr><td><a href=\"{url}\">{url}</a></td><td>{mesh}</td><td>{up}</td><td>{}</td></tr>",
            escape(&labels.join(", "))
        );
    }
    html.push_str("</table>\n</body>\n</html>\n");
    html
}

/// Escapes text for HTML element content and quoted attributes.
pub fn escape(text: &str) -> String {
    let mut escaped = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => escaped.push_str("&amp;"),
            '<' => escaped.push_str("&lt;"),
            '>' => escaped.push_str("&gt;"),
            '"' => escaped.push_str("&quot;"),
            '\'' => escaped.push_str("&#39;"),
            c => escaped.push(c),
        }
    }
    escaped
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn label_values_cannot_inject_markup() {
        assert_eq!(
            escape("<script>\"x\" & 'y'"),
            "&lt;script&gt;&quot;x&quot; &amp; &#39;y&#39;"
        );
    }
}
