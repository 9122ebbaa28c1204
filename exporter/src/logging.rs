//! Log output on standard error, as logfmt or JSON lines.
//!
//! Levels mean: `error` the exporter cannot do its job; `warn` a target or an input failed
//! and the exporter carries on; `info` start-up, configuration, listen address; `debug`
//! per-scrape decisions; `trace` per-sample detail.

use std::fmt::{self, Write as _};

use tracing::field::{Field, Visit};
use tracing::{Event, Level, Subscriber};
use tracing_subscriber::fmt::format::Writer;
use tracing_subscriber::fmt::time::{FormatTime, SystemTime};
use tracing_subscriber::fmt::{FmtContext, FormatEvent, FormatFields};
use tracing_subscriber::registry::LookupSpan;

use crate::cli::{LogFormat, LogLevel};

/// Installs the global logger. Call once, before anything logs.
pub fn init(level: LogLevel, format: LogFormat) {
    let level = match level {
        LogLevel::Error => Level::ERROR,
        LogLevel::Warn => Level::WARN,
        LogLevel::Info => Level::INFO,
        LogLevel::Debug => Level::DEBUG,
        LogLevel::Trace => Level::TRACE,
    };
    let builder = tracing_subscriber::fmt()
        .with_max_level(level)
        .with_writer(std::io::stderr);
    match format {
        LogFormat::Logfmt => builder.event_format(Logfmt).init(),
        LogFormat::Json => builder
            .json()
            .flatten_event(true)
            .with_current_span(false)
            .init(),
    }
}

/// Formats events as `ts=... level=... msg="..." key=value ...`.
#[derive(Clone, Copy, Debug, Default)]
pub struct Logfmt;

impl<S, N> FormatEvent<S, N> for Logfmt
where
    S: Subscriber + for<'a> LookupSpan<'a>,
    N: for<'a> FormatFields<'a> + 'static,
{
    fn format_event(
        &self,
        _ctx: &FmtContext<'_, S, N>,
        mut writer: Writer<'_>,
        event: &Event<'_>,
    ) -> fmt::Result {
        let mut timestamp = String::new();
        SystemTime.format_time(&mut Writer::new(&mut timestamp))?;
        let level = event.metadata().level().as_str().to_ascii_lowercase();

        let mut fields = LogfmtFields::default();
        event.record(&mut fields);
        write!(
            writer,
            "ts={timestamp} level={level} msg={}",
            quote(&fields.message)
        )?;
        writer.write_str(&fields.rest)?;
        writeln!(writer)
    }
}

/// The message and the other fields of an event, already in logfmt.
#[derive(Default)]
struct LogfmtFields {
    message: String,
    rest: String,
}

impl Visit for LogfmtFields {
    fn record_str(&mut self, field: &Field, value: &str) {
        if field.name() == "message" {
            self.message = value.to_owned();
        } else {
            let _ = write!(self.rest, " {}={}", field.name(), quote(value));
        }
    }

    fn record_debug(&mut self, field: &Field, value: &dyn fmt::Debug) {
        self.record_str(field, &format!("{value:?}"));
    }
}

/// A logfmt value: bare when it is a simple token, else double-quoted with escapes.
pub fn quote(value: &str) -> String {
    let bare = !value.is_empty()
        && value
            .chars()
            .all(|c| c.is_ascii_graphic() && !matches!(c, '"' | '=' | '\\'));
    if bare {
        return value.to_owned();
    }
    let mut quoted = String::with_capacity(value.len() + 2);
    quoted.push('"');
    for c in value.chars() {
        match c {
            '"' => quoted.push_str("\\\""),
            '\\' => quoted.push_str("\\\\"),
            '\n' => quoted.push_str("\\n"),
            '\r' => quoted.push_str("\\r"),
            '\t' => quoted.push_str("\\t"),
            c => quoted.push(c),
        }
    }
    quoted.push('"');
    quoted
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_are_quoted_only_when_needed() {
        assert_eq!(
            quote("http://10.0.0.7:15090/stats"),
            "http://10.0.0.7:15090/stats"
        );
        assert_eq!(quote("Scrape failed"), "\"Scrape failed\"");
        assert_eq!(quote(""), "\"\"");
        assert_eq!(quote("a=b"), "\"a=b\"");
        assert_eq!(quote("say \"hi\"\n"), "\"say \\\"hi\\\"\\n\"");
    }

    #[test]
    fn events_render_fields_after_the_message() {
        use std::sync::{Arc, Mutex};

        #[derive(Clone, Default)]
        struct Sink(Arc<Mutex<Vec<u8>>>);
        impl std::io::Write for Sink {
            fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
                self.0.lock().unwrap().extend_from_slice(buf);
                Ok(buf.len())
            }
            fn flush(&mut self) -> std::io::Result<()> {
                Ok(())
            }
        }

        let sink = Sink::default();
        let writer = sink.clone();
        let subscriber = tracing_subscriber::fmt()
            .event_format(Logfmt)
            .with_writer(move || writer.clone())
            .finish();
        tracing::subscriber::with_default(subscriber, || {
            let url = "http://a:1/m";
            tracing::warn!(target = %url, reason = "connect", "Scrape failed");
        });
        let line = String::from_utf8(sink.0.lock().unwrap().clone()).unwrap();
        let (ts, rest) = line.split_once(' ').unwrap();
        assert!(ts.starts_with("ts=20"), "{line}");
        assert_eq!(
            rest,
            "level=warn msg=\"Scrape failed\" target=http://a:1/m reason=connect\n"
        );
    }
}
