//! Report: renders the [`Report`] as JSON (serde), HTML or Markdown (minijinja templates in
//! `templates/`, compiled into the binary). HTML is auto-escaped by minijinja because the
//! template name ends in `.html`; Markdown cells go through the `md` filter.

use minijinja::{context, Environment};
use rules::model::Report;

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    Html,
    Md,
    Json,
}

/// Escapes text for a Markdown table cell or line: no table breaks, no markup, no raw HTML.
pub fn md_escape(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for ch in value.chars() {
        match ch {
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            '|' | '\\' | '`' | '*' | '_' | '[' | ']' | '#' => {
                out.push('\\');
                out.push(ch);
            }
            '\n' | '\r' | '\t' => out.push(' '),
            c if c.is_control() => out.push('\u{FFFD}'),
            c => out.push(c),
        }
    }
    out
}

/// Integral values without decimals, others with at most three (`32794`, `6558.8`).
pub fn format_number(v: f64) -> String {
    if v.fract() == 0.0 && v.abs() < 1e15 {
        format!("{}", v as i64)
    } else {
        let s = format!("{v:.3}");
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    }
}

fn environment() -> Environment<'static> {
    let mut env = Environment::new();
    env.add_filter("md", |v: String| md_escape(&v));
    env.add_filter("num", |v: f64| format_number(v));
    // Inside a fenced block nothing is markup; only a line of backticks could close it.
    env.add_filter("fence", |v: String| v.replace("```", "'''"));
    env.add_template("report.html", include_str!("../templates/report.html"))
        .expect("report.html template");
    env.add_template("report.md", include_str!("../templates/report.md"))
        .expect("report.md template");
    env
}

pub fn render(report: &Report, format: Format) -> Result<String, String> {
    match format {
        Format::Json => serde_json::to_string_pretty(report)
            .map(|mut s| {
                s.push('\n');
                s
            })
            .map_err(|e| e.to_string()),
        Format::Html | Format::Md => {
            let name = if format == Format::Html {
                "report.html"
            } else {
                "report.md"
            };
            let env = environment();
            let template = env.get_template(name).map_err(|e| e.to_string())?;
            template
                .render(context! { report => report, views => crate::view::host_views(report) })
                .map_err(|e| format!("cannot render {name}: {e}"))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markdown_escaping_keeps_tables_intact() {
        assert_eq!(md_escape("a|b"), "a\\|b");
        assert_eq!(
            md_escape("<script>x</script>"),
            "&lt;script&gt;x&lt;/script&gt;"
        );
        assert_eq!(md_escape("line\nbreak"), "line break");
    }
}
